"""`python -m etl load`: files and folders in, a new warehouse out, and a report of what happened."""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from etl.extract import extract
from etl.isolate import read_files
from etl.issues import Issue, IssueLog
from etl.reference import Catalogue, load_catalogue
from etl.registry import Registry
from etl.textnorm import fmt_number, safe_name
from etl.validate import (
    AssessmentRows,
    Row,
    plan_year,
    reported,
    validate_assessment,
    validate_survey,
    validate_task,
)
from etl.warehouse import WarehouseWrite, get_meta, sha256_file
from etl.workbook import ENCODING_VI, SPREADSHEET_EXTENSIONS, UnreadableFile, open_workbook

PERIOD_ORDER = {"HK1": 0, "CN": 1}
CHANGE_FIELDS = ("classes", "students", "teachers")  # scale; computers are meant to grow


class UsageError(Exception):
    pass


@dataclass
class FileResult:
    path: Path
    sha: str | None = None
    status: str = "pending"  # loaded | partial | rejected | unchanged
    layouts: list[str] = field(default_factory=list)
    log: IssueLog = None
    survey: list[Row] = field(default_factory=list)
    assessment: list[AssessmentRows] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)
    task_year: int | None = None
    synthetic: bool = False
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the reader process on this file
    replaced: int = 0
    archive_path: str | None = None
    hints: dict = field(default_factory=dict)  # corrections and import profiles (etl.intake)
    sheets: list[dict] = field(default_factory=list)  # what was recognised on each sheet, for the review
    ledgers: list = field(default_factory=list)  # per sheet, what became of each cell (etl.extract.ledger)
    accounting: list[dict] = field(default_factory=list)  # their summaries once the load has decided every row
    _accounted: tuple = ()  # the rows' fates when the accounting was made
    accepted_numbers: int = 0  # numbers the reviewer saw unread and chose to leave out (hint accept_unaccounted)

    def __post_init__(self):
        self.log = self.log or IssueLog(self.path.name)

    @cached_property
    def name(self) -> str:
        """The file name as it may be printed (control characters escaped); asked for once per stored row."""
        return safe_name(self.path.name)

    def accepted(self) -> tuple[list[Row], list[AssessmentRows], list[Row]]:
        """Rows to store: valid, and not a repeat of a row stored from elsewhere in this load."""
        def keep(rows):
            return [r for r in rows if r.ok and r.duplicate_of is None]
        return keep(self.survey), keep(self.assessment), keep(self.tasks)

    @property
    def rows_loaded(self) -> int:
        return sum(len(part) for part in self.accepted())

    @property
    def rows_rejected(self) -> int:
        return sum(not r.ok for r in (*self.survey, *self.assessment, *self.tasks))

    @property
    def unaccounted_numbers(self) -> int:
        return sum(sheet["unaccounted_numbers"] for sheet in self.accounting)

    def _fates(self) -> tuple:
        """What has been decided for each row and how many errors were said: the accounting holds while it holds."""
        rows = (*self.survey, *self.assessment, *self.tasks)
        return tuple((r.ok, r.duplicate_of is None) for r in rows) + (self.log.count("error"),)

    def account(self) -> None:
        """Every cell in its bucket now that every row's fate is known; a sheet with numbers nobody read says where
        they are (the file then never reads as a clean load). Called again after a later step refused rows; when
        nothing changed since the reader process accounted, its accounting stands."""
        from etl.extract.ledger import ERROR, account, describe, unread_errors
        from etl.validate import cell_error_vi

        if self.accounting and self._accounted == self._fates():
            return
        self.log.items = [i for i in self.log.items if i.code != "unaccounted_numbers"]  # the others are said once
        rows = [*self.survey, *self.assessment, *self.tasks]
        account(self.ledgers, rows, self.log.items)
        by_sheet = {ledger.sheet: ledger for ledger in self.ledgers}
        for sheet, cell, why in unread_errors(self.ledgers):
            issue = self.log.error("unread_cell", f"{cell_error_vi(why)}; ô này nằm ngoài các bảng đã đọc nên không "
                                   "nạp — hãy sửa hoặc xoá ô rồi gửi lại", sheet, cell)
            by_sheet[sheet].mark_ref(cell, ERROR, issue.message[:100])
        accepted = self.hints.get("accept_unaccounted") or {}
        if accepted:  # seen in the review: exactly those cells are set aside, and the rest of the file loads
            from etl.extract.ledger import IGNORED, NUMBER

            for ledger in self.ledgers:
                if accepted.get(ledger.sheet or "") != (fingerprint := ledger.digest()) or not fingerprint:
                    continue  # other cells than those the reviewer saw: they stay unread, and said
                before = ledger.summary()
                ledger.mark(slice(None), slice(None), IGNORED, "số không đọc được; người duyệt đã xem khi xem trước "
                            "và chấp nhận không nạp", only=NUMBER)
                self.accepted_numbers += before["unaccounted_numbers"]
                self.log.warning("unaccounted_accepted", f"{before['unaccounted_numbers']} ô số không được đọc "
                                 f"({describe(before, numbers_only=True)}); người duyệt đã xem khi xem trước và chấp "
                                 "nhận nạp phần còn lại", ledger.sheet,
                                 before["unaccounted_ranges"][0]["range"] if before["unaccounted_ranges"] else None)
        self.accounting = [ledger.summary() for ledger in self.ledgers]
        for sheet in self.accounting:
            if sheet["unaccounted_numbers"]:
                first = sheet["unaccounted_ranges"][0]["range"] if sheet["unaccounted_ranges"] else None
                self.log.warning("unaccounted_numbers", f"{sheet['unaccounted_numbers']} ô số không được đọc vào "
                                 f"đâu cả ({describe(sheet, numbers_only=True)}); các số này chưa được nạp — hãy xem "
                                 "lại trang tính (cột không có tiêu đề, bảng thứ hai, số dưới phần chữ ký...) rồi "
                                 "sửa tệp hoặc chỉnh cách đọc khi xem trước", sheet["sheet"], first)
        self._accounted = self._fates()

    def periods(self) -> list[str]:
        keys = {(r.values["school_year"], r.values["period"]) for r in self.accepted()[0]}
        keys |= {(a.school_year, "4725") for a in self.accepted()[1]}
        return [f"{y} {p}" for y, p in sorted(keys)]


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[str], list[Path]]:
    """Files named directly, and spreadsheets inside folders (recursively). Returns (files, problems, folders that
    could not be read): a folder that cannot be read is reported, never skipped silently."""
    import os

    files, problems, unreadable = [], [], []
    for path in paths:
        if path.is_dir():
            for folder, dirs, names in os.walk(path, onerror=lambda error: unreadable.append(Path(error.filename))):
                dirs.sort()
                for name in sorted(names):
                    child = Path(folder) / name
                    if child.suffix.lower() in SPREADSHEET_EXTENSIONS and not name.startswith(("~$", ".")) \
                            and child.is_file():
                        files.append(child)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            problems.append(f"{safe_name(path)}: không phải tệp bảng tính thông thường (thiết bị, ống dẫn...)")
        else:
            problems.append(f"{safe_name(path)}: không tìm thấy tệp hoặc thư mục")
    return files, problems, unreadable


def _read_file(result: FileResult, catalogue: Catalogue, registry: Registry) -> None:
    """Read, extract and validate one file. A fault of the loader itself on this file becomes one error for
    this file (nothing of it is loaded) and the rest of the batch goes on."""
    try:
        _read_file_unguarded(result, catalogue, registry)
    except UnreadableFile as exc:
        result.log.error("unreadable", exc.reason, exc.sheet)
    except MemoryError:
        from etl.isolate import too_big_message

        result.survey, result.assessment, result.tasks = [], [], []
        result.log.error("too_big", too_big_message())
    except Exception as exc:  # noqa: BLE001 - one file must never stop the batch
        import logging

        logging.getLogger(__name__).exception("loader fault on %s", result.path)
        result.survey, result.assessment, result.tasks = [], [], []
        result.log.error("loader_fault", f"chương trình nạp gặp lỗi khi đọc tệp này ({type(exc).__name__}); tệp "
                         "không được nạp, các tệp khác vẫn nạp bình thường. Hãy gửi tệp này cho bộ phận kỹ thuật")


def _read_file_unguarded(result: FileResult, catalogue: Catalogue, registry: Registry) -> None:
    workbook = open_workbook(result.path)
    for sheet in workbook.sheets:
        if sheet.encoding and sheet.encoding not in ("utf-8", "utf-8-sig"):
            encoding = ENCODING_VI.get(sheet.encoding, sheet.encoding)
            result.log.info("text_encoding", f"tệp văn bản được đọc theo bảng mã {encoding}; nếu tên trường hiển "
                            "thị sai dấu, hãy lưu lại dạng CSV UTF-8")
    extraction = extract(workbook, catalogue, result.log, result.hints)
    result.layouts, result.synthetic, result.sheets = extraction.layouts, extraction.synthetic, extraction.sheets
    result.ledgers = extraction.ledgers
    _choose_schools(extraction.survey, result.hints.get("schools") or {})
    result.survey = [validate_survey(r, catalogue, registry, result.log) for r in extraction.survey]
    result.assessment = [validate_assessment(r, catalogue, registry, result.log) for r in extraction.assessment]
    result.tasks = [validate_task(r, catalogue, result.log) for r in extraction.tasks]
    if any(not task.ok for task in result.tasks) or any(i.code == "missing_task" for i in result.log.items):
        # the task list replaces the year's list as a whole: a list with a rejected row would lose that task
        issue = result.log.error("task_sheet_incomplete", "bảng nhiệm vụ có dòng bị lỗi nên không thay danh sách "
                                 "nhiệm vụ đã nạp; hãy sửa các dòng lỗi rồi nạp lại cả bảng")
        for task in result.tasks:
            task.errors.append(issue)
    if result.tasks:
        titles = [t for _, t in extraction.task_context.get("titles", [])] + [result.path.stem]
        result.task_year = plan_year(titles)
        if result.task_year is None:
            issue = result.log.error("missing_context", "không xác định được năm kế hoạch của bảng nhiệm vụ (ghi "
                                     "năm, ví dụ 2025, trong tiêu đề hoặc tên tệp)")
            for task in result.tasks:
                task.errors.append(issue)
    result.account()


def _choose_schools(records: list, chosen: dict[str, str]) -> None:
    """The school an analyst chose in the review for a row whose code or name is not in the registry
    ("sheet!row" → school code): the row is then matched by that code."""
    from etl.extract.records import Cell

    for record in records:
        code = chosen.get(row_key(record.sheet, record.row))
        if code:
            where = record.cells.get("school_code") or record.cells.get("school_name")
            record.cells["school_code"] = Cell(code, where.ref if where else None, source="correction")


def row_key(sheet: str | None, row: int | None) -> str:
    return f"{sheet or ''}!{row or 0}"


def _content(row) -> object:
    """What a row says, leaving out how the school was named, to tell true conflicts from repeats."""
    if isinstance(row, AssessmentRows):
        return sorted((s["criterion"], s["score"], s["met"]) for s in row.scores)
    return {k: v for k, v in row.values.items() if k not in ("school_name", "ownership", "ward_old")}


def _where(result: FileResult, row) -> str:
    return f"{result.name} trang '{row.sheet}' ô {_anchor(row)}" if row.sheet else f"{result.name} ô {_anchor(row)}"


def _reject_duplicates(results: list[FileResult]) -> None:
    """The same school twice for one period, in one file or across files of this load. Repeats that
    agree load once, with a warning; rows that disagree are all rejected, since nothing says which
    one is right."""
    groups = defaultdict(list)
    for result in results:
        for row in result.accepted()[0]:
            groups[(row.values["school_code"], row.values["school_year"], row.values["period"])].append((result, row))
        for rows in result.accepted()[1]:
            groups[(rows.school_code, rows.school_year, rows.kind)].append((result, rows))
    for key, found in groups.items():
        if len(found) < 2:
            continue
        where = "; ".join(_where(res, row) for res, row in found)
        is_survey = key[2] in PERIOD_ORDER
        what = f"{key[1]} {key[2]}" if is_survey else f"4725 năm học {key[1]}"
        context = {"school_code": key[0], "school_year": key[1], "period": key[2] if is_survey else None}
        if all(_content(row) == _content(found[0][1]) for _, row in found[1:]):
            for res, row in found[1:]:
                # a copy inside one file may hide a school overwritten by copy-paste; across files
                # (a school's form and the office's table) agreeing copies are normal
                same_file = sum(other is res for other, _ in found) > 1
                res.log.add("warning" if same_file else "info", "repeated_school",
                            f"trường {key[0]} lặp lại cho {what} với cùng số liệu ({where}); chỉ nạp một lần",
                            row.sheet or None, _anchor(row), **context)
                row.duplicate_of = found[0]
            continue
        if is_survey and _complementary([row for _, row in found]):
            for res, row in found[1:]:  # parts of one report (one sheet of scale, one of platforms): stored together
                res.log.info("merged_school", f"trường {key[0]} có số liệu {what} ở {len(found)} nơi ({where}), không "
                             "trái nhau; đã gộp lại", row.sheet or None, _anchor(row), **context)
            continue
        for res, row in found:
            row.errors.append(res.log.error(
                "duplicate_school", f"trường {key[0]} có {len(found)} dòng số liệu khác nhau cho {what} ({where}); "
                "không nạp dòng nào", row.sheet or None, _anchor(row), **context))


def _complementary(rows: list[Row]) -> bool:
    """Rows of one school and period that speak for different fields, or agree where they speak for the same."""
    said: dict = {}
    for row in rows:
        for code in reported(row):
            if code in said and said[code] != row.values.get(code):
                return False
            said[code] = row.values.get(code)
    return True


def _anchor(row) -> str | None:
    from etl.extract.records import _anchor as cells_anchor
    return row.anchor if isinstance(row, AssessmentRows) else cells_anchor(row.cells)


def _warn_big_changes(results: list[FileResult], con, catalogue: Catalogue, settings: dict) -> None:
    """A value far from the school's previous period loads, flagged."""
    history: dict[str, list[tuple[tuple, dict]]] = defaultdict(list)
    columns = ", ".join(CHANGE_FIELDS)
    fresh = [(res, r) for res in results for r in res.accepted()[0]]
    if not fresh:
        return
    codes = sorted({r.values["school_code"] for _, r in fresh})  # the history of these schools only, not everyone's
    for row in con.execute(f"SELECT school_code, school_year, period, {columns} FROM survey "
                           "WHERE school_code IN (SELECT unnest(?::VARCHAR[]))", [codes]).fetchall():
        history[row[0]].append(((row[1], PERIOD_ORDER[row[2]]), dict(zip(CHANGE_FIELDS, row[3:]))))
    for _, r in fresh:
        history[r.values["school_code"]].append(
            ((r.values["school_year"], PERIOD_ORDER[r.values["period"]]), r.values))
    ratio, minimum = settings["change_warn_ratio"], settings["change_warn_min"]
    labels = catalogue.labels
    for result, row in fresh:
        key = (row.values["school_year"], PERIOD_ORDER[row.values["period"]])
        earlier = [(k, v) for k, v in history[row.values["school_code"]] if k < key]
        if not earlier:
            continue
        previous_key, previous = max(earlier, key=lambda kv: kv[0])
        for name in CHANGE_FIELDS:
            new, old = row.values.get(name), previous.get(name)
            if new is None or not old or abs(new - old) < minimum or abs(new - old) / old <= ratio:
                continue
            period = f"{'học kỳ I' if previous_key[1] == 0 else 'cả năm'} {previous_key[0]}"
            ref = row.cells[name].ref if name in row.cells else _anchor(row)
            row.warnings.append(result.log.warning(
                "far_from_previous", f"{labels[name]} = {fmt_number(new)}, kỳ trước ({period}) là {fmt_number(old)} "
                f"(thay đổi {fmt_number(100 * (new - old) / old)}%); hãy kiểm tra", row.sheet or None, ref,
                school_code=row.values["school_code"], school_year=row.values["school_year"],
                period=row.values["period"]))


def _status(result: FileResult) -> str:
    if result.layouts == ["registry"]:
        return "skipped"
    if result.log.count("error") or result.rows_rejected or result.unaccounted_numbers:
        return "partial" if result.rows_loaded else "rejected"
    return "loaded" if result.rows_loaded or result.survey or result.assessment else "rejected"


def file_hints(hints: dict | None, sha: str | None) -> dict:
    """The hints for one file: the column mappings of every profile and correction, the year and period of every
    profile (by header signature), the year and period set for this file (by its content hash) in the review."""
    hints = hints or {}
    return {"columns": hints.get("columns", {}), "bands": hints.get("bands", {}), "profiles": hints.get("profiles", {}),
            "contexts": hints.get("contexts", {}), **hints.get("files", {}).get(sha or "", {})}


def _expanded(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to read and the folders that could not be read; a usage error if there is nothing to read."""
    files, problems, unreadable = expand_paths(paths)
    if problems:
        raise UsageError("\n".join(problems))
    if not files and not unreadable:
        raise UsageError("không có tệp bảng tính nào để nạp (.xlsx, .xls, .xlsb, .ods, .csv)")
    return files, unreadable


def read_batch(paths: list[Path], con, catalogue: Catalogue, force: bool = False,
               progress: Callable[[str], None] = lambda message: None, hints: dict | None = None,
               expanded: tuple[list[Path], list[Path]] | None = None) -> list[FileResult]:
    """Read, check and compare with the warehouse (`con`, read-only is enough) every file of `paths` (or of
    `expanded`, when the caller has walked the folders already); nothing is written. The statuses say what a load
    would do with each file."""
    from etl.settings import load_settings

    files, unreadable = expanded or _expanded(paths)
    registry = Registry(_schools(con))
    if not registry.schools:
        raise UsageError("kho dữ liệu chưa có danh mục trường; hãy cài danh mục trước: python -m etl registry "
                         "<tệp danh mục>")
    loaded = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT sha256, file_name, status FROM load_log WHERE status IN ('loaded', 'partial')").fetchall()}
    results: list[FileResult] = []
    to_read: list[FileResult] = []
    read_at: list[int] = []  # where each file to read stands in `results`
    seen: dict[str, str] = {}
    for path in files:
        result = FileResult(path)
        results.append(result)
        try:
            result.sha = sha256_file(path)
        except OSError:
            result.log.error("unreadable", "không đọc được tệp (không có quyền đọc hoặc tệp đang bị khoá); hãy "
                             "kiểm tra quyền của tệp rồi nạp lại")
        if result.sha is None:
            pass
        elif not force and result.sha in loaded:
            result.status = "unchanged"
            earlier, how = loaded[result.sha]
            partly = (" — lần đó chỉ nạp một phần (có dòng bị từ chối hoặc ô số không đọc được; xem báo cáo của lần "
                      "nạp đó ở trang Chất lượng dữ liệu)") if how == "partial" else ""
            result.log.info("already_loaded", f"nội dung đã được nạp trước đây (tệp {earlier}); không thay đổi "
                            f"gì{partly}")
        elif not force and result.sha in seen:
            result.status = "unchanged"
            result.log.info("same_content", f"nội dung giống hệt tệp {seen[result.sha]} trong lần này; chỉ đọc tệp "
                            "đó một lần")
        else:
            seen[result.sha] = path.name
            result.hints = file_hints(hints, result.sha)
            read_at.append(len(results) - 1)
            to_read.append(result)
    done = iter(range(1, len(to_read) + 1))
    read_files(to_read, catalogue, registry,
               lambda r: progress(f"[{next(done)}/{len(to_read)}] {r.name} ({r.seconds:.2f} giây)"))
    for position, result in zip(read_at, to_read):  # the workers hand back new FileResult objects
        results[position] = result
    for folder in unreadable:  # reported as a file that could not be read, so the rest of the batch goes on
        result = FileResult(folder)
        result.log.error("unreadable_folder", "không đọc được thư mục (không có quyền đọc); các tệp trong đó "
                         "chưa được nạp; hãy cấp quyền đọc rồi nạp lại thư mục này")
        results.append(result)
    fresh = [r for r in results if r.status != "unchanged"]
    from etl.submissions import refuse_locked

    refuse_locked(fresh, con)
    if (hints or {}).get("allowed_schools") is not None:
        _refuse_outside(fresh, set(hints["allowed_schools"]))
    _reject_duplicates(fresh)
    _warn_big_changes(fresh, con, catalogue, load_settings())
    for result in fresh:
        result.account()
        result.status = _status(result)
    return results


def _refuse_outside(results: list[FileResult], allowed: set[str]) -> None:
    """Rows of schools outside the account's scope (a ward's analyst, a school) become errors; the rest loads."""
    for result in results:
        for row in [*result.accepted()[0], *result.accepted()[1]]:
            code = row.values.get("school_code") if isinstance(row, Row) else row.school_code
            if code not in allowed:
                row.errors.append(result.log.error(
                    "outside_scope", "dòng của một trường khác, không thuộc phạm vi của tài khoản đang nạp (hoặc của "
                    "trường đã gửi tệp); dòng này không được nạp", row.sheet or None, _anchor(row)))
        for issue in result.log.items:  # nothing of that row is filed against a school the reader may not write
            if issue.school_code is not None and issue.school_code not in allowed:
                issue.school_code = None


def run_load(paths: list[Path], db_path: Path, command: str = "", force: bool = False,
             progress: Callable[[str], None] = lambda message: None, hints: dict | None = None,
             expected_version: str | None = None) -> dict:
    """Load files into the warehouse; returns the report (see etl.report). The import profiles saved beside the
    warehouse apply, then `hints` (corrections made in a review). With `expected_version` (the warehouse's
    data_version when the review was made), a warehouse changed since is refused: the review would be stale."""
    from etl.intake import IntakeError, load_profiles, merge_hints, profile_hints

    started = time.monotonic()
    started_at = dt.datetime.now()
    catalogue = load_catalogue()
    try:
        hints = merge_hints(profile_hints(load_profiles(db_path)), hints or {})
    except IntakeError as exc:
        raise UsageError(str(exc)) from None
    expanded = _expanded(paths)  # a usage error before the warehouse is touched; the folders are walked once
    with WarehouseWrite(db_path, catalogue) as write:
        con = write.con
        if expected_version is not None and (get_meta(con, "data_version") or "") != expected_version:
            write.discard()
            raise UsageError("kho dữ liệu đã thay đổi từ lúc xem trước (có lần nạp khác); hãy xem trước lại rồi nạp")
        try:
            results = read_batch(paths, con, catalogue, force, progress, hints, expanded)
        except UsageError as exc:
            write.discard()
            if "danh mục trường" in str(exc):
                raise UsageError(f"{db_path.name}: kho dữ liệu chưa có danh mục trường; hãy chạy trước: "
                                 f"python -m etl registry <tệp danh mục> --db {db_path}") from None
            raise
        fresh = [r for r in results if r.status != "unchanged"]
        if not fresh:
            write.discard()
            load_id = None
        else:
            load_id = write.next_load_id()
            from etl.store import store_results
            store_results(write, fresh, load_id, command, started_at)
            write.keep_version({"load_id": load_id, "command": command, "files": [r.name for r in fresh],
                                "saved_at": started_at.isoformat(timespec="seconds")})
    elapsed = time.monotonic() - started
    from etl.report import build_report
    return build_report(results, load_id, db_path, elapsed)


def _schools(con) -> list[dict]:
    cursor = con.execute("SELECT * FROM schools")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


__all__ = ["run_load", "UsageError", "FileResult", "Issue"]
