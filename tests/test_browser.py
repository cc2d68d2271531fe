"""The real app in a real browser: every page opens, shows its content, no exception; screenshots saved."""
from tests.browser import ARTIFACTS, chromium_page, running_app, wait_for_app
from tests.conftest import ROOT


def test_overview_in_chromium(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page() as page:
        page.goto(url + "/")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text(\"Tổng quan\")")
        body = page.inner_text("body")
        assert "Traceback" not in body and "Error" not in body and "Page not found" not in body
        assert "Dữ liệu giả lập" in body and "Trường đã báo cáo" in body
        page.screenshot(path=str(ARTIFACTS / "tong_quan.png"), full_page=True)
