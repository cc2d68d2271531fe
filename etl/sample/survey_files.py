"""The survey files of each period (layouts 1 and 2), with their messiness."""
from __future__ import annotations

import unicodedata

from .context import Context
from .entries import field_columns, id_extras, make_entry, ordered_codes
from .labels import label
from .layouts import survey_form, survey_table
from .layouts.common import CITY_OFFICE, PROVINCE_OFFICE, SYNTHETIC
from .layouts.survey_table import Column, TableSpec
from .messy import Style, nfd
from .output import FileOut
from .periods import PERIODS, folder
from .reference import LEVELS, metric_fields
from .rng import stream
from .writers import Book, Formula, a1

ALL_SECTIONS = [("I. MẦM NON", ("MN",)), ("II. TIỂU HỌC", ("TH",)),
                ("III. TRUNG HỌC CƠ SỞ", ("THCS",)), ("IV. LIÊN CẤP TH&THCS", ("TH_THCS",))]
SURVEY_TITLE = "BIỂU TỔNG HỢP KHẢO SÁT CHUYỂN ĐỔI SỐ"


def _out(book: Book, t: int, entries: list, codes: list, **info) -> FileOut:
    year, period = PERIODS[t]
    rows = [(e.school.code, tuple(codes)) for e in entries]
    return FileOut(book, info.pop("layout", "survey_table"), year, period, survey_rows=rows, info=info)


def _id_cols(code_label: str = "Mã trường", name_label: str = "Tên trường", *more: Column) -> list[Column]:
    return [Column("stt", "STT", width=5), Column("school_code", code_label, width=11),
            Column("school_name", name_label, width=34), *more]


def period_2023_cn(ctx: Context) -> list[FileOut]:
    """One .xls for all levels: level only in section rows, codes typed as numbers."""
    t = 0
    rng = stream(ctx.seed, "file", t)
    codes = ordered_codes(LEVELS, omit=("bandwidth_mbps", "digital_materials", "teachers_making_materials",
                                        "dx_posts"))
    columns = _id_cols("Mã trường", "Tên trường", Column("ownership", "Loại hình", width=10),
                       Column("ward_old", "Phường/xã", width=12))
    columns += field_columns(codes) + [Column("note", "Ghi chú", width=16)]
    spec = TableSpec(
        sheet_name="Tổng hợp CĐS", office=CITY_OFFICE, columns=columns,
        titles=[SURVEY_TITLE, "Tổng kết năm học 2023 - 2024"], style=Style(bools="co_khong", none="dash"),
        header_rows=2, sections=ALL_SECTIONS, subtotals=True, formulas=False,
        notes=["Số liệu tính đến ngày 25/5/2024.", "Các cột Có/Không: ghi Có hoặc Không.",
               "Mầm non không khảo sát phòng máy dạy Tin học (ghi \"-\")."],
        signature="Vinh, ngày 28 tháng 5 năm 2024")
    entries = [make_entry(ctx, s, t, ("full", "full", "no_truong", "double_space"), rng,
                          code_as_number=True, extras=id_extras(s)) for s in ctx.reported(t)]
    book = Book(f"{folder(*PERIODS[t])}/TH_CDS_2023-2024_CN.xls", [survey_table.build(spec, entries)])
    return [_out(book, t, entries, codes, format="xls", levels=list(LEVELS))]


HK1_PILLARS = ("scale", "data", "platforms", "infrastructure", "people", "government", "security",
               "institutions", "awareness")
HK1_FILES = (  # file stem, levels, sections, style, label choice, label overrides, name kinds, code label
    ("MN", ("MN",), None, Style(bools="x_blank", percent="pct_text"), 1,
     {"students": 4, "classes": 2}, ("short", "no_truong", "full"), "Mã đơn vị", "Tên cơ sở giáo dục"),
    ("TH", ("TH",), None, Style(bools="co_khong", ints="dot_text", percent="frac_text"), 2,
     {"classes": 1}, ("full", "abbrev", "double_space"), "Mã CSGD", "Tên đơn vị"),
    ("THCS", ("THCS", "TH_THCS"), [("I. TRUNG HỌC CƠ SỞ", ("THCS",)), ("II. LIÊN CẤP TH&THCS", ("TH_THCS",))],
     Style(bools="one_zero", percent="number", nfd=True), 0, {"students": 2, "teachers": 2, "managers": 1},
     ("nfd", "full", "no_truong"), "Mã trường", "Tên trường"),
)
LEVEL_TITLE = {"MN": "CẤP MẦM NON", "TH": "CẤP TIỂU HỌC", "THCS": "CẤP THCS VÀ LIÊN CẤP TH&THCS"}


def period_2024_hk1(ctx: Context) -> list[FileOut]:
    """One .xlsx per level with a three-row header, aliases and extra columns."""
    t, outs = 1, []
    for stem, levels, sections, style, choice, overrides, kinds, code_label, name_label in HK1_FILES:
        rng = stream(ctx.seed, "file", t, stem)
        codes = ordered_codes(levels, HK1_PILLARS)
        columns = _id_cols(code_label, name_label, Column("ownership", label("ownership", 3), width=10),
                           Column("phone", "Số điện thoại", width=13, hidden=stem == "MN"))
        columns += field_columns(codes, choice, overrides, wrap=stem == "TH", subgroups=True)
        if style.nfd:
            for col in columns:
                col.label = nfd(col.label)
        columns += [Column("note", "Ghi chú", width=16)]
        spec = TableSpec(
            sheet_name=f"{stem} HK1", office=CITY_OFFICE, columns=columns, style=style, header_rows=3,
            titles=[f"{SURVEY_TITLE} - {LEVEL_TITLE[stem]}", "Sơ kết HK I - NH 2024 - 2025"],
            sections=sections, subtotals=stem == "THCS", notes=["Số liệu tính đến ngày 10/01/2025."],
            signature="Vinh, ngày 15 tháng 01 năm 2025")
        entries = [make_entry(ctx, s, t, kinds, rng, extras=id_extras(s)) for s in ctx.reported(t, levels)]
        book = Book(f"{folder(*PERIODS[t])}/{stem}_CDS_HK1_2024-2025.xlsx", [survey_table.build(spec, entries)])
        outs.append(_out(book, t, entries, codes, format="xlsx", levels=list(levels)))
    return outs


CN_SHEETS = (("Mầm non", ("MN",), "CẤP MẦM NON"), ("Tiểu học", ("TH",), "CẤP TIỂU HỌC"),
             ("THCS - Liên cấp", ("THCS", "TH_THCS"), "CẤP THCS, LIÊN CẤP TH&THCS"))
DAT_COLUMNS = ("results_synced", "has_dx_plan", "has_dx_lead", "licensed_antivirus")
RATIO_LABEL = "Số HS/máy tính (toàn trường)"


def _ratio_formulas(sheet, spec: TableSpec, entries: list) -> None:
    """An extra computed column: students / computers, with #DIV/0! where there are none."""
    col = next(i for i, c in enumerate(spec.columns) if c.key == "ratio")
    for entry in entries:
        code = entry.school.code
        if (code, "students") not in sheet.located:
            continue
        row, s_col = sheet.located[(code, "students")]
        _, c_col = sheet.located[(code, "it_computers")]
        students, computers = sheet.value(row, s_col), sheet.value(row, c_col)
        ok = isinstance(students, int) and isinstance(computers, int) and computers > 0
        cached = round(students / computers, 2) if ok else "#DIV/0!"
        sheet.put(row, col, Formula(f"{a1(row, s_col)}/{a1(row, c_col)}", cached), "cell")


def _cn_sheet(ctx: Context, t: int, name: str, levels: tuple, level_title: str, codes_out: list):
    rng = stream(ctx.seed, "file", t, name)
    codes = ordered_codes(levels)
    more = [Column("level", "Cấp học", width=9)] if len(levels) > 1 else []
    columns = _id_cols("Mã trường", label("school_name", 1), *more)
    columns += field_columns(codes, choice=3, overrides=None if levels == ("MN",) else {"classes": 1})
    for col in columns:
        col.bools = "dat" if col.key in DAT_COLUMNS else None
    general = levels != ("MN",)
    columns += ([Column("ratio", RATIO_LABEL, width=12)] if general else []) + [Column("note", "Ghi chú")]
    spec = TableSpec(
        sheet_name=name, office=CITY_OFFICE, columns=columns, style=Style(bools="c_k", percent="pct_space"),
        titles=[SURVEY_TITLE, "TỔNG KẾT NĂM HỌC 2024-2025", level_title], header_rows=2, subtotals=general,
        notes=["C: Có; K: Không."], signature="Vinh, ngày 30 tháng 5 năm 2025")
    schools = [s for s in ctx.reported(t, levels) if s.code not in ctx.form_codes]
    entries = [make_entry(ctx, s, t, ("full", "abbrev", "no_truong"), rng, extras=id_extras(s)) for s in schools]
    sheet = survey_table.build(spec, entries)
    if general:
        _ratio_formulas(sheet, spec, entries)
    codes_out.extend((e.school.code, tuple(codes)) for e in entries)
    return sheet


FORM_VARIANTS = (  # numbered labels?, style, label choice, year pair, period pair
    (True, Style(bools="co_khong", percent="pct_text"), 0, "NH 2024-2025", "Cả năm"),
    (False, Style(bools="c_k", ints="dot_text", percent="frac_number"), 1, "2024 - 2025", "Tổng kết"),
    (True, Style(bools="co_khong", percent="number"), 1, None, None),
)


def slug(text: str) -> str:
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return "_".join("".join(c if c.isalnum() else " " for c in bare).split())


def _forms(ctx: Context, t: int) -> list[FileOut]:
    outs = []
    for i, school in enumerate(s for s in ctx.reported(t) if s.code in ctx.form_codes):
        numbered, style, choice, year_text, period_text = FORM_VARIANTS[i % len(FORM_VARIANTS)]
        key = (t, school.code)
        code = None if key in ctx.name_only else school.code
        spec = survey_form.FormSpec(
            school=school, values=ctx.survey[(school.code, t)], title_period="Tổng kết năm học 2024–2025",
            year_text=year_text, period_text=period_text, code=code, name=school.name, numbered=numbered,
            style=style, label_choice=choice, overrides=dict(ctx.overrides.get(key, {})))
        stem = school.code if code else slug(school.name)
        book = Book(f"{folder(*PERIODS[t])}/phieu_khao_sat/PKS_{stem}.xlsx", [survey_form.build(spec)])
        codes = [f.code for f in metric_fields() if f.applies(school.level)]
        outs.append(FileOut(book, "survey_form", *PERIODS[t], survey_rows=[(school.code, tuple(codes))],
                            info={"format": "xlsx", "levels": [school.level], "school_code": code}))
    return outs


def period_2024_cn(ctx: Context) -> list[FileOut]:
    """Per-school forms for about a quarter of the schools, one workbook of three sheets for the rest."""
    t, rows = 2, []
    sheets = [_cn_sheet(ctx, t, name, levels, title, rows) for name, levels, title in CN_SHEETS]
    book = Book(f"{folder(*PERIODS[t])}/Tong_hop_CDS_CN_2024-2025.xlsx", sheets)
    table = FileOut(book, "survey_table", *PERIODS[t], survey_rows=rows,
                    info={"format": "xlsx", "levels": list(LEVELS)})
    return [table] + _forms(ctx, t)


def period_2025_hk1(ctx: Context) -> list[FileOut]:
    """After the 1/7/2025 reform: an .xlsx for MN+TH with the new ward, a CSV export for THCS."""
    t = 3
    year, period = PERIODS[t]
    rng = stream(ctx.seed, "file", t)
    levels = ("MN", "TH")
    codes = ordered_codes(levels)
    columns = _id_cols("Mã trường", "Tên trường", Column("level", "Cấp học", width=9),
                       Column("ownership", "Loại hình", width=10), Column("ward_old", label("ward_old", 4)),
                       Column("ward_new", "Phường mới", width=14))
    columns += field_columns(codes, wrap=True) + [Column("note", "Ghi chú")]
    spec = TableSpec(
        sheet_name="Tổng hợp", office=PROVINCE_OFFICE, columns=columns,
        style=Style(bools="co_khong", percent="frac_number"), header_rows=2,
        titles=[f"{SURVEY_TITLE} CÁC CƠ SỞ GIÁO DỤC MẦM NON, TIỂU HỌC", "Sơ kết học kỳ I năm học 2025–2026"],
        notes=["Đơn vị hành chính theo sắp xếp từ ngày 01/7/2025."], signature="Nghệ An, ngày 12 tháng 01 năm 2026")
    entries = [make_entry(ctx, s, t, ("full", "upper", "no_truong"), rng, extras=id_extras(s))
               for s in ctx.reported(t, levels)]
    book = Book(f"{folder(year, period)}/CDS_HK1_2025-2026_MN_TH.xlsx", [survey_table.build(spec, entries)])
    outs = [_out(book, t, entries, codes, format="xlsx", levels=list(levels))]
    return outs + [_csv_export(ctx, t)]


def _csv_export(ctx: Context, t: int) -> FileOut:
    year, period = PERIODS[t]
    levels = ("THCS", "TH_THCS")
    codes = [f.code for f in metric_fields() if any(f.applies(lv) for lv in levels)]
    columns = [Column("school_code", "Mã trường"), Column("school_name", "Tên trường"),
               Column("level", "Cấp học"), Column("ownership", "Loại hình"), Column("ward_old", "Phường/xã"),
               Column("school_year", "Năm học"), Column("period", "Kỳ báo cáo")]
    columns += field_columns(codes) + [Column("note", "Ghi chú")]
    spec = TableSpec(sheet_name="export", office=CITY_OFFICE, titles=[], columns=columns,
                     style=Style(bools="yes_no"), header_rows=1, number_row=False, title_block=False)
    extras = {"school_year": year, "period": period, "note": SYNTHETIC}
    rng = stream(ctx.seed, "file", t, "csv")
    entries = [make_entry(ctx, s, t, ("full",), rng, extras=id_extras(s, **extras)) for s in ctx.reported(t, levels)]
    book = Book(f"{folder(year, period)}/THCS_CDS_HK1_2025-2026.csv", [survey_table.build(spec, entries)],
                encoding="cp1258")  # "CSV (ANSI)" from software on a Vietnamese Windows
    return _out(book, t, entries, codes, format="csv", levels=list(levels), encoding="cp1258")
