"""The app on a phone (390×844, Chromium): the charts of the main pages keep their panels apart, their legends off
their titles, their tick labels inside the chart and the chart inside the screen. Measured on the boxes the
browser draws (`.js-plotly-plot` SVG: plot areas, titles, legend, tick labels); a full-page screenshot of each page
is saved under tests/artifacts/ (phone_*.png)."""
import itertools

import pytest

from tests.browser import ARTIFACTS, chromium_page, full_page_screenshot, running_app, wait_for_app
from tests.conftest import ROOT

PHONE = (390, 844)
PAGES = ["/may-tinh", "/ke-hoach", "/", "/muc-do-4725"]
MIN_PLOT_WIDTH = 110  # pixels of a plot area: narrower, the bars cannot be told apart

# Per chart on the page: its plot areas (one per subplot), title, panel titles, legend box, legend texts and tick
# labels, in pixels of the page. Hidden charts (a closed expander, another tab) are left out.
_BOXES_JS = """
() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, text: el.textContent}; };
  const seen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return [...document.querySelectorAll('.js-plotly-plot')].filter(seen).map(plot => {
    const all = sel => [...plot.querySelectorAll(sel)].filter(seen).map(box);
    const svg = plot.querySelector('svg.main-svg');
    return {
      title: (plot.querySelector('.gtitle') || {}).textContent || '',
      chart: box(svg),
      panels: all('.draglayer .nsewdrag'),
      titles: all('.gtitle, .gtitle-subtitle'),
      annotations: all('.annotation-text-g'),
      legend: all('.legend .bg'),
      legendtexts: all('.legend .legendtext'),
      ticks: all('.xtick text, .ytick text'),
      axistitles: all('.g-xtitle text, .g-ytitle text, [class^="g-x"][class$="title"] text, '
                      + '[class^="g-y"][class$="title"] text'),
    };
  });
}
"""


def _overlap(a: dict, b: dict, slack: float = 1) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def _where(b: dict) -> str:
    return f"{b['left']:.0f}–{b['right']:.0f} × {b['top']:.0f}–{b['bottom']:.0f}"


def chart_problems(chart: dict, screen_width: int) -> list[str]:
    """What is wrong with one chart as drawn: panels on panels or too narrow, a panel's tick labels on another
    panel, legend on a title, texts on texts, texts cut by the chart's or the screen's edge."""
    name, found = chart["title"][:50], []
    frame = chart["chart"]
    panels = chart["panels"]
    for a, b in itertools.combinations(panels, 2):
        if _overlap(a, b):
            found.append(f"{name}: panels overlap ({_where(a)} / {_where(b)})")
    for tick in chart["ticks"]:
        if any(_overlap(tick, p, 2) for p in panels if not (p["left"] - 2 <= tick["left"] and tick["right"]
                                                             <= p["right"] + 2 or tick["right"] <= p["left"] + 2)):
            found.append(f"{name}: tick «{tick['text']}» over another panel")
    headings = chart["titles"] + chart["annotations"]
    legend = chart["legend"] + chart["legendtexts"]
    for h, g in itertools.product(headings, legend):
        if _overlap(h, g):
            found.append(f"{name}: legend over the title «{h['text'][:40]}»")
    for p in panels:
        if p["right"] - p["left"] < MIN_PLOT_WIDTH:
            found.append(f"{name}: a plot area {p['right'] - p['left']:.0f} px wide")
    texts = headings + chart["legendtexts"] + chart["ticks"] + chart["axistitles"]
    for a, b in itertools.combinations(texts, 2):
        if a["text"] != b["text"] and _overlap(a, b, 2):
            found.append(f"{name}: «{a['text'][:30]}» on «{b['text'][:30]}»")
    for t in texts + chart["legend"]:
        if t["left"] < max(frame["left"], 0) - 1 or t["right"] > min(frame["right"], screen_width) + 1:
            found.append(f"{name}: «{t['text'][:30]}» cut at the edge ({_where(t)})")
    if frame["right"] > screen_width + 1:
        found.append(f"{name}: the chart is wider than the screen ({frame['right']:.0f} px)")
    return found


def page_problems(page, screen_width: int) -> tuple[list[str], int]:
    charts = page.evaluate(_BOXES_JS)
    return [p for chart in charts for p in chart_problems(chart, screen_width)], len(charts)


@pytest.fixture(scope="module")
def phone(sample_db):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ROOT, sample_db) as url, chromium_page(*PHONE) as page:
        page.goto(url + "/")
        wait_for_app(page)
        yield url, page


def open_on_phone(page, url: str) -> None:
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
    page.wait_for_timeout(800)  # Plotly redraws once its container has its width


@pytest.mark.parametrize("path", PAGES)
def test_charts_on_a_phone_keep_panels_apart_and_legends_off_titles(phone, path):
    url, page = phone
    open_on_phone(page, url + path)
    found, count = page_problems(page, PHONE[0])
    full_page_screenshot(page, ARTIFACTS / f"phone_{path.strip('/') or 'tong-quan'}.png")
    assert page.locator("[data-testid='stException']").count() == 0, "the page failed: no chart after the error"
    assert count >= 1, "no chart drawn"
    assert found == [], "\n".join(found)


def test_the_school_chart_on_a_phone_is_a_column_of_level_panels(phone):
    """The per-school computer chart: a panel per level, stacked (one below the other), each the screen's width."""
    url, page = phone
    open_on_phone(page, url + "/may-tinh")
    charts = [c for c in page.evaluate(_BOXES_JS) if c["title"].startswith("Số học sinh dùng chung một máy")
              or c["title"].startswith(("Tiểu học", "THCS", "TH và THCS", "Liên cấp"))]
    panels = sorted((p for c in charts for p in c["panels"]), key=lambda p: p["top"])
    assert len(panels) >= 2, charts
    for upper, lower in zip(panels, panels[1:]):
        assert upper["bottom"] <= lower["top"], (upper, lower)
    assert all(p["right"] - p["left"] >= 0.4 * PHONE[0] for p in panels), panels
