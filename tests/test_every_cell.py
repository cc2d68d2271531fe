"""Issue 20: the eight shapes a new user sent that lost data (half of them silently), and the accounting of every
cell: each file loads the values it holds, or stops with a message at the cell saying what to do; a number the
loader did not read is never silent (the CLI lists its range and exits 1)."""
import csv
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from etl.issues import IssueLog
from etl.reference import load_catalogue
from etl.values import parse_level, parse_ownership
from tests.conftest import run_cli
from tests.pages import sql

CRITERIA = load_catalogue().criteria
PRIMARY = ("40200001", "40200002")  # schools of the fixture registry (tests/fixtures.py)
SECONDARY = ("40300001", "40300002")
PRESCHOOL = ("40100001", "40100002")


def load(db, path):
    return run_cli("load", path, "--db", db, "--json")


def messages(report, severity=None, code=None):
    return [i for f in report["files"] for i in f["issues"]
            if (severity is None or i["severity"] == severity) and (code is None or i["code"] == code)]


def scores_of(school: str, seed: int) -> dict[str, object]:
    """A school's 4725 scores: mandatory criteria met, the others a share of their maximum."""
    return {c["code"]: ("Đạt" if c["mandatory"] else round(c["max_points"] * ((seed + i) % 5) / 4 * 2) / 2)
            for i, c in enumerate(CRITERIA)}


def scores_in(db, code: str, kind: str) -> dict[str, float]:
    return dict(sql(db, "SELECT criterion, score FROM assessment_scores WHERE school_code = ? AND kind = ? "
                        "AND score IS NOT NULL", [code, kind]))


# ---- 1. a 4725 form whose identity block stands in columns B-C -------------------------------------------

def write_form_bc(path, code: str, name: str, self_scores: dict, verified: dict):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phiếu tự đánh giá"
    sheet["A1"], sheet["E1"] = "UBND PHƯỜNG THÀNH VINH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    sheet["A2"], sheet["E2"] = name.upper(), "Độc lập - Tự do - Hạnh phúc"
    sheet["A4"] = "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ CƠ SỞ GIÁO DỤC"
    sheet["A5"] = "Năm học 2024-2025"
    sheet["B7"], sheet["C7"] = "Tên trường:", name
    sheet["B8"], sheet["C8"] = "Mã trường:", code
    sheet.append([])
    sheet.append(["TT", "Mã tiêu chí", "Tên tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Minh chứng"])
    for n, c in enumerate(CRITERIA, 1):
        sheet.append([n, c["code"], c["name_vi"], "Bắt buộc" if c["mandatory"] else c["max_points"],
                      self_scores[c["code"]], verified[c["code"]], f"MC-{n:02d}"])
    sheet.append([])
    sheet.append(["", "", "HIỆU TRƯỞNG"])
    book.save(path)


def test_form_with_the_identity_block_in_columns_b_and_c_loads_both_kinds_of_scores(loaded_db, tmp_path):
    folder = tmp_path / "phieu"
    folder.mkdir()
    for i, code in enumerate(PRIMARY):
        own, checked = scores_of(code, i), scores_of(code, i + 1)
        write_form_bc(folder / f"TDG_{code}.xlsx", code, f"Trường Tiểu học số {i}", own, checked)
    status, report = load(loaded_db, folder)
    assert status == 0, messages(report)
    for i, code in enumerate(PRIMARY):
        for kind, seed in (("self", i), ("verified", i + 1)):
            want = {k: v for k, v in scores_of(code, seed).items() if v != "Đạt"}
            assert scores_in(loaded_db, code, kind) == pytest.approx(want)
    for file in report["files"]:  # identity 2, per criterion self + verified + evidence (none for 1.x headings)
        assert file["cells"]["unaccounted_numbers"] == 0 and file["cells"]["loaded"] == 2 + 3 * len(CRITERIA)


# ---- 2-4. registries as offices write them ------------------------------------------------------------------

def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def install(folder, rows) -> tuple:
    """A registry written as a CSV and installed into a new warehouse: (warehouse, what the command said)."""
    db = folder / "wh.duckdb"
    status, text = run_cli("registry", write_csv(folder / "danh_muc.csv", rows), "--db", db)
    assert status == 0, text
    return db, text


def test_registry_headed_ma_dinh_danh_installs(tmp_path):
    db, _ = install(tmp_path, [
        ["Mã định danh", "Tên trường", "Cấp học", "Loại hình", "Phường/xã"],
        ["40100001", "Trường Mầm non Hưng Dũng", "Mầm non", "Công lập", "Hưng Dũng"],
        ["40200001", "Trường Tiểu học Lê Lợi", "Tiểu học", "Công lập", "Lê Lợi"]])
    assert sql(db, "SELECT school_code FROM schools ORDER BY 1") == [("40100001",), ("40200001",)]


def test_registry_codes_with_a_leading_apostrophe_are_cleaned_and_files_of_those_schools_load(tmp_path):
    db, _ = install(tmp_path, [
        ["STT", "Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã"],
        ["1", "'HX0105", "Trường Tiểu học Hưng Dũng 1", "Tiểu học", "Công lập", "Hưng Dũng"],
        ["2", "'HX0106\u00a0", "Trường Tiểu học Lê Lợi", "Tiểu học", "Công lập", "Lê Lợi"]])
    assert sql(db, "SELECT school_code FROM schools ORDER BY 1") == [("HX0105",), ("HX0106",)]
    survey = tmp_path / "KS_CN_2024-2025.csv"
    write_csv(survey, [["Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"],
                       ["HX0105", "TH Hưng Dũng 1", "20", "700", "30", "3", "20"]])
    status, report = load(db, survey)
    assert status == 0, messages(report)
    assert sql(db, "SELECT school_code, classes FROM survey") == [("HX0105", 20)]


def test_registry_new_ward_under_don_vi_hanh_chinh_cap_xa_is_read_and_summarised(tmp_path):
    db, text = install(tmp_path, [
        ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Đơn vị hành chính cấp xã"],
        ["40100001", "Trường Mầm non Hưng Dũng", "Mầm non", "Công lập", "Phường Trường Vinh"],
        ["40200001", "Trường Tiểu học Lê Lợi", "Tiểu học", "Công lập", "Phường Thành Vinh"]])
    assert sql(db, "SELECT school_code, ward_new, ward_new_code FROM schools ORDER BY 1") == [
        ("40100001", "Trường Vinh", 16690), ("40200001", "Thành Vinh", 16681)]
    assert "phường/xã mới: 2/2" in text.casefold()
    assert "phường/xã cũ" in text.casefold() and "0/2" in text  # the former unit is missing, and said so


def test_registry_numeric_codes_that_lost_their_leading_zeros_are_restored_when_every_code_has_one_width(tmp_path):
    path = tmp_path / "danh_muc.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã"])
    sheet.write_row(1, 0, [4012345, "Trường Mầm non Hưng Dũng", "Mầm non", "Công lập", "Hưng Dũng"])  # was 04012345
    sheet.write_row(2, 0, ["04012346", "Trường Tiểu học Lê Lợi", "Tiểu học", "Công lập", "Lê Lợi"])
    sheet.write_row(3, 0, [14012347, "Trường THCS Hưng Dũng", "THCS", "Công lập", "Hưng Dũng"])
    book.close()
    db = tmp_path / "wh.duckdb"
    status, text = run_cli("registry", path, "--db", db)
    assert status == 0, text
    assert sql(db, "SELECT school_code FROM schools ORDER BY 1") == [("04012345",), ("04012346",), ("14012347",)]
    assert "04012345" in text and "số 0 ở đầu" in text


# ---- 5. a comparison sheet, one column per school -------------------------------------------------------------

LABELS = ["Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học", "Số phòng máy tính",
          "Số máy tính dạy Tin học"]
FIELDS = ["classes", "students", "teachers", "managers", "classrooms", "it_rooms", "it_computers"]


def test_comparison_sheet_one_column_per_school_loads_every_school(loaded_db, tmp_path):
    schools = [*PRIMARY, *SECONDARY]
    values = {code: [20 + i, 700 + 10 * i, 30 + i, 3, 20 + i, 1 + i % 2, 20 + 2 * i] for i, code in enumerate(schools)}
    path = tmp_path / "So_sanh_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SO SÁNH SỐ LIỆU CÁC TRƯỜNG – Tổng kết năm học 2024-2025"])
    sheet.append([])
    sheet.append(["Mã trường", *schools])
    sheet.append(["Tên trường", "TH Lê Lợi", "TH Hưng Dũng 1", "THCS Đặng Thai Mai", "THCS Hưng Dũng"])
    for row, label in enumerate(LABELS):
        sheet.append([label, *[values[c][row] for c in schools]])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    got = {r[0]: list(r[1:]) for r in sql(loaded_db, f"SELECT school_code, {', '.join(FIELDS)} FROM survey "
                                                     "WHERE school_year = '2024-2025' AND period = 'CN'")}
    assert got == values
    assert report["files"][0]["cells"]["unaccounted_numbers"] == 0
    assert [i["code"] for i in messages(report, "info")] == ["schools_in_columns"]  # the reading is said


# ---- 6. two tables on one sheet ----------------------------------------------------------------------------------

def test_two_tables_on_one_sheet_load_both(loaded_db, tmp_path):
    path = tmp_path / "Tong_hop_HK1_2025-2026.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["BIỂU TỔNG HỢP KHẢO SÁT CHUYỂN ĐỔI SỐ – Sơ kết học kỳ I năm học 2025-2026"])
    sheet.append(["I. MẦM NON"])
    sheet.append(["TT", "Mã trường", "Tên trường", "Số lớp", "Số trẻ", "Số giáo viên", "Số CBQL", "Số phòng học"])
    sheet.append([1, PRESCHOOL[0], "MN Hưng Dũng", 12, 360, 24, 3, 12])
    sheet.append([2, PRESCHOOL[1], "MN Hoa Sen", 10, 300, 20, 2, 10])
    sheet.append(["", "", "Cộng", 22, 660, 44, 5, 22])
    sheet.append([])
    sheet.append(["II. TIỂU HỌC VÀ TRUNG HỌC CƠ SỞ"])
    sheet.append(["TT", "Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học",
                  "Số phòng máy tính", "Số máy tính dạy Tin học", "Số học sinh học Tin học", "Số lớp học Tin học"])
    sheet.append([1, PRIMARY[0], "TH Lê Lợi", 30, 1200, 45, 3, 30, 1, 20, 720, 18])
    sheet.append([2, SECONDARY[0], "THCS Đặng Thai Mai", 30, 1200, 60, 3, 30, 2, 36, 1200, 30])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    got = sql(loaded_db, "SELECT school_code, classes, students, it_computers FROM survey WHERE school_year = "
                         "'2025-2026' ORDER BY 1")
    assert got == [(PRESCHOOL[0], 12, 360, None), (PRESCHOOL[1], 10, 300, None), (PRIMARY[0], 30, 1200, 20),
                   (SECONDARY[0], 30, 1200, 36)]
    assert report["files"][0]["cells"]["unaccounted_numbers"] == 0
    [said] = messages(report, code="several_tables")
    assert "2 bảng" in said["message"] and "dòng 3, dòng 9" in said["message"]


# ---- 7. a 4725 table whose criterion headers are merged over "Tự đánh giá" | "Thẩm định" -----------------

def test_criterion_header_merged_over_self_and_verified_sub_columns(loaded_db, tmp_path):
    path = tmp_path / "KQ_4725_2024-2025.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Kết quả")
    sheet.write(0, 0, "KẾT QUẢ TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH MỨC ĐỘ CHUYỂN ĐỔI SỐ NĂM HỌC 2024-2025")
    sheet.merge_range(2, 0, 3, 0, "Mã trường")
    sheet.merge_range(2, 1, 3, 1, "Tên trường")
    for i, c in enumerate(CRITERIA):
        col = 2 + 2 * i
        sheet.merge_range(2, col, 2, col + 1, c["code"])
        sheet.write_row(3, col, ["Tự đánh giá", "Thẩm định"])
    schools = [*PRIMARY, *SECONDARY]
    for r, code in enumerate(schools, 4):
        own, checked = scores_of(code, r), scores_of(code, r + 2)
        sheet.write_row(r, 0, [code, f"Trường {code}"])
        for i, c in enumerate(CRITERIA):
            sheet.write_row(r, 2 + 2 * i, [own[c["code"]], checked[c["code"]]])
    book.close()
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    assert not messages(report, code="assumed_self")
    for r, code in enumerate(schools, 4):
        for kind, seed in (("self", r), ("verified", r + 2)):
            want = {k: v for k, v in scores_of(code, seed).items() if v != "Đạt"}
            assert scores_in(loaded_db, code, kind) == pytest.approx(want), (code, kind)


# ---- 8. units typed into numbers; approximations and words ---------------------------------------------------------

def test_a_number_with_its_unit_loads_with_a_note_and_an_approximation_is_an_error_saying_what_to_type(loaded_db,
                                                                                                      tmp_path):
    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học",
                  "Số máy tính dạy Tin học", "Số phòng máy tính"])
    sheet.append([PRIMARY[0], "TH Lê Lợi", "30 lớp", "1.200 HS", "45 GV", 3, "30 phòng", "25 máy", 1])
    sheet.append([PRIMARY[1], "TH Hưng Dũng 1", 25, "khoảng 1000", 38, 3, 25, "Không có", 1])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 1  # one school refused
    assert sql(loaded_db, "SELECT classes, students, teachers, classrooms, it_computers FROM survey "
                          "WHERE school_code = ? AND period = 'CN'", [PRIMARY[0]]) == [(30, 1200, 45, 30, 25)]
    notes = {i["cell"]: i["text"] for i in messages(report, code="unit_word")}
    assert set(notes) == {"C2", "D2", "E2", "G2", "H2"}
    assert "25 máy" in notes["H2"]
    errors = {i["cell"]: i["text"] for i in messages(report, "error")}
    assert set(errors) == {"D3", "H3"}
    assert "ước lượng" in errors["D3"] and "số chính xác" in errors["D3"]
    assert "0" in errors["H3"] and "Không có" in errors["H3"]
    assert sql(loaded_db, "SELECT count(*) FROM survey WHERE school_code = ? AND period = 'CN'", [PRIMARY[1]]) == [(0,)]


# ---- the accounting itself -------------------------------------------------------------------------------------

def test_a_number_nobody_reads_is_listed_by_range_and_the_cli_exits_1(loaded_db, tmp_path):
    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    sheet.append([PRIMARY[0], "TH Lê Lợi", 30, 1200, 45, 3, 30, None, 17])  # 17 under no heading (column I)
    sheet.append([PRIMARY[1], "TH Hưng Dũng 1", 25, 1000, 38, 3, 25, None, 18])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 1
    [left] = messages(report, code="unaccounted_numbers")
    assert left["cell"] == "I2:I3" and "I2:I3: 2 ô số" in left["text"]
    cells = report["files"][0]["cells"]
    assert cells["unaccounted_numbers"] == 2 and cells["loaded"] == 14
    assert cells["cells"] == sum(cells[k] for k in ("loaded", "label", "ignored", "error", "unaccounted"))
    status, text = run_cli("load", path, "--db", loaded_db, "--force")
    assert status == 1 and "I2:I3: 2 ô số chưa được đọc" in text and "ô có nội dung: 23" in text


def test_a_hidden_sheet_and_unknown_columns_are_ignored_with_their_reasons(loaded_db, tmp_path):
    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học",
                  "Điểm thi đua"])
    sheet.append([PRIMARY[0], "TH Lê Lợi", 30, 1200, 45, 3, 30, 9.5])
    old = book.create_sheet("Bản cũ")
    old.append(["Mã trường", "Số lớp"])
    old.append([PRIMARY[0], 29])
    old.sheet_state = "hidden"
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    sheets = {s["sheet"]: s for s in report["files"][0]["sheets"]}
    assert sheets["Bản cũ"]["ignored"] == 4 and sheets["Bản cũ"]["hidden"]
    reasons = {r["reason"]: r for r in sheets["Sheet"]["reasons"]}
    assert any("Điểm thi đua" in reason and r["ranges"] == ["H2"] for reason, r in reasons.items())


def test_two_sheets_of_one_report_are_gathered_and_a_later_partial_file_keeps_what_it_does_not_have(loaded_db,
                                                                                                   tmp_path):
    """One school's scale on one sheet and its platforms on another: both load, into one row. A later file with only
    the platforms changes those and keeps the scale."""
    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    scale = book.active
    scale.title = "Quy mô"
    scale.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    scale.append([PRIMARY[0], 30, 1200, 45, 3, 30])
    platforms = book.create_sheet("Nền tảng số")
    platforms.append(["Mã trường", "Sổ điểm điện tử", "Học bạ số", "Tuyển sinh trực tuyến",
                      "Tỷ lệ thu không dùng tiền mặt (%)"])
    platforms.append([PRIMARY[0], "Có", "Không", "Có", 80])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    query = ("SELECT classes, students, e_gradebook, e_transcript, cashless_pct FROM survey WHERE school_code = ? "
             "AND period = 'CN'")
    assert sql(loaded_db, query, [PRIMARY[0]]) == [(30, 1200, True, False, 80.0)]
    later = tmp_path / "Nen_tang_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Sổ điểm điện tử", "Học bạ số", "Tuyển sinh trực tuyến",
                        "Tỷ lệ thu không dùng tiền mặt (%)"])
    book.active.append([PRIMARY[0], "Có", "Có", "Có", 90])
    book.save(later)
    status, report = load(loaded_db, later)
    assert status == 0, messages(report)
    assert sql(loaded_db, query, [PRIMARY[0]]) == [(30, 1200, True, True, 90.0)]
    assert sql(loaded_db, "SELECT field, source_file FROM survey_cells WHERE school_code = ? AND period = 'CN' AND "
                          "field IN ('classes', 'e_transcript') ORDER BY 1", [PRIMARY[0]]) == [
        ("classes", "KS_CN_2024-2025.xlsx"), ("e_transcript", "Nen_tang_CN_2024-2025.xlsx")]


def test_criterion_codes_typed_as_numbers_in_the_lower_header_row_are_labels_not_data(loaded_db, tmp_path):
    """Found by `make fuzz`: "Nhóm 1" over 1.1, 1.2, 1.3.1… where 1.1 and 1.2 are numbers: the band takes the row of
    codes (numbers that name columns on their own), it does not stop there as if it were a school's row."""
    path = tmp_path / "KQ_4725_2024-2025.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("4725")
    sheet.write(0, 0, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ")
    for col, label in enumerate(["Mã trường", "Tên trường", "Năm học"]):
        sheet.merge_range(1, col, 2, col, label)
    codes = [1.1, 1.2, "1.3.1", "1.3.2", "1.3.3"]
    sheet.merge_range(1, 3, 1, 7, "Nhóm 1")
    sheet.write_row(2, 3, codes)
    sheet.merge_range(1, 8, 2, 8, "Tổng điểm nhóm 1")
    sheet.write_row(3, 0, [PRIMARY[0], "Trường Tiểu học Lê Lợi", "2024-2025", "Đạt", "Đạt", 4, 5, 6, 15])
    book.close()
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    assert scores_in(loaded_db, PRIMARY[0], "self") == {"1.3.1": 4, "1.3.2": 5, "1.3.3": 6}


def _read_in_process(paths, registry_rows):
    from etl.loader import FileResult, _read_file
    from etl.registry import Registry

    registry = Registry(registry_rows)
    for path in paths:
        result = FileResult(path)
        _read_file(result, load_catalogue(), registry)
        yield result


def test_every_bundled_and_fixed_file_leaves_no_number_unread():
    """The property over the files of the project (the bundled sample, the files saved by LibreOffice): every number
    is loaded, a label, set aside with a reason or an error, and the buckets add up to the cells."""
    from etl.loader import expand_paths
    from etl.reference import load_catalogue as catalogue
    from etl.registry import read_registry
    from tests import fixtures

    root = Path(__file__).resolve().parent.parent
    sample_registry, _ = read_registry(root / "data/reference/schools.csv", catalogue(), IssueLog("schools.csv"))
    files, _, _ = expand_paths([root / "data/sample"])
    fixed = sorted((root / "tests/data/libreoffice").iterdir())
    fixture_registry = [dict(zip(("school_code", "school_name", "level", "ownership", "ward_old"), row[:5]))
                        for row in fixtures.REGISTRY]
    for registry_rows, paths in ((sample_registry, files), (fixture_registry, fixed)):
        registry_rows = [{**r, "level": parse_level(r["level"]), "ownership": parse_ownership(r["ownership"])}
                         for r in registry_rows]
        for result in _read_in_process(paths, registry_rows):
            for sheet in result.accounting:
                assert sheet["unaccounted_numbers"] == 0, (result.name, sheet["sheet"], sheet["unaccounted_ranges"])
                assert sheet["cells"] == sum(sheet[k] for k in ("loaded", "label", "ignored", "error", "unaccounted"))
            assert not result.layouts or result.accounting, result.name


def test_an_acknowledgement_holds_for_the_cells_that_were_shown_and_no_others(loaded_db, tmp_path):
    """A reviewer who saw the unread numbers of a file and chose to load the rest: a reading that leaves other cells
    unread (another header band, another version of the file) is not covered, and stops again."""
    from etl.intake import review_files
    from etl.loader import run_load

    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    book.active.append([PRIMARY[0], 31, 1210, 45, 3, 30, None, 17])
    book.save(path)
    [seen] = review_files([path], loaded_db).files
    assert seen.held and seen.unaccounted == 1
    shown = seen.unread_fingerprints()
    other = {sheet: "0" * 16 for sheet in shown}
    report = run_load([path], loaded_db, hints={"files": {seen.sha: {"accept_unaccounted": other}}})
    assert report["files"][0]["status"] == "partial" and report["files"][0]["cells"]["unaccounted_numbers"] == 1
    report = run_load([path], loaded_db, force=True, hints={"files": {seen.sha: {"accept_unaccounted": shown}}})
    file = report["files"][0]
    assert file["status"] == "loaded" and file["cells"]["unaccounted_numbers"] == 0
    [said] = [i for i in file["issues"] if i["code"] == "unaccounted_accepted"]
    assert said["severity"] == "warning" and "H2: 1 ô số" in said["message"]


def test_a_column_without_a_heading_can_be_given_its_field_in_the_review(loaded_db, tmp_path):
    """Its numbers are unread until the analyst says what they are; then they load, and the review keeps the choice
    as for any column."""
    from etl.intake import review_files
    from etl.loader import run_load

    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    book.active.append([PRIMARY[0], 31, 1210, 45, 3, 30, None, 17])  # 17 computers, the heading forgotten
    book.save(path)
    [seen] = review_files([path], loaded_db).files
    [sheet] = seen.sheets
    column = next(c for c in sheet["columns"] if c["letter"] == "H")
    assert column["label"] == "(không có tiêu đề)" and column["key"] is None and seen.held
    hints = {"columns": {sheet["signature"]: {"H": "it_computers"}}}
    [mapped] = review_files([path], loaded_db, hints=hints).files
    assert not mapped.held and mapped.unaccounted == 0
    assert run_load([path], loaded_db, hints=hints)["files"][0]["status"] == "loaded"
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = ? AND period = 'CN'",
               [PRIMARY[0]]) == [(17,)]


def test_an_instructions_sheet_is_the_forms_text_even_with_an_example_number(loaded_db, tmp_path):
    path = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    book.active.append([PRIMARY[0], 31, 1210, 45, 3, 30])
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Bước", "Việc cần làm"])
    guide.append([1, "Điền số liệu vào trang Sheet, mỗi trường một dòng"])
    guide.append(["Ví dụ số lớp:", 30])
    book.save(path)
    status, report = load(loaded_db, path)
    assert status == 0, messages(report)
    sheets = {s["sheet"]: s for s in report["files"][0]["sheets"]}
    assert sheets["Hướng dẫn"]["unaccounted"] == 0 and sheets["Hướng dẫn"]["ignored"] == 2
