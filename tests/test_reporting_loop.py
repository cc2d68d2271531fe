"""Issue 21: the reporting loop between schools and the office, at the layer that writes. A submission is a record
(sent, in review, loaded, returned, resent, withdrawn, approved) that survives previews and restarts; every write
(load of a school's sending, approve, return, lock, unlock, undo) stays inside the actor's scope, checked where it
happens; undo refuses in a locked period; locking asks when schools are returned or waiting."""
import pytest

from etl import intake, submissions
from etl.loader import run_load
from etl.warehouse import open_read_only
from tests import fixtures
from tests.pages import sql

THANH_VINH = ["40100002", "40200001", "40300001"]  # the fixture registry's ward "Thành Vinh"
TRUONG_VINH = ["40100001", "40200002", "40300002"]
CN = [t.replace("Sơ kết HK I", "Tổng kết năm") for t in fixtures.TITLE]


def status_of(db, year="2024-2025", period="HK1") -> dict:
    with open_read_only(db) as con:
        frame = submissions.status(con, year, period, db_path=db)
    return dict(zip(frame.school_code, frame.status))


def consolidated(path, computers: int = 27):
    """A school's upload that holds the rows of schools of both wards (a consolidated sheet it was sent)."""
    return fixtures.write_survey_table(path, title=CN, rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, computers, 720, 18, "x", 90, "VnEdu"]),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 5, 600, 15, "", 40, "VnEdu"]),
        ("III. TRUNG HỌC CƠ SỞ", None),
        (None, ["40300001", "THCS Đặng Thai Mai", 30, 1200, 60, 3, 30, 2, 36, 1200, 30, "x", 95, "SMAS"])])


def send(db, path, school="40200001", who="th.leloi (Trường)"):
    review = intake.review_files([path], db, hints={"allowed_schools": [school]})
    intake.record_draft(review, db, who, school)  # what the page records at the school's preview
    return intake.submit_pending(review, db, who, school)


def test_a_schools_consolidated_upload_changes_no_other_schools_figures(loaded_db, tmp_path):
    db = loaded_db
    folder = send(db, consolidated(tmp_path / "KS_CN_2024-2025_tonghop.xlsx"))
    [sent] = intake.list_pending(db)
    assert sent["school"] == "40200001" and sent["hints"]["allowed_schools"] == ["40200001"]
    # a province analyst (no restriction of its own) opens and loads it
    paths, hints, school = intake.take_pending(db, folder.name, "chuyenvien (Chuyên viên)")
    review = intake.review_files(paths, db, hints=hints, origin={"submission": folder.name, "school": school})
    assert review.files[0].added == 1 and review.files[0].refused == 2
    assert all("không thuộc phạm vi" in r["reason"] for r in review.files[0].refusals)
    report = intake.confirm(review, db, scope=None, who="chuyenvien (Chuyên viên)")
    assert report["submission"] == "loaded"
    assert sql(db, "SELECT school_code, it_computers FROM survey WHERE period = 'CN' ORDER BY 1") == [
        ("40200001", 27)]
    assert status_of(db, period="CN")["40200001"] == "submitted"
    # nothing of the other rows is filed against the schools they name (their profiles list load problems)
    assert sql(db, "SELECT DISTINCT school_code FROM load_issues WHERE load_id = ? AND school_code IS NOT NULL",
               [report["load_id"]]) in ([], [("40200001",)])
    assert sql(db, "SELECT count(*) FROM load_issues WHERE load_id = ? AND code = 'outside_scope'",
               [report["load_id"]]) == [(2,)]
    from etl.warehouse import sha256_file

    assert intake.sent_files(db, "40200001") == {sha256_file(tmp_path / "KS_CN_2024-2025_tonghop.xlsx")}


def test_even_a_review_without_the_restriction_loads_only_the_sending_school(loaded_db, tmp_path):
    """The write checks it, not the page: the hints of a review made without the school's restriction do not widen
    what a sending loads."""
    db = loaded_db
    folder = send(db, consolidated(tmp_path / "KS_CN_2024-2025_tonghop.xlsx"))
    paths, _, school = intake.take_pending(db, folder.name, "admin")
    review = intake.review_files(paths, db, origin={"submission": folder.name, "school": school})  # no hints
    intake.confirm(review, db)
    assert sql(db, "SELECT school_code FROM survey WHERE period = 'CN'") == [("40200001",)]


def test_opening_a_sending_takes_it_from_nobody_and_the_state_survives(loaded_db, tmp_path):
    db = loaded_db
    folder = send(db, consolidated(tmp_path / "KS_CN_2024-2025.xlsx"))
    assert status_of(db, period="CN")["40200001"] == "sent"
    intake.take_pending(db, folder.name, "chuyenvien")
    intake.take_pending(db, folder.name, "chuyenvien2")  # a second analyst, another session
    [waiting] = intake.list_pending(db)  # read again from disk: as after a restart
    assert (waiting["state"], waiting["looked_by"]) == ("in_review", "chuyenvien2")
    assert status_of(db, period="CN")["40200001"] == "in_review"
    with pytest.raises(submissions.SubmissionError, match="phạm vi"):  # another ward's analyst cannot open it
        intake.take_pending(db, folder.name, "phuong", scope=TRUONG_VINH)


def test_a_return_reaches_the_school_which_resends(loaded_db, tmp_path):
    db = loaded_db
    first = send(db, consolidated(tmp_path / "KS_CN_2024-2025.xlsx", computers=270))
    with pytest.raises(intake.IntakeError, match="lý do"):
        intake.return_pending(db, first.name, "chuyenvien", "  ")
    with pytest.raises(submissions.SubmissionError, match="phạm vi"):
        intake.return_pending(db, first.name, "phuong", "Sai", scope=TRUONG_VINH)
    intake.return_pending(db, first.name, "chuyenvien", "Số máy 270 quá lớn", cells=["K12"])
    assert intake.list_pending(db) == []
    with open_read_only(db) as con:
        row = submissions.status(con, "2024-2025", "CN", db_path=db).set_index("school_code").loc["40200001"]
    assert (row.status, row.comment, row.cells) == ("returned", "Số máy 270 quá lớn", ["K12"])
    news = submissions.news(db, "th.leloi", ["40200001"], "school", {})
    assert len(news) == 1 and "trả lại" in news[0] and "Số máy 270 quá lớn" in news[0]
    submissions.mark_visit(db, "th.leloi")
    assert submissions.news(db, "th.leloi", ["40200001"], "school", {}) == []  # told once

    second = send(db, consolidated(tmp_path / "KS_CN_2024-2025_sua.xlsx"))
    assert status_of(db, period="CN")["40200001"] == "resent"
    office = submissions.news(db, "chuyenvien", None, "analyst", {"40200001": "Trường Tiểu học Lê Lợi"})
    assert any("Trường Tiểu học Lê Lợi gửi lại bản sửa" in line for line in office)
    intake.withdraw_pending(db, second.name, "th.leloi", "40200001")  # taken back before the office loads it
    assert intake.list_pending(db) == [] and status_of(db, period="CN")["40200001"] == "returned"


def test_decisions_stay_in_scope_and_out_of_locked_periods(loaded_db):
    db = loaded_db
    with pytest.raises(submissions.SubmissionError, match="phạm vi"):
        submissions.decide(db, ["40200001", "40200002"], "2024-2025", "HK1", "approved", scope=THANH_VINH)
    assert status_of(db)["40200002"] == "submitted"  # nothing written: all or none
    submissions.decide(db, ["40200001"], "2024-2025", "HK1", "approved", scope=THANH_VINH)
    submissions.set_lock(db, "2024-2025", "HK1", True, scope=THANH_VINH)
    with pytest.raises(submissions.SubmissionError, match="khoá"):
        submissions.decide(db, ["40300001"], "2024-2025", "HK1", "returned", "Sai", scope=THANH_VINH)


def test_a_ward_analysts_lock_unlock_and_undo_touch_only_its_wards(loaded_db, tmp_path):
    db = loaded_db
    submissions.set_lock(db, "2024-2025", "HK1", True, by="phuong", scope=THANH_VINH)
    with open_read_only(db) as con:
        assert set(submissions.locked_periods(con)) == set()  # not the whole province
        assert submissions.locked_periods(con, TRUONG_VINH) == {}
        assert set(submissions.locked_periods(con, THANH_VINH)[("2024-2025", "HK1")]["schools"]) == {
            "40200001", "40300001", "40100002"}
    change = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_sua.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"]),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 7, 600, 15, "", 40, "VnEdu"])])
    report = run_load([change], db)
    assert report["files"][0]["status"] == "partial"  # the other ward's school loads; the locked one does not
    assert sql(db, "SELECT school_code, it_computers FROM survey WHERE school_code IN ('40200001', '40200002') "
                   "ORDER BY 1") == [("40200001", 20), ("40200002", 7)]
    # the last load touched Trường Vinh's school: Thành Vinh's analyst may not undo it
    with pytest.raises(intake.IntakeError, match="ngoài phạm vi"):
        intake.undo_last_load(db, scope=THANH_VINH)
    assert sql(db, "SELECT it_computers FROM survey WHERE school_code = '40200002'") == [(7,)]
    # the province locks everything; the ward cannot unlock what the province locked
    submissions.set_lock(db, "2024-2025", "HK1", True, by="so")
    with pytest.raises(submissions.SubmissionError, match="toàn tỉnh"):
        submissions.set_lock(db, "2024-2025", "HK1", False, by="phuong", scope=THANH_VINH)
    with pytest.raises(submissions.SubmissionError, match="toàn tỉnh"):  # locking again then unlocking: no way round
        submissions.set_lock(db, "2024-2025", "HK1", True, by="phuong", scope=TRUONG_VINH)
    with open_read_only(db) as con:
        assert all(submissions.lock_of(con, "2024-2025", "HK1", c) for c in THANH_VINH + TRUONG_VINH)
    with pytest.raises(intake.IntakeError, match="đã khoá"):  # undo refuses in a locked period
        intake.undo_last_load(db)
    assert sql(db, "SELECT it_computers FROM survey WHERE school_code = '40200002'") == [(7,)]
    submissions.set_lock(db, "2024-2025", "HK1", False, by="so")
    intake.undo_last_load(db, scope=TRUONG_VINH)  # it touched only Trường Vinh's school
    assert sql(db, "SELECT it_computers FROM survey WHERE school_code = '40200002'") == [(0,)]


def test_locking_asks_when_schools_are_returned_or_waiting(loaded_db, tmp_path):
    db = loaded_db
    submissions.decide(db, ["40300001"], "2024-2025", "HK1", "returned", "Thiếu số máy")
    with pytest.raises(submissions.SubmissionError, match="THCS Đặng Thai Mai"):
        submissions.set_lock(db, "2024-2025", "HK1", True)
    # a ward analyst of the other ward has nobody returned: its lock goes through
    submissions.set_lock(db, "2024-2025", "HK1", True, scope=TRUONG_VINH)
    submissions.set_lock(db, "2024-2025", "HK1", True, confirmed=True)
    with open_read_only(db) as con:
        assert ("2024-2025", "HK1") in submissions.locked_periods(con)


def test_undoing_the_load_of_a_sending_puts_it_back_in_the_queue(loaded_db, tmp_path):
    db = loaded_db
    folder = send(db, consolidated(tmp_path / "KS_CN_2024-2025.xlsx"))
    paths, hints, school = intake.take_pending(db, folder.name, "chuyenvien")
    review = intake.review_files(paths, db, hints=hints, origin={"submission": folder.name, "school": school})
    intake.confirm(review, db, who="chuyenvien")
    assert intake.list_pending(db) == [] and status_of(db, period="CN")["40200001"] == "submitted"
    intake.undo_last_load(db, who="chuyenvien")
    [back] = intake.list_pending(db)  # nothing of the school's sending is lost with the undo
    assert back["submission"] == folder.name and (folder / "KS_CN_2024-2025.xlsx").is_file()
    assert status_of(db, period="CN")["40200001"] == "requeued"
    assert sql(db, "SELECT count(*) FROM survey WHERE period = 'CN'") == [(0,)]
    [told] = submissions.news(db, "chuyenvien", None, "analyst", {})  # the school's one sending, no invented one
    assert "40200001 gửi báo cáo" in told


def test_an_undo_keeps_decisions_made_since_and_never_reuses_a_load_number(loaded_db, tmp_path):
    """From a trial with six accounts: undo re-used load numbers, brought back a sending returned twice since, and
    cancelled a return made after the undone load."""
    db = loaded_db
    first = send(db, consolidated(tmp_path / "KS_CN_a.xlsx", computers=25))
    paths, hints, school = intake.take_pending(db, first.name, "chuyenvien")
    review = intake.review_files(paths, db, hints=hints, origin={"submission": first.name, "school": school})
    load = intake.confirm(review, db, who="chuyenvien")["load_id"]
    submissions.decide(db, ["40200001"], "2024-2025", "CN", "returned", "Số máy chưa khớp")  # after the load
    intake.undo_last_load(db, who="chuyenvien")
    assert intake.list_pending(db) == []  # the return stands: the sending does not come back
    assert status_of(db, period="CN")["40200001"] == "returned"
    second = send(db, consolidated(tmp_path / "KS_CN_b.xlsx", computers=26))
    paths, hints, school = intake.take_pending(db, second.name, "chuyenvien")
    review = intake.review_files(paths, db, hints=hints, origin={"submission": second.name, "school": school})
    again = intake.confirm(review, db, who="chuyenvien")["load_id"]
    assert again > load  # the undone number is never given again
    intake.undo_last_load(db, who="chuyenvien")
    assert [s["submission"] for s in intake.list_pending(db)] == [second.name]  # only the sending of that load


def test_the_school_sees_its_return_on_sign_in_and_on_its_page(loaded_db, tmp_path, monkeypatch):
    from etl import accounts
    from tests.test_auth import PASSWORD, signed_in

    db = loaded_db
    monkeypatch.setenv("DX_DB", str(db))
    accounts.add_account(db, "th.leloi", PASSWORD, "school", school="40200001")
    signed_in("th.leloi")  # a first visit: nothing to tell yet
    folder = send(db, consolidated(tmp_path / "KS_CN_2024-2025.xlsx", computers=270))
    intake.return_pending(db, folder.name, "chuyenvien (Chuyên viên)", "Số máy 270 quá lớn", cells=["K12"])
    app = signed_in("th.leloi")
    notice = " ".join(m.value for m in app.markdown)
    assert "Từ lần vào trước" in notice and "Số máy 270 quá lớn" in notice
    again = signed_in("th.leloi")  # not dismissed: told again at the next sign-in
    assert "Số máy 270 quá lớn" in " ".join(m.value for m in again.markdown)
    app.button(key="tin_moi_da_xem").click().run()
    assert "Từ lần vào trước" not in " ".join(m.value for m in app.markdown)
    assert "Từ lần vào trước" not in " ".join(m.value for m in signed_in("th.leloi").markdown)
    app.switch_page("pages/bao_cao_truong.py").run()
    assert not app.exception, app.exception
    page = " ".join([e.value for e in app.error] + [m.value for m in app.markdown])
    assert "Trả lại để sửa: Số máy 270 quá lớn" in page and "Ô cần sửa: K12" in page
    assert "Cả năm học 2024-2025" in [h.value for h in app.subheader]


def test_deadline_reminders_go_to_the_schools_that_owe_their_report(loaded_db, tmp_path, monkeypatch):
    from etl import accounts
    from tests.conftest import run_cli
    from tests.smtp import local_smtp

    db = loaded_db
    for name, code in (("leloi", "40200001"), ("hungdung", "40200002"), ("dtm", "40300001")):
        accounts.add_account(db, name, "mat-khau-du-dai", "school", school=code, email=f"{name}@vinh.edu.vn")

    with local_smtp() as (inbox, port):
        settings = tmp_path / "settings.toml"
        settings.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
                            'mail_from = "so@vinh.edu.vn"\n', encoding="utf-8")
        monkeypatch.setenv("DX_SETTINGS", str(settings))
        send(db, consolidated(tmp_path / "KS_CN_2024-2025.xlsx"), school="40300001")  # sent: not reminded
        submissions.decide(db, ["40200002"], "2024-2025", "HK1", "returned", "Sai")  # another period
        submissions.decide(db, ["40200001"], "2024-2025", "CN", "returned", "Thiếu số máy")  # owes a correction
        code, text = run_cli("remind", "--year", "2024-2025", "--period", "CN", "--deadline", "2025-05-31",
                             "--db", db)
    assert code == 0 and "đã gửi thư nhắc tới 2 trường" in text, text
    got = {tuple(to): message for to, message in inbox.messages()}
    assert set(got) == {("leloi@vinh.edu.vn",), ("hungdung@vinh.edu.vn",)}
    assert "31/05/2025" in str(got[("leloi@vinh.edu.vn",)]["subject"])
    assert "trả lại để sửa" in got[("leloi@vinh.edu.vn",)].get_content()  # not "chưa nhận được số liệu"
    assert "chưa nhận được số liệu" in got[("hungdung@vinh.edu.vn",)].get_content()
    assert run_cli("remind", "--year", "2024-2025", "--period", "CN", "--deadline", "31/5", "--db", db)[0] == 2


def test_a_schools_review_echoes_nothing_of_other_schools_registry_entries(loaded_db, tmp_path):
    db = loaded_db
    other = fixtures.write_survey_table(tmp_path / "KS_CN_2024-2025.xlsx", title=CN, rows=[
        ("II. TIỂU HỌC", None),
        (None, ["", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 5, 600, 15, "", 40, "VnEdu"]),  # name only
        (None, ["", "Tiểu học Hưng Dũg", 25, 1000, 38, 3, 25, 0, 5, 600, 15, "", 40, "VnEdu"])])  # a typo
    review = intake.review_files([other], db, hints={"allowed_schools": ["40200001"]})
    messages = [(m["sheet"], m["cell"], m["text"]) for m in review.files[0].messages]  # what the page shows
    shown = repr(review.files[0].refusals) + repr(messages)
    assert review.files[0].refused == 2
    assert "40200002" not in shown and "Trường Tiểu học Hưng Dũng 1" not in shown  # the registry's code and name
    assert all(not r.get("suggestions") for r in review.files[0].refusals)


def test_a_sending_taken_back_or_returned_elsewhere_is_not_loaded_from_an_open_review(loaded_db, tmp_path):
    """Two sessions at once: the school withdraws (or a second analyst returns) while an analyst looks at it."""
    db = loaded_db
    for step in ("withdraw", "return"):
        folder = send(db, consolidated(tmp_path / f"KS_CN_2024-2025_{step}.xlsx", computers=31))
        paths, hints, school = intake.take_pending(db, folder.name, "chuyenvien")
        review = intake.review_files(paths, db, hints=hints, origin={"submission": folder.name, "school": school})
        if step == "withdraw":
            intake.withdraw_pending(db, folder.name, "th.leloi", "40200001")
        else:
            intake.return_pending(db, folder.name, "chuyenvien2", "Thiếu chữ ký")
        with pytest.raises(intake.IntakeError, match="trong lúc đang xem"):
            intake.confirm(review, db, who="chuyenvien")
        assert sql(db, "SELECT count(*) FROM survey WHERE period = 'CN'") == [(0,)]


def test_the_overview_says_which_figures_stand_returned(loaded_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.pages import ROOT

    db = loaded_db
    monkeypatch.setenv("DX_DB", str(db))
    submissions.decide(db, ["40300001"], "2024-2025", "HK1", "returned", "Thiếu số máy")
    assert submissions.returned_schools(db, "2024-2025", "HK1") == ["40300001"]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    assert any("1 trường bị trả lại số liệu" in m.value for m in app.markdown), [m.value for m in app.markdown]


def test_a_decision_from_a_page_out_of_date_is_refused(loaded_db):
    """Two analysts at once: one returns a school while the other's page still shows it waiting for approval."""
    db = loaded_db
    seen = status_of(db)  # the ward analyst's page
    submissions.decide(db, ["40200001"], "2024-2025", "HK1", "returned", "Số máy chưa khớp", by="tinh")
    with pytest.raises(submissions.SubmissionError, match="đã thay đổi.*trả lại để sửa"):
        submissions.decide(db, ["40200001"], "2024-2025", "HK1", "approved", by="phuong", seen=seen)
    assert status_of(db)["40200001"] == "returned"
    submissions.decide(db, ["40200001"], "2024-2025", "HK1", "approved", by="phuong", seen=status_of(db))
    assert status_of(db)["40200001"] == "approved"


def test_a_ward_analysts_page_shows_the_provinces_lock(loaded_db, monkeypatch):
    from etl import accounts
    from tests.test_auth import PASSWORD, signed_in

    db = loaded_db
    monkeypatch.setenv("DX_DB", str(db))
    accounts.add_account(db, "phuong", PASSWORD, "analyst", "ward", wards=["Thành Vinh"])
    submissions.set_lock(db, "2024-2025", "HK1", True, by="so (Quản trị)")
    app = signed_in("phuong", "nop_bao_cao.py")
    app.selectbox(key="submit_year").select("2024-2025").run()
    assert any("đã khoá" in w.value for w in app.warning), [w.value for w in app.warning]
    assert not [b for b in app.button if b.key in ("submit_lock", "submit_unlock")]
    assert any("chỉ tài khoản toàn tỉnh mở khoá" in c.value for c in app.caption)


def test_a_newer_sending_replaces_the_one_still_waiting(loaded_db, tmp_path):
    db = loaded_db
    first = send(db, consolidated(tmp_path / "KS_CN_a.xlsx", computers=25))
    second = send(db, consolidated(tmp_path / "KS_CN_b.xlsx", computers=26))
    assert [s["submission"] for s in intake.list_pending(db)] == [second.name]  # one row per school in the queue
    assert submissions.submission_state(db, first.name) == "withdrawn"
    assert status_of(db, period="CN")["40200001"] == "sent"


def test_a_ward_analyst_is_not_shown_another_wards_last_load(loaded_db, tmp_path, monkeypatch):
    from etl import accounts
    from tests.test_auth import PASSWORD, signed_in

    db = loaded_db
    monkeypatch.setenv("DX_DB", str(db))
    accounts.add_account(db, "phuong", PASSWORD, "analyst", "ward", wards=["Thành Vinh"])
    other = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_hungdung.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 7, 600, 15, "", 40, "VnEdu"])])
    run_load([other], db)  # a load of Trường Vinh's school
    app = signed_in("phuong", "nap_so_lieu.py")
    shown = " ".join([m.value for m in app.markdown] + [c.value for c in app.caption])
    assert "KS_HK1_2024-2025_hungdung.xlsx" not in shown and "ngoài phạm vi" in shown
    assert not [b for b in app.button if b.key == "intake_undo"]


def test_a_schools_preview_shows_as_a_draft_until_it_sends(loaded_db, tmp_path):
    db = loaded_db
    path = consolidated(tmp_path / "KS_CN_2024-2025.xlsx")
    review = intake.review_files([path], db, hints={"allowed_schools": ["40200001"]})
    intake.record_draft(review, db, "th.leloi", "40200001")
    intake.record_draft(review, db, "th.leloi", "40200001")  # a second preview: still one draft
    assert status_of(db, period="CN")["40200001"] == "draft"
    assert list(submissions.events(db, schools=["40200001"]).state) == ["draft"]
    intake.submit_pending(review, db, "th.leloi", "40200001")
    assert status_of(db, period="CN")["40200001"] == "sent"
