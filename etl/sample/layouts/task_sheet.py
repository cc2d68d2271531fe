"""The office's own task sheet: tasks that no school reports."""
from __future__ import annotations

import datetime as dt

from ..writers import Sheet
from .common import CITY_OFFICE, title_area

HEADERS = ("STT", "Nhiệm vụ", "Đơn vị/người phụ trách", "Hạn hoàn thành", "Trạng thái",
           "Tỷ lệ hoàn thành (%)", "Ghi chú")
# (task, owner, due date, status, percent done, note, due written as text?)
TASKS = (
    ("Ban hành Kế hoạch chuyển đổi số ngành Giáo dục năm 2025", "Lãnh đạo phòng",
     dt.date(2024, 12, 31), "Hoàn thành", 100, "Kế hoạch đã ban hành", False),
    ("Kiện toàn bộ phận phụ trách CNTT, chuyển đổi số; phân công đầu mối theo dõi", "Văn phòng phòng GD&ĐT",
     dt.date(2025, 1, 31), "Hoàn thành", 100, "", True),
    ("Tổ chức tập huấn kỹ năng số, xây dựng học liệu số, bài giảng điện tử cho giáo viên",
     "Tổ CNTT - chuyên viên phụ trách CĐS", dt.date(2025, 3, 31), "Hoàn thành", 100, "3 lớp tập huấn", False),
    ("Hướng dẫn các trường tự đánh giá mức độ CĐS theo QĐ 4725/QĐ-BGDĐT", "Bộ phận Tiểu học, THCS",
     dt.date(2025, 4, 15), "Hoàn thành", 100, "", False),
    ("Đôn đốc cập nhật đầy đủ số định danh cá nhân của giáo viên, học sinh trên CSDL ngành",
     "Bộ phận Phổ cập - Thống kê", dt.date(2025, 5, 31), "Đang thực hiện", 85, "Còn một số trường chưa xong", True),
    ("Thẩm định kết quả tự đánh giá mức độ CĐS của các trường", "Đoàn thẩm định của phòng",
     dt.date(2025, 6, 20), "Đang thực hiện", 70, "", False),
    ("Công bố kết quả đánh giá mức độ CĐS các trường trên Cổng thông tin điện tử", "Lãnh đạo phòng",
     dt.date(2025, 6, 30), "Chưa bắt đầu", 0, "Chờ kết quả thẩm định", True),
    ("Rà soát, đề xuất mua sắm bổ sung máy tính dạy môn Tin học", "Bộ phận Kế hoạch - Tài chính",
     dt.date(2025, 6, 30), "Đang thực hiện", "50%", "", False),
    ("Sử dụng chữ ký số cho 100% cán bộ quản lý các trường", "Văn phòng phòng GD&ĐT",
     dt.date(2025, 3, 31), "Đang thực hiện", 90, "Quá hạn", False),
    ("Tổ chức sơ kết HK I, tổng kết năm học công tác CĐS; báo cáo Sở GD&ĐT", "Tổ CNTT - chuyên viên phụ trách CĐS",
     dt.date(2025, 5, 31), "Đang thực hiện", 60, "Đã sơ kết HK I", True),
    ("Tổ chức hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia 10/10/2025", "Các bộ phận chuyên môn",
     dt.date(2025, 10, 10), "Chưa bắt đầu", 0, "", False),
)


def task_truth() -> list[dict]:
    return [{"task": t, "owner": o, "due": d.isoformat(), "status": s,
             "percent": int(str(p).rstrip("%")), "note": n or None} for t, o, d, s, p, n, _ in TASKS]


def build() -> Sheet:
    sheet = Sheet("Nhiệm vụ 2025")
    width = len(HEADERS)
    row = title_area(sheet, width, CITY_OFFICE, ["THEO DÕI NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025 CỦA PHÒNG",
                                                  "(Theo Kế hoạch chuyển đổi số ngành Giáo dục năm 2025)"])
    for i, head in enumerate(HEADERS):
        sheet.put(row, i, head, "header")
    sheet.widths.update({0: 5, 1: 60, 2: 30, 3: 14, 4: 16, 5: 12, 6: 28})
    for n, (task, owner, due, status, pct, note, as_text) in enumerate(TASKS, start=1):
        r = row + n
        cells = (n, task, owner, due.strftime("%d/%m/%Y") if as_text else due, status, pct, note or None)
        for i, value in enumerate(cells):
            sheet.put(r, i, value, "date" if i == 3 and not as_text else "cell")
    return sheet
