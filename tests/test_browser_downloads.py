"""The real app in headless Chromium: an analyst clicks a table's Excel and CSV buttons one after the other, fast,
and every file arrives whole. With the buttons' default on_click="rerun" each click reran the page, and the end of
that run dropped the generators the other button still pointed at ("Deferred file … not found")."""
import io
import re
import threading
import time

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import chromium_page, running_app, wait_for_app
from tests.conftest import ROOT

CLICKS = 50


@pytest.fixture(scope="module")
def app_url(sample_db):
    """The app's URL and its log so far (read all along, so that a full pipe never stalls the server)."""
    with running_app(ROOT, sample_db, with_process=True) as (url, proc):
        log: list[str] = []
        threading.Thread(target=lambda: log.extend(line.decode(errors="replace") for line in proc.stdout),
                         daemon=True).start()
        yield url, log


def _excel_table(data: bytes) -> tuple[list[str], int]:
    """The header and the number of rows of the table on the first sheet (notes above it, the header bold)."""
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=False).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if sheet.cell(i + 1, 1).font.bold and row[0] is not None)
    return [str(v) for v in rows[header] if v is not None], len(rows) - header - 1


def test_fast_alternating_excel_and_csv_downloads_all_arrive(app_url, tmp_path):
    url, log = app_url
    with chromium_page() as page:
        page.goto(url + "/")  # the first session of a new server: Streamlit knows its pages after one run
        wait_for_app(page)
        page.goto(url + "/may-tinh")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Máy tính dạy Tin học')", timeout=30000)
        buttons = page.get_by_test_id("stDownloadButton")
        excel = buttons.filter(has_text="Excel").first
        csv = buttons.filter(has_text="CSV").first
        excel.scroll_into_view_if_needed()
        arrived, missing = [], []
        started = time.monotonic()
        for click in range(CLICKS):
            kind, button = ("xlsx", excel) if click % 2 == 0 else ("csv", csv)
            try:
                with page.expect_download(timeout=10000) as info:
                    button.click(timeout=10000)
                download = info.value
            except PlaywrightTimeout:
                missing.append((click, kind))
                continue
            # the next click 0.3 s after this file came in, much sooner than the page's rerun (1-2 s), which is never
            # waited for. (With no pause at all Chromium itself now and then starts no download for a file the
            # server did send: about 1 click in 50, the same with or without the fix.)
            page.wait_for_timeout(300)
            assert download.failure() is None, (click, kind, download.failure())
            assert download.suggested_filename.endswith("." + kind), download.suggested_filename
            target = tmp_path / f"{click:02d}.{kind}"
            download.save_as(target)
            arrived.append((kind, target.read_bytes()))
        took = time.monotonic() - started
    lost = len(re.findall(r"Deferred file \w+ not found", "".join(log)))
    assert not missing, (f"{len(missing)} of {CLICKS} downloads never arrived ({took:.0f} s): {missing[:5]}; "
                         f"the server logged 'Deferred file … not found' {lost} times")
    assert len(arrived) == CLICKS
    shapes = set()
    for kind, data in arrived:
        assert data, kind
        if kind == "xlsx":
            header, rows = _excel_table(data)
        else:
            frame = pd.read_csv(io.BytesIO(data), sep=None, engine="python", encoding="utf-8-sig")
            header, rows = list(frame.columns), len(frame)
        assert rows > 0 and len(header) > 1, (kind, header, rows)
        shapes.add((tuple(header), rows))
    assert len(shapes) == 1, shapes  # the Excel and the CSV hold the same table, every time
