"""Issue 11 in real Chromium: the bundled sample uploaded as a .zip, reviewed and loaded; a school's file with a
column the loader does not know, mapped in the review and kept as an import profile; a second file of that shape
loading without a question; the figures on the pages; undo putting the previous figures back. Screenshots of each
state go to tests/artifacts/."""
import zipfile

import openpyxl
import pytest

from tests import fixtures
from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, wait_for_app
from tests.conftest import ROOT, run_cli
from tests.pages import sql

SCHOOLS = [("40604585", "Trường Tiểu học Vinh Tân"), ("40716480", "Trường Tiểu học Trường Thi")]
WORDING = {"Số máy tính dạy Tin học": "Máy phục vụ giờ Tin"}


def school_file(path, title: str, computers: tuple[int, int]):
    rows = [("II. TIỂU HỌC", None)] + [
        (None, [code, name, 30, 1200, 45, 3, 30, 1, n, 720, 18, "x", 90, "VnEdu"])
        for (code, name), n in zip(SCHOOLS, computers)]
    return fixtures.write_survey_table(path, rows=rows, rename=WORDING, title=["PHÒNG GD&ĐT", title,
                                                                              "Dữ liệu giả lập – kiểm thử"])


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("intake_wh") / "warehouse.duckdb"
    assert run_cli("registry", ROOT / "data" / "reference" / "schools.csv", "--db", db)[0] == 0
    return db


def upload(page, paths) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(p) for p in paths])
    page.wait_for_selector("[data-testid='stFileChip']", timeout=30000)
    page.get_by_role("button", name="Xem trước").click()
    page.wait_for_selector("text=Xem trước kết quả nạp", timeout=120000)
    wait_for_app(page)


def confirm(page) -> str:
    wait_for_app(page)
    page.get_by_role("button", name="Nạp vào kho").click()
    try:
        page.wait_for_selector("text=Đã nạp lần số", timeout=120000)
    except Exception:
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_loi.png")
        raise
    wait_for_app(page)
    return page.inner_text("body")


def choose(page, label: str, option: str) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.keyboard.type(option[-20:])  # the list is long and drawn lazily: narrow it first
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def selected(page, label: str) -> str:
    return page.get_by_role("combobox", name=label).input_value()


def test_intake_in_the_browser(empty_warehouse, tmp_path):
    db = empty_warehouse
    ARTIFACTS.mkdir(exist_ok=True)
    packed = tmp_path / "du_lieu_mau.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted((ROOT / "data" / "sample").rglob("*")):
            if path.is_file() and path.suffix != ".json":
                archive.write(path, path.relative_to(ROOT / "data").as_posix())
    first = school_file(tmp_path / "KS_TH_HK1_2025-2026.xlsx", "Sơ kết học kỳ I năm học 2025-2026", (11, 12))
    second = school_file(tmp_path / "KS_TH_CN_2025-2026.xlsx", "Tổng kết năm học 2025-2026", (21, 22))

    with running_app(ROOT, db) as url, chromium_page() as page:
        page.goto(url + "/")  # the first session of a new server: Streamlit knows its pages after one run
        wait_for_app(page)
        page.goto(url + "/nap-so-lieu")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Nạp số liệu')")

        # 1. the bundled sample, as a .zip of its folder
        upload(page, [packed])
        body = page.inner_text("body")
        assert "Traceback" not in body and "Dòng sẽ thêm" in body
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_xem_truoc_mau.png")
        assert sql(db, "SELECT count(*) FROM survey") == [(0,)]  # a review writes nothing
        body = confirm(page)
        loaded = sql(db, "SELECT count(*) FROM survey")[0][0]
        assert loaded > 300, body
        page.goto(url + "/")
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        assert "Trường đã báo cáo" in page.inner_text("body")

        # 2. a school's own wording: the column is mapped in the review, then kept as a profile
        page.goto(url + "/nap-so-lieu")
        wait_for_app(page)
        upload(page, [first])
        assert "Cột J «Máy phục vụ giờ Tin»" in page.inner_text("body")  # asked: the column is not known
        choose(page, "Cột J «Máy phục vụ giờ Tin»", "Số máy tính dạy Tin học")
        page.wait_for_timeout(1000)  # the correction reruns the review, then the page
        wait_for_app(page)
        assert selected(page, "Cột J «Máy phục vụ giờ Tin»") == "Số máy tính dạy Tin học"
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_sua_cot.png")
        page.get_by_text("Lưu cách đọc này thành mẫu nhập").click()
        page.get_by_placeholder("Ví dụ: Biểu khảo sát của trường TH Lê Lợi").fill("Biểu TH tự đặt tên cột")
        page.get_by_role("button", name="Lưu mẫu").click()
        page.wait_for_selector("text=Đã lưu mẫu nhập", timeout=30000)
        page.keyboard.press("Escape")
        page.wait_for_selector("text=Đã lưu mẫu nhập", state="hidden", timeout=30000)
        wait_for_app(page)
        confirm(page)
        assert sql(db, "SELECT school_code, it_computers FROM survey WHERE school_year = '2025-2026' AND "
                       "school_code IN ('40604585', '40716480') AND period = 'HK1' ORDER BY 1") == [
            ("40604585", 11), ("40716480", 12)]
        assert "Biểu TH tự đặt tên cột" in page.inner_text("body")

        # 3. the next file of the same shape: read with the profile, no question
        upload(page, [second])
        assert "Cột J «Máy phục vụ giờ Tin»" not in page.inner_text("body")  # no question: the profile read it
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_theo_mau.png")
        confirm(page)
        assert sql(db, "SELECT it_computers FROM survey WHERE school_code = '40604585' AND period = 'CN' "
                       "AND school_year = '2025-2026'") == [(21,)]
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_da_nap.png")

        # 4. undo the last load: the CN figures of those schools are gone, the rest stays
        page.get_by_text("Hoàn tác lần nạp gần nhất").click()
        page.get_by_role("button", name="Đồng ý hoàn tác").click()
        page.wait_for_selector("text=Đã hoàn tác lần nạp số", timeout=60000)
        wait_for_app(page)
        assert sql(db, "SELECT count(*) FROM survey WHERE period = 'CN' AND school_year = '2025-2026' "
                       "AND school_code = '40604585'") == [(0,)]
        assert sql(db, "SELECT count(*) FROM survey")[0][0] == loaded  # the HK1 file replaced two schools' rows
        full_page_screenshot(page, ARTIFACTS / "nap_so_lieu_hoan_tac.png")

        # 5. the template to send to the schools downloads and opens as Excel would
        page.goto(url + "/tai-bieu-mau")
        wait_for_app(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Biểu khảo sát (Excel)").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        book = openpyxl.load_workbook(saved)
        assert book.sheetnames == ["Hướng dẫn", "Mầm non", "Tiểu học", "THCS", "TH&THCS"]
        full_page_screenshot(page, ARTIFACTS / "tai_bieu_mau.png")
