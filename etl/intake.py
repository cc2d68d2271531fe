"""Intake from the app (page "Nạp số liệu"): uploaded files saved to an inbox, a review of what a load would do
with nothing written, corrections (a column mapped to a field, the year or period set) kept as import profiles,
the load of exactly what was reviewed, and the warehouse versions kept for undo.

The review reads the files the way `python -m etl load` does (the same reader processes, checks and registry)
against the warehouse as it is, then compares the rows it would store with those stored: added, replaced (old
value → new value) or refused, each with its sheet and cell."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb

from etl.extract import LAYOUT_VI
from etl.loader import _schools, row_key
from etl.registry import Registry, suggest
from etl.report import STATUS_VI
from etl.textnorm import fmt_number, safe_name
from etl.workbook import SPREADSHEET_EXTENSIONS

UPLOAD_EXTENSIONS = tuple(sorted({*SPREADSHEET_EXTENSIONS, ".xlsm", ".zip"}))
MAX_UPLOAD_FILES = 500  # files in one upload, counting those inside a .zip
MAX_UPLOAD_TOTAL_MB = 500


class IntakeError(Exception):
    """One Vietnamese sentence for the page."""


# ---- uploads ----------------------------------------------------------------------------------------------

def inbox_folder(db_path: Path) -> Path:
    """A new folder for one upload, beside the warehouse (kept: the files a review and a load read)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = Path(db_path).parent / "inbox" / stamp
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def save_uploads(uploads: list[tuple[str, bytes]], folder: Path, max_file_mb: float) -> tuple[list[Path], list[str]]:
    """Save uploaded files (name, content) in `folder`; a .zip is expanded (spreadsheets only, folders kept, nothing
    outside `folder`). Returns the spreadsheets saved and one sentence per file refused."""
    saved: list[Path] = []
    problems: list[str] = []
    total = 0
    limit = int(max_file_mb * 1024 * 1024)

    def keep(name: str, data: bytes) -> None:
        nonlocal total
        shown = safe_name(name)
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in SPREADSHEET_EXTENSIONS and suffix != ".xlsm":
            problems.append(f"{shown}: không phải tệp bảng tính (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv) nên bỏ qua")
            return
        if len(data) > limit:
            problems.append(f"{shown}: dung lượng {fmt_number(len(data) / 1048576, 1)} MB vượt giới hạn "
                            f"{fmt_number(max_file_mb)} MB cho một tệp; hãy tách tệp hoặc bỏ các trang không cần")
            return
        if len(saved) >= MAX_UPLOAD_FILES:
            problems.append(f"{shown}: quá {MAX_UPLOAD_FILES} tệp trong một lần tải lên; hãy tải phần còn lại lần sau")
            return
        total += len(data)
        if total > MAX_UPLOAD_TOTAL_MB * 1048576:
            problems.append(f"{shown}: tổng dung lượng lần tải lên vượt {MAX_UPLOAD_TOTAL_MB} MB; hãy tải phần còn "
                            "lại lần sau")
            return
        target = _unique(folder / _safe_relative(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        saved.append(target)

    for name, data in uploads:
        if PurePosixPath(name).suffix.lower() == ".zip":
            _expand_zip(name, data, keep, problems, limit)
        else:
            keep(PurePosixPath(name.replace("\\", "/")).name, data)
    return saved, problems


def _expand_zip(name: str, data: bytes, keep, problems: list[str], limit: int) -> None:
    import io

    shown = safe_name(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        problems.append(f"{shown}: tệp .zip bị hỏng hoặc không phải tệp nén zip; hãy nén lại thư mục rồi tải lên")
        return
    if not members:
        problems.append(f"{shown}: tệp .zip không có tệp nào")
        return
    for member in members:
        inner = member.filename.replace("\\", "/")
        label = f"{shown} › {safe_name(inner)}"
        base = PurePosixPath(inner).name
        if base.startswith(("~$", ".")) or "__MACOSX" in inner:
            continue
        if member.file_size > limit:
            problems.append(f"{label}: dung lượng sau giải nén vượt giới hạn {fmt_number(limit / 1048576)} MB cho "
                            "một tệp")
            continue
        try:
            content = archive.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            problems.append(f"{label}: không giải nén được (tệp nén hỏng hoặc có mật khẩu)")
            continue
        keep(inner, content)


def _safe_relative(name: str) -> Path:
    """A path inside the upload folder: no absolute path, no '..', no empty or hidden parts."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    parts = [p.replace(":", "_") for p in parts if not p.startswith(".")] or ["tep"]
    return Path(*parts)


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise IntakeError(f"{safe_name(path.name)}: quá nhiều tệp trùng tên")


# ---- import profiles ------------------------------------------------------------------------------------

def profiles_path(db_path: Path) -> Path:
    return Path(db_path).parent / "import_profiles.json"


def load_profiles(db_path: Path) -> list[dict]:
    """Saved corrections: {name, signature, header_rows, columns: {column letter: field or ""}, labels: {letter:
    label}, context: {school_year, period} as chosen in the review (either may be absent), created_at}."""
    path = profiles_path(db_path)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IntakeError(f"{path.name}: không đọc được tệp mẫu nhập ({exc}); hãy khôi phục tệp từ bản sao lưu "
                          "hoặc xoá tệp để tạo lại các mẫu") from None
    return [p for p in data.get("profiles", []) if isinstance(p, dict) and p.get("signature")]


def save_profiles(db_path: Path, profiles: list[dict]) -> None:
    path = profiles_path(db_path)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps({"profiles": profiles}, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)


PROFILE_CONTEXT = ("school_year", "period")


def save_profile(db_path: Path, name: str, sheet: dict, columns: dict[str, str], context: dict | None = None,
                 header_chosen: bool = False) -> dict:
    """Keep the corrections of one sheet under `name`, keyed by its header signature: the columns read otherwise,
    and the school year and period chosen in the review (`context`), which a later file of the same shape gets when
    it does not state them itself. A profile of the same signature is added to, never emptied: what this review
    leaves as the loader reads it (a column the profile already maps reads so now) keeps the profile's choice.
    Nothing to keep (no column, no year or period, header rows found by the loader itself) is refused, as is the name
    of a profile of another shape."""
    name = name.strip()
    if not name:
        raise IntakeError("Hãy đặt tên cho mẫu nhập, ví dụ \"Biểu khảo sát trường TH Lê Lợi\".")
    context = {k: v for k, v in (context or {}).items() if k in PROFILE_CONTEXT and v}
    profiles = load_profiles(db_path)
    same = next((p for p in profiles if p["signature"] == sheet["signature"]), None)
    if any(p["name"] == name and p is not same for p in profiles):
        raise IntakeError(f"Đã có mẫu nhập «{name}» cho một dạng biểu khác; hãy đặt tên khác (hoặc xoá mẫu đó ở "
                          "phần «Mẫu nhập đã lưu»).")
    columns = {**(same or {}).get("columns", {}), **columns}
    context = {**(same or {}).get("context", {}), **context}
    if not columns and not context and not header_chosen:
        raise IntakeError("Cách đọc trang này chưa khác cách chương trình tự đọc (không sửa cột nào, không chọn năm "
                          "học hay kỳ báo cáo, không đặt dòng tiêu đề): không có gì để lưu thành mẫu nhập.")
    if same and (same["name"], same["columns"], same.get("context", {})) == (name, columns, context):
        return same  # saved already (a second click): nothing written
    now = dt.datetime.now().isoformat(timespec="seconds")
    profile = {"name": name, "signature": sheet["signature"], "header_rows": list(sheet.get("header_rows") or []),
               "labels": {**(same or {}).get("labels", {}), **{c["letter"]: c["label"] for c in sheet["columns"]}},
               "columns": columns, "created_at": (same or {}).get("created_at", now)}
    if context:
        profile["context"] = context
    if same:
        profile["changed_at"] = now
    save_profiles(db_path, [*(p for p in profiles if p is not same), profile])
    return profile


def update_profile(db_path: Path, name: str, columns: dict[str, str]) -> None:
    """Change the column mapping of a saved profile (column letter → field, "" to ignore): the columns given change,
    the others keep their mapping (never emptied by an edit that shows no column)."""
    profiles = load_profiles(db_path)
    found = [p for p in profiles if p["name"] == name]
    if not found:
        raise IntakeError(f"Không còn mẫu nhập «{name}» (có thể vừa bị xoá); hãy tải lại trang.")
    for profile in found:
        profile["columns"] = {**profile["columns"], **columns}
        profile["changed_at"] = dt.datetime.now().isoformat(timespec="seconds")
    save_profiles(db_path, profiles)


def delete_profile(db_path: Path, name: str) -> None:
    save_profiles(db_path, [p for p in load_profiles(db_path) if p["name"] != name])


def profile_hints(profiles: list[dict]) -> dict:
    """Column mappings by signature, and the header rows of each profile: a sheet the loader does not recognise
    on its own is tried with those rows and read with the profile if its header has the profile's signature; the
    school year and period of a profile by signature, for a sheet of that header that does not state them."""
    return {"profiles": {p["signature"]: p["columns"] for p in profiles},
            "bands": {p["signature"]: p["header_rows"] for p in profiles if p.get("header_rows")},
            "contexts": {p["signature"]: p["context"] for p in profiles if p.get("context")}}


def merge_hints(*parts: dict) -> dict:
    """Hints for the reader: saved profiles (column mappings and header rows by header signature), this review's
    column corrections by signature, and per file (content hash) the year, period, layout, header rows and schools
    chosen; later parts win."""
    merged: dict = {"columns": {}, "files": {}, "bands": {}, "profiles": {}, "contexts": {}}
    for part in parts:
        merged["bands"].update((part or {}).get("bands", {}))
        merged["contexts"].update((part or {}).get("contexts", {}))
        merged["profiles"].update((part or {}).get("profiles", {}))
        for signature, columns in (part or {}).get("columns", {}).items():
            merged["columns"][signature] = {**merged["columns"].get(signature, {}), **columns}
        for sha, context in (part or {}).get("files", {}).items():
            merged["files"][sha] = {**merged["files"].get(sha, {}), **context}
        if (part or {}).get("allowed_schools") is not None:  # a scope: each one given narrows, none widens
            given = list(part["allowed_schools"])
            merged["allowed_schools"] = ([c for c in merged["allowed_schools"] if c in set(given)]
                                         if "allowed_schools" in merged else given)
    return merged


# ---- the review -------------------------------------------------------------------------------------------

@dataclass
class FileReview:
    name: str
    path: str
    sha: str | None
    status: str
    layouts: list[str]
    periods: list[str]
    sheets: list[dict]
    added: int = 0
    replaced: int = 0
    refused: int = 0
    schools: list[dict] = field(default_factory=list)  # code, name, period, how, sheet, cell, action
    changes: list[dict] = field(default_factory=list)  # code, name, period, field, old, new
    refusals: list[dict] = field(default_factory=list)  # sheet, cell, school, reason
    messages: list[dict] = field(default_factory=list)  # severity, sheet, cell, text
    cells: dict = field(default_factory=dict)  # every non-empty cell by bucket (etl.report.cell_totals)
    accounting: list[dict] = field(default_factory=list)  # per sheet: buckets, unaccounted ranges, reasons
    accepted: int = 0  # numbers the reviewer saw unread and chose to leave out, loading the rest

    @property
    def unaccounted(self) -> int:
        """Numbers of the file that nothing read: the file stops here until they are dealt with."""
        return self.cells.get("unaccounted_numbers", 0)

    @property
    def held(self) -> bool:
        return bool(self.unaccounted) and self.status not in ("unchanged", "skipped")

    def unread_fingerprints(self) -> dict[str, str]:
        """Per sheet, which numbers are unread now: what a reviewer's acknowledgement is given for."""
        return {sheet["sheet"] or "": sheet["unaccounted_digest"] for sheet in self.accounting
                if sheet["unaccounted_numbers"]}

    @property
    def status_vi(self) -> str:
        if self.held:
            return f"dừng ở xem trước: {self.unaccounted} ô số chưa được đọc"
        if self.status == "unchanged" and any(m.get("code") == "same_content" for m in self.messages):
            return "trùng nội dung một tệp khác trong lần này (chỉ đọc một lần)"
        return REVIEW_STATUS_VI.get(self.status, STATUS_VI.get(self.status, self.status))

    @property
    def layouts_vi(self) -> str:
        return ", ".join(LAYOUT_VI.get(k, k) for k in dict.fromkeys(self.layouts)) or "không nhận ra"


REVIEW_STATUS_VI = {"loaded": "sẽ nạp", "partial": "sẽ nạp một phần", "rejected": "sẽ bị từ chối",
                    "unchanged": "không đổi (đã nạp trước đây)", "skipped": "bỏ qua"}


@dataclass
class Review:
    files: list[FileReview]
    data_version: str | None
    hints: dict
    paths: list[str]
    origin: dict | None = None  # a sending from the queue: {"submission", "school"}

    def totals(self) -> dict:
        return {"files": len(self.files), "held": sum(f.held for f in self.files),
                "added": sum(f.added for f in self.files),
                "replaced": sum(f.replaced for f in self.files), "refused": sum(f.refused for f in self.files),
                "errors": sum(m["severity"] == "error" for f in self.files for m in f.messages),
                "warnings": sum(m["severity"] == "warning" for f in self.files for m in f.messages)}


def review_files(paths: list[Path], db_path: Path, hints: dict | None = None, progress=lambda message: None,
                 origin: dict | None = None) -> Review:
    """What loading `paths` would do now, without writing anything."""
    from etl.loader import UsageError, read_batch
    from etl.reference import load_catalogue
    from etl.warehouse import WarehouseError, get_meta, open_read_only

    db_path = Path(db_path)
    if not db_path.exists():
        raise IntakeError(f"Chưa có kho dữ liệu ({db_path.name}); hãy cài danh mục trường trước: "
                          "python -m etl registry <tệp danh mục>.")
    hints = merge_hints(profile_hints(load_profiles(db_path)), hints or {})
    catalogue = load_catalogue()
    try:
        con = open_read_only(db_path)
    except duckdb.Error as exc:
        raise IntakeError(str(WarehouseError.from_duckdb(db_path, exc))) from None
    try:
        version = get_meta(con, "data_version")
        try:
            results = read_batch(paths, con, catalogue, force=False, progress=progress, hints=hints)
        except UsageError as exc:
            raise IntakeError(str(exc)) from None
        registry = Registry(_schools(con))  # once per review, not once per file
        names = {s["school_code"]: s["school_name"] for s in registry.schools}
        allowed = hints.get("allowed_schools")
        files = [_file_review(result, con, catalogue, registry, names, allowed) for result in results]
    finally:
        con.close()
    return Review(files, version, hints, [str(p) for p in paths], origin)


def _file_review(result, con, catalogue, registry: Registry, names: dict[str, str], allowed=None) -> FileReview:
    """What loading one file would do. `allowed`: the schools the reader may load (a school, a ward): a refusal
    suggests only those, never another school's registry entry."""
    from etl.report import cell_totals

    review = FileReview(result.name, str(result.path), result.sha, result.status, list(result.layouts),
                        result.periods() if result.status != "unchanged" else [], list(result.sheets),
                        cells=cell_totals(result.accounting), accounting=list(result.accounting),
                        accepted=result.accepted_numbers)
    review.messages = [{"severity": i.severity, "sheet": i.sheet, "cell": i.cell, "text": i.message,
                        "school_code": i.school_code, "code": i.code} for i in result.log.items]
    if result.status in ("unchanged", "skipped"):
        return review
    survey, assessment, _ = result.accepted()
    stored = _stored_survey(con, survey, catalogue)
    for row in result.survey:
        code = row.values.get("school_code")
        period = f"{row.values.get('school_year')} {row.values.get('period')}"
        cell = _row_anchor(row)
        if not row.ok:
            review.refused += 1
            school = code or row.values.get("school_name")
            if any(i.code == "outside_scope" for i in row.errors):  # as the file writes it, nothing of the registry
                school = " – ".join(v for v in (_raw(row, "school_code"), _raw(row, "school_name")) if v) or "?"
            refusal = {"sheet": row.sheet, "cell": cell, "school": school,
                       "reason": "; ".join(i.message for i in row.errors), "row_key": row_key(row.sheet, row.row)}
            if any(i.code == "match_error" for i in row.errors) and row.row is not None:
                written = row.values.get("school_name") or _raw(row, "school_name")
                refusal["written"] = " – ".join(str(v) for v in (_raw(row, "school_code"), written) if v)
                refusal["suggestions"] = [{"school_code": s["school_code"], "school_name": s["school_name"],
                                           "score": s["score"]} for s in suggest(registry, written,
                                                                                 row.values.get("level"))
                                          if allowed is None or s["school_code"] in set(allowed)]
            review.refusals.append(refusal)
            continue
        if row.duplicate_of is not None:
            continue
        old = stored.get((code, row.values.get("school_year"), row.values.get("period")))
        action = "replace" if old is not None else "add"
        review.schools.append({"school_code": code, "school_name": names.get(code, code), "period": period,
                               "how": row.matched_by, "sheet": row.sheet, "cell": cell, "action": action})
        if old is None:
            review.added += 1
            continue
        review.replaced += 1
        for key, label in _survey_fields(catalogue):
            new_value, old_value = row.values.get(key), old.get(key)
            if key in row.values and not _same(new_value, old_value):
                review.changes.append({"school_code": code, "school_name": names.get(code, code), "period": period,
                                       "field": label, "old": _shown(old_value), "new": _shown(new_value),
                                       "cell": row.cells[key].ref if key in row.cells else None})
    stored_4725 = _stored_assessment(con, assessment)
    for rows in result.assessment:
        if not rows.ok:
            review.refused += 1
            review.refusals.append({"sheet": rows.sheet, "cell": rows.anchor, "school": rows.school_code,
                                    "reason": "; ".join(i.message for i in rows.errors)})
            continue
        if rows.duplicate_of is not None:
            continue
        key = (rows.school_code, rows.school_year, rows.kind)
        action = "replace" if key in stored_4725 else "add"
        review.schools.append({"school_code": rows.school_code, "school_name": names.get(rows.school_code),
                               "period": f"4725 {rows.school_year}", "how": getattr(rows, "matched_by", ""),
                               "sheet": rows.sheet, "cell": rows.anchor, "action": action})
        if action == "add":
            review.added += 1
            continue
        review.replaced += 1
        new_total = sum(s["score"] or 0 for s in rows.scores)
        if not _same(round(new_total, 2), round(stored_4725[key], 2)):
            review.changes.append({"school_code": rows.school_code, "school_name": names.get(rows.school_code),
                                   "period": f"4725 {rows.school_year}", "field": KIND_VI.get(rows.kind, rows.kind),
                                   "old": _shown(stored_4725[key]), "new": _shown(new_total), "cell": rows.anchor})
    review.added += len(result.accepted()[2])
    return review


KIND_VI = {"self": "Tổng điểm tự đánh giá 4725", "verified": "Tổng điểm thẩm định 4725"}


def _survey_fields(catalogue) -> list[tuple[str, str]]:
    skip = {"school_code", "school_name", "school_year", "period", "level", "ownership", "ward_old"}
    return [(key, f.label_vi) for key, f in catalogue.fields.items() if key not in skip]


def _stored_survey(con, rows, catalogue) -> dict:
    keys = sorted({(r.values["school_code"], r.values["school_year"], r.values["period"]) for r in rows})
    if not keys:
        return {}
    columns = [c for c, _ in _survey_fields(catalogue)]
    present = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'survey'").fetchall()}
    columns = [c for c in columns if c in present]
    found = con.execute(
        f"""SELECT school_code, school_year, period, {', '.join(columns)} FROM survey
            WHERE school_code || '|' || school_year || '|' || period IN (SELECT unnest(?::VARCHAR[]))""",
        [["|".join(k) for k in keys]]).fetchall()
    return {tuple(r[:3]): dict(zip(columns, r[3:])) for r in found}


def _stored_assessment(con, rows) -> dict:
    keys = sorted({(r.school_code, r.school_year, r.kind) for r in rows})
    if not keys:
        return {}
    found = con.execute(
        """SELECT school_code, school_year, kind, sum(coalesce(score, 0)) FROM assessment_scores
           WHERE school_code || '|' || school_year || '|' || kind IN (SELECT unnest(?::VARCHAR[]))
           GROUP BY ALL""", [["|".join(k) for k in keys]]).fetchall()
    return {tuple(r[:3]): float(r[3]) for r in found}


def _raw(row, key: str) -> str | None:
    cell = row.cells.get(key)
    return str(cell.raw).strip() if cell is not None and cell.raw not in (None, "") else None


def _row_anchor(row) -> str | None:
    from etl.loader import _anchor
    return _anchor(row)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _shown(value) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    return str(value)


# ---- confirm, versions, undo ------------------------------------------------------------------------------

def confirm(review: Review, db_path: Path, progress=lambda message: None, scope=None, who: str = "") -> dict:
    """Load exactly the reviewed files with the reviewed corrections; refused if the warehouse changed since. Only
    rows of schools in `scope` (the loading account's; None: every school) load, and of a sending from the queue
    only the sending school's rows, whatever the review's hints say; the sending is then recorded as loaded."""
    from etl import submissions
    from etl.loader import UsageError, run_load
    from etl.warehouse import Busy, WarehouseError, sha256_file

    paths = [Path(f.path) for f in review.files if f.status not in ("unchanged", "skipped") and not f.held]
    if not paths:
        if any(f.held for f in review.files):
            raise IntakeError("Chưa nạp: các tệp còn ô số chưa được đọc. Hãy xem các vùng được chỉ ra, sửa tệp hoặc "
                              "cách đọc, hoặc xác nhận đã xem rồi nạp phần đã đọc được.")
        raise IntakeError("Không có tệp nào cần nạp: các tệp đã được nạp trước đây hoặc không phải số liệu.")
    for reviewed in review.files:
        if reviewed.sha and Path(reviewed.path).exists() and sha256_file(Path(reviewed.path)) != reviewed.sha:
            raise IntakeError(f"{reviewed.name}: tệp đã thay đổi sau khi xem trước; hãy xem trước lại.")
    if review.origin:  # another session may have loaded or returned it, or the school taken it back, meanwhile
        state = submissions.submission_state(db_path, review.origin["submission"])
        if state is not None and state not in submissions.WAITING:
            raise IntakeError(f"Không nạp: tệp này {submissions.STATE_VI.get(state, state).lower()} trong lúc đang xem "
                              "(ở một phiên khác); danh sách chờ đã được cập nhật.")
    allowed = None if scope is None else set(scope)
    if review.origin:
        sending = {review.origin["school"]}
        allowed = sending if allowed is None else allowed & sending
    hints = dict(review.hints)
    if allowed is not None:
        given = hints.get("allowed_schools")
        hints["allowed_schools"] = sorted(allowed if given is None else allowed & set(given))
    try:
        report = run_load(paths, db_path, command="app: nạp số liệu", progress=progress, hints=hints,
                          expected_version=review.data_version or "")
    except (UsageError, Busy, WarehouseError) as exc:
        raise IntakeError(str(exc)) from None
    if review.origin and (sent := pending_of(db_path, review.origin["submission"])) is not None:
        if any(f.get("rows_loaded") for f in report["files"]):
            submissions.record(db_path, _pending_steps(sent, "loaded", who or submissions.LOCAL_USER,
                                                       load_id=report.get("load_id")))
            close_pending(Path(sent["folder"]))
            report["submission"] = "loaded"
        else:
            report["submission"] = "kept"  # nothing of it loaded (a locked period, errors): still in the queue
    from etl.extract.ledger import describe

    report["held"] = [{"file": f.name, "unaccounted": f.unaccounted,  # stopped at the review: not loaded
                       "where": "; ".join(f"trang '{s['sheet'] or ''}': {describe(s, numbers_only=True)}"
                                          for s in f.accounting if s["unaccounted_numbers"])}
                      for f in review.files if f.held]
    return report


def list_versions(db_path: Path) -> list[dict]:
    """Warehouse versions kept before each load (newest first): {path, load_id, saved_at, files}."""
    from etl.warehouse import version_of, versions_folder

    folder = versions_folder(db_path)
    found = []
    for info in sorted(folder.glob("*.json"), reverse=True):
        if (meta := version_of(info, db_path)) is None:
            continue  # kept for another warehouse of the same folder
        path = info.with_suffix(".duckdb")
        if path.exists():
            found.append({**meta, "path": str(path)})
    return found


def undo_last_load(db_path: Path, scope=None, who: str = "") -> dict:
    """Put back the warehouse as it was before the last load and record the undo in it. The undone load's files stay
    in the archive (and the inbox), so they can be loaded again. Refused when that load touched a school outside
    `scope` (the actor's schools; None: all) or a locked period."""
    from etl import submissions
    from etl.warehouse import open_read_only, restore_version

    versions = list_versions(db_path)
    if not versions:
        raise IntakeError("Không có phiên bản trước nào để hoàn tác (chưa có lần nạp nào từ khi bật lưu phiên bản).")
    try:
        with open_read_only(db_path) as con:
            submissions.check_undo(con, versions[0].get("load_id"), scope)
    except submissions.SubmissionError as exc:
        raise IntakeError(str(exc)) from None
    undone = restore_version(Path(db_path), versions[0])
    _requeue(db_path, undone.get("load_id"), who)
    return undone


def _requeue(db_path: Path, load_id, who: str) -> None:
    """The sendings that load took from the queue, and that nobody decided on since, wait in it again (their figures
    are gone with the undo); a sending returned, approved or superseded since stays where it is."""
    from etl import submissions

    if load_id is None:
        return
    steps = submissions.events(db_path)
    steps = steps[steps.submission.notna()]
    for submission, mine in steps.groupby("submission", sort=False):
        last = mine.iloc[-1]
        if last.state != "loaded" or last.load_id != load_id:
            continue
        later = steps[(steps.school_code == last.school_code) & (steps.school_year == last.school_year)
                      & (steps.period == last.period) & (steps["at"] > last["at"])
                      & steps.state.isin(["approved", "returned", "sent", "resent"])]
        if not later.empty:
            continue  # the office decided, or the school sent again, since: the undo does not take that back
        done = Path(db_path).parent / "inbox" / f"da_xu_ly-{submission}"
        target = pending_folder(db_path) / submission
        if done.is_dir() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(done, target)
        if (meta := pending_of(db_path, submission)) is not None:
            submissions.record(db_path, _pending_steps(meta, "requeued", who or submissions.LOCAL_USER,
                                                       f"hoàn tác lần nạp số {load_id}", load_id=load_id))


def school_year_choices(today: dt.date | None = None) -> list[str]:
    """School years an office may be loading: from five years back to the current one (a year starts in August)."""
    today = today or dt.date.today()
    current = today.year if today.month >= 8 else today.year - 1
    return [f"{y}-{y + 1}" for y in range(current, current - 6, -1)]


# ---- files a school sends, waiting for an analyst ---------------------------------------------------------
# A sending is a folder of files under pending/ with its metadata (gui_luc.json) and a record in the submission store
# (etl.submissions): sent or resent, in review, loaded, returned, withdrawn. It stays in the queue, for every analyst
# of its scope, until it is loaded, returned or withdrawn: looking at it takes it from no one.

def pending_folder(db_path: Path) -> Path:
    return Path(db_path).parent / "pending"


def _file_periods(reviewed) -> list[tuple[str | None, str | None]]:
    keys = []
    for text in reviewed.periods:
        year, _, period = text.partition(" ")
        keys.append((year, period))
    return keys or [(None, None)]


def submit_pending(review: Review, db_path: Path, who: str, school: str) -> Path:
    """Keep a school's reviewed files, with its corrections and its own scope, for an analyst to review and load;
    recorded as sent (resent after a return) for each period the files hold."""
    from etl import submissions

    stamp = dt.datetime.now()
    folder = pending_folder(db_path) / f"{stamp:%Y%m%d-%H%M%S-%f}-{re.sub(r'[^0-9A-Za-z_-]', '_', school)}"
    folder.mkdir(parents=True)
    names, periods = [], []
    for reviewed in review.files:
        if reviewed.status in ("unchanged", "skipped"):
            continue
        target = _unique(folder / Path(reviewed.path).name)
        target.write_bytes(Path(reviewed.path).read_bytes())
        names.append(target.name)
        periods += [key for key in _file_periods(reviewed) if key not in periods]
    if not names:
        folder.rmdir()
        raise IntakeError("Không có tệp nào cần gửi: các tệp đã được nạp trước đây hoặc không phải số liệu.")
    # the school's restriction travels with its files: whoever loads them, only this school's rows load
    hints = {**{k: v for k, v in review.hints.items() if k != "allowed_schools"}, "allowed_schools": [school]}
    (folder / "gui_luc.json").write_text(json.dumps({"who": who, "school": school, "files": names, "hints": hints,
                                                     "periods": periods, "at": stamp.isoformat(timespec="seconds")},
                                                    ensure_ascii=False), encoding="utf-8")
    for waiting in list_pending(db_path, [school]):  # a newer sending of the same period replaces a waiting one
        if waiting["submission"] != folder.name and {tuple(k) for k in waiting.get("periods") or []} & set(periods):
            submissions.record(db_path, _pending_steps(waiting, "withdrawn", who,
                                                       f"thay bằng tệp gửi lúc {stamp:%d/%m/%Y %H:%M}"))
            close_pending(Path(waiting["folder"]))
    earlier = submissions.events(db_path, schools=[school])
    decided = {(r.school_year, r.period): r.state for r in earlier.itertuples() if r.state in submissions.DECISIONS}
    returned = {key for key, state in decided.items() if state == "returned"}  # the office's latest word: a return
    submissions.record(db_path, [{"submission": folder.name, "school_code": school, "school_year": year,
                                  "period": period, "state": "resent" if (year, period) in returned else "sent",
                                  "by": who, "files": names} for year, period in periods])
    return folder


def record_draft(review: Review, db_path: Path, who: str, school: str) -> None:
    """A school previewed files of a period it has not sent: recorded as a draft (once per period until it sends)."""
    from etl import submissions

    periods = {key for f in review.files if f.status not in ("unchanged", "skipped") for key in _file_periods(f)
               if key[0]}
    if not periods:
        return
    steps = submissions.events(db_path, schools=[school])
    last = {(r.school_year, r.period): r.state for r in steps.itertuples()}
    names = [f.name for f in review.files]
    submissions.record(db_path, [{"school_code": school, "school_year": year, "period": period, "state": "draft",
                                  "by": who, "files": names} for year, period in sorted(periods)
                                 if last.get((year, period)) != "draft"])


def list_pending(db_path: Path, scope=None) -> list[dict]:
    """What schools sent and the office has not loaded, returned or withdrawn yet, oldest first; with the state
    (sent, resent, in_review) and who is looking at it. `scope`: the schools of the analyst (None: all)."""
    from etl import submissions

    found = []
    metas = sorted(pending_folder(db_path).glob("*/gui_luc.json"))
    latest = {}
    if metas:
        steps = submissions.events(db_path)
        steps = steps[steps.submission.notna()]
        latest = {r.submission: r for r in steps.itertuples()}  # oldest first: the newest step wins
    for meta in metas:
        try:
            sent = {**json.loads(meta.read_text(encoding="utf-8")), "folder": str(meta.parent),
                    "submission": meta.parent.name}
        except (OSError, ValueError):
            continue
        if scope is not None and sent.get("school") not in set(scope):
            continue
        last = latest.get(sent["submission"])
        if last is not None and last.state not in submissions.WAITING:
            continue  # loaded, returned or withdrawn: its folder is being moved away
        sent["state"] = last.state if last is not None else "sent"
        sent["looked_by"] = last.by if last is not None and last.state == "in_review" else None
        found.append(sent)
    return found


def sent_files(db_path: Path, school: str) -> set[str]:
    """The content hashes of every file `school` has sent (waiting or dealt with): what its own page reads the load
    messages of, whatever school codes the rows of those files carried."""
    from etl.warehouse import sha256_file

    safe = re.sub(r"[^0-9A-Za-z_-]", "_", school)
    metas = [*pending_folder(db_path).glob(f"*-{safe}/gui_luc.json"),
             *(Path(db_path).parent / "inbox").glob(f"da_xu_ly-*-{safe}/gui_luc.json")]
    found = set()
    for meta in metas:
        try:
            sent = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if sent.get("school") == school:
            found |= {sha256_file(meta.parent / name) for name in sent.get("files", [])
                      if (meta.parent / name).is_file()}
    return found


def pending_of(db_path: Path, submission: str) -> dict | None:
    if not submission or "/" in submission or "\\" in submission or submission.startswith("."):
        return None  # a sending is one folder of pending/, never a path
    meta = pending_folder(db_path) / submission / "gui_luc.json"
    try:
        return {**json.loads(meta.read_text(encoding="utf-8")), "folder": str(meta.parent),
                "submission": meta.parent.name}
    except (OSError, ValueError):
        return None


def _pending_steps(sent: dict, state: str, who: str, comment: str = "", cells=None, load_id=None) -> list[dict]:
    return [{"submission": sent["submission"], "school_code": sent["school"], "school_year": year, "period": period,
             "state": state, "by": who, "comment": comment, "files": sent["files"], "cells": cells or [],
             "load_id": load_id}
            for year, period in (tuple(k) for k in sent.get("periods") or [(None, None)])]


def take_pending(db_path: Path, submission: str, who: str, scope=None) -> tuple[list[Path], dict, str]:
    """An analyst opens a sending in review: copies of its files in the inbox, its hints (with the school's own
    restriction), recorded as in review. The sending stays in the queue."""
    from etl import submissions

    sent = pending_of(db_path, submission)
    if sent is None:
        raise IntakeError("Không còn tệp này trong danh sách chờ (đã được nạp, trả lại hoặc trường đã rút).")
    submissions.check_scope([sent["school"]], scope, "mở tệp")
    folder = inbox_folder(db_path) / f"tu_hang_cho-{submission}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in sent["files"]:
        target = folder / name
        target.write_bytes((Path(sent["folder"]) / name).read_bytes())
        paths.append(target)
    submissions.record(db_path, _pending_steps(sent, "in_review", who))
    return paths, sent.get("hints", {}), sent["school"]


def return_pending(db_path: Path, submission: str, who: str, comment: str, scope=None, cells=None) -> dict:
    """The office returns a sending without loading it, saying why; it leaves the queue."""
    from etl import submissions

    comment = (comment or "").strip()
    if not comment:
        raise IntakeError("Hãy ghi lý do trả lại (trường cần sửa gì) trước khi trả lại tệp.")
    sent = pending_of(db_path, submission)
    if sent is None:
        raise IntakeError("Không còn tệp này trong danh sách chờ (đã được nạp, trả lại hoặc trường đã rút).")
    submissions.check_scope([sent["school"]], scope, "trả lại")
    submissions.record(db_path, _pending_steps(sent, "returned", who, comment, cells))
    close_pending(Path(sent["folder"]))
    return sent


def withdraw_pending(db_path: Path, submission: str, who: str, school: str) -> dict:
    """A school takes back a sending the office has not loaded yet."""
    from etl import submissions

    sent = pending_of(db_path, submission)
    if sent is None or sent["school"] != school:
        raise IntakeError("Không còn tệp này trong danh sách chờ (phòng đã nạp hoặc đã trả lại).")
    submissions.record(db_path, _pending_steps(sent, "withdrawn", who))
    close_pending(Path(sent["folder"]))
    return sent


def close_pending(folder: Path) -> None:
    """A sending loaded, returned or withdrawn: it leaves the queue (its files stay in the inbox)."""
    folder = Path(folder)
    done = folder.parent.parent / "inbox" / f"da_xu_ly-{folder.name}"
    done.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(folder, done)
    except FileNotFoundError:
        pass  # moved by another session at the same moment
