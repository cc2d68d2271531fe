"""Issue 8: files made the way offices make them, which the loader once lost whole. Each test builds the file the
way the case describes and checks the values that land, or the located message."""
import dataclasses
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from etl.legacy_fonts import encode_tcvn3, encode_vni
from etl.reference import load_catalogue
from etl.sample.writers import encode_windows_1258, prefix_namespaces
from etl.workbook import decode_text, open_workbook
from tests import fixtures
from tests.conftest import DATA_TABLES, run_cli, table_rows
from tests.pages import sql

SURVEY_HEADER = ["STT", "Mã trường", "Tên trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"]
LE_LOI = ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30]
HUNG_DUNG = ["40200002", "Trường Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25]
TRAILER = [[], ["Tổng số: 2 cơ sở giáo dục"], [], ["Ghi chú: số liệu tính đến 31/12"],
           ["", "", "", "", "Vinh, ngày 15 tháng 12 năm 2024"], ["NGƯỜI LẬP BIỂU", "", "", "", "THỦ TRƯỞNG ĐƠN VỊ"],
           ["(Ký, ghi rõ họ tên)"], [], ["Nguyễn Thị Hoa", "", "", "", "Trần Văn Minh"]]


def load(db, *paths):
    return run_cli("load", *paths, "--db", db, "--json")


def issues(report, severity="error"):
    return [i["text"] for f in report["files"] for i in f["issues"] if i["severity"] == severity]


def write_rows(path, rows, sheet_name="Sheet1"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_name
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ---- total, notes, place-and-date and signature lines under a table ------------------------------------------

def test_registry_with_a_total_line_and_signature_block_installs(tmp_path):
    rows = [["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"], ["DANH SÁCH CÁC CƠ SỞ GIÁO DỤC NĂM HỌC 2025 - 2026"], [],
            ["STT", *fixtures.REGISTRY_HEADER]]
    rows += [[i, *school] for i, school in enumerate(fixtures.REGISTRY, 1)]
    rows += [["", "", "Tổng số: 7 cơ sở giáo dục"], [], ["", "Cộng: 7 trường"]] + TRAILER
    path = write_rows(tmp_path / "danh_muc.xlsx", rows)
    db = tmp_path / "wh.duckdb"
    code, text = run_cli("registry", path, "--db", db)
    assert code == 0, text
    assert "đã cài danh mục 7 trường" in text
    assert "Ghi chú:" in text and "Tổng số: 7 cơ sở giáo dục" in text and "dừng đọc từ dòng" in text
    assert sql(db, "SELECT count(*) FROM schools") == [(7,)]


def test_registry_row_with_a_code_is_a_school_even_if_its_name_starts_like_a_total(tmp_path):
    rows = [fixtures.REGISTRY_HEADER, *fixtures.REGISTRY,
            ["40100009", "Trường Mầm non Cộng Hòa", "Mầm non", "Công lập", "Hưng Dũng", "Trường Vinh", "16690"]]
    rows[-1][1] = "Cộng Hòa"  # the name alone starts with a total word
    db = tmp_path / "wh.duckdb"
    code, text = run_cli("registry", write_rows(tmp_path / "dm.xlsx", rows), "--db", db)
    assert code == 0, text
    assert sql(db, "SELECT school_name FROM schools WHERE school_code = '40100009'") == [("Cộng Hòa",)]


def test_survey_table_with_totals_and_signature_block_loads_every_school(loaded_db, tmp_path):
    rows = [["BIỂU TỔNG HỢP KHẢO SÁT CHUYỂN ĐỔI SỐ"], ["Tổng kết năm học 2025-2026"], SURVEY_HEADER,
            [1, *LE_LOI], ["", "Cộng: 1 trường", "", 30, 1200], [2, *HUNG_DUNG], *TRAILER]
    code, report = load(loaded_db, write_rows(tmp_path / "tong_hop.xlsx", rows))
    assert code == 0, issues(report)
    assert sql(loaded_db, "SELECT school_code, classes, students FROM survey WHERE school_year = '2025-2026' "
                          "ORDER BY 1") == [("40200001", 30, 1200), ("40200002", 25, 1000)]
    notes = issues(report, "info")
    assert any("Cộng: 1 trường" in n and "dừng đọc từ dòng" in n for n in notes), notes


def test_assessment_table_with_a_total_line_loads(loaded_db, tmp_path):
    catalogue = load_catalogue()
    codes = [c["code"] for c in catalogue.criteria if not c["mandatory"]][:6]
    rows = [["KẾT QUẢ TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ NĂM HỌC 2024 - 2025"], ["TT", "Mã trường", "Tên trường", *codes],
            [1, "40300001", "THCS Đặng Thai Mai", *[2] * 6], ["", "Tổng cộng", "", *[2] * 6], *TRAILER]
    code, report = load(loaded_db, write_rows(tmp_path / "4725_tong_hop.xlsx", rows))
    assert code == 0, issues(report)
    assert sql(loaded_db, "SELECT count(*), sum(score) FROM assessment_scores WHERE school_code = '40300001'") == \
        [(6, 12.0)]


# ---- the per-school 4725 form with a TT column, codes as numbers, "Bắt buộc" and short header words ---------

def write_form(path, catalogue, writer="xlsxwriter", title_year="Năm học: 2024 - 2025"):
    """TT | Mã tiêu chí | Nội dung | Điểm tối đa | Tự đánh giá | Thẩm định | Minh chứng, codes as numbers where a
    number can hold them, 'Bắt buộc' as the maximum of mandatory rows. Returns {code: (self, verified)}."""
    rows = [["PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ"], ["Trường: THCS Đặng Thai Mai", "", "", "Mã trường: 40300001"],
            [title_year], [],
            ["TT", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Minh chứng"]]
    truth = {}
    for i, crit in enumerate(catalogue.criteria, 1):
        code = float(crit["code"]) if crit["code"].count(".") == 1 else crit["code"]
        if crit["mandatory"]:
            self_score, verified = "Đạt", "Đạt"
        else:
            self_score, verified = crit["max_points"], max(crit["max_points"] - 1, 0)
        truth[crit["code"]] = (self_score, verified)
        rows.append([i, code, crit["name_vi"], "Bắt buộc" if crit["mandatory"] else crit["max_points"],
                     self_score, verified, f"MC{i}"])
    rows += [[], ["", "", "", "", "Vinh, ngày 20 tháng 5 năm 2025"], ["", "", "", "", "HIỆU TRƯỞNG"]]
    if writer == "openpyxl":
        write_rows(path, rows, "Phiếu")
    else:
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Phiếu")
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
        book.close()
    return truth


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_4725_form_with_sequence_column_and_numeric_codes_loads(loaded_db, tmp_path, writer):
    catalogue = load_catalogue()
    path = tmp_path / f"TDG_4725_{writer}.xlsx"
    truth = write_form(path, catalogue, writer)
    code, report = load(loaded_db, path)
    assert code == 0, issues(report)
    got = sql(loaded_db, "SELECT criterion, kind, score, met FROM assessment_scores WHERE school_code = '40300001' "
                         "AND school_year = '2024-2025'")
    loaded = {(c, k): (s if s is not None else m) for c, k, s, m in got}
    for crit, (self_score, verified) in truth.items():
        for kind, value in (("self", self_score), ("verified", verified)):
            expected = True if value == "Đạt" else float(value)
            assert loaded[(crit, kind)] == expected, (crit, kind)
    assert len(loaded) == 2 * len(catalogue.criteria)


def test_float_code_is_decided_by_the_catalogue_and_the_name():
    """1.1 typed as a number reads as 1.1; when a catalogue has both 1.1 and 1.10 the row's name decides."""
    from etl.extract.assessment import cell_code

    catalogue = load_catalogue()
    assert cell_code(1.1, catalogue) == "1.1"
    assert cell_code(2.5, catalogue) == "2.5"
    assert cell_code("1.3.1", catalogue) == "1.3.1"
    assert cell_code(7.0, catalogue) is None
    extended = dataclasses.replace(catalogue, criteria=[*catalogue.criteria, {**catalogue.criterion("1.1"),
                                                                          "code": "1.10", "name_vi": "Tiêu chí mười"}])
    assert cell_code(1.1, extended, "Tiêu chí mười") == "1.10"
    assert cell_code(1.1, extended, extended.criterion("1.1")["name_vi"]) == "1.1"
    assert cell_code(1.1, extended, "") is None  # two readings and nothing to decide: no guess
    assert len(load_catalogue().criteria) == 30  # the shared catalogue is untouched


def test_two_unlabelled_code_columns_are_refused_with_the_cell(loaded_db, tmp_path):
    catalogue = load_catalogue()
    rows = [["Mã trường: 40300001 - Năm học 2024-2025"], ["STT", "Số TT", "Nội dung", "Điểm tự đánh giá"]]
    rows += [[c["code"], c["code"], c["name_vi"], 0] for c in catalogue.criteria if not c["mandatory"]]
    before = table_rows(loaded_db, *DATA_TABLES)
    code, report = load(loaded_db, write_rows(tmp_path / "phieu.xlsx", rows))
    errors = issues(report)
    assert code != 0 and any("ô A2" in e and "cả hai cột A và B" in e and "Mã tiêu chí" in e for e in errors), errors
    assert table_rows(loaded_db, *DATA_TABLES) == before


# ---- the school year however it is written ---------------------------------------------------------------------

YEAR_WRITINGS = ["Năm học: 2024 - 2025", "Năm học 2024–2025", "NĂM HỌC 2024-25", "Năm học 2024/2025",
                 "NH 2024-2025", "năm học 2024 – 2025", "Năm học:2024 -2025", "Sơ kết HK I - NH 2024 - 2025"]


@pytest.mark.parametrize("title", YEAR_WRITINGS)
def test_year_in_a_form_title(loaded_db, tmp_path, title):
    path = tmp_path / "phieu.xlsx"
    write_form(path, load_catalogue(), title_year=title)
    code, report = load(loaded_db, path)
    assert code == 0, issues(report)
    assert sql(loaded_db, "SELECT DISTINCT school_year FROM assessment_scores WHERE school_code = '40300001'") == \
        [("2024-2025",)]


@pytest.mark.parametrize("title", YEAR_WRITINGS)
def test_year_in_a_survey_title(loaded_db, tmp_path, title):
    period = "HK1" if "HK I" in title else "CN"
    rows = [["BIỂU TỔNG HỢP"], [title if period == "HK1" else f"{title} - Cuối năm"], SURVEY_HEADER, [1, *LE_LOI]]
    code, report = load(loaded_db, write_rows(tmp_path / "bieu.xlsx", rows))
    assert code == 0, issues(report)
    assert sql(loaded_db, "SELECT school_year, period FROM survey WHERE source_file = 'bieu.xlsx'") == \
        [("2024-2025", period)]


# ---- CSV in Windows code pages and legacy fonts ----------------------------------------------------------------

NAMES_CSV = "Tên trường;Cấp học;Số lớp;Số học sinh;Số giáo viên;Số CBQL;Số phòng học;Năm học;Kỳ báo cáo\n" \
            "Trường Tiểu học Lê Lợi;Tiểu học;30;1.200;45;3;30;2025-2026;Cả năm\n" \
            "Trường THCS Đặng Thai Mai;THCS;32;1.300;60;3;32;2025-2026;Cả năm\n"
CSV_VARIANTS = {
    "utf8": NAMES_CSV.encode("utf-8"),
    "utf8_bom": NAMES_CSV.encode("utf-8-sig"),
    "utf16": NAMES_CSV.replace(";", "\t").encode("utf-16"),
    "cp1258": encode_windows_1258(NAMES_CSV),
    "tcvn3_ansi": encode_tcvn3(NAMES_CSV).encode("cp1252"),
    "vni_ansi": encode_vni(NAMES_CSV).encode("cp1252"),
}


@pytest.mark.parametrize("variant", sorted(CSV_VARIANTS))
def test_csv_encodings_load_the_names(loaded_db, tmp_path, variant):
    path = tmp_path / f"ks_{variant}.csv"
    path.write_bytes(CSV_VARIANTS[variant])
    code, report = load(loaded_db, path)
    assert code == 0, issues(report)
    assert sql(loaded_db, "SELECT school_code, students FROM survey WHERE school_year = '2025-2026' ORDER BY 1") == \
        [("40200001", 1200), ("40300001", 1300)]


def test_csv_with_bytes_a_code_page_leaves_undefined_loads_and_the_batch_goes_on(loaded_db, tmp_path):
    bad = tmp_path / "a_ansi.csv"
    bad.write_bytes(encode_tcvn3(NAMES_CSV).encode("cp1252").replace(b"Tr", b"Tr\x81", 1) + b"\x8d\x8f\x90\x9d;\n")
    good = write_rows(tmp_path / "b_good.xlsx", [["Năm học 2025-2026, cả năm"], SURVEY_HEADER, [1, *HUNG_DUNG]])
    code, report = load(loaded_db, bad, good)
    assert "Traceback" not in str(report)
    statuses = {f["file"]: f["status"] for f in report["files"]}
    assert statuses["b_good.xlsx"] == "loaded", report
    assert statuses["a_ansi.csv"] in ("loaded", "partial"), report
    assert ("40300001", 1300) in sql(loaded_db, "SELECT school_code, students FROM survey WHERE school_year = "
                                                "'2025-2026'")


def test_decode_text_prefers_the_reading_that_is_vietnamese():
    assert decode_text(encode_windows_1258("Trường Mầm non Hưng Dũng"))[1] == "cp1258"
    assert decode_text(encode_tcvn3("Trường Mầm non Hưng Dũng").encode("cp1252")) == \
        ("Trường Mầm non Hưng Dũng", "cp1252+tcvn3")
    assert decode_text(encode_vni("Số lớp;Cả năm").encode("cp1252")) == ("Số lớp;Cả năm", "cp1252+vni")
    assert decode_text("Trường".encode())[1] == "utf-8"


# ---- .xlsx written with namespace prefixes and character entities ----------------------------------------------

def test_prefixed_xlsx_keeps_error_cells_and_percentages(loaded_db, tmp_path):
    plain, prefixed = tmp_path / "plain.xlsx", tmp_path / "KS_CN_2025-2026.xlsx"
    fixtures.write_error_and_percent_sheet(plain, "Trường Tiểu học", first_share=0.85)
    prefix_namespaces(plain, prefixed)
    with zipfile.ZipFile(prefixed) as archive:
        xml = archive.read("xl/workbook.xml")
    assert b"<x:workbook" in xml and b"&#7901;" in xml  # the writer really is the hard kind
    sheet = open_workbook(prefixed).sheets[0]
    assert sheet.name == "Trường Tiểu học" and sheet.errors == {(2, 5): "#DIV/0!"}
    code, report = load(loaded_db, prefixed)
    assert any("#DIV/0!" in e and "ô F3" in e for e in issues(report)), issues(report)
    assert sql(loaded_db, "SELECT school_code, cashless_pct FROM survey WHERE school_year = '2025-2026'") == \
        [("40200001", 85.0)]


def test_xlsx_with_an_entity_declaration_is_refused(loaded_db, tmp_path):
    plain, hostile = tmp_path / "plain.xlsx", tmp_path / "hostile.xlsx"
    write_rows(plain, [SURVEY_HEADER, [1, *LE_LOI]])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/styles.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1)
            dst.writestr(info, data)
    before = table_rows(loaded_db, *DATA_TABLES)
    code, report = load(loaded_db, hostile)
    assert code != 0 and any("hostile.xlsx" in e for e in issues(report)), report
    assert table_rows(loaded_db, *DATA_TABLES) == before


# ---- when the loader cannot decide, it says what it saw and what to do ---------------------------------------

def test_an_unreadable_year_is_named_with_its_cell_and_a_way_out(loaded_db, tmp_path):
    rows = [["BIỂU TỔNG HỢP"], ["Tổng kết năm học 2024 - 2026"], SURVEY_HEADER, [1, *LE_LOI]]
    before = table_rows(loaded_db, *DATA_TABLES)
    code, report = load(loaded_db, write_rows(tmp_path / "bieu_tong_hop.xlsx", rows))
    assert code != 0
    warnings, errors = issues(report, "warning"), issues(report)
    assert any("ô A2" in w and "2024 - 2026" in w and "năm sau phải bằng năm trước + 1" in w for w in warnings), \
        warnings
    assert any("không xác định được năm học" in e and "Năm học 2024-2025" in e for e in errors), errors
    assert table_rows(loaded_db, *DATA_TABLES) == before


# ---- another writer: LibreOffice Calc 7.4 ------------------------------------------------------------------------
# tests/data/libreoffice/bieu_tong_hop_lo.* were saved by LibreOffice Calc 7.4 (soffice --convert-to xlsx/ods/xls)
# from one workbook: a two-row merged header, three schools whose cashless share is 100% shown as a % format, a
# #DIV/0! formula in H7, a "Tổng cộng" formula row and a signature block.
LIBREOFFICE = Path(__file__).parent / "data" / "libreoffice"


@pytest.mark.parametrize("name", ["bieu_tong_hop_lo.xlsx", "bieu_tong_hop_lo.ods", "bieu_tong_hop_lo.xls",
                                  "bieu_tong_hop_lo_html.xls"])
def test_files_saved_by_libreoffice(loaded_db, tmp_path, name):
    """The last one is LibreOffice's HTML export renamed .xls, as many school-management systems deliver them."""
    code, report = load(loaded_db, LIBREOFFICE / name)
    errors = issues(report)
    where = ", trang 'Tiểu học'" if "html" not in name else ""
    assert errors == [f"{name}{where}, ô H7: ô chứa lỗi công thức #DIV/0! (Số phòng học)"], errors
    assert sql(loaded_db, "SELECT school_code, classrooms, cashless_pct, e_gradebook FROM survey WHERE school_year = "
                          "'2024-2025' AND period = 'CN' ORDER BY 1") == \
        [("40200001", 30, 100.0, True), ("40300001", 32, 100.0, True)]


SPREADSHEET_2003 = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Tổng hợp">
  <Table>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">BIỂU TỔNG HỢP - Năm học 2024 - 2025, cả năm</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">Mã trường</Data></Cell>
    <Cell><Data ss:Type="String">Số lớp</Data></Cell>
    <Cell><Data ss:Type="String">Số học sinh</Data></Cell><Cell><Data ss:Type="String">Số giáo viên</Data></Cell>
    <Cell><Data ss:Type="String">Số CBQL</Data></Cell><Cell><Data ss:Type="String">Số phòng học</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">40200001</Data></Cell><Cell><Data ss:Type="Number">30</Data></Cell>
    <Cell><Data ss:Type="Number">1200</Data></Cell><Cell><Data ss:Type="Number">45</Data></Cell>
    <Cell><Data ss:Type="Number">3</Data></Cell><Cell><Data ss:Type="Number">30</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">40200002</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">1000</Data></Cell>
    <Cell><Data ss:Type="Number">38</Data></Cell><Cell><Data ss:Type="Number">3</Data></Cell>
    <Cell ss:Formula="=1/0"><Data ss:Type="Error">#DIV/0!</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Ẩn"><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>
  </WorksheetOptions><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table></Worksheet>
</Workbook>
"""


def test_xml_spreadsheet_2003_named_xls(loaded_db, tmp_path):
    """What older accounting and school-management software saves as ".xls": XML Spreadsheet 2003."""
    path = tmp_path / "tong_hop_2003.xls"
    path.write_text(SPREADSHEET_2003, encoding="utf-8")
    code, report = load(loaded_db, path)
    assert sorted(issues(report)) == ["tong_hop_2003.xls, trang 'Tổng hợp', ô B5: thiếu Số lớp",  # ss:Index skip
                                      "tong_hop_2003.xls, trang 'Tổng hợp', ô F5: ô chứa lỗi công thức #DIV/0! "
                                      "(Số phòng học)"], report
    assert any("đang ẩn" in w for w in issues(report, "warning"))
    assert sql(loaded_db, "SELECT school_code, classes, students, classrooms FROM survey WHERE source_file = "
                          "'tong_hop_2003.xls'") == [("40200001", 30, 1200, 30)]
