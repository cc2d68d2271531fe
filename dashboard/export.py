"""Tables to Excel and CSV bytes. Text that starts like a formula is written as text, never run."""
from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # the spreadsheet shows the text; nothing is evaluated
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    safe = frame.map(_safe_text) if not frame.empty else frame
    return safe.to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(sheets: dict[str, pd.DataFrame], notes: list[str] = ()) -> bytes:
    """One sheet per table; `notes` (snapshot, filters, source) above each table."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef7", "border": 1, "text_wrap": True})
    used = set()
    for title, frame in sheets.items():
        name = _sheet_name(title, used)
        sheet = book.add_worksheet(name)
        row = 0
        for note in notes:
            sheet.write_string(row, 0, note)
            row += 1
        if notes:
            row += 1
        for col, header in enumerate(frame.columns):
            sheet.write_string(row, col, str(header), bold)
            sheet.set_column(col, col, max(10, min(45, len(str(header)) + 2)))
        for values in frame.itertuples(index=False):
            row += 1
            for col, value in enumerate(values):
                _write(sheet, row, col, value)
        sheet.freeze_panes(len(notes) + (1 if notes else 0) + 1, 0)
    book.close()
    return buffer.getvalue()


def _write(sheet, row: int, col: int, value) -> None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "Có" if value else "Không")
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        _write(sheet, row, col, value.item())
    else:
        sheet.write_string(row, col, str(value))


def _sheet_name(title: str, used: set) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")
    if len(base) > 31:  # cut at a word, not in the middle of one
        base = base[:31].rsplit(" ", 1)[0]
    base = base.strip() or "Bảng"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
