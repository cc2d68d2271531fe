"""The school registry: the office's messy list installs, replaces the old one, and never touches data."""
import duckdb
import xlsxwriter

from etl.legacy_fonts import encode_tcvn3
from etl.registry import Registry, core_name
from tests import fixtures
from tests.conftest import run_cli, table_rows


def write_office_list(path, rows):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DM")
    sheet.write(0, 0, "UBND THÀNH PHỐ VINH")
    sheet.write(1, 0, "DANH MỤC CÁC CƠ SỞ GIÁO DỤC")
    sheet.write_row(3, 0, ["STT", "Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã", "Phường mới",
                           "Mã phường mới"])
    for i, row in enumerate(rows):
        sheet.write_row(4 + i, 0, [i + 1, *row])
    sheet.write(5 + len(rows), 1, "Người lập biểu")
    book.close()
    return path


def test_install_from_a_messy_spreadsheet(tmp_path):
    path = write_office_list(tmp_path / "danh_muc.xlsx", [
        [40100001, "Trường Mầm non Hưng Dũng", "MN", "CL", "Phường Hưng Dũng", "", ""],
        ["40200001", encode_tcvn3("Trường Tiểu học Lê Lợi"), "Tiểu học", "Công lập", "Lê Lợi", "Thành Vinh", 16681],
        ["40400001", "Trường TH&THCS Victory", "Liên cấp TH-THCS", "Ngoài công lập", "Nghi Phú", "", 99999],
    ])
    db = tmp_path / "wh.duckdb"
    code, text = run_cli("registry", path, "--db", db)
    assert code == 0
    assert "đã cài danh mục 3 trường (1 Mầm non, 1 Tiểu học, 1 TH&THCS)" in text
    assert "mã phường 99999 khác mã chính thức 16702 của phường Vinh Phú" in text
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT * FROM schools ORDER BY school_code").fetchall()
    assert rows == [
        ("40100001", "Trường Mầm non Hưng Dũng", "MN", "cong_lap", "Hưng Dũng", "Trường Vinh", 16690),
        ("40200001", "Trường Tiểu học Lê Lợi", "TH", "cong_lap", "Lê Lợi", "Thành Vinh", 16681),
        ("40400001", "Trường TH&THCS Victory", "TH_THCS", "tu_thuc", "Nghi Phú", "Vinh Phú", 16702),
    ]


def test_errors_refuse_the_whole_list_and_keep_the_old_one(loaded_db, tmp_path):
    before = table_rows(loaded_db, "schools", "survey")
    path = write_office_list(tmp_path / "dm_loi.xlsx", [
        ["40100001", "Trường Mầm non Hưng Dũng", "Mầm non", "Công lập", "Hưng Dũng", "", ""],
        ["40100001", "Trường Mầm non Hưng Dũng 2", "Mầm non", "Công lập", "Hưng Dũng", "", ""],
        ["40200009", "Trường Tiểu học Mới", "Trung cấp", "Công lập", "Lê Lợi", "", ""],
    ])
    code, text = run_cli("registry", path, "--db", loaded_db)
    assert code == 1
    assert "dm_loi.xlsx, trang 'DM', ô B6: mã trường 40100001 lặp lại (đã có ở dòng 5)" in text
    assert "dm_loi.xlsx, trang 'DM', ô D7: \"Trung cấp\" không phải là cấp học" in text
    assert "danh mục cũ giữ nguyên" in text
    assert table_rows(loaded_db, "schools", "survey") == before


def test_a_new_registry_leaves_loaded_data_alone(loaded_db, tmp_path):
    survey_before = table_rows(loaded_db, "survey", "survey_cells")
    smaller = fixtures.write_registry(tmp_path / "dm_moi.csv", fixtures.REGISTRY[:3])
    code, text = run_cli("registry", smaller, "--db", loaded_db)
    assert code == 0
    assert "thay cho 7 trường trước đó" in text
    assert "2 trường có số liệu đã nạp nhưng không còn trong danh mục; số liệu vẫn giữ" in text
    assert table_rows(loaded_db, "survey", "survey_cells") == survey_before


def test_name_matching_within_level():
    registry = Registry([
        {"school_code": "1", "school_name": "Trường THCS Đặng Thai Mai", "level": "THCS"},
        {"school_code": "2", "school_name": "Trường Tiểu học Hưng Dũng 1", "level": "TH"},
        {"school_code": "3", "school_name": "Trường Mầm non Hưng Dũng", "level": "MN"},
        {"school_code": "4", "school_name": "Trường TH&THCS Victory", "level": "TH_THCS"},
    ])
    assert registry.match(None, "Đặng Thai Mai", "THCS").school["school_code"] == "1"
    assert registry.match(None, "THCS  Đặng Thai Mai", None).school["school_code"] == "1"
    assert registry.match(None, "Hưng Dũng", "MN").school["school_code"] == "3"
    assert registry.match(None, "Hưng Dũng 1", "TH").school["school_code"] == "2"
    assert registry.match(None, "Victory", "THCS").school["school_code"] == "4"  # combined school in THCS section
    folded = registry.match(None, "Dang Thai Mai", "THCS")
    assert folded.school["school_code"] == "1" and folded.severity == "warning"
    assert registry.match(None, "Hưng Dũng", "THCS").severity == "error"  # the row's level limits the search
    assert registry.match(None, "Hưng Dũng", None, ("MN",)).school["school_code"] == "3"  # a sheet hint prefers
    assert registry.match(None, "Trường Mầm non Hưng Dũng", None, ("TH",)).school["school_code"] == "3"
    assert registry.match("1", "Trường THCS Lê Mao", None).severity == "warning"  # code wins, name differs
    assert core_name("Trường Mầm non tư thục Hoa Sen") == core_name("MN Hoa Sen") == "hoa sen"
