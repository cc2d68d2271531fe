"""Layout 3: the per-school 4725 self-assessment form (phiếu tự đánh giá)."""
from __future__ import annotations

from dataclasses import dataclass

from ..messy import comma_decimal
from ..reference import criteria
from ..registry import School
from ..writers import Formula, Sheet, a1
from .assessment_common import GROUP_NAMES, LEVEL_NAME, LEVEL_TEXT, PARENT_NAMES, derived, met_text
from .common import NATION, SYNTHETIC, signature_block

HEADERS = ("TT/Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Điểm thẩm định", "Minh chứng")
SEQUENCE_HEADERS = ("TT", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Minh chứng")
EVIDENCE = ("Kế hoạch, quyết định của nhà trường", "Ảnh chụp màn hình phần mềm",
            "Báo cáo thống kê của nhà trường", "Danh sách, biên bản kèm theo", "Đường dẫn hệ thống LMS")


@dataclass
class AssessmentFormSpec:
    school: School
    year: str
    self_scores: dict
    verified: dict | None
    code: str | None
    name: str
    text_decimals: bool = False  # halves written as text "4,5"
    sequence_column: bool = False  # a TT column before the code, codes typed as numbers, short score headers


def _score(value, spec: AssessmentFormSpec):
    if isinstance(value, bool):
        return met_text(value)
    if spec.text_decimals and value != int(value):
        return comma_decimal(value)
    return value


def _title(sheet: Sheet, spec: AssessmentFormSpec) -> int:
    sheet.merge(0, 0, 0, 1, "PHÒNG GD&ĐT THÀNH PHỐ VINH", "bold")
    sheet.merge(1, 0, 1, 1, spec.school.name.upper(), "bold")
    sheet.merge(0, 2, 0, 5, NATION[0], "bold")
    sheet.merge(1, 2, 1, 5, NATION[1], "italic")
    lines = ["PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ",
             "(Theo Quyết định số 4725/QĐ-BGDĐT ngày 30/12/2022 của Bộ GD&ĐT)",
             f"Năm học: {spec.year.replace('-', ' - ')}" if spec.sequence_column else f"Năm học {spec.year}"]
    for i, text in enumerate(lines):
        sheet.merge(3 + i, 0, 3 + i, 5, text, "title" if i == 0 else "bold")
    sheet.put(7, 0, f"Trường: {spec.name}", "bold")
    sheet.put(8, 0, f"Mã trường: {spec.code or ''}".rstrip(), "bold")
    sheet.merge(9, 0, 9, 5, SYNTHETIC, "note")
    return 11


def _code(code: str, spec: AssessmentFormSpec):
    """A code as typed: "1.3.1" stays text, "1.1" becomes the number 1.1 when typed into a number cell."""
    return float(code) if spec.sequence_column and code.count(".") == 1 else code


def _criterion_row(sheet: Sheet, row: int, crit, spec: AssessmentFormSpec, index: int, number: int) -> None:
    key = spec.school.code
    shift = 1 if spec.sequence_column else 0
    if spec.sequence_column:
        sheet.put(row, 0, number, "center")
    sheet.put(row, shift, _code(crit.code, spec), "center")
    sheet.put(row, shift + 1, crit.name_vi, "cell")
    points = int(crit.max_points) if crit.max_points == int(crit.max_points) else crit.max_points
    sheet.put(row, shift + 2, "Bắt buộc" if crit.mandatory else points, "center")
    sheet.put(row, shift + 3, _score(spec.self_scores[crit.code], spec), "center", key=(key, crit.code, "self"))
    verified = spec.verified[crit.code] if spec.verified else None
    sheet.put(row, shift + 4, None if verified is None else _score(verified, spec), "center",
              key=(key, crit.code, "verified"))
    sheet.put(row, shift + 5, EVIDENCE[index % len(EVIDENCE)], "cell")


def _total_row(sheet: Sheet, row: int, group: int, rows: list[int], spec: AssessmentFormSpec) -> None:
    info = derived(spec.self_scores)
    s = 1 if spec.sequence_column else 0
    sheet.merge(row, 0, row, 1 + s, f"Tổng điểm nhóm {group}", "bold")
    maximum = sum(c.max_points for c in criteria() if c.group == group)
    sheet.put(row, 2 + s, int(maximum) if maximum == int(maximum) else maximum, "bold")
    sheet.put(row, 3 + s, Formula(f"SUM({a1(rows[0], 3 + s)}:{a1(rows[-1], 3 + s)})", info[f"total{group}"]), "bold")
    if spec.verified:
        total = derived(spec.verified)[f"total{group}"]
        sheet.put(row, 4 + s, Formula(f"SUM({a1(rows[0], 4 + s)}:{a1(rows[-1], 4 + s)})", total), "bold")
    level = info[f"level{group}"]
    sheet.merge(row + 1, 0, row + 1, 1 + s, f"Mức đạt nhóm {group} (tự đánh giá)", "italic")
    sheet.put(row + 1, 3 + s, f"{LEVEL_TEXT[level]} - {LEVEL_NAME[level]}", "italic")


def build(spec: AssessmentFormSpec) -> Sheet:
    sheet = Sheet("Tự đánh giá")
    row = _title(sheet, spec)
    headers = SEQUENCE_HEADERS if spec.sequence_column else HEADERS
    shift = len(headers) - len(HEADERS)
    sheet.widths.update({i + shift: w for i, w in enumerate((12, 60, 10, 12, 12, 34))} | ({0: 5} if shift else {}))
    for i, head in enumerate(headers):
        sheet.put(row, i, head, "header")
    row += 1
    number = 0
    for group in (1, 2):
        sheet.merge(row, 0, row, len(headers) - 1, GROUP_NAMES[group], "bold")
        row += 1
        rows, parents_done = [], set()
        for index, crit in enumerate(c for c in criteria() if c.group == group):
            if crit.parent in PARENT_NAMES and crit.parent not in parents_done:
                parents_done.add(crit.parent)
                sheet.put(row, shift, _code(crit.parent, spec), "bold")
                sheet.put(row, shift + 1, PARENT_NAMES[crit.parent], "bold")
                row += 1
            number += 1
            _criterion_row(sheet, row, crit, spec, index, number)
            rows.append(row)
            row += 1
        _total_row(sheet, row, group, rows, spec)
        row += 3
    signature_block(sheet, row, len(headers), "Vinh, ngày 25 tháng 5 năm 2025", "Người lập phiếu", "HIỆU TRƯỞNG")
    return sheet
