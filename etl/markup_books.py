"""Spreadsheets that are markup, not Excel files: what school-management software and web portals save as ".xls".

- an HTML page holding one or more <table> (Excel opens it as a sheet; many Vietnamese systems export this way);
- SpreadsheetML 2003 ("XML Spreadsheet 2003", <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">).

Both become the same Sheet grids as calamine gives, with merged ranges from colspan/rowspan or MergeAcross/
MergeDown, so everything downstream reads them like any workbook. Values stay text, as typed.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

SPREADSHEETML = b"urn:schemas-microsoft-com:office:spreadsheet"


def is_html(head: bytes) -> bool:
    low = head[:2048].lower()
    return b"<html" in low or b"<table" in low


def _charset(data: bytes) -> str | None:
    match = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", data[:4096], re.I)
    return match.group(1).decode("ascii").lower() if match else None


class _Tables(HTMLParser):
    """Cells of every <table>, with colspan/rowspan spread into merged ranges. Nested tables are flattened into
    the cell that holds them (their text only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.depth = 0
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append({"rows": [], "merged": [], "taken": set(), "title": attrs.get("summary")})
        elif self.depth != 1:
            return
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = []
            self.span = (_int(attrs.get("rowspan")), _int(attrs.get("colspan")))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag in ("td", "th") and self.cell is not None:
            self._close_cell()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def _close_cell(self):
        table = self.tables[-1]
        if not table["rows"]:
            table["rows"].append([])
        r, row = len(table["rows"]) - 1, table["rows"][-1]
        c = len(row)
        while (r, c) in table["taken"]:
            row.append(None)
            c += 1
        text = " ".join("".join(self.cell).split())
        row.append(text or None)
        rows, cols = self.span
        if rows > 1 or cols > 1:
            table["merged"].append(((r, c), (r + rows - 1, c + cols - 1)))
            for rr in range(r, r + rows):
                for cc in range(c, c + cols):
                    if (rr, cc) != (r, c):
                        table["taken"].add((rr, cc))
            row.extend([None] * (cols - 1))
        self.cell = None


def _int(value) -> int:
    try:
        return max(1, min(int(value), 400))
    except (TypeError, ValueError):
        return 1


def read_html(data: bytes, decode) -> list[tuple[str, list[list], list]]:
    """(sheet name, rows, merged ranges) for each table with any text; `decode` turns bytes into text when the page
    names no charset."""
    charset = _charset(data)
    try:
        text = data.decode(charset) if charset else decode(data)[0]
    except (LookupError, UnicodeDecodeError):
        text = decode(data)[0]
    parser = _Tables()
    parser.feed(text)
    parser.close()
    sheets = []
    for i, table in enumerate(parser.tables, 1):
        rows = [[v if v != "" else None for v in row] for row in table["rows"]]
        if any(v for row in rows for v in row):
            sheets.append((f"Bảng {i}" if len(parser.tables) > 1 else "", _pad(rows), table["merged"]))
    return sheets


def read_spreadsheetml(data: bytes) -> list[tuple[str, list[list], list, bool, dict, set]]:
    """(sheet name, rows, merged ranges, visible, error cells, %-formatted cells) of an XML Spreadsheet 2003."""
    from defusedxml import ElementTree as SafeTree

    root = SafeTree.fromstring(data)
    sheets = []

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def attr(element, name: str) -> str | None:
        return next((v for k, v in element.attrib.items() if local(k) == name), None)

    percent_styles = {attr(style, "ID") for styles in root if local(styles.tag) == "Styles" for style in styles
                      for fmt in style if local(fmt.tag) == "NumberFormat"
                      and ("%" in (attr(fmt, "Format") or "") or attr(fmt, "Format") == "Percent")}

    for worksheet in (e for e in root if local(e.tag) == "Worksheet"):
        rows, merged, errors, percent, r = [], [], {}, set(), -1
        visible = True
        for part in worksheet.iter():
            if local(part.tag) == "Visible" and (part.text or "").strip().startswith("SheetHidden"):
                visible = False
        table = next((e for e in worksheet if local(e.tag) == "Table"), None)
        for row in (e for e in (table if table is not None else []) if local(e.tag) == "Row"):
            r = _int(attr(row, "Index")) - 1 if attr(row, "Index") else r + 1
            while len(rows) <= r:
                rows.append([])
            c = -1
            for cell in (e for e in row if local(e.tag) == "Cell"):
                c = _int(attr(cell, "Index")) - 1 if attr(cell, "Index") else c + 1
                data_element = next((e for e in cell if local(e.tag) == "Data"), None)
                value = None
                if data_element is not None:
                    text = "".join(data_element.itertext())
                    kind = attr(data_element, "Type")
                    value = _number(text) if kind == "Number" else _datetime(text) if kind == "DateTime" else text
                    if kind == "Error":
                        errors[(r, c)], value = text or "#ERR", None
                    elif kind == "Number" and attr(cell, "StyleID") in percent_styles:
                        percent.add((r, c))
                while len(rows[r]) <= c:
                    rows[r].append(None)
                rows[r][c] = value
                across, down = int(attr(cell, "MergeAcross") or 0), int(attr(cell, "MergeDown") or 0)
                if across or down:
                    merged.append(((r, c), (r + down, c + across)))
                c += across
        sheets.append((attr(worksheet, "Name") or "", _pad(rows), merged, visible, errors, percent))
    return sheets


def _datetime(text: str):
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _pad(rows: list[list]) -> list[list]:
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]
