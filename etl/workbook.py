"""Open an input file as a grid of cells per sheet, or say in Vietnamese why it cannot be read.

Readers: python-calamine for .xlsx/.xlsm/.xls/.xlsb/.ods; the csv module for .csv/.txt.
Calamine drops Excel error values (#REF!, #DIV/0!), so those are found separately: in the sheet XML
for .xlsx and with xlrd for .xls.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

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


@dataclass
class Workbook:
    path: Path
    kind: str
    sheets: list[Sheet]


def _sniff(path: Path, head: bytes) -> str:
    """What the bytes say the file is: 'zip', 'ole', 'text' or a Vietnamese description."""
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
    if kind == "text":
        if ext in (".csv", ".txt", ".tsv"):
            return Workbook(path, "csv", [_read_csv(path)])
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
        _check_zip(path)
    return _read_calamine(path, "xls" if kind == "ole" else ext.lstrip(".") or "xlsx")


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


def _check_zip(path: Path) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError):
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


def _read_calamine(path: Path, kind: str) -> Workbook:
    name = path.name
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
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
        sheets.append(Sheet(
            name=meta.name, rows=rows, visible=meta.visible == calamine.SheetVisibleEnum.Visible,
            merged=list(raw.merged_cell_ranges or []),
        ))
    _attach_error_cells(path, kind, sheets)
    return Workbook(path, kind, sheets)


def _check_size(file_name: str, sheet: str, height: int, width: int) -> None:
    if height > setting("max_rows_per_sheet"):
        raise UnreadableFile(file_name, f"{height} dòng, vượt giới hạn {setting('max_rows_per_sheet')} dòng", sheet)
    if width > setting("max_columns_per_sheet"):
        raise UnreadableFile(file_name, f"{width} cột, vượt giới hạn {setting('max_columns_per_sheet')} cột", sheet)


_CELL_ERROR = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + ord(ch) - 64
    return index - 1


_CELL_TAG = re.compile(rb'<c ([^>]*?)/?>')
_ATTRIBUTE = re.compile(rb'\b(r|s)="([^"]*)"')


def _attach_error_cells(path: Path, kind: str, sheets: list[Sheet]) -> None:
    """What calamine does not keep: Excel error values, and which numbers are formatted as percentages."""
    by_name = {s.name: s for s in sheets}
    if kind in ("xlsx", "xlsm"):
        percent_styles = _xlsx_percent_styles(path)
        for sheet_name, xml in _xlsx_sheet_xml(path):
            if sheet_name not in by_name:
                continue
            sheet = by_name[sheet_name]
            for m in _CELL_ERROR.finditer(xml):
                sheet.errors[(int(m[2]) - 1, _column_index(m[1]))] = m[3].decode()
            if percent_styles:
                for tag in _CELL_TAG.finditer(xml):
                    attributes = dict(_ATTRIBUTE.findall(tag[1]))
                    if attributes.get(b"s", b"").decode() in percent_styles and b"r" in attributes:
                        ref = re.match(rb"([A-Z]+)([0-9]+)", attributes[b"r"])
                        sheet.percent_cells.add((int(ref[2]) - 1, _column_index(ref[1])))
    elif kind == "xls":
        _xls_error_cells(path, by_name)


def _xlsx_percent_styles(path: Path) -> set[str]:
    """Indexes of the cell styles whose number format shows a percentage (built-in 9, 10 or a custom '%')."""
    with zipfile.ZipFile(path) as archive:
        if "xl/styles.xml" not in archive.namelist():
            return set()
        styles = archive.read("xl/styles.xml").decode("utf-8", "replace")
    percent_formats = {"9", "10"} | {m[0] for m in re.findall(r'<numFmt [^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"',
                                                               styles) if "%" in m[1].replace("\\%", "")}
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not cell_xfs:
        return set()
    formats = [(re.search(r'numFmtId="(\d+)"', tag) or re.match("", "")).group(1) if "numFmtId" in tag else "0"
               for tag in re.findall(r"<xf\b[^>]*>", cell_xfs[1])]
    return {str(i) for i, fmt in enumerate(formats) if fmt in percent_formats}


def _xlsx_sheet_xml(path: Path):
    """(sheet name, sheet XML) pairs, following the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
            target = targets.get(rid, "").lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            if member in archive.namelist():
                yield _xml_unescape(name), archive.read(member)


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def _xls_error_cells(path: Path, by_name: dict[str, Sheet]) -> None:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception:
        return
    for sheet_name in book.sheet_names():
        if sheet_name not in by_name:
            continue
        xsheet = book.sheet_by_name(sheet_name)
        for r in range(xsheet.nrows):
            for c, ctype in enumerate(xsheet.row_types(r)):
                if ctype == xlrd.XL_CELL_ERROR:
                    code = xsheet.cell_value(r, c)
                    by_name[sheet_name].errors[(r, c)] = xlrd.error_text_from_code.get(code, "#ERR")


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    _check_size(path.name, None, len(rows), max((len(r) for r in rows), default=0))
    return Sheet(name="", rows=rows)
