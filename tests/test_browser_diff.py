"""So sánh hai kỳ họp in headless Chromium: a live warehouse frozen twice (etl.snapshot.create_snapshot) with changes
between the two snapshots; the page opens on the two, names the schools that moved and the file loaded in between,
draws the indicators before and after, and a table's Excel download opens with openpyxl and holds the moved schools.
Screenshots under tests/artifacts/."""
import datetime as dt
import shutil
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from etl.snapshot import create_snapshot
from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, settle, wait_for_app
from tests.conftest import ROOT
from tests.test_snapshot_diff import NEW_FILE, craft


@pytest.fixture(scope="module")
def meetings(sample_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hai_ky_hop")
    crafted = craft(sample_db, folder / "chuan_bi")
    live = folder / "warehouse.duckdb"
    shutil.copyfile(crafted.before, live)
    create_snapshot(live, "Sơ kết HK I 2025-2026", dt.datetime(2026, 1, 15, 8, 30))
    shutil.copyfile(crafted.after, live)  # what was loaded and corrected between the two meetings
    create_snapshot(live, "Tổng kết năm học 2025-2026", dt.datetime(2026, 5, 30, 8, 30))
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, live) as url, chromium_page() as page:
        page.goto(url + "/")  # the first session of a new server: Streamlit knows its pages after one run
        wait_for_app(page)
        yield crafted, url, page


def test_two_snapshots_compared_and_a_table_downloaded(meetings, tmp_path):
    crafted, url, page = meetings
    page.goto(url + "/so-sanh-ky-hop")
    page.wait_for_selector("h1:has-text('So sánh hai kỳ họp')", timeout=30000)
    body = settle(page)
    assert "So sánh «Sơ kết HK I 2025-2026» (15/01/2026)" in body
    assert "với «Tổng kết năm học 2025-2026» (30/05/2026)" in body
    assert "1 trường lên mức, 1 trường xuống mức QĐ 4725" in body
    assert "1 trường mới đạt chuẩn học sinh/máy trong giờ Tin học, 1 trường không còn đạt" in body
    assert "5 chỉ số kế hoạch thay đổi giá trị hoặc tình trạng" in body and "1 tệp được nạp" in body
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
    chart = page.locator(".js-plotly-plot").first
    assert "Chỉ số kế hoạch (%) đã thay đổi" in chart.inner_text()
    assert page.locator(".js-plotly-plot .ytick").count() == 4  # the four percent indicators that changed
    full_page_screenshot(page, ARTIFACTS / "so-sanh-ky-hop.png")

    button = page.locator(".st-key-xlsx_ss_levels button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Mã trường")
    got = {r[0]: dict(zip(rows[header], r)) for r in rows[header + 1:]}
    assert set(got) == {crafted.down, crafted.up}
    assert got[crafted.up]["Thay đổi"] == "Lên mức" and got[crafted.up]["Mức chung (sau)"] == "Mức 3"
    assert got[crafted.down]["Mức chung (trước)"] == "Mức 2" and got[crafted.down]["Mức chung (sau)"] == "Mức 1"
    assert isinstance(got[crafted.up]["Điểm nhóm 1 (sau)"], (int, float))

    button = page.locator(".st-key-xlsx_ss_files button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30000) as info:
        button.click()
    target = tmp_path / "tep.xlsx"
    info.value.save_as(target)
    cells = [c for r in load_workbook(target).worksheets[0].iter_rows(values_only=True) for c in r]
    assert NEW_FILE in cells and "HK I 2025-2026" in cells
    assert any(isinstance(c, dt.datetime) and c.date() == dt.date(2026, 11, 29) for c in cells)


def test_the_older_snapshot_against_today(meetings):
    crafted, url, page = meetings
    page.goto(url + "/so-sanh-ky-hop?" + urlencode({"sau": "Số liệu hiện hành (hôm nay)"}))
    page.wait_for_selector("h1:has-text('So sánh hai kỳ họp')", timeout=30000)
    body = settle(page)
    assert "với số liệu hiện hành (hôm nay" in body and "1 trường lên mức, 1 trường xuống mức QĐ 4725" in body
    choice = page.locator("[data-testid='stRadio']").filter(has_text="So sánh theo kỳ báo cáo")
    choice.get_by_text("Cùng một kỳ").click()
    body = settle(page)
    assert "Cùng một kỳ: HK I 2025-2026" in body and "1 trường mới đạt chuẩn" in body
    full_page_screenshot(page, ARTIFACTS / "so-sanh-ky-hop_hom-nay.png")
