"""The real app in headless Chromium: every page opens, shows its charts, survives a filter change with no
exception text, keeps the filter in the URL; a screenshot of each page is saved under tests/artifacts/."""
import re

import pytest

from tests.browser import ARTIFACTS, EXCEPTION_WORDS, chromium_page, full_page_screenshot, running_app, wait_for_app
from tests.conftest import ROOT

PAGES = [  # path, title, needs charts
    ("/", "Tổng quan", True),
    ("/muc-do-4725", "Mức độ chuyển đổi số (QĐ 4725)", True),
    ("/may-tinh", "Máy tính dạy Tin học", True),
    ("/ke-hoach", "Tiến độ kế hoạch 2025", True),
    ("/ho-so-truong", "Hồ sơ trường", True),
    ("/chat-luong-du-lieu", "Chất lượng dữ liệu", True),
    ("/trinh-chieu", "Trình chiếu và xuất báo cáo", True),
]


@pytest.fixture(scope="module")
def browser_page(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page() as page:
        page.goto(url + "/")  # the first session of a new server: Streamlit knows its pages after one run
        wait_for_app(page)
        yield url, page


def check_page(page, title: str, needs_charts: bool) -> str:
    wait_for_app(page)
    page.wait_for_selector(f"h1:has-text(\"{title}\")", timeout=30000)
    body = page.inner_text("body")
    for word in EXCEPTION_WORDS:
        assert word not in body, f"{title}: '{word}' on the page"
    assert "Dữ liệu giả lập" in body
    if needs_charts:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        assert page.locator(".js-plotly-plot").count() >= 1
    return body


@pytest.mark.parametrize("path, title, needs_charts", PAGES)
def test_every_page_opens_and_survives_a_filter_change(browser_page, path, title, needs_charts):
    url, page = browser_page
    page.goto(url + path)
    check_page(page, title, needs_charts)
    name = path.strip("/") or "tong-quan"
    full_page_screenshot(page, ARTIFACTS / f"{name}.png")
    level = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Cấp học")
    level.scroll_into_view_if_needed()  # as a reader scrolls the sidebar first (a long menu pushes it down)
    page.wait_for_timeout(300)
    level.locator("input").click()
    page.get_by_role("option", name="Tiểu học", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    body = check_page(page, title, needs_charts)
    assert "cấp học: Tiểu học" in body
    assert re.search(r"[?&]cap=Ti%E1%BB%83u(\+|%20)h%E1%BB%8Dc", page.url), page.url
    full_page_screenshot(page, ARTIFACTS / f"{name}_tieu_hoc.png")


def test_a_copied_link_opens_the_same_view(browser_page):
    url, page = browser_page
    page.goto(url + "/may-tinh?cap=THCS")
    body = check_page(page, "Máy tính dạy Tin học", True)
    assert "cấp học: THCS" in body
    page.goto(url + "/?cap=M%E1%BA%A7m+non")
    body = check_page(page, "Tổng quan", True)
    assert "cấp học: Mầm non" in body and "Chưa có kết quả đánh giá QĐ 4725" in body


def test_presentation_mode_and_a_deck_download(browser_page, tmp_path):
    from pptx import Presentation

    url, page = browser_page
    page.goto(url + "/trinh-chieu?cap=THCS")
    check_page(page, "Trình chiếu và xuất báo cáo", True)
    page.get_by_role("button", name="▶ Bắt đầu trình chiếu").click()
    page.wait_for_selector(".slide-headline", timeout=30000)
    wait_for_app(page)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    first = page.inner_text(".slide-headline")
    assert re.match(r"\d+/\d+ trường THCS đạt Mức 2 trở lên", first), first
    assert "Trang 1/5" in page.inner_text("body")
    full_page_screenshot(page, ARTIFACTS / "trinh-chieu-trang-1.png")
    page.get_by_role("button", name="Trang sau ▶").click()
    page.wait_for_function("() => document.body.innerText.includes('Trang 2/5')", timeout=30000)
    wait_for_app(page)
    assert page.inner_text(".slide-headline") != first
    full_page_screenshot(page, ARTIFACTS / "trinh-chieu-trang-2.png")
    page.get_by_role("button", name="✕ Thoát").click()
    page.get_by_role("button", name="Tạo tệp PowerPoint").click()
    download_button = page.get_by_role("button", name="⬇️ Tải tệp PowerPoint")
    download_button.wait_for(timeout=120000)
    with page.expect_download() as download:
        download_button.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    deck = Presentation(str(target))
    assert len(deck.slides) == 6 and target.name.endswith(".pptx")


def test_the_overview_answers_at_its_own_name_too(browser_page):
    """Issue 13: /tong-quan showed Streamlit's English "Page not found" (the default page lives at /)."""
    url, page = browser_page
    page.goto(url + "/tong-quan")
    body = check_page(page, "Tổng quan", True)
    assert "Page not found" not in body and "không tìm thấy trang" not in body
