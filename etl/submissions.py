"""The reporting loop between the schools and the office (page "Tình hình nộp báo cáo", page "Báo cáo của trường").

A submission is a record, not a session state: every step of a school's report for a period (draft, sent, resent,
in review, loaded, approved, returned, withdrawn) is a row appended to the submission store beside the warehouse
(`<warehouse>.submissions.sqlite`, SQLite: hundreds of schools may send at once, each a short transaction, and no
step copies the warehouse). The latest row wins and the history stays. Every write here checks the actor's scope
itself: a ward's analyst approves, returns, locks and unlocks only its wards' schools, whoever calls.

Locks of a period stay in the warehouse (`period_locks`), where a load checks them in the same write; a lock row
names one school (a ward's lock) or none (the whole warehouse). Decisions made before the store existed
(`submission_reviews` in the warehouse) are still read."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

LOCAL_USER = "người dùng cục bộ"  # single-user local mode: no account signed in

STATUS_VI = {"not_submitted": "Chưa nộp", "draft": "Trường đang soạn", "sent": "Đã gửi, chờ phòng xem",
             "resent": "Gửi lại, chờ phòng xem", "in_review": "Phòng đang xem", "with_errors": "Đã nộp, có lỗi",
             "requeued": "Chờ nạp lại (đã hoàn tác)", "submitted": "Đã nạp, chờ duyệt", "approved": "Đã duyệt",
             "returned": "Trả lại để sửa"}
STATE_VI = {**STATUS_VI, "loaded": "Phòng đã nạp vào kho", "withdrawn": "Trường đã rút lại",
            "sent": "Trường đã gửi", "resent": "Trường gửi lại bản sửa"}
WAITING = ("sent", "resent", "in_review", "requeued")  # in the office's queue
DECISIONS = {"approved", "returned"}
ORDER = {"sent": 0, "resent": 0, "requeued": 0, "in_review": 1, "submitted": 2, "with_errors": 3, "returned": 4,
         "draft": 5, "not_submitted": 6, "approved": 7}  # what the office acts on first (not submitted: listed below)
TABLES = """
CREATE TABLE IF NOT EXISTS submission_reviews (
    school_code VARCHAR, school_year VARCHAR, period VARCHAR, decision VARCHAR, comment VARCHAR,
    decided_at TIMESTAMP, decided_by VARCHAR);
CREATE TABLE IF NOT EXISTS period_locks (
    school_year VARCHAR, period VARCHAR, locked BOOLEAN, changed_at TIMESTAMP, changed_by VARCHAR, comment VARCHAR,
    school_code VARCHAR);
ALTER TABLE period_locks ADD COLUMN IF NOT EXISTS school_code VARCHAR;
"""
CARRIED_TABLES = ("submission_reviews", "period_locks", "undo_log")  # kept across an undo
STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, submission TEXT, school_code TEXT NOT NULL, school_year TEXT,
    period TEXT, state TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, comment TEXT, files TEXT, cells TEXT,
    load_id INTEGER);
CREATE INDEX IF NOT EXISTS events_school ON events (school_code, school_year, period);
CREATE INDEX IF NOT EXISTS events_submission ON events (submission);
CREATE TABLE IF NOT EXISTS visits (account TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
"""


class SubmissionError(Exception):
    """One Vietnamese sentence for the page."""


def period_title(school_year: str | None, period: str | None) -> str:
    """The period as a heading or the start of a sentence: 'Học kỳ I năm học 2026-2027'."""
    text = period_vi(school_year, period)
    return text[:1].upper() + text[1:]


def period_vi(school_year: str | None, period: str | None) -> str:
    if not school_year:
        return "kỳ chưa rõ"
    if period == "4725":
        return f"đánh giá 4725 năm học {school_year}"
    return f"học kỳ I năm học {school_year}" if period == "HK1" else f"cả năm học {school_year}"


# ---- the store ----------------------------------------------------------------------------------------------

def store_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".submissions.sqlite")


def _connect(db_path: Path) -> sqlite3.Connection:
    path = store_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.executescript(STORE_SCHEMA)
    return con


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="microseconds")


def record(db_path: Path, rows: list[dict]) -> None:
    """Append steps: dicts with school_code, state, by and optionally submission, school_year, period, comment,
    files (list), cells (list). One transaction: all of them or none."""
    if not rows:
        return
    at = _now()
    with closing(_connect(db_path)) as con:
        con.execute("BEGIN IMMEDIATE")
        con.executemany(
            "INSERT INTO events (submission, school_code, school_year, period, state, at, by, comment, files, cells, "
            "load_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.get("submission"), r["school_code"], r.get("school_year"), r.get("period"), r["state"],
              r.get("at") or at, r["by"], r.get("comment") or None,
              json.dumps(r.get("files") or [], ensure_ascii=False),
              json.dumps(r.get("cells") or [], ensure_ascii=False), r.get("load_id")) for r in rows])
        con.execute("COMMIT")


def events(db_path: Path, schools: list[str] | None = None, school_year: str | None = None,
           period: str | None = None, since: str | None = None, submission: str | None = None) -> pd.DataFrame:
    """The steps recorded, oldest first, narrowed by schools, period, time and submission."""
    columns = ["id", "submission", "school_code", "school_year", "period", "state", "at", "by", "comment", "files",
               "cells", "load_id"]
    if not store_path(db_path).exists():
        return pd.DataFrame(columns=columns)
    where, params = ["1=1"], []
    if schools is not None:
        where.append(f"school_code IN ({','.join('?' * len(schools))})" if schools else "0")
        params += list(schools)
    for column, value in (("school_year", school_year), ("period", period), ("submission", submission)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("at > ?")
        params.append(since)
    with closing(_connect(db_path)) as con:
        rows = con.execute(f"SELECT {', '.join(columns)} FROM events WHERE {' AND '.join(where)} ORDER BY at, id",
                           params).fetchall()
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("files", "cells"):
        frame[column] = frame[column].map(lambda text: json.loads(text) if text else [])
    return frame


def submission_state(db_path: Path, submission: str) -> str | None:
    """The latest step of one sending (None: not recorded)."""
    frame = events(db_path, submission=submission)
    return None if frame.empty else frame.state.iloc[-1]


def last_visit(db_path: Path, account: str) -> str | None:
    if not store_path(db_path).exists():
        return None
    with closing(_connect(db_path)) as con:
        row = con.execute("SELECT seen_at FROM visits WHERE account = ?", [account]).fetchone()
    return row[0] if row else None


def mark_visit(db_path: Path, account: str, at: str | None = None) -> None:
    """What happened up to `at` (now by default) has been seen by `account`."""
    with closing(_connect(db_path)) as con:
        con.execute("INSERT INTO visits VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET seen_at = excluded.seen_at",
                    [account, at or _now()])


def news(db_path: Path, account: str, schools: list[str] | None, role: str, names: dict[str, str]) -> list[str]:
    """What changed for `account` since its last visit, one Vietnamese sentence per item (newest first): a school
    hears of its returns, approvals and loads; the office of the files sent in its scope."""
    seen = last_visit(db_path, account)
    if seen is None and role != "school":
        seen = (dt.datetime.now() - dt.timedelta(days=7)).isoformat()
    frame = events(db_path, schools=schools, since=seen)
    if frame.empty:
        return []
    wanted = ("returned", "approved", "loaded", "requeued") if role == "school" else ("sent", "resent")
    frame = frame[frame.state.isin(wanted)]
    lines = []
    for row in frame.iloc[::-1].itertuples():
        when = dt.datetime.fromisoformat(row.at).strftime("%d/%m/%Y %H:%M")
        name = names.get(row.school_code, row.school_code)
        what = period_vi(row.school_year, row.period)
        if row.state == "returned":
            lines.append(f"Phòng trả lại báo cáo {what} lúc {when} – {row.by}: {row.comment}")
        elif row.state == "approved":
            lines.append(f"Phòng đã duyệt báo cáo {what} lúc {when} – {row.by}.")
        elif row.state == "loaded":
            lines.append(f"Phòng đã nạp báo cáo {what} vào kho lúc {when}.")
        elif row.state == "requeued":
            lines.append(f"Phòng đã hoàn tác lần nạp báo cáo {what} lúc {when}: tệp trường gửi chờ phòng nạp lại.")
        else:
            lines.append(f"{name} {'gửi lại bản sửa' if row.state == 'resent' else 'gửi'} báo cáo {what} lúc "
                         f"{when}: {', '.join(row.files)}.")
    return list(dict.fromkeys(lines))


# ---- scope, checked where the write happens -------------------------------------------------------------------

def _outside(codes, scope) -> list[str]:
    return [] if scope is None else [c for c in codes if c not in set(scope)]


def check_scope(codes, scope, what: str) -> None:
    if outside := _outside(codes, scope):
        raise SubmissionError(f"Không {what}: {len(outside)} trường không thuộc phạm vi tài khoản đang dùng; mỗi "
                              "tài khoản chỉ thao tác trên các trường của mình.")


# ---- decisions --------------------------------------------------------------------------------------------------

def decide(db_path: Path, schools: list[str], school_year: str, period: str, decision: str, comment: str = "",
           by: str = LOCAL_USER, scope=None, cells: list[str] | None = None, seen: dict | None = None) -> int:
    """Approve the figures of `schools` for a period, or return them for correction (a comment is required).
    Refused for a school outside `scope` (the actor's schools; None: every school), in a locked period, and when
    `seen` (school → the status the actor's page showed) no longer holds: another session decided, or the school sent
    again, meanwhile."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    comment = (comment or "").strip()
    if decision == "returned" and not comment:
        raise SubmissionError("Hãy ghi lý do trả lại (trường cần sửa gì) trước khi trả lại số liệu.")
    if not schools:
        raise SubmissionError("Hãy chọn ít nhất một trường.")
    check_scope(schools, scope, "duyệt hoặc trả lại")
    from etl.warehouse import open_read_only

    with open_read_only(db_path) as con:
        locks = Locks(con)
        locked = [c for c in schools if locks.of(school_year, period, c)]
        now = status(con, school_year, period, "list_contains(?, sc.school_code)", [list(schools)], db_path=db_path)
    if seen is not None:
        changed = [(name, STATUS_VI[state]) for code, name, state in zip(now.school_code, now.school_name, now.status)
                   if seen.get(code) != state]
        if changed:
            raise SubmissionError("Chưa ghi: tình trạng đã thay đổi từ lúc trang được mở ("
                                  + ", ".join(f"{name}: nay là «{state.lower()}»" for name, state in changed)
                                  + "), do một phiên khác hoặc trường vừa gửi lại. Hãy xem lại rồi quyết định.")
    if locked:
        raise SubmissionError(f"{period_title(school_year, period)} đã khoá cho {len(locked)} trường đã "
                              "chọn: mở khoá kỳ trước khi duyệt hoặc trả lại.")
    latest = _latest_submission(db_path, schools, school_year, period)
    record(db_path, [{"submission": latest.get(code), "school_code": code, "school_year": school_year,
                      "period": period, "state": decision, "by": by, "comment": comment, "cells": cells or []}
                     for code in schools])
    return len(schools)


def _latest_submission(db_path: Path, schools, school_year, period) -> dict[str, str]:
    frame = events(db_path, schools=list(schools), school_year=school_year, period=period)
    frame = frame[frame.submission.notna()]
    return dict(zip(frame.school_code, frame.submission))  # oldest first: the newest wins


# ---- locks ------------------------------------------------------------------------------------------------------

def _lock_rows(con) -> pd.DataFrame:
    if not _has(con, "period_locks"):
        return pd.DataFrame(columns=["school_year", "period", "locked", "changed_at", "changed_by", "comment",
                                     "school_code"])
    has_school = bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'period_locks' "
                                  "AND column_name = 'school_code'").fetchall()[0][0])
    return con.execute("SELECT school_year, period, locked, changed_at, changed_by, comment, "
                       f"{'school_code' if has_school else 'NULL::VARCHAR AS school_code'} FROM period_locks "
                       "ORDER BY changed_at").df()


class Locks:
    """The lock rows of a warehouse, read once: which lock is in force for a school in a period."""

    def __init__(self, con):
        self.by_period: dict[tuple[str, str], list] = {}
        for r in _lock_rows(con).itertuples():
            code = None if r.school_code is None or pd.isna(r.school_code) else r.school_code
            self.by_period.setdefault((r.school_year, r.period), []).append(
                (r.changed_at, bool(r.locked), code, r.changed_by, r.comment))

    def of(self, school_year: str, period: str, school: str | None) -> dict | None:
        for changed_at, locked, code, by, comment in reversed(self.by_period.get((school_year, period), [])):
            if code is None or code == school:
                return {"changed_at": changed_at, "changed_by": by, "comment": comment,
                        "whole": code is None} if locked else None
        return None

    def whole(self, school_year: str, period: str) -> dict | None:
        """The lock of the whole warehouse in force (its newest row for every school is a lock), or None."""
        rows = [r for r in self.by_period.get((school_year, period), []) if r[2] is None]
        if not rows or not rows[-1][1]:
            return None
        return {"changed_at": rows[-1][0], "changed_by": rows[-1][3], "comment": rows[-1][4], "whole": True}

    def any(self) -> bool:
        return any(locked for rows in self.by_period.values() for _, locked, *_ in rows)


def lock_of(con, school_year: str, period: str, school: str) -> dict | None:
    """The lock in force for one school in a period (the newest row naming it or the whole warehouse), or None."""
    return Locks(con).of(school_year, period, school)


def locked_periods(con, schools=None) -> dict[tuple[str, str], dict]:
    """(school year, period) → the latest lock row, for the periods locked now: for every school (a lock of the whole
    warehouse), or for some of `schools` when given (a ward's lock); `schools` is then in the value."""
    locks = Locks(con)
    found = {}
    for (year, period), rows in locks.by_period.items():
        if schools is None:
            whole = [r for r in rows if r[2] is None]
            if whole and whole[-1][1] and not any(not r[1] for r in rows if r[0] > whole[-1][0]):
                found[(year, period)] = {"changed_at": whole[-1][0], "changed_by": whole[-1][3],
                                         "comment": whole[-1][4], "schools": None}
            continue
        locked = [c for c in schools if locks.of(year, period, c)]
        if locked:
            found[(year, period)] = {"changed_at": rows[-1][0], "changed_by": rows[-1][3], "comment": rows[-1][4],
                                     "schools": locked}
    return found


def awaiting_answer(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a status frame whose report is returned or waiting for the office: locking now would refuse them."""
    return frame[frame.status.isin(["returned", *WAITING])]


def owing(frame: pd.DataFrame) -> list[str]:
    """The schools of a status frame that still owe the office their report (what a deadline reminder is for)."""
    return list(frame.school_code[frame.status.isin(NOT_SENT)])


def _in_scope(frame: pd.DataFrame, scope) -> pd.DataFrame:
    return frame if scope is None else frame[frame.school_code.isin(list(scope))]


def waiting_or_returned(db_path: Path, con, school_year: str, period: str, scope=None) -> pd.DataFrame:
    """The schools of the scope whose report is returned or waiting for the office."""
    return awaiting_answer(_in_scope(status(con, school_year, period, db_path=db_path), scope))


def set_lock(db_path: Path, school_year: str, period: str, locked: bool, by: str = LOCAL_USER,
             comment: str = "", scope=None, confirmed: bool = False) -> None:
    """Lock or unlock a period for the actor's scope: the whole warehouse (scope None) or one row per school of a
    ward's scope. Locking while schools are returned or waiting needs `confirmed`; a ward does not unlock what the
    province locked."""
    from etl.reference import load_catalogue
    from etl.warehouse import WarehouseWrite, open_read_only

    what = period_vi(school_year, period)
    with open_read_only(db_path) as con:
        if locked and not confirmed:
            pending = waiting_or_returned(db_path, con, school_year, period, scope)
            if not pending.empty:
                names = ", ".join(pending.school_name.head(10)) + (" …" if len(pending) > 10 else "")
                raise SubmissionError(f"Còn {len(pending)} trường bị trả lại hoặc đang chờ phòng xem ở {what} "
                                      f"({names}); khoá kỳ bây giờ thì các trường này không nộp được nữa. Hãy xác "
                                      "nhận nếu vẫn muốn khoá.")
        if scope is not None and Locks(con).whole(school_year, period):  # a ward under the province's lock
            raise SubmissionError(f"{period_title(school_year, period)} đã được tài khoản toàn tỉnh khoá cho mọi "
                                  "trường" + ("." if locked else "; chỉ tài khoản toàn tỉnh mở khoá được."))
    now = dt.datetime.now()
    codes = [None] if scope is None else list(scope)
    with WarehouseWrite(db_path, load_catalogue()) as write:
        write.con.execute(TABLES)
        write.con.executemany("INSERT INTO period_locks (school_year, period, locked, changed_at, changed_by, "
                              "comment, school_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              [[school_year, period, locked, now, by, comment, code] for code in codes])


# ---- where each school stands -------------------------------------------------------------------------------------

def _has(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchall()[0][0])


def status(con, school_year: str, period: str, where: str = "true", params: list | None = None,
           db_path: Path | None = None) -> pd.DataFrame:
    """One row per school of the scope: its status for the period, when and in which file it submitted, its errors,
    and the latest step of the office or the school (from the submission store of `db_path`, and the decisions kept
    in the warehouse before the store). A load newer than every step puts the school at 'submitted'."""
    frame = con.execute(f"""
        WITH sent AS (
            SELECT s.school_code, s.source_file, l.finished_at AS submitted_at
            FROM survey s LEFT JOIN (SELECT DISTINCT load_id, finished_at FROM load_log) l USING (load_id)
            WHERE s.school_year = ? AND s.period = ?),
        failed AS (
            SELECT school_code, count(*) AS errors, max(file_name) AS file_name, max(l.finished_at) AS failed_at
            FROM load_issues i LEFT JOIN (SELECT DISTINCT load_id, finished_at FROM load_log) l USING (load_id)
            WHERE severity = 'error' AND school_year = ? AND period = ? AND school_code IS NOT NULL GROUP BY ALL)
        SELECT sc.school_code, sc.school_name, sc.level, sc.ward_new, sc.ward_old,
               sent.submitted_at, coalesce(sent.source_file, failed.file_name) AS file_name,
               coalesce(failed.errors, 0) AS errors, failed.failed_at,
               sent.school_code IS NOT NULL AS has_figures
        FROM schools sc LEFT JOIN sent USING (school_code) LEFT JOIN failed USING (school_code)
        WHERE {where}
        ORDER BY sc.level, sc.school_name""", [school_year, period, school_year, period, *(params or [])]).df()
    steps = _steps(con, db_path, list(frame.school_code), school_year, period)
    out = {"status": [], "decision": [], "comment": [], "decided_at": [], "decided_by": [], "sent_at": [],
           "sent_files": [], "cells": [], "submission": []}
    for row in frame.itertuples():
        mine = steps.get(row.school_code, [])
        state, last, sent = _state_of(row, mine)
        out["status"].append(state)
        decided = next((s for s in reversed(mine) if s["state"] in DECISIONS), None) if state in DECISIONS else None
        out["decision"].append(decided["state"] if decided else None)
        out["comment"].append(decided["comment"] if decided else None)
        out["decided_at"].append(decided["at"] if decided else None)
        out["decided_by"].append(decided["by"] if decided else None)
        out["cells"].append(decided["cells"] if decided and decided["state"] == "returned" else [])
        out["sent_at"].append(sent["at"] if sent else None)
        out["sent_files"].append(", ".join(sent["files"]) if sent else "")
        out["submission"].append(sent["submission"] if sent else None)
    frame = frame.assign(**out)
    for column in ("decided_at", "sent_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.drop(columns=["failed_at", "has_figures"])


def _steps(con, db_path, codes: list[str], school_year: str, period: str) -> dict[str, list[dict]]:
    """Per school, its steps for the period, oldest first (withdrawn sendings left out)."""
    found: dict[str, list[dict]] = {}
    if _has(con, "submission_reviews"):  # decisions made before the store
        for r in con.execute("SELECT school_code, decision, comment, decided_at, decided_by FROM submission_reviews "
                             "WHERE school_year = ? AND period = ?", [school_year, period]).fetchall():
            found.setdefault(r[0], []).append({"state": r[1], "comment": r[2], "at": pd.Timestamp(r[3]),
                                               "by": r[4], "cells": [], "files": [], "submission": None})
    if db_path is not None:
        frame = events(db_path, school_year=school_year, period=period)
        withdrawn = set(frame.submission[frame.state == "withdrawn"].dropna())
        for r in frame[~frame.submission.isin(withdrawn) | frame.submission.isna()].itertuples():
            found.setdefault(r.school_code, []).append({"state": r.state, "comment": r.comment,
                                                        "at": pd.Timestamp(r.at), "by": r.by, "cells": r.cells,
                                                        "files": r.files, "submission": r.submission})
    for steps in found.values():
        steps.sort(key=lambda s: s["at"])
    return found


def _state_of(row, steps: list[dict]) -> tuple[str, dict | None, dict | None]:
    """The school's status from its figures in the warehouse and its steps: (status, latest strong step, latest
    sending). A draft counts only while nothing else does or after a return; a load newer than every step is a
    submission waiting for a decision."""
    strong = [s for s in steps if s["state"] != "draft"]
    last = strong[-1] if strong else None
    sent = next((s for s in reversed(steps) if s["state"] in ("sent", "resent")), None)
    loaded_at = pd.Timestamp(row.submitted_at) if pd.notna(row.submitted_at) else None
    failed_at = pd.Timestamp(row.failed_at) if pd.notna(row.failed_at) else None
    newest_load = max([t for t in (loaded_at, failed_at) if t is not None], default=None)
    if last is not None and (newest_load is None or last["at"] >= newest_load):
        if last["state"] == "loaded":
            return ("submitted" if row.has_figures else "with_errors"), last, sent
        if last["state"] == "returned" and steps[-1]["state"] == "draft":
            return "returned", last, sent  # the school is correcting: still returned until it sends
        return last["state"], last, sent
    if newest_load is not None:
        return ("submitted" if row.has_figures else "with_errors"), last, sent
    if steps and steps[-1]["state"] == "draft":
        return "draft", last, sent
    return "not_submitted", last, sent


def returned_schools(db_path: Path, school_year: str, period: str, scope=None) -> list[str]:
    """The schools whose figures for the period stand returned: the office's latest word on them is a return and the
    school has not sent again (their figures in the warehouse still count until then)."""
    frame = events(db_path, schools=None if scope is None else list(scope), school_year=school_year, period=period)
    withdrawn = set(frame.submission[frame.state == "withdrawn"].dropna())
    frame = frame[frame.state.isin(["returned", "approved", "sent", "resent", "loaded"])
                  & ~frame.submission.isin(withdrawn)]
    latest = frame.groupby("school_code").state.last()
    return sorted(latest[latest == "returned"].index)


NOT_SENT = ("not_submitted", "draft", "returned", "with_errors")  # a deadline reminder is for these


def to_remind(db_path: Path, school_year: str, period: str, scope=None) -> list[str]:
    """The schools of the scope that still owe the office their report for the period."""
    from etl.warehouse import open_read_only

    with open_read_only(db_path) as con:
        return owing(_in_scope(status(con, school_year, period, db_path=db_path), scope))


# ---- undo within a scope --------------------------------------------------------------------------------------------

def check_undo(con, load_id, scope) -> None:
    """Undo of load `load_id` is refused when it touched a school outside `scope` or a locked period."""
    if load_id is None:
        return
    touched = con.execute("""SELECT DISTINCT school_code, school_year, period FROM survey WHERE load_id = ?
                             UNION SELECT DISTINCT school_code, school_year, '4725' FROM assessment_scores
                             WHERE load_id = ?""", [load_id, load_id]).fetchall()
    outside = _outside({r[0] for r in touched}, scope)
    if outside:
        raise SubmissionError(f"Không hoàn tác được: lần nạp số {load_id} có số liệu của {len(outside)} trường ngoài "
                              "phạm vi tài khoản đang dùng; hãy đề nghị người có quyền toàn bộ các trường đó hoàn tác.")
    locks = Locks(con)
    locked = sorted({(y, p) for code, y, p in touched if locks.of(y, p, code)})
    if locked:
        raise SubmissionError(f"Không hoàn tác được: lần nạp số {load_id} có số liệu của "
                              f"{', '.join(period_vi(y, p) for y, p in locked)}, kỳ đã khoá. Mở khoá kỳ ở trang "
                              "«Tình hình nộp báo cáo» rồi hoàn tác.")


def refuse_locked(results: list, con) -> None:
    """Rows of a load for a locked period become errors (the rest of the file goes on)."""
    locks = Locks(con)
    if not locks.any():
        return
    for result in results:
        for row in result.accepted()[0]:
            key = (row.values.get("school_year"), row.values.get("period"))
            lock = locks.of(key[0], key[1], row.values.get("school_code"))
            if lock:
                when = lock["changed_at"].strftime("%d/%m/%Y %H:%M") if lock["changed_at"] else ""
                period = f"kỳ {'HK I' if key[1] == 'HK1' else 'cả năm'} {key[0]}"
                row.errors.append(result.log.error(
                    "period_locked", f"{period} đã được khoá ngày {when}: không thay đổi được; cần sửa thì đề nghị "
                    "phòng mở khoá kỳ",
                    row.sheet or None, row.cells["school_code"].ref if "school_code" in row.cells else None,
                    school_code=row.values.get("school_code"), school_year=key[0], period=key[1]))
