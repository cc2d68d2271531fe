"""Hostile inputs (issue 9): markup in registry cells, file names and the URL reaches the page as literal text,
never as HTML, links, images, emphasis or LaTeX. The helpers of dashboard.format, the pages under AppTest, and the
real app in headless Chromium on a warehouse whose school names, former and new wards hold the payloads."""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest
import xlsxwriter

from dashboard.format import WORD_JOINER, html_text, md_text, plotly_text
from tests import fixtures
from tests.browser import chromium_page, running_app, wait_for_app
from tests.conftest import ROOT, run_cli
from tests.pages import figures, open_page, plain

# Only the loopback address, on the closed port 9: nothing here may reach another host.
META = "<meta http-equiv='refresh' content='0;url=http://127.0.0.1:9/x'>"
IMG = "<img src=x onerror=alert(1)>"
IFRAME = "<iframe src='http://127.0.0.1:9/'>"
FORM = "<form><input type=password></form>"
LINK = "[Bấm vào đây](http://127.0.0.1:9/)"
PICTURE = "![x](http://127.0.0.1:9/x.png)"
BOLD = "**đậm**"
TEX = "$x^2$"
PAYLOADS = (META, IMG, IFRAME, FORM, LINK, PICTURE, BOLD, TEX)
HTML_PAYLOADS = ("<meta", "<img", "<iframe", "<form", "<input")
TARGET = "127.0.0.1:9/"  # in every payload URL; the app's own port is never 9

SCHOOLS = [  # code, name, level, former ward, new ward
    ("40200001", f"Trường Tiểu học {META}", "Tiểu học", IMG, LINK),
    ("40200002", f"Trường Tiểu học {LINK}", "Tiểu học", IFRAME, PICTURE),
    ("40300001", f"Trường THCS {FORM} {BOLD}", "THCS", META, f"{BOLD} {TEX}"),
    ("40300002", f"Trường THCS {PICTURE} {TEX} {IMG}", "THCS", f"{BOLD} {IFRAME}", IMG),
]
NAMES = {code: name for code, name, *_ in SCHOOLS}
SURVEY_FILE = f"KS_HK1_2024-2025 {BOLD} {TEX} {IMG} [Bấm vào đây].xlsx"
PAGES = ["tong_quan.py", "muc_do_4725.py", "may_tinh.py", "ke_hoach.py", "ho_so_truong.py", "chat_luong.py",
         "trinh_chieu.py"]
MARKDOWN_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")


def build_warehouse(folder: Path) -> Path:
    """A registry with the payloads in its text cells, a survey file (with a payload file name) for its four
    schools, and a 4725 self-assessment of two of them; returns the warehouse."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "wh.duckdb"
    registry = folder / "danh_muc.xlsx"
    book = xlsxwriter.Workbook(str(registry))
    sheet = book.add_worksheet("Danh mục")
    sheet.write_row(0, 0, fixtures.REGISTRY_HEADER)
    for r, (code, name, level, ward_old, ward_new) in enumerate(SCHOOLS, 1):
        sheet.write_row(r, 0, [code, name, level, "Công lập", ward_old, ward_new])
        sheet.write_string(r, 6, str(16680 + r))
    book.close()
    code, _ = run_cli("registry", registry, "--db", db)
    assert code == 0
    rows = [  # code, name, classes, pupils, teachers, managers, classrooms, IT rooms, computers, IT pupils,
        # IT classes, e-gradebook, cashless %, software: 40200001 lacks the most computers, 40300002 has no room
        ("II. TIỂU HỌC", None),
        (None, ["40200001", NAMES["40200001"], 30, 1200, 45, 3, 30, 2, 5, 600, 15, "x", 90, "VnEdu"]),
        (None, ["40200002", NAMES["40200002"], 25, 1000, 38, 3, 25, 1, 10, 600, 15, "", 40, "VnEdu"]),
        ("III. TRUNG HỌC CƠ SỞ", None),
        (None, ["40300001", NAMES["40300001"], 30, 1200, 60, 3, 30, 2, 36, 1200, 30, "x", 95, "SMAS"]),
        (None, ["40300002", NAMES["40300002"], 20, 800, 40, 3, 20, 0, 0, 800, 20, "x", 50, "SMAS"]),
    ]
    code, report = run_cli("load", fixtures.write_survey_table(folder / SURVEY_FILE, rows), "--db", db, "--json")
    assert report["totals"]["rows_loaded"] == 4, report["totals"]
    for school in ("40200001", "40300001"):
        form = fixtures.write_assessment_form(folder / f"TDG_4725_{school}.xlsx", code=school, year="2024-2025")
        code, report = run_cli("load", form, "--db", db, "--json")
        assert report["totals"]["rows_loaded"] == 1, report["totals"]
    return db


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("hostile"))


# ---- the helpers -------------------------------------------------------------------------------------------

def test_md_text_escapes_markdown_and_breaks_links():
    wj = WORD_JOINER
    assert md_text("[Bấm vào đây](https://evil.example)") == rf"\[Bấm vào đây\]\(https:{wj}//evil\.example\)"
    assert md_text(PICTURE) == rf"\!\[x\]\(http:{wj}//127\.0\.0\.1:{wj}9/x\.png\)"
    assert md_text(BOLD) == r"\*\*đậm\*\*"
    assert md_text("__a__ ~~b~~ `c` # d > e | f + g - h {i}") == \
        r"\_\_a\_\_ \~\~b\~\~ \`c\` \# d \> e \| f \+ g \- h \{i\}"
    assert md_text(r"a\*b") == r"a\\\*b"  # a backslash in the data cannot undo an escape
    assert md_text("www.evil.example, thu@evil.example, :material/home:") == \
        rf"www{wj}\.evil\.example, thu@{wj}evil\.example, :{wj}material/home:"
    assert md_text("Kỳ: HK I") == "Kỳ: HK I"  # a colon before a space stays as it is


def test_md_text_escapes_html_latex_and_newlines():
    assert md_text(IMG) == r"\<img src=x onerror=alert\(1\)\>"
    assert md_text(FORM) == r"\<form\>\<input type=password\>\</form\>"
    assert md_text("&lt;b&gt; &amp;") == r"\&lt;b\&gt; \&amp;"
    assert md_text(TEX) == r"\$x^2\$"
    assert md_text("dòng 1\ndòng 2\r\n# dòng 3\r- dòng 4") == r"dòng 1 dòng 2 \# dòng 3 \- dòng 4"
    assert md_text(None) == "" and md_text(12) == "12"
    for payload in PAYLOADS:
        assert plain(md_text(payload)) == payload  # what the reader sees is the value itself


def test_plotly_text_and_html_text_escape_tags_and_entities():
    assert plotly_text("<a href='http://127.0.0.1:9/'>x</a> <b>&amp;</b>") == \
        "&lt;a href='http://127.0.0.1:9/'&gt;x&lt;/a&gt; &lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert plotly_text(f"{TEX}\n<br>") == "&#36;x^2&#36; &lt;br&gt;"
    assert plotly_text("Trường Tiểu học Lê Lợi") == "Trường Tiểu học Lê Lợi"
    assert plotly_text(None) is None and plotly_text(3.5) == 3.5
    assert html_text(f"{META}\n\n**x**") == ("&lt;meta http-equiv=&#x27;refresh&#x27; content=&#x27;0;url=http://127.0.0.1:9/"
                                             "x&#x27;&gt;  **x**")


# ---- the pages under AppTest -------------------------------------------------------------------------------

def sources(app) -> list[str]:
    return [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(app, kind)] + \
        [str(m.label) for m in app.metric]


def test_a_markdown_school_parameter_stays_text(hostile_db, monkeypatch):
    monkeypatch.setenv("DX_DB", str(hostile_db))
    payload = "[Bấm vào đây](https://evil.example)"
    app = open_page("ho_so_truong.py", school=payload)
    [warning] = [w.value for w in app.warning if "Không có trường mã" in w.value]
    assert md_text(payload) in warning and "](" not in warning and "https://" not in warning
    assert f"Không có trường mã “{payload}” trong danh mục trường" in plain(warning)


@pytest.mark.parametrize("payload", [PICTURE, IMG, f"{BOLD} {TEX}"])
def test_other_school_parameters_stay_text(hostile_db, monkeypatch, payload):
    monkeypatch.setenv("DX_DB", str(hostile_db))
    app = open_page("ho_so_truong.py", school=payload)
    assert any(md_text(payload) in w.value for w in app.warning)
    assert not any(payload in text for text in sources(app))


def test_the_profile_of_a_payload_school_escapes_every_registry_value(hostile_db, monkeypatch):
    monkeypatch.setenv("DX_DB", str(hostile_db))
    app = open_page("ho_so_truong.py", school="40300001")
    assert app.header[0].value == md_text(NAMES["40300001"])
    shown = sources(app)
    assert any(md_text(META) in text for text in shown)  # former ward
    assert any(md_text(f"{BOLD} {TEX}") in text for text in shown)  # new ward
    assert any(f"Nguồn: tệp {md_text(SURVEY_FILE)}" in text for text in shown)
    for text in shown:
        assert not any(payload in text for payload in PAYLOADS), text


@pytest.mark.parametrize("page", PAGES)
def test_no_page_passes_raw_payloads_to_markdown_or_charts(hostile_db, monkeypatch, page):
    monkeypatch.setenv("DX_DB", str(hostile_db))
    app = open_page(page, school="40200001")
    for text in sources(app):
        assert not any(payload in text for payload in PAYLOADS), text
    specs = figures(app)
    assert specs
    for title, spec in specs.items():
        flat = json.dumps(spec, ensure_ascii=False)
        assert not any(tag in flat for tag in HTML_PAYLOADS), title
        assert TEX not in flat, title


# ---- the real app in Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_browser(hostile_db):
    with running_app(ROOT, hostile_db) as url, chromium_page() as page:
        seen = {"dialogs": [], "requests": [], "navigations": []}
        page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: seen["requests"].append(request.url) if TARGET in request.url else None)
        page.on("framenavigated", lambda frame: seen["navigations"].append(frame.url)
                if not frame.url.startswith(url + "/") else None)
        page.goto(url + "/")  # a new server learns its pages on the first run (Streamlit issue #9624)
        wait_for_app(page)
        yield url, page, seen


INJECTED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const elements = [...app.querySelectorAll(
        'iframe, frame, form, input[type=password], meta, object, embed, img[src="x"], img[src*="127.0.0.1:9/"]')];
    const links = [...document.querySelectorAll('a')]
        .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '').filter(h => h.includes('127.0.0.1:9/'));
    const metas = [...document.querySelectorAll('meta[http-equiv]')].map(m => m.outerHTML);
    return {elements: elements.map(e => e.outerHTML.slice(0, 150)), links, metas};
}"""


def check_inert(url: str, page, seen) -> str:
    """Nothing injected, no navigation away, no dialog, no request to the payload address; the main text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        wait_for_app(page)
    except PlaywrightTimeout:
        assert page.url.startswith(url + "/"), f"the page went to {page.url}: {seen['navigations']}"
        raise
    page.wait_for_timeout(300)  # a meta refresh with a 0 s delay would have fired by now
    assert page.url.startswith(url + "/"), f"the page went to {page.url}"
    assert page.evaluate(INJECTED) == {"elements": [], "links": [], "metas": []}
    events = {key: list(value) for key, value in seen.items()}
    for value in seen.values():
        value.clear()  # one page's failure does not fail the next
    assert events == {"dialogs": [], "requests": [], "navigations": []}
    body = page.inner_text("[data-testid='stMain']").replace(WORD_JOINER, "")
    assert "Traceback" not in body and "Error" not in body
    return body


def chart_text(page) -> str:
    return "\n".join(page.locator(".js-plotly-plot").all_text_contents())


@pytest.mark.parametrize("path, literal, in_charts", [
    ("/", [IMG, TEX, PICTURE], []),  # schools without a computer room, by name
    ("/muc-do-4725", [], [FORM, META[:5] + "…"]),  # the heat map shortens a long name: '<meta…' drawn as text
    ("/may-tinh", [], [META, LINK, FORM]),
    ("/ke-hoach", [], []),
    ("/ho-so-truong?school=40300001", [FORM, BOLD, META, f"{BOLD} {TEX}", SURVEY_FILE], [FORM]),
    ("/ho-so-truong?school=40200001", [META, IMG, LINK], []),
    ("/ho-so-truong?school=" + urllib.parse.quote(LINK), [LINK], []),
    ("/ho-so-truong?school=" + urllib.parse.quote(IFRAME), [IFRAME], []),
    ("/chat-luong-du-lieu", [], []),
    ("/trinh-chieu", [f"Phường {LINK} cần bổ sung nhiều máy nhất"], [LINK]),
])
def test_pages_show_payloads_as_text_in_chromium(hostile_browser, path, literal, in_charts):
    url, page, seen = hostile_browser
    page.goto(url + path)
    body = check_inert(url, page, seen)
    for text in literal:
        assert text in body, text
    if in_charts:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        drawn = "".join(chart_text(page).split())  # a long name may be wrapped over lines (tspans) in a chart
        for text in in_charts:
            assert "".join(text.split()) in drawn, text


def test_presentation_headline_shows_a_ward_payload_as_text(hostile_browser):
    url, page, seen = hostile_browser
    page.goto(url + "/trinh-chieu")
    check_inert(url, page, seen)
    page.get_by_role("button", name="▶ Bắt đầu trình chiếu").click()
    page.wait_for_selector(".slide-headline", timeout=30000)
    for number in (2, 3):
        page.get_by_role("button", name="Trang sau ▶").click()
        page.wait_for_function(f"() => document.body.innerText.includes('Trang {number}/5')", timeout=30000)
    check_inert(url, page, seen)
    assert page.inner_text(".slide-headline").startswith(f"Phường {LINK} cần bổ sung nhiều máy nhất")
    assert page.locator(".slide-headline a, .slide-headline img").count() == 0
    page.get_by_role("button", name="✕ Thoát").click()
    wait_for_app(page)
