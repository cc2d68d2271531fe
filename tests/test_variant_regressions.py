"""Shrunk failing cases found by tests/test_variants.py, kept as plain tests. Each builds the same file from the same
parameters. `xfail(strict=True)` marks a loader bug: the test flips to a failure once the loader is fixed, so the
mark must then be removed."""
from dataclasses import replace

import pytest

from tests.variants.check import check
from tests.variants.model import BY_CODE as S
from tests.variants.model import AssessmentTruth, RegistryTruth, Spec, Style, SurveyTruth, Task, TaskTruth
from tests.variants.strategies import SCORED


def bug(reason: str):
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"loader bug: {reason}")


SMALL = {"classes": 5, "students": 50, "teachers": 5, "managers": 1, "classrooms": 5}
TASK = Task(task="Triển khai sổ điểm điện tử ở tất cả các trường", owner="Tổ CNTT", status="Hoàn thành", percent=0.0,
            note="Đã triển khai 20/24 trường")
TASKS = TaskTruth(year=2024, tasks=(TASK,), columns=("task", "owner", "status", "percent"))
PLAIN = Style(blank_after_title=False, name_col=False)


def scores(**values) -> dict:
    """Every criterion blank except those given as c_1_3_1=6.0."""
    given = {k.removeprefix("c_").replace("_", "."): v for k, v in values.items()}
    return {c: given.get(c) for c in SCORED}


def survey(fmt: str, style: Style, rows=None, **kw) -> Spec:
    return Spec("survey_table", fmt, SurveyTruth("2024-2025", "HK1", rows or {"40100001": dict(SMALL)}), style, **kw)


def test_plain_xlsx_table_loads():
    """The simplest file of each writer: proves the harness itself reads what it wrote."""
    for fmt in ("xlsx_xw", "xlsx_opx", "xlsx_ns", "xls"):
        check(survey(fmt, PLAIN))


@pytest.mark.parametrize("fmt", ["csv_utf8", "csv_bom"])
def test_csv_first_data_row_is_data(fmt):
    """Was: the first data row right under a one-row CSV header went into the header band (no_rows)."""
    check(survey(fmt, PLAIN))


@pytest.mark.parametrize("fmt", ["xlsx_xw", "xls"])
def test_three_row_band_with_one_group(fmt):
    """Was a loader bug, now fixed: 3-row header band whose middle row is one merged group cell ('Quy mô' over all
    field columns) is taken for a title line: identity columns are lost and the label row is read as data."""
    check(survey(fmt, Style(period_at=("column",), blank_after_title=False, band=3, name_col=False)))


def test_period_so_ket_in_file_name():
    """Was a loader bug, now fixed: period in the file name written without diacritics ('..._So_ket_...',
    '..._Tong_ket_...') is not recognised."""
    check(Spec("survey_form", "xlsx_xw", SurveyTruth("2024-2025", "HK1", {"40100001": {**SMALL, "it_rooms": None}}),
               Style(period_text=2, blank_after_title=False, name_col=False)))


def test_form_csv_note_column():
    """Was a loader bug, now fixed: per-school form in CSV with a 'Ghi chú' column: the notes column is taken for the
    values column."""
    check(Spec("survey_form", "csv_bom", SurveyTruth("2024-2025", "HK1", {"40100001": {**SMALL, "it_rooms": None}}),
               Style(blank_after_title=False, name_col=False, ints="unit", note_col=True)))


def test_vni_qd_so():
    """Was a loader bug, now fixed: VNI 'QÑ soá 12/QÑ-THCS' (QĐ số 12/QĐ-THCS) in an evidence cell is decoded wrongly:
    'Qẹ soỏ 12/Qẹ-THCS'."""
    truth = AssessmentTruth("2024-2025", ("self",), {"40200001": {"self": scores(c_2_5=0.0)}},
                            {"40200001": {c: "QĐ số 12/QĐ-THCS" for c in SCORED}})
    check(Spec("assessment_form", "xlsx_xw", truth, Style(blank_after_title=False, name_col=False, text="vni")))


def csv_4725_table(kinds) -> Spec:
    truth = AssessmentTruth("2024-2025", kinds, {"40200001": {k: scores() for k in kinds},
                                                 "40200002": {k: scores(c_2_5=0.0) for k in kinds}})
    return Spec("assessment_table", "csv_utf8", truth, Style(blank_after_title=False, name_col=False, kind_at="group"))


def test_csv_4725_table_with_a_group_cell():
    """Was: no_header (numbers typed as text in a CSV were taken for header cells)."""
    check(csv_4725_table(("self",)))


def test_csv_4725_table_with_two_group_cells():
    """Was a loader bug, now fixed: 4725 table in CSV with self and verified scores side by side: the group cells 'Điểm
    tự đánh giá' / 'Điểm thẩm định' stand over the first column of their group only (a CSV keeps no merge), so the
    file is refused as ambiguous_columns."""
    check(csv_4725_table(("self", "verified")))


def test_csv_criterion_codes_with_decimal_comma():
    """Was a loader bug, now fixed: 4725 table in a Vietnamese-locale CSV: criterion codes typed as numbers are saved
    as '1,2' and not recognised."""
    truth = AssessmentTruth("2024-2025", ("self",), {"40200002": {"self": scores(c_1_2=True, c_2_4_3=0.0)}},
                            criteria=("1.1", "1.2", "1.3.1", "1.3.3", "1.3.5", "1.4", "1.5.1", "1.6.2", "2.4.3"))
    check(Spec("assessment_table", "csv_1258", truth, Style(year_at=("file", "title"), blank_after_title=False,
                                                            code_number=True, name_col=False)))


def test_registry_section_rows():
    """Was a loader bug, now fixed: registry with section rows ('I. MẦM NON'): the section row is read as a school
    without a name."""
    truth = RegistryTruth((S["40100001"], S["40100002"]), wards_new=False)
    check(Spec("registry", "xlsx_xw", truth, Style(blank_after_title=False, sections=True, name_col=False)))


def test_registry_lines_under_the_table():
    """A known bug when this generator was written; passes since the loader fix."""
    truth = RegistryTruth((S["40100001"], S["40200001"]), wards_new=False)
    check(Spec("registry", "xlsx_xw", truth, Style(blank_after_title=False, footer=("total", "note", "signature"))))


def test_task_sheet_total_line():
    """Was a loader bug, now fixed: task sheet: a total line under the table ('Tổng số: 1 nhiệm vụ', 'Tổng cộng') is
    loaded as a task."""
    check(Spec("tasks", "xlsx_xw", TASKS, Style(blank_after_title=False, footer=("total",), name_col=False)))


def test_task_sheet_plan_year_under_a_dated_heading():
    """Was a loader bug, now fixed: task sheet: the plan year is taken from the place-and-date line above the table
    ('Vinh, ngày 15 tháng 12 năm 2024') instead of the title's 'NĂM 2025'."""
    truth = TaskTruth(2025, (TASK,), ("task", "owner", "status", "percent"))
    check(Spec("tasks", "xlsx_xw", truth, Style(titles="conghoa_date", year_at=("title",), blank_after_title=False)))


def test_task_sheet_error_cell():
    """Was a loader bug, now fixed: task sheet: an Excel error (#DIV/0!) in the percent column is silently read as
    blank, not refused."""
    check(Spec("tasks", "xlsx_xw", TASKS, PLAIN, broken="div0"))


def test_form_values_with_units_beside_a_note_column():
    """Was a loader bug, now fixed (found by make fuzz): form values written with their unit ("50 người") lost to
    the notes column, because the numbering-stripped label key of "5 lớp" is the unit word alone."""
    check(Spec("survey_form", "xlsx_xw", SurveyTruth("2024-2025", "HK1", {"40100001": {**SMALL, "it_rooms": None}}),
               Style(blank_after_title=False, code_col=False, ints="unit", note_col=True)))


@pytest.mark.parametrize("percent", [10.5, 1.5])
def test_task_percent_as_a_fraction_with_a_decimal_point(percent):
    """Was a loader bug, now fixed (found by make fuzz): "0.105" in a CSV was read with the dot as a thousands
    separator (105%), so a task sheet of fractions was refused or read ten times too high."""
    truth = TaskTruth(2024, (replace(TASK, percent=percent),), ("task", "owner", "status", "percent"))
    check(Spec("tasks", "csv_utf8", truth, Style(percent="frac_number", delimiter=",")))


@pytest.mark.parametrize("columns", [("task", "owner", "due", "percent"), ("task", "owner", "status", "percent")])
def test_unicode_task_header_over_vni_rows(columns):
    """Was a loader bug, now fixed (found by make fuzz): rows typed in VNI made the sheet's font decide every
    Latin-1 cell, so the Unicode header "% hoàn thành" (where "oà" looks like VNI) became "% hồn thành"."""
    truth = TaskTruth(2024, (TASK, replace(TASK, task="Tập huấn kỹ năng số cho giáo viên")), columns)
    check(Spec("tasks", "xlsx_xw", truth, Style(order=1, text="vni", short_labels=True)))


def test_4725_table_whose_only_score_is_zero_under_a_group_band():
    """Was a loader bug, now fixed (found by make fuzz): criterion codes "1.1", "1.2" typed as text under a "Nhóm 1"
    group cell were taken for numbers, so the header band stopped above them and the table was not recognised."""
    truth = AssessmentTruth("2024-2025", ("self",), {"40200001": {"self": scores(c_1_3_3=0.0)}},
                            criteria=("1.1", "1.2", "1.3.1", "1.3.2", "1.3.3"))
    check(Spec("assessment_table", "xlsx_xw", truth, Style(year_at=("column",), blank_after_title=False, band=2,
                                                           subtotals=True)))


def test_period_column_reading_tong_ket_first():
    """Was a loader bug, now fixed (found by make fuzz): a school's row whose first cell is its period, "Tổng kết",
    was skipped as a total line ("Tổng ..."); a row that names a school is a school's row."""
    rows = {"40100001": {**SMALL, "it_rooms": None, "it_computers": None, "it_students": None, "it_classes": None}}
    check(Spec("survey_table", "xlsx_xw", SurveyTruth("2024-2025", "CN", rows),
               Style(period_at=("file", "title", "column"), period_text=1, blank_after_title=False, band=2, order=1,
                     code_col=False)))


def test_task_percent_fractions_typed_as_text():
    """Was a loader bug, now fixed (found by make fuzz): a CSV column of fractions "0,01" and "1" read 1 as 1%, not
    100%: numbers typed as text now count when a percent column is told to hold fractions, as number cells do."""
    tasks = (replace(TASK, percent=1.0), replace(TASK, task="Tập huấn kỹ năng số cho giáo viên", percent=100.0))
    check(Spec("tasks", "csv_utf8", TaskTruth(2024, tasks, ("task", "owner", "status", "percent")),
               Style(blank_after_title=False, name_col=False, percent="frac_number")))
