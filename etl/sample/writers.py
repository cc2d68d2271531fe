"""A small sheet model and its writers (.xlsx via xlsxwriter, .xls via xlwt, .csv)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
import xlwt

CREATED = dt.datetime(2025, 7, 1, 8, 0, 0)  # fixed, so that files are byte-identical


@dataclass(frozen=True)
class Formula:
    text: str  # without the leading "="
    cached: object  # the value Excel would show


@dataclass
class Sheet:
    name: str
    cells: dict = field(default_factory=dict)  # (row, col) -> (value, style)
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2)
    widths: dict = field(default_factory=dict)
    hidden: set = field(default_factory=set)
    located: dict = field(default_factory=dict)  # (school code, field) -> (row, col)

    def put(self, row: int, col: int, value, style: str = "normal", key: tuple | None = None):
        self.cells[(row, col)] = (value, style)
        if key is not None:
            self.located[key] = (row, col)

    def merge(self, r1: int, c1: int, r2: int, c2: int, value, style: str = "header"):
        self.put(r1, c1, value, style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def value(self, row: int, col: int):
        return self.cells.get((row, col), (None, ""))[0]

    @property
    def n_rows(self) -> int:
        return 1 + max((r for r, _ in self.cells), default=-1)


@dataclass
class Book:
    path: str  # relative to the output directory
    sheets: list
    writer: str = "xlsxwriter"  # .xlsx: xlsxwriter | prefixed (namespace prefixes and entities, as .NET writes)
    encoding: str = "utf-8-sig"  # .csv: utf-8-sig | cp1258 (as a Vietnamese Windows saves "CSV (ANSI)")


def a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def write(book: Book, out_dir: Path) -> Path:
    path = out_dir / book.path
    path.parent.mkdir(parents=True, exist_ok=True)
    {".xlsx": _write_xlsx, ".xls": _write_xls, ".csv": _write_csv}[path.suffix](book, path)
    if path.suffix == ".xlsx" and book.writer == "prefixed":
        prefix_namespaces(path, path)
    return path


_XLSX_FORMATS = {
    "normal": {},
    "cell": {"border": 1},
    "title": {"bold": True, "font_size": 13, "align": "center"},
    "bold": {"bold": True},
    "italic": {"italic": True},
    "header": {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1},
    "center": {"align": "center", "border": 1},
    "date": {"num_format": "dd/mm/yyyy", "border": 1},
    "note": {"italic": True, "font_color": "#C00000"},
}


def _write_xlsx(book: Book, path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_urls": False,
                                               "strings_to_formulas": False})
    workbook.set_properties({"created": CREATED, "title": "Dữ liệu giả lập",
                             "comments": "Dữ liệu giả lập – không phải số liệu thật"})
    formats = {name: workbook.add_format({"font_name": "Times New Roman", "font_size": 11, **spec})
               for name, spec in _XLSX_FORMATS.items()}
    for sheet in book.sheets:
        ws = workbook.add_worksheet(sheet.name)
        anchors = {(r1, c1) for r1, c1, _, _ in sheet.merges}
        for r1, c1, r2, c2 in sheet.merges:
            value, style = sheet.cells[(r1, c1)]
            ws.merge_range(r1, c1, r2, c2, value if value is not None else "", formats[style])
        for (row, col), (value, style) in sorted(sheet.cells.items()):
            if (row, col) not in anchors:
                _xlsx_cell(ws, row, col, value, formats[style], formats["date"])
        for col, width in sorted(sheet.widths.items()):
            ws.set_column(col, col, width, None, {"hidden": col in sheet.hidden})
    workbook.close()


def _xlsx_cell(ws, row, col, value, fmt, date_fmt) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(row, col, "=" + value.text, fmt, value.cached)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, date_fmt)
    else:
        ws.write_number(row, col, value, fmt)


_XLS_STYLES = {
    "normal": "", "cell": "borders: left thin, right thin, top thin, bottom thin",
    "title": "font: bold on, height 260; align: horiz center",
    "bold": "font: bold on", "italic": "font: italic on",
    "header": "font: bold on; align: wrap on, horiz center, vert center; "
              "borders: left thin, right thin, top thin, bottom thin",
    "center": "align: horiz center; borders: left thin, right thin, top thin, bottom thin",
    "date": "borders: left thin, right thin, top thin, bottom thin",
    "note": "font: italic on, colour red",
}


def _write_xls(book: Book, path: Path) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    styles = {name: xlwt.easyxf(("font: name Times New Roman; " + spec).strip("; "),
                                num_format_str="dd/mm/yyyy" if name == "date" else "General")
              for name, spec in _XLS_STYLES.items()}
    for sheet in book.sheets:
        ws = workbook.add_sheet(sheet.name[:31])
        anchors = {(r1, c1) for r1, c1, _, _ in sheet.merges}
        for r1, c1, r2, c2 in sheet.merges:
            value, style = sheet.cells[(r1, c1)]
            ws.write_merge(r1, r2, c1, c2, _plain(value), styles[style])
        for (row, col), (value, style) in sorted(sheet.cells.items()):
            if (row, col) not in anchors:
                ws.write(row, col, _plain(value), styles[style])
        for col, width in sorted(sheet.widths.items()):
            ws.col(col).width = int(256 * width)
            ws.col(col).hidden = col in sheet.hidden
    workbook.save(str(path))


def _plain(value):
    """xlwt cannot store a formula's cached value: keep the value itself."""
    return value.cached if isinstance(value, Formula) else value


def _write_csv(book: Book, path: Path) -> None:
    sheet = book.sheets[0]
    n_cols = 1 + max(c for _, c in sheet.cells)
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
    for row in range(sheet.n_rows):
        writer.writerow([_csv_text(sheet.value(row, col)) for col in range(n_cols)])
    text = handle.getvalue()
    path.write_bytes(encode_windows_1258(text) if book.encoding == "cp1258" else text.encode(book.encoding))


def _csv_text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return (text[:-2] if text.endswith(".0") else text).replace(".", ",")
    return str(value)


# ---- writers other than ours: files as other software saves them ------------------------------------------------

SPREADSHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def prefix_namespaces(src: Path, dst: Path) -> Path:
    """Rewrite an .xlsx the way the .NET Open XML SDK and some government software write it: the SpreadsheetML
    namespace under a prefix (<x:worksheet>, <x:c r="A1" t="e">) and non-ASCII text as character entities
    (&#7901;). The cells and their meaning are unchanged."""
    import zipfile
    from xml.etree import ElementTree

    ElementTree.register_namespace("x", SPREADSHEET_MAIN)
    ElementTree.register_namespace("r", OFFICE_RELATIONSHIPS)
    with zipfile.ZipFile(src) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename.startswith("xl/") and info.filename.endswith(".xml") and SPREADSHEET_MAIN.encode() in data:
                data = ElementTree.tostring(ElementTree.fromstring(data), encoding="us-ascii", xml_declaration=True)
            archive.writestr(info, data)
    return dst


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_windows_1258(text: str) -> bytes:
    """Vietnamese as Windows saves it in code page 1258 ("ANSI" on a Vietnamese Windows): a precomposed letter
    where the code page has it, else the letter without its tone followed by the tone as a combining mark."""
    import unicodedata

    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
            out += base.encode("cp1258", errors="replace")
            out += "".join(c for c in parts if c in _TONE_MARKS).encode("cp1258")
    return bytes(out)
