"""Layout 4: consolidated 4725 results, one row per school, one column per criterion code."""
from __future__ import annotations

from dataclasses import dataclass

from ..reference import criteria
from ..registry import LEVEL_VI, School
from ..writers import Formula, Sheet, a1
from .assessment_common import GROUP_NAMES, LEVEL_TEXT, derived, met_text
from .common import CITY_OFFICE, signature_block, title_area

LEADING = ("STT", "Mã trường", "Tên trường", "Cấp học")
SECTIONS = (("I. TIỂU HỌC", "TH"), ("II. TRUNG HỌC CƠ SỞ", "THCS"), ("III. LIÊN CẤP TH&THCS", "TH_THCS"))


@dataclass
class TableRow:
    school: School
    scores: dict
    name: str
    code: object


def _columns() -> list[tuple]:
    """(key, group, header) for every column after the leading ones."""
    cols = []
    for group in (1, 2):
        cols += [(c.code, group, c.code) for c in criteria() if c.group == group]
        cols += [(f"total{group}", group, f"Tổng điểm nhóm {group}"), (f"level{group}", group, f"Mức nhóm {group}")]
    return cols + [("overall", None, "Mức chung (quy ước)"), ("note", None, "Ghi chú")]


def _header(sheet: Sheet, row: int) -> int:
    cols = _columns()
    for i, text in enumerate(LEADING):
        sheet.merge(row, i, row + 1, i, text)
    for group in (1, 2):
        idx = [len(LEADING) + i for i, c in enumerate(cols) if c[1] == group]
        sheet.merge(row, idx[0], row, idx[-1], GROUP_NAMES[group])
    for i, (key, group, text) in enumerate(cols):
        col = len(LEADING) + i
        if group is None:
            sheet.merge(row, col, row + 1, col, text)
        else:
            sheet.put(row + 1, col, text, "header")
        sheet.widths[col] = 7 if group and "." in key else 12
    sheet.widths.update({0: 5, 1: 11, 2: 34, 3: 9})
    maxima = {c.code: ("ĐK" if c.mandatory else c.max_points) for c in criteria()}
    sheet.put(row + 2, 2, "Điểm tối đa", "italic")
    for i, (key, _, _) in enumerate(cols):
        if key in maxima:
            value = maxima[key]
            sheet.put(row + 2, len(LEADING) + i, int(value) if isinstance(value, float) else value, "center")
    return row + 3


def _school_row(sheet: Sheet, row: int, stt: int, item: TableRow) -> None:
    info = derived(item.scores)
    key = item.school.code
    for i, value in enumerate((stt, item.code, item.name, LEVEL_VI[item.school.level])):
        sheet.put(row, i, value, "cell", key=(key, LEADING[i]))
    first = {g: len(LEADING) + min(i for i, c in enumerate(_columns()) if c[1] == g) for g in (1, 2)}
    for i, (col_key, group, _) in enumerate(_columns()):
        col = len(LEADING) + i
        if col_key in item.scores:
            value = item.scores[col_key]
            sheet.put(row, col, met_text(value) if isinstance(value, bool) else value, "center",
                      key=(key, col_key))
        elif col_key.startswith("total"):
            formula = f"SUM({a1(row, first[group])}:{a1(row, col - 1)})"
            sheet.put(row, col, Formula(formula, info[col_key]), "bold")
        elif col_key.startswith("level") or col_key == "overall":
            sheet.put(row, col, LEVEL_TEXT[info[col_key]], "center")


def build(rows: list[TableRow], titles: list[str], sheet_name: str, place_date: str) -> Sheet:
    sheet = Sheet(sheet_name)
    width = len(LEADING) + len(_columns())
    row = title_area(sheet, width, CITY_OFFICE, titles)
    row = _header(sheet, row)
    stt = 0
    for label, level in SECTIONS:
        chosen = [r for r in rows if r.school.level == level]
        if not chosen:
            continue
        sheet.merge(row, 0, row, 2, label, "bold")
        row += 1
        for item in chosen:
            stt += 1
            _school_row(sheet, row, stt, item)
            row += 1
    sheet.merge(row + 1, 0, row + 1, width - 1,
                "Mức chung (quy ước): mức thấp hơn của hai nhóm; nhóm chưa đạt điều kiện bắt buộc tính Mức 1.",
                "italic")
    signature_block(sheet, row + 3, width, place_date)
    return sheet
