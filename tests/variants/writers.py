"""Cell grids -> files, by the writers offices' software uses: xlsxwriter, openpyxl, a namespace-prefixed writer
(.NET Open XML SDK style), xlwt (.xls), CSV in UTF-8 (with or without BOM), cp1258 and cp1252, and the ".xls" files
that are not Excel: an HTML table (school-management exports) and XML Spreadsheet 2003."""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from pathlib import Path

from etl.legacy_fonts import encode_tcvn3, encode_vni
from etl.sample.writers import encode_windows_1258, prefix_namespaces
from tests.variants.render import Book, Err, Fmt, Sheet

FORMATS = ("xlsx_xw", "xlsx_opx", "xlsx_ns", "xls", "csv_utf8", "csv_bom", "csv_1258", "csv_1252", "html_xls",
           "xml2003")
EXTENSION = {"xls": ".xls", "csv_utf8": ".csv", "csv_bom": ".csv", "csv_1258": ".csv", "csv_1252": ".csv",
             "html_xls": ".xls", "xml2003": ".xls"}
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def write(book: Book, fmt: str, folder: Path, delimiter: str = ";", legacy: str = "tcvn3") -> Path:
    path = folder / (book.stem + EXTENSION.get(fmt, ".xlsx"))
    if fmt in ("xlsx_xw", "xlsx_ns"):
        _xlsxwriter(book, path)
        if fmt == "xlsx_ns":
            prefix_namespaces(path, path)
    elif fmt == "xlsx_opx":
        _openpyxl(book, path)
    elif fmt == "xls":
        _xlwt(book, path)
    elif fmt == "html_xls":
        _html(book, path)
    elif fmt == "xml2003":
        _xml2003(book, path)
    else:
        _csv(book, path, fmt, delimiter, legacy)
    return path


def _plain(value):
    return value.value if isinstance(value, Fmt) else value


def _xlsxwriter(book: Book, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    formats = {"pct": wb.add_format({"num_format": "0%"}), "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
               None: None}
    first_visible = None
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        anchors = {(r1, c1) for r1, c1, _, _ in sheet.merges}
        for r1, c1, r2, c2 in sheet.merges:
            value = sheet.cells.get((r1, c1), "")
            ws.merge_range(r1, c1, r2, c2, _plain(value) if not isinstance(value, Err) else "", None)
        for (r, c), value in sorted(sheet.cells.items()):
            if (r, c) in anchors:
                continue
            fmt = formats[value.fmt] if isinstance(value, Fmt) else None
            value = _plain(value)
            if isinstance(value, Err):
                ws.write_formula(r, c, "=1/0", None, value.code)
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
            else:
                ws.write_number(r, c, value, fmt)
        for r in sorted(sheet.hidden_rows):
            ws.set_row(r, None, None, {"hidden": True})
        if sheet.hidden:
            ws.hide()
        elif first_visible is None:
            first_visible = ws
    first_visible.activate()
    first_visible.set_first_sheet()
    wb.close()


def _openpyxl(book: Book, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for (r, c), value in sheet.cells.items():
            cell = ws.cell(row=r + 1, column=c + 1)
            raw = _plain(value)
            cell.value = raw.code if isinstance(raw, Err) else raw
            if isinstance(value, Fmt):
                cell.number_format = "0%" if value.fmt == "pct" else "dd/mm/yyyy"
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for r in sheet.hidden_rows:
            ws.row_dimensions[r + 1].hidden = True
        if sheet.hidden:
            ws.sheet_state = "hidden"
    wb.active = next(i for i, s in enumerate(book.sheets) if not s.hidden)
    wb.save(str(path))


def _xlwt(book: Book, path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    styles = {"pct": xlwt.easyxf(num_format_str="0%"), "date": xlwt.easyxf(num_format_str="dd/mm/yyyy")}
    plain = xlwt.easyxf("")
    for index, sheet in enumerate(book.sheets):
        ws = wb.add_sheet(sheet.name[:31])
        anchors = {(r1, c1) for r1, c1, _, _ in sheet.merges}
        for r1, c1, r2, c2 in sheet.merges:
            value = _plain(sheet.cells.get((r1, c1), ""))
            ws.write_merge(r1, r2, c1, c2, value if not isinstance(value, Err) else "", plain)
        for (r, c), value in sorted(sheet.cells.items()):
            if (r, c) in anchors:
                continue
            style = styles[value.fmt] if isinstance(value, Fmt) else plain
            value = _plain(value)
            if isinstance(value, Err):
                ws.row(r).set_cell_error(c, value.code)
            else:
                ws.write(r, c, value, style)
        for r in sheet.hidden_rows:
            ws.row(r).hidden = True
        if sheet.hidden:
            ws.visibility = 1
        elif not any(not s.hidden for s in book.sheets[:index]):
            wb.active_sheet = index
            ws.selected = True
    wb.save(str(path))


def csv_text(value, delimiter: str) -> str:
    """What Excel shows, as it saves a sheet to CSV: percentages with %, dates dd/mm/yyyy, the locale's decimal."""
    decimal = "," if delimiter == ";" else "."
    if isinstance(value, Fmt) and value.fmt == "pct":
        number = round(value.value * 100, 6)
        text = f"{number:g}%"
        return text.replace(".", decimal)
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, Err):
        return value.code
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.10g}".replace(".", decimal)
    return str(value)


def _csv(book: Book, path: Path, fmt: str, delimiter: str, legacy: str) -> None:
    sheet: Sheet = next(s for s in book.sheets if not s.hidden)  # a CSV holds one sheet, without formatting
    width = sheet.width
    height = 1 + max(r for r, _ in sheet.cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for r in range(height):
        writer.writerow([csv_text(sheet.cells.get((r, c)), delimiter) for c in range(width)])
    text = buffer.getvalue()
    if fmt == "csv_utf8":
        data = text.encode("utf-8")
    elif fmt == "csv_bom":
        data = text.encode("utf-8-sig")
    elif fmt == "csv_1258":
        data = encode_windows_1258(text)
    else:  # a sheet typed in a legacy font, saved as ANSI: every text is TCVN3 or VNI bytes
        encode = encode_tcvn3 if legacy == "tcvn3" else encode_vni
        data = encode(unicodedata.normalize("NFC", text)).encode("cp1252")
    path.write_bytes(data)


def _html(book: Book, path: Path) -> None:
    """An HTML page saved as .xls, as school-management systems export: one <table> per visible sheet (a hidden
    sheet is not exported), merges as colspan/rowspan, each cell as the text Excel shows in a Vietnamese locale."""
    from html import escape

    out = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>']
    for sheet in (s for s in book.sheets if not s.hidden):
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        covered = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   if (r, c) != (r1, c1)}
        out.append('<table border="1">')
        for r in range(1 + max(r for r, _ in sheet.cells)):
            out.append('<tr style="display:none">' if r in sheet.hidden_rows else "<tr>")
            for c in range(sheet.width):
                if (r, c) in covered:
                    continue
                rows, cols = spans.get((r, c), (1, 1))
                span = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
                out.append(f"<td{span}>{escape(csv_text(sheet.cells.get((r, c)), ';'))}</td>")
            out.append("</tr>")
        out.append("</table>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def _xml2003(book: Book, path: Path) -> None:
    """XML Spreadsheet 2003 (what older software saves as .xls): typed cells, merges, hidden rows and sheets,
    a percent style."""
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">',
           '<Styles><Style ss:ID="pct"><NumberFormat ss:Format="0%"/></Style>'
           '<Style ss:ID="date"><NumberFormat ss:Format="Short Date"/></Style></Styles>']
    for sheet in book.sheets:
        spans = {(r1, c1): (r2 - r1, c2 - c1) for r1, c1, r2, c2 in sheet.merges}
        out.append(f"<Worksheet ss:Name={quoteattr(sheet.name)}><Table>")
        rows = sorted({r for r, _ in sheet.cells} | sheet.hidden_rows)
        for r in rows:
            hidden = ' ss:Hidden="1"' if r in sheet.hidden_rows else ""
            out.append(f'<Row ss:Index="{r + 1}"{hidden}>')
            for c in sorted(c for rr, c in sheet.cells if rr == r):
                value = sheet.cells[(r, c)]
                style = f' ss:StyleID="{value.fmt}"' if isinstance(value, Fmt) else ""
                down, across = spans.get((r, c), (0, 0))
                merge = (f' ss:MergeDown="{down}"' if down else "") + (f' ss:MergeAcross="{across}"' if across else "")
                raw = _plain(value)
                if isinstance(raw, Err):
                    data = f'<Data ss:Type="Error">{escape(raw.code)}</Data>'
                elif isinstance(raw, (dt.date, dt.datetime)):
                    data = f'<Data ss:Type="DateTime">{raw:%Y-%m-%d}T00:00:00.000</Data>'
                elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
                    data = f'<Data ss:Type="Number">{raw!r}</Data>'
                else:
                    data = f'<Data ss:Type="String">{escape(str(raw))}</Data>'
                out.append(f'<Cell ss:Index="{c + 1}"{style}{merge}>{data}</Cell>')
            out.append("</Row>")
        out.append("</Table>")
        if sheet.hidden:
            out.append('<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>'
                       "</WorksheetOptions>")
        out.append("</Worksheet>")
    out.append("</Workbook>")
    path.write_text("\n".join(out), encoding="utf-8")
