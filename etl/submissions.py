"""Who has submitted, the analyst's approval or return, and the lock of a period (page "Tình hình nộp báo cáo").

Decisions and locks are rows appended to the warehouse (`submission_reviews`, `period_locks`), never updated: the
latest row wins and the history stays. A locked period refuses any load that would change it; undoing a load keeps
the decisions and locks made since (etl.warehouse.restore_version carries them over)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

LOCAL_USER = "người dùng cục bộ"  # until accounts exist (issue 12)

STATUS_VI = {"not_submitted": "Chưa nộp", "submitted": "Đã nộp", "with_errors": "Đã nộp, có lỗi",
             "approved": "Đã duyệt", "returned": "Trả lại để sửa"}
DECISIONS = {"approved", "returned"}
TABLES = """
CREATE TABLE IF NOT EXISTS submission_reviews (
    school_code VARCHAR, school_year VARCHAR, period VARCHAR, decision VARCHAR, comment VARCHAR,
    decided_at TIMESTAMP, decided_by VARCHAR);
CREATE TABLE IF NOT EXISTS period_locks (
    school_year VARCHAR, period VARCHAR, locked BOOLEAN, changed_at TIMESTAMP, changed_by VARCHAR, comment VARCHAR);
"""
CARRIED_TABLES = ("submission_reviews", "period_locks", "undo_log")  # kept across an undo


class SubmissionError(Exception):
    """One Vietnamese sentence for the page."""


def _has(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchall()[0][0])


def locked_periods(con) -> dict[tuple[str, str], dict]:
    """(school year, period) → the latest lock row, for the periods locked now."""
    if not _has(con, "period_locks"):
        return {}
    rows = con.execute("""SELECT school_year, period, locked, changed_at, changed_by, comment FROM (
                              SELECT *, row_number() OVER (PARTITION BY school_year, period ORDER BY changed_at DESC)
                                     AS n FROM period_locks) WHERE n = 1 AND locked""").fetchall()
    return {(r[0], r[1]): {"changed_at": r[3], "changed_by": r[4], "comment": r[5]} for r in rows}


def decide(db_path: Path, schools: list[str], school_year: str, period: str, decision: str, comment: str = "",
           by: str = LOCAL_USER) -> int:
    """Approve the figures of `schools` for a period, or return them for correction (a comment is required)."""
    from etl.reference import load_catalogue
    from etl.warehouse import WarehouseWrite

    if decision not in DECISIONS:
        raise ValueError(decision)
    comment = (comment or "").strip()
    if decision == "returned" and not comment:
        raise SubmissionError("Hãy ghi lý do trả lại (trường cần sửa gì) trước khi trả lại số liệu.")
    if not schools:
        raise SubmissionError("Hãy chọn ít nhất một trường.")
    now = dt.datetime.now()
    with WarehouseWrite(db_path, load_catalogue()) as write:
        write.con.execute(TABLES)
        write.con.executemany("INSERT INTO submission_reviews VALUES (?, ?, ?, ?, ?, ?, ?)",
                              [[code, school_year, period, decision, comment, now, by] for code in schools])
    return len(schools)


def set_lock(db_path: Path, school_year: str, period: str, locked: bool, by: str = LOCAL_USER,
             comment: str = "") -> None:
    from etl.reference import load_catalogue
    from etl.warehouse import WarehouseWrite

    with WarehouseWrite(db_path, load_catalogue()) as write:
        write.con.execute(TABLES)
        write.con.execute("INSERT INTO period_locks VALUES (?, ?, ?, ?, ?, ?)",
                          [school_year, period, locked, dt.datetime.now(), by, comment])


def status(con, school_year: str, period: str, where: str = "true", params: list | None = None) -> pd.DataFrame:
    """One row per school of the scope: its status for the period, when and in which file it submitted, its errors,
    and the latest decision (a submission newer than a decision puts the school back to 'submitted')."""
    reviews = ("SELECT * FROM submission_reviews" if _has(con, "submission_reviews") else
               "SELECT NULL::VARCHAR AS school_code, NULL::VARCHAR AS school_year, NULL::VARCHAR AS period, "
               "NULL::VARCHAR AS decision, NULL::VARCHAR AS comment, NULL::TIMESTAMP AS decided_at, "
               "NULL::VARCHAR AS decided_by WHERE false")
    frame = con.execute(f"""
        WITH sent AS (
            SELECT s.school_code, s.source_file, l.finished_at AS submitted_at
            FROM survey s LEFT JOIN (SELECT DISTINCT load_id, finished_at FROM load_log) l USING (load_id)
            WHERE s.school_year = ? AND s.period = ?),
        failed AS (
            SELECT school_code, count(*) AS errors, max(file_name) AS file_name, max(l.finished_at) AS failed_at
            FROM load_issues i LEFT JOIN (SELECT DISTINCT load_id, finished_at FROM load_log) l USING (load_id)
            WHERE severity = 'error' AND school_year = ? AND period = ? AND school_code IS NOT NULL GROUP BY ALL),
        decided AS (
            SELECT school_code, decision, comment, decided_at, decided_by FROM (
                SELECT *, row_number() OVER (PARTITION BY school_code ORDER BY decided_at DESC) AS n
                FROM ({reviews}) WHERE school_year = ? AND period = ?) WHERE n = 1)
        SELECT sc.school_code, sc.school_name, sc.level, sc.ward_new, sc.ward_old,
               sent.submitted_at, coalesce(sent.source_file, failed.file_name) AS file_name,
               coalesce(failed.errors, 0) AS errors, d.decision, d.comment, d.decided_at, d.decided_by,
               CASE WHEN sent.school_code IS NULL AND failed.school_code IS NULL THEN 'not_submitted'
                    WHEN d.decision IS NOT NULL AND (sent.submitted_at IS NULL OR d.decided_at >= sent.submitted_at)
                         THEN d.decision
                    WHEN sent.school_code IS NULL THEN 'with_errors'
                    ELSE 'submitted' END AS status
        FROM schools sc LEFT JOIN sent USING (school_code) LEFT JOIN failed USING (school_code)
        LEFT JOIN decided d USING (school_code)
        WHERE {where}
        ORDER BY sc.level, sc.school_name""",
                        [school_year, period, school_year, period, school_year, period, *(params or [])]).df()
    return frame


def refuse_locked(results: list, con) -> None:
    """Rows of a load for a locked period become errors (the rest of the file goes on)."""
    locks = locked_periods(con)
    if not locks:
        return
    for result in results:
        for row in result.accepted()[0]:
            key = (row.values.get("school_year"), row.values.get("period"))
            if key in locks:
                lock = locks[key]
                when = lock["changed_at"].strftime("%d/%m/%Y %H:%M") if lock["changed_at"] else ""
                period = f"kỳ {'HK I' if key[1] == 'HK1' else 'cả năm'} {key[0]}"
                row.errors.append(result.log.error(
                    "period_locked", f"{period} đã được khoá ngày {when} sau khi duyệt; không thay đổi số liệu của kỳ "
                    "này. Nếu cần sửa, hãy đề nghị phòng mở khoá kỳ ở trang «Tình hình nộp báo cáo»",
                    row.sheet or None, row.cells["school_code"].ref if "school_code" in row.cells else None,
                    school_code=row.values.get("school_code"), school_year=key[0], period=key[1]))
