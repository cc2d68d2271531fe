"""Recognise the layout of each sheet and pull out raw records with their cells of origin."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from etl.extract.assessment import (
    ambiguous_columns,
    extract_assessment_form,
    extract_assessment_table,
    find_assessment_form,
    find_assessment_table,
    score_kind,
)
from etl.extract.context import Found, sheet_context
from etl.extract.grid import ROUTINE_HEADERS, Column, Grid, Header, mark_sequences, title_lines, title_start
from etl.extract.ledger import IGNORED, LABEL, TEXT, Ledger
from etl.extract.records import AssessmentRecord, Cell, SurveyRecord, TaskRecord
from etl.extract.survey import (
    extract_form_in_rows,
    extract_survey_form,
    extract_survey_table,
    find_survey_header,
    find_survey_headers,
    missing_required,
    survey_classifier,
)
from etl.extract.tasks import extract_tasks, find_task_header
from etl.issues import IssueLog
from etl.reference import Catalogue
from etl.textnorm import cell_ref, column_letter, norm_label
from etl.workbook import Workbook

LAYOUT_VI = {
    "survey_table": "biểu tổng hợp khảo sát",
    "survey_form": "phiếu khảo sát của trường",
    "assessment_form": "phiếu tự đánh giá 4725",
    "assessment_table": "bảng tổng hợp kết quả 4725",
    "task_sheet": "bảng nhiệm vụ của phòng",
    "registry": "danh mục trường",
}


@dataclass
class Extraction:
    layouts: list[str] = field(default_factory=list)
    survey: list[SurveyRecord] = field(default_factory=list)
    assessment: list[AssessmentRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    synthetic: bool = False
    task_context: dict = field(default_factory=dict)
    sheets: list[dict] = field(default_factory=list)  # per recognised sheet: layout, header band, columns, context
    ledgers: list[Ledger] = field(default_factory=list)  # per non-empty sheet: what became of each cell

    def record_count(self) -> int:
        return len(self.survey) + len(self.assessment) + len(self.tasks)


def _titles(grid: Grid, last_row: int) -> list[tuple[str | None, str]]:
    return [(cell_ref(r, 0), text) for r, text in title_lines(grid, last_row)]




def _report_columns(header: Header, sheet: str | None, log: IssueLog) -> None:
    unknown = [(c, label) for c, label in header.unknown if norm_label(label) not in ROUTINE_HEADERS]
    if unknown:
        listed = ", ".join(f"\"{label}\" (cột {column_letter(c)})" for c, label in unknown[:12])
        log.info("unknown_columns", f"bỏ qua các cột không thuộc danh mục trường thông tin: {listed}", sheet)
    for first, second in header.duplicates:
        log.warning("duplicate_column",
                    f"cột {column_letter(second.index)} (\"{second.label}\") trùng ý nghĩa với cột "
                    f"{column_letter(first.index)} (\"{first.label}\"); dùng cột {column_letter(first.index)}", sheet)


def _extract_sheet(path: Path, grid: Grid, catalogue: Catalogue, log: IssueLog, out: Extraction, hints: dict
                   ) -> str | None:
    name = grid.sheet.name or None
    before, said = out.record_count(), len(log.items)
    layout = _recognise(path, grid, catalogue, log, out, hints)
    if layout not in (None, "rejected", "registry"):
        mark_sequences(grid)
    if layout == "registry":
        grid.ledger.mark(slice(None), slice(None), IGNORED, "danh mục trường: cài bằng lệnh registry, không nạp như "
                         "số liệu")
    if layout not in (None, "rejected", "registry") and out.record_count() == before:
        if not any(i.code == "not_filled" and i.sheet == name for i in log.items):
            log.error("no_rows", f"đã nhận ra {LAYOUT_VI[layout]} nhưng không có dòng số liệu nào để nạp", name)
        layout = "rejected"  # a template sent back blank is said once (not_filled)
    if layout == "rejected":
        why = next((i.message for i in log.items[said:] if i.sheet == name and i.severity in ("error", "warning")),
                   "trang không có số liệu đọc được")
        grid.ledger.mark(slice(None), slice(None), IGNORED, f"trang không được nạp: {why[:120]}")
    return layout


def _recognise(path: Path, grid: Grid, catalogue: Catalogue, log: IssueLog, out: Extraction, hints: dict
               ) -> str | None:
    name = grid.sheet.name or None

    def context_of(titles: list, signature: str | None = None) -> dict:
        return _corrected(_profiled(sheet_context(path, titles, log, name), hints, signature), hints)

    forced = (hints.get("layouts") or {}).get(name or "")  # the layout an analyst chose in the review

    def tried(layout: str) -> bool:
        return forced in (None, layout)

    if tried("assessment_table") and (header := find_assessment_table(grid, catalogue)):
        titles = _titles(grid, header.top)
        if duplicated := ambiguous_columns(header):
            log.error("ambiguous_columns", f"có hai cột điểm cho tiêu chí {', '.join(duplicated[:5])} mà không rõ cột "
                      "nào là tự đánh giá, cột nào là thẩm định; hãy ghi \"Điểm tự đánh giá\" và \"Điểm thẩm định\" "
                      "ở ô nhóm phía trên các cột", name, header.span(grid.width))
            return "rejected"
        kinds = {kind for _, line in titles if (kind := score_kind(line, catalogue))}
        title_kind = next(iter(kinds)) if len(kinds) == 1 and "both" not in kinds else None
        unlabelled = any(key.startswith("crit:") and key.endswith(":") for key in header.by_key())
        if unlabelled and title_kind is None:
            log.info("assumed_self", "tiêu đề không nói rõ là kết quả thẩm định; các cột không ghi loại điểm được coi "
                     "là điểm tự đánh giá", name)
        kind = title_kind or "self"
        context = context_of(titles)
        out.sheets.append(_sheet_record(grid, "assessment_table", header, context))
        _report_columns(header, name, log)
        out.assessment += extract_assessment_table(grid, header, catalogue, context, kind, log)
        return "assessment_table"
    if tried("assessment_form") and (header := find_assessment_form(grid, catalogue)):
        context = context_of(_titles(grid, header.top))
        out.sheets.append(_sheet_record(grid, "assessment_form", None, context))
        out.assessment += extract_assessment_form(grid, header, catalogue, context, log)
        return "assessment_form"
    if tried("task_sheet") and (header := find_task_header(grid, catalogue)):
        out.task_context = {"titles": _titles(grid, header.top)}
        out.tasks += extract_tasks(grid, header, catalogue, log)
        return "task_sheet"
    if tried("survey_form") and (record := extract_form_in_rows(grid, catalogue)):
        return _survey_form(grid, record, out, context_of)
    if tried("survey_table") and (headers := _survey_headers(grid, catalogue, hints)):
        return _survey_tables(grid, headers, catalogue, log, out, context_of)
    if tried("survey_table") and (layout := _schools_in_columns(grid, catalogue, log, out, context_of)):
        return layout
    if tried("survey_form") and (record := extract_survey_form(grid, catalogue, log)):
        return _survey_form(grid, record, out, context_of)
    return None


def _survey_form(grid: Grid, record, out: Extraction, context_of) -> str:
    context = context_of(_titles(grid, 12))
    out.sheets.append(_sheet_record(grid, "survey_form", None, context))
    for key in ("school_year", "period"):
        if key not in record.cells and context.get(key):
            found = context[key]
            record.context[key] = Cell(found.value, found.where, source=found.source)
    out.survey.append(record)
    return "survey_form"


def extract(workbook: Workbook, catalogue: Catalogue, log: IssueLog, hints: dict | None = None) -> Extraction:
    """`hints`: corrections from the review or saved import profiles: {"columns": {header signature: {column
    letter: field or ""}}, "school_year": ..., "period": ...}."""
    out = Extraction()
    hints = hints or {}
    synthetic_words = catalogue.words("title", "synthetic")
    unrecognised = []
    for sheet in workbook.sheets:
        name = sheet.name or None
        if not any(any(v not in (None, "") for v in row) for row in sheet.rows):
            continue
        if not sheet.visible:
            log.warning("hidden_sheet", "trang tính đang ẩn nên không được nạp; nếu trang này có số liệu cần nạp, "
                        "hãy bỏ ẩn rồi gửi lại", name)
            ledger = Ledger(sheet)
            ledger.mark(slice(None), slice(None), IGNORED, "trang tính ẩn: không nạp")
            out.ledgers.append(ledger)
            continue
        grid = Grid(sheet)
        out.ledgers.append(grid.ledger)
        if any(w in norm_label(grid.line(r)) for r in range(min(15, grid.height)) for w in synthetic_words):
            out.synthetic = True
        layout = _extract_sheet(workbook.path, grid, catalogue, log, out, hints)
        guide = layout is None and norm_label(name or "") in catalogue.words("sheet_names", "instructions")
        if guide:
            grid.ledger.mark(slice(None), slice(None), LABEL, "trang hướng dẫn hoặc danh sách chọn của biểu mẫu",
                             only=TEXT)
            grid.ledger.mark(slice(None), slice(None), IGNORED, "số trên trang hướng dẫn (ví dụ, số thứ tự), không "
                             "phải số liệu")
        if layout is None:
            unrecognised.append(name)
            out.sheets.append({"sheet": name, "layout": None, **({"instructions": True} if guide else {})})
        elif layout != "rejected":
            out.layouts.append(layout)
        if out.sheets and out.sheets[-1]["sheet"] == name:
            out.sheets[-1]["preview"] = preview(grid)
    if not out.layouts and not log.count("error") and not any(i.code == "not_filled" for i in log.items):
        sheet = unrecognised[0] if unrecognised else None
        log.error("no_header", "không tìm thấy dòng tiêu đề nhận ra được (cần các cột như Mã trường, Tên trường, "
                  "Số lớp, Số học sinh... hoặc mã tiêu chí 4725)", sheet)
    elif out.layouts:
        guides = {s["sheet"] for s in out.sheets if s.get("instructions")}  # the form's own text: nothing to say
        for name in (n for n in unrecognised if n not in guides):
            log.info("sheet_skipped", "trang không có bảng số liệu nhận ra được, bỏ qua", name)
    return out


# ---- corrections: a column mapped to a field (or ignored), the year or period set -------------------------

def header_labels(grid: Grid, header: Header) -> list[tuple[int, str]]:
    """(column, label) of every labelled column of the header band, known or not, left to right."""
    labelled = [(c, col.label) for c, col in header.columns.items()] + list(header.unknown)
    labelled += [(second.index, second.label) for _, second in header.duplicates] + list(header.ignored)
    return sorted((c, label) for c, label in labelled if label)


def unlabelled_columns(grid: Grid, header: Header) -> list[int]:
    """Columns with values under the header band but no label in it: an analyst may say what they hold in the
    review (until then their numbers stay unread, and said)."""
    labelled = {c for c, _ in header_labels(grid, header)}
    rows = grid.ledger.kind[header.data_start:header.data_start + 500]
    return [int(c) for c in rows.any(axis=0).nonzero()[0] if int(c) not in labelled]


def header_signature(grid: Grid, header: Header) -> str:
    """The shape of a header band: its labels, normalised, and their columns; the same template gives the same
    signature whatever the school or period, a column added or renamed gives another."""
    text = "\x1f".join(f"{c}={norm_label(label)}" for c, label in header_labels(grid, header))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _survey_tables(grid: Grid, headers: list[Header], catalogue: Catalogue, log: IssueLog, out: Extraction,
                   context_of) -> str:
    """The survey tables of a sheet, each under its own header band and read down to the title lines of the next;
    the title lines above the first table (year, period) hold for every table, a table's own lines first."""
    name = grid.sheet.name or None
    keys = headers[0].by_key()
    if "level" in keys and not any(catalogue.fields[k].pillar == "scale" for k in keys):
        log.info("registry_file", "đây là danh mục trường, không phải số liệu khảo sát; không nạp. Cài danh mục "
                 "bằng lệnh: python -m etl registry <tệp>", name)
        return "registry"
    sheet_titles = _titles(grid, headers[0].top)
    starts = [0] + [title_start(grid, h.top, previous.data_start) for previous, h in zip(headers, headers[1:])]
    if len(headers) > 1:  # said, so that the review can read the sheet another way
        bands = ", ".join(f"dòng {h.top + 1}–{h.bottom + 1}" if h.top != h.bottom else f"dòng {h.top + 1}"
                          for h in headers)
        log.info("several_tables", f"trang có {len(headers)} bảng, mỗi bảng dưới dòng tiêu đề của nó ({bands}); "
                 "các bảng được đọc lần lượt", name)
    read = False
    for index, header in enumerate(headers):
        first, stop = starts[index], starts[index + 1] if index + 1 < len(headers) else None
        own = [(cell_ref(r, 0), text) for r, text in title_lines(grid, header.top) if r >= first] if index else []
        context = context_of(own + sheet_titles, header_signature(grid, header))
        record = _sheet_record(grid, "survey_table", header, context)
        if len(headers) > 1:
            record["table"] = index + 1
        out.sheets.append(record)
        if missing := missing_required(header, catalogue):
            log.warning("missing_required_column", f"bảng không có cột {', '.join(missing)}: các số liệu có trong "
                        "bảng vẫn được nạp; những trường thông tin này giữ nguyên số liệu đã nạp trước đây (nếu có) — "
                        "hãy gửi bổ sung nếu chưa báo cáo", name, header.span(grid.width))
        _report_columns(header, name, log)
        out.survey += extract_survey_table(grid, header, catalogue, context, log, first, stop)
        read = True
    return "survey_table" if read else "rejected"


def _schools_in_columns(grid: Grid, catalogue: Catalogue, log: IssueLog, out: Extraction, context_of) -> str | None:
    """A comparison sheet: field labels down one column and a school in each column to its right (the line of the
    school code or name holds two or more of them). It is read as the table it is once rows and columns are swapped;
    every cell, message and mark is then given back in the sheet's own coordinates."""
    from etl.workbook import transposed

    if not _identity_line_with_schools(grid, catalogue):
        return None  # most sheets that reach here are forms: no turned copy of them is made
    turned = Grid(transposed(grid.sheet))
    header = find_survey_header(turned, catalogue)
    if header is None:
        return None
    first_label = min(c.index for c in header.columns.values())
    if first_label:  # again without the title lines above the first label
        turned = Grid(transposed(grid.sheet, first_label))
        header = find_survey_header(turned, catalogue)
        if header is None:
            return None
    identity = header.by_key().get("school_code") or header.by_key().get("school_name")
    schools = [r for r in range(header.data_start, turned.height) if turned.text(r, identity.index)]
    if len(schools) < 2:
        return None  # one school: a form, read as label/value pairs
    context = context_of(_titles(grid, first_label))
    said, before = len(log.items), len(out.survey)
    log.info("schools_in_columns", f"trang so sánh: nhãn chỉ tiêu ở một cột, mỗi cột bên phải là một trường "
             f"({len(schools)} trường); được đọc theo cột. Nếu không phải vậy, hãy chọn dạng biểu khác khi xem trước",
             grid.sheet.name or None)
    unknown = [(c, label) for c, label in header.unknown if norm_label(label) not in ROUTINE_HEADERS]
    if unknown:  # the «columns» of the turned reading are the sheet's rows
        listed = ", ".join(f"\"{label[:60]}\" (dòng {c + 1})" for c, label in unknown[:12])
        log.info("unknown_columns", f"bỏ qua các dòng không thuộc danh mục trường thông tin: {listed}",
                 grid.sheet.name or None)
    records = extract_survey_table(turned, header, catalogue, context, log, 0)
    for item in log.items[said:]:
        item.cell = swapped(item.cell)
    for record in records:
        for cell in record.cells.values():
            if cell.source == "cell":
                cell.ref = swapped(cell.ref)
        record.row = None
    grid.ledger.take_transposed(turned.ledger)
    grid.ledger.reasons = [why.replace("cột \"", "dòng \"", 1) for why in grid.ledger.reasons]  # rows, here
    grid.ledger.mark_rows(0, first_label - 1, LABEL, "tiêu đề", only=TEXT)
    sheet = _sheet_record(turned, "survey_table", header, context)
    sheet.update(transposed=True, header=swapped(sheet["header"]), header_rows=None)
    out.sheets.append(sheet)
    out.survey[before:] = records
    return "survey_table"


def _identity_line_with_schools(grid: Grid, catalogue: Catalogue) -> bool:
    """A line whose label names the school code or name (alone, or under the cell to its left, as a turned header
    band would read it) with two filled cells or more to its right: what a comparison sheet needs to be one."""
    classify = survey_classifier(catalogue)
    for r in range(grid.height):
        texts = grid.row_texts(r)
        for c, text in enumerate(texts):
            if text and sum(1 for t in texts[c + 1:] if t) >= 2 and (
                    classify(text, "") or classify(text, texts[c - 1] if c else "")) in ("school_code", "school_name"):
                return True
    return False


def swapped(ref: str | None) -> str | None:
    """'C5' -> 'E3', 'A1:D2' -> 'A1:B4': a cell of a transposed sheet in the sheet's own coordinates."""
    from etl.extract.ledger import parse_ref

    if not ref:
        return ref
    parts = []
    for part in ref.split(":"):
        pos = parse_ref(part)
        if pos is None:
            return ref
        parts.append(cell_ref(pos[1], pos[0]))
    return ":".join(parts)


def _survey_headers(grid: Grid, catalogue: Catalogue, hints: dict) -> list[Header]:
    """The survey header bands as recognised (or the rows an analyst set in the review), each with the column mapping
    saved for its signature applied."""
    band = (hints.get("headers") or {}).get(grid.sheet.name or "")
    if band:
        found = _header_in(grid, catalogue, band)
        headers = [found] if found is not None else []
    else:
        headers = find_survey_headers(grid, catalogue)
    if not headers and not band:  # a layout only a saved profile knows: its header rows, if the shape is the same
        for signature, rows in (hints.get("bands") or {}).items():
            found = _header_in(grid, catalogue, rows)
            if found is not None and header_signature(grid, found) == signature:
                headers = [found]
                break
    mapped = []
    for header in headers:
        signature = header_signature(grid, header)
        header = _mapped(grid, header, (hints.get("profiles") or {}).get(signature), catalogue)  # the office's
        header.recognised = None  # what the loader reads without this review: with the saved profile
        mapped.append(_mapped(grid, header, (hints.get("columns") or {}).get(signature), catalogue))
    return mapped


def _header_in(grid: Grid, catalogue: Catalogue, band: list[int]) -> Header | None:
    """The header in the rows `band` (1-based first and last row) as an analyst set them."""
    from etl.extract.grid import _name_columns, is_column_number_row
    from etl.extract.survey import survey_classifier

    top, bottom = sorted(int(r) - 1 for r in band)
    if not 0 <= top <= bottom < grid.height:
        return None
    header = _name_columns(grid, top, bottom, survey_classifier(catalogue))
    if not set(header.by_key()) & {"school_code", "school_name"}:
        return None
    header.data_start = bottom + 1
    if header.data_start < grid.height and is_column_number_row(grid.row_texts(header.data_start)):
        header.data_start += 1
    return header


def _mapped(grid: Grid, header: Header, mapping: dict | None, catalogue: Catalogue) -> Header:
    """`header` with the columns of `mapping` (column letter → field, "" to ignore) changed."""
    labelled = header_labels(grid, header)
    if not mapping:
        if header.recognised is None:
            header.recognised = {c: (header.columns[c].key if c in header.columns else None) for c, _ in labelled}
        return header
    columns: dict[int, Column] = {}
    unknown: list[tuple[int, str]] = []
    seen: dict[str, Column] = {}
    duplicates = []
    ignored: list[tuple[int, str]] = []
    for c, label in sorted(labelled + [(c, "") for c in unlabelled_columns(grid, header)]):
        letter = column_letter(c)
        current = header.columns.get(c)
        key = mapping.get(letter, current.key if current else None)
        if not label and key is None:
            continue  # a column without a heading nobody said anything about: its numbers stay to be said
        if key == "":
            ignored.append((c, label))
            continue
        if key is None or key not in catalogue.fields:
            unknown.append((c, label))
            continue
        column = Column(c, key, label, current.group if current else "")
        if key in seen:
            duplicates.append((seen[key], column))
        else:
            seen[key] = columns[c] = column
    recognised = {c: (header.columns[c].key if c in header.columns else None) for c, _ in labelled}
    return Header(header.top, header.bottom, columns, unknown, duplicates, header.data_start, ignored, recognised)


def _profiled(context: dict, hints: dict, signature: str | None) -> dict:
    """The school year and period a saved import profile keeps for this header, where the file does not say them."""
    kept = (hints.get("contexts") or {}).get(signature or "") or {}
    for key in ("school_year", "period"):
        if context.get(key) is None and kept.get(key):
            context[key] = Found(kept[key], "profile")
    return context


def _corrected(context: dict, hints: dict) -> dict:
    for key in ("school_year", "period"):
        if hints.get(key):
            context[key] = Found(hints[key], "correction")
    return context


def _sheet_record(grid: Grid, layout: str, header: Header | None, context: dict) -> dict:
    record: dict = {"sheet": grid.sheet.name or None, "layout": layout}
    for key in ("school_year", "period"):
        found = context.get(key)
        record[key] = {"value": found.value, "source": found.source, "where": found.where} if found else None
    if header is not None:
        record["header"] = header.span(grid.width)
        record["header_rows"] = (header.top + 1, header.bottom + 1)
        record["signature"] = header_signature(grid, header)
        ignored = {c for c, _ in header.ignored}
        record["columns"] = []
        shown = header_labels(grid, header) + [(c, "") for c in unlabelled_columns(grid, header)]
        shown += [(c, "") for c, col in header.columns.items() if not col.label and (c, "") not in shown]
        for c, label in sorted(shown):
            key = header.columns[c].key if c in header.columns else None
            record["columns"].append({
                "letter": column_letter(c), "label": label or "(không có tiêu đề)", "ignored": c in ignored,
                "key": key, "recognised": header.recognised.get(c) if header.recognised is not None else key,
                "routine": norm_label(label) in ROUTINE_HEADERS})
    return record


PREVIEW_ROWS, PREVIEW_COLUMNS, PREVIEW_TEXT = 40, 40, 40


def preview(grid: Grid) -> list[list[str]]:
    """The top-left of a sheet as text (rows × columns, each cell cut short), for the review's picture of the sheet."""
    return [[grid.text(r, c)[:PREVIEW_TEXT] for c in range(min(grid.width, PREVIEW_COLUMNS))]
            for r in range(min(grid.height, PREVIEW_ROWS))]
