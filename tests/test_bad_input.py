"""Each bad input of issue 2: a clear Vietnamese error naming file, sheet and cell, and nothing else changes."""
import re
from pathlib import Path

import pytest
import xlsxwriter

from etl.settings import load_settings
from tests import fixtures
from tests.conftest import DATA_TABLES, run_cli, table_rows
from tests.pages import sql

LE_LOI = ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 20, 720, 18, "x", 90, "VnEdu"]
HUNG_DUNG = ["40300002", "THCS Hưng Dũng", 28, 1100, 50, 3, 28, 2, 40, 1100, 28, "x", 80, "SMAS"]


def load(db: Path, *paths) -> tuple[int, dict]:
    return run_cli("load", *paths, "--db", db, "--json")


def issues(report: dict, severity: str = "error") -> list[str]:
    return [i["text"] for f in report["files"] for i in f["issues"] if i["severity"] == severity]


def assert_unchanged(db: Path, before: dict) -> None:
    assert table_rows(db, *DATA_TABLES) == before


def rows_with(**changes) -> list:
    """The Lê Lợi row (data row 11 of the fixture sheet) with some cells changed; columns by letter."""
    row = list(LE_LOI)
    for letter, value in changes.items():
        row["BCDEFGHIJKLMNO".index(letter)] = value
    return [("II. TIỂU HỌC", None), (None, row)]


def test_empty_file(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    empty = tmp_path / "KS_TH.xlsx"
    empty.write_bytes(b"")
    code, report = load(loaded_db, empty)
    assert code == 2
    assert issues(report) == ["KS_TH.xlsx: tệp rỗng (0 byte)"]
    assert_unchanged(loaded_db, before)


@pytest.mark.parametrize("content, kind", [
    (b"Bao cao so lieu\nTruong A: 12 lop\n", "văn bản thuần"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "tệp PDF"),
])
def test_not_a_spreadsheet(loaded_db, tmp_path, content, kind):
    before = table_rows(loaded_db, *DATA_TABLES)
    renamed = tmp_path / "KS_THCS_HK1.xlsx"
    renamed.write_bytes(content)
    code, report = load(loaded_db, renamed)
    assert code == 2
    assert len(issues(report)) == 1 and issues(report)[0].startswith("KS_THCS_HK1.xlsx: không phải bảng tính")
    assert kind in issues(report)[0]
    assert_unchanged(loaded_db, before)


def test_truncated_xlsx(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    whole = fixtures.write_survey_table(tmp_path / "whole.xlsx").read_bytes()
    broken = tmp_path / "KS_cut.xlsx"
    broken.write_bytes(whole[: len(whole) * 2 // 3])
    code, report = load(loaded_db, broken)
    assert code == 2
    assert issues(report) == ["KS_cut.xlsx: tệp bị hỏng hoặc không tải về hết (cấu trúc nén không đọc được)"]
    assert_unchanged(loaded_db, before)


def test_password_protected(loaded_db, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    before = table_rows(loaded_db, *DATA_TABLES)
    plain = fixtures.write_survey_table(tmp_path / "plain.xlsx")
    locked = tmp_path / "KS_matkhau.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("123456", out)
    code, report = load(loaded_db, locked)
    assert code == 2
    assert issues(report) == ["KS_matkhau.xlsx: bảng tính có mật khẩu; hãy bỏ mật khẩu rồi gửi lại"]
    assert_unchanged(loaded_db, before)


def test_sheet_without_recognisable_header(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = tmp_path / "ghi_chu.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Trang1")
    sheet.write(0, 0, "Danh sách cần bổ sung")
    sheet.write_row(1, 0, ["Họ tên", "Điện thoại", "Nội dung"])
    sheet.write_row(2, 0, ["Nguyễn Văn A", "0912", "gửi lại biểu"])
    book.close()
    code, report = load(loaded_db, path)
    assert code == 2
    [message] = issues(report)
    assert message.startswith("ghi_chu.xlsx, trang 'Trang1': không tìm thấy dòng tiêu đề nhận ra được")
    assert_unchanged(loaded_db, before)


def test_header_missing_required_field(loaded_db, tmp_path):
    """Issue 20: a table without a required column loads what it holds (missing columns are normal, DOMAIN §5) and
    says which column it lacks; the field it does not have keeps the value an earlier file gave it."""
    teachers = sql(loaded_db, "SELECT school_code, teachers FROM survey ORDER BY 1")
    rows = [(section, values if values is None else  # one class more, and no teachers' column
             [*values[:2], values[2] + 1 if isinstance(values[2], int) else values[2], values[3], *values[5:]])
            for section, values in fixtures.survey_rows()]
    path = fixtures.write_survey_table(tmp_path / "KS_thieu_cot.xlsx", rows=rows, drop_labels=("Số GV",))
    code, report = load(loaded_db, path)
    assert code == 0, issues(report)
    assert issues(report, "warning")[:1] == [
        "KS_thieu_cot.xlsx, trang 'Tổng hợp', vùng A8:O9: bảng không có cột Số giáo viên: các số liệu có trong bảng "
        "vẫn được nạp; những trường thông tin này giữ nguyên số liệu đã nạp trước đây (nếu có) — hãy gửi bổ sung nếu "
        "chưa báo cáo"]
    assert sql(loaded_db, "SELECT school_code, teachers FROM survey ORDER BY 1") == teachers
    assert sql(loaded_db, "SELECT classes FROM survey WHERE school_code = '40200001'") == [(31,)]
    assert sql(loaded_db, "SELECT source_file FROM survey_cells WHERE school_code = '40200001' AND field = 'teachers'"
               ) == [("KS_HK1_2024-2025.xlsx",)]


def test_same_school_twice_in_one_file(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    changed = list(LE_LOI)
    changed[3] = 1250
    rows = [("II. TIỂU HỌC", None), (None, LE_LOI), (None, changed), (None, HUNG_DUNG)]
    path = fixtures.write_survey_table(tmp_path / "KS_trung.xlsx", rows=rows)
    code, report = load(loaded_db, path)
    assert code == 1
    errors = issues(report)
    assert len(errors) == 2
    assert errors[0].startswith("KS_trung.xlsx, trang 'Tổng hợp', ô B12: trường 40200001 có 2 dòng số liệu khác "
                                "nhau cho 2024-2025 HK1")
    assert "ô B13" in errors[0] and errors[1].startswith("KS_trung.xlsx, trang 'Tổng hợp', ô B13:")
    after = table_rows(loaded_db, *DATA_TABLES)
    assert after["schools"] == before["schools"]
    survey = [r for r in after["survey"] if "40200001" in r]
    assert survey == [r for r in before["survey"] if "40200001" in r]  # the earlier row stays
    assert any("40300002" in r for r in after["survey"])  # the rest of the file loads


def test_identical_copy_in_one_file_loads_once_with_a_warning(loaded_db, tmp_path):
    rows = [("II. TIỂU HỌC", None), (None, rows_with(E=1250)[1][1]), (None, rows_with(E=1250)[1][1])]
    path = fixtures.write_survey_table(tmp_path / "KS_chep.xlsx", rows=rows)
    code, report = load(loaded_db, path)
    assert code == 0 and report["files"][0]["rows_loaded"] == 1
    assert issues(report, "warning") == [
        "KS_chep.xlsx, trang 'Tổng hợp', ô B13: trường 40200001 lặp lại cho 2024-2025 HK1 với cùng số liệu "
        "(KS_chep.xlsx trang 'Tổng hợp' ô B12; KS_chep.xlsx trang 'Tổng hợp' ô B13); chỉ nạp một lần"]


def test_same_school_twice_across_files(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    first = fixtures.write_survey_table(tmp_path / "KS_a.xlsx", rows=rows_with(E=1210))
    second = fixtures.write_survey_table(tmp_path / "KS_b.xlsx", rows=rows_with(E=1220))
    code, report = load(loaded_db, first, second)
    assert code == 2
    errors = issues(report)
    assert len(errors) == 2
    assert "KS_a.xlsx trang 'Tổng hợp' ô B12" in errors[0] and "KS_b.xlsx trang 'Tổng hợp' ô B12" in errors[0]
    assert_unchanged(loaded_db, before)


def test_school_not_in_registry(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_survey_table(tmp_path / "KS_la.xlsx", rows=rows_with(B="40299999", C="Trường TH Bình Minh"))
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ["KS_la.xlsx, trang 'Tổng hợp', ô B12: mã trường 40299999 không có trong danh mục trường"]
    assert_unchanged(loaded_db, before)


def test_unknown_name_without_code(loaded_db, tmp_path):
    path = fixtures.write_survey_table(tmp_path / "KS_ten.xlsx", rows=rows_with(B="", C="Tiểu học Bình Minh"))
    code, report = load(loaded_db, path)
    assert issues(report) == ["KS_ten.xlsx, trang 'Tổng hợp', ô C12: không tìm thấy trường \"Tiểu học Bình Minh\" "
                              "cấp Tiểu học trong danh mục trường (không có mã trường để đối chiếu)"]


def test_text_in_number_field(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_survey_table(tmp_path / "KS_THCS_HK1.xlsx", rows=rows_with(F="mười hai"))
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ['KS_THCS_HK1.xlsx, trang \'Tổng hợp\', ô F12: "mười hai" không phải là số '
                              '(Số giáo viên)']
    assert_unchanged(loaded_db, before)


def test_negative_count(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_survey_table(tmp_path / "KS_am.xlsx", rows=rows_with(J=-4))
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ["KS_am.xlsx, trang 'Tổng hợp', ô J12: Số máy tính dạy Tin học = -4: số âm không hợp lệ"]
    assert_unchanged(loaded_db, before)


def test_sub_count_above_total(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_survey_table(tmp_path / "KS_vuot.xlsx", rows=rows_with(K=1300))
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ["KS_vuot.xlsx, trang 'Tổng hợp', ô K12: Số học sinh học Tin học = 1.300: lớn hơn "
                              "Số học sinh (1.200)"]
    assert_unchanged(loaded_db, before)


def test_score_above_maximum(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_assessment_form(tmp_path / "TDG_4725.xlsx", scores={"1.3.1": 8})
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ["TDG_4725.xlsx, trang 'Phiếu', ô D10: điểm tiêu chí 1.3.1 (8) vượt điểm tối đa 6"]
    assert_unchanged(loaded_db, before)


def test_criterion_that_does_not_exist(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = tmp_path / "TDG_la.xlsx"
    fixtures.write_assessment_form(path)
    import openpyxl
    book = openpyxl.load_workbook(path)
    sheet = book["Phiếu"]
    sheet.insert_rows(12)
    sheet["A12"], sheet["B12"], sheet["C12"], sheet["D12"] = "1.3.9", "Tiêu chí tự thêm", 5, 4
    book.save(path)
    code, report = load(loaded_db, path)
    assert code == 2
    [message] = issues(report)
    assert message.startswith("TDG_la.xlsx, trang 'Phiếu', ô D12: tiêu chí 1.3.9 không có trong bộ tiêu chí 4725")
    assert_unchanged(loaded_db, before)


def test_hidden_sheet_is_reported_not_loaded(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = tmp_path / "KS_an.xlsx"
    fixtures.write_survey_table(path, rows=rows_with(E=1250))
    import openpyxl
    book = openpyxl.load_workbook(path)
    book["Tổng hợp"].sheet_state = "hidden"
    book.create_sheet("Hướng dẫn")["A1"] = "Điền số liệu vào trang Tổng hợp"
    book.active = 1
    book.save(path)
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report, "warning") == ["KS_an.xlsx, trang 'Tổng hợp': trang tính đang ẩn nên không được nạp; nếu "
                                         "trang này có số liệu cần nạp, hãy bỏ ẩn rồi gửi lại"]
    assert_unchanged(loaded_db, before)


def test_formula_error_rejects_the_row(loaded_db, tmp_path):
    before = table_rows(loaded_db, *DATA_TABLES)
    path = tmp_path / "KS_ref.xlsx"
    fixtures.write_survey_table(path, rows=rows_with(J=None))
    import openpyxl
    book = openpyxl.load_workbook(path)
    book["Tổng hợp"]["J12"] = "=#REF!*2"
    book.save(path)
    _set_cached_error(path, "J12", "#REF!")
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report) == ["KS_ref.xlsx, trang 'Tổng hợp', ô J12: ô chứa lỗi công thức #REF! (Số máy tính dạy "
                              "Tin học)"]
    assert_unchanged(loaded_db, before)


def _set_cached_error(path: Path, ref: str, error: str) -> None:
    """openpyxl writes formulas without results; give the cell the cached error Excel would store."""
    import re
    import shutil
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?'.encode(),
                              rf'<c r="{ref}"\1 t="e"><f>\2</f><v>{error}</v>'.encode(), data)
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_very_large_sheet_is_refused(loaded_db, tmp_path, monkeypatch):
    monkeypatch.setitem(load_settings(), "max_rows_per_sheet", 15)
    before = table_rows(loaded_db, *DATA_TABLES)
    path = fixtures.write_survey_table(tmp_path / "KS_lon.xlsx", rows=rows_with(E=1250))
    code, report = load(loaded_db, path)
    assert code == 2
    [message] = issues(report)
    assert re.fullmatch(r"KS_lon.xlsx, trang 'Tổng hợp': [0-9]+ dòng, vượt giới hạn 15 dòng", message)
    assert_unchanged(loaded_db, before)


def test_very_large_file_is_refused(loaded_db, tmp_path, monkeypatch):
    monkeypatch.setitem(load_settings(), "max_file_mb", 0.001)
    path = fixtures.write_survey_table(tmp_path / "KS_lon.xlsx", rows=rows_with(E=1250))
    code, report = load(loaded_db, path)
    assert code == 2
    assert issues(report)[0].startswith("KS_lon.xlsx: tệp lớn") and "vượt giới hạn 0.001 MB" in issues(report)[0]
