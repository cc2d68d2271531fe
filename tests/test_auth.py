"""Issue 12, first part: built-in accounts (argon2id, lockout), roles that choose the pages, scopes enforced where
data is read, and the audit record."""
import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import Warehouse
from etl import accounts, audit
from etl.warehouse import open_read_only
from tests.pages import ROOT, plain, sql

PASSWORD = "mat-khau-du-dai"


def test_accounts_hash_lock_out_and_refuse_bad_input(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    admin = accounts.add_account(db, "Admin", PASSWORD, "admin")
    assert admin.username == "admin" and admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in (tmp_path / "accounts.json").read_text()
    assert accounts.authenticate(db, "admin", PASSWORD).role == "admin"
    now = dt.datetime(2026, 11, 30, 8, 0)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.AccountError, match="không đúng"):
            accounts.authenticate(db, "admin", "sai-mat-khau", now=now)
    with pytest.raises(accounts.AccountError, match="tạm khoá đến 08:15"):
        accounts.authenticate(db, "admin", PASSWORD, now=now)  # even the right password, while locked out
    assert accounts.authenticate(db, "admin", PASSWORD, now=now + dt.timedelta(minutes=16)).username == "admin"
    with pytest.raises(accounts.AccountError, match="không đúng"):
        accounts.authenticate(db, "ai-do", PASSWORD)  # an unknown user gets the same words
    with pytest.raises(accounts.AccountError, match="ít nhất 10"):
        accounts.add_account(db, "ngan", "ngan", "analyst")
    with pytest.raises(accounts.AccountError, match="mã trường"):
        accounts.add_account(db, "truong", PASSWORD, "school")
    with pytest.raises(accounts.AccountError, match="cuối cùng"):
        accounts.remove_account(db, "admin")
    accounts.add_account(db, "lanhdao", PASSWORD, "leadership")
    accounts.set_disabled(db, "lanhdao", True)
    with pytest.raises(accounts.AccountError, match="đã bị khoá"):
        accounts.authenticate(db, "lanhdao", PASSWORD)


def test_a_scoped_reader_sees_only_its_schools_in_every_table(sample_db):
    [(code, ward)] = sql(sample_db, "SELECT school_code, ward_new FROM schools WHERE level = 'THCS' ORDER BY 1 LIMIT 1")
    reader = Warehouse(sample_db, (code,))
    assert list(reader.query("SELECT school_code FROM schools").school_code) == [code]
    for table in ("survey", "informatics_computers", "maturity_4725", "criteria_scores", "load_issues",
                  "plan_school_values"):
        assert set(reader.query(f"SELECT DISTINCT school_code FROM {table}").school_code) <= {code}, table
    files = set(reader.query("SELECT file_name FROM load_log").file_name)
    mine = {f for (f,) in sql(sample_db, "SELECT DISTINCT source_file FROM survey WHERE school_code = ?", [code])}
    assert mine and mine <= files and len(files) < len(set(sql(sample_db, "SELECT file_name FROM load_log")))


@pytest.fixture
def with_accounts(sample_db, tmp_path, monkeypatch):
    """A copy of the sample warehouse with an account per role (a ward, a school)."""
    import shutil

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    [(code, name, ward)] = sql(db, "SELECT school_code, school_name, ward_new FROM schools WHERE level = 'TH' "
                                   "ORDER BY 1 LIMIT 1")
    accounts.add_account(db, "admin", PASSWORD, "admin")
    accounts.add_account(db, "truong", PASSWORD, "school", school=code)
    accounts.add_account(db, "phuong", PASSWORD, "leadership", "ward", wards=[ward])
    monkeypatch.setenv("DX_DB", str(db))
    return db, code, name, ward


def signed_in(username: str, page: str | None = None, **query) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert [t.value for t in app.title] == ["Đăng nhập"]
    app.text_input(key="login_user").input(username)
    app.text_input(key="login_password").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    if page:
        app.switch_page(f"pages/{page}")
        app.run()
        assert not app.exception, app.exception
    return app


def test_the_login_form_refuses_a_wrong_password_and_records_it(with_accounts):
    db, *_ = with_accounts
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.text_input(key="login_user").input("admin")
    app.text_input(key="login_password").input("sai")
    app.button[0].click().run()
    assert any("không đúng" in e.value for e in app.error)
    assert not app.metric  # nothing of the data before signing in
    assert [(e["who"], e["action"]) for e in audit.read(db)][-1] == ("admin", "login_failed")


def test_a_school_account_sees_its_school_only(with_accounts):
    db, code, name, ward = with_accounts
    app = signed_in("truong")
    assert app.title[0].value == "Tổng quan"
    shown = {m.label: m.value for m in app.metric}
    assert shown["Trường đã báo cáo"] in ("1/1", "0/1"), shown
    other = sql(db, "SELECT school_code FROM schools WHERE school_code <> ? AND level = 'TH' LIMIT 1", [code])[0][0]
    profile = signed_in("truong", "ho_so_truong.py", school=other)
    assert any("không thuộc phạm vi" in e.value for e in profile.error), [e.value for e in profile.error]
    assert profile.header[0].value == name  # its own school, never the other one
    assert ("truong (Trường)", "denied") in [(e["who"], e["action"]) for e in audit.read(db)]


def test_roles_choose_the_pages(with_accounts):
    from dashboard.auth import ROLE_PAGES

    assert "nap_so_lieu.py" not in ROLE_PAGES["leadership"] and "quan_tri.py" not in ROLE_PAGES["analyst"]
    app = signed_in("phuong")
    for page in ("nap_so_lieu.py", "bieu_mau.py", "quan_tri.py"):  # not in a leader's navigation: no such page
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/{page}")
    app.switch_page("pages/nop_bao_cao.py").run()  # where things stand, without the buttons that change them
    assert not app.exception and app.title[0].value == "Tình hình nộp báo cáo"
    assert not [b for b in app.button if b.key in ("submit_approved", "submit_returned", "submit_lock")]


def test_a_ward_account_reads_its_ward(with_accounts):
    db, code, name, ward = with_accounts
    app = signed_in("phuong", "may_tinh.py")
    assert any(f"phạm vi phường {ward}" in c.value for c in app.sidebar.caption)
    assert app.sidebar.multiselect(key="phuong").options == [ward]  # the filter offers its own ward only
    assert any(f"phạm vi tài khoản: phường {ward}" in plain(c.value) for c in app.caption)  # said on the page
    [(inside,)] = sql(db, "SELECT count(*) FROM schools WHERE ward_new = ?", [ward])
    assert app.sidebar.multiselect(key="truong").options.__len__() == inside


def test_a_browser_token_keeps_a_session_until_it_ends(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    account = accounts.add_account(db, "chuyenvien", PASSWORD, "analyst")
    now = dt.datetime(2026, 11, 30, 8, 0)
    token = accounts.session_token(db, account, now=now)
    assert accounts.from_token(db, token, now=now + dt.timedelta(hours=7)).username == "chuyenvien"
    assert accounts.from_token(db, token, now=now + dt.timedelta(hours=9)) is None  # expired
    name, account_id, epoch, started, signature = token.split(":")
    assert accounts.from_token(db, f"admin:{account_id}:{epoch}:{started}:{signature}", now=now) is None  # forged
    later = str(int(started) + 3600)  # a sign-in time moved on (to stretch the lifetime): not its signature
    assert accounts.from_token(db, f"{name}:{account_id}:{epoch}:{later}:{signature}", now=now) is None
    assert accounts.from_token(db, "rác", now=now) is None
    accounts.end_sessions(db, "chuyenvien")  # logout
    assert accounts.from_token(db, token, now=now) is None
    fresh = accounts.session_token(db, accounts.load_accounts(db)["chuyenvien"], now=now)
    accounts.set_password(db, "chuyenvien", "mat-khau-moi-dai")  # a new password ends the sessions too
    assert accounts.from_token(db, fresh, now=now) is None
    assert (tmp_path / "session.key").stat().st_mode & 0o777 == 0o600


def test_a_school_sends_its_file_and_an_analyst_loads_only_that_schools_rows(loaded_db, tmp_path, monkeypatch):
    """Issue 21: a school's sending loads the school's own rows only, whoever presses «Nạp vào kho»; looking at it
    takes it from nobody's queue."""
    from etl import intake, submissions
    from tests import fixtures

    db = loaded_db
    accounts.add_account(db, "admin", PASSWORD, "admin")
    accounts.add_account(db, "th.leloi", PASSWORD, "school", school="40200001")
    monkeypatch.setenv("DX_DB", str(db))
    both = fixtures.write_survey_table(tmp_path / "KS_CN_2024-2025.xlsx", title=[
        t.replace("Sơ kết HK I", "Tổng kết năm") for t in fixtures.TITLE], rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 27, 720, 18, "x", 90, "VnEdu"]),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 0, 600, 15, "", 40, "VnEdu"])])
    app = signed_in("th.leloi", "nap_so_lieu.py")
    app.get("file_uploader")[0].set_value([(both.name, both.read_bytes(), "application/octet-stream")])
    app.run()
    app.button(key="intake_preview").click().run()
    shown = {m.label: m.value for m in app.metric}
    assert (shown["Dòng sẽ thêm"], shown["Dòng bị từ chối"]) == ("1", "1")  # the other school's row: not its own
    assert not [b for b in app.button if b.key == "intake_confirm"]
    app.button(key="intake_send").click().run()
    assert not app.exception, app.exception
    assert any("Đã gửi số liệu cho phòng" in s.value for s in app.success)
    assert sql(db, "SELECT count(*) FROM survey WHERE period = 'CN'") == [(0,)]  # nothing loaded by the school
    [sent] = intake.list_pending(db)
    assert sent["school"] == "40200001" and sent["files"] == [both.name] and sent["state"] == "sent"
    with open_read_only(db) as con:
        assert submissions.status(con, "2024-2025", "CN", db_path=db).set_index("school_code").status[
            "40200001"] == "sent"  # the status page counts a file waiting in the queue

    office = signed_in("admin", "nap_so_lieu.py")
    assert any("Trường Tiểu học Lê Lợi" in plain(m.value) and "gửi lúc" in plain(m.value) for m in office.markdown)
    office.button(key=f"intake_take_{sent['submission']}").click().run()
    assert not office.exception, office.exception
    [looked] = intake.list_pending(db)  # opened, not loaded: still waiting, for every session
    assert looked["state"] == "in_review" and looked["looked_by"].startswith("admin")
    shown = {m.label: m.value for m in office.metric}
    assert (shown["Dòng sẽ thêm"], shown["Dòng bị từ chối"]) == ("1", "1")  # the school's restriction holds
    office.button(key="intake_confirm").click().run()
    assert not office.exception, office.exception
    assert sql(db, "SELECT school_code, it_computers FROM survey WHERE period = 'CN' ORDER BY 1") == [
        ("40200001", 27)]  # the other school's row in the school's file never reaches the warehouse
    assert intake.list_pending(db) == []
    with open_read_only(db) as con:
        assert submissions.status(con, "2024-2025", "CN", db_path=db).set_index("school_code").status[
            "40200001"] == "submitted"
    assert [e["action"] for e in audit.read(db)][-3:] == ["login", "download", "load"]


def test_an_export_holds_the_accounts_scope_only(with_accounts):
    import io
    import re

    import openpyxl

    db, code, name, ward = with_accounts
    app = signed_in("phuong", "trinh_chieu.py")
    app.button(key="tao_xlsx").click().run()
    assert not app.exception, app.exception
    book = openpyxl.load_workbook(io.BytesIO(app.session_state["xuat_xlsx"]))
    texts = {cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)}
    found = {text for text in texts if re.fullmatch(r"4\d{7}", text)}
    inside = {c for (c,) in sql(db, "SELECT school_code FROM schools WHERE ward_new = ?", [ward])}
    assert found and found <= inside, found - inside
    outside = {n for (n,) in sql(db, "SELECT school_name FROM schools WHERE ward_new <> ?", [ward])}
    assert not texts & outside
    assert ("phuong", "export") in [(e["who"].split(" ")[0], e["action"]) for e in audit.read(db)]


def test_a_link_filter_outside_the_scope_is_said(with_accounts):
    db, code, name, ward = with_accounts
    [(other,)] = sql(db, "SELECT school_code FROM schools WHERE ward_new <> ? LIMIT 1", [ward])
    app = signed_in("truong", None, truong=other)
    assert any("ngoài phạm vi" in w.value for w in app.warning), [w.value for w in app.warning]


def test_the_audit_records_every_kind_of_action(loaded_db, tmp_path, monkeypatch):
    """Logins and failures, loads, undo, approvals, returns, locks, snapshots, exports and account changes."""
    from tests import fixtures
    from tests.conftest import run_cli

    db = loaded_db
    monkeypatch.setenv("DX_DB", str(db))
    accounts.add_account(db, "admin", PASSWORD, "admin")
    import io
    import sys
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert run_cli("user", "add", "lanhdao", "--role", "leadership", "--password-stdin", "--db", db)[0] == 0
    assert run_cli("load", fixtures.write_assessment_form(tmp_path / "TDG.xlsx"), "--db", db)[0] in (0, 1)
    assert run_cli("snapshot", "create", "Sơ kết", "--db", db)[0] == 0
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.text_input(key="login_user").input("admin")
    app.text_input(key="login_password").input("sai")
    app.button[0].click().run()
    app.text_input(key="login_password").input(PASSWORD)
    app.button[0].click().run()
    app.switch_page("pages/nop_bao_cao.py").run()
    app.selectbox(key="submit_year").select("2024-2025").run()
    app.multiselect(key="submit_schools_0").select("40200001").run()
    app.button(key="submit_approved").click().run()
    app.multiselect(key="submit_schools_1").select("40200002").run()  # a fresh picker after each decision
    app.text_area(key="submit_comment_1").input("Thiếu số máy").run()
    app.button(key="submit_returned").click().run()
    app.checkbox(key="submit_lock_anyway").check().run()  # a school is returned: locking asks first
    app.button(key="submit_lock").click().run()
    app.switch_page("pages/trinh_chieu.py").run()
    app.button(key="tao_xlsx").click().run()
    app.switch_page("pages/nap_so_lieu.py").run()
    app.button(key="intake_undo").click().run()
    assert not app.exception, app.exception
    done = {e["action"] for e in audit.read(db)}
    assert {"login", "login_failed", "load", "undo", "approve", "return", "lock", "snapshot", "export",
            "account_add"} <= done, done


def test_sessions_end_when_the_account_says_so(tmp_path):
    """Issue 22: a token issued before a disable does not come back with an enable; a token of a removed account does
    not fit a new account of the same name; a restored session keeps its sign-in time (8 hours from the sign-in,
    never from the restore)."""
    db = tmp_path / "warehouse.duckdb"
    accounts.add_account(db, "admin", PASSWORD, "admin")
    account = accounts.add_account(db, "chuyenvien", PASSWORD, "analyst")
    now = dt.datetime(2026, 11, 30, 8, 0)
    token = accounts.session_token(db, account, now=now)
    accounts.set_disabled(db, "chuyenvien", True)
    accounts.set_disabled(db, "chuyenvien", False)
    assert accounts.from_token(db, token, now=now) is None
    token = accounts.session_token(db, accounts.load_accounts(db)["chuyenvien"], now=now)
    accounts.remove_account(db, "chuyenvien")
    accounts.add_account(db, "chuyenvien", PASSWORD, "admin")  # a new account under the old name
    assert accounts.from_token(db, token, now=now) is None
    fresh = accounts.load_accounts(db)["chuyenvien"]
    token = accounts.session_token(db, fresh, now=now)
    assert accounts.token_started(token) == now
    assert accounts.still_valid(db, fresh, accounts.token_started(token), now=now + dt.timedelta(hours=7, minutes=59))
    assert accounts.still_valid(db, fresh, accounts.token_started(token), now=now + dt.timedelta(hours=8)) is None


def test_an_open_session_ends_at_a_password_change_or_a_logout_elsewhere(with_accounts):
    db, *_ = with_accounts
    for end in (lambda: accounts.set_password(db, "phuong", "mat-khau-moi-dai-hon"),
                lambda: accounts.end_sessions(db, "phuong")):
        app = signed_in("phuong")
        assert app.title[0].value == "Tổng quan"
        end()
        app.run()  # the next click of the open session
        assert [t.value for t in app.title] == ["Đăng nhập"], [t.value for t in app.title]
        accounts.set_password(db, "phuong", PASSWORD)


def test_single_sign_on_maps_only_a_verified_plain_email(tmp_path):
    """Issue 22: an identity whose e-mail the provider has not verified, or whose e-mail only folds into an account's
    (a Kelvin sign U+212A that .lower() turns into k), signs in as nobody."""
    db = tmp_path / "warehouse.duckdb"
    accounts.add_account(db, "lanhdao.so", PASSWORD, "leadership", email="kiemtra@sogd.edu.vn")
    assert accounts.sso_account(db, {"email": "kiemtra@sogd.edu.vn", "email_verified": True})[0].username == \
        "lanhdao.so"
    assert accounts.sso_account(db, {"email": "KiemTra@SoGD.edu.vn", "email_verified": True})[0] is not None
    account, why = accounts.sso_account(db, {"email": "kiemtra@sogd.edu.vn", "email_verified": False})
    assert account is None and "chưa xác minh" in why
    assert accounts.sso_account(db, {"email": "kiemtra@sogd.edu.vn"})[0] is None  # no claim: not verified
    account, why = accounts.sso_account(db, {"email": "\u212aiemtra@sogd.edu.vn", "email_verified": True})
    assert account is None and "giả mạo" in why
    assert accounts.by_email(db, "\u212aiemtra@sogd.edu.vn") is None
