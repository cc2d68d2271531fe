"""Tables to Excel and CSV bytes, for people who open them in Excel with Vietnamese regional settings.

Both files get the same cleaned table (`export_frame`): no emoji (a status cell reads "Đạt", not "🟢 Đạt"), level
codes as names (MN → Mầm non) in a level column, yes/no as Có/Không, the on-screen '–' for "no value" as an empty
cell, and dates written as text on screen (31/12/2025, 30/11/2026 04:31) as dates.

Excel: numbers are number cells with a number format – the table's own decimals per column where the page gives
them, otherwise #,##0 for whole numbers and #,##0.0 for the others (Excel shows them with the reader's separators,
1.234,5 in Vietnamese); dates are date cells shown dd/mm/yyyy (dd/mm/yyyy hh:mm with a time). Percentages stay on
the 0–100 scale the page shows, with % in the header or the unit column: a table such as the plan indicators mixes
% and counts in one column, and Excel's % format would show 85 as 8.500%.

CSV: separator ';', decimal comma, no thousands separator, dates dd/mm/yyyy, UTF-8 with BOM. Excel opens a .csv
(double-click) with the list separator and the decimal symbol of Windows' regional settings, which in Vietnamese
are ';' and ','. A ','-separated file lands in one column there, and 41.4 is read as text or as 414 ('.' being
the thousands separator); the BOM makes Excel read UTF-8 (diacritics) instead of the ANSI code page. Read it back
with pandas.read_csv(sep=';', decimal=',').

Text that starts like a formula is written as text, never run."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_SEPARATOR, CSV_DECIMAL = ";", ","
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
NO_VALUE = "–"  # what the pages show for a missing value
MIXED = "mixed"

# pictographs, dingbats, symbols and arrows drawn as emoji, keycaps, variation selector, zero-width joiner
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u21A9\u21AA\u2139\u203C\u2049"
                    "\u3030\u303D\uFE0E\uFE0F\u200D\u20E3]+")
_DATE_TEXT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # the spreadsheet shows the text; nothing is evaluated
    return value


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _clean_text(value):
    if not isinstance(value, str):
        return value
    text = _EMOJI.sub("", value).strip() if _EMOJI.search(value) else value
    return None if text in ("", NO_VALUE) else text


def _date_of(text: str):
    match = _DATE_TEXT.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _level_names() -> dict[str, str]:
    from etl.reference import LEVEL_NAMES

    return LEVEL_NAMES


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as both files carry it (see the module's docstring); numbers and their columns are untouched."""
    frame = frame.copy()
    levels = _level_names()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            frame[column] = series.map({True: "Có", False: "Không"}).astype(object)
            continue
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        cells = [None if _missing(v) else _clean_text(v) for v in series.astype(object)]
        cells = [("Có" if v else "Không") if isinstance(v, bool) else v for v in cells]
        present = [v for v in cells if v is not None]
        values = pd.Series(cells, index=frame.index, dtype=object)
        if present and all(isinstance(v, str) and _date_of(v) for v in present):
            values = pd.to_datetime(pd.Series([None if v is None else _date_of(v) for v in cells], index=frame.index))
        elif present and "cấp" in str(column).casefold() and all(isinstance(v, str) and v in levels for v in present):
            values = pd.Series([levels.get(v, v) if v is not None else None for v in cells], index=frame.index,
                               dtype=object)
        frame[column] = values
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """';'-separated, decimal comma, dates dd/mm/yyyy, UTF-8 with BOM: what Excel with Vietnamese regional
    settings opens right by a double-click (the module's docstring says why)."""
    clean = export_frame(frame)
    safe = clean.map(_safe_text) if not clean.empty else clean
    for column in safe.columns:  # numbers among text: pandas writes those with '.' whatever `decimal` says
        if safe[column].dtype == object:
            safe[column] = safe[column].map(lambda v: repr(v).replace(".", CSV_DECIMAL) if isinstance(v, float)
                                            and v == v else v)
    dates = [c for c in safe.columns if pd.api.types.is_datetime64_any_dtype(safe[c])]
    for column in dates:
        stamps = safe[column]
        timed = ((stamps.dt.hour + stamps.dt.minute + stamps.dt.second).fillna(0) > 0).any()
        safe[column] = stamps.dt.strftime("%d/%m/%Y %H:%M" if timed else "%d/%m/%Y")
    return safe.to_csv(index=False, sep=CSV_SEPARATOR, decimal=CSV_DECIMAL).encode("utf-8-sig")


def number_format(places: int) -> str:
    return "#,##0" if places <= 0 else "#,##0." + "0" * places


def _column_format(series: pd.Series, places: int | None) -> str | None:
    """The number or date format of a column: `places` if the page gives it, else by its values."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dropna()
        timed = bool(len(stamps)) and bool(((stamps.dt.hour + stamps.dt.minute + stamps.dt.second) > 0).any())
        return DATETIME_FORMAT if timed else DATE_FORMAT
    numbers = [v for v in series if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v
               or hasattr(v, "item") and isinstance(v.item(), (int, float)) and not isinstance(v.item(), bool)]
    if not numbers:
        return None
    if places is not None:
        return number_format(places)
    if not pd.api.types.is_numeric_dtype(series):
        return MIXED  # numbers among text (the school profile's values): each cell by its own type
    whole = all(float(v) == int(float(v)) for v in numbers if abs(float(v)) != float("inf"))
    return number_format(0 if whole else 1)


def to_excel_bytes(sheets: dict[str, pd.DataFrame], notes: list[str] = (),
                   decimals: dict[str, int] | None = None) -> bytes:
    """One sheet per table; `notes` (snapshot, filters, source) above each table; `decimals`: places of a
    column's number format by column name (the others: #,##0 for whole numbers, #,##0.0)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef7", "border": 1, "text_wrap": True})
    formats: dict[str, object] = {}

    def cell_format(code: str | None):
        if code is None or code == MIXED:
            return code
        if code not in formats:
            formats[code] = book.add_format({"num_format": code})
        return formats[code]

    used = set()
    for title, frame in sheets.items():
        frame = export_frame(frame)
        name = _sheet_name(title, used)
        sheet = book.add_worksheet(name)
        row = 0
        for note in notes:
            sheet.write_string(row, 0, _clean_text(note) or "")
            row += 1
        if notes:
            row += 1
        columns = []
        for col, header in enumerate(frame.columns):
            code = _column_format(frame[header], (decimals or {}).get(header))
            columns.append(cell_format(code))
            sheet.write_string(row, col, str(header), bold)
            width = max(10, min(45, len(str(header)) + 2), 12 if code in (DATE_FORMAT, DATETIME_FORMAT) else 0,
                        17 if code == DATETIME_FORMAT else 0)
            sheet.set_column(col, col, width)
        for values in frame.itertuples(index=False):
            row += 1
            for col, value in enumerate(values):
                fmt = columns[col]
                if fmt == MIXED:
                    fmt = cell_format(number_format(1 if isinstance(value, float) else 0))
                _write(sheet, row, col, value, fmt)
        sheet.freeze_panes(len(notes) + (1 if notes else 0) + 1, 0)
    book.close()
    return buffer.getvalue()


def _write(sheet, row: int, col: int, value, fmt=None) -> None:
    if _missing(value):
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "Có" if value else "Không")
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, (dt.datetime, dt.date)):  # pd.Timestamp is a datetime
        sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        _write(sheet, row, col, value.item(), fmt)
    else:
        sheet.write_string(row, col, str(value))


PERIOD = re.compile(r"\s*\b(?:(?:học kỳ|HK)\s+(?:I{1,2}|[12])\b(?:\s+năm học)?|cả năm|năm học|năm)"
                    r"\s+\d{4}(?:\s*-\s*\d{4})?", re.IGNORECASE)
SHORTER = [("Trường Trung học cơ sở", "THCS"), ("Trường Tiểu học", "TH"), ("Trường Mầm non", "MN"),
           ("Trường TH&THCS", "TH&THCS"), ("Trường THCS", "THCS"), ("Trung học cơ sở", "THCS"),
           ("Tiểu học", "TH"), ("Mầm non", "MN"), ("học sinh", "HS"),
           ("chuyển đổi số", "CĐS"), ("số liệu", "SL")]
# a phrase may end before these words: a qualifier ('theo phường mới', 'của trường …') or a school's name begins
BREAKS = {"theo", "của", "trên", "dưới", "xuống", "cần", "so", "với", "tại", "trong", "cho", "và", "Trường", "TH",
          "THCS", "MN", "TH&THCS"}
SHEET_LIMIT = 31


def _sheet_name(title: str, used: set) -> str:
    """A sheet name within Excel's 31 characters that is never cut in the middle of a phrase: a title that is
    too long first loses its period ('HK I 2025-2026': the note above the table keeps the whole title), then
    takes the usual short forms (Trường Tiểu học → TH, học sinh → HS), then ends before a qualifier or a school's
    name ('Máy tính dạy Tin học theo phường mới' → 'Máy tính dạy Tin học'); only a title with no such place is cut
    at a word, and ends with '…' so that the reader sees it is shortened."""
    base = " ".join("".join(ch for ch in _clean_text(title) or "" if ch not in "[]:*?/\\").split())
    if len(base) > SHEET_LIMIT:
        base = " ".join(PERIOD.sub("", base).split())
    for long, short in SHORTER:
        if len(base) <= SHEET_LIMIT:
            break
        base = re.sub(re.escape(long), short, base, flags=re.IGNORECASE)
    if len(base) > SHEET_LIMIT:
        words = base.split(" ")
        cuts = [i for i in range(2, len(words)) if words[i] in BREAKS and len(" ".join(words[:i])) <= SHEET_LIMIT]
        base = (" ".join(words[:cuts[-1]]) if cuts else
                base[:SHEET_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;–-") + "…")
    base = base.strip("' ") or "Bảng"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = (base if len(base) + len(suffix) <= SHEET_LIMIT else
                   base[:SHEET_LIMIT - len(suffix) - 1].rsplit(" ", 1)[0] + "…") + suffix, n + 1
    used.add(name.lower())
    return name
