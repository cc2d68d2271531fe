"""The loader end to end on the small messy fixture set: values, traceability, replacement, safety."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests import fixtures
from tests.conftest import DATA_TABLES, ROOT, run_cli, table_rows


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_messy_table_loads_the_right_values(loaded_db):
    rows = query(loaded_db, """SELECT school_code, level, school_year, period, classes, students, it_rooms,
        it_computers, e_gradebook, cashless_pct, mgmt_software FROM survey ORDER BY school_code""")
    assert rows == [
        ("40100001", "MN", "2024-2025", "HK1", 12, 360, None, None, None, 85.0, "SMAS"),
        # no code, NFD name with a double space, "1.234" as text, "0,5" as a share
        ("40100002", "MN", "2024-2025", "HK1", 10, 1234, None, None, None, 50.0, None),
        # name typed in TCVN3; "x" ticks
        ("40200001", "TH", "2024-2025", "HK1", 30, 1200, 1, 20, True, 90.0, "VnEdu"),
        ("40200002", "TH", "2024-2025", "HK1", 25, 1000, 0, 0, False, 40.0, "VnEdu"),
        ("40300001", "THCS", "2024-2025", "HK1", 30, 1200, 2, 36, True, 95.0, "SMAS"),
    ]


def test_every_value_traces_to_its_cell(loaded_db):
    [(sheet, row, file)] = query(loaded_db, "SELECT source_sheet, source_row, source_file FROM survey "
                                            "WHERE school_code = '40200001'")
    assert (sheet, row, file) == ("Tổng hợp", 16, "KS_HK1_2024-2025.xlsx")
    cells = dict(query(loaded_db, "SELECT field, cell FROM survey_cells WHERE school_code = '40200001'"))
    assert cells["students"] == "E16" and cells["it_computers"] == "J16"
    raw = query(loaded_db, "SELECT raw_value FROM survey_cells WHERE school_code = '40100002' AND field = 'students'")
    assert raw == [("1.234",)]


def test_implausible_class_size_loads_with_a_warning(loaded_db):
    [(warnings,)] = query(loaded_db, "SELECT warnings FROM survey WHERE school_code = '40100002'")
    assert warnings == 1
    [(cell, message)] = query(loaded_db, "SELECT cell, message FROM load_issues WHERE severity = 'warning'")
    assert cell == "E13" and message == "Bình quân Số học sinh / Số lớp = 123,4: lớn hơn 60"


def test_loading_the_same_file_twice_changes_nothing(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES, "load_log", "load_issues")
    mtime = loaded_db.stat().st_mtime_ns
    again = fixtures.write_survey_table(tmp_path / "copy_with_another_name.xlsx")
    code, report = run_cli("load", again, "--db", loaded_db, "--json")
    assert code == 0 and report["files"][0]["status"] == "unchanged" and report["load_id"] is None
    assert table_rows(loaded_db, *DATA_TABLES, "load_log", "load_issues") == before
    assert loaded_db.stat().st_mtime_ns == mtime


def test_newer_file_replaces_and_the_replacement_is_recorded(loaded_db, tmp_path):
    rows = [("II. TIỂU HỌC", None),
            (None, ["40200001", "Trường Tiểu học Lê Lợi", 31, 1250, 46, 3, 31, 2, 40, 750, 19, "x", 95, "VnEdu"])]
    newer = fixtures.write_survey_table(tmp_path / "KS_LeLoi_bo_sung.xlsx", rows=rows)
    code, report = run_cli("load", newer, "--db", loaded_db, "--json")
    assert code == 0 and report["totals"]["rows_replaced"] == 1
    assert query(loaded_db, "SELECT students, it_computers, source_file FROM survey WHERE school_code = '40200001'") \
        == [(1250, 40, "KS_LeLoi_bo_sung.xlsx")]
    assert query(loaded_db, "SELECT dataset, school_code, school_year, period, old_file, new_file FROM replacements") \
        == [("survey", "40200001", "2024-2025", "HK1", "KS_HK1_2024-2025.xlsx", "KS_LeLoi_bo_sung.xlsx")]
    assert query(loaded_db, "SELECT count(*) FROM survey")[0][0] == 5  # the other schools stay


def test_files_are_archived_by_content_hash(loaded_db):
    [(sha, archive)] = query(loaded_db, "SELECT sha256, archive_path FROM load_log WHERE file_name LIKE 'KS_%'")
    stored = loaded_db.parent / archive
    assert stored.name == f"{sha}.xlsx"
    assert stored.read_bytes() == (loaded_db.parent / "KS_HK1_2024-2025.xlsx").read_bytes()


def test_assessment_form_loads_scores_and_mandatory_conditions(loaded_db, tmp_path):
    form = fixtures.write_assessment_form(tmp_path / "TDG_DTM.xlsx", scores={"2.2": "Chưa đạt", "1.4": 10})
    code, report = run_cli("load", form, "--db", loaded_db, "--json")
    assert code == 0, report
    rows = dict((c, (s, m)) for c, s, m in query(
        loaded_db, "SELECT criterion, self_score, mandatory_met FROM assessment_4725 WHERE school_code = '40300001'"))
    assert len(rows) == 30
    assert rows["2.2"] == (None, False) and rows["1.1"] == (None, True) and rows["1.4"] == (10.0, None)
    assert rows["1.3.1"] == (3.0, None)
    [(cell, evidence)] = query(loaded_db, "SELECT self_source_cell, evidence FROM assessment_4725 "
                                          "WHERE criterion = '1.4'")
    assert evidence == "MC-1.4" and cell.startswith("D")


def test_json_report_shape(loaded_db, tmp_path):
    bad = fixtures.write_survey_table(tmp_path / "KS_x.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, "bốn mươi", 3, 25, 0, 0, 600, 15, "", 40, "VnEdu"]),
        (None, ["40300002", "THCS Hưng Dũng", 28, 1100, 50, 3, 28, 2, 40, 1100, 28, "x", 80, "SMAS"])])
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(bad), "--db", str(loaded_db), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    [entry] = report["files"]
    assert (entry["status"], entry["rows_loaded"], entry["rows_rejected"]) == ("partial", 1, 1)
    [issue] = [i for i in entry["issues"] if i["severity"] == "error"]
    assert {k: issue[k] for k in ("file", "sheet", "cell", "severity")} == {
        "file": "KS_x.xlsx", "sheet": "Tổng hợp", "cell": "F12", "severity": "error"}
    assert issue["message"] == '"bốn mươi" không phải là số (Số giáo viên)'


def test_text_report_and_exit_codes(loaded_db, tmp_path):
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(tmp_path / "khong_co.xlsx"), "--db",
                          str(loaded_db)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "không tìm thấy tệp hoặc thư mục" in out.stderr
    good = fixtures.write_survey_table(tmp_path / "KS_2.xlsx", rows=[
        ("III. THCS", None), (None, ["40300002", "THCS Hưng Dũng", 28, 1100, 50, 3, 28, 2, 40, 1100, 28, "x", 80, ""])])
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(good), "--db", str(loaded_db)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    assert "✔ KS_2.xlsx — đã nạp (biểu tổng hợp khảo sát; 2024-2025 HK1): nạp 1 dòng" in out.stdout
    assert "Thời gian:" in out.stdout and "[1/1] KS_2.xlsx" in out.stderr


def test_no_registry_is_a_usage_error(tmp_path):
    path = fixtures.write_survey_table(tmp_path / "KS.xlsx")
    code, report = run_cli("load", path, "--db", tmp_path / "new.duckdb", "--json")
    assert code == 2 and "chưa có danh mục trường" in report["error"]


def test_failure_before_the_swap_leaves_the_warehouse_intact(loaded_db, tmp_path, monkeypatch):
    import etl.warehouse

    before = table_rows(loaded_db, *DATA_TABLES, "load_log")
    newer = fixtures.write_survey_table(tmp_path / "KS_new.xlsx", rows=[
        ("II. TIỂU HỌC", None), (None, ["40200001", "Lê Lợi", 31, 1250, 46, 3, 31, 2, 40, 750, 19, "x", 95, ""])])

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(etl.warehouse.os, "replace", broken_replace)
    with pytest.raises(OSError):
        run_cli("load", newer, "--db", loaded_db, "--json")
    monkeypatch.undo()
    assert table_rows(loaded_db, *DATA_TABLES, "load_log") == before
    assert not list(loaded_db.parent.glob("*.tmp-*"))


KILLABLE_LOAD = """
import sys, time, pathlib
import etl.store as store
original = store.store_results
def slow(*args, **kwargs):
    original(*args, **kwargs)
    pathlib.Path(sys.argv[1]).write_text("written")
    time.sleep(60)
store.store_results = slow
from etl.__main__ import main
main(["load", sys.argv[2], "--db", sys.argv[3]])
"""


def test_kill_mid_load_leaves_the_previous_warehouse(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES, "load_log")
    newer = fixtures.write_survey_table(tmp_path / "KS_kill.xlsx", rows=[
        ("II. TIỂU HỌC", None), (None, ["40200001", "Lê Lợi", 31, 1250, 46, 3, 31, 2, 40, 750, 19, "x", 95, ""])])
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_LOAD, str(marker), str(newer), str(loaded_db)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the load never reached the write"
    assert table_rows(loaded_db, *DATA_TABLES, "load_log") == before  # a reader mid-load sees the old warehouse
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert table_rows(loaded_db, *DATA_TABLES, "load_log") == before
    code, report = run_cli("load", newer, "--db", loaded_db, "--json")  # the next load cleans up and works
    assert code == 0 and report["totals"]["rows_replaced"] == 1
    assert not list(loaded_db.parent.glob("*.tmp-*"))


def test_second_writer_is_refused_while_one_runs(loaded_db, tmp_path):
    from etl.reference import load_catalogue
    from etl.warehouse import Busy, WarehouseWrite

    with WarehouseWrite(loaded_db, load_catalogue()) as first:
        first.discard()
        code, report = run_cli("load", fixtures.write_survey_table(tmp_path / "KS_z.xlsx"), "--db", loaded_db,
                               "--json")
        assert code == 2 and "đang có một lần nạp khác" in report["error"]
    with pytest.raises(Busy):
        with WarehouseWrite(loaded_db, load_catalogue()):
            with WarehouseWrite(loaded_db, load_catalogue()):
                pass


def test_the_command_line_help_is_in_vietnamese():
    import contextlib
    import io

    from etl.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["--help"])
    text = out.getvalue()
    assert text.startswith("Cách dùng: python -m etl") and "tuỳ chọn:" in text and "hiện hướng dẫn này" in text
    assert "usage:" not in text and "options:" not in text and "show this help" not in text
