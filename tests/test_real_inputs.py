"""Layouts a real office sends that the first sample did not cover (found by a review): every value lands in the
right field or the file is refused with a message; nothing is silently lost or rescaled."""
import datetime as dt

import xlsxwriter

from tests.conftest import run_cli
from tests.pages import sql

CODES = ("40200001", "40200002")  # the two primary schools of the fixture registry


def load(db, path):
    return run_cli("load", path, "--db", db, "--json")


def issues(report, severity="error"):
    return [i["text"] for f in report["files"] for i in f["issues"] if i["severity"] == severity]


def test_short_labels_under_a_group_cell_and_excel_percentages(loaded_db, tmp_path):
    """'Tin học' over 'Số phòng máy | Số máy tính | Số học sinh | Số lớp'; cashless as an Excel % cell."""
    path = tmp_path / "KS_TH_CN_2025-2026.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Tiểu học")
    pct = book.add_format({"num_format": "0%"})
    sheet.merge_range(0, 0, 0, 12, "BIỂU TỔNG HỢP – Tổng kết năm học 2025-2026")
    sheet.merge_range(2, 0, 3, 0, "Mã trường")
    for col, label in enumerate(["Số lớp (lớp)", "Số học sinh (người)", "Số giáo viên", "Số CBQL", "Số phòng học"], 1):
        sheet.merge_range(2, col, 3, col, label)
    sheet.merge_range(2, 6, 2, 9, "Tin học")
    sheet.write_row(3, 6, ["Số phòng máy", "Số máy tính", "Số học sinh", "Số lớp"])
    sheet.merge_range(2, 10, 3, 10, "Tỷ lệ thu không dùng tiền mặt (%)")
    sheet.write_row(4, 0, [CODES[0], 30, 1200, 45, 3, 30, 1, 20, 720, 18])
    sheet.write(4, 10, 1.0, pct)  # shows 100%
    sheet.write_row(5, 0, [CODES[1], 25, 1000, 38, 3, 25, 1, 15, 600, 15])
    sheet.write(5, 10, 0.85, pct)
    book.close()
    code, report = load(loaded_db, path)
    assert code == 0, report
    rows = sql(loaded_db, "SELECT school_code, students, classes, it_rooms, it_computers, it_students, it_classes, "
                          "cashless_pct FROM survey WHERE school_year = '2025-2026' ORDER BY 1")
    assert rows == [(CODES[0], 1200, 30, 1, 20, 720, 18, 100.0), (CODES[1], 1000, 25, 1, 15, 600, 15, 85.0)]


def test_a_column_of_fractions_means_percentages(loaded_db, tmp_path):
    path = tmp_path / "KS_ti_le_CN_2025-2026.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("TH")
    sheet.write_row(0, 0, ["Mã trường", "Số lớp", "Số HS", "Số GV", "Số CBQL", "Số phòng học",
                           "Tỷ lệ thu không dùng tiền mặt (%)"])
    sheet.write_row(1, 0, [CODES[0], 30, 1200, 45, 3, 30, 1])
    sheet.write_row(2, 0, [CODES[1], 25, 1000, 38, 3, 25, 0.6])
    book.close()
    assert load(loaded_db, path)[0] == 0
    assert sql(loaded_db, "SELECT cashless_pct FROM survey WHERE school_year = '2025-2026' ORDER BY school_code") == \
        [(100.0,), (60.0,)]


def test_form_value_column_is_kept_even_when_a_value_is_blank(loaded_db, tmp_path):
    """STT | Nội dung | Đơn vị | Số liệu | Ghi chú: a blank value never borrows the note beside it."""
    path = tmp_path / f"PKS_{CODES[0]}.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Phiếu")
    sheet.write(0, 0, "PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ – Tổng kết năm học 2025-2026")
    sheet.write_row(2, 0, ["STT", "Nội dung", "Đơn vị", "Số liệu", "Ghi chú"])
    lines = [("Mã trường", "", CODES[0], ""), ("Số lớp", "lớp", 30, ""), ("Số học sinh", "HS", 1200, ""),
             ("Số giáo viên", "GV", 45, ""), ("Số CBQL", "người", 3, ""), ("Số phòng học", "phòng", 30, ""),
             ("Phần mềm quản trị nhà trường", "", "", "Đang chờ cấp tài khoản"),
             ("Số tin bài tuyên truyền CĐS", "tin bài", "", 12),
             ("Có bộ phận phụ trách CNTT/CĐS", "", "", "Không"), ("Có phòng studio", "", "Có", "")]
    for row, (label, unit, value, note) in enumerate(lines, 3):
        sheet.write_row(row, 0, [row - 2, label, unit, value, note])
    book.close()
    code, report = load(loaded_db, path)
    assert code == 0, report
    assert sql(loaded_db, "SELECT students, teachers, mgmt_software, dx_posts, has_dx_lead, has_studio FROM survey "
                          "WHERE school_year = '2025-2026'") == [(1200, 45, None, None, None, True)]


def _assessment_table(path, self_heading, verified_heading):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("4725")
    sheet.write(0, 0, "KẾT QUẢ TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH MỨC ĐỘ CHUYỂN ĐỔI SỐ – năm học 2025-2026")
    codes = ["1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5", "1.4"]
    sheet.merge_range(2, 0, 3, 0, "Mã trường")
    sheet.merge_range(2, 1, 2, len(codes), self_heading)
    sheet.merge_range(2, len(codes) + 1, 2, 2 * len(codes), verified_heading)
    sheet.write_row(3, 1, codes + codes)
    sheet.write_row(4, 0, [CODES[0], 6, 6, 6, 6, 6, 10, 5, 5, 4, 6, 6, 8])
    book.close()
    return path


def test_self_and_verified_groups_side_by_side(loaded_db, tmp_path):
    path = _assessment_table(tmp_path / "KQ_4725.xlsx", "Kết quả đánh giá của trường", "Kết quả thẩm định của phòng")
    code, report = load(loaded_db, path)
    assert code == 0, report
    rows = dict(((k, c), s) for k, c, s in sql(loaded_db, "SELECT kind, criterion, score FROM assessment_scores "
                                                          "WHERE school_year = '2025-2026'"))
    assert rows[("self", "1.4")] == 10 and rows[("verified", "1.4")] == 8 and rows[("verified", "1.3.3")] == 4
    assert len(rows) == 12


def test_two_unlabelled_groups_of_the_same_criteria_are_refused(loaded_db, tmp_path):
    path = _assessment_table(tmp_path / "KQ_4725_mo_ho.xlsx", "Đợt 1", "Đợt 2")
    code, report = load(loaded_db, path)
    assert code == 2
    [message] = issues(report)
    assert message.startswith("KQ_4725_mo_ho.xlsx, trang '4725', vùng A3:M4: có hai cột điểm cho tiêu chí 1.3.1")


def _task_sheet(path, due_dates):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Nhiệm vụ")
    sheet.write(0, 0, "BẢNG THEO DÕI NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025")
    sheet.write_row(2, 0, ["STT", "Nhiệm vụ", "Đơn vị/người phụ trách", "Hạn hoàn thành", "Trạng thái",
                           "Tỷ lệ hoàn thành (%)"])
    pct = book.add_format({"num_format": "0%"})
    for row, due in enumerate(due_dates, 3):
        sheet.write_row(row, 0, [row - 2, f"Nhiệm vụ {row - 2}", "Tổ CNTT", due, "Đang thực hiện"])
        sheet.write(row, 5, 1.0 if row == 3 else 0.5, pct)
    book.close()
    return path


def test_task_deadlines_as_offices_write_them(loaded_db, tmp_path):
    path = _task_sheet(tmp_path / "nhiem_vu_2025.xlsx", ["31/12/25", "Tháng 10/2025", "Quý IV/2025", "sớm nhất có thể"])
    code, report = load(loaded_db, path)
    assert code == 0, report
    assert sql(loaded_db, "SELECT task_no, due, percent FROM office_tasks ORDER BY task_no") == [
        (1, dt.date(2025, 12, 31), 100.0), (2, dt.date(2025, 10, 31), 50.0), (3, dt.date(2025, 12, 31), 50.0),
        (4, None, 50.0)]
    assert any("\"sớm nhất có thể\" không phải là ngày" in w for w in issues(report, "warning"))


def test_a_task_sheet_with_a_bad_row_does_not_replace_the_list(loaded_db, tmp_path):
    good = _task_sheet(tmp_path / "nhiem_vu_2025.xlsx", ["30/06/2025", "30/09/2025"])
    assert load(loaded_db, good)[0] == 0
    before = sql(loaded_db, "SELECT * FROM office_tasks ORDER BY task_no")
    bad = _task_sheet(tmp_path / "nhiem_vu_2025_moi.xlsx", ["30/06/2025", "30/09/2025", "31/12/2025"])
    import openpyxl
    book = openpyxl.load_workbook(bad)
    book["Nhiệm vụ"]["F6"] = "hơn một nửa"
    book.save(bad)
    code, report = load(loaded_db, bad)
    assert code == 2
    assert any("không thay danh sách nhiệm vụ đã nạp" in e for e in issues(report))
    assert sql(loaded_db, "SELECT * FROM office_tasks ORDER BY task_no") == before
