"""Kế hoạch mua sắm máy tính in headless Chromium: set a budget, choose a rule, see the allocation and the chart,
download the purchase list and open it with openpyxl; the downloaded allocation is the planner's. Screenshots under
tests/artifacts/."""
import pytest

from etl.metrics.planner import Budget, plan
from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, settle, wait_for_app
from tests.conftest import ROOT
from tests.test_page_planner import view


@pytest.fixture(scope="module")
def planner_page(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page() as page:
        page.goto(url + "/")  # the first session of a new server: Streamlit knows its pages after one run
        wait_for_app(page)
        yield url, page


def set_number(page, label: str, value: int) -> None:
    box = page.locator("[data-testid='stNumberInput']").filter(has_text=label).locator("input")
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def choose(page, label: str, option: str) -> None:
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_budget_rule_table_chart_and_purchase_list(planner_page, sample_db, tmp_path):
    from openpyxl import load_workbook

    url, page = planner_page
    page.goto(url + "/mua-sam-may-tinh")
    page.wait_for_selector("h1:has-text('Kế hoạch mua sắm máy tính')", timeout=30000)
    settle(page)
    set_number(page, "Số máy tính được mua", 60)
    choose(page, "Quy tắc ưu tiên", "Trường có tỷ lệ HS/máy kém nhất trước")
    body = settle(page)
    result = plan(view(sample_db), Budget(computers=60), "worst_ratio", "next")
    reached = int(result.schools["reaches"].sum())
    assert f"{reached}/17" in body and "Với ngân sách 60 máy" in body
    assert "Trường có nhiều học sinh dùng chung một máy nhất được mua đủ máy trước" in body
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
    bars = page.locator(".js-plotly-plot .trace.bars .point path").count()
    assert bars >= len(result.funded)  # the chart is not empty
    # one row per school that needs computers, even when two share a short name (THCS and TH Nghi Hải)
    assert page.locator(".js-plotly-plot .ytick").count() == 17
    assert page.locator("[data-testid='stDataFrame']").count() >= 3
    full_page_screenshot(page, ARTIFACTS / "mua-sam-may-tinh.png")

    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="Danh sách mua sắm theo phường").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    book = load_workbook(target)
    assert book.sheetnames[0] == "Tổng hợp theo phường"
    got = {}
    for ward in book.sheetnames[1:]:
        rows = list(book[ward].iter_rows(values_only=True))
        assert any("Trường có tỷ lệ HS/máy kém nhất trước" in str(r[0]) for r in rows[:6])
        header = next(i for i, r in enumerate(rows) if r[0] == "Thứ tự ưu tiên")
        columns = rows[header]
        for r in rows[header + 1:]:
            row = dict(zip(columns, r))
            assert row["Phường mới"] == ward and isinstance(row["Số máy mua"], int)
            got[row["Mã trường"]] = row["Số máy mua"]
    funded = result.funded
    assert got == dict(zip(funded["school_code"], funded["allocated"].astype(int)))
    assert sum(got.values()) <= 60


def test_money_budget_with_rooms(planner_page, sample_db):
    url, page = planner_page
    page.goto(url + "/mua-sam-may-tinh?cap=Ti%E1%BB%83u+h%E1%BB%8Dc")
    page.wait_for_selector("h1:has-text('Kế hoạch mua sắm máy tính')", timeout=30000)
    settle(page)
    page.locator("[data-testid='stRadio']").filter(has_text="Ngân sách tính theo").get_by_text("Số tiền").click()
    settle(page)
    set_number(page, "Số tiền (đồng)", 800_000_000)
    set_number(page, "Chi phí một phòng máy mới", 120_000_000)
    choose(page, "Quy tắc ưu tiên", "Trường chưa có phòng máy trước")
    body = settle(page)
    assert "cấp học: Tiểu học" in body and "Phòng máy mới" in body
    assert "Với ngân sách 800.000.000 đồng (15.000.000 đồng/máy, 120.000.000 đồng/phòng máy mới)" in body
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
    full_page_screenshot(page, ARTIFACTS / "mua-sam-may-tinh_tien.png")


def test_a_copied_link_keeps_the_budget(planner_page):
    """The budget is in the URL like the filters: a link sent to a colleague opens the same plan."""
    url, page = planner_page
    page.goto(url + "/mua-sam-may-tinh?ms_may=70")
    body = settle(page)
    assert page.locator(".st-key-ms_may input").input_value() == "70"
    assert "Với ngân sách 70 máy" in body
    set_number(page, "Số máy tính được mua", 40)
    settle(page)
    assert "ms_may=40" in page.url
