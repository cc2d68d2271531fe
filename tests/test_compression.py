"""Issue 13: a first visit downloads Streamlit's script bundles (Plotly's alone is 4.7 MB); started the way `make run`
(its Makefile recipe) and the Docker image / systemd unit (`python -m dashboard.serve` with their environment) start
it, the server sends them gzip-compressed, byte for byte the files on disk once decompressed, with Streamlit's long
cache header, and the app still answers and draws its charts."""
from __future__ import annotations

import contextlib
import gzip
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import chromium_page, free_port, running_app, wait_for_app, wait_until_up
from tests.conftest import ROOT


def _largest_bundle() -> Path:
    from streamlit import file_util

    return max((Path(file_util.get_static_dir()) / "static" / "js").glob("*.js"), key=lambda p: p.stat().st_size)


def _make_run_command(port: int) -> list[str]:
    """The command of `make run`, read from the Makefile, with this venv's Python and `port`."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), flags=re.M).group(1)
    line = next(row.strip() for row in recipe.splitlines() if "--server.port" in row)
    line = line.replace("$(BIN)/python", sys.executable).replace("$(PORT)", str(port))
    return shlex.split(line)


@contextlib.contextmanager
def _started(how: str, db: Path):
    """(URL, health endpoint URL or None) of the app started `how`: "make run" or "docker"."""
    port = free_port()
    env = {**os.environ, "DX_DB": str(db)}
    health = None
    if how == "make run":
        command = _make_run_command(port)
    else:  # the image's CMD with the image's environment (Dockerfile ENV), the systemd unit's alike
        health_port = free_port()
        health = f"http://127.0.0.1:{health_port}/health"
        env.update(DX_LOG_FORMAT="json", DX_HEALTH_PORT=str(health_port), DX_HEALTH_ADDRESS="127.0.0.1",
                   STREAMLIT_SERVER_PORT=str(port), STREAMLIT_SERVER_ADDRESS="127.0.0.1",
                   STREAMLIT_SERVER_HEADLESS="true", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        command = [sys.executable, "-m", "dashboard.serve"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_stcore/health", proc, how)
        yield url, health
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_make_run_starts_through_dashboard_serve():
    assert _make_run_command(8501)[1:3] == ["-m", "dashboard.serve"]


@pytest.mark.parametrize("how", ["make run", "docker"])
def test_the_largest_bundle_arrives_gzipped_and_the_app_still_works(how, sample_db):
    bundle = _largest_bundle()
    on_disk = bundle.read_bytes()
    path = f"/static/js/{bundle.name}"
    with _started(how, sample_db) as (url, health):
        status, headers, body = _get(url + path, **{"Accept-Encoding": "gzip, deflate, br"})
        assert status == 200 and headers.get("content-encoding") == "gzip", headers
        assert gzip.decompress(body) == on_disk
        assert int(headers["content-length"]) == len(body) < len(on_disk) / 2
        assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
        assert "accept-encoding" in headers["vary"].lower()

        # a client that does not accept gzip, a byte range and a HEAD get what Streamlit sends
        status, headers, body = _get(url + path)
        assert status == 200 and "content-encoding" not in headers and body == on_disk
        status, headers, body = _get(url + path, **{"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
        assert status == 206 and body == on_disk[:100]
        head = urllib.request.Request(url + path, method="HEAD", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(head, timeout=30) as reply:
            assert reply.headers["Content-Encoding"] == "gzip" and reply.read() == b""
            etag = reply.headers["ETag"]
        # the browser's revalidation still gets a 304; an unknown file still gets Streamlit's page, uncompressed
        assert _get(url + path, **{"Accept-Encoding": "gzip", "If-None-Match": etag})[0] == 304
        status, headers, body = _get(url + "/static/js/no-such-file.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and b"<html" in body.lower() and "content-encoding" not in headers

        assert _get(url + "/_stcore/health")[0] == 200
        if health:
            status, _, body = _get(health)
            assert status == 200 and b'"status": "ok"' in body

        with chromium_page() as page:
            encodings = {}
            page.on("response", lambda r: encodings.__setitem__(r.url.rsplit("/", 1)[-1], r.headers.get(
                "content-encoding")))
            page.goto(url)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.get_by_text("Tổng quan").first.is_visible()
            plotly = next(name for name in encodings if name.startswith("PlotlyChart."))
            assert encodings[plotly] == "gzip"


def test_plain_streamlit_run_still_sends_bundles_uncompressed(sample_db):
    """Why dashboard.serve wraps the app: Streamlit 1.67 bypasses /static/ in its gzip middleware. When this fails,
    Streamlit compresses on its own and CompressedStatic may go."""
    bundle = _largest_bundle()
    with running_app(ROOT, sample_db) as url:
        status, headers, body = _get(f"{url}/static/js/{bundle.name}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and len(body) == bundle.stat().st_size


def test_under_a_base_url_only_static_files_are_compressed(tmp_path):
    """Behind a proxy at /chuyen-doi-so (server.baseUrlPath) the bundles are still found; a small file and a path
    outside the static folder go through untouched. Streamlit's static handler stands in as a plain StaticFiles."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles
    from starlette.testclient import TestClient

    from dashboard.serve import CompressedStatic

    (tmp_path / "static" / "js").mkdir(parents=True)
    big = b"export const chart = 'Bi\xe1\xbb\x83u \xc4\x91\xe1\xbb\x93';\n" * 2000
    (tmp_path / "static" / "js" / "big.abc.js").write_bytes(big)
    (tmp_path / "static" / "js" / "small.abc.js").write_bytes(b"export {};\n")
    (tmp_path / "secret.txt").write_text("x" * 5000)
    inner = Starlette(routes=[Mount("/chuyen-doi-so", app=StaticFiles(directory=tmp_path))])
    client = TestClient(CompressedStatic(inner, tmp_path, "/chuyen-doi-so/"))
    reply = client.get("/chuyen-doi-so/static/js/big.abc.js", headers={"Accept-Encoding": "gzip"})
    assert reply.headers["content-encoding"] == "gzip" and reply.content == big  # httpx decompresses
    assert int(reply.headers["content-length"]) < len(big) / 10
    reply = client.get("/chuyen-doi-so/static/js/small.abc.js", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in reply.headers and reply.content == b"export {};\n"
    reply = client.get("/chuyen-doi-so/secret.txt", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in reply.headers
    reply = client.get("/static/js/big.abc.js", headers={"Accept-Encoding": "gzip"})  # outside the base URL
    assert reply.status_code == 404 and "content-encoding" not in reply.headers


def test_a_bookmarked_page_opens_without_page_not_found_after_a_restart(sample_db):
    """dashboard.serve runs the main page once as soon as it answers (warm_up), so the first visitor arriving
    through a page's own link gets the page, not Streamlit's English "Page not found" dialog (issue #9624; plain
    `streamlit run` still shows it: see tests/test_browser.py's first visit to '/')."""
    import time

    with _started("docker", sample_db) as (url, _), chromium_page() as page:
        time.sleep(8)  # the warm-up run is a few seconds of the server's start; a visitor comes later
        page.goto(url + "/mua-sam-may-tinh")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Kế hoạch mua sắm máy tính')", timeout=30000)
        assert "Page not found" not in page.inner_text("body")
