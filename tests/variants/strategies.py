"""Hypothesis strategies: a truth for each layout, and a style of writing it down."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import strategies as st

from tests.variants.model import (
    CRITERIA,
    FIELDS,
    SCHOOLS,
    AssessmentTruth,
    RegistryTruth,
    School,
    Spec,
    Style,
    SurveyTruth,
    Task,
    TaskTruth,
)
from tests.variants.render import EXTRAS
from tests.variants.writers import FORMATS

LAYOUTS = ("survey_table", "survey_form", "assessment_form", "assessment_table", "registry", "tasks")
BROKEN = {"survey_table": ("bad_number", "unknown_code", "div0", "no_year"),
          "survey_form": ("bad_number", "unknown_code", "div0", "no_year"),
          "assessment_form": ("bad_number", "unknown_code", "div0", "no_year"),
          "assessment_table": ("bad_number", "unknown_code", "div0", "no_year"),
          "tasks": ("bad_number", "div0", "no_year"), "registry": ("bad_level", "no_code", "dup_code")}
YEARS = ("2024-2025", "2023-2024", "2025-2026")
REQUIRED = ("classes", "students", "teachers", "managers", "classrooms")
OPTIONAL = tuple(k for k, f in FIELDS.items() if not f.required and f.pillar not in ("id", "period"))
SCORED = tuple(c["code"] for c in CRITERIA)
MANDATORY = {c["code"] for c in CRITERIA if c["mandatory"]}
TASK_TEXTS = ("Triển khai sổ điểm điện tử ở tất cả các trường", "Tập huấn kỹ năng số cho giáo viên",
              "Cập nhật số định danh học sinh lên CSDL ngành", "Xây dựng kho học liệu số dùng chung",
              "Thu phí không dùng tiền mặt ở các trường", "Kiểm tra an toàn thông tin các trường",
              "Tổ chức hoạt động Ngày chuyển đổi số 10/10", "Tổng hợp số liệu chuyển đổi số quý III")
OWNERS = ("Tổ CNTT", "Bộ phận Tổ chức cán bộ", "Phó trưởng phòng Nguyễn Văn An", "Các trường THCS", "Kế toán")
STATUSES = ("Hoàn thành", "Đã hoàn thành", "Đang thực hiện", "Đang triển khai", "Chưa bắt đầu", "Chưa thực hiện")
NOTES = ("Đã triển khai 20/24 trường", "Chờ kinh phí", "Chuyển sang quý sau")
EVIDENCE = ("QĐ số 12/QĐ-THCS", "Kế hoạch số 45/KH-TH", "Ảnh chụp màn hình hệ thống", "Biên bản kiểm tra")


def subsets(items, min_size=0):
    return st.lists(st.sampled_from(items), min_size=min_size, max_size=len(items), unique=True).map(tuple)


percents = st.one_of(st.integers(0, 100), st.integers(2, 198).map(lambda n: n / 2)).map(float)


@st.composite
def styles(draw, layout: str) -> Style:
    form = layout in ("survey_form", "assessment_form")
    band = draw(st.integers(1, 3))
    return Style(
        titles=draw(st.sampled_from(("none", "ubnd", "conghoa", "conghoa_date", "main"))),
        year_at=draw(subsets(("file", "title", "column"), 1)),
        period_at=draw(subsets(("file", "title", "column"), 1)),
        year_text=draw(st.integers(0, 7)), period_text=draw(st.integers(0, 6)),
        blank_after_title=draw(st.booleans()),
        seq=draw(st.sampled_from(("", "TT", "STT", "Số TT"))),
        band=band, colnums=draw(st.booleans()), order=draw(st.integers(0, 3)),
        extras=() if form else draw(subsets(tuple(k for k in EXTRAS if k != "Ghi chú"))) + draw(
            st.sampled_from(((), ("Ghi chú",)))),
        sections=draw(st.booleans()), subtotals=draw(st.booleans()),
        footer=tuple(p for p in ("total", "blank", "note", "place_date", "signature") if draw(st.booleans())),
        total_text=draw(st.integers(0, 2)),
        hidden_rows=draw(subsets(tuple(range(4)))),
        hidden_sheet=draw(st.booleans()),
        code_number=draw(st.booleans()), code_col=draw(st.booleans()),
        name_col=draw(st.booleans()),
        name=draw(st.sampled_from(("full", "no_truong", "abbrev", "short", "upper", "double_space", "tone"))),
        ints=draw(st.sampled_from(("number", "float", "text", "dot", "unit"))),
        percent=draw(st.sampled_from(("number", "pct_text", "pct_space", "frac_text", "frac_number", "excel_pct"))),
        bools=draw(st.sampled_from(("co_khong", "c_k", "dat", "one_zero", "yes_no")
                                   + (("x_blank",) if layout == "survey_table" else ()))),
        numbers=draw(st.sampled_from(("number", "comma_text", "unit"))),
        none=draw(st.sampled_from(("blank", "dash"))),
        text=draw(st.sampled_from(("nfc", "nfd", "tcvn3", "vni"))),
        short_labels=draw(st.booleans()),
        max_text=draw(st.sampled_from(("Bắt buộc", "", "Đạt/Chưa đạt"))),
        score_words=draw(st.sampled_from(("Điểm tự đánh giá", "Tự đánh giá"))),
        score_text=draw(st.booleans()),
        kind_at=draw(st.sampled_from(("title", "group", "none", "sub"))),
        inline=draw(st.booleans()), unit_col=draw(st.booleans()), note_col=draw(st.booleans()),
        max_row=draw(st.booleans()), level_text=draw(st.integers(0, 2)),
        delimiter=draw(st.sampled_from((";", ","))), legacy=draw(st.sampled_from(("tcvn3", "vni"))),
        split=layout == "survey_table" and draw(st.integers(0, 3)) == 0,
        turned=layout == "survey_table" and draw(st.integers(0, 4)) == 0,
        across=layout == "survey_form" and draw(st.integers(0, 3)) == 0,
        ident_b=layout == "assessment_form" and draw(st.booleans()),
        code_quote=draw(st.integers(0, 4)) == 0,
        labels_set=draw(st.integers(0, 3)) if layout == "registry" else 0,
        level_by_section=layout == "registry" and draw(st.booleans()),
    )


@st.composite
def survey_values(draw, school: School, fields: tuple) -> dict:
    level = school.level
    classes = draw(st.integers(5, 40))
    students = draw(st.integers(10 * classes, 60 * classes))
    teachers, managers, classrooms = draw(st.integers(5, 120)), draw(st.integers(1, 4)), draw(st.integers(5, 45))
    values = {"classes": classes, "students": students, "teachers": teachers, "managers": managers,
              "classrooms": classrooms}
    it_rooms = draw(st.integers(0, 3))
    it_students = draw(st.integers(0, students))
    limits = {"it_rooms": it_rooms, "it_computers": 0 if not it_rooms else draw(st.integers(10, 80)),
              "it_students": it_students, "it_classes": 0 if not it_students else draw(st.integers(1, classes)),
              "rooms_projector_internet": draw(st.integers(0, classrooms)),
              "students_with_id": draw(st.integers(0, students)), "teachers_with_id": draw(st.integers(0, teachers)),
              "teachers_trained": draw(st.integers(0, teachers)),
              "teachers_making_materials": draw(st.integers(0, teachers)),
              "managers_with_esign": draw(st.integers(0, managers)), "digital_materials": draw(st.integers(0, 2000)),
              "dx_posts": draw(st.integers(0, 50))}
    for code in fields:
        f = FIELDS[code]
        if code in values:
            continue
        if not f.applies(level):
            values[code] = None
        elif f.type == "bool":
            values[code] = draw(st.booleans())
        elif f.type == "int":
            values[code] = draw(st.sampled_from((limits[code], None))) if code != "it_computers" or not it_rooms \
                else limits[code]
        elif f.type == "percent":
            values[code] = draw(st.one_of(percents, st.none()))
        elif f.type == "number":
            values[code] = draw(st.sampled_from((100.0, 50.0, 1.5, 150.5, 1000.0, None)))
        else:
            values[code] = draw(st.sampled_from(("SMAS", "VnEdu", "QLTH", None)))
    if values.get("it_computers") and values.get("it_rooms") is None:
        values["it_computers"] = None  # computers without rooms: a warning, not what this test is about
    return {k: values[k] for k in FIELDS if k in values}


@st.composite
def survey_truths(draw, one_school: bool) -> SurveyTruth:
    schools = [draw(st.sampled_from(SCHOOLS))] if one_school else draw(
        st.lists(st.sampled_from(SCHOOLS), min_size=1, max_size=4, unique=True))
    required = REQUIRED if one_school else draw(subsets(REQUIRED, 1))  # a table may leave a required column out
    fields = tuple(k for k in REQUIRED if k in required) + draw(subsets(OPTIONAL, 1 if one_school else 0))
    if len(fields) < 3:  # a table is known by its school column and at least three fields
        fields += tuple(k for k in REQUIRED if k not in fields)[:3 - len(fields)]
    rows = {s.code: draw(survey_values(s, fields)) for s in schools}
    return SurveyTruth(draw(st.sampled_from(YEARS)), draw(st.sampled_from(("HK1", "CN"))), rows)


@st.composite
def criterion_scores(draw, blanks: bool = True) -> dict:
    scores = {}
    for c in CRITERIA:
        if c["mandatory"]:
            value = draw(st.booleans())
        else:
            value = draw(st.integers(0, int(2 * c["max_points"]))) / 2
        scores[c["code"]] = None if blanks and draw(st.integers(0, 9)) == 0 else value
    return scores


@st.composite
def assessment_truths(draw, one_school: bool) -> AssessmentTruth:
    eligible = [s for s in SCHOOLS if s.level != "MN"]
    schools = [draw(st.sampled_from(eligible))] if one_school else draw(
        st.lists(st.sampled_from(eligible), min_size=1, max_size=4, unique=True))
    kinds = draw(st.sampled_from((("self",), ("verified",), ("self", "verified"))))
    scores = {s.code: {k: draw(criterion_scores()) for k in kinds} for s in schools}
    evidence = {}
    if one_school and draw(st.booleans()):
        evidence = {s.code: {c: draw(st.sampled_from(EVIDENCE + (None,))) for c in SCORED} for s in schools}
    chosen = () if one_school or draw(st.booleans()) else draw(st.lists(st.sampled_from(SCORED), min_size=5,
                                                                         unique=True))
    criteria = tuple(c for c in SCORED if c in chosen)  # a table shows at least 5 criteria, in catalogue order
    shown = criteria or SCORED
    if not any(v is not None for school in scores.values() for kind in school.values()
               for c, v in kind.items() if c in shown):  # a table with no score at all is no table
        scores[schools[0].code][kinds[0]][shown[-1]] = 0.0 if shown[-1] not in MANDATORY else True
    return AssessmentTruth(draw(st.sampled_from(YEARS)), kinds, scores, evidence, criteria)


@st.composite
def task_truths(draw) -> TaskTruth:
    n = draw(st.integers(1, 6))
    texts = draw(st.lists(st.sampled_from(TASK_TEXTS), min_size=n, max_size=n, unique=True))
    tasks = tuple(Task(
        task=text, owner=draw(st.sampled_from(OWNERS + (None,))),
        due=draw(st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))),
        due_as=draw(st.sampled_from(("date", "dmy", "dmy2", "month", "quarter", "year"))),
        status=draw(st.sampled_from(STATUSES + (None,))), percent=draw(st.one_of(percents, st.none())),
        note=draw(st.sampled_from(NOTES + (None,)))) for text in texts)
    optional = draw(subsets(("owner", "due", "note"), 1))  # the sheet is recognised by 3 known columns
    scores = draw(st.sampled_from((("status", "percent"), ("status",), ("percent",))))
    optional = optional if len(optional) + len(scores) >= 2 else optional + ("owner",)
    columns = tuple(c for c in ("task", "owner", "due", "status", "percent", "note")
                    if c == "task" or c in optional or c in scores)
    return TaskTruth(draw(st.integers(2024, 2026)), tasks, columns)


@st.composite
def registry_truths(draw) -> RegistryTruth:
    return RegistryTruth(tuple(draw(st.lists(st.sampled_from(SCHOOLS), min_size=2, max_size=len(SCHOOLS),
                                             unique=True))), draw(st.booleans()))


TRUTHS = {"survey_table": lambda: survey_truths(False), "survey_form": lambda: survey_truths(True),
          "assessment_form": lambda: assessment_truths(True), "assessment_table": lambda: assessment_truths(False),
          "registry": registry_truths, "tasks": task_truths}


@st.composite
def specs(draw, layout: str, formats: tuple = FORMATS, broken: bool = True) -> Spec:
    fmt = draw(st.sampled_from(formats))
    truth = draw(TRUTHS[layout]())
    style = draw(styles(layout))
    mistake = draw(st.sampled_from((None,) * 4 + BROKEN[layout])) if broken else None
    if fmt == "csv_1252":
        style = replace(style, text="nfc")  # the writer types the whole sheet in the legacy font
    if fmt == "csv_1258" and style.text in ("tcvn3", "vni"):
        style = replace(style, text="nfd")  # legacy-font bytes have no place in a cp1258 file
    if mistake == "unknown_code" or not style.name_col:
        style = replace(style, code_col=True)
    if layout == "tasks" and mistake in ("bad_number", "div0") and "percent" not in truth.columns:
        truth = replace(truth, columns=truth.columns + ("percent",))
    if mistake == "no_year" and style.titles == "conghoa_date" and layout == "tasks":
        style = replace(style, titles="conghoa")  # "ngày 15 tháng 12 năm 2024" names a year
    if style.turned:  # a comparison sheet: two schools or more, one label per row, nothing between them
        style = replace(style, turned=len(truth.rows) >= 2, sections=False, subtotals=False, colnums=False, band=1,
                        seq="", hidden_rows=(), split=False)
    if mistake == "bad_level":
        style = replace(style, level_by_section=False)  # the mistake is in the level column
    if style.code_quote and (style.code_number or fmt in ("csv_1252",)):
        style = replace(style, code_quote=False)
    return Spec(layout, fmt, truth, style, mistake, draw(st.integers(0, 9)) if mistake else 0)
