"""Raw records -> typed rows. Every problem becomes an Issue at the cell it came from;
an error rejects the row, a warning keeps it with a flag."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.extract.context import SOURCE_VI
from etl.extract.records import AssessmentRecord, Cell, SurveyRecord, TaskRecord
from etl.issues import Issue, IssueLog
from etl.reference import ID_FIELDS, LEVEL_NAMES, PERIOD_NAMES, Catalogue
from etl.registry import Registry
from etl.rules import violation
from etl.textnorm import clean_text, fmt_number, norm_label
from etl.values import (
    PARSERS,
    find_level,
    parse_bool,
    parse_date,
    parse_level,
    parse_number,
    parse_ownership,
    parse_percent,
    parse_period,
    parse_school_year,
    parse_text,
    show,
    split_unit,
)

ENUM_PARSERS = {"level": parse_level, "ownership": parse_ownership, "period": parse_period,
                "school_year": parse_school_year}


@dataclass
class Row:
    """A typed row ready for the warehouse, with where it came from."""
    values: dict
    sheet: str
    row: int | None
    cells: dict[str, Cell]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    duplicate_of: object = None  # the row of this load that says the same and is stored instead
    matched_by: str = ""  # how the school was found in the registry: code | name | folded_name

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_cell(code: str, cell: Cell, catalogue: Catalogue, marked: bool, notes: list):
    """The typed value of a cell; a count typed with its unit word ("25 máy") adds (field, word, value) to `notes`."""
    field_ = catalogue.fields[code]
    raw = cell.raw
    if marked and (raw is None or clean_text(raw) == ""):
        return False
    if code in ENUM_PARSERS:
        return ENUM_PARSERS[code](raw)
    if code == "school_code":
        return parse_text(raw)
    if field_.type in ("int", "number"):
        number, unit = split_unit(raw, catalogue.unit_words(code))
        value = parse_number(number, integer=field_.type == "int")
        if unit is not None and value is not None:
            notes.append((code, unit, value))
        return value
    if field_.type == "percent":
        return parse_percent(raw, fraction=cell.fraction)
    return PARSERS[field_.type](raw)


class RowChecker:
    """Shared plumbing: issues for one row, located and tagged with the school and period."""

    def __init__(self, log: IssueLog, sheet: str, anchor: str | None):
        self.log, self.sheet, self.anchor = log, sheet or None, anchor
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.context: dict = {}

    def error(self, code: str, message: str, cell: str | None = None) -> None:
        self.errors.append(self.log.error(code, message, self.sheet, cell or self.anchor, **self.context))

    def warning(self, code: str, message: str, cell: str | None = None) -> None:
        self.warnings.append(self.log.warning(code, message, self.sheet, cell or self.anchor, **self.context))

    def tag(self, **context) -> None:
        self.context.update({k: v for k, v in context.items() if v is not None})
        for issue in self.errors + self.warnings:
            for key, value in self.context.items():
                setattr(issue, key, value)


def validate_survey(record: SurveyRecord, catalogue: Catalogue, registry: Registry, log: IssueLog) -> Row:
    check = RowChecker(log, record.sheet, record.anchor())
    labels = catalogue.labels
    values: dict = {}
    notes: list = []
    unreadable = set()  # reported once, not again as missing
    for code, cell in record.cells.items():
        if cell.error:
            check.error("formula_error", f"{cell_error_vi(cell.error)} ({labels[code]})", cell.ref)
            unreadable.add(code)
            continue
        try:
            values[code] = _parse_cell(code, cell, catalogue, code in record.marked_bools, notes)
        except ValueError as exc:
            check.error("bad_value", f"{exc} ({labels[code]})", cell.ref)
            unreadable.add(code)
    _apply_context(record, values, check)
    match = registry.match(values.get("school_code"), values.get("school_name"), values.get("level"),
                           level_hints(record.sheet, log.file))
    if match.message:
        (check.error if match.severity == "error" else check.warning)(f"match_{match.severity}", match.message)
    school = match.school
    if school:
        values["school_code"] = school["school_code"]
        if _written(record, "level") and values.get("level") and values["level"] != school["level"]:
            check.warning("level_conflict", f"cấp học trong tệp ({LEVEL_NAMES[values['level']]}) khác danh mục "
                          f"({LEVEL_NAMES[school['level']]}); dùng danh mục")
        values["level"] = school["level"]
        for key in ("ownership", "ward_old"):
            values[key] = values.get(key) or school.get(key)
    check.tag(school_code=values.get("school_code"), school_year=values.get("school_year"),
              period=values.get("period"))
    for code, unit, value in notes:
        log.info("unit_word", f"ô ghi {show(record.cells[code].raw)}: đã đọc {labels[code]} = {fmt_number(value)}, bỏ "
                 f"chữ \"{unit}\"; lần sau chỉ gõ số", record.sheet or None, record.cells[code].ref, **check.context)
    for key in ("school_year", "period"):
        if not values.get(key):
            check.error("missing_context", f"không xác định được {labels[key].lower()} (không có trong cột, tiêu đề "
                        f"hay tên tệp); {CONTEXT_HINT[key]}")
    level = values.get("level")
    for code in record.marked_bools:  # a blank tick box means "no" only where the question applies
        if not catalogue.fields[code].applies(level) and clean_text(record.cells[code].raw) == "":
            values[code] = None
    for code, field_ in catalogue.fields.items():
        if field_.required and code not in ID_FIELDS and values.get(code) is None and field_.applies(level) \
                and code not in unreadable and code in record.cells:  # a column the file does not have: not reported
            ref = record.cells[code].ref if code in record.cells else None
            check.error("missing_value", f"thiếu {labels[code]}", ref)
    for code, field_ in catalogue.fields.items():
        for rule in field_.checks:
            message = violation(rule, values, labels)
            if message:
                ref = record.cells[code].ref if code in record.cells else None
                (check.error if rule.severity == "error" else check.warning)(f"rule_{rule.severity}", message, ref)
    return Row(values, record.sheet, record.row, record.cells, check.errors, check.warnings, matched_by=match.how)


def reported(row: Row) -> set[str]:
    """The survey fields a row speaks for: those with a column or label in its file (blank or not). A file without a
    field's column says nothing about it: loading it keeps what an earlier file said."""
    return {code for code, cell in row.cells.items() if code not in ID_FIELDS and cell.source == "cell"}


def level_hints(sheet: str, file: str) -> tuple[str | None, ...]:
    """Levels that a sheet name ("Mầm non", "MN HK1") or a file name suggests; only a preference."""
    return find_level(sheet or ""), find_level(file.rsplit(".", 1)[0].replace("_", " "))


def _written(record: SurveyRecord, code: str) -> bool:
    return code in record.cells and clean_text(record.cells[code].raw) != ""


def _apply_context(record: SurveyRecord, values: dict, check: RowChecker) -> None:
    """Year, period and level written once (title, file name, section row) fill an empty column;
    a column that disagrees wins, with a warning."""
    for key, cell in record.context.items():
        try:
            implied = ENUM_PARSERS[key](cell.raw)
        except ValueError:
            continue
        if values.get(key) is None:
            values[key] = implied
        elif values[key] != implied:
            where = "mục" if cell.source == "section" else SOURCE_VI.get(cell.source, cell.source)
            named = PERIOD_NAMES if key == "period" else {}
            check.warning("context_conflict", f"{key_vi(key)} trong cột ({named.get(values[key], values[key])}) khác "
                          f"{where} ({named.get(implied, implied)}); "
                          "dùng giá trị trong cột", record.cells[key].ref)


CONTEXT_HINT = {
    "school_year": "hãy ghi năm học vào tiêu đề (ví dụ \"Năm học 2024-2025\"), thêm cột Năm học, hoặc đặt tên tệp "
                   "có năm học (ví dụ KS_HK1_2024-2025.xlsx)",
    "period": "hãy ghi kỳ vào tiêu đề (\"Học kỳ I\" hoặc \"Cả năm\"), thêm cột Kỳ báo cáo, hoặc đặt tên tệp có kỳ "
              "(ví dụ KS_HK1_2024-2025.xlsx, KS_CN_2024-2025.xlsx)",
}


def cell_error_vi(error: str) -> str:
    """An Excel error value (#DIV/0!) or the reader's own verdict on a cell, as a sentence."""
    return f"ô chứa lỗi công thức {error}" if error.startswith("#") else f"ô {error}"


def key_vi(key: str) -> str:
    return {"school_year": "năm học", "period": "kỳ báo cáo", "level": "cấp học"}[key]


# ---- 4725 ------------------------------------------------------------------------------------------

@dataclass
class AssessmentRows:
    school_code: str | None
    school_year: str | None
    kind: str
    scores: list[dict]
    sheet: str
    row: int | None
    anchor: str | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    duplicate_of: object = None
    matched_by: str = ""
    refs: list[str] = field(default_factory=list)  # the cells read: identity, scores, evidence
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (cell, why) of values read but not stored

    @property
    def ok(self) -> bool:
        return not self.errors and self.school_code is not None


def _mandatory(raw: object) -> bool | None:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw in (0, 1):
        return bool(raw)
    return parse_bool(raw)


def validate_assessment(record: AssessmentRecord, catalogue: Catalogue, registry: Registry, log: IssueLog
                        ) -> AssessmentRows:
    check = RowChecker(log, record.sheet, record.anchor())
    ident = {}
    for key, cell in record.identity.items():
        try:
            ident[key] = (ENUM_PARSERS.get(key) or parse_text)(cell.raw)
        except ValueError as exc:
            check.error("bad_value", str(exc), cell.ref)
    match = registry.match(ident.get("school_code"), ident.get("school_name"), ident.get("level"),
                           level_hints(record.sheet, log.file))
    if match.message:
        (check.error if match.severity == "error" else check.warning)(f"match_{match.severity}", match.message)
    code = match.school["school_code"] if match.school else None
    year = ident.get("school_year")
    check.tag(school_code=code, school_year=year)
    if not year:
        check.error("missing_context", f"không xác định được năm học của phiếu 4725; {CONTEXT_HINT['school_year']}")
    scores = []
    refs = [cell.ref for cell in record.identity.values() if cell.ref and cell.source == "cell"]
    skipped = []
    parents = catalogue.parents()
    for criterion, cell in record.scores.items():
        entry = _score(criterion, cell, record, catalogue, check)
        if entry is not None:
            scores.append(entry)
            refs.append(cell.ref)
            if criterion in record.evidence:
                refs.append(record.evidence[criterion].ref)
        else:
            parent = criterion in parents and catalogue.criterion(criterion) is None
            if parent:
                skipped.append((cell.ref, f"điểm của mục {criterion} (mục gồm các tiêu chí con, không có điểm riêng)"))
            if criterion in record.evidence:
                skipped.append((record.evidence[criterion].ref, f"minh chứng của {criterion}, "
                                + ("mục không có điểm riêng" if parent else "tiêu chí chưa có điểm")))
    _check_totals(record, scores, catalogue, check)
    if match.school and match.school["level"] == "MN" and scores:
        check.warning("not_applicable", "bộ chỉ số 4725 áp dụng cho TH, THCS; trường mầm non không được đánh giá")
    return AssessmentRows(code, year, record.kind, scores, record.sheet, record.row, record.anchor(),
                          check.errors, check.warnings, matched_by=match.how, refs=refs, skipped=skipped)


def _score(criterion: str, cell: Cell, record: AssessmentRecord, catalogue: Catalogue, check: RowChecker
           ) -> dict | None:
    spec = catalogue.criterion(criterion)
    parents = catalogue.parents()
    if spec is None:
        if criterion in parents:
            return None  # a heading such as 1.3 groups its criteria and carries no score
        if cell.raw not in (None, ""):
            check.error("unknown_criterion", f"tiêu chí {criterion} không có trong bộ tiêu chí 4725 "
                        f"(phiên bản {catalogue.versions['criteria_4725']})", cell.ref)
        return None
    if cell.error:
        check.error("formula_error", f"{cell_error_vi(cell.error)} (tiêu chí {criterion})", cell.ref)
        return None
    entry = {"criterion": criterion, "score": None, "met": None, "cell": cell.ref,
             "evidence": parse_text(record.evidence[criterion].raw) if criterion in record.evidence else None}
    try:
        if spec["mandatory"]:
            entry["met"] = _mandatory(cell.raw)
        else:
            entry["score"] = parse_number(cell.raw)
    except ValueError as exc:
        check.error("bad_value", f"{exc} (tiêu chí {criterion})", cell.ref)
        return None
    score, maximum = entry["score"], spec["max_points"]
    if score is not None and score < 0:
        check.error("score_negative", f"điểm tiêu chí {criterion} là số âm ({fmt_number(score, 1)})", cell.ref)
        return None
    if score is not None and score > maximum:
        check.error("score_above_max", f"điểm tiêu chí {criterion} ({fmt_number(score, 1)}) vượt điểm tối đa "
                    f"{fmt_number(maximum)}", cell.ref)
        return None
    printed = record.max_points.get(criterion)
    if printed is not None and not spec["mandatory"]:
        try:
            printed_max = parse_number(printed.raw)
        except ValueError:
            printed_max = None
        if printed_max is not None and printed_max != maximum:
            check.warning("max_differs", f"điểm tối đa in trên phiếu ({fmt_number(printed_max)}) khác bộ tiêu chí "
                          f"({fmt_number(maximum)}) ở tiêu chí {criterion}", printed.ref)
    if entry["score"] is None and entry["met"] is None:
        return None
    return entry


def _check_totals(record: AssessmentRecord, scores: list[dict], catalogue: Catalogue, check: RowChecker) -> None:
    for group, cell in record.totals.items():
        try:
            printed = parse_number(cell.raw)
        except ValueError:
            continue
        if printed is None:
            continue
        group_codes = {c["code"] for c in catalogue.criteria if c["group"] == group}
        total = sum(s["score"] or 0 for s in scores if s["criterion"] in group_codes)
        if abs(total - printed) > 0.01:
            check.warning("total_differs", f"tổng điểm nhóm {group} ghi {fmt_number(printed, 1)} nhưng cộng các tiêu "
                          f"chí được {fmt_number(total, 1)}", cell.ref)


# ---- office tasks -----------------------------------------------------------------------------------

def task_status(raw: object, catalogue: Catalogue) -> str | None:
    key = norm_label(raw)
    for status in ("done", "in_progress", "not_started"):
        if key in catalogue.words("task_status", status):
            return status
    return None


TASK_COLUMNS_VI = {"task": "Nhiệm vụ", "owner": "Đơn vị/người phụ trách", "due": "Hạn hoàn thành",
                   "status": "Trạng thái", "percent": "Tỷ lệ hoàn thành", "note": "Ghi chú"}


def plan_year(texts: list[str]) -> int | None:
    """The plan year of a task sheet: the first year in its title lines, leaving out a place-and-date line
    ("Vinh, ngày 15 tháng 12 năm 2024" says when the sheet was signed, not which plan it follows)."""
    from etl.extract.grid import is_place_date

    for text in texts:
        if is_place_date(text):
            continue
        if match := re.search(r"(?<![0-9-])(20[2-9][0-9])(?![0-9-])", text):
            return int(match.group(1))
    return None


def validate_task(record: TaskRecord, catalogue: Catalogue, log: IssueLog) -> Row:
    check = RowChecker(log, record.sheet, record.cells["task"].ref)
    values: dict = {}
    parsers = {"task": parse_text, "owner": parse_text, "note": parse_text, "due": parse_date,
               "percent": parse_percent, "status": parse_text}
    for key, cell in record.cells.items():
        if cell.error:
            check.error("formula_error", f"{cell_error_vi(cell.error)} ({TASK_COLUMNS_VI[key]})", cell.ref)
            continue
        try:
            values[key] = parse_percent(cell.raw, cell.fraction) if key == "percent" else parsers[key](cell.raw)
        except ValueError as exc:
            if key == "due":  # a deadline written loosely keeps the task, without a date
                check.warning("bad_value", f"{exc}; nhiệm vụ vẫn được nạp, không có hạn", cell.ref)
                values[key] = None
            else:
                check.error("bad_value", str(exc), cell.ref)
    if values.get("percent") is not None and not 0 <= values["percent"] <= 100:
        check.error("bad_value", f"tỷ lệ hoàn thành {show(record.cells['percent'].raw)} phải từ 0 đến 100",
                    record.cells["percent"].ref)
    if values.get("status"):
        values["status_code"] = task_status(values["status"], catalogue)
        if values["status_code"] is None:
            check.warning("unknown_status", f"trạng thái {show(values['status'])} không thuộc Hoàn thành / Đang "
                          "thực hiện / Chưa bắt đầu", record.cells["status"].ref)
    return Row(values, record.sheet, record.row, record.cells, check.errors, check.warnings)
