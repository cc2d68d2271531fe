"""Issue 9: broken inputs and a broken machine. Each case ends with the previous warehouse intact, no temporary
file left and one Vietnamese sentence; never a traceback. Faults that need a non-root user or a full disk are
simulated (CI runs as root, where permissions do not bite) at the call that would fail."""
import errno
import os
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from etl import warehouse as warehouse_module
from etl.values import parse_int, parse_number, parse_percent
from tests import fixtures
from tests.conftest import DATA_TABLES, run_cli, table_rows
from tests.pages import sql

SURVEY_HEADER = ["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học",
                 "Số học liệu số", "Tỷ lệ thu không dùng tiền mặt (%)"]


def load(db, *paths):
    return run_cli("load", *paths, "--db", db, "--json")


def errors(report):
    return [i["text"] for f in report.get("files", []) for i in f["issues"] if i["severity"] == "error"]


def good_csv(folder, name="KS_CN_2025-2026_tot.csv"):
    """A one-school survey table that always loads (school 40200001, 1,200 pupils)."""
    good = folder / name
    good.write_text("Mã trường;Số lớp;Số học sinh;Số giáo viên;Số CBQL;Số phòng học\n40200001;30;1200;45;3;30\n",
                    encoding="utf-8")
    return good


def leftovers(db):
    return sorted(p.name for p in db.parent.iterdir() if ".tmp-" in p.name or p.name.endswith(".part"))


# ---- numbers no school has --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), float("nan"), 1e308, 1e19, 2e12,
                                 "INF", "-INF", "OVERFLOW", "1E+309", "NaN", "Infinity"])
def test_numbers_out_of_any_range_are_refused_in_words(raw):
    for parse in (parse_int, parse_number, parse_percent):
        with pytest.raises(ValueError) as info:
            parse(raw)
        assert "quá lớn" in str(info.value) or "NaN" in str(info.value) or "không phải" in str(info.value)
        assert len(str(info.value)) < 120  # a sentence, not 300 digits


def test_huge_and_nan_cells_reject_their_row_with_the_cell_and_keep_the_old_value(loaded_db, tmp_path):
    path = tmp_path / "KS_HK1_2024-2025_lon.xlsx"
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, SURVEY_HEADER)
    sheet.write_row(1, 0, ["40200001", 30, 1200, 45, 3, 30, 1e308])  # optional count: 1e308
    sheet.write_row(2, 0, ["40200002", 25, 1000, 38, 3, 25, 10, 1e19])
    book.close()
    before = sql(loaded_db, "SELECT school_code, digital_materials, cashless_pct FROM survey ORDER BY 1")
    code, report = load(loaded_db, path)
    found = errors(report)
    assert code in (1, 2) and any("ô G2" in e and "quá lớn" in e for e in found), found
    assert any("ô H3" in e for e in found), found
    assert sql(loaded_db, "SELECT school_code, digital_materials, cashless_pct FROM survey ORDER BY 1") == before


# ---- CSV edge cases ------------------------------------------------------------------------------------------------

def test_a_csv_cell_longer_than_the_csv_module_allows(loaded_db, tmp_path):
    path = tmp_path / "KS_CN_2025-2026.csv"
    note = "ghi chú dài " * 20000  # 240,000 characters in one cell
    path.write_text("Mã trường;Số lớp;Số học sinh;Số giáo viên;Số CBQL;Số phòng học;Ghi chú\n"
                    f"40200001;30;1200;45;3;30;\"{note}\"\n", encoding="utf-8")
    code, report = load(loaded_db, path)
    assert code == 0, errors(report)
    assert sql(loaded_db, "SELECT students FROM survey WHERE school_year = '2025-2026'") == [(1200,)]


def test_doubled_quotes_far_into_a_csv_do_not_split_rows(loaded_db, tmp_path):
    rows = [f"4020000{i % 2 + 1};{20 + i};{800 + i};40;3;20;\"ghi chú {i}\"" for i in range(2)]
    filler = "\n".join(f";;;;;;\"dòng trống số {i}\"" for i in range(400))  # push the quotes past 8 KB
    quoted = '40300001;30;1200;50;3;30;"Trường THCS ""Đặng Thai Mai"", Vinh"'
    path = tmp_path / "KS_CN_2025-2026.csv"
    path.write_text("Mã trường;Số lớp;Số học sinh;Số giáo viên;Số CBQL;Số phòng học;Ghi chú\n"
                    + "\n".join(rows) + "\n" + filler + "\n" + quoted + "\n", encoding="utf-8")
    code, report = load(loaded_db, path)
    assert not errors(report), errors(report)
    assert sql(loaded_db, "SELECT school_code, students FROM survey WHERE school_year = '2025-2026' ORDER BY 1") == \
        [("40200001", 800), ("40200002", 801), ("40300001", 1200)]


# ---- a task whose text is gone -------------------------------------------------------------------------------------

def test_a_task_row_without_its_task_text_keeps_the_previous_list(loaded_db, tmp_path):
    def task_book(path, rows):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["BẢNG THEO DÕI NHIỆM VỤ NĂM 2025"])
        sheet.append(["STT", "Nhiệm vụ", "Người phụ trách", "Trạng thái", "Tỷ lệ hoàn thành (%)"])
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path

    full = [[i, f"Nhiệm vụ số {i}", "Tổ CNTT", "Đang thực hiện", 50] for i in range(1, 4)]
    assert load(loaded_db, task_book(tmp_path / "nv_2025.xlsx", full))[0] == 0
    cleared = [row[:] for row in full]
    cleared[1][1] = None  # the text of task 2 was cleared (or a formula with no cached value)
    code, report = load(loaded_db, task_book(tmp_path / "nv_2025_moi.xlsx", cleared))
    assert code != 0 and any("ô B4" in e and "ô Nhiệm vụ trống" in e for e in errors(report)), errors(report)
    assert sql(loaded_db, "SELECT count(*) FROM office_tasks WHERE plan_year = 2025") == [(3,)]


# ---- names that would forge a report line -------------------------------------------------------------------------

def test_control_characters_in_a_file_name_are_shown_not_obeyed(loaded_db, tmp_path):
    path = tmp_path / "a\n✔ gia_mao.xlsx — đã nạp.xlsx"
    shutil.copyfile(fixtures.write_survey_table(tmp_path / "src.xlsx"), path)
    code, text = run_cli("load", path, "--db", loaded_db, "--force")
    assert "a\\x0a✔ gia_mao" in text
    assert not any(line.startswith("✔ gia_mao") for line in text.splitlines()), text


# ---- the warehouse cannot be written -----------------------------------------------------------------------------

def fail_copy(error_number):
    def copy(*args, **kwargs):
        raise OSError(error_number, os.strerror(error_number))
    return copy


@pytest.mark.parametrize("error_number, words", [(errno.ENOSPC, "ổ đĩa đã đầy"), (errno.EACCES, "không có quyền ghi"),
                                                  (errno.EROFS, "không có quyền ghi")])
def test_full_or_read_only_disk_is_one_sentence_and_changes_nothing(loaded_db, tmp_path, monkeypatch, error_number,
                                                                     words):
    before = table_rows(loaded_db, *DATA_TABLES)
    monkeypatch.setattr(warehouse_module.shutil, "copyfile", fail_copy(error_number))
    good = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_lan2.xlsx")
    code, report = load(loaded_db, good)
    assert code == 2 and words in report["error"] and "vẫn giữ nguyên" in report["error"], report
    monkeypatch.undo()
    assert table_rows(loaded_db, *DATA_TABLES) == before
    assert leftovers(loaded_db) == []


def test_disk_filling_during_the_write_leaves_the_old_warehouse(loaded_db, tmp_path, monkeypatch):
    before = table_rows(loaded_db, *DATA_TABLES)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(warehouse_module.os, "replace", full)
    again = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_b.xlsx")
    code, report = run_cli("load", again, "--db", loaded_db, "--json", "--force")
    assert code == 2 and "ổ đĩa đã đầy" in report["error"], report
    monkeypatch.undo()
    assert table_rows(loaded_db, *DATA_TABLES) == before and leftovers(loaded_db) == []


@pytest.mark.parametrize("command", [["load", "FILE"], ["refresh"], ["snapshot", "create", "Sơ kết"],
                                     ["registry", "REGISTRY"]])
def test_a_corrupt_warehouse_says_how_to_recover(tmp_path, command):
    db = tmp_path / "wh.duckdb"
    db.write_bytes(os.urandom(20000))
    args = [str(fixtures.write_survey_table(tmp_path / "KS.xlsx")) if a == "FILE" else
            str(fixtures.write_registry(tmp_path / "dm.csv")) if a == "REGISTRY" else a for a in command]
    corrupt = db.read_bytes()
    code, text = run_cli(*args, "--db", db)
    assert code == 2  # the sentence goes to stderr: see the next test
    assert db.read_bytes() == corrupt  # nothing written over it: it may still be recovered by hand
    assert leftovers(db) == [] and list(tmp_path.rglob("*.part")) == []


def test_a_corrupt_warehouse_message(tmp_path, capsys):
    from etl.__main__ import main

    db = tmp_path / "wh.duckdb"
    db.write_bytes(os.urandom(20000))
    assert main(["refresh", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "tệp kho dữ liệu bị hỏng" in err and "snapshot list" in err and "Traceback" not in err


# ---- inputs that cannot be read ------------------------------------------------------------------------------------

def test_an_unreadable_file_is_one_error_and_the_batch_goes_on(loaded_db, tmp_path, monkeypatch):
    from etl import loader

    locked = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_khoa.xlsx")
    good = good_csv(tmp_path, "KS_CN_2025-2026.csv")
    real = loader.sha256_file

    def sha(path):
        if path == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(loader, "sha256_file", sha)
    code, report = load(loaded_db, locked, good)
    statuses = {f["file"]: f["status"] for f in report["files"]}
    assert statuses == {locked.name: "rejected", good.name: "loaded"}, report
    assert any("không có quyền đọc" in e for e in errors(report))


def test_an_unreadable_folder_is_reported_and_the_rest_loads(loaded_db, tmp_path, monkeypatch):
    folder = tmp_path / "bao_cao"
    (folder / "khoa").mkdir(parents=True)
    good_csv(folder, "KS_CN_2025-2026.csv")
    real_walk = os.walk

    def walk(top, onerror=None, **kwargs):
        for here, dirs, files in real_walk(top, onerror=onerror, **kwargs):
            if "khoa" in dirs:
                dirs.remove("khoa")
                onerror(PermissionError(errno.EACCES, "Permission denied", str(folder / "khoa")))
            yield here, dirs, files
    monkeypatch.setattr(os, "walk", walk)
    code, report = load(loaded_db, folder)
    assert any("không đọc được thư mục" in e for e in errors(report)), report
    assert sql(loaded_db, "SELECT count(*) FROM survey WHERE school_year = '2025-2026'") == [(1,)]


def test_a_device_is_not_a_missing_file(tmp_path, loaded_db):
    code, report = load(loaded_db, "/dev/zero")
    assert code == 2 and "không phải tệp bảng tính thông thường" in report["error"], report


# ---- snapshots -------------------------------------------------------------------------------------------------------

def test_two_names_with_one_slug_in_the_same_second_are_two_snapshots(loaded_db):
    import datetime as dt

    from etl.snapshot import create_snapshot, list_snapshots

    now = dt.datetime(2026, 1, 10, 9, 0, 0)
    first = create_snapshot(loaded_db, "Sơ kết HK I", now)
    second = create_snapshot(loaded_db, "So ket HK I", now)
    assert first.path != second.path
    assert sorted(s.name for s in list_snapshots(loaded_db)) == ["So ket HK I", "Sơ kết HK I"]
    with pytest.raises(ValueError, match="đã có ảnh chụp"):
        create_snapshot(loaded_db, "Sơ kết HK I", now)  # the double click: one snapshot, then a clear no


def test_snapshots_at_once_make_one_each(loaded_db):
    from concurrent.futures import ThreadPoolExecutor

    from etl.snapshot import create_snapshot, list_snapshots

    def make(i):
        try:
            return create_snapshot(loaded_db, "Tổng kết").path
        except ValueError:
            return None
    with ThreadPoolExecutor(4) as pool:
        made = [p for p in pool.map(make, range(4)) if p]
    assert len(made) == 1 and [s.name for s in list_snapshots(loaded_db)] == ["Tổng kết"]
    with duckdb.connect(str(made[0]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM survey").fetchone()[0] == 5


# ---- small files that would kill the whole batch ---------------------------------------------------------------------

def rewrite_part(src, dst, part, change):
    import zipfile

    with zipfile.ZipFile(src) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == part else data)
    return dst


def small_survey(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, SURVEY_HEADER[:6])
    sheet.write_row(1, 0, ["40200002", 25, 1000, 38, 3, 25])
    book.close()
    return path


def _refless_cells(data):
    """Cells without a reference are placed one after another: 290 MB of them is an 18-million-column row."""
    cells = b"<c><v>1</v></c>" * (290 * 1024 * 1024 // 15)
    return data.replace(b"</sheetData>", b"<row>" + cells + b"</row></sheetData>")


def _huge_inline_text(data):
    return data.replace(b"</sheetData>", b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"A" * (290 * 1024 * 1024)
                        + b"</t></is></c></row></sheetData>")


HOSTILE = {
    # a two-cell sheet that declares the whole grid: the reader would reserve memory for 17 billion cells
    "dimension": lambda data: data.replace(b'<dimension ref="A1:F2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    # one merge over the whole sheet
    "merge": lambda data: data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell '
                                       b'ref="A3:XFD1048576"/></mergeCells>'),
    # five merges of 400 columns by 20,000 rows (took 46 s when merges were spread cell by cell)
    "five_merges": lambda data: data.replace(b"</sheetData>", b'</sheetData><mergeCells count="5">' + b"".join(
        b'<mergeCell ref="%s3:OJ20002"/>' % col for col in (b"A", b"B", b"C", b"D", b"E")) + b"</mergeCells>"),
}
# built on the fly, never committed: a small .xlsx whose sheet XML inflates to 290 MB (under the 300 MB cap)
INFLATING = {"refless_cells": _refless_cells, "huge_inline_text": _huge_inline_text}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_small_hostile_file_reads_what_it_holds(loaded_db, tmp_path, kind):
    """A declared dimension or merged ranges far past the cells there are cost nothing: the file loads its value."""
    hostile = rewrite_part(small_survey(tmp_path / "plain.xlsx"), tmp_path / f"KS_CN_2025-2026_{kind}.xlsx",
                           "xl/worksheets/sheet1.xml", HOSTILE[kind])
    assert hostile.stat().st_size < 10_000
    code, report = load(loaded_db, hostile)
    assert code == 0 and errors(report) == [], report
    assert sql(loaded_db, "SELECT students FROM survey WHERE school_code = '40200002' AND "
                          "school_year = '2025-2026'") == [(1000,)]


def _batch_goes_on(db, hostile, good):
    """`hostile` loaded beside `good`: the good file loads; the hostile one is refused in words, or loads what it
    holds (school 40200002 with 1,000 pupils), or both (partial)."""
    code, report = load(db, hostile, good)
    statuses = {f["file"]: f["status"] for f in report["files"]}
    assert statuses[good.name] == "loaded", report
    said = [e for e in errors(report) if hostile.name in e]
    if statuses[hostile.name] != "loaded":
        assert said and all("vượt giới hạn" in e or "quá lớn" in e for e in said), said
    if statuses[hostile.name] != "rejected":
        assert sql(db, "SELECT students FROM survey WHERE school_code = '40200002' AND school_year = '2025-2026'") \
            == [(1000,)]
    assert sql(db, "SELECT students FROM survey WHERE school_code = '40200001' AND school_year = '2025-2026'") \
        == [(1200,)]


@pytest.mark.parametrize("kind", sorted(INFLATING))
def test_a_file_that_inflates_to_290_mb_is_one_error_and_the_batch_goes_on(loaded_db, tmp_path, kind):
    hostile = rewrite_part(small_survey(tmp_path / "plain.xlsx"), tmp_path / f"KS_CN_2025-2026_{kind}.xlsx",
                           "xl/worksheets/sheet1.xml", INFLATING[kind])
    assert hostile.stat().st_size < 1_000_000
    _batch_goes_on(loaded_db, hostile, good_csv(tmp_path))


def test_one_huge_shared_string_in_3000_cells(loaded_db, tmp_path):
    """A 10 KB file whose one 1 MB shared string is used in 3,000 cells (3 GB of text once read): the file is one
    error and the batch goes on."""
    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, SURVEY_HEADER[:6] + ["Ghi chú"])
    sheet.write_row(1, 0, ["40200002", 25, 1000, 38, 3, 25])
    for r in range(2, 3002):
        sheet.write_string(r, 6, "DAI_QUA")
    book.close()
    hostile = rewrite_part(plain, tmp_path / "KS_CN_2025-2026_chuoi.xlsx", "xl/sharedStrings.xml",
                           lambda data: data.replace(b"DAI_QUA", b"x" * 1_000_000))
    assert hostile.stat().st_size < 40_000
    _batch_goes_on(loaded_db, hostile, good_csv(tmp_path))


def test_a_file_that_needs_too_much_memory_is_refused(loaded_db, tmp_path, monkeypatch):
    """The memory limit per file, made small so that an ordinary file exceeds it: the worker dies, the file gets
    one error, and the next file still loads in a fresh worker."""
    from etl import settings

    real = settings.setting
    monkeypatch.setattr("etl.isolate.setting", lambda name: 1 if name == "max_memory_mb_per_file" else real(name))
    code, report = load(loaded_db, big_survey(tmp_path / "KS_CN_2025-2026_to.xlsx"),
                        small_survey(tmp_path / "KS_CN_2025-2026_nho.xlsx"))
    statuses = {f["file"]: f["status"] for f in report["files"]}
    assert statuses["KS_CN_2025-2026_to.xlsx"] == "rejected", report
    assert any("quá lớn" in e and "1 MB bộ nhớ" in e for e in errors(report)), errors(report)


def big_survey(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, SURVEY_HEADER[:6])
    for r in range(1, 19990):
        sheet.write_row(r, 0, [f"X{r}", 1, 2, 3, 4, 5])
    book.close()
    return path


ONE_READER_LOAD = """
import sys
from etl.settings import load_settings
load_settings().update({"reader_processes": 1})
from etl.__main__ import main
sys.exit(main(["load", *sys.argv[2:-1], "--db", sys.argv[-1], "--json"]))
"""


def _descendants(pid: int) -> list[int]:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found += (kids := children.get(todo.pop(), []))
        todo += kids
    return found


def test_a_worker_killed_mid_read_is_one_error_and_the_batch_goes_on(loaded_db, tmp_path):
    """The kernel's out-of-memory killer (or an operator) kills the process reading a file: that file gets one
    error, a fresh worker reads the next file, the load ends normally."""
    import json
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    slow = big_survey(tmp_path / "KS_CN_2025-2026_cham.xlsx")
    good = good_csv(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", ONE_READER_LOAD, "x", str(slow), str(good), str(loaded_db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline and not workers:  # the fork server's child: the worker reading the slow file
        time.sleep(0.2)
        workers = [pid for server in _descendants(proc.pid) for pid in _descendants(server)]
    assert workers, "no worker started"
    time.sleep(0.5)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    report = json.loads(out)
    statuses = {f["file"]: f["status"] for f in report["files"]}
    assert statuses == {slow.name: "rejected", good.name: "loaded"}, report
    assert any(slow.name in e and "quá lớn hoặc hỏng" in e for e in errors(report)), errors(report)
    assert sql(loaded_db, "SELECT students FROM survey WHERE school_code = '40200001' AND school_year = '2025-2026'") \
        == [(1200,)]


def test_a_corrupt_warehouse_in_the_app_is_one_vietnamese_sentence(tmp_path, monkeypatch):
    from tests.pages import open_page, texts

    db = tmp_path / "wh.duckdb"
    db.write_bytes(os.urandom(20000))
    monkeypatch.setenv("DX_DB", str(db))
    app = open_page()
    assert "tệp kho dữ liệu bị hỏng" in texts(app) and "snapshot list" in texts(app)
    assert not app.get("plotly_chart")


def test_a_file_that_takes_too_long_is_refused(loaded_db, tmp_path, monkeypatch):
    """A file that takes a few seconds to read (19,989 rows of unknown schools), against a limit of 0 seconds."""
    from etl import settings

    real = settings.setting
    monkeypatch.setattr("etl.isolate.setting", lambda name: 0 if name == "max_seconds_per_file" else real(name))
    code, report = load(loaded_db, big_survey(tmp_path / "KS_CN_2025-2026.xlsx"))
    assert any("quá 0 giây" in e for e in errors(report)), errors(report)


def test_text_longer_than_an_excel_cell_is_refused_at_its_cell_quickly(loaded_db, tmp_path):
    """Another writer put 1,000,000 characters in one cell, used in 200 cells: no Excel cell holds that much."""
    import time

    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, SURVEY_HEADER[:6] + ["Ghi chú"])
    sheet.write_row(1, 0, ["40200002", 25, "DAI_QUA", 38, 3, 25])
    for r in range(2, 202):
        sheet.write_string(r, 6, "DAI_QUA")
    book.close()
    long = rewrite_part(plain, tmp_path / "KS_CN_2025-2026_dai.xlsx", "xl/sharedStrings.xml",
                        lambda data: data.replace(b"DAI_QUA", b"x" * 1_000_000))
    started = time.monotonic()
    code, report = load(loaded_db, long)
    assert time.monotonic() - started < 60
    assert any("ô C2" in e and "vượt giới hạn 32.767 ký tự" in e and "Số học sinh" in e for e in errors(report)), \
        errors(report)


def test_a_real_xls_renamed_xlsx_reads_as_what_it_is(loaded_db, tmp_path):
    renamed = tmp_path / "bieu_tong_hop_lo.xlsx"
    shutil.copyfile(os.path.join(os.path.dirname(__file__), "data", "libreoffice", "bieu_tong_hop_lo.xls"), renamed)
    code, report = load(loaded_db, renamed)
    assert errors(report) == ["bieu_tong_hop_lo.xlsx, trang 'Tiểu học', ô H7: ô chứa lỗi công thức #DIV/0! "
                              "(Số phòng học)"], report


def test_lowercase_cell_references_with_a_percentage_style(loaded_db, tmp_path):
    """Some writers spell cell references in lower case (r="g2"): error cells and % formats are still found."""
    plain = fixtures.write_error_and_percent_sheet(tmp_path / "plain.xlsx")
    import re

    def lowercase(data):
        return re.sub(rb' r="([A-Z]+)([0-9]+)"', lambda m: b' r="' + m[1].lower() + m[2] + b'"', data)
    lower = rewrite_part(plain, tmp_path / "KS_CN_2025-2026.xlsx", "xl/worksheets/sheet1.xml", lowercase)
    code, report = load(loaded_db, lower)
    assert any("ô F3" in e and "#DIV/0!" in e for e in errors(report)), errors(report)
    assert sql(loaded_db, "SELECT cashless_pct FROM survey WHERE school_year = '2025-2026'") == [(100.0,)]


def test_a_flipped_bit_anywhere_in_an_xlsx_is_a_sentence(loaded_db, tmp_path):
    """Found by the hostile fuzz: a bit flipped inside compressed data raised zlib.error in the side read of the
    sheet XML. Every position of a small file (every 7th byte): loaded or refused in words, never a loader fault."""
    data = small_survey(tmp_path / "plain.xlsx").read_bytes()
    files = []
    for position in range(0, len(data), 7):
        damaged = tmp_path / f"KS_CN_2025-2026_{position:05d}.xlsx"
        damaged.write_bytes(data[:position] + bytes([data[position] ^ 1]) + data[position + 1:])
        files.append(damaged)
    code, report = run_cli("load", *files, "--db", loaded_db, "--json")
    faults = [i["text"] for f in report["files"] for i in f["issues"] if i["code"] == "loader_fault"]
    assert faults == [] and len(report["files"]) == len(files)
