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
