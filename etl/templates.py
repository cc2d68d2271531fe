"""Templates to send to the schools ("Tải biểu mẫu"): the survey as an Excel workbook for a school year and period,
one consolidated sheet per level or one workbook per school pre-filled with its identity, and the 4725
self-assessment form per school. Each has an instruction sheet, a locked header, data validation (whole numbers
≥ 0, Có/Không lists, percentages 0-100, scores 0 to the maximum), and is read back by the loader as it is."""
from __future__ import annotations

import io
import zipfile

import xlsxwriter

from etl.reference import LEVEL_NAMES, PERIOD_NAMES, Catalogue
from etl.textnorm import slug

PERIOD_TITLE = PERIOD_NAMES  # "Học kỳ I", "Cả năm": the app's one name per period (the reader also takes "Cuối năm",
# "Tổng kết năm học", "HK1"..., see etl.values.find_period)
IDENTITY = ("school_code", "school_name", "level", "ward_old")
NOT_ASKED = {"school_year", "period", "ownership"}  # said once in the title, or known from the registry
DATA_START_ROW = 6  # 0-based: title lines, a blank line, the header, then one row per school

INSTRUCTIONS = [
    "HƯỚNG DẪN ĐIỀN BIỂU",
    "",
    "1. Mỗi trường điền một dòng ở trang số liệu. Không sửa, không xoá, không chèn cột và không sửa dòng tiêu đề "
    "(các ô này đã được khoá).",
    "2. Mã trường, tên trường, cấp học và phường/xã đã được điền sẵn theo danh mục của phòng; nếu sai, hãy báo phòng.",
    "3. Ô số lượng (lớp, học sinh, giáo viên, phòng, máy...): điền số nguyên từ 0 trở lên, không ghi chữ hay đơn vị.",
    "4. Ô Có/Không: chọn trong danh sách thả xuống.",
    "5. Ô tỷ lệ (%): điền số từ 0 đến 100, ví dụ 85 (không ghi dấu %).",
    "6. Chỉ tiêu không áp dụng cho cấp học của trường (ví dụ phòng máy tính với trường mầm non) thì để trống.",
    "7. Lưu tệp dạng Excel (.xlsx) rồi gửi lại phòng; có thể đổi tên tệp nhưng giữ nguyên năm học và kỳ trong tên.",
]


def period_title(school_year: str, period: str) -> str:
    return f"{PERIOD_TITLE[period]}, năm học {school_year}"


def survey_fields(catalogue: Catalogue, level: str | None) -> list[str]:
    """The data columns of a template: the catalogue's fields that apply to the level (all levels when None)."""
    return [code for code, field in catalogue.fields.items()
            if code not in IDENTITY and code not in NOT_ASKED and (level is None or field.applies(level))]


def survey_workbook(catalogue: Catalogue, schools: list[dict], school_year: str, period: str, office: str,
                    level: str | None = None) -> bytes:
    """The survey of `schools` (registry rows) for one period: a sheet per level present (or only `level`)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"Biểu khảo sát chuyển đổi số – {period_title(school_year, period)}",
                         "author": office})
    styles = _styles(book)
    _instructions(book, styles, school_year, period, office)
    levels = [lv for lv in LEVEL_NAMES if any(s["level"] == lv for s in schools) and (level is None or lv == level)]
    for lv in levels:
        rows = sorted((s for s in schools if s["level"] == lv), key=lambda s: s["school_name"])
        _survey_sheet(book, styles, catalogue, rows, lv, school_year, period, office)
    book.close()
    return buffer.getvalue()


def survey_file_name(school_year: str, period: str, level: str | None = None, school: dict | None = None) -> str:
    who = school["school_code"] if school else (slug(LEVEL_NAMES[level]) if level else "tat_ca")
    return f"Bieu_CDS_{who}_{period}_{school_year}.xlsx"


def per_school_zip(catalogue: Catalogue, schools: list[dict], school_year: str, period: str, office: str,
                   with_4725: bool = True) -> bytes:
    """One survey workbook per school (pre-filled with its identity) and, if asked, its 4725 form, in a .zip with a
    folder per school."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for school in sorted(schools, key=lambda s: (s["level"], s["school_name"])):
            folder = f"{school['school_code']}_{slug(school['school_name'])}"
            archive.writestr(f"{folder}/{survey_file_name(school_year, period, school=school)}",
                             survey_workbook(catalogue, [school], school_year, period, office))
            if with_4725 and school["level"] != "MN":
                archive.writestr(f"{folder}/{assessment_file_name(school, school_year)}",
                                 assessment_workbook(catalogue, school, school_year, office))
    return buffer.getvalue()


def assessment_file_name(school: dict, school_year: str) -> str:
    return f"TDG_4725_{school['school_code']}_{school_year}.xlsx"


def assessment_workbook(catalogue: Catalogue, school: dict, school_year: str, office: str) -> bytes:
    """The 4725 self-assessment form of one school: its identity in the title, one row per criterion with its
    maximum, the score cell validated from 0 to the maximum (Đạt/Chưa đạt for the mandatory conditions)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    sheet = book.add_worksheet("Phiếu tự đánh giá")
    sheet.protect("", {"format_columns": True, "format_rows": True})
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 3, 16)
    sheet.set_column(4, 4, 40)
    lines = [office, "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ (QĐ 4725/QĐ-BGDĐT)",
             f"Trường: {school['school_name']}", f"Mã trường: {school['school_code']}", f"Năm học {school_year}"]
    for r, text in enumerate(lines):
        sheet.write(r, 0, text, styles["title"] if r == 1 else styles["locked"])
    header = ["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Minh chứng"]
    for c, label in enumerate(header):
        sheet.write(6, c, label, styles["header"])
    r = 7
    for group in ("1", "2"):
        sheet.write(r, 0, f"Nhóm {group}", styles["section"])
        r += 1
        for crit in (c for c in catalogue.criteria if c["group"] == group):
            scored = catalogue.criterion(crit["code"]) is not None
            sheet.write(r, 0, crit["code"], styles["locked"])
            sheet.write(r, 1, crit["name_vi"], styles["locked_wrap"])
            if not scored:
                r += 1
                continue
            if crit["mandatory"]:
                sheet.write(r, 2, "Đạt/Chưa đạt", styles["locked"])
                sheet.data_validation(r, 3, r, 3, {"validate": "list", "source": ["Đạt", "Chưa đạt"],
                                                   "error_message": "Chọn Đạt hoặc Chưa đạt."})
            else:
                sheet.write_number(r, 2, crit["max_points"], styles["locked"])
                sheet.data_validation(r, 3, r, 3, {
                    "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": crit["max_points"],
                    "error_message": f"Điểm từ 0 đến {crit['max_points']:g}."})
            sheet.write_blank(r, 3, None, styles["input"])
            sheet.write_blank(r, 4, None, styles["input"])
            r += 1
    sheet.freeze_panes(7, 0)
    book.close()
    return buffer.getvalue()


def assessment_table_file_name(school_year: str) -> str:
    return f"Bang_tong_hop_TDG_4725_{school_year}.xlsx"


def assessment_table_workbook(catalogue: Catalogue, schools: list[dict], school_year: str, office: str) -> bytes:
    """The 4725 self-assessment of many schools in one table (a row per primary or lower secondary school, a column
    per criterion), for an office that collects the scores itself; read back as the loader's 4725 table."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    guide = book.add_worksheet("Hướng dẫn")
    guide.set_column(0, 0, 110)
    guide.write(0, 0, f"{office} – bảng tổng hợp tự đánh giá QĐ 4725, năm học {school_year}", styles["title"])
    lines = ["Mỗi trường một dòng; mỗi tiêu chí một cột (mã tiêu chí ở dòng tiêu đề). Không sửa dòng tiêu đề.",
             "Điều kiện bắt buộc: chọn Đạt hoặc Chưa đạt. Tiêu chí có điểm: điền điểm từ 0 đến điểm tối đa.", ""]
    lines += [f"{c['code']} – {c['name_vi']}: " + ("Đạt/Chưa đạt" if c["mandatory"] else f"tối đa {c['max_points']:g} "
              "điểm") for c in catalogue.criteria if catalogue.criterion(c["code"]) is not None]
    for r, line in enumerate(lines, start=2):
        guide.write(r, 0, line, styles["text"])
    sheet = book.add_worksheet("Tự đánh giá 4725")
    sheet.protect("", {"format_columns": True, "format_rows": True})
    criteria = [c for c in catalogue.criteria if catalogue.criterion(c["code"]) is not None]
    for r, text in enumerate([office, "BẢNG TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ (QĐ 4725)",
                              f"Điểm tự đánh giá – năm học {school_year}"]):
        sheet.write(r, 0, text, styles["title"] if r == 1 else styles["locked"])
    header_row = DATA_START_ROW - 1
    labels = ["Mã trường", "Tên trường"] + [c["code"] for c in criteria]
    for c, label in enumerate(labels):
        sheet.write_string(header_row, c, label, styles["header"])
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 1 + len(criteria), 7)
    rows = sorted((s for s in schools if s["level"] != "MN"), key=lambda s: (s["level"], s["school_name"]))
    last = DATA_START_ROW + max(len(rows), 1) - 1
    for r, school in enumerate(rows, start=DATA_START_ROW):
        sheet.write_string(r, 0, school["school_code"], styles["identity"])
        sheet.write_string(r, 1, school["school_name"], styles["identity"])
        for c in range(2, 2 + len(criteria)):
            sheet.write_blank(r, c, None, styles["input"])
    for c, crit in enumerate(criteria, start=2):
        if crit["mandatory"]:
            rule = {"validate": "list", "source": ["Đạt", "Chưa đạt"], "error_message": "Chọn Đạt hoặc Chưa đạt."}
        else:
            rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": crit["max_points"],
                    "error_message": f"Điểm từ 0 đến {crit['max_points']:g}."}
        sheet.data_validation(DATA_START_ROW, c, last, c, {**rule, "error_title": f"Tiêu chí {crit['code']}"})
    sheet.freeze_panes(DATA_START_ROW, 2)
    book.close()
    return buffer.getvalue()


def _styles(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "locked": book.add_format({"locked": True}),
        "locked_wrap": book.add_format({"locked": True, "text_wrap": True, "valign": "top"}),
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                                   "border": 1, "bg_color": "#DDEBF7", "locked": True}),
        "identity": book.add_format({"border": 1, "locked": True, "bg_color": "#F2F2F2"}),
        "input": book.add_format({"border": 1, "locked": False}),
        "section": book.add_format({"bold": True, "locked": True}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _instructions(book, styles, school_year: str, period: str, office: str) -> None:
    sheet = book.add_worksheet("Hướng dẫn")
    sheet.set_column(0, 0, 110)
    title = period_title(school_year, period)
    sheet.write(0, 0, f"{office} – biểu khảo sát chuyển đổi số, {title[:1].lower() + title[1:]}",
                styles["title"])
    for r, line in enumerate(INSTRUCTIONS, start=2):
        sheet.write(r, 0, line, styles["title"] if r == 2 else styles["text"])


def _survey_sheet(book, styles, catalogue: Catalogue, schools: list[dict], level: str, school_year: str, period: str,
                  office: str) -> None:
    sheet = book.add_worksheet(LEVEL_NAMES[level][:31])
    sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})
    fields = survey_fields(catalogue, level)
    labels = [catalogue.fields[k].label_vi for k in IDENTITY] + [catalogue.fields[k].label_vi for k in fields]
    lines = [office, "BIỂU KHẢO SÁT CHUYỂN ĐỔI SỐ", f"{period_title(school_year, period)} – cấp "
             f"{LEVEL_NAMES[level]}"]
    for r, text in enumerate(lines):
        sheet.write(r, 0, text, styles["title"] if r == 1 else styles["locked"])
    header_row = DATA_START_ROW - 1
    sheet.set_row(header_row, 60)
    for c, label in enumerate(labels):
        sheet.write(header_row, c, label, styles["header"])
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 3, 14)
    sheet.set_column(4, 4 + len(fields), 14)
    last = DATA_START_ROW + max(len(schools), 1) - 1
    for r, school in enumerate(schools, start=DATA_START_ROW):
        values = [school["school_code"], school["school_name"], LEVEL_NAMES[school["level"]],
                  school.get("ward_old") or ""]
        for c, value in enumerate(values):
            sheet.write_string(r, c, str(value), styles["identity"])
        for c in range(len(IDENTITY), len(labels)):
            sheet.write_blank(r, c, None, styles["input"])
    for offset, code in enumerate(fields):
        c = len(IDENTITY) + offset
        field = catalogue.fields[code]
        rule = {"int": {"validate": "integer", "criteria": ">=", "value": 0,
                        "error_message": "Điền số nguyên từ 0 trở lên, không ghi chữ hay đơn vị."},
                "number": {"validate": "decimal", "criteria": ">=", "value": 0,
                           "error_message": "Điền số từ 0 trở lên."},
                "percent": {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                            "error_message": "Điền tỷ lệ từ 0 đến 100 (không ghi dấu %)."},
                "bool": {"validate": "list", "source": ["Có", "Không"], "error_message": "Chọn Có hoặc Không."},
                }.get(field.type)
        if rule:
            sheet.data_validation(DATA_START_ROW, c, last, c, {**rule, "error_title": field.label_vi[:32],
                                                               "input_title": field.label_vi[:32]})
    sheet.freeze_panes(DATA_START_ROW, 2)
