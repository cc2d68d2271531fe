"""Issue 11: intake from the app. A review says what a load would do and writes nothing; a correction (a column
mapped to a field, the year or period set) changes the review at once and can be kept as an import profile that
the next file of the same shape, and the CLI, use; confirm loads exactly what was reviewed; undo puts the previous
warehouse back."""
import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl import intake
from etl.loader import run_load
from tests import fixtures
from tests.conftest import run_cli

SCHOOL_WORDING = {"Số máy tính dạy Tin học": "Máy phục vụ giờ Tin"}  # a school's own label, not in the catalogue


def values(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def computers(db: Path, period: str = "HK1") -> dict:
    return dict(values(db, "SELECT school_code, it_computers FROM survey WHERE period = ? ORDER BY 1", [period]))


def test_a_review_writes_nothing_and_says_what_a_load_would_do(loaded_db, tmp_path):
    before = loaded_db.stat()
    changed = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_lan2.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"]),
        (None, ["40209999", "Tiểu học Không Có", 25, 1000, 38, 3, 25, 0, 0, 600, 15, "", 40, "VnEdu"]),
    ])
    review = intake.review_files([changed], loaded_db)
    assert loaded_db.stat().st_mtime_ns == before.st_mtime_ns and loaded_db.stat().st_ino == before.st_ino
    [file] = review.files
    assert (file.status, file.added, file.replaced, file.refused) == ("partial", 0, 1, 1)
    assert {(c["school_code"], c["field"], c["old"], c["new"]) for c in file.changes} == {
        ("40200001", "Số máy tính dạy Tin học", "20", "24")}
    [change] = file.changes
    assert change["cell"] == "J12"  # the cell the new value comes from
    [refusal] = file.refusals
    assert refusal["cell"] == "B13" and "40209999" in refusal["reason"]
    [sheet] = file.sheets
    assert sheet["layout"] == "survey_table" and sheet["header"].startswith("A8:") and sheet["header_rows"] == (8, 9)
    assert sheet["school_year"] == {"value": "2024-2025", "source": "title", "where": "A5"}
    assert [s["how"] for s in file.schools] == ["code"]


def test_a_mapped_column_loads_and_a_saved_profile_reads_the_next_file_without_asking(loaded_db, tmp_path):
    first = fixtures.write_survey_table(tmp_path / "KS_HK1_2025-2026.xlsx", rename=SCHOOL_WORDING,
                                        title=[t.replace("2024 - 2025", "2025 - 2026") for t in fixtures.TITLE])
    review = intake.review_files([first], loaded_db)
    [sheet] = review.files[0].sheets
    [column] = [c for c in sheet["columns"] if c["label"] == "Máy phục vụ giờ Tin"]
    assert column["key"] is None and column["letter"] == "J"
    assert any("Máy phục vụ giờ Tin" in m["text"] for m in review.files[0].messages)

    corrected = intake.review_files([first], loaded_db, hints={"columns": {sheet["signature"]: {"J": "it_computers"}}})
    [sheet] = corrected.files[0].sheets
    assert next(c for c in sheet["columns"] if c["letter"] == "J")["key"] == "it_computers"
    assert not any("Máy phục vụ giờ Tin" in m["text"] for m in corrected.files[0].messages)
    report = intake.confirm(corrected, loaded_db)
    assert report["load_id"] and values(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001' "
                                                   "AND school_year = '2025-2026'") == [(20,)]

    intake.save_profile(loaded_db, "Biểu của trường", sheet, {"J": "it_computers"})
    [profile] = intake.load_profiles(loaded_db)
    assert profile["labels"]["J"] == "Máy phục vụ giờ Tin" and profile["columns"] == {"J": "it_computers"}
    second = fixtures.write_survey_table(tmp_path / "KS_CN_2025-2026.xlsx", rename=SCHOOL_WORDING,
                                         title=[t.replace("Sơ kết HK I - NH 2024 - 2025", "Tổng kết năm học 2025-2026")
                                                for t in fixtures.TITLE])
    code, cli = run_cli("load", second, "--db", loaded_db, "--json")  # the CLI reads the profiles too
    assert cli["files"][0]["status"] in ("loaded", "partial"), cli
    assert not any("Máy phục vụ giờ Tin" in i["message"] for i in cli["files"][0]["issues"])
    assert values(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40300001' AND period = 'CN'") == \
        [(36,)]


def test_a_period_set_in_the_review_is_used(loaded_db, tmp_path):
    untitled = fixtures.write_survey_table(tmp_path / "bao_cao.xlsx", title=["BIỂU TỔNG HỢP", "Dữ liệu giả lập"])
    review = intake.review_files([untitled], loaded_db)
    assert review.files[0].status == "rejected"
    assert any(m["text"].startswith("không xác định được năm học") for m in review.files[0].messages)
    sha = review.files[0].sha
    fixed = intake.review_files([untitled], loaded_db, hints={"files": {sha: {"school_year": "2025-2026",
                                                                              "period": "CN"}}})
    assert fixed.files[0].status in ("loaded", "partial") and fixed.files[0].periods == ["2025-2026 CN"]
    assert fixed.files[0].sheets[0]["period"] == {"value": "CN", "source": "correction", "where": None}


def test_confirm_refuses_a_review_the_warehouse_has_moved_past(loaded_db, tmp_path):
    one = fixtures.write_survey_table(tmp_path / "KS_CN_2024-2025.xlsx", title=[
        t.replace("Sơ kết HK I", "Tổng kết năm") for t in fixtures.TITLE])
    review = intake.review_files([one], loaded_db)
    other = fixtures.write_assessment_form(tmp_path / "TDG_4725.xlsx")
    run_load([other], loaded_db)  # someone else loads in between
    with pytest.raises(intake.IntakeError, match="đã thay đổi từ lúc xem trước"):
        intake.confirm(review, loaded_db)
    assert values(loaded_db, "SELECT count(*) FROM survey WHERE period = 'CN'") == [(0,)]


def test_undo_puts_the_previous_warehouse_back_and_is_recorded(loaded_db, tmp_path, monkeypatch):
    before = computers(loaded_db)
    changed = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_sua.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"])])
    report = run_load([changed], loaded_db, command="thử")
    assert computers(loaded_db)["40200001"] == 24
    last = intake.list_versions(loaded_db)[0]
    assert last["load_id"] == report["load_id"] and last["files"] == ["KS_HK1_2024-2025_sua.xlsx"]
    undone = intake.undo_last_load(loaded_db)
    assert undone["load_id"] == report["load_id"]
    assert computers(loaded_db) == before
    assert values(loaded_db, "SELECT undone_load_id, files FROM undo_log") == [
        (report["load_id"], "KS_HK1_2024-2025_sua.xlsx")]
    assert all(v["load_id"] != report["load_id"] for v in intake.list_versions(loaded_db))

    from etl.settings import load_settings
    monkeypatch.setitem(load_settings(), "keep_versions", 2)
    for n in range(3):
        run_load([fixtures.write_assessment_form(tmp_path / f"TDG_{n}.xlsx", scores={"1.3.1": n})], loaded_db)
    assert len(intake.list_versions(loaded_db)) == 2
    assert len(list((loaded_db.parent / "versions").glob("*.duckdb"))) == 2


def test_uploads_are_saved_safely_and_limits_are_said(tmp_path):
    good = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025.xlsx").read_bytes()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("Phong GD/TH Le Loi/KS_HK1.xlsx", good)
        archive.writestr("../../thoat_ra_ngoai.xlsx", good)
        archive.writestr("ghi_chu.txt", b"not a spreadsheet")
        archive.writestr("__MACOSX/._KS_HK1.xlsx", b"junk")
    folder = tmp_path / "inbox"
    folder.mkdir()
    saved, problems = intake.save_uploads([("nop_bao_cao.zip", packed.getvalue()), ("lon.xlsx", b"x" * 3_000_000),
                                           ("hong.zip", b"PK not really")], folder, max_file_mb=2)
    assert sorted(p.relative_to(folder).as_posix() for p in saved) == ["Phong GD/TH Le Loi/KS_HK1.xlsx",
                                                                       "thoat_ra_ngoai.xlsx"]
    assert all(folder in p.parents for p in saved)
    assert any("ghi_chu.txt" in p and "không phải tệp bảng tính" in p for p in problems)
    assert any(p.startswith("lon.xlsx") and "vượt giới hạn 2 MB" in p for p in problems)
    assert any(p.startswith("hong.zip") and "bị hỏng" in p for p in problems)


def test_the_report_workbook_has_a_sheet_per_school(loaded_db, tmp_path):
    from dashboard.intake import report_workbook

    bad = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_b.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, "nhiều", 45, 3, 30, 1, 20, 720, 18, "x", 90, "VnEdu"]),
        (None, ["40200002", "Tiểu học Hưng Dũng 1", 25, 1000, 38, 3, 25, 0, 0, 600, 15, "", 140, "VnEdu"])])
    report = run_load([bad], loaded_db, force=True)
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(report)))
    assert book.sheetnames[0] == "Tổng hợp" and {"40200001", "40200002"} <= set(book.sheetnames)
    rows = list(book["40200001"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Mức độ", "Tệp", "Trang", "Ô", "Nội dung")
    assert any(r[3] == "E12" and "nhiều" in r[4] for r in rows[1:])


def test_a_school_not_in_the_registry_is_suggested_never_matched_and_can_be_chosen(loaded_db, tmp_path):
    typo = fixtures.write_survey_table(tmp_path / "KS_CN_2024-2025.xlsx", title=[
        t.replace("Sơ kết HK I", "Tổng kết năm") for t in fixtures.TITLE], rows=[
        ("II. TIỂU HỌC", None),
        (None, ["", "Tiểu học Lê Lọj", 30, 1200, 45, 3, 30, 1, 26, 720, 18, "x", 90, "VnEdu"])])
    review = intake.review_files([typo], loaded_db)
    [refusal] = review.files[0].refusals
    assert refusal["cell"] == "C12" and refusal["written"] == "Tiểu học Lê Lọj"
    assert refusal["suggestions"][0]["school_code"] == "40200001"  # offered first
    assert review.files[0].added == 0  # and not matched on its own
    hints = {"files": {review.files[0].sha: {"schools": {refusal["row_key"]: "40200001"}}}}
    chosen = intake.review_files([typo], loaded_db, hints=hints)
    assert (chosen.files[0].added, chosen.files[0].refused) == (1, 0)
    intake.confirm(chosen, loaded_db)
    assert values(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001' AND period = 'CN'") == \
        [(26,)]


def test_a_sheet_not_recognised_is_read_from_the_header_rows_and_columns_the_analyst_sets(loaded_db, tmp_path):
    import xlsxwriter

    path = tmp_path / "bao_cao_HK1_2024-2025.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Số liệu")
    sheet.write_row(0, 0, ["Báo cáo của trường"])
    sheet.write_row(2, 0, ["Mã trường", "C1", "C2", "C3", "C4", "C5"])
    sheet.write_row(3, 0, ["40200001", 30, 1200, 45, 3, 30])
    book.close()
    review = intake.review_files([path], loaded_db)
    [sheet_record] = review.files[0].sheets
    assert sheet_record["layout"] is None and sheet_record["preview"][2][:2] == ["Mã trường", "C1"]
    assert review.files[0].status == "rejected"

    sha = review.files[0].sha
    hints = {"files": {sha: {"headers": {"Số liệu": [3, 3]}, "layouts": {"Số liệu": "survey_table"}}}}
    banded = intake.review_files([path], loaded_db, hints=hints)
    [sheet_record] = banded.files[0].sheets
    assert sheet_record["header_rows"] == (3, 3) and [c["key"] for c in sheet_record["columns"]][:2] == [
        "school_code", None]
    mapping = dict(zip("BCDEF", ["classes", "students", "teachers", "managers", "classrooms"]))
    hints["columns"] = {sheet_record["signature"]: mapping}
    mapped = intake.review_files([path], loaded_db, hints=hints)
    assert mapped.files[0].status == "loaded" and mapped.files[0].replaced == 1, mapped.files[0].messages
    intake.confirm(mapped, loaded_db)
    assert values(loaded_db, "SELECT classes, students, managers FROM survey WHERE school_code = '40200001'") == [
        (30, 1200, 3)]


def test_the_sheet_preview_marks_the_header_and_the_problem_cells():
    from dashboard.intake import preview_styler

    sheet = {"sheet": "S", "header_rows": (2, 2), "preview": [["Tiêu đề"], ["Mã", "Lớp"], ["1", "x"]]}
    styled = preview_styler(sheet, [{"severity": "error", "sheet": "S", "cell": "B3", "text": "x"},
                                    {"severity": "warning", "sheet": "Khác", "cell": "A1", "text": "y"}])
    styled._compute()
    colour = {cell: dict(props).get("background-color") for cell, props in styled.ctx.items()}
    assert colour == {(1, 0): "#dbe9f8", (1, 1): "#dbe9f8", (2, 1): "#f8c9c4"}  # 0-based: row 2 is the header


def test_a_profile_reads_the_next_file_of_a_layout_the_loader_does_not_know(loaded_db, tmp_path):
    import xlsxwriter

    def write(path, values):
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Số liệu")
        sheet.write_row(0, 0, ["Báo cáo của trường"])
        sheet.write_row(2, 0, ["Mã trường", "C1", "C2", "C3", "C4", "C5"])
        sheet.write_row(3, 0, values)
        book.close()
        return path

    first = write(tmp_path / "bao_cao_HK1_2024-2025.xlsx", ["40200001", 30, 1200, 45, 3, 30])
    sha = intake.review_files([first], loaded_db).files[0].sha
    hints = {"files": {sha: {"headers": {"Số liệu": [3, 3]}, "layouts": {"Số liệu": "survey_table"}}}}
    [sheet] = intake.review_files([first], loaded_db, hints=hints).files[0].sheets
    mapping = dict(zip("BCDEF", ["classes", "students", "teachers", "managers", "classrooms"]))
    intake.save_profile(loaded_db, "Báo cáo riêng của trường", sheet, mapping)
    second = write(tmp_path / "bao_cao_CN_2024-2025.xlsx", ["40200001", 31, 1210, 46, 3, 31])
    report = run_load([second], loaded_db)  # no correction at all: the profile knows the header rows and columns
    assert report["files"][0]["status"] == "loaded", report["files"][0]["issues"]
    assert values(loaded_db, "SELECT classes, students FROM survey WHERE school_code = '40200001' AND period = 'CN'") \
        == [(31, 1210)]


def test_undo_never_puts_back_another_warehouse_of_the_same_folder(tmp_path):
    """Found in a user trial: the versions kept for undo share a folder with every warehouse beside them; undoing in
    one must not restore a state kept for another."""
    from etl.intake import IntakeError, list_versions, undo_last_load

    registry = fixtures.write_registry(tmp_path / "danh_muc.csv")
    first, second = tmp_path / "x.duckdb", tmp_path / "y.duckdb"
    for db in (first, second):
        assert run_cli("registry", registry, "--db", db)[0] == 0
    survey = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025.xlsx")
    assert run_cli("load", survey, "--db", second)[0] in (0, 1)
    assert list_versions(first) == [] and len(list_versions(second)) == 1
    with pytest.raises(IntakeError):
        undo_last_load(first)


def test_a_second_save_of_a_profile_never_empties_it_and_nothing_to_keep_is_refused(loaded_db, tmp_path):
    """Issue 21: the second click on «Lưu mẫu» came from a review already read with the profile (no column left to
    correct) and saved a profile that changed no column, in place of the first."""
    first = fixtures.write_survey_table(tmp_path / "KS_HK1_2025-2026.xlsx", rename=SCHOOL_WORDING,
                                        title=[t.replace("2024 - 2025", "2025 - 2026") for t in fixtures.TITLE])
    [sheet] = intake.review_files([first], loaded_db).files[0].sheets
    intake.save_profile(loaded_db, "Biểu của trường", sheet, {"J": "it_computers"})
    [sheet] = intake.review_files([first], loaded_db).files[0].sheets  # read with the profile: nothing to correct
    assert next(c for c in sheet["columns"] if c["letter"] == "J")["key"] == "it_computers"
    intake.save_profile(loaded_db, "Biểu của trường", sheet, {})  # the second click
    [profile] = intake.load_profiles(loaded_db)
    assert profile["columns"] == {"J": "it_computers"}
    intake.save_profile(loaded_db, "Biểu của trường (sửa)", sheet, {"K": "it_students"})  # more: added, renamed
    [profile] = intake.load_profiles(loaded_db)
    assert profile["name"] == "Biểu của trường (sửa)"
    assert profile["columns"] == {"J": "it_computers", "K": "it_students"}
    intake.update_profile(loaded_db, profile["name"], {})  # an edit that shows no column changes none
    assert intake.load_profiles(loaded_db)[0]["columns"] == {"J": "it_computers", "K": "it_students"}

    plain = fixtures.write_survey_table(tmp_path / "KS_HK1_2025-2026_b.xlsx",  # read as it is: nothing to keep
                                        title=[t.replace("2024 - 2025", "2025 - 2026") for t in fixtures.TITLE])
    [other] = intake.review_files([plain], loaded_db).files[0].sheets
    with pytest.raises(intake.IntakeError, match="không có gì để lưu"):
        intake.save_profile(loaded_db, "Biểu thường", other, {})
    with pytest.raises(intake.IntakeError, match="cho một dạng biểu khác"):  # a name taken by another shape
        intake.save_profile(loaded_db, "Biểu của trường (sửa)", other, {"J": "it_rooms"})
    assert [p["name"] for p in intake.load_profiles(loaded_db)] == ["Biểu của trường (sửa)"]


def test_a_profile_keeps_the_year_and_period_chosen_in_the_review(loaded_db, tmp_path):
    """Issue 21: a file that says neither its year nor its period is refused until they are chosen; a profile saved
    from that review keeps them, so the next file of the same shape is read with them (unless it says its own)."""
    from dashboard.intake import sheet_summary

    untitled = fixtures.write_survey_table(tmp_path / "bao_cao.xlsx", title=["BIỂU TỔNG HỢP", "Dữ liệu giả lập"],
                                           rename=SCHOOL_WORDING)
    review = intake.review_files([untitled], loaded_db)
    assert review.files[0].status == "rejected"
    sha = review.files[0].sha
    chosen = {"school_year": "2025-2026", "period": "CN"}
    fixed = intake.review_files([untitled], loaded_db, hints={"files": {sha: chosen}})
    [sheet] = fixed.files[0].sheets
    intake.save_profile(loaded_db, "Báo cáo không ghi kỳ", sheet, {"J": "it_computers"}, context=chosen)
    [profile] = intake.load_profiles(loaded_db)
    assert profile["context"] == chosen

    later = fixtures.write_survey_table(tmp_path / "bao_cao_lan_sau.xlsx", title=["BIỂU TỔNG HỢP", "Số liệu mới"],
                                        rename=SCHOOL_WORDING)
    [file] = intake.review_files([later], loaded_db).files  # no choice made: the profile's
    assert file.status in ("loaded", "partial") and file.periods == ["2025-2026 CN"], file.messages
    assert file.sheets[0]["period"] == {"value": "CN", "source": "profile", "where": None}
    assert "năm học 2025-2026 (theo mẫu nhập đã lưu); kỳ báo cáo Cả năm (theo mẫu nhập đã lưu)" in \
        sheet_summary(file.sheets[0])
    [file] = intake.review_files([later], loaded_db, hints={"files": {file.sha: {"period": "HK1"}}}).files
    assert file.periods == ["2025-2026 HK1"]  # a choice in this review still wins
    dated = fixtures.write_survey_table(tmp_path / "bao_cao_co_ky.xlsx", rename=SCHOOL_WORDING, title=[
        "BIỂU TỔNG HỢP", "Sơ kết học kỳ I năm học 2026-2027"])
    [file] = intake.review_files([dated], loaded_db).files  # a file that says its own: its own
    assert file.periods == ["2026-2027 HK1"]
    report = run_load([later], loaded_db)  # the CLI reads the profile's year and period too
    assert report["files"][0]["periods"] == ["2025-2026 CN"]
    assert values(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40300001' AND period = 'CN' AND "
                             "school_year = '2025-2026'") == [(36,)]
