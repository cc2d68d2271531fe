"""Layouts 3 and 4 of DOMAIN §5: the per-school 4725 self-assessment and the consolidated 4725 table."""
from __future__ import annotations

import re
from functools import lru_cache

from etl.extract.grid import (
    Grid,
    Header,
    Trailer,
    account_table,
    body_rows,
    find_header,
    names_a_school,
    starts_with_any,
)
from etl.extract.ledger import IGNORED, LABEL, TEXT
from etl.extract.records import AssessmentRecord, Cell
from etl.issues import IssueLog
from etl.reference import Catalogue, match_label, per_catalogue
from etl.textnorm import cell_ref, clean_text, column_letter, norm_label

_CODE = re.compile(r"^(?:tc|tiêu chí|chỉ tiêu)?\s*([12](?:\.[0-9]{1,2}){1,2})(?:[.):]|\s|$)", re.I)
_COMMA_CODE = re.compile(r"[12],[0-9]{1,2}")
_GROUP = re.compile(r"nhóm\s*([12]|i{1,2})\b", re.I)
_YEAR_SPACED = re.compile(r"(20[0-9]{2})\s*[-–—/]\s*((?:20)?[0-9]{2})(?![0-9])")  # "2024 - 2025" is one value
IDENTITY = ("school_code", "school_name", "level", "school_year")
MIN_CRITERIA_COLUMNS = 5
MAX_ROW_WORDS = ("điểm tối đa", "điểm chuẩn", "thang điểm")


def criterion_code(text: str) -> str | None:
    """'1.3.1', 'TC 1.3.1', '1.3.1. Triển khai ...' -> '1.3.1'; anything else -> None."""
    text = text.strip()
    if _COMMA_CODE.fullmatch(text):  # 1,2: a code typed as a number and saved by a Vietnamese-locale Excel
        text = text.replace(",", ".")
    match = _CODE.match(text)
    return match.group(1) if match else None


def score_kind(text: str, catalogue: Catalogue) -> str | None:
    """'self', 'verified', 'both' (the text names both kinds) or None."""
    key = norm_label(text)
    verified = any(w in key for w in catalogue.words("title", "verified"))
    self_ = any(w in key for w in catalogue.words("title", "self"))
    return "both" if verified and self_ else "verified" if verified else "self" if self_ else None


def ambiguous_columns(header: Header) -> list[str]:
    """Criteria with two score columns of the same kind: nothing says which is self and which verified."""
    return sorted({first.key.split(":")[1] for first, _ in header.duplicates if first.key.startswith("crit:")})


def _group_number(text: str) -> str | None:
    match = _GROUP.search(text)
    if not match:
        return None
    return {"i": "1", "ii": "2"}.get(match.group(1).lower(), match.group(1))


@per_catalogue
def table_classifier(catalogue: Catalogue):
    @lru_cache(maxsize=4096)
    def classify(label: str, group: str) -> str | None:
        code = criterion_code(label)
        if code:
            kind = score_kind(group, catalogue)
            return f"crit:{code}:{kind if kind in ('self', 'verified') else ''}"
        key = norm_label(label)
        if key.startswith("tổng") and (number := _group_number(f"{label} {group}")):
            kind = score_kind(group, catalogue)
            return f"total:{number}:{kind if kind in ('self', 'verified') else ''}"
        # a criterion's header merged over its sub-columns: "1.3.1" over "Tự đánh giá | Thẩm định | Minh chứng"
        own = score_kind(label, catalogue)
        evidence = key in EVIDENCE_WORDS
        if group and (own in ("self", "verified") or evidence):
            if code := _last_code(group):
                return f"evid:{code}" if evidence else f"crit:{code}:{own}"
            if (number := _group_number(group)) and norm_label(group).split()[0].startswith("tổng"):
                return None if evidence else f"total:{number}:{own}"
        field, _ = match_label(catalogue, label)
        return field if field in IDENTITY else None
    return classify


EVIDENCE_WORDS = {"minh chứng", "minh chứng kèm theo", "mã minh chứng", "ghi chú/minh chứng", "minh chứng/ghi chú"}


def _last_code(group: str) -> str | None:
    """The criterion code a group cell names ("Nhóm 1 1.3.1" -> "1.3.1"): the last one, the nearest to the label."""
    for token in reversed(group.split()):
        if code := criterion_code(token):
            return code
    return None


def find_assessment_table(grid: Grid, catalogue: Catalogue) -> Header | None:
    header = find_header(grid, table_classifier(catalogue), min_keys=MIN_CRITERIA_COLUMNS)
    if header is None:
        return None
    keys = header.by_key()
    criteria = sum(k.startswith("crit:") for k in keys)
    if criteria < MIN_CRITERIA_COLUMNS or not keys.keys() & {"school_code", "school_name"}:
        return None
    return header


def extract_assessment_table(grid: Grid, header: Header, catalogue: Catalogue, context: dict, title_kind: str,
                             log: IssueLog, first: int = 0) -> list[AssessmentRecord]:
    sheet = grid.sheet
    ledger = grid.ledger
    subtotal, end = catalogue.words("table_rows", "subtotal"), catalogue.words("table_rows", "end")
    columns = header.by_key()
    records = []
    trailer = Trailer()
    code_col, name_col = columns.get("school_code"), columns.get("school_name")
    for r, texts in body_rows(grid, header.data_start, end, lambda: bool(records), trailer):
        if starts_with_any(texts[0], MAX_ROW_WORDS) or (name_col is not None and starts_with_any(
                grid.text(r, name_col.index), MAX_ROW_WORDS)):
            ledger.mark_row(r, IGNORED, "dòng điểm tối đa (chỉ để đối chiếu với bộ tiêu chí)")
            continue  # the row of maximum points under the header
        if not names_a_school(grid.row_texts(r), code_col, name_col, subtotal) and starts_with_any(texts[0], subtotal):
            trailer.totals.append((r, " ".join(texts)))
            ledger.mark_total_row(r)
            continue
        identity = {k: Cell.at(sheet, r, columns[k].index)
                    for k in IDENTITY if k in columns}
        if not any(grid.text(r, columns[k].index) for k in ("school_code", "school_name") if k in columns):
            continue
        if context.get("school_year") and "school_year" not in identity:
            found = context["school_year"]
            identity["school_year"] = Cell(found.value, found.where, source=found.source)
        by_kind: dict[str, AssessmentRecord] = {}
        for key, col in columns.items():
            if key.startswith("evid:"):
                continue
            if not key.startswith(("crit:", "total:")):
                continue
            _, code, kind = key.split(":")
            kind = kind or title_kind
            record = by_kind.setdefault(kind, AssessmentRecord(sheet.name, r + 1, kind, identity, {}))
            cell = Cell.at(sheet, r, col.index)
            (record.scores if key.startswith("crit:") else record.totals)[code] = cell
        for key, col in columns.items():  # evidence under a criterion: the same for its self and verified score
            if key.startswith("evid:"):
                for record in by_kind.values():
                    record.evidence[key[5:]] = Cell.at(sheet, r, col.index)
        kept = [rec for rec in by_kind.values() if _has_scores(rec)]
        if not kept:
            ledger.mark_row(r, IGNORED, "trường chưa có điểm (dòng để trống)")
        records.extend(kept)
    trailer.note(log, sheet.name or None)
    end = trailer.end[0] if trailer.end else None
    for key, col in columns.items():
        if key.startswith("total:"):
            ledger.mark(slice(header.data_start, end), col.index, IGNORED, "tổng điểm nhóm (chỉ để đối chiếu)")
    account_table(grid, header, first, end)
    return records


def _has_scores(record: AssessmentRecord) -> bool:
    """A row or column left blank (a school not yet verified) is no data, not a set of zeros."""
    return any(cell.raw not in (None, "") or cell.error for cell in record.scores.values())


@per_catalogue
def form_classifier(catalogue: Catalogue):
    index = catalogue.layout_keys("assessment_form")

    @lru_cache(maxsize=4096)
    def classify(label: str, group: str) -> str | None:
        key = norm_label(label)
        if key in index:
            return index[key]
        kind = score_kind(f"{group} {label}", catalogue)
        return kind if kind and ("điểm" in key or "kết quả" in key or key in ("tự đánh giá", "thẩm định")) else None
    return classify


def find_assessment_form(grid: Grid, catalogue: Catalogue) -> Header | None:
    header = find_header(grid, form_classifier(catalogue), min_keys=3)
    if header is None:
        return None
    keys = header.by_key()
    if not keys.keys() & {"self", "verified"} or not keys.keys() & {"code", "name"}:
        return None
    return header


def form_identity(grid: Grid, catalogue: Catalogue, last_row: int) -> dict[str, Cell]:
    """'Trường: ...', 'Mã trường: ...', 'Năm học ...' written in the title area, inline or in the next cell."""
    identity: dict[str, Cell] = {}
    for r in range(min(last_row, grid.height)):
        for c in range(grid.width):
            text = grid.text(r, c)
            if not text:
                continue
            for part in re.split(r"\s{2,}|;|\s[-–]\s", _YEAR_SPACED.sub(r"\1-\2", text)):
                label, sep, value = part.partition(":")
                field, _ = match_label(catalogue, label)
                if field not in IDENTITY or field in identity:
                    continue
                if not sep or not value.strip():  # "Mã trường:" with the code in the next cell
                    nxt = next((cc for cc in range(c + 1, min(c + 4, grid.width)) if grid.text(r, cc)), None)
                    if nxt is None:
                        continue
                    value, ref = grid.sheet.value(r, nxt), cell_ref(r, nxt)
                else:
                    ref = cell_ref(r, c)
                identity[field] = Cell(value.strip() if isinstance(value, str) else value, ref)
    return identity


def cell_code(value, catalogue: Catalogue, name: str = "") -> str | None:
    """The criterion code a cell holds. A code typed as a number arrives as a float (1.1), which cannot tell 1.1
    from 1.10: the catalogue decides, and the criterion's name in the row when the catalogue has both."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        candidates = list(_codes_by_number(catalogue).get(round(float(value), 6), ()))
        if len(candidates) > 1 and name:
            named = [c for c in candidates if (spec := catalogue.criterion(c)) and norm_label(spec["name_vi"]) in
                     norm_label(name)]
            candidates = named or candidates
        if len(candidates) == 1:
            return candidates[0]
        return None if candidates else criterion_code(grid_number_text(value))
    return criterion_code(clean_text(value)) if value not in (None, "") else None


@per_catalogue
def _codes_by_number(catalogue: Catalogue) -> dict[float, tuple[str, ...]]:
    """Two-part criterion codes by the number they read as (1.1 and 1.10 are both 1.1)."""
    found: dict[float, list[str]] = {}
    for c in catalogue.criteria + _parents(catalogue):
        if c["code"].count(".") == 1 and c["code"] not in found.setdefault(round(float(c["code"]), 6), []):
            found[round(float(c["code"]), 6)].append(c["code"])
    return {number: tuple(codes) for number, codes in found.items()}


def grid_number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _parents(catalogue: Catalogue) -> list[dict]:
    return [{"code": c["parent"]} for c in catalogue.criteria if c["parent"] != c["group"]]


def code_column(grid: Grid, header: Header, catalogue: Catalogue, log: IssueLog) -> int | None:
    """The column whose values are catalogue criterion codes (a sequence column TT/STT never is): the one with the
    most such values below the header; the labelled code column wins a tie, two unlabelled ones are ambiguous."""
    known = {c["code"] for c in catalogue.criteria}
    counts: dict[int, int] = {}
    rows = range(header.data_start, min(grid.height, header.data_start + 200))
    for c in (int(c) for c in grid.ledger.kind[rows.start:rows.stop].any(axis=0).nonzero()[0]):  # filled columns
        for r in rows:
            if cell_code(grid.sheet.value(r, c), catalogue) in known:
                counts[c] = counts.get(c, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    tied = [c for c, n in counts.items() if n == best]
    labelled = header.by_key().get("code")
    if labelled is not None and labelled.index in tied:
        return labelled.index
    if len(tied) > 1:
        listed = " và ".join(column_letter(c) for c in tied[:2])
        log.error("ambiguous_code_column", f"cả hai cột {listed} đều chứa mã tiêu chí nên không biết cột nào là mã "
                  "tiêu chí; hãy ghi \"Mã tiêu chí\" ở ô tiêu đề của cột mã", grid.sheet.name or None,
                  cell_ref(header.bottom, tied[0]))
        return None
    return tied[0]


def extract_assessment_form(grid: Grid, header: Header, catalogue: Catalogue, context: dict, log: IssueLog
                            ) -> list[AssessmentRecord]:
    sheet = grid.sheet
    ledger = grid.ledger
    columns = header.by_key()
    identity = form_identity(grid, catalogue, header.top)
    if "school_year" not in identity and context.get("school_year"):
        found = context["school_year"]
        identity["school_year"] = Cell(found.value, found.where, source=found.source)
    end = catalogue.words("table_rows", "end")
    records = {kind: AssessmentRecord(sheet.name, None, kind, identity, {}) for kind in ("self", "verified")
               if kind in columns}
    code_col = code_column(grid, header, catalogue, log)
    name_col = columns["name"].index if "name" in columns else None
    trailer = Trailer()
    for r, texts in body_rows(grid, header.data_start, end, lambda: any(rec.scores for rec in records.values()),
                              trailer):
        name = grid.text(r, name_col) if name_col is not None else ""
        code = cell_code(grid.sheet.value(r, code_col), catalogue, name) if code_col is not None else None
        if code is None and name:
            code = criterion_code(name)  # "1.3.1. Triển khai ..." in the name column
        line = " ".join(texts)
        if code is None:
            if norm_label(line).startswith("tổng") and (number := _group_number(line)):
                for kind, record in records.items():
                    col = columns[kind].index
                    record.totals[number] = Cell.at(sheet, r, col)
                ledger.mark_total_row(r, "dòng tổng điểm nhóm", "tổng điểm nhóm (chỉ để đối chiếu)")
            else:
                ledger.mark_row(r, LABEL, "dòng mục, nhóm tiêu chí", only=TEXT)
            continue
        if code_col is not None:
            ledger.mark(r, code_col, LABEL, "mã tiêu chí")
        if name_col is not None:
            ledger.mark(r, name_col, LABEL, "tên tiêu chí")
        for kind, record in records.items():
            col = columns[kind].index
            record.scores[code] = Cell.at(sheet, r, col)
            if "evidence" in columns:
                ec = columns["evidence"].index
                record.evidence[code] = Cell.at(sheet, r, ec)
            if "max" in columns:
                mc = columns["max"].index
                record.max_points[code] = Cell.at(sheet, r, mc)
    stop = trailer.end[0] if trailer.end else None
    if "max" in columns:
        ledger.mark(slice(header.data_start, stop), columns["max"].index, IGNORED,
                    "điểm tối đa in trên phiếu (chỉ để đối chiếu với bộ tiêu chí)")
    ledger.mark_rows(0, header.top - 1, LABEL, "tiêu đề, thông tin của trường", only=TEXT)
    account_table(grid, header, 0, stop)
    return [rec for rec in records.values() if _has_scores(rec)]
