"""Presentation mode at a meeting room's 1366×768 projector: a clicker's keys move through the slides, each slide
fits the window with its headline and buttons in view, a reload stays on the slide."""
import re

import pytest

from tests.browser import ARTIFACTS, chromium_page, running_app, wait_for_app
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def projector(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page(1366, 768) as page:
        page.goto(url + "/")
        wait_for_app(page)
        yield url, page


def slide_number(page) -> tuple[int, int]:
    found = re.search(r"Trang (\d+)/(\d+)", page.inner_text(".slide-footer"))
    return int(found[1]), int(found[2])


def wait_for_slide(page, number: int) -> None:
    page.wait_for_function(f"() => (document.querySelector('.slide-footer') || {{}}).innerText?.includes("
                           f"'Trang {number}/')", timeout=30000)
    wait_for_app(page)
    page.wait_for_selector(".st-key-slide_chart .js-plotly-plot .main-svg", timeout=30000)


def assert_fits(page, name: str) -> None:
    """The headline, the whole chart and the buttons inside the window, nothing scrolled."""
    height = page.viewport_size["height"]
    for selector in (".slide-headline", ".st-key-slide_chart .js-plotly-plot", ".st-key-trang_sau button",
                     ".st-key-trang_truoc button"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (name, selector, box)
    chart = page.locator(".st-key-slide_chart .js-plotly-plot").bounding_box()
    assert chart["height"] > 0.5 * height, (name, chart)  # the chart uses the room, not a thumbnail
    assert page.evaluate("() => document.scrollingElement.scrollTop") == 0
    page.screenshot(path=str(ARTIFACTS / f"trinh-chieu-1366-{name}.png"))


def test_a_clicker_drives_the_slides_and_a_reload_keeps_the_slide(projector):
    url, page = projector
    page.goto(url + "/trinh-chieu")
    wait_for_app(page)
    page.get_by_role("button", name="▶ Bắt đầu trình chiếu").click()
    wait_for_slide(page, 1)
    number, count = slide_number(page)
    assert (number, count) == (1, 5)
    assert "chieu=1" in page.url
    assert_fits(page, "trang-1")
    seen = [page.inner_text(".slide-headline")]
    for key, expected in (("PageDown", 2), ("ArrowRight", 3), ("Space", 4), ("PageUp", 3), ("ArrowLeft", 2)):
        page.keyboard.press(key)
        wait_for_slide(page, expected)
        assert slide_number(page) == (expected, count), key
        seen.append(page.inner_text(".slide-headline"))
        assert_fits(page, f"trang-{expected}")
    assert len(set(seen[:4])) == 4  # four different slides, then back
    page.keyboard.press("PageDown")
    wait_for_slide(page, 3)
    page.reload()  # F5 during the meeting
    wait_for_slide(page, 3)
    assert slide_number(page) == (3, 5)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert_fits(page, "sau-F5")
    page.keyboard.press("Escape")
    page.wait_for_selector("h1:has-text('Trình chiếu và xuất báo cáo')", timeout=30000)
    assert "chieu=" not in page.url


def test_the_slide_of_every_school_fits_with_its_labels_apart(projector):
    url, page = projector
    page.goto(url + "/trinh-chieu?chieu=2&trang=muc_do_cap_hoc,may_tinh_truong")
    wait_for_slide(page, 2)
    assert_fits(page, "may-tinh-truong")
    ticks = page.locator(".st-key-slide_chart .ytick text")
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    panels: dict[int, list] = {}  # a panel's labels end at the same x (right-aligned)
    for box in filter(None, boxes):
        panels.setdefault(round((box["x"] + box["width"]) / 50), []).append(box)
    assert sum(map(len, panels.values())) >= 20
    for labels in panels.values():
        labels.sort(key=lambda b: b["y"])
        for above, below in zip(labels, labels[1:]):
            assert above["y"] + above["height"] <= below["y"] + 1, (above, below)


def test_the_purchase_plan_slide_keeps_its_budget_in_the_url(projector):
    url, page = projector
    page.goto(url + "/trinh-chieu?chieu=1&trang=mua_sam_may_tinh,bao_cao&ngan_sach=60&quy_tac=worst_ratio")
    wait_for_slide(page, 1)
    assert page.inner_text(".slide-headline").startswith("Với ngân sách 60 máy")
    assert_fits(page, "mua-sam")
    page.keyboard.press("PageDown")
    wait_for_slide(page, 2)
    page.reload()
    wait_for_slide(page, 2)
    page.keyboard.press("PageUp")
    wait_for_slide(page, 1)
    assert page.inner_text(".slide-headline").startswith("Với ngân sách 60 máy")


def test_a_made_export_is_withdrawn_when_the_filter_changes(projector):
    """A file made for one filter must not be offered, and downloaded, after the filter changed."""
    url, page = projector
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url + "/trinh-chieu")
    wait_for_app(page)
    page.get_by_role("button", name="Tạo tệp Excel").click()
    offered = page.get_by_role("button", name="⬇️ Tải tệp Excel")
    offered.wait_for(timeout=120000)
    level = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Cấp học")
    level.scroll_into_view_if_needed()  # as a reader scrolls the sidebar first (a long menu pushes it down)
    page.wait_for_timeout(300)
    level.locator("input").click()
    page.get_by_role("option", name="THCS", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.body.innerText.includes('cấp học: THCS')", timeout=30000)
    wait_for_app(page)
    assert page.get_by_role("button", name="⬇️ Tải tệp Excel").count() == 0
    assert page.get_by_role("button", name="Tạo tệp Excel").count() == 1
    page.screenshot(path=str(ARTIFACTS / "trinh-chieu-tep-cu-da-bo.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
