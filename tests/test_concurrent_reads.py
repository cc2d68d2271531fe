"""Issue 9: pages read while loads swap the warehouse in. Sessions run in threads that share one Warehouse; a swap
must never fail a read in flight ("Connection already closed", "connection is busy", "No open result set")."""
import shutil
import threading
import time

from dashboard.data import Warehouse
from tests.conftest import run_cli


def test_reads_in_six_threads_survive_twenty_swaps(loaded_db, tmp_path):
    warehouse = Warehouse(loaded_db)
    other = tmp_path / "copy.duckdb"
    shutil.copyfile(loaded_db, other)
    failures, reads, stop = [], [0], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                assert warehouse.scalar("SELECT count(*) FROM survey") == 5
                assert len(warehouse.query("SELECT * FROM schools")) == 7
                reads[0] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                failures.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        for i in range(20):  # swap the file in the way a load does: a copy renamed over the original
            staged = tmp_path / f"staged-{i}.duckdb"
            shutil.copyfile(other, staged)
            staged.replace(loaded_db)
            time.sleep(0.05)
        code, _ = run_cli("refresh", "--db", loaded_db)  # and once through a real write
        assert code == 0
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == [] and reads[0] > 20, (failures[:5], reads[0])


LOAD_LOOP = """
import sys
from pathlib import Path
from etl.__main__ import main
if __name__ == "__main__":
    db, stop, files = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    for i in range(400):  # until the pages have been seen during the loads: a load takes what it takes
        if stop.exists():
            break
        main(["load", files[i % len(files)], "--db", db, "--json"])
"""


def test_every_page_renders_while_loads_replace_the_warehouse(loaded_db, tmp_path, monkeypatch):
    """The app as a user sees it during a load: each page, opened again and again while another process loads two
    versions of a file in turn (each load swaps the warehouse), shows its content and never an error."""
    import os
    import subprocess
    import sys

    from tests import fixtures
    from tests.conftest import ROOT
    from tests.pages import open_page, texts

    versions = [fixtures.write_survey_table(tmp_path / f"KS_HK1_2024-2025_{i}.xlsx", rows=[
        (None, ["40200001", "Lê Lợi", 30 + i, 1200 + i, 45, 3, 30, 2, 40, 750, 19, "x", 95, ""])]) for i in (1, 2)]
    monkeypatch.setenv("DX_DB", str(loaded_db))
    script = tmp_path / "load_loop.py"
    script.write_text(LOAD_LOOP)
    stop = tmp_path / "stop"
    loads = subprocess.Popen([sys.executable, str(script), str(loaded_db), str(stop), *map(str, versions)], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    pages = ["tong_quan.py", "muc_do_4725.py", "may_tinh.py", "ke_hoach.py", "ho_so_truong.py", "chat_luong.py"]
    renders = during = 0
    try:
        while loads.poll() is None or renders < len(pages):
            loading = loads.poll() is None
            app = open_page(pages[renders % len(pages)])  # asserts no exception
            assert "Traceback" not in texts(app) and not app.error, [e.value for e in app.error]
            renders += 1
            during += loading and loads.poll() is None
            if during >= 2 * len(pages):
                stop.touch()
    finally:
        stop.touch()
        _, err = loads.communicate(timeout=300)
    assert loads.returncode == 0 and "Traceback" not in err, err
    assert during >= 2 * len(pages), (during, renders)  # each page rendered twice with loads before and after


def test_a_reader_sees_the_file_a_load_put_in_place(tmp_path):
    """DuckDB hands back the database a process already holds under a path, even after the file was replaced; the
    dashboard's reader must open the new file (seen: a page kept the old figures after a load from the app)."""
    import os
    import shutil

    import duckdb

    from dashboard.data import Warehouse

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    reader = Warehouse(path)
    assert reader.scalar("SELECT x FROM t") == 1
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(path, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE t SET x = 2")
    os.replace(copy, path)
    assert reader.scalar("SELECT x FROM t") == 2
