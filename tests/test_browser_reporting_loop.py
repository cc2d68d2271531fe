"""Issue 21 in real Chromium: a whole reporting period between two schools and the office. Templates; two schools
send (one with an error it fixes first); the analyst opens both sendings (they stay in the queue until loaded),
loads them, approves one and returns the other with a comment, picking schools in any order; the returned school
signs in, sees the comment and resends; the analyst loads, locks, tries undo (refused), unlocks, undoes; the status
page agrees at each step; a local SMTP server receives the return and the approval mails. Screenshots of each state
go to tests/artifacts/ (reporting_loop_*.png)."""
import re
import shutil

import openpyxl
import pytest

from etl import accounts, intake
from tests import fixtures
from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, wait_for_app
from tests.conftest import ROOT
from tests.pages import sql
from tests.smtp import local_smtp

PASSWORD = "mat-khau-du-dai"
A = ("40604585", "Trường Tiểu học Vinh Tân")
B = ("40716480", "Trường Tiểu học Trường Thi")
YEAR = "2026-2027"
TITLE = ["PHÒNG GD&ĐT", f"Sơ kết học kỳ I năm học {YEAR}", "Dữ liệu giả lập – kiểm thử"]
STATES = {"Chưa nộp", "Đã gửi, chờ phòng xem", "Phòng đang xem", "Đã nạp, chờ duyệt", "Đã duyệt", "Trả lại để sửa",
          "Gửi lại, chờ phòng xem", "Đã nộp, có lỗi", "Trường đang soạn"}
ENGLISH = re.compile(r"\b(None|nan|NaT|Traceback|Error|Exception|school_code|submitted|returned|approved)\b")


def mails(inbox):
    return [(to, str(message["subject"]), message.get_content()) for to, message in inbox.messages()]


def school_file(path, code, name, computers, pupils=1200):
    return fixtures.write_survey_table(path, title=TITLE, rows=[
        ("II. TIỂU HỌC", None), (None, [code, name, 30, pupils, 45, 3, 30, 1, computers, 720, 18, "x", 90, "VnEdu"])])


@pytest.fixture(scope="module")
def office(sample_db, tmp_path_factory):
    home = tmp_path_factory.mktemp("reporting_loop")
    db = home / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    accounts.add_account(db, "chuyenvien", PASSWORD, "analyst", email="chuyenvien@vinh.edu.vn")
    accounts.add_account(db, "vinhtan", PASSWORD, "school", school=A[0], email="vinhtan@vinh.edu.vn")
    accounts.add_account(db, "truongthi", PASSWORD, "school", school=B[0], email="truongthi@vinh.edu.vn")
    with local_smtp() as (inbox, port):
        settings = home / "settings.toml"
        settings.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
                            'mail_from = "chuyendoiso@vinh.edu.vn"\n', encoding="utf-8")
        with running_app(ROOT, db, env={"DX_SETTINGS": str(settings)}) as url:
            yield db, url, inbox, home


def sign_in(browser, url, username):
    page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="vi-VN").new_page()
    page.goto(url + "/")
    page.wait_for_selector("h1:has-text('Đăng nhập')", timeout=30000)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("h1:has-text('Tổng quan')", timeout=90000)
    wait_for_app(page)
    return page


def open_page(page, url, path, title):
    page.goto(url + path)
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=90000)
    wait_for_app(page)
    return clean(page)


def clean(page) -> str:
    body = page.inner_text("[data-testid='stMain']")
    found = ENGLISH.findall(body)
    assert not found, (found, body[:2000])
    return body


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    full_page_screenshot(page, ARTIFACTS / f"reporting_loop_{name}.png")


def upload(page, path):
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(path)])
    page.wait_for_selector("[data-testid='stFileChip']", timeout=30000)
    page.get_by_role("button", name="Xem trước").click()
    page.wait_for_selector("text=Xem trước kết quả nạp", timeout=120000)
    wait_for_app(page)


def status_counts(page, url) -> dict[str, str]:
    open_page(page, url, "/nop-bao-cao", "Tình hình nộp báo cáo")
    choose_period(page)
    for _ in range(20):  # the metrics of the run just finished (a metric being drawn has no value yet)
        wait_for_app(page)
        texts = page.locator("[data-testid='stMain'] [data-testid='stMetric']").all_inner_texts()
        lines = [[line.strip() for line in text.splitlines() if line.strip()] for text in texts]
        if texts and all(len(parts) >= 2 for parts in lines):
            return {parts[0]: parts[1].split("/")[0] for parts in lines}
        page.wait_for_timeout(500)
    raise AssertionError(f"the status page's counts never settled: {texts}")


def choose_period(page):
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Năm học").first
    if YEAR not in box.inner_text():
        box.click()
        page.get_by_role("option", name=YEAR).click()
        wait_for_app(page)


def pick(page, label, option):
    box = page.locator("[data-testid='stMain'] [data-testid='stMultiSelect']").filter(has_text=label).first
    box.scroll_into_view_if_needed()  # as a reader scrolls to it
    page.wait_for_timeout(300)
    box.click()
    page.get_by_role("option", name=re.compile(re.escape(option))).click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def send_file(page, url, path, shot_name=None):
    open_page(page, url, "/nap-so-lieu", "Nạp số liệu")
    upload(page, path)
    if shot_name:
        shot(page, shot_name)
    page.get_by_role("button", name="Gửi cho phòng duyệt").click()
    page.wait_for_selector("text=Đã gửi số liệu cho phòng", timeout=60000)
    wait_for_app(page)


def take_and_load(page, url, name):
    open_page(page, url, "/nap-so-lieu", "Nạp số liệu")
    row = page.locator("[data-testid='stHorizontalBlock']").filter(has_text=name).filter(
        has=page.get_by_role("button", name="Xem trước để nạp")).last
    row.get_by_role("button", name="Xem trước để nạp").click()
    page.wait_for_selector("text=Xem trước kết quả nạp", timeout=120000)
    wait_for_app(page)
    assert f"Đang xem tệp {name}" in clean(page)
    page.get_by_role("button", name="Nạp vào kho").click()
    page.wait_for_selector("text=Đã nạp lần số", timeout=120000)
    wait_for_app(page)
    return clean(page)


def wait_for_mail(inbox, count, seconds=20):
    import time

    deadline = time.monotonic() + seconds
    while len(inbox.envelopes) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return mails(inbox)


def test_a_whole_reporting_period_between_two_schools_and_the_office(office, tmp_path):
    db, url, inbox, home = office
    with chromium_page() as first:
        browser = first.context.browser
        analyst = sign_in(browser, url, "chuyenvien")

        # templates: the office hands the schools the form, which opens as Excel would
        open_page(analyst, url, "/tai-bieu-mau", "Tải biểu mẫu")
        buttons = analyst.locator("[data-testid='stDownloadButton'] button")
        with analyst.expect_download(timeout=120000) as download:
            buttons.first.click()
        template = tmp_path / download.value.suggested_filename
        download.value.save_as(template)
        if template.suffix == ".xlsx":
            assert openpyxl.load_workbook(template).sheetnames
        [(schools,)] = sql(db, "SELECT count(*) FROM schools")
        assert status_counts(analyst, url)["Chưa nộp"] == str(schools)

        # school A: a file with an error first (a word where a number belongs), fixed, then sent
        school_a = sign_in(browser, url, "vinhtan")
        open_page(school_a, url, "/nap-so-lieu", "Nạp số liệu")
        (tmp_path / "loi").mkdir()
        upload(school_a, school_file(tmp_path / "loi" / "KS_Vinh_Tan.xlsx", *A, 14, pupils="nhiều"))
        body = clean(school_a)
        assert "Dòng bị từ chối" in body and school_a.get_by_role("button", name="Gửi cho phòng duyệt").is_disabled()
        shot(school_a, "1_truong_loi")
        send_file(school_a, url, school_file(tmp_path / "KS_Vinh_Tan.xlsx", *A, 14))
        # school B sends too
        school_b = sign_in(browser, url, "truongthi")
        send_file(school_b, url, school_file(tmp_path / "KS_Truong_Thi.xlsx", *B, 400), "2_truong_gui")
        assert sql(db, f"SELECT count(*) FROM survey WHERE school_year = '{YEAR}'") == [(0,)]
        counts = status_counts(analyst, url)
        assert counts["Đã gửi, chờ phòng xem"] == "2", counts
        shot(analyst, "3_tinh_hinh_da_gui")
        mails = wait_for_mail(inbox, 2)
        assert [m for m in mails if m[0] == ["chuyenvien@vinh.edu.vn"] and A[1] in m[1]], mails

        # the queue names schools; opening B without loading leaves it in the queue for everyone
        body = open_page(analyst, url, "/nap-so-lieu", "Nạp số liệu")
        assert A[1] in body and B[1] in body and "Tệp các trường gửi, chờ phòng duyệt (2)" in body
        row = analyst.locator("[data-testid='stHorizontalBlock']").filter(has_text=B[1]).filter(
            has=analyst.get_by_role("button", name="Xem trước để nạp")).last
        row.get_by_role("button", name="Xem trước để nạp").click()
        analyst.wait_for_selector("text=Xem trước kết quả nạp", timeout=120000)
        wait_for_app(analyst)
        shot(analyst, "4_xem_tep_truong_gui")
        analyst.reload()
        wait_for_app(analyst)
        assert len(intake.list_pending(db)) == 2
        assert status_counts(analyst, url)["Phòng đang xem"] == "1"

        take_and_load(analyst, url, A[1])
        take_and_load(analyst, url, B[1])
        assert intake.list_pending(db) == []
        counts = status_counts(analyst, url)
        assert counts["Đã nạp, chờ duyệt"] == "2", counts

        # approve A, then pick B and return it: schools picked in any order (and a reload between), no exception
        pick(analyst, "Trường", B[1])
        pick(analyst, "Trường", A[1])
        analyst.reload()
        wait_for_app(analyst)
        choose_period(analyst)
        pick(analyst, "Trường", A[1])
        analyst.get_by_role("button", name="✅ Duyệt").click()
        analyst.wait_for_selector("text=Đã duyệt 1 trường", timeout=60000)
        wait_for_app(analyst)
        pick(analyst, "Trường", B[1])
        analyst.get_by_label("Nhận xét (bắt buộc khi trả lại)").fill("Số máy tính dạy Tin học 400 là quá lớn")
        analyst.get_by_label("Ô cần sửa (không bắt buộc)").fill("K10")
        analyst.get_by_label("Ô cần sửa (không bắt buộc)").press("Enter")
        wait_for_app(analyst)
        analyst.get_by_role("button", name="↩️ Trả lại để sửa").click()
        analyst.wait_for_selector("text=Đã trả lại 1 trường", timeout=60000)
        wait_for_app(analyst)
        body = clean(analyst)
        counts = status_counts(analyst, url)
        assert (counts["Đã duyệt"], counts["Trả lại để sửa"]) == ("1", "1"), counts
        shot(analyst, "5_duyet_va_tra_lai")
        mails = wait_for_mail(inbox, 4)
        assert [m for m in mails if m[0] == ["vinhtan@vinh.edu.vn"] and "đã được duyệt" in m[1]], mails
        [returned] = [m for m in mails if m[0] == ["truongthi@vinh.edu.vn"] and "trả lại" in m[1]]
        assert "Số máy tính dạy Tin học 400 là quá lớn" in returned[2] and "K10" in returned[2]

        # the returned school signs in again: told at once, its page shows the comment; it resends
        school_b.context.close()
        school_b = sign_in(browser, url, "truongthi")
        body = clean(school_b)
        assert "Từ lần vào trước" in body and "Số máy tính dạy Tin học 400 là quá lớn" in body
        shot(school_b, "6_truong_duoc_bao")
        body = open_page(school_b, url, "/bao-cao-cua-truong", "Báo cáo của trường")
        assert "Trả lại để sửa" in body and "K10" in body and "Số máy tính dạy Tin học 400 là quá lớn" in body
        shot(school_b, "7_bao_cao_cua_truong")
        send_file(school_b, url, school_file(tmp_path / "KS_Truong_Thi_sua.xlsx", *B, 40))
        assert status_counts(analyst, url)["Gửi lại, chờ phòng xem"] == "1"

        # the office loads the corrected file, locks, undo refused, unlocks, undoes
        take_and_load(analyst, url, B[1])
        assert sql(db, f"SELECT it_computers FROM survey WHERE school_code = '{B[0]}' AND school_year = '{YEAR}'"
                   ) == [(40,)]
        open_page(analyst, url, "/nop-bao-cao", "Tình hình nộp báo cáo")
        choose_period(analyst)
        analyst.get_by_role("button", name="🔒 Khoá kỳ").click()
        analyst.wait_for_selector("text=đã khoá", timeout=60000)
        wait_for_app(analyst)
        shot(analyst, "8_khoa_ky")
        open_page(analyst, url, "/nap-so-lieu", "Nạp số liệu")
        analyst.get_by_text("Hoàn tác lần nạp gần nhất").click()
        analyst.get_by_role("button", name="Đồng ý hoàn tác").click()
        analyst.wait_for_selector("text=Không hoàn tác được", timeout=60000)
        assert sql(db, f"SELECT it_computers FROM survey WHERE school_code = '{B[0]}' AND school_year = '{YEAR}'"
                   ) == [(40,)]
        shot(analyst, "9_hoan_tac_bi_tu_choi")
        open_page(analyst, url, "/nop-bao-cao", "Tình hình nộp báo cáo")
        choose_period(analyst)
        analyst.get_by_role("button", name="🔓 Mở khoá kỳ").click()
        analyst.wait_for_selector("button:has-text('🔒 Khoá kỳ')", timeout=60000)
        wait_for_app(analyst)
        open_page(analyst, url, "/nap-so-lieu", "Nạp số liệu")
        analyst.get_by_text("Hoàn tác lần nạp gần nhất").click()
        analyst.get_by_role("button", name="Đồng ý hoàn tác").click()
        analyst.wait_for_selector("text=Đã hoàn tác lần nạp số", timeout=60000)
        assert sql(db, f"SELECT it_computers FROM survey WHERE school_code = '{B[0]}' AND school_year = '{YEAR}'"
                   ) == [(400,)]  # the corrected load undone: the returned figures are back
        [back] = intake.list_pending(db)  # and the corrected file waits in the queue again, nothing lost
        assert back["school"] == B[0]
        counts = status_counts(analyst, url)
        assert (counts["Đã duyệt"], counts["Chờ nạp lại (đã hoàn tác)"]) == ("1", "1"), counts
        shot(analyst, "10_sau_hoan_tac")
