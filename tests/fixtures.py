"""Small messy input files built in code, each with the values a correct loader must find."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import xlsxwriter

from etl.legacy_fonts import encode_tcvn3

REGISTRY_HEADER = ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã", "Phường mới", "Mã phường mới"]
REGISTRY = [
    ["40100001", "Trường Mầm non Hưng Dũng", "Mầm non", "Công lập", "Hưng Dũng", "Trường Vinh", "16690"],
    ["40100002", "Trường Mầm non tư thục Hoa Sen", "Mầm non", "Tư thục", "Lê Lợi", "Thành Vinh", "16681"],
    ["40200001", "Trường Tiểu học Lê Lợi", "Tiểu học", "Công lập", "Lê Lợi", "Thành Vinh", "16681"],
    ["40200002", "Trường Tiểu học Hưng Dũng 1", "Tiểu học", "Công lập", "Hưng Dũng", "Trường Vinh", "16690"],
    ["40300001", "Trường THCS Đặng Thai Mai", "THCS", "Công lập", "Quang Trung", "Thành Vinh", "16681"],
    ["40300002", "Trường THCS Hưng Dũng", "THCS", "Công lập", "Hưng Dũng", "Trường Vinh", "16690"],
    ["40400001", "Trường TH&THCS Victory", "TH&THCS", "Tư thục", "Nghi Phú", "Vinh Phú", "16702"],
]

TITLE = ["UBND THÀNH PHỐ VINH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "",
         "BIỂU TỔNG HỢP KHẢO SÁT CHUYỂN ĐỔI SỐ", "Sơ kết HK I - NH 2024 - 2025", "Dữ liệu giả lập – kiểm thử"]
GROUPS = [  # (group over the labels, labels)
    ("", ["STT", "Mã trường", "Tên trường"]),
    ("Quy mô", ["Số lớp", "Số HS", "Số GV", "Số CBQL", "Số phòng học"]),
    ("Tin học", ["Số phòng máy tính", "Số máy tính dạy Tin học", "Số học sinh học Tin học", "Số lớp học Tin học"]),
    ("Nền tảng số", ["Sổ điểm điện tử", "Tỷ lệ thu không dùng tiền mặt (%)", "Phần mềm quản trị nhà trường"]),
    ("", ["Ghi chú"]),
]


def write_registry(path: Path, rows: list[list[str]] = REGISTRY) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(REGISTRY_HEADER) + "\n")
        for row in rows:
            fh.write(",".join(row) + "\n")
    return path


def survey_rows() -> list[tuple]:
    """(section or None, row values) in the order of GROUPS' labels after STT."""
    return [
        ("I. MẦM NON", None),
        (None, ["40100001", "Trường Mầm non Hưng Dũng", 12, 360, 24, 3, 12, None, None, None, None, "", "85%", "SMAS"]),
        (None, ["", unicodedata.normalize("NFD", "MN  Hoa Sen"), "10", "1.234", 20, 2, 10, None, None, None, None,
                "", "0,5", ""]),
        ("Cộng", None),
        ("II. TIỂU HỌC", None),
        (None, ["40200001", encode_tcvn3("Trường Tiểu học Lê Lợi"), 30, 1200, 45, 3, 30, 1, 20, 720, 18, "x", 90,
                "VnEdu"]),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 0, 600, 15, "", 40, "VnEdu"]),
        ("III. TRUNG HỌC CƠ SỞ", None),
        (None, ["40300001", "THCS Đặng Thai Mai", 30, 1200, 60, 3, 30, 2, 36, 1200, 30, "x", "95 %", "SMAS"]),
    ]


def write_survey_table(path: Path, rows: list[tuple] | None = None, title: list[str] = TITLE,
                       drop_labels: tuple[str, ...] = (), rename: dict[str, str] | None = None) -> Path:
    """A consolidated survey: title rows, a two-row merged header, column numbers, sections, a subtotal,
    a signature block. `rename`: header labels written otherwise (a school's own wording). Returns the path; data
    starts at Excel row 10."""
    rename = rename or {}
    rows = survey_rows() if rows is None else rows
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2025, 1, 15)})
    sheet = book.add_worksheet("Tổng hợp")
    for r, text in enumerate(title):
        sheet.write(r, 0, text)
    header_top = len(title) + 1
    col = 0
    for group, labels in GROUPS:
        labels = [lb for lb in labels if lb not in drop_labels]
        if group and len(labels) > 1:
            sheet.merge_range(header_top, col, header_top, col + len(labels) - 1, group)
        for i, label in enumerate(labels):
            label = rename.get(label, label)
            if group:
                sheet.write(header_top + 1, col + i, label)
            else:
                sheet.merge_range(header_top, col + i, header_top + 1, col + i, label)
        col += len(labels)
    for c in range(col):
        sheet.write(header_top + 2, c, f"({c + 1})")
    r = header_top + 3
    number = 0
    for section, values in rows:
        if section:
            sheet.write(r, 0, section)
        else:
            number += 1
            sheet.write(r, 0, number)
            for c, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write(r, c, value)
        r += 1
    sheet.write(r, 1, "Tổng cộng")
    sheet.write(r, 3, 999999)
    sheet.write(r + 2, 1, "Người lập biểu")
    sheet.write(r + 2, 8, "Thủ trưởng đơn vị")
    sheet.write(r + 5, 1, "Nguyễn Văn An")
    book.close()
    return path


def write_assessment_form(path: Path, code: str = "40300001", year: str = "2024-2025",
                          scores: dict[str, object] | None = None) -> Path:
    """A per-school 4725 self-assessment: identity in the title, one row per criterion."""
    from etl.reference import load_catalogue

    catalogue = load_catalogue()
    scores = scores or {}
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2025, 5, 30)})
    sheet = book.add_worksheet("Phiếu")
    sheet.write(0, 0, "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ")
    sheet.write(1, 0, "Trường: THCS Đặng Thai Mai")
    sheet.write(2, 0, f"Mã trường: {code}")
    sheet.write(3, 0, f"Năm học {year}")
    for c, label in enumerate(["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Minh chứng"]):
        sheet.write(5, c, label)
    r = 6
    for group in ("1", "2"):
        sheet.write(r, 0, f"Nhóm {group}")
        r += 1
        for crit in (c for c in catalogue.criteria if c["group"] == group):
            sheet.write(r, 0, crit["code"])
            sheet.write(r, 1, crit["name_vi"])
            sheet.write(r, 2, crit["max_points"] if not crit["mandatory"] else "Đạt/Chưa đạt")
            default = "Đạt" if crit["mandatory"] else crit["max_points"] / 2
            sheet.write(r, 3, scores.get(crit["code"], default))
            sheet.write(r, 4, f"MC-{crit['code']}")
            r += 1
    book.close()
    return path


def write_error_and_percent_sheet(path: Path, sheet_name: str = "TH", first_share: float = 1) -> Path:
    """Two primary schools of the fixture registry: the second's rooms are a #DIV/0! formula (cell F3), and both
    cashless shares are cells formatted as % (first_share for the first school, 100% for the second)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(sheet_name)
    pct = book.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, ["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học",
                           "Tỷ lệ thu không dùng tiền mặt (%)"])
    sheet.write_row(1, 0, ["40200001", 30, 1200, 45, 3, 30])
    sheet.write(1, 6, first_share, pct)
    sheet.write_row(2, 0, ["40200002", 25, 1000, 38, 3])
    sheet.write_formula(2, 5, "=1/0", None, "#DIV/0!")
    sheet.write(2, 6, 1, pct)
    book.close()
    return path
