"""Layout 1: the consolidated survey sheet (biểu tổng hợp), one row per school."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..messy import Style, render
from ..reference import field_map
from ..registry import School
from ..writers import Formula, Sheet, a1
from .common import notes_block, signature_block, title_area


@dataclass
class Column:
    key: str  # a survey field code, or an extra: stt, phone, note, ward_new, ratio
    label: str
    group: str | None = None
    subgroup: str | None = None
    width: float = 11
    hidden: bool = False
    bools: str | None = None  # this column's own boolean spelling (e.g. "dat")


@dataclass
class Entry:
    """One school row as written: clean values plus the deviations of this file."""
    school: School
    values: dict
    name: str
    code: object  # str, int (code typed as a number) or None (left empty)
    overrides: dict = field(default_factory=dict)  # field -> written value (injected errors)
    extras: dict = field(default_factory=dict)  # extra column key -> value


@dataclass
class TableSpec:
    sheet_name: str
    office: tuple
    titles: list
    columns: list
    style: Style
    header_rows: int = 2
    sections: list | None = None  # [(label, levels)]; None = no section rows
    subtotals: bool = False
    number_row: bool = True
    formulas: bool = True
    notes: list = field(default_factory=list)
    signature: str | None = None  # place and date line; None = no signature block
    title_block: bool = True


def _header(sheet: Sheet, row: int, spec: TableSpec) -> int:
    h, cols = spec.header_rows, spec.columns
    for i, col in enumerate(cols):
        sheet.widths[i] = col.width
        if col.hidden:
            sheet.hidden.add(i)
        depth = (1 if col.group else 0) + (1 if col.subgroup else 0) if h > 1 else 0
        depth = min(depth, h - 1)
        sheet.merge(row + depth, i, row + h - 1, i, col.label)
    if h > 1:
        _spans(sheet, row, cols, lambda c: c.group)
    if h > 2:
        _spans(sheet, row + 1, cols, lambda c: (c.group, c.subgroup) if c.subgroup else None)
    return row + h


def _spans(sheet: Sheet, row: int, cols: list, key) -> None:
    start = 0
    while start < len(cols):
        end = start
        while end + 1 < len(cols) and key(cols[start]) and key(cols[end + 1]) == key(cols[start]):
            end += 1
        if key(cols[start]):
            label = cols[start].subgroup if isinstance(key(cols[start]), tuple) else cols[start].group
            sheet.merge(row, start, row, end, label)
        start = end + 1


def cell_value(col: Column, entry: Entry, stt: int, spec: TableSpec):
    """The value written in one cell of a school row."""
    if col.key in entry.overrides:
        return entry.overrides[col.key]
    if col.key == "stt":
        return stt
    if col.key == "school_code":
        return entry.code
    if col.key == "school_name":
        return entry.name
    if col.key in entry.extras:
        return entry.extras[col.key]
    fld = field_map().get(col.key)
    if fld is None:
        return None
    style = replace(spec.style, bools=col.bools) if col.bools else spec.style
    return render(fld.type, entry.values.get(col.key), style)


def _school_row(sheet: Sheet, row: int, entry: Entry, stt: int, spec: TableSpec) -> None:
    for i, col in enumerate(spec.columns):
        value = cell_value(col, entry, stt, spec)
        style = "center" if col.key in ("stt", "school_code") else "cell"
        sheet.put(row, i, value, style, key=(entry.school.code, col.key))


def _sum_row(sheet: Sheet, row: int, label: str, rows: list[int], spec: TableSpec,
             parts: list[int] | None = None) -> None:
    """A "Cộng" row (SUM over rows) or, with parts, a "Tổng cộng" row adding subtotal rows."""
    name_col = next(i for i, c in enumerate(spec.columns) if c.key == "school_name")
    sheet.put(row, name_col, label, "bold")
    for i, col in enumerate(spec.columns):
        fld = field_map().get(col.key)
        if fld is None or fld.type != "int" or not rows:
            continue
        source = parts if parts else rows
        values = [sheet.value(r, i) for r in source]
        values = [v.cached if isinstance(v, Formula) else v for v in values]
        cached = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
        if parts:
            text = "+".join(a1(r, i) for r in parts)
        else:
            text = f"SUM({a1(rows[0], i)}:{a1(rows[-1], i)})"
        sheet.put(row, i, Formula(text, cached) if spec.formulas else cached, "bold")


def _column_numbers(sheet: Sheet, row: int, n: int) -> int:
    for i in range(n):
        sheet.put(row, i, f"({i + 1})", "center")
    return row + 1


def _body(sheet: Sheet, row: int, entries: list[Entry], spec: TableSpec) -> int:
    groups = spec.sections or [(None, None)]
    stt, all_rows, subtotal_rows = 0, [], []
    for label, levels in groups:
        chosen = [e for e in entries if levels is None or e.school.level in levels]
        if not chosen:
            continue
        if label:
            sheet.merge(row, 0, row, min(2, len(spec.columns) - 1), label, "bold")
            row += 1
        rows = []
        for entry in chosen:
            stt += 1
            _school_row(sheet, row, entry, stt, spec)
            rows.append(row)
            row += 1
        if spec.subtotals and label and rows:
            _sum_row(sheet, row, "Cộng", rows, spec)
            subtotal_rows.append(row)
            row += 1
        all_rows += rows
    if spec.subtotals and all_rows:
        _sum_row(sheet, row, "Tổng cộng", all_rows, spec, parts=subtotal_rows or None)
        row += 1
    return row


def build(spec: TableSpec, entries: list[Entry]) -> Sheet:
    sheet = Sheet(spec.sheet_name)
    width = len(spec.columns)
    row = title_area(sheet, width, spec.office, spec.titles) if spec.title_block else 0
    row = _header(sheet, row, spec)
    if spec.number_row:
        row = _column_numbers(sheet, row, width)
    row = _body(sheet, row, entries, spec) + 1
    row = notes_block(sheet, row, width, spec.notes)
    if spec.signature:
        signature_block(sheet, row, width, spec.signature)
    return sheet
