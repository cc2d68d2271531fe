"""Pieces shared by the layouts: title area, synthetic-data note, signature block."""
from __future__ import annotations

from ..writers import Sheet

SYNTHETIC = "Dữ liệu giả lập – không phải số liệu thật"
CITY_OFFICE = ("UBND THÀNH PHỐ VINH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")
PROVINCE_OFFICE = ("UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
NATION = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def title_area(sheet: Sheet, width: int, office: tuple[str, str], titles: list[str],
               nation: bool = True) -> int:
    """Write the form's heading; return the first free row."""
    left = max(2, width // 3)
    sheet.merge(0, 0, 0, left - 1, office[0], "bold")
    sheet.merge(1, 0, 1, left - 1, office[1], "bold")
    if nation and width > left + 1:
        sheet.merge(0, left, 0, width - 1, NATION[0], "bold")
        sheet.merge(1, left, 1, width - 1, NATION[1], "italic")
    row = 3
    for i, text in enumerate(titles):
        sheet.merge(row, 0, row, width - 1, text, "title" if i == 0 else "bold")
        row += 1
    sheet.merge(row, 0, row, width - 1, SYNTHETIC, "note")
    return row + 2


def signature_block(sheet: Sheet, row: int, width: int, place_date: str,
                    left: str = "Người lập biểu", right: str = "Thủ trưởng đơn vị") -> int:
    half = max(1, width // 2)
    sheet.merge(row, half, row, width - 1, place_date, "italic")
    sheet.merge(row + 1, 0, row + 1, half - 1, left, "bold")
    sheet.merge(row + 1, half, row + 1, width - 1, right, "bold")
    sheet.merge(row + 2, 0, row + 2, half - 1, "(Ký, ghi rõ họ tên)", "italic")
    sheet.merge(row + 2, half, row + 2, width - 1, "(Ký tên, đóng dấu)", "italic")
    return row + 3


def notes_block(sheet: Sheet, row: int, width: int, notes: list[str]) -> int:
    if not notes:
        return row
    sheet.put(row, 0, "Ghi chú:", "bold")
    for i, note in enumerate(notes, start=1):
        sheet.merge(row + i, 0, row + i, width - 1, note, "italic")
    return row + len(notes) + 2
