"""Reading files as cell grids: formats, encodings, hidden sheets and Excel error values."""
import unicodedata

import xlwt

from etl.workbook import open_workbook

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def test_xls_error_values_are_found(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("THCS")
    sheet.write(0, 0, "Số máy tính")
    sheet.row(0).set_cell_error(1, "#REF!")
    sheet.row(1).set_cell_error(2, "#DIV/0!")
    book.save(str(tmp_path / "cu.xls"))
    workbook = open_workbook(tmp_path / "cu.xls")
    assert workbook.kind == "xls"
    assert workbook.sheets[0].errors == {(0, 1): "#REF!", (1, 2): "#DIV/0!"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with a shape precomposed, tones combining."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return out


def test_csv_in_windows_vietnamese_with_semicolons(tmp_path):
    from etl.extract.grid import cell_text

    path = tmp_path / "xuat.csv"
    path.write_bytes(cp1258("Mã trường;Tên trường;Số lớp\n40100001;Trường Mầm non Hưng Dũng;12\n"))
    sheet = open_workbook(path).sheets[0]
    assert [[cell_text(v) for v in row] for row in sheet.rows] == [
        ["Mã trường", "Tên trường", "Số lớp"], ["40100001", "Trường Mầm non Hưng Dũng", "12"]]


def test_csv_utf8_with_bom_and_commas(tmp_path):
    path = tmp_path / "xuat.csv"
    path.write_text('Mã trường,Tên trường,Tỷ lệ\n1,"Trường A, cơ sở 2","77,5"\n', encoding="utf-8-sig")
    assert open_workbook(path).sheets[0].rows[1] == ["1", "Trường A, cơ sở 2", "77,5"]


def test_hidden_sheet_is_marked(tmp_path):
    book = xlwt.Workbook()
    book.add_sheet("Hiện").write(0, 0, "a")
    hidden = book.add_sheet("Ẩn")
    hidden.write(0, 0, "b")
    hidden.visibility = 1
    book.save(str(tmp_path / "an.xls"))
    sheets = open_workbook(tmp_path / "an.xls").sheets
    assert [(s.name, s.visible) for s in sheets] == [("Hiện", True), ("Ẩn", False)]
