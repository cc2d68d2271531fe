"""Open an input file as a grid of cells per sheet, or say in Vietnamese why it cannot be read.

Readers: python-calamine for .xlsx/.xlsm/.xls/.xlsb/.ods; the csv module for .csv/.txt.
Calamine drops Excel error values (#REF!, #DIV/0!), so those are found separately: in the sheet XML
for .xlsx and with xlrd for .xls.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import python_calamine as calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from etl.legacy_fonts import decode_fields, decode_tcvn3, decode_vni, reading_penalty
from etl.settings import setting

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(Exception):
    """The file as a whole cannot be used. `reason` is Vietnamese; str() adds the file and sheet."""

    def __init__(self, file: str, reason: str, sheet: str | None = None):
        self.file, self.reason, self.sheet = file, reason, sheet
        where = f"{file}, trang '{sheet}'" if sheet else file
        super().__init__(f"{where}: {reason}")


@dataclass
class Sheet:
    name: str
    rows: list[list]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#REF!"
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # formatted as %: 1 means 100%
    encoding: str | None = None  # of a text file, as decided by decode_text

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int):
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None


def transposed(sheet: Sheet, first_row: int = 0) -> Sheet:
    """The sheet with rows and columns swapped: a comparison sheet (field labels down column A, a school in each
    column) reads as a table with a school per row. Rows above `first_row` (the title lines) are left out, so that
    a title or a place-and-date line is not read as the start or the end of a school's column."""
    height, width = sheet.height, sheet.width
    rows = [[sheet.rows[r][c] if c < len(sheet.rows[r]) and r >= first_row else None for r in range(height)]
            for c in range(width)]
    return Sheet(sheet.name, rows, sheet.visible, [((c0, r0), (c1, r1)) for (r0, c0), (r1, c1) in sheet.merged],
                 {(c, r): error for (r, c), error in sheet.errors.items()}, {(c, r) for r, c in sheet.percent_cells},
                 sheet.encoding)


@dataclass
class Workbook:
    path: Path
    kind: str
    sheets: list[Sheet]


def _sniff(path: Path, head: bytes) -> str:
    """What the bytes say the file is: 'zip', 'ole', 'text' or a Vietnamese description."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark: Excel's "Unicode Text"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "tệp PDF"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"GIF8"):
        return "tệp ảnh"
    if head.startswith(b"{\\rtf"):
        return "tệp RTF"
    if b"<html" in head[:512].lower():
        return "trang HTML"
    try:
        head.decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        pass
    if b"\x00" in head:
        return "tệp nhị phân không phải bảng tính"
    return "text"


def open_workbook(path: Path) -> Workbook:
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(name, "tệp rỗng (0 byte)")
    limit_mb = setting("max_file_mb")
    if size > limit_mb * 1024 * 1024:
        raise UnreadableFile(name, f"tệp lớn {size / 1024 / 1024:.0f} MB, vượt giới hạn {limit_mb} MB")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = _sniff(path, head)
    ext = path.suffix.lower()
    if kind in ("text", "trang HTML") and ext in MARKUP_EXTENSIONS:
        if book := _read_markup(path, head):
            return book
    if kind == "text":
        if ext in (".csv", ".txt", ".tsv") or ext in MARKUP_EXTENSIONS:  # a tab-separated export named .xls
            return Workbook(path, "csv", [_text_errors(_read_csv(path))])
        raise UnreadableFile(name, "không phải bảng tính (nội dung là văn bản thuần, không phải Excel)")
    if kind not in ("zip", "ole"):
        raise UnreadableFile(name, f"không phải bảng tính (nội dung là {kind})")
    if kind == "ole":
        ole_kind = _ole_kind(path)
        if ole_kind == "encrypted":
            raise UnreadableFile(name, "bảng tính có mật khẩu; hãy bỏ mật khẩu rồi gửi lại")
        if ole_kind != "xls":
            raise UnreadableFile(name, "không phải bảng tính (tệp Office khác, ví dụ Word)")
    if kind == "zip":
        return _read_calamine(path, _check_zip(path))
    return _read_calamine(path, "xls")  # by content: a real .xls renamed .xlsx reads as what it is


MARKUP_EXTENSIONS = (".xls", ".htm", ".html", ".xml")


def _read_markup(path: Path, head: bytes) -> Workbook | None:
    """An ".xls" that is an HTML table or an XML Spreadsheet 2003, as school-management software saves it."""
    from etl.markup_books import SPREADSHEETML, is_html, read_html, read_spreadsheetml

    data = path.read_bytes()
    with _xml_faults(path.name, "tệp XML bị hỏng, không đọc được; hãy mở bằng Excel, lưu lại thành .xlsx rồi gửi lại",
                     damaged=(ElementTree.ParseError,)):
        if SPREADSHEETML in head:
            parts = read_spreadsheetml(data)
            sheets = [Sheet(name=n, rows=rows, merged=merged, visible=visible, errors=errors, percent_cells=percent)
                      for n, rows, merged, visible, errors, percent in parts]
            kind = "spreadsheetml"
        elif is_html(head):
            sheets = [Sheet(name=n, rows=rows, merged=merged) for n, rows, merged in read_html(data, decode_text)]
            kind = "html"
        else:
            return None
    if not sheets:
        raise UnreadableFile(path.name, "trang HTML không có bảng nào; hãy xuất lại tệp dạng Excel")
    if len(sheets) > setting("max_sheets"):
        raise UnreadableFile(path.name, f"có {len(sheets)} bảng, vượt giới hạn {setting('max_sheets')}")
    for sheet in sheets:
        _check_size(path.name, sheet.name or None, sheet.height, sheet.width)
        _text_errors(sheet)
    return Workbook(path, kind, sheets)


EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


def _text_errors(sheet: Sheet) -> Sheet:
    """In a text export (CSV, HTML, XML) an Excel error arrives as its text: mark it as the error it is."""
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
                sheet.errors[(r, c)] = value.strip().upper()
    return sheet


def _ole_kind(path: Path) -> str:
    """'encrypted' (an .xlsx with a password is an OLE container), 'xls', or 'other'."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                return "encrypted"
            return "xls" if ole.exists("Workbook") or ole.exists("Book") else "other"
    except OSError:
        return "xls"  # let the spreadsheet reader give its own verdict


# a damaged zip speaks through many exception types (an unknown compression method, a "password" flag)
DAMAGED_ZIP = (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError, ValueError)


def _check_zip(path: Path) -> str:
    """Refuse a zip that is no spreadsheet or inflates past the limit; return what it holds: xlsx, xlsb or ods."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            bad = archive.testzip()
    except DAMAGED_ZIP:
        raise UnreadableFile(name, "tệp bị hỏng hoặc không tải về hết (cấu trúc nén không đọc được)") from None
    if bad is not None:
        raise UnreadableFile(name, f"tệp bị hỏng (phần \"{bad}\" lỗi dữ liệu)")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "content.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile(name, "tệp nén nhưng không phải bảng tính Excel/ODS")
    unzipped = sum(i.file_size for i in infos)
    limit = setting("max_unzipped_mb")
    if unzipped > limit * 1024 * 1024:
        raise UnreadableFile(
            name, f"nội dung sau giải nén {unzipped / 1024 / 1024:.0f} MB, vượt giới hạn {limit} MB")
    return "xlsx" if "xl/workbook.xml" in names else "xlsb" if "xl/workbook.bin" in names else "ods"


def _read_calamine(path: Path, kind: str) -> Workbook:
    name = path.name
    try:
        with open(path, "rb") as handle:  # by content, not by the extension someone gave it
            data = handle.read()
        if kind == "xlsx":
            data = _without_oversized_dimensions(data)
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise UnreadableFile(name, "bảng tính có mật khẩu; hãy bỏ mật khẩu rồi gửi lại") from None
    except Exception as exc:  # calamine raises several error types for broken files
        raise UnreadableFile(name, f"tệp bị hỏng, không đọc được ({type(exc).__name__})") from None
    metadata = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    if len(metadata) > setting("max_sheets"):
        raise UnreadableFile(name, f"có {len(metadata)} trang tính, vượt giới hạn {setting('max_sheets')}")
    sheets = []
    for meta in metadata:
        try:
            raw = book.get_sheet_by_name(meta.name)
        except Exception as exc:
            raise UnreadableFile(name, f"không đọc được ({type(exc).__name__})", meta.name) from None
        _check_size(name, meta.name, raw.height, raw.width)
        rows = raw.to_python(skip_empty_area=False)
        too_long = _drop_overlong_text(rows)
        sheets.append(Sheet(
            name=meta.name, rows=rows, visible=meta.visible == calamine.SheetVisibleEnum.Visible,
            merged=list(raw.merged_cell_ranges or []), errors=too_long,
        ))
    _attach_error_cells(path, kind, sheets)
    return Workbook(path, kind, sheets)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]+)?(\d+)?(?::([A-Za-z]+)(\d+))?"\s*/>')


def _without_oversized_dimensions(data: bytes) -> bytes:
    """A sheet's declared dimension is only a size hint, and the reader reserves memory for it before reading a
    cell: a 2 KB file declaring A1:XFD1048576 asks for 512 GB. A declaration past the row or column limit is
    dropped (the reader then sizes the sheet by the cells there are, and those are checked against the limits);
    the head of each sheet is read, nothing else is inflated."""
    max_rows, max_cols = setting("max_rows_per_sheet"), setting("max_columns_per_sheet")
    oversized = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                with archive.open(info) as part:
                    head = part.read(4096)
                match = _DIMENSION.search(head)
                if match and match.group(4) and (int(match.group(4)) > max_rows
                                                  or _column_index(match.group(3).decode()) + 1 > max_cols):
                    oversized.append(info.filename)
            if not oversized:
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
                for info in archive.infolist():
                    part = archive.read(info)
                    if info.filename in oversized:
                        part = _DIMENSION.sub(b"", part, count=1)
                    rewritten.writestr(info, part)
            return out.getvalue()
    except DAMAGED_ZIP:
        return data  # the reader then says the file is damaged


EXCEL_CELL_TEXT = 32767  # the most characters an Excel cell holds


def _drop_overlong_text(rows: list[list]) -> dict[tuple[int, int], str]:
    """Text longer than an Excel cell can hold was not typed by a person: it is kept out of the grid (reading it
    costs seconds per cell) and marked, so a row that needs it is refused with its cell."""
    marked = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and len(value) > EXCEL_CELL_TEXT:
                row[c] = ""
                marked[(r, c)] = (f"chứa văn bản dài {len(value):,} ký tự, vượt giới hạn {EXCEL_CELL_TEXT:,} ký tự "
                                  "của một ô Excel").replace(",", ".")
    return marked


def _check_size(file_name: str, sheet: str, height: int, width: int) -> None:
    if height > setting("max_rows_per_sheet"):
        raise UnreadableFile(file_name, f"{height} dòng, vượt giới hạn {setting('max_rows_per_sheet')} dòng", sheet)
    if width > setting("max_columns_per_sheet"):
        raise UnreadableFile(file_name, f"{width} cột, vượt giới hạn {setting('max_columns_per_sheet')} cột", sheet)


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _local(name: str) -> str:
    """'{namespace}worksheet' or 'worksheet' -> 'worksheet': writers differ in prefixes and namespaces
    (transitional or strict OOXML), the meaning does not."""
    return name.rsplit("}", 1)[-1]


def _parse_xml(data: bytes):
    """A part of the package as an element tree; entity declarations (billion laughs, XXE) are refused."""
    return SafeTree.fromstring(data)


_REF = re.compile(r"([A-Za-z]+)([0-9]+)")
_ERROR_ATTRIBUTE = re.compile(rb"""\bt\s*=\s*["']e["']""")


def _attach_error_cells(path: Path, kind: str, sheets: list[Sheet]) -> None:
    """What calamine does not keep: Excel error values, and which numbers are formatted as percentages."""
    by_name = {s.name: s for s in sheets}
    if kind in ("xlsx", "xlsm"):
        with _xml_faults(path.name, "tệp bị hỏng: phần XML của bảng tính không đọc được; hãy mở bằng Excel, lưu lại "
                         "rồi gửi lại"):
            percent_styles = _xlsx_percent_styles(path)
            for sheet_name, xml in _xlsx_sheet_xml(path):
                if sheet_name in by_name:
                    _scan_cells(xml, by_name[sheet_name], percent_styles)
    elif kind == "xls":
        _xls_error_cells(path, by_name)
    elif kind == "ods":
        with _xml_faults(path.name, "tệp bị hỏng: phần nội dung của bảng tính ODS không đọc được",
                         reopen="LibreOffice, lưu lại"):
            _ods_side_cells(path, by_name)


# what a damaged package raises while its parts are read: broken XML, a missing part, a damaged zip member (bad
# deflate data, an unknown compression method, a "password" flag), bad numbers in attributes
DAMAGED_PACKAGE = (ElementTree.ParseError, KeyError, zipfile.BadZipFile, zlib.error, EOFError, UnicodeError,
                   ValueError, NotImplementedError, RuntimeError)


@contextmanager
def _xml_faults(file_name: str, damaged_message: str, reopen: str = "Excel, lưu lại thành .xlsx",
                damaged: tuple = DAMAGED_PACKAGE):
    """Reading the XML of a file: entity declarations and damage become one UnreadableFile each."""
    try:
        yield
    except DefusedXmlException:
        raise UnreadableFile(file_name, f"tệp chứa khai báo thực thể XML (có thể là tệp độc hại); hãy mở bằng "
                             f"{reopen} rồi gửi lại") from None
    except damaged:
        raise UnreadableFile(file_name, damaged_message) from None


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*)>")  # a cell's start tag, any prefix
_ATTRIBUTE = re.compile(rb"""\b(r|s|t)\s*=\s*["']([^"']*)["']""")


def _scan_cells(xml: bytes, sheet: Sheet, percent_styles: set[str]) -> None:
    """Error cells and %-formatted cells of one sheet's XML, whatever prefix its writer used. The XML is parsed
    only when a byte search says it may hold either, so that ordinary sheets cost nothing."""
    style_pattern = None
    if percent_styles:
        alternatives = b"|".join(re.escape(s.encode()) for s in sorted(percent_styles))
        style_pattern = re.compile(rb"""\bs\s*=\s*["'](?:""" + alternatives + rb""")["']""")
    if not _ERROR_ATTRIBUTE.search(xml) and not (style_pattern and style_pattern.search(xml)):
        return
    if not _ERROR_ATTRIBUTE.search(xml):  # only %-formatted cells: their start tags say all (no XML tree needed)
        for tag in _CELL_TAG.finditer(xml):
            attributes = dict(_ATTRIBUTE.findall(tag[1]))
            ref = _REF.fullmatch(attributes.get(b"r", b"").decode("ascii", "replace"))
            if ref and attributes.get(b"s", b"").decode("ascii", "replace") in percent_styles:
                sheet.percent_cells.add((int(ref[2]) - 1, _column_index(ref[1])))
        return
    for _, element in SafeTree.iterparse(io.BytesIO(xml), events=("end",)):
        if _local(element.tag) != "c":
            continue
        ref = _REF.fullmatch(element.get("r", ""))
        if ref:
            where = (int(ref[2]) - 1, _column_index(ref[1]))
            if element.get("t") == "e":
                value = next((child.text for child in element if _local(child.tag) == "v"), None)
                sheet.errors[where] = (value or "#ERR").strip()
            if element.get("s") in percent_styles:
                sheet.percent_cells.add(where)
        element.clear()


def _xlsx_percent_styles(path: Path) -> set[str]:
    """Indexes of the cell styles whose number format shows a percentage (built-in 9, 10 or a custom '%')."""
    with zipfile.ZipFile(path) as archive:
        if "xl/styles.xml" not in archive.namelist():
            return set()
        root = _parse_xml(archive.read("xl/styles.xml"))
    percent_formats = {"9", "10"}
    cell_xfs = None
    for element in root:
        if _local(element.tag) == "numFmts":
            percent_formats |= {fmt.get("numFmtId") for fmt in element
                                if "%" in (fmt.get("formatCode") or "").replace("\\%", "")}
        elif _local(element.tag) == "cellXfs":
            cell_xfs = element
    if cell_xfs is None:
        return set()
    formats = [xf.get("numFmtId", "0") for xf in cell_xfs if _local(xf.tag) == "xf"]
    return {str(i) for i, fmt in enumerate(formats) if fmt in percent_formats}


def _xlsx_sheet_xml(path: Path):
    """(sheet name, sheet XML) pairs, following the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        rels = _parse_xml(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels if _local(rel.tag) == "Relationship"}
        workbook = _parse_xml(archive.read("xl/workbook.xml"))
        for sheet in workbook.iter():
            if _local(sheet.tag) != "sheet":
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and _local(k) == "id"), None)
            target = targets.get(rid, "").lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            if member in names:
                yield sheet.get("name", ""), archive.read(member)


def _xls_error_cells(path: Path, by_name: dict[str, Sheet]) -> None:
    """Error cells and %-formatted numbers of an .xls (xlrd reads the formats calamine does not give)."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=True)
    except Exception:  # noqa: BLE001 - calamine read the values; a file xlrd cannot open has no extra detail
        return
    percent_xf = {i for i, xf in enumerate(book.xf_list)
                  if "%" in getattr(book.format_map.get(xf.format_key), "format_str", "").replace("\\%", "")}
    for sheet_name in book.sheet_names():
        if sheet_name not in by_name:
            continue
        xsheet, sheet = book.sheet_by_name(sheet_name), by_name[sheet_name]
        for r in range(xsheet.nrows):
            for c, ctype in enumerate(xsheet.row_types(r)):
                if ctype == xlrd.XL_CELL_ERROR:
                    code = xsheet.cell_value(r, c)
                    sheet.errors[(r, c)] = xlrd.error_text_from_code.get(code, "#ERR")
                elif ctype == xlrd.XL_CELL_NUMBER and percent_xf and xsheet.cell_xf_index(r, c) in percent_xf:
                    sheet.percent_cells.add((r, c))


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _ods_side_cells(path: Path, by_name: dict[str, Sheet]) -> None:
    """Error cells (#DIV/0!, Err:502) and percentage cells of an .ods, which calamine reads as text or plain
    numbers, from content.xml."""
    def attr(element, namespace: str, name: str) -> str | None:
        return element.get(f"{{{namespace}}}{name}")

    with zipfile.ZipFile(path) as archive:
        data = archive.read("content.xml")
    if b"percentage" not in data and b'value-type="error"' not in data and b"Err:" not in data:
        return
    sheet, row, col = None, 0, 0
    for event, element in SafeTree.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "table":
                sheet, row = by_name.get(attr(element, _ODS_TABLE, "name") or ""), 0
            elif tag == "table-row":
                col = 0
            continue
        if tag == "table-row":
            row += int(attr(element, _ODS_TABLE, "number-rows-repeated") or 1)
            element.clear()
        elif tag in ("table-cell", "covered-table-cell"):
            repeat = int(attr(element, _ODS_TABLE, "number-columns-repeated") or 1)
            if sheet is not None and tag == "table-cell":
                text = "".join(element.itertext()).strip()
                if attr(element, _ODS_CALCEXT, "value-type") == "error" or (
                        attr(element, _ODS_TABLE, "formula") and text.startswith(("#", "Err:"))):
                    for c in range(col, col + min(repeat, 400)):
                        sheet.errors[(row, c)] = text or "#ERR"
                elif attr(element, _ODS_OFFICE, "value-type") == "percentage":
                    for c in range(col, col + min(repeat, 400)):
                        sheet.percent_cells.add((row, c))
            col += repeat


ENCODING_VI = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1258": "Windows-1258 (tiếng Việt)",
               "cp1252": "Windows-1252 (ANSI)", "cp1252+tcvn3": "Windows-1252 với chữ gõ phông TCVN3 (.VnTime)",
               "cp1252+vni": "Windows-1252 với chữ gõ phông VNI"}


def _windows_undefined(error: UnicodeDecodeError):
    """Bytes a Windows code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) become the control characters
    Windows itself maps them to, instead of stopping the read."""
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("dx_windows_undefined", _windows_undefined)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file: a byte-order mark or valid UTF-8 decide at once. Otherwise each candidate
    reading is scored by how many of its words are Vietnamese syllables and the best is kept (on a tie, the
    first): Windows-1258; Windows-1252 holding text typed in the legacy font TCVN3 or VNI (every field converted,
    since an ANSI file of the Latin code page cannot hold Vietnamese any other way); Windows-1252 as it is; and,
    when all of these read badly, charset-normalizer's guess."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    latin = data.decode("cp1252", errors="dx_windows_undefined")
    readings = [("cp1258", data.decode("cp1258", errors="dx_windows_undefined")),
                ("cp1252+tcvn3", decode_fields(latin, decode_tcvn3)),
                ("cp1252+vni", decode_fields(latin, decode_vni)),
                ("cp1252", latin)]
    scored = [(reading_penalty(text), rank, text, name) for rank, (name, text) in enumerate(readings)]
    (bad, words), _, text, name = min(scored, key=lambda s: (s[0][0], s[1]))
    if bad * 5 > words:  # more than a fifth of the words are not Vietnamese in every reading
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:200_000]).best()
        if guess is not None and guess.encoding not in ("cp1258", "cp1252"):
            try:
                other = data.decode(guess.encoding)
                if reading_penalty(other)[0] < bad:
                    return other, guess.encoding
            except (UnicodeDecodeError, LookupError):
                pass
    return text, name


def _read_csv(path: Path) -> Sheet:
    text, encoding = decode_text(path.read_bytes())
    text = text.replace("\x00", "")
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # one long cell is a value, not a crash
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=_delimiter(text))]
    except csv.Error:
        raise UnreadableFile(path.name, "tệp CSV không đúng định dạng (dấu ngoặc kép hoặc dòng bị hỏng); hãy mở "
                                        "bằng Excel và lưu lại dạng CSV UTF-8") from None
    _check_size(path.name, None, len(rows), max((len(r) for r in rows), default=0))
    return Sheet(name="", rows=rows, encoding=encoding)


def _delimiter(text: str) -> str:
    """The delimiter that splits most of the first lines into the same number of fields (more than one): a
    title line, a total line or a stray byte at the end does not change the verdict as it does csv.Sniffer's."""
    import collections

    head = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_score = ",", 0
    for delimiter in (";", ",", "\t", "|"):
        try:
            counts = collections.Counter(len(row) for row in csv.reader(head, delimiter=delimiter))
        except csv.Error:
            continue
        fields, lines = max(((n, c) for n, c in counts.items() if n > 1), key=lambda nc: (nc[1], nc[0]),
                            default=(1, 0))
        if lines > best_score:
            best, best_score = delimiter, lines
    return best
