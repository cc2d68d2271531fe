"""Start the real app and drive it in headless Chromium (Debian's, never a downloaded one)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(root: Path, db: Path, with_process: bool = False, env: dict | None = None, port: int | None = None,
                args: tuple[str, ...] = ()):
    """The real app served on a free port (or `port`); yields its URL (and the server process, `with_process`);
    `env`: more environment variables (a server's configuration); `args`: more Streamlit options."""
    port = port or free_port()
    env = {**os.environ, "DX_DB": str(db), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *args], cwd=root, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_stcore/health", proc, "the app")
        yield (url, proc) if with_process else url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_until_up(url: str, proc, what: str, seconds: float = 60) -> None:
    """Until `url` answers; the server's output in the error if `proc` never gets there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not start: " + proc.stdout.read1().decode(errors="replace"))


@contextlib.contextmanager
def chromium_page(width: int = 1440, height: int = 1000):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make system-deps` (make test does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
            yield page
        finally:
            browser.close()


EXCEPTION_WORDS = ("Traceback", "Error", "Exception", "Page not found")


def settle(page) -> str:
    """The page's text once Streamlit has finished the run a click started; fails on any exception text."""
    page.wait_for_timeout(400)
    wait_for_app(page)
    body = page.inner_text("body")
    for word in EXCEPTION_WORDS:
        assert word not in body, word
    return body


def wait_for_app(page) -> None:
    """Until Streamlit has finished the script run and drawn its tables."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning'] "
                           "[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']", timeout=30000,
                           state="attached")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".every(d => d.closest('details:not([open])') || d.offsetParent === null || d.querySelector('canvas'))",
        timeout=30000)
    page.wait_for_timeout(300)


def full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its own container: grow the viewport to the content, then capture."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                           "[data-testid=\"stAppViewContainer\"], section.main')].map(e => e.scrollHeight), "
                           "document.body.scrollHeight)")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


PLOTLY_JS = Path(__import__("plotly").__file__).parent / "package_data" / "plotly.min.js"
_TEXT_BOXES_JS = """
async ([spec, width, height]) => {
  const div = document.getElementById('chart');
  const layout = Object.assign({}, spec.layout || {}, {width: width, height: height});
  await Plotly.newPlot(div, spec.data || [], layout, {staticPlot: true});
  const svg = div.querySelector('svg.main-svg').getBoundingClientRect();
  const kind = el => {
    for (const c of ['xtick', 'ytick', 'g-xtitle', 'g-ytitle', 'g-x2title', 'g-y2title', 'legendtext', 'gtitle',
                     'g-gtitle', 'annotation', 'bartext', 'textpoint', 'legendtitletext'])
      if (el.closest('.' + c) || el.classList.contains(c)) return c;
    return 'other';
  };
  return [...div.querySelectorAll('text')].filter(t => t.textContent.trim() && t.getBBox().width > 0).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, kind: kind(t), left: r.left - svg.left, top: r.top - svg.top,
            right: r.right - svg.left, bottom: r.bottom - svg.top};
  });
}
"""


def figure_text_boxes(page, spec: dict, width: int, height: int) -> list[dict]:
    """Every text of a Plotly figure drawn by plotly.js in Chromium at width × height (the size of an exported
    image): its text, kind (xtick, ytick, g-xtitle, legendtext, gtitle, annotation...) and box in pixels from the
    image's top left corner."""
    if not page.evaluate("() => typeof Plotly !== 'undefined'"):
        page.set_content("<html><body style='margin:0'><div id='chart'></div></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
    return page.evaluate(_TEXT_BOXES_JS, [spec, width, height])
