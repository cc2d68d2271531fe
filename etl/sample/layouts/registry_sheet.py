"""The registry workbook (danh_muc_truong.xlsx)."""
from __future__ import annotations

from ..registry import REGISTRY_HEADERS, School, registry_row
from ..writers import Sheet
from .common import CITY_OFFICE, SYNTHETIC, signature_block


def build(schools: list[School]) -> Sheet:
    sheet = Sheet("Danh mục")
    headers = ("STT",) + REGISTRY_HEADERS
    width = len(headers)
    sheet.merge(0, 0, 0, 3, CITY_OFFICE[0], "bold")
    sheet.merge(1, 0, 1, 3, CITY_OFFICE[1], "bold")
    sheet.merge(3, 0, 3, width - 1, "DANH MỤC CÁC CƠ SỞ GIÁO DỤC", "title")
    sheet.merge(4, 0, 4, width - 1, "(Cập nhật đơn vị hành chính cấp xã mới từ 01/7/2025)", "italic")
    sheet.merge(5, 0, 5, width - 1, SYNTHETIC, "note")
    for i, head in enumerate(headers):
        sheet.put(7, i, head, "header")
    sheet.widths.update({0: 5, 1: 11, 2: 40, 3: 10, 4: 10, 5: 14, 6: 14, 7: 12, 8: 18})
    for n, school in enumerate(schools, start=1):
        for i, value in enumerate([n] + registry_row(school, "")):
            sheet.put(7 + n, i, value or None, "cell")
    row = 7 + len(schools) + 2  # what offices write under the list: a total line, then date and signatures
    sheet.merge(row, 0, row, 3, f"Tổng số: {len(schools)} cơ sở giáo dục", "bold")
    signature_block(sheet, row + 2, width, "Vinh, ngày 01 tháng 8 năm 2025")
    return sheet
