"""Issue 11: who has submitted, approval and return, the lock of a period (and undo keeps what was decided)."""
import pytest

from etl import intake, submissions
from etl.loader import run_load
from etl.warehouse import open_read_only
from tests import fixtures
from tests.pages import sql


def statuses(db, year="2024-2025", period="HK1") -> dict:
    with open_read_only(db) as con:
        frame = submissions.status(con, year, period, db_path=db)
    return dict(zip(frame.school_code, frame.status))


def test_each_school_has_its_status(loaded_db, tmp_path):
    before = statuses(loaded_db)
    # the fixture file: 5 schools loaded; 40100002 (no code, name only) and the TH&THCS school have no row
    assert {code for code, s in before.items() if s == "submitted"} == {
        c for (c,) in sql(loaded_db, "SELECT school_code FROM survey WHERE period = 'HK1'")}
    assert before["40400001"] == "not_submitted"
    bad = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_victory.xlsx", rows=[
        ("IV. LIÊN CẤP", None),
        (None, ["40400001", "Trường TH&THCS Victory", 20, "nhiều", 30, 3, 20, 1, 20, 700, 18, "x", 90, "SMAS"])])
    run_load([bad], loaded_db)
    assert statuses(loaded_db)["40400001"] == "with_errors"

    submissions.decide(loaded_db, ["40200001"], "2024-2025", "HK1", "approved")
    with pytest.raises(submissions.SubmissionError, match="lý do trả lại"):
        submissions.decide(loaded_db, ["40300001"], "2024-2025", "HK1", "returned", "  ")
    submissions.decide(loaded_db, ["40300001"], "2024-2025", "HK1", "returned", "Số máy chưa khớp kiểm kê")
    now = statuses(loaded_db)
    assert (now["40200001"], now["40300001"]) == ("approved", "returned")
    with open_read_only(loaded_db) as con:
        frame = submissions.status(con, "2024-2025", "HK1", db_path=loaded_db)
    assert frame.set_index("school_code").loc["40300001", "comment"] == "Số máy chưa khớp kiểm kê"

    fixed = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_dtm.xlsx", rows=[
        ("III. TRUNG HỌC CƠ SỞ", None),
        (None, ["40300001", "THCS Đặng Thai Mai", 30, 1200, 60, 3, 30, 2, 40, 1200, 30, "x", 95, "SMAS"])])
    run_load([fixed], loaded_db)
    assert statuses(loaded_db)["40300001"] == "submitted"  # sent again after the return: waiting again


def test_a_locked_period_refuses_a_change_until_unlocked(loaded_db, tmp_path):
    submissions.set_lock(loaded_db, "2024-2025", "HK1", True)
    change = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_sua.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"])])
    report = run_load([change], loaded_db)
    [file] = report["files"]
    assert file["status"] == "rejected" and file["rows_loaded"] == 0
    [issue] = [i for i in file["issues"] if i["code"] == "period_locked"]
    assert issue["cell"] == "B12" and "đã được khoá" in issue["message"] and "mở khoá" in issue["message"]
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(20,)]
    review = intake.review_files([change], loaded_db)  # the review says it before anything is tried
    assert review.files[0].refused == 1 and "đã được khoá" in review.files[0].refusals[0]["reason"]

    submissions.set_lock(loaded_db, "2024-2025", "HK1", False)
    assert run_load([change], loaded_db, force=True)["files"][0]["status"] == "loaded"
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(24,)]
    assert sql(loaded_db, "SELECT locked FROM period_locks ORDER BY changed_at") == [(True,), (False,)]


def test_undo_keeps_the_decisions_made_since(loaded_db, tmp_path):
    change = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_sua.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"])])
    run_load([change], loaded_db)
    submissions.decide(loaded_db, ["40200002"], "2024-2025", "HK1", "approved")
    submissions.set_lock(loaded_db, "2025-2026", "HK1", True)
    intake.undo_last_load(loaded_db)
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(20,)]
    assert statuses(loaded_db)["40200002"] == "approved"  # the decision lives in the submission store
    with open_read_only(loaded_db) as con:
        assert set(submissions.locked_periods(con)) == {("2025-2026", "HK1")}
