"""Issue 13 drill-down in headless Chromium on the sample warehouse: a click on a ward's bar filters every page to
that ward (the sidebar's 'Phường mới' and the URL say so), a click on a school's bar opens the
school's profile, and the 4725 page's school picker finds 'Lê Lợi' typed as 'le loi'. Screenshots are kept in
tests/artifacts/ (drilldown_*.png)."""
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.browser import ARTIFACTS, chromium_page, running_app, wait_for_app
from tests.conftest import ROOT
from tests.pages import sql


@pytest.fixture(scope="module")
def browser(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page() as page:
        page.goto(url + "/")
        wait_for_app(page)
        yield url, page


def chart(page, title: str):
    """The Plotly chart whose title begins with `title`."""
    found = page.locator("[data-testid='stPlotlyChart']").filter(has=page.locator(".gtitle", has_text=title))
    found.first.scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    return found.first


def click_mark(page, figure, selector: str, index: int = 0) -> str:
    """Hover and click the index-th mark (bar, heat-map cell) of a chart; returns the hover label it showed."""
    mark = figure.locator(selector).nth(index)
    box = mark.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(500)
    hover = hover_text(figure)
    page.mouse.click(x, y)
    page.wait_for_timeout(800)
    wait_for_app(page)
    return hover


def hover_text(figure) -> str:
    return figure.locator(".hoverlayer").evaluate_all("els => els.map(e => e.textContent).join(' ')")


def chosen_wards(page) -> list[str]:
    tags = page.locator("[data-testid='stSidebar'] .st-key-phuong .react-aria-ComboBox [data-tag]").all_inner_texts()
    return [t.strip() for t in tags]


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def no_exception(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, where
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body, where


def test_a_click_on_a_ward_bar_filters_to_the_ward(browser, sample_db):
    url, page = browser
    page.goto(url + "/may-tinh")
    wait_for_app(page)
    figure = chart(page, "Số máy tính cần bổ sung theo phường mới")
    bars = figure.locator("g.trace.bars g.point path")
    before = bars.count()
    assert before > 1
    hover = click_mark(page, figure, "g.trace.bars g.point path")
    wards = [w for (w,) in sql(sample_db, "SELECT DISTINCT ward_new FROM schools WHERE ward_new IS NOT NULL")]
    clicked = [w for w in wards if w in hover]
    assert clicked, hover
    ward = max(clicked, key=len)  # 'Vinh Phú' rather than 'Vinh' when both match
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stSidebar'] .st-key-phuong "
                           ".react-aria-ComboBox [data-tag]\").length === 1", timeout=15000)
    wait_for_app(page)
    assert chosen_wards(page) == [ward]
    assert [unquote(w) for w in query_of(page).get("phuong", [])] == [ward], page.url
    figure = chart(page, "Số máy tính cần bổ sung theo phường mới")
    assert figure.locator("g.trace.bars g.point path").count() == 1
    no_exception(page, "may-tinh after the ward click")
    page.screenshot(path=str(ARTIFACTS / "drilldown_ward_filtered.png"), full_page=False)
    # the filter holds on the other pages: the 4725 page counts the ward's schools only
    page.goto(page.url.replace("/may-tinh", "/muc-do-4725"))
    wait_for_app(page)
    assert chosen_wards(page) == [ward]


def profile_opened(page, sample_db, hover: str, what: str) -> str:
    """After a click on a school's mark: the profile of the school the hover named is open; its name."""
    page.wait_for_url(re.compile(r"/ho-so-truong\?"), timeout=20000)
    wait_for_app(page)
    code = query_of(page)["school"][0]
    [(name,)] = sql(sample_db, "SELECT school_name FROM schools WHERE school_code = ?", [code])
    assert name in hover, (name, hover)
    no_exception(page, what)
    return name


def test_a_click_on_a_school_bar_opens_its_profile(browser, sample_db):
    url, page = browser
    page.goto(url + "/may-tinh")
    wait_for_app(page)
    figure = chart(page, "Tiểu học: ")  # one chart per level (issue 13, phone): the primary schools
    hover = click_mark(page, figure, "g.trace.bars g.point path")
    name = profile_opened(page, sample_db, hover, "profile opened from a bar")
    assert page.locator("h2", has_text=name).count() == 1
    page.screenshot(path=str(ARTIFACTS / "drilldown_profile_from_bar.png"), full_page=False)


def test_maturity_ward_bar_school_bar_and_picker(browser, sample_db):
    url, page = browser
    page.goto(url + "/muc-do-4725")
    wait_for_app(page)
    figure = chart(page, "Mức chung (quy ước) theo phường mới")
    hover = click_mark(page, figure, "g.trace.bars g.point path")
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stSidebar'] .st-key-phuong "
                           ".react-aria-ComboBox [data-tag]\").length === 1", timeout=15000)
    wait_for_app(page)
    [ward] = chosen_wards(page)
    assert ward in hover
    no_exception(page, "4725 after the ward click")
    page.screenshot(path=str(ARTIFACTS / "drilldown_maturity_ward.png"), full_page=False)

    # the picker: 'le loi' finds Lê Lợi among every school of the page
    page.goto(url + "/muc-do-4725")
    wait_for_app(page)
    box = page.locator(".st-key-maturity_school_search input")
    box.scroll_into_view_if_needed()
    box.fill("le loi")
    box.press("Enter")
    page.wait_for_timeout(600)
    wait_for_app(page)
    picker = page.locator(".st-key-maturity_school")
    shown = picker.inner_text() + " " + " ".join(picker.locator("input").evaluate_all("els => els.map(e => e.value)"))
    assert "Lê Lợi" in shown, shown
    assert "No results" not in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "drilldown_picker.png"), full_page=False)

    # a school's bar of the self-against-verified chart opens that school's profile
    figure = chart(page, "Chênh lệch tự đánh giá")
    hover = click_mark(page, figure, "g.trace.bars g.point path")
    profile_opened(page, sample_db, hover, "profile opened from the gap bars")
    page.screenshot(path=str(ARTIFACTS / "drilldown_profile_from_gaps.png"), full_page=False)
