"""Issue 21: the e-mail of the reporting loop, against a real SMTP server on 127.0.0.1 (aiosmtpd), never a real one:
the mail arrives, to the right accounts only, in Vietnamese plain text; no mail when no server is configured; a
server that refuses or does not answer gives one Vietnamese sentence, never an exception."""
import datetime as dt
import json
import shutil
import socket
import time

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from etl import accounts, notify
from etl.settings import load_settings
from etl.warehouse import FIXED_TABLES
from tests.browser import free_port
from tests.smtp import Inbox, local_smtp

PASSWORD = "mat-khau-du-dai"
SCHOOL, OTHER = "40600001", "40600002"
WARD, OTHER_WARD = "Phường Trường Vinh", "Phường Vinh Hưng"


@pytest.fixture
def smtp_server():
    with local_smtp() as server:
        yield server


@pytest.fixture(scope="module")
def office_folder(tmp_path_factory):
    """A warehouse folder with a two-school registry and an account of every kind that could get mail, or not
    (made once: argon2 takes its time)."""
    db = tmp_path_factory.mktemp("office") / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(FIXED_TABLES)
        con.execute("INSERT INTO schools VALUES (?, 'Trường Tiểu học Hưng Dũng 1', 'TH', 'Công lập', '', ?, 1), "
                    "(?, 'Trường THCS Đặng Thai Mai', 'THCS', 'Công lập', '', ?, 2)", [SCHOOL, WARD, OTHER, OTHER_WARD])
    add = accounts.add_account
    add(db, "quantri", PASSWORD, "admin", email="QuanTri@Vinh.edu.vn")
    add(db, "cv.tinh", PASSWORD, "analyst", email="cv.tinh@vinh.edu.vn")
    add(db, "cv.phuong", PASSWORD, "analyst", scope="ward", wards=[WARD], email="cv.phuong@vinh.edu.vn")
    add(db, "cv.khac", PASSWORD, "analyst", scope="ward", wards=[OTHER_WARD], email="cv.khac@vinh.edu.vn")
    add(db, "cv.nghi", PASSWORD, "analyst", email="cv.nghi@vinh.edu.vn")
    accounts.set_disabled(db, "cv.nghi", True)
    add(db, "lanhdao", PASSWORD, "leadership", email="lanhdao@vinh.edu.vn")  # reads, takes no files
    add(db, "th.hungdung", PASSWORD, "school", school=SCHOOL, email="hungdung1@truong.edu.vn")
    add(db, "th.hungdung2", PASSWORD, "school", school=SCHOOL, email="hieutruong.hungdung1@truong.edu.vn")
    add(db, "th.hungdung.cu", PASSWORD, "school", school=SCHOOL, email="cu@truong.edu.vn")
    accounts.set_disabled(db, "th.hungdung.cu", True)
    add(db, "th.khongthu", PASSWORD, "school", school=SCHOOL)  # no e-mail
    add(db, "thcs.dtm", PASSWORD, "school", school=OTHER, email="dangthaimai@truong.edu.vn")
    return db.parent


@pytest.fixture
def office(office_folder, tmp_path):
    """A copy of the folder per test, so that each starts with an empty mail log."""
    shutil.copytree(office_folder, tmp_path / "office")
    return tmp_path / "office" / "warehouse.duckdb"


def config(port: int, **changes) -> notify.MailConfig:
    values = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "chuyendoiso@vinh.edu.vn",
              "sender_name": "Phòng Giáo dục và Đào tạo thành phố Vinh", "public_url": "https://cds.vinh.edu.vn",
              "timeout": 2.0}
    return notify.MailConfig(**{**values, **changes})


def test_recipients_follow_role_scope_and_disabled(office):
    assert notify.school_recipients(office, SCHOOL) == ["hieutruong.hungdung1@truong.edu.vn",
                                                        "hungdung1@truong.edu.vn"]
    assert notify.school_recipients(office, OTHER) == ["dangthaimai@truong.edu.vn"]
    assert notify.school_recipients(office, "40699999") == []
    mine = ["cv.phuong@vinh.edu.vn", "cv.tinh@vinh.edu.vn", "quantri@vinh.edu.vn"]
    assert notify.office_recipients(office, SCHOOL, WARD) == mine
    assert notify.office_recipients(office, SCHOOL) == mine  # the ward from the registry
    assert notify.office_recipients(office, OTHER) == ["cv.khac@vinh.edu.vn", "cv.tinh@vinh.edu.vn",
                                                       "quantri@vinh.edu.vn"]
    assert notify.office_recipients(tmp := office.parent / "khong-co" / "warehouse.duckdb", SCHOOL) == []
    assert not tmp.parent.exists()


def test_a_returned_file_reaches_the_school_in_vietnamese(office, smtp_server, monkeypatch):
    inbox, port = smtp_server
    monkeypatch.setitem(load_settings(), "public_url", "https://cds.vinh.edu.vn/")
    message = notify.returned("Trường Tiểu học Hưng Dũng 1", notify.period_label("2025-2026", "HK1"),
                              "Số máy tính phòng Tin học lớn hơn tổng số máy của trường.\nĐề nghị kiểm tra lại.",
                              ["Khảo sát!D12 (số máy tính phòng Tin học)", "Khảo sát!D9 (tổng số máy tính)"],
                              "cv.phuong")
    status = notify.send(office, notify.school_recipients(office, SCHOOL), message, config(port))
    assert status.sent and status == "Đã gửi thư tới 2 địa chỉ."
    [(to, mail)] = inbox.messages()
    assert to == ["hieutruong.hungdung1@truong.edu.vn", "hungdung1@truong.edu.vn"]
    assert mail["Subject"] == "Số liệu HK I 2025-2026 của Trường Tiểu học Hưng Dũng 1 được trả lại để sửa"
    [sender] = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Phòng Giáo dục và Đào tạo thành phố Vinh",
                                                       "chuyendoiso@vinh.edu.vn")
    assert not mail.is_multipart() and mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert "Kính gửi Trường Tiểu học Hưng Dũng 1," in body
    assert "người trả lại: cv.phuong" in body
    assert "Số máy tính phòng Tin học lớn hơn tổng số máy của trường.\nĐề nghị kiểm tra lại." in body
    assert "- Khảo sát!D12 (số máy tính phòng Tin học)" in body
    assert "https://cds.vinh.edu.vn/nap-so-lieu" in body
    assert "<" not in body  # plain text, never HTML
    [entry] = notify.read_log(office)
    assert entry["state"] == "sent" and entry["kind"] == "returned" and entry["to"] == to
    assert entry["subject"] == mail["Subject"] and "Tin học" not in json.dumps(entry, ensure_ascii=False)


def test_a_sent_file_reaches_the_analysts_of_its_scope_only(office, smtp_server):
    inbox, port = smtp_server
    message = notify.file_sent("Trường Tiểu học Hưng Dũng 1", SCHOOL, "HK I 2025-2026",
                               ["KS_TH_HK1_HưngDũng1.xlsx", "Phụ lục.xlsx"], "th.hungdung")
    status = notify.send(office, notify.office_recipients(office, SCHOOL, WARD), message, config(port))
    assert status.sent
    [(to, mail)] = inbox.messages()
    assert to == ["cv.phuong@vinh.edu.vn", "cv.tinh@vinh.edu.vn", "quantri@vinh.edu.vn"]
    assert mail["Subject"] == "Trường Tiểu học Hưng Dũng 1 đã gửi số liệu HK I 2025-2026"
    body = mail.get_content()
    assert f"(mã {SCHOOL}) đã gửi 2 tệp số liệu kỳ HK I 2025-2026 (người gửi: th.hungdung)." in body
    assert "- KS_TH_HK1_HưngDũng1.xlsx\n- Phụ lục.xlsx" in body


def test_approval_and_deadline_reminders(office, smtp_server, monkeypatch):
    inbox, port = smtp_server
    status = notify.send(office, notify.school_recipients(office, OTHER),
                         notify.approved("Trường THCS Đặng Thai Mai", "Cả năm 2024-2025", "cv.tinh", url=""),
                         config(port))
    assert status.sent
    [(_, mail)] = inbox.messages()
    assert mail["Subject"] == "Số liệu Cả năm 2024-2025 của Trường THCS Đặng Thai Mai đã được duyệt"
    assert "đã được duyệt (người duyệt: cv.tinh)" in mail.get_content()
    assert "Mở bảng điều khiển" not in mail.get_content()  # no app address configured

    inbox.envelopes.clear()
    counts = notify.deadline_reminders(office, "2025-2026", "HK1", dt.date(2025, 12, 15),
                                       [SCHOOL, OTHER, "40699999"], config(port))
    assert counts == {"sent": 2, "failed": 0, "nobody": 1, "off": 0}
    got = {tuple(to): mail for to, mail in inbox.messages()}
    assert set(got) == {("hieutruong.hungdung1@truong.edu.vn", "hungdung1@truong.edu.vn"),
                        ("dangthaimai@truong.edu.vn",)}
    reminder = got[("dangthaimai@truong.edu.vn",)]
    assert reminder["Subject"] == "Nhắc hạn nộp số liệu HK I 2025-2026: 15/12/2025"
    assert "Kính gửi Trường THCS Đặng Thai Mai," in reminder.get_content()
    assert "Hạn nộp là ngày 15/12/2025." in reminder.get_content()
    assert "https://cds.vinh.edu.vn/nap-so-lieu" in reminder.get_content()
    states = [e["state"] for e in notify.read_log(office)]
    assert states == ["sent", "sent", "sent", "nobody"]


def test_the_settings_and_the_password_from_the_environment(office, monkeypatch):
    """The settings name the server; the password comes from DX_SMTP_PASSWORD only, and the server gets it."""
    inbox, logins = Inbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"mat-khau-thu-9", handled=False)  # refused: a 535

    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        for name, value in {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
                            "smtp_user": "chuyendoiso@vinh.edu.vn", "mail_from": ""}.items():
            monkeypatch.setitem(load_settings(), name, value)
        monkeypatch.setenv(notify.PASSWORD_ENV, "mat-khau-thu-9")
        settings = notify.mail_config()
        assert settings.sender == "chuyendoiso@vinh.edu.vn"  # the user name, being an address
        assert "mat-khau" not in repr(settings)
        status = notify.send(office, ["cv.tinh@vinh.edu.vn"], notify.approved("Trường A", "HK I 2025-2026"))
        assert status.sent, status
        assert logins == [("chuyendoiso@vinh.edu.vn", "mat-khau-thu-9")] and len(inbox.envelopes) == 1

        monkeypatch.setenv(notify.PASSWORD_ENV, "sai")
        status = notify.send(office, ["cv.tinh@vinh.edu.vn"], notify.approved("Trường A", "HK I 2025-2026"))
        assert status.state == "failed" and "không nhận tên đăng nhập hoặc mật khẩu" in status
        assert len(inbox.envelopes) == 1
    finally:
        controller.stop()
    assert "mat-khau-thu-9" not in notify.mail_log_path(office).read_text(encoding="utf-8")


def test_no_server_configured_sends_nothing(office, smtp_server, monkeypatch):
    inbox, port = smtp_server
    monkeypatch.setitem(load_settings(), "smtp_host", "")
    message = notify.deadline_reminder("Trường A", "HK I 2025-2026", "2025-12-15")
    status = notify.send(office, notify.school_recipients(office, SCHOOL), message)
    assert status.state == "off" and status == "Chưa cấu hình máy chủ thư (thiết lập smtp_host) nên không gửi thư."
    assert notify.deadline_reminders(office, "2025-2026", "HK1", "2025-12-15", [SCHOOL, OTHER]) == {
        "sent": 0, "failed": 0, "nobody": 0, "off": 2}
    notify.send_in_background(office, ["a@b.vn"], message).join(5)
    assert inbox.envelopes == [] and notify.read_log(office) == []


def test_a_refusing_or_silent_server_gives_a_sentence_not_an_exception(office):
    message = notify.approved("Trường A", "HK I 2025-2026")
    port = free_port()  # nothing listens there
    status = notify.send(office, ["hungdung1@truong.edu.vn"], message, config(port))
    assert status.state == "failed" and not status.sent
    assert status == f"Không gửi được thư: máy chủ thư 127.0.0.1:{port} từ chối kết nối (chưa chạy hoặc sai cổng)."

    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent_port = silent.getsockname()[1]
        started = time.monotonic()
        done = []
        thread = notify.send_in_background(office, ["hungdung1@truong.edu.vn"], message,
                                           config(silent_port, timeout=0.5), on_done=done.append)
        assert time.monotonic() - started < 0.3  # the caller does not wait
        assert thread.daemon
        thread.join(10)
    [status] = done
    assert status == f"Không gửi được thư: máy chủ thư 127.0.0.1:{silent_port} không trả lời trong 0,5 giây."
    assert [e["state"] for e in notify.read_log(office)] == ["failed", "failed"]

    status = notify.send(office, ["hungdung1@truong.edu.vn"], message, config(port, sender=""))
    assert status == "Không gửi được thư: chưa đặt địa chỉ gửi (thiết lập mail_from)."


def test_header_injection_and_bad_addresses_are_harmless(office, smtp_server):
    inbox, port = smtp_server
    message = notify.returned("Trường A\r\nBcc: ke-xau@example.com", "HK I 2025-2026", "Sai\r\nBcc: x@y.z", [], "")
    status = notify.send(office, ["hungdung1@truong.edu.vn", "khong-phai-dia-chi", "a@b.vn\nBcc: c@d.vn"], message,
                         config(port))
    assert status == "Đã gửi thư tới 1 địa chỉ."
    [(to, mail)] = inbox.messages()
    assert to == ["hungdung1@truong.edu.vn"] and mail["Bcc"] is None
    assert mail["Subject"] == "Số liệu HK I 2025-2026 của Trường A Bcc: ke-xau@example.com được trả lại để sửa"
