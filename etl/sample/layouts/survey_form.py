"""Layout 2: the per-school survey form (phiếu khảo sát), label/value pairs under sections."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..labels import FORM_SECTIONS, UNITS, label
from ..messy import Style, render
from ..reference import metric_fields
from ..registry import LEVEL_VI, OWNERSHIP_VI, School
from ..writers import Sheet
from .common import NATION, SYNTHETIC, signature_block

DAT_FIELDS = ("has_dx_plan", "results_synced")  # written Đạt / Chưa đạt in every form


@dataclass
class FormSpec:
    school: School
    values: dict
    title_period: str  # e.g. "Tổng kết năm học 2024–2025"
    year_text: str | None  # value of the "Năm học:" pair; None = not written (title only)
    period_text: str | None  # value of the "Kỳ báo cáo:" pair
    code: str | None  # None = left empty
    name: str
    numbered: bool = True  # True: "1. Số lớp:" | value ; False: STT | label | value | unit
    style: Style = field(default_factory=Style)
    label_choice: int = 0
    overrides: dict = field(default_factory=dict)
    office: str = "PHÒNG GD&ĐT THÀNH PHỐ VINH"


def _title(sheet: Sheet, spec: FormSpec) -> int:
    sheet.merge(0, 0, 0, 1, spec.office, "bold")
    sheet.merge(1, 0, 1, 1, spec.school.name.upper(), "bold")
    sheet.merge(0, 2, 0, 4, NATION[0], "bold")
    sheet.merge(1, 2, 1, 4, NATION[1], "italic")
    sheet.merge(3, 0, 3, 4, "PHIẾU KHẢO SÁT THỰC TRẠNG CHUYỂN ĐỔI SỐ", "title")
    sheet.merge(4, 0, 4, 4, spec.title_period, "bold")
    sheet.merge(5, 0, 5, 4, SYNTHETIC, "note")
    return 7


def _pairs(spec: FormSpec) -> list[tuple[str, str, object]]:
    s = spec.school
    pairs = [("school_code", "Mã trường", spec.code), ("school_name", "Tên trường", spec.name),
             ("level", "Cấp học", LEVEL_VI[s.level]), ("ownership", "Loại hình", OWNERSHIP_VI[s.ownership]),
             ("ward_old", "Phường/xã", s.ward_old)]
    if spec.year_text:
        pairs.append(("school_year", "Năm học", spec.year_text))
    if spec.period_text:
        pairs.append(("period", "Kỳ báo cáo", spec.period_text))
    return pairs


def _value(spec: FormSpec, code: str, ftype: str):
    if code in spec.overrides:
        return spec.overrides[code]
    value = spec.values.get(code)
    if code in DAT_FIELDS and value is not None:
        return "Đạt" if value else "Chưa đạt"
    return render(ftype, value, spec.style)


def _line(sheet: Sheet, row: int, spec: FormSpec, number: int, text: str, value, key) -> None:
    if spec.numbered:
        sheet.put(row, 0, f"{number}. {text}:", "cell")
        sheet.put(row, 1, value, "cell", key=key)
        sheet.put(row, 2, UNITS.get(key[1], ""), "cell")
    else:
        sheet.put(row, 0, number, "center")
        sheet.put(row, 1, text, "cell")
        sheet.put(row, 2, value, "cell", key=key)
        sheet.put(row, 3, UNITS.get(key[1], ""), "cell")


def build(spec: FormSpec) -> Sheet:
    sheet = Sheet("Phiếu khảo sát")
    sheet.widths.update({0: 48 if spec.numbered else 6, 1: 22 if spec.numbered else 48, 2: 14, 3: 12})
    row = _title(sheet, spec)
    for code, text, value in _pairs(spec):
        sheet.put(row, 0, f"{text}:", "bold")
        sheet.put(row, 1, value, "normal", key=(spec.school.code, code))
        row += 1
    row += 1
    if not spec.numbered:
        for i, head in enumerate(("STT", "Nội dung", "Số liệu", "Đơn vị tính")):
            sheet.put(row, i, head, "header")
        row += 1
    applicable = [f for f in metric_fields() if f.applies(spec.school.level)]
    for heading, pillar in FORM_SECTIONS:
        chosen = [f for f in applicable if f.pillar == pillar]
        if not chosen:
            continue
        sheet.merge(row, 0, row, 1 if spec.numbered else 2, heading, "bold")
        row += 1
        for number, fld in enumerate(chosen, start=1):
            text = label(fld.code, spec.label_choice)
            _line(sheet, row, spec, number, text, _value(spec, fld.code, fld.type), (spec.school.code, fld.code))
            row += 1
    signature_block(sheet, row + 1, 4, "Vinh, ngày 20 tháng 5 năm 2025", "Người lập phiếu", "HIỆU TRƯỞNG")
    return sheet
