"""Issue 11: the templates sent to schools load back exactly; a template sent back blank is said once as 'chưa
điền', not as an error per cell; the data validation and the locked header are really in the file."""
import io
import zipfile

import openpyxl
import pytest

from etl import templates
from etl.loader import run_load
from etl.reference import LEVEL_NAMES, load_catalogue
from tests import fixtures
from tests.conftest import run_cli
from tests.pages import sql


@pytest.fixture
def registry_db(tmp_path):
    """A warehouse with the fixture registry and nothing loaded yet (no earlier period to compare with)."""
    db = tmp_path / "wh.duckdb"
    assert run_cli("registry", fixtures.write_registry(tmp_path / "danh_muc.csv"), "--db", db)[0] == 0
    return db


@pytest.fixture
def registry(registry_db):
    return [dict(zip(("school_code", "school_name", "level", "ward_old"), row))
            for row in sql(registry_db, "SELECT school_code, school_name, level, ward_old FROM schools")]


def filled_value(field, n: int):
    """A valid answer for a field, different per school and field."""
    if field.type == "bool":
        return "Có" if n % 2 else "Không"
    if field.type == "percent":
        return 40 + n % 50
    if field.type == "number":
        return 50.5 + n
    if field.type == "text":
        return f"Phần mềm {n}"
    return 10 + n % 7


def fill(content: bytes, path, catalogue) -> dict:
    """Fill every data cell of every level sheet the way a school would (openpyxl, like Excel keeps validations);
    returns {(code, field): value}."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    written = {}
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[templates.DATA_START_ROW]]
        codes = {catalogue.fields[k].label_vi: k for k in catalogue.fields}
        for row in sheet.iter_rows(min_row=templates.DATA_START_ROW + 1):
            school = row[0].value
            for cell, label in zip(row, header):
                key = codes[label]
                if key in templates.IDENTITY:
                    continue
                field = catalogue.fields[key]
                n = len(written)
                value = filled_value(field, n)
                if key == "students":
                    value = 300 + n  # plausible: 20-40 pupils a class with the classes below
                if key == "classes":
                    value = 12
                if key in ("it_students", "students_with_id"):
                    value = 200
                if key == "it_classes":
                    value = 8
                if key in ("teachers", "teachers_with_id", "teachers_trained", "teachers_making_materials"):
                    value = 20
                if key in ("managers", "managers_with_esign"):
                    value = 3
                if key in ("classrooms", "rooms_projector_internet"):
                    value = 12
                if key == "it_rooms":
                    value = 1
                if key == "it_computers":
                    value = 30
                cell.value = value
                written[(school, key)] = value
    book.save(path)
    return written


def test_a_filled_template_loads_value_for_value_with_no_message(registry_db, registry, tmp_path):
    catalogue = load_catalogue()
    content = templates.survey_workbook(catalogue, registry, "2025-2026", "HK1", "Phòng GD&ĐT thử")
    path = tmp_path / templates.survey_file_name("2025-2026", "HK1")
    written = fill(content, path, catalogue)
    report = run_load([path], registry_db)
    [file] = report["files"]
    assert [(i["severity"], i["message"]) for i in file["issues"] if i["severity"] != "info"] == []
    assert file["status"] == "loaded" and file["rows_loaded"] == len(registry)
    keys = sorted({k for _, k in written})
    stored = sql(registry_db, f"SELECT school_code, {', '.join(keys)} FROM survey WHERE school_year = '2025-2026' "
                            "AND period = 'HK1'")
    found = {(row[0], k): v for row in stored for k, v in zip(keys, row[1:]) if (row[0], k) in written}
    expected = {key: (value == "Có") if isinstance(value, str) and value in ("Có", "Không") else value
                for key, value in written.items()}
    assert found == expected


def test_a_blank_template_is_said_once_as_not_filled(registry_db, registry, tmp_path):
    path = tmp_path / "Bieu_CDS_HK1_2025-2026.xlsx"
    path.write_bytes(templates.survey_workbook(load_catalogue(), registry, "2025-2026", "HK1", "Phòng thử"))
    report = run_load([path], registry_db)
    [file] = report["files"]
    issues = [(i["severity"], i["code"]) for i in file["issues"] if i["severity"] != "info"]
    assert issues and set(issues) == {("warning", "not_filled")}  # one per level sheet, no error per cell
    assert len(issues) == len({s["level"] for s in registry})
    assert any("chưa điền" in i["message"] for i in file["issues"])
    assert file["rows_loaded"] == 0


def test_the_template_is_locked_validated_and_has_instructions(registry):
    catalogue = load_catalogue()
    book = openpyxl.load_workbook(io.BytesIO(templates.survey_workbook(catalogue, registry, "2025-2026", "CN",
                                                                        "Phòng thử")))
    assert book.sheetnames[0] == "Hướng dẫn" and "HƯỚNG DẪN ĐIỀN BIỂU" in book["Hướng dẫn"]["A3"].value
    sheet = book[LEVEL_NAMES["TH"]]
    assert sheet.protection.sheet and sheet["A3"].value.startswith("Cả năm, năm học 2025-2026")
    header = [c.value for c in sheet[templates.DATA_START_ROW]]
    assert sheet.cell(templates.DATA_START_ROW, 1).protection.locked
    first = templates.DATA_START_ROW + 1
    assert not sheet.cell(first, header.index("Số lớp") + 1).protection.locked
    rules = {(v.type, v.operator or "between", v.formula1, v.formula2)  # "between" is the default, not written
             for v in sheet.data_validations.dataValidation}
    assert ("whole", "greaterThanOrEqual", "0", None) in rules
    assert ("list", "between", '"Có,Không"', None) in rules
    assert ("decimal", "between", "0", "100") in rules
    assert "Số phòng máy tính" in header and "Số phòng máy tính" not in [
        c.value for c in book[LEVEL_NAMES["MN"]][templates.DATA_START_ROW]]  # applies to TH and THCS only


def test_per_school_templates_and_the_4725_form_load_back(registry_db, registry, tmp_path):
    catalogue = load_catalogue()
    packed = templates.per_school_zip(catalogue, registry, "2025-2026", "HK1", "Phòng thử")
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        names = archive.namelist()
        school = next(s for s in registry if s["level"] == "THCS")
        form = next(n for n in names if n.endswith(f"TDG_4725_{school['school_code']}_2025-2026.xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(archive.read(form)))
    assert len([n for n in names if "/Bieu_CDS_" in n]) == len(registry)
    sheet = book.active
    scored = 0
    for row in sheet.iter_rows(min_row=8):
        maximum = row[2].value
        if maximum == "Đạt/Chưa đạt":
            row[3].value = "Đạt"
        elif isinstance(maximum, (int, float)):
            row[3].value = maximum / 2
            scored += 1
    path = tmp_path / "TDG_4725.xlsx"
    book.save(path)
    report = run_load([path], registry_db)
    [file] = report["files"]
    assert file["status"] == "loaded", file["issues"]
    assert [i for i in file["issues"] if i["severity"] == "error"] == []
    total = sql(registry_db, "SELECT count(*), sum(score) FROM assessment_scores WHERE school_code = ? AND "
                           "school_year = '2025-2026' AND kind = 'self' AND score IS NOT NULL", [school["school_code"]])
    expected = sum(c["max_points"] / 2 for c in catalogue.criteria
                   if not c["mandatory"] and catalogue.criterion(c["code"]) is not None)
    assert total[0][0] == scored and total[0][1] == pytest.approx(expected)


def test_the_4725_table_of_many_schools_loads_back(registry_db, registry, tmp_path):
    catalogue = load_catalogue()
    book = openpyxl.load_workbook(io.BytesIO(templates.assessment_table_workbook(catalogue, registry, "2025-2026",
                                                                                 "Phòng thử")))
    sheet = book["Tự đánh giá 4725"]
    header = [c.value for c in sheet[templates.DATA_START_ROW]]
    maximum = {c["code"]: c for c in catalogue.criteria}
    schools = []
    for n, row in enumerate(sheet.iter_rows(min_row=templates.DATA_START_ROW + 1)):
        schools.append(row[0].value)
        for cell, code in zip(row[2:], header[2:]):
            cell.value = "Đạt" if maximum[code]["mandatory"] else min(maximum[code]["max_points"], 1 + n % 2)
    path = tmp_path / templates.assessment_table_file_name("2025-2026")
    book.save(path)
    report = run_load([path], registry_db)
    [file] = report["files"]
    assert [i for i in file["issues"] if i["severity"] != "info"] == [] and file["status"] == "loaded"
    assert sorted(schools) == sorted(s["school_code"] for s in registry if s["level"] != "MN")
    stored = sql(registry_db, "SELECT count(DISTINCT school_code), count(*) FILTER (met) FROM assessment_scores "
                              "WHERE kind = 'self' AND school_year = '2025-2026'")
    mandatory = sum(1 for c in catalogue.criteria if c["mandatory"] and catalogue.criterion(c["code"]))
    assert stored == [(len(schools), len(schools) * mandatory)]


def test_the_template_says_ca_nam_and_its_instructions_sheet_is_said_as_such(registry_db, registry, tmp_path):
    """Issue 21: one name per period (the template said "Cuối năm", the app "Cả năm"); the instructions sheet of a
    template the app made is said as what it is, never "None", never "not recognised", and no code name is shown."""
    from dashboard.intake import review_table, sheet_summary
    from etl import intake

    catalogue = load_catalogue()
    content = templates.survey_workbook(catalogue, registry, "2025-2026", "CN", "Phòng thử")
    texts = [c for sheet in openpyxl.load_workbook(io.BytesIO(content)) for row in sheet.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any("Cả năm, năm học 2025-2026" in t for t in texts) and not any("Cuối năm" in t for t in texts)
    path = tmp_path / templates.survey_file_name("2025-2026", "CN")
    fill(content, path, catalogue)
    [reviewed] = intake.review_files([path], registry_db).files
    assert reviewed.periods == ["2025-2026 CN"] and reviewed.status == "loaded"
    said = [sheet_summary(s) for s in reviewed.sheets]
    assert said[0] == "Trang «Hướng dẫn»: hướng dẫn hoặc danh sách chọn của biểu mẫu, không có số liệu để nạp."
    assert all("kỳ báo cáo Cả năm (đọc từ tiêu đề, ô A3)" in s for s in said[1:]), said
    assert not [s for s in said if "None" in s or " CN" in s or "nhận ra bảng" in s], said
    assert not [m for m in reviewed.messages if m["sheet"] == "Hướng dẫn"], reviewed.messages
    assert review_table(intake.review_files([path], registry_db)).loc[0, "Kỳ"] == "Cả năm 2025-2026"


@pytest.mark.parametrize("title, period", [
    ("Tổng kết năm học 2025-2026", "CN"), ("Tổng kết năm - năm học 2025-2026", "CN"),
    ("Cuối năm, năm học 2025-2026", "CN"), ("Số liệu cuối năm học 2025 - 2026", "CN"),
    ("Cả năm, năm học 2025-2026", "CN"), ("Học kỳ 1 năm học 2025-2026", "HK1"), ("HKI năm học 2025-2026", "HK1"),
    ("HK1 - NH 2025-2026", "HK1"), ("Sơ kết học kỳ I năm học 2025-2026", "HK1")])
def test_a_file_naming_its_period_another_way_loads_as_that_period(registry_db, tmp_path, title, period):
    """The reader takes the other names of a period ("Tổng kết năm", "Cuối năm", "HKI", "Học kỳ 1"...), though
    the app and its templates say only "Học kỳ I" and "Cả năm"."""
    path = fixtures.write_survey_table(tmp_path / "khao_sat.xlsx", title=[
        t.replace("Sơ kết HK I - NH 2024 - 2025", title) for t in fixtures.TITLE])
    [file] = run_load([path], registry_db)["files"]
    assert file["status"] in ("loaded", "partial") and file["periods"] == [f"2025-2026 {period}"], file["issues"]
    assert {p for (p,) in sql(registry_db, "SELECT DISTINCT period FROM survey")} == {period}
