"""Issue 12 in real Chromium: each role signs in with a built-in account and sees its pages only; every page it may
open renders without an error; a school account that tries another school's link, filter or download gets nothing
of that school."""
import re
import shutil

import openpyxl
import pytest

from etl import accounts
from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, wait_for_app
from tests.conftest import ROOT
from tests.pages import sql

PASSWORD = "mat-khau-du-dai"
TITLES = {"tong_quan.py": "Tổng quan", "muc_do_4725.py": "Mức độ chuyển đổi số (QĐ 4725)",
          "may_tinh.py": "Máy tính dạy Tin học", "mua_sam_may_tinh.py": "Kế hoạch mua sắm máy tính",
          "ke_hoach.py": "Tiến độ kế hoạch 2025",
          "ho_so_truong.py": "Hồ sơ trường", "chat_luong.py": "Chất lượng dữ liệu", "nap_so_lieu.py": "Nạp số liệu",
          "bieu_mau.py": "Tải biểu mẫu", "nop_bao_cao.py": "Tình hình nộp báo cáo",
          "bao_cao_truong.py": "Báo cáo của trường",
          "so_sanh_ky_hop.py": "So sánh hai kỳ họp", "trinh_chieu.py": "Trình chiếu và xuất báo cáo",
          "quan_tri.py": "Tài khoản và nhật ký"}
PATHS = {"tong_quan.py": "/", "muc_do_4725.py": "/muc-do-4725", "may_tinh.py": "/may-tinh",
         "mua_sam_may_tinh.py": "/mua-sam-may-tinh", "ke_hoach.py": "/ke-hoach",
         "ho_so_truong.py": "/ho-so-truong", "chat_luong.py": "/chat-luong-du-lieu", "nap_so_lieu.py": "/nap-so-lieu",
         "bieu_mau.py": "/tai-bieu-mau", "nop_bao_cao.py": "/nop-bao-cao",
         "bao_cao_truong.py": "/bao-cao-cua-truong",
         "so_sanh_ky_hop.py": "/so-sanh-ky-hop", "trinh_chieu.py": "/trinh-chieu",
         "quan_tri.py": "/quan-tri"}


@pytest.fixture(scope="module")
def office(sample_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("roles") / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    [(mine, mine_name, ward)] = sql(db, "SELECT school_code, school_name, ward_new FROM schools WHERE level = 'THCS' "
                                        "ORDER BY school_code LIMIT 1")
    [(other, other_name)] = sql(db, "SELECT school_code, school_name FROM schools WHERE level = 'THCS' AND "
                                    "school_code <> ? ORDER BY school_code LIMIT 1", [mine])
    accounts.add_account(db, "admin", PASSWORD, "admin")
    accounts.add_account(db, "chuyenvien", PASSWORD, "analyst")
    accounts.add_account(db, "lanhdao", PASSWORD, "leadership", "ward", wards=[ward])
    accounts.add_account(db, "truong", PASSWORD, "school", school=mine)
    with running_app(ROOT, db) as url:
        yield db, url, (mine, mine_name), (other, other_name), ward


def _text_of(path) -> str:
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
    from pptx import Presentation

    return "\n".join(shape.text_frame.text for slide in Presentation(path).slides for shape in slide.shapes
                     if shape.has_text_frame) + "\n".join(
        cell.text for slide in Presentation(path).slides for shape in slide.shapes if shape.has_table
        for row in shape.table.rows for cell in row.cells)


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("h1:has-text('Đăng nhập')", timeout=30000)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("h1:has-text('Tổng quan')", timeout=60000)
    wait_for_app(page)


def navigation(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


@pytest.mark.parametrize("username, role", [("admin", "admin"), ("chuyenvien", "analyst"), ("lanhdao", "leadership"),
                                            ("truong", "school")])
def test_each_role_sees_its_pages_and_they_render(office, username, role, tmp_path):
    from dashboard.auth import ROLE_PAGES

    db, url, *_, ward = office
    allowed = list(TITLES) if role == "admin" else ROLE_PAGES[role]
    with chromium_page() as page:
        sign_in(page, url, username)
        shown = navigation(page)
        assert [name.split("\n")[-1] for name in shown] == [TITLES[f] for f in TITLES if f in allowed], shown
        for file in allowed:
            page.goto(url + PATHS[file])
            page.wait_for_selector(f"h1:has-text(\"{TITLES[file]}\")", timeout=90000)
            wait_for_app(page)
            body = page.inner_text("body")
            assert "Traceback" not in body and "Error" not in body, (file, body[:300])
        full_page_screenshot(page, ARTIFACTS / f"vai_tro_{role}.png")
        if "trinh_chieu.py" in allowed:  # the handout workbook holds the account's schools only
            page.goto(url + "/trinh-chieu")
            page.wait_for_selector("h1:has-text('Trình chiếu và xuất báo cáo')", timeout=90000)
            wait_for_app(page)
            page.get_by_role("button", name="Tạo tệp Excel").click()
            with page.expect_download(timeout=120000) as download:
                page.get_by_role("button", name="⬇️ Tải tệp Excel").click()
            saved = tmp_path / f"{role}.xlsx"
            download.value.save_as(saved)
            codes = {cell for sheet in openpyxl.load_workbook(saved) for row in sheet.iter_rows(values_only=True)
                     for cell in row if isinstance(cell, str) and re.fullmatch(r"4\d{7}", cell)}
            scope = sql(db, "SELECT school_code FROM schools WHERE ward_new = ?", [ward]) if role == "leadership" \
                else sql(db, "SELECT school_code FROM schools")
            assert codes and codes <= {c for (c,) in scope}, role
            if role == "leadership":  # the scoped role: its PowerPoint and PDF name no school outside its ward
                outside = {n for (n,) in sql(db, "SELECT school_name FROM schools WHERE ward_new <> ?", [ward])}
                for kind, name in (("pptx", "PowerPoint"), ("pdf", "PDF")):
                    page.get_by_role("button", name=f"Tạo tệp {name}").click()
                    with page.expect_download(timeout=300000) as download:
                        page.get_by_role("button", name=f"⬇️ Tải tệp {name}").click(timeout=300000)
                    saved = tmp_path / f"{role}.{kind}"
                    download.value.save_as(saved)
                    text = _text_of(saved)
                    assert text and not [n for n in outside if n in text], kind


def test_a_school_account_gets_nothing_of_another_school(office, tmp_path):
    db, url, (mine, mine_name), (other, other_name), _ = office
    with chromium_page() as page:
        sign_in(page, url, "truong")
        page.goto(url + f"/ho-so-truong?school={other}")  # another school's link
        page.wait_for_selector("text=không thuộc phạm vi", timeout=60000)
        wait_for_app(page)
        body = page.inner_text("body")
        assert other_name not in body and mine_name in body
        full_page_screenshot(page, ARTIFACTS / "vai_tro_truong_lien_ket_khac.png")
        page.goto(url + f"/may-tinh?truong={other}")  # another school in the URL filter
        page.wait_for_selector("h1:has-text('Máy tính dạy Tin học')", timeout=60000)
        wait_for_app(page)
        assert other_name not in page.inner_text("body")
        page.goto(url + "/ho-so-truong")  # a download: the school's own rows only
        wait_for_app(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="⬇️ CSV").first.click()
        saved = tmp_path / "tai.csv"
        download.value.save_as(saved)
        text = saved.read_text(encoding="utf-8-sig")
        assert other not in text and other_name not in text
        page.goto(url + "/tai-bieu-mau")  # a page outside the role: not there
        wait_for_app(page)
        assert "Biểu khảo sát (Excel)" not in page.inner_text("body")


@pytest.fixture
def fresh_accounts(tmp_path):
    """A warehouse with the fixture registry and one account, for a server started by the test itself."""
    from tests import fixtures
    from tests.conftest import run_cli

    db = tmp_path / "warehouse.duckdb"
    assert run_cli("registry", fixtures.write_registry(tmp_path / "danh_muc.csv"), "--db", db)[0] == 0
    accounts.add_account(db, "admin", PASSWORD, "admin")
    return db


def _sign_in_form_only(page) -> str:
    page.wait_for_selector("h1:has-text('Đăng nhập')", timeout=60000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert navigation(page) == [] and "bieu mau" not in body and "quan tri" not in body, body[:400]
    assert "Tài khoản và nhật ký" not in body and "Nạp số liệu" not in body, body[:400]
    return body


def test_the_first_visit_after_a_start_shows_no_page_list_before_sign_in(fresh_accounts):
    """Issue 21: a folder named pages/ made Streamlit list its files ("app, bieu mau, …") in the sidebar of the first
    visits after a start, until someone signed in (and open them without this app's sign-in)."""
    def sign_in_here(page) -> None:
        page.get_by_label("Tên đăng nhập").fill("admin")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()

    with running_app(ROOT, fresh_accounts) as url, chromium_page() as first:
        first.goto(url + "/")  # the very first visit: the server has run nothing yet
        _sign_in_form_only(first)
        first.screenshot(path=str(ARTIFACTS / "dang_nhap_lan_dau.png"))
        other = first.context.browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
        other.goto(url + "/quan_tri")  # a file's name in pages/, as Streamlit listed it
        _sign_in_form_only(other)
        other.goto(url + "/nap-so-lieu")  # a page's own link: the form, then that page once signed in
        _sign_in_form_only(other)
        sign_in_here(other)
        other.wait_for_selector("h1:has-text('Nạp số liệu')", timeout=60000)
        sign_in_here(first)  # the first visit's own form signs in at the first try
        first.wait_for_selector("h1:has-text('Tổng quan')", timeout=60000)


def test_a_page_file_never_opens_without_sign_in_on_a_fresh_server(fresh_accounts):
    """As the server runs (dashboard.serve): even the first visit after a start, straight to a file of pages/,
    gets the sign-in form and nothing of the page."""
    from tests.test_compression import _started

    with _started("docker", fresh_accounts) as (url, _), chromium_page() as page:
        page.goto(url + "/quan_tri")
        _sign_in_form_only(page)
