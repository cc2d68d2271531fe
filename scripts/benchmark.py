"""Performance figures, printed as tables and kept in scripts/benchmark_results.md (targets are read from these
figures, never checked by timed unit tests).

    .venv/bin/python scripts/benchmark.py                       # 140, 1,500 and 10,000 schools, pages, browser
    .venv/bin/python scripts/benchmark.py --schools 140 --no-browser   # a quick look

1. Load against bare parse: the generated sample at each size, loaded into a new warehouse (the registry installed
   beforehand, not timed), against a bare python-calamine read of every cell of the same files in one process.
   Medians of `--runs` (one run at 10,000 schools). CPU time counts the reader processes.
2. One school's file added to the warehouse of each size: the cost of a small load as the warehouse grows; and at
   the smallest size, one school's file through the queue (the school's review and sending, the office's review and
   load, as the page "Nạp số liệu" does them).
3. Pages: each page script headless (Streamlit AppTest), warm median, on the 140-school sample and on a warehouse
   of 45,000 schools × 8 periods made by replicating the sample's rows under new codes.
4. Browser (Chromium, real server): time to the first chart for one viewer and for 20 at once, peak server memory;
   the first visit served as `streamlit run app.py` does (Streamlit's scripts uncompressed) against
   `python -m dashboard.serve` (`make run`, Docker, systemd: gzip), bytes received and first chart, also at 10 Mbit/s.

    .venv/bin/python scripts/benchmark.py --only-browser        # part 4 only (make bench-browser), a few minutes

Generated data is kept under .bench/ (not committed) so that a second run does not generate it again.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import logging
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / ".bench"
RESULTS = ROOT / "scripts" / "benchmark_results.md"
PAGES = {"tong_quan.py": "Tổng quan", "muc_do_4725.py": "Mức độ 4725", "may_tinh.py": "Máy tính",
         "ke_hoach.py": "Kế hoạch", "ho_so_truong.py": "Hồ sơ trường", "chat_luong.py": "Chất lượng dữ liệu",
         "trinh_chieu.py": "Trình chiếu"}
RATIO_TARGET, SMALL_LOAD_TARGET, PAGE_TARGET_SMALL, PAGE_TARGET_LARGE, FIRST_CHART_TARGET = 3.0, 1.0, 0.1, 0.3, 2.5

lines: list[str] = []  # everything printed, for the results file


def say(text: str = "") -> None:
    print(text, flush=True)
    lines.append(text)


def num(value: float, decimals: int = 0) -> str:
    """Vietnamese number format: 1.500 trường, 1,03 s."""
    from etl.textnorm import fmt_number

    return fmt_number(value, decimals)


def quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return function(*args)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sample(schools: int) -> Path:
    from etl.sample import generate

    folder = WORK / f"sample-{schools}"
    if not (folder / "manifest.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        generate(folder, seed=2025, n_schools=schools)
        print(f"(sinh dữ liệu mẫu {schools} trường: {time.perf_counter() - start:.1f} s)", flush=True)
    return folder


def spreadsheets(folder: Path) -> list[Path]:
    from etl.loader import expand_paths

    files, _, _ = expand_paths([folder])
    return [f for f in files if f.name != "danh_muc_truong.xlsx"]


def bare_parse(files: list[Path]) -> float:
    """Every cell of every file read by python-calamine (CSV by the csv module), in one process."""
    import python_calamine as calamine

    start = time.perf_counter()
    for path in files:
        if path.suffix.lower() == ".csv":
            list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig", errors="replace"))))
            continue
        book = calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def empty_warehouse(folder: Path, target: Path) -> Path:
    """A warehouse with the registry only, made once per size and copied for each run."""
    from etl.__main__ import main

    base = WORK / f"registry-{folder.name}.duckdb"
    if not base.exists():
        quiet(main, ["registry", str(folder / "danh_muc_truong.xlsx"), "--db", str(base)])
    for stale in target.parent.glob(target.name + "*"):
        stale.unlink()
    shutil.rmtree(target.parent / "archive", ignore_errors=True)
    shutil.copyfile(base, target)
    return target


def load_once(folder: Path, db: Path) -> tuple[float, float, dict]:
    from etl.loader import run_load

    cpu, start = cpu_seconds(), time.perf_counter()
    report = run_load([folder], db)
    readers = sum(f.get("cpu_seconds", 0) for f in report["files"])  # the fork server's children are not ours
    return time.perf_counter() - start, cpu_seconds() - cpu + readers, report


def school_form(folder: Path, directory: Path, tag: str) -> Path:
    """A copy of one school's survey form in `directory`, `tag` added to its name, with a new part inside, so that it
    is new content that replaces the school's row."""
    import zipfile

    form = next(f for f in spreadsheets(folder) if f.name.startswith("PKS_") and f.suffix == ".xlsx")  # a school's form
    target = directory / f"{form.stem}_{tag}{form.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info, source.read(info))
        copy.writestr("customXml/bench.xml", f"<b>{target.name} {time.time()}</b>")
    return target


def small_load(folder: Path, db: Path, runs: int) -> float:
    """One school's form loaded into `db`: the cost of a small load as the warehouse grows."""
    from etl.loader import run_load

    times = []
    for run in range(runs):
        changed = school_form(folder, db.parent, f"lan{run}")
        start = time.perf_counter()
        report = run_load([changed], db)
        times.append(time.perf_counter() - start)
        if report["totals"]["rows_loaded"] < 1:
            raise RuntimeError(f"{changed.name}: không nạp được dòng nào khi đo nạp một trường")
    return statistics.median(times)


def load_table(sizes: list[int], runs: int) -> dict[int, Path]:
    say("## 1. Nạp so với đọc thô (bare parse)")
    say()
    say(f"Máy: {os.cpu_count()} lõi. Mục tiêu: nạp ≤ {num(RATIO_TARGET)}× đọc thô; thêm tệp của một trường ≤ "
        f"{num(SMALL_LOAD_TARGET)} s. CPU gồm cả các tiến trình đọc tệp.")
    say()
    say("| trường | tệp | `etl load` (thực) | CPU | đọc thô | tỷ lệ | dòng nạp | thêm 1 trường | dung lượng kho |")
    say("|---|---|---|---|---|---|---|---|---|")
    warehouses = {}
    for schools in sizes:
        folder = sample(schools)
        files = spreadsheets(folder)
        n = 1 if schools >= 5000 else runs
        bare = statistics.median(bare_parse(files) for _ in range(n))
        walls, cpus, report = [], [], None
        db = WORK / f"warehouse-{schools}" / "warehouse.duckdb"
        db.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(n):
            empty_warehouse(folder, db)
            wall, cpu, report = load_once(folder, db)
            walls.append(wall)
            cpus.append(cpu)
        wall = statistics.median(walls)
        small = small_load(folder, db, 3)
        warehouses[schools] = db
        ratio = wall / bare
        say(f"| {num(schools)} | {num(len(files))} | {num(wall, 2)} s | {num(statistics.median(cpus), 2)} s | "
            f"{num(bare, 2)} s | **{num(ratio)}×** | {num(report['totals']['rows_loaded'])} | {num(small, 2)} s | "
            f"{num(db.stat().st_size / 1024 / 1024)} MB |")
    say()
    return warehouses


def queue_load(folder: Path, db: Path, runs: int) -> dict[str, float]:
    """One school's file through the queue, as the page "Nạp số liệu" takes it (dashboard/intake_view.py): the school
    reviews it (its own school only) and sends it; the office takes it from the queue into a review and loads it.
    Medians of `runs` files, in seconds."""
    from etl import intake

    steps: dict[str, list[float]] = {"school_review": [], "send": [], "review": [], "load": []}
    shutil.rmtree(db.parent / "queue_bench", ignore_errors=True)
    for _ in range(runs):
        form = school_form(folder, db.parent / "queue_bench", f"{time.time_ns()}")
        code = intake.review_files([form], db).files[0].schools[0]["school_code"]  # the form's school (not timed)
        start = time.perf_counter()
        review = intake.review_files([form], db, hints={"allowed_schools": [code]})
        steps["school_review"].append(time.perf_counter() - start)
        start = time.perf_counter()
        intake.submit_pending(review, db, "benchmark", code)
        steps["send"].append(time.perf_counter() - start)
        sent = intake.list_pending(db)[-1]
        start = time.perf_counter()  # «Xem trước để nạp»: the files copied to the inbox, the sending closed, reviewed
        inbox = intake.inbox_folder(db)
        paths = []
        for name in sent["files"]:
            (inbox / name).write_bytes((Path(sent["folder"]) / name).read_bytes())
            paths.append(inbox / name)
        intake.close_pending(Path(sent["folder"]))
        review = intake.review_files(paths, db, hints={"columns": {}, "files": {}, **sent.get("hints", {})})
        steps["review"].append(time.perf_counter() - start)
        start = time.perf_counter()  # «Nạp vào kho»
        report = intake.confirm(review, db)
        steps["load"].append(time.perf_counter() - start)
        if report["totals"]["rows_loaded"] < 1:
            raise RuntimeError(f"{form.name}: không nạp được dòng nào khi đo tệp lấy từ hàng chờ")
    return {step: statistics.median(times) for step, times in steps.items()}


def queue_table(folder: Path, db: Path, schools: int, runs: int) -> None:
    figures = queue_load(folder, db, runs)
    say(f"Một tệp của trường qua hàng chờ ({num(schools)} trường, trung vị {runs} tệp; phần ETL, không gồm vẽ lại "
        f"trang): trường xem trước {num(figures['school_review'], 2)} s, gửi {num(figures['send'], 2)} s; phòng lấy "
        f"từ hàng chờ và xem trước (review) {num(figures['review'], 2)} s, nạp vào kho (load) "
        f"{num(figures['load'], 2)} s.")
    say()


def replicated_warehouse(source: Path, schools: int = 45000, periods: int = 8) -> Path:
    """`schools` schools × `periods` periods, from the rows of `source` repeated under new codes and school years."""
    import duckdb

    target = WORK / f"replicated-{schools}x{periods}.duckdb"
    if target.exists():
        return target
    partial = target.with_suffix(".part")
    partial.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    con = duckdb.connect(str(partial))
    base = con.execute("SELECT count(*) FROM schools").fetchall()[0][0]
    copies = -(-schools // base)
    years = [f"{2025 - k}-{2026 - k}" for k in range(periods // 2)]
    con.execute(f"""CREATE TEMP TABLE copies AS SELECT range AS k FROM range({copies})""").fetchall()
    con.execute(f"""CREATE TEMP TABLE new_schools AS
        SELECT s.* REPLACE (CASE WHEN c.k = 0 THEN s.school_code ELSE 'R' || c.k || '-' || s.school_code END
                            AS school_code,
                            CASE WHEN c.k = 0 THEN s.school_name ELSE s.school_name || ' (' || c.k || ')' END
                            AS school_name)
        FROM schools s, copies c ORDER BY c.k, s.school_code LIMIT {schools}""").fetchall()
    con.execute("DELETE FROM schools").fetchall()
    con.execute("INSERT INTO schools SELECT * FROM new_schools").fetchall()
    con.execute("CREATE TEMP TABLE base_survey AS SELECT * FROM survey WHERE school_year = "
                "(SELECT max(school_year) FROM survey) AND period = 'HK1'").fetchall()
    con.execute("DELETE FROM survey").fetchall()
    for year in years:
        for period in ("HK1", "CN"):
            con.execute(f"""INSERT INTO survey SELECT b.* REPLACE (
                    CASE WHEN c.k = 0 THEN b.school_code ELSE 'R' || c.k || '-' || b.school_code END AS school_code,
                    '{year}' AS school_year, '{period}' AS period)
                FROM base_survey b, copies c
                WHERE (CASE WHEN c.k = 0 THEN b.school_code ELSE 'R' || c.k || '-' || b.school_code END)
                      IN (SELECT school_code FROM schools)""").fetchall()
    con.execute("CREATE TEMP TABLE base_scores AS SELECT * FROM assessment_scores WHERE school_year = "
                "(SELECT max(school_year) FROM assessment_scores)").fetchall()
    con.execute("DELETE FROM assessment_scores").fetchall()
    for year in years[:2]:
        con.execute(f"""INSERT INTO assessment_scores SELECT b.* REPLACE (
                CASE WHEN c.k = 0 THEN b.school_code ELSE 'R' || c.k || '-' || b.school_code END AS school_code,
                '{year}' AS school_year)
            FROM base_scores b, copies c
            WHERE (CASE WHEN c.k = 0 THEN b.school_code ELSE 'R' || c.k || '-' || b.school_code END)
                  IN (SELECT school_code FROM schools)""").fetchall()
    con.execute("CHECKPOINT").fetchall()
    counts = con.execute("SELECT (SELECT count(*) FROM schools), (SELECT count(*) FROM survey), "
                         "(SELECT count(*) FROM assessment_scores)").fetchall()[0]
    con.close()
    partial.replace(target)
    print(f"(kho nhân bản: {counts[0]:,} trường, {counts[1]:,} dòng khảo sát, {counts[2]:,} điểm 4725)", flush=True)
    return target


def page_times(db: Path, runs: int) -> dict[str, float | str]:
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["DX_DB"] = str(db)
    found = {}
    for page in PAGES:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        app.run()
        app.switch_page(f"pages/{page}")
        app.run()
        if app.exception:
            found[page] = "LỖI: " + app.exception[0].message.splitlines()[0][:80]
            continue
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - start)
        found[page] = statistics.median(warm)
    return found


def pages_table(small: Path, large: Path | None, runs: int) -> None:
    say("## 2. Kịch bản mỗi trang (AppTest, trung vị khi bộ đệm đã nóng)")
    say()
    say(f"Mục tiêu: ≤ {PAGE_TARGET_SMALL * 1000:.0f} ms ở 140 trường, ≤ {PAGE_TARGET_LARGE * 1000:.0f} ms ở 45.000 "
        "trường × 8 kỳ.")
    say()
    columns = [("140 trường", small, PAGE_TARGET_SMALL)]
    if large:
        columns.append(("45.000 trường × 8 kỳ", large, PAGE_TARGET_LARGE))
    results = [(name, page_times(db, runs), target) for name, db, target in columns]
    say("| trang | " + " | ".join(name for name, _, _ in results) + " |")
    say("|---|" + "---|" * len(results))
    for page, title in PAGES.items():
        cells = []
        for _, found, target in results:
            value = found[page]
            cells.append(value if isinstance(value, str) else
                         f"{num(value * 1000)} ms{'' if value <= target else ' (chưa đạt)'}")
        say(f"| {title} | " + " | ".join(cells) + " |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say()
    say(f"Bộ nhớ đỉnh của tiến trình đo (gồm các lần nạp và trang): {num(peak)} MB.")
    say()


def browser_table(db: Path, viewers: int) -> None:
    """Time to the first chart: in Chromium for one viewer (first visit, and returning with the browser's cache), and
    for `viewers` at once as websocket clients on loopback (20 Chromium renderers on the same 2 cores would measure
    the client, not the server); the server's peak memory."""
    import asyncio

    from playwright.async_api import async_playwright

    from tests.browser import CHROMIUM, CHROMIUM_FLAGS

    say(f"## 3. Trình duyệt và người xem đồng thời (máy chủ thật, `python -m dashboard.serve`; kho "
        f"{db.parent.name if db.parent != WORK else db.stem})")
    say()

    async def first_chart(page, url: str) -> float:
        start = time.perf_counter()
        await page.goto(url, timeout=300_000)
        await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=300_000)
        seconds = time.perf_counter() - start
        if await page.locator("[data-testid='stException']").count():
            raise RuntimeError("trang hiện lỗi")
        return seconds

    async def in_chromium(url: str) -> tuple[float, float]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            warm_up = await browser.new_context()
            await first_chart(await warm_up.new_page(), url)  # the server's first run fills its caches
            await warm_up.close()
            context = await browser.new_context(viewport={"width": 1440, "height": 1000})
            page = await context.new_page()
            first = await first_chart(page, url)
            returning = await first_chart(page, url)  # the same browser again: scripts come from its cache
            await browser.close()
            return first, returning

    with serving(db, "serve") as (url, process):
        first, returning = asyncio.run(in_chromium(url))
        together = asyncio.run(_websocket_viewers(url, viewers))
        peak = _peak_memory_mb(process.pid)
    times = sorted(t for t in together if isinstance(t, float))
    errors = len(together) - len(times)
    say("| đo | giá trị |")
    say("|---|---|")
    for label, value in (("lần đầu mở", first), ("mở lại (trình duyệt đã có bộ đệm)", returning)):
        verdict = "" if value <= FIRST_CHART_TARGET else " (chưa đạt)"
        say(f"| Chromium, một người xem, biểu đồ đầu tiên: {label} | {num(value, 2)} s{verdict} |")
    if times:
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        say(f"| {viewers} người xem cùng lúc (websocket), biểu đồ đầu tiên: trung vị / p95 | "
            f"{num(statistics.median(times), 2)} s / {num(p95, 2)} s |")
    say(f"| lỗi khi {viewers} người xem cùng lúc | {errors}"
        + (f" ({'; '.join(sorted({str(t)[:80] for t in together if not isinstance(t, float)}))})" if errors else "")
        + " |")
    say(f"| bộ nhớ đỉnh của máy chủ | {num(peak)} MB |")
    say()


SERVERS = {  # how the app is started: as `streamlit run` does, and as `make run`, Docker and systemd do
    "plain": ("`streamlit run app.py`", ["-m", "streamlit", "run", "app.py"]),
    "serve": ("`python -m dashboard.serve`", ["-m", "dashboard.serve"]),
}
SLOW_MBIT, SLOW_LATENCY_MS = 10, 20  # a school's shared connection


@contextlib.contextmanager
def serving(db: Path, how: str):
    """The real app on a free port, started `how` (a key of SERVERS); yields its URL and process."""
    import subprocess

    from tests.browser import free_port, wait_until_up

    port = free_port()
    proc = subprocess.Popen([sys.executable, *SERVERS[how][1], "--server.port", str(port), "--server.headless",
                             "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env={**os.environ, "DX_DB": str(db)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_stcore/health", proc, SERVERS[how][0])
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def first_visit_table(db: Path, runs: int) -> dict:
    """A first visit (a new browser profile: nothing cached) and a returning one, served uncompressed (`streamlit
    run`) and gzip-compressed (`dashboard.serve`): HTTP bytes received until the first chart is drawn (Chromium's
    encodedDataLength: headers and bodies as they came over the wire) and the time to it, on loopback and throttled
    to SLOW_MBIT (Chromium's Network.emulateNetworkConditions). Both servers run at once and the visits alternate,
    so that other work on the machine weighs on both alike; medians of `runs`."""
    import asyncio

    from playwright.async_api import async_playwright

    from tests.browser import CHROMIUM, CHROMIUM_FLAGS

    async def visit(context, url: str, slow: bool) -> tuple[float, float, float]:
        """(first visit seconds, bytes, returning visit seconds) in `context`, a new profile."""
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        if slow:
            rate = SLOW_MBIT * 1e6 / 8
            await cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": SLOW_LATENCY_MS,
                                                                 "downloadThroughput": rate,
                                                                 "uploadThroughput": rate})
        received: list[float] = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        start = time.perf_counter()
        await chart_or_error(page, url)
        first = time.perf_counter() - start
        size = sum(received)
        start = time.perf_counter()
        await chart_or_error(page, url)
        return first, size, time.perf_counter() - start

    async def chart_or_error(page, url: str) -> None:
        await page.goto(url, timeout=120_000)
        await page.wait_for_selector(".js-plotly-plot .main-svg, [data-testid='stException']", timeout=120_000)
        error = page.locator("[data-testid='stException']")
        if await error.count():
            raise RuntimeError(f"{url}: trang hiện lỗi: {(await error.first.inner_text())[:300]}")

    async def measure(urls: dict[str, str]) -> dict:
        found: dict = {(how, slow): [] for how in urls for slow in (False, True)}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for url in urls.values():  # each server's first run fills its caches (and gzip's)
                context = await browser.new_context()
                await visit(context, url, False)
                await context.close()
            for _ in range(runs):
                for slow in (False, True):
                    for how, url in urls.items():
                        context = await browser.new_context(viewport={"width": 1440, "height": 1000})
                        found[(how, slow)].append(await visit(context, url, slow))
                        await context.close()
            await browser.close()
        return found

    load_before = os.getloadavg()[0]
    with serving(db, "plain") as (plain, _), serving(db, "serve") as (served, _):
        found = asyncio.run(measure({"plain": plain, "serve": served}))
    load_after = os.getloadavg()[0]

    def median(how: str, slow: bool, index: int) -> float:
        return statistics.median(run[index] for run in found[(how, slow)])

    say(f"## 4. Lần đầu mở trang: tệp lệnh nén hay không (kho {db.parent.name if db.parent != WORK else db.stem})")
    say()
    say(f"Chromium, hồ sơ trình duyệt mới (chưa có bộ đệm); trung vị {runs} lần, hai máy chủ chạy cùng lúc, đo xen "
        f"kẽ. Tải trung bình của máy (load average, {os.cpu_count()} lõi): {num(load_before, 2)} lúc đầu, "
        f"{num(load_after, 2)} lúc cuối.")
    say()
    say(f"| đo | {SERVERS['plain'][0]} (không nén) | {SERVERS['serve'][0]} (gzip) | sau / trước |")
    say("|---|---|---|---|")
    rows = [("byte nhận được tới biểu đồ đầu tiên, lần đầu mở", False, 1, "MB"),
            ("biểu đồ đầu tiên, lần đầu mở", False, 0, "s"),
            ("biểu đồ đầu tiên, mở lại (đã có bộ đệm)", False, 2, "s"),
            (f"biểu đồ đầu tiên, lần đầu mở, mạng {SLOW_MBIT} Mbit/s (trễ {SLOW_LATENCY_MS} ms)", True, 0, "s"),
            (f"biểu đồ đầu tiên, mở lại, mạng {SLOW_MBIT} Mbit/s", True, 2, "s")]
    figures = {}
    for label, slow, index, unit in rows:
        before, after = median("plain", slow, index), median("serve", slow, index)
        scale = 1024 * 1024 if unit == "MB" else 1
        figures[label] = (before, after)
        say(f"| {label} | {num(before / scale, 2)} {unit} | {num(after / scale, 2)} {unit} | "
            f"**{num(after / before, 2)}** |")
    say()
    return figures


async def _websocket_viewers(url: str, viewers: int) -> list:
    """Each viewer opens a session the way the browser does (Streamlit's websocket, its protobuf messages), asks for
    the default page and stops the clock at the first chart; returns the seconds, or the error, of each."""
    import asyncio

    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def viewer() -> float:
        start = time.perf_counter()
        async with websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=120) as socket:
            message = BackMsg()
            message.rerun_script.query_string = ""
            await socket.send(message.SerializeToString())
            while True:
                reply = ForwardMsg()
                reply.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=300))
                kind = reply.WhichOneof("type")
                if kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                    element = reply.delta.new_element.WhichOneof("type")
                    if element == "exception":
                        raise RuntimeError("trang hiện lỗi: " + reply.delta.new_element.exception.message[:60])
                    if element == "plotly_chart":
                        return time.perf_counter() - start
                if kind == "script_finished":
                    raise RuntimeError("trang chạy xong mà không có biểu đồ")

    async def guarded():
        try:
            return await viewer()
        except Exception as exc:  # noqa: BLE001 - every failure is counted and named, the others go on
            return exc

    await guarded()  # the server's caches
    return list(await asyncio.gather(*(guarded() for _ in range(viewers))))


def _peak_memory_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo hiệu năng nạp dữ liệu, các trang và trình duyệt.")
    parser.add_argument("--schools", default="140,1500,10000", help="các quy mô, cách nhau bằng dấu phẩy")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-large", action="store_true", help="bỏ kho 45.000 trường × 8 kỳ")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--only-browser", action="store_true",
                        help="chỉ phần trình duyệt (kho 140 trường có sẵn trong .bench/), ghi vào "
                             ".bench/benchmark_browser.md thay vì scripts/benchmark_results.md")
    parser.add_argument("--browser-runs", type=int, default=3, help="số lần đo lần đầu mở trang (trung vị)")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    sizes = [int(s) for s in args.schools.split(",")]
    say(f"# Kết quả đo hiệu năng ({dt.datetime.now():%d/%m/%Y %H:%M}, `scripts/benchmark.py "
        + ("--only-browser" if args.only_browser else f"--schools {args.schools}") + "`)")
    say()
    if args.only_browser:
        small = WORK / f"warehouse-{min(sizes)}" / "warehouse.duckdb"
        if not small.exists():
            small = load_table([min(sizes)], 1)[min(sizes)]
        browser_table(small, 20)
        if not args.no_large:
            browser_table(replicated_warehouse(small), 20)
        first_visit_table(small, args.browser_runs)
        target = WORK / "benchmark_browser.md"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"Đã ghi {target.relative_to(ROOT)}")
        return 0
    warehouses = load_table(sizes, args.runs)
    small = warehouses[min(warehouses)]
    queue_table(sample(min(warehouses)), small, min(warehouses), max(args.runs, 5))
    large = None if args.no_large else replicated_warehouse(small)
    pages_table(small, large, max(args.runs, 5))
    if not args.no_browser:
        browser_table(small, 20)
        if large:
            browser_table(large, 20)
        first_visit_table(small, args.browser_runs)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Đã ghi {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
