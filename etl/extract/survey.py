"""Layouts 1 and 2 of DOMAIN §5: the consolidated survey table and the per-school survey form."""
from __future__ import annotations

import re
from functools import lru_cache

from etl.extract.context import Found
from etl.extract.grid import (
    HEADER_SCAN_ROWS,
    Grid,
    Header,
    Trailer,
    account_table,
    find_header,
    find_headers,
    is_end_line,
    is_section_row,
    mark_prose,
    names_a_school,
    starts_with_any,
)
from etl.extract.ledger import IGNORED, LABEL, NUMBER, TEXT
from etl.extract.records import Cell, SurveyRecord, mark_fraction_columns
from etl.issues import IssueLog
from etl.reference import Catalogue, match_grouped_label, match_label, per_catalogue
from etl.textnorm import cell_ref, norm_label
from etl.values import CHECK_MARKS, parse_bool

IDENTITY_KEYS = {"school_code", "school_name", "level", "ownership", "ward_old", "school_year", "period"}
SCALE_FIELDS_MIN = 3  # a survey header names the school and at least this many other fields
FORM_FIELDS_MIN = 6


@per_catalogue
def survey_classifier(catalogue: Catalogue):
    @lru_cache(maxsize=4096)
    def classify(label: str, group: str) -> str | None:
        if group and (code := match_grouped_label(catalogue, label, group)):
            return code
        attempts = [f"{group} {label}", f"{label} {group}"] if group else []
        for text in [*attempts, label]:
            code, _ = match_label(catalogue, text)
            if code:
                return code
        return None
    return classify


def find_survey_header(grid: Grid, catalogue: Catalogue) -> Header | None:
    header = find_header(grid, survey_classifier(catalogue), min_keys=SCALE_FIELDS_MIN + 1)
    if header is None:
        return None
    keys = set(header.by_key())
    if not keys & {"school_code", "school_name"}:
        return None
    return header


def _survey_band(header: Header) -> bool:
    return len(header.columns) >= SCALE_FIELDS_MIN + 1 and bool(set(header.by_key()) & {"school_code", "school_name"})


def find_survey_headers(grid: Grid, catalogue: Catalogue) -> list[Header]:
    """Every survey header band of the sheet, top to bottom (one per table)."""
    first = find_survey_header(grid, catalogue)
    if first is None:
        return []
    return find_headers(grid, survey_classifier(catalogue), SCALE_FIELDS_MIN + 1, _survey_band, known=first)


def missing_required(header: Header, catalogue: Catalogue) -> list[str]:
    """Required fields the header lacks. Identity needs a code or a name; year, period and level
    may be written once in the title, file name or section rows instead."""
    keys = set(header.by_key())
    optional_here = {"school_code", "school_name", "school_year", "period", "level"}
    missing = [f.label_vi for code, f in catalogue.fields.items()
               if f.required and code not in keys and code not in optional_here]
    if not keys & {"school_code", "school_name"}:
        missing.insert(0, "Mã trường hoặc Tên trường")
    return missing


def _context_cells(context: dict[str, Found | None]) -> dict[str, Cell]:
    return {key: Cell(found.value, found.where, source=found.source)
            for key, found in context.items() if found is not None}


def section_level(grid: Grid, row: int, header: Header) -> str | None:
    """'I. MẦM NON', 'III. TRUNG HỌC CƠ SỞ': a short row naming a school level."""
    texts = [t for t in grid.row_texts(row) if t]
    code_col = header.by_key().get("school_code")
    if code_col is not None and grid.text(row, code_col.index) and len(texts) > 1:
        return None
    return is_section_row(texts)


def extract_survey_table(grid: Grid, header: Header, catalogue: Catalogue, context: dict, log: IssueLog,
                         first: int = 0, stop: int | None = None) -> list[SurveyRecord]:
    """The schools' rows under `header`, down to `stop` (where the next table's title lines start); `first` is where
    this table's own title lines start (a sheet may hold several tables, each under its own header band)."""
    stop = grid.height if stop is None else stop
    sheet = grid.sheet
    ledger = grid.ledger
    columns = header.by_key()
    subtotal, end = catalogue.words("table_rows", "subtotal"), catalogue.words("table_rows", "end")
    base_context = _context_cells(context)
    level: Cell | None = None
    records: list[SurveyRecord] = []
    end_row = None
    trailer = Trailer()
    code_col, name_col = columns.get("school_code"), columns.get("school_name")
    unfilled: list[int] = []
    for r in range(header.data_start, stop):
        texts = grid.row_texts(r)
        filled = [t for t in texts if t]
        if not filled:
            continue
        if not names_a_school(texts, code_col, name_col, subtotal + end):
            if records and is_end_line(filled, end):
                end_row, trailer.end = r, (r, " ".join(filled))
                break
            if starts_with_any(filled[0], subtotal):
                trailer.totals.append((r, " ".join(filled)))
                ledger.mark_total_row(r)
                continue
        if (section := section_level(grid, r, header)) is not None:
            level = Cell(section, cell_ref(r, texts.index(filled[0])), source="section")
            ledger.mark_row(r, LABEL, "dòng mục (cấp học)")
            continue
        cells = {key: Cell.at(sheet, r, col.index)
                 for key, col in columns.items()}
        has_identity = any(grid.text(r, columns[k].index) for k in ("school_code", "school_name") if k in columns)
        if not has_identity:
            values = [k for k, col in columns.items() if grid.text(r, col.index)]
            if len(values) >= 2:
                log.error("row_without_school", "dòng có số liệu nhưng không có mã trường hoặc tên trường",
                          sheet.name, cell_ref(r, 0))
                ledger.mark_row(r, IGNORED, "dòng có số liệu nhưng không có mã trường hoặc tên trường")
            else:  # a line of words inside the table (a note, a signature title): its numbers stay to be said
                mark_prose(grid, slice(r, r + 1), slice(None), "dòng chữ trong bảng, không phải của một trường")
            continue
        if not any(grid.text(r, col.index) for key, col in columns.items() if key not in IDENTITY_KEYS):
            unfilled.append(r)  # a school's row of a template nobody filled in: not a row of missing values
            ledger.mark_row(r, IGNORED, "trường chưa điền số liệu")
            continue
        row_context = dict(base_context)
        if level is not None:
            row_context["level"] = level
        records.append(SurveyRecord(sheet.name, r + 1, cells, row_context))
    trailer.note(log, sheet.name or None)
    account_table(grid, header, first, end_row if end_row is not None else stop, stop)
    if unfilled:
        rows = ", ".join(str(r + 1) for r in unfilled[:8]) + (" …" if len(unfilled) > 8 else "")
        log.warning("not_filled", f"{len(unfilled)} trường chưa điền số liệu (dòng {rows}): các dòng này chưa được "
                    "nạp; hãy điền rồi gửi lại" if records else
                    f"biểu chưa điền: {len(unfilled)} trường có tên nhưng chưa có số liệu nào; hãy điền rồi gửi lại",
                    sheet.name or None, cell_ref(unfilled[0], 0))
    if end_row is not None:
        _warn_data_after_end(grid, header, end_row, stop, log)
    marked = _marked_bool_columns(grid, header, catalogue, records)
    for record in records:
        record.marked_bools = marked
    for key in columns:
        if key in catalogue.fields and catalogue.fields[key].type == "percent":
            mark_fraction_columns([record.cells[key] for record in records])
    return records


def _warn_data_after_end(grid: Grid, header: Header, end_row: int, stop: int, log: IssueLog) -> None:
    code_col = header.by_key().get("school_code")
    for r in range(end_row + 1, stop):
        numbers = sum(1 for col in header.columns.values() if isinstance(grid.sheet.value(r, col.index), (int, float)))
        code = grid.text(r, code_col.index) if code_col else ""
        if numbers >= 3 or any(ch.isdigit() for ch in code):
            log.warning("data_after_end", "có số liệu nằm dưới phần ghi chú/chữ ký; phần này không được nạp",
                        grid.sheet.name, cell_ref(r, 0))
            return


def _marked_bool_columns(grid: Grid, header: Header, catalogue: Catalogue, records: list[SurveyRecord]) -> set[str]:
    """Yes/no columns ticked with 'x': there a blank cell means 'no', not 'missing'. When a sheet ticks
    with 'x' anywhere, its all-blank yes/no columns follow the same convention."""
    tick_only, ticked = set(), False
    for key, col in header.by_key().items():
        field = catalogue.fields.get(key)
        if field is None or field.type != "bool":
            continue
        values = {grid.text(rec.row - 1, col.index).casefold() for rec in records}
        if values <= CHECK_MARKS | {""}:
            tick_only.add(key)
            ticked = ticked or bool(values & CHECK_MARKS)
    return tick_only if ticked else set()


_NUMBER_TEXT = re.compile(r"^[+-]?[0-9][0-9., ]*(?:%|\s*\w{1,10})?$")  # "1.234", "85%", "30 lớp"
UNIT_WORDS = {"lớp", "người", "phòng", "máy", "hs", "gv", "học sinh", "giáo viên", "mbps", "%", "tin bài", "học liệu",
              "trường", "cái", "bộ"}


def _value_weight(grid: Grid, row: int, col: int, unit: str) -> int:
    """How much a cell looks like a form's value: numbers and yes/no answers most, units not at all."""
    value = grid.sheet.value(row, col)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 2
    if _NUMBER_TEXT.match(grid.text(row, col)):  # "1.234", "50 người" typed as text: as much a value as a number
        return 2
    key = norm_label(grid.text(row, col))
    if not key or key == norm_label(unit) or key in UNIT_WORDS:
        return 0
    try:
        parse_bool(key)
        return 2
    except ValueError:
        return 1


def _value_offsets(grid: Grid, hits: list[tuple[int, int, str]], catalogue: Catalogue) -> dict[int, int]:
    """For each column of labels, how far to the right its values stand: the column that holds values for
    most labels (a blank value then stays blank instead of borrowing the note beside it)."""
    offsets = {}
    for label_col in {c for _, c, _ in hits}:
        rows = [(r, code) for r, c, code in hits if c == label_col]
        scores = {d: sum(_value_weight(grid, r, label_col + d, catalogue.fields[code].unit) for r, code in rows)
                  for d in range(1, 5) if label_col + d < grid.width}
        offsets[label_col] = max(scores, key=lambda d: (scores[d], -d)) if scores else 1
    return offsets


def extract_survey_form(grid: Grid, catalogue: Catalogue, log: IssueLog) -> SurveyRecord | None:
    """Label/value pairs anywhere in the sheet; 'Mã trường: 40110001' in one cell also counts."""
    sheet = grid.sheet
    hits, inline = [], {}
    for r in range(grid.height):
        for c in range(grid.width):
            text = grid.text(r, c)
            if not text or len(text) > 120:
                continue
            code, _ = match_label(catalogue, text)
            if code is None and ":" in text:
                code, _ = match_label(catalogue, text.split(":", 1)[0])
                if code and text.split(":", 1)[1].strip():
                    inline[(r, c)] = text.split(":", 1)[1].strip()
            if code is not None:
                hits.append((r, c, code))
    offsets = _value_offsets(grid, [h for h in hits if (h[0], h[1]) not in inline], catalogue)
    cells: dict[str, Cell] = {}
    for r, c, code in hits:
        cell = Cell(inline[(r, c)], cell_ref(r, c)) if (r, c) in inline else Cell.at(sheet, r, c + offsets[c])
        if code in cells:
            if norm_label(str(cells[code].raw)) != norm_label(str(cell.raw)):
                log.warning("duplicate_label", f"nhãn \"{catalogue.fields[code].label_vi}\" xuất hiện hai lần "
                            f"với giá trị khác nhau; dùng ô {cells[code].ref}", sheet.name, cell.ref)
            continue
        cells[code] = cell
    if len(cells) < FORM_FIELDS_MIN or not cells.keys() & {"school_code", "school_name"}:
        return None
    _account_form(grid, hits, offsets, inline)
    return SurveyRecord(sheet.name, None, cells)


FORM_COLUMNS = {"ghi chú": "note", "ghi chú khác": "note", "đơn vị tính": "đơn vị tính", "đơn vị": "đơn vị tính",
                "đvt": "đơn vị tính", "stt": "số thứ tự", "tt": "số thứ tự", "số tt": "số thứ tự"}


def extract_form_in_rows(grid: Grid, catalogue: Catalogue) -> SurveyRecord | None:
    """One school's form laid out across: rows of labels ("Số lớp | Số học sinh | ..."), each followed by the row of
    their values, under section headings. Several label rows, each with exactly one row of values, and one school."""
    kind = grid.ledger.kind
    texts, numbers = (kind == TEXT).sum(axis=1), (kind == NUMBER).sum(axis=1)
    label_rows: dict[int, list[tuple[int, str]]] = {}
    for r in (int(r) for r in (texts >= 1).nonzero()[0] if numbers[r] == 0):
        filled = [(c, text) for c, text in enumerate(grid.row_texts(r)) if text]
        hits = [(c, code) for c, text in filled if len(text) <= 120 and (code := match_label(catalogue, text)[0])]
        if len(hits) >= 2 or (hits and len(hits) == len(filled)):  # a row of labels (one alone if nothing beside it)
            label_rows[r] = hits
    if len(label_rows) < 2:
        return None
    said = [code for hits in label_rows.values() for _, code in hits]
    if len(said) != len(set(said)):
        return None  # a label twice (a second "Mã trường"): tables of one school each, not one school's form
    rows = sorted(label_rows)
    cells: dict[str, Cell] = {}
    end_words = catalogue.words("table_rows", "end")
    for i, r in enumerate(rows):
        limit = rows[i + 1] if i + 1 < len(rows) else grid.height
        filled = []
        for x in range(r + 1, limit):
            line = [t for t in grid.row_texts(x) if t]
            if line and is_end_line(line, end_words):
                break  # the signature block under the form
            if line:
                filled.append(x)
        columns = [c for c, _ in label_rows[r]]
        values_at = r + 1  # right under the labels (blank when nothing was typed)
        if values_at in label_rows or any(grid._anchor(values_at, c) != (values_at, c) for c in columns):
            return None  # label rows one under another, or labels merged down: a header band, not a form
        if i + 1 < len(rows) and not any(grid.text(values_at, c) or (values_at, c) in grid.sheet.errors
                                         for c in columns):
            return None  # labels with nothing under them and more labels below: not a form's row of values
        more = [x for x in filled if x != values_at and (any(kind[x, c] == NUMBER for c in columns)
                                                         or sum(bool(grid.text(x, c)) for c in columns) >= 2)]
        if more:
            return None  # a table (several rows of values under one label row), not a form
        for c, code in label_rows[r]:
            cells.setdefault(code, Cell.at(grid.sheet, values_at, c))
    if len(cells) < FORM_FIELDS_MIN or not cells.keys() & {"school_code", "school_name"}:
        return None
    for r in rows:
        for c, _ in label_rows[r]:
            grid.ledger.mark(r, c, LABEL, "nhãn trường thông tin")
    mark_prose(grid, slice(None), slice(None), "chữ của phiếu (tiêu đề, mục, hướng dẫn, chữ ký)")
    return SurveyRecord(grid.sheet.name, None, cells)


def _account_form(grid: Grid, hits: list[tuple[int, int, str]], offsets: dict[int, int], inline: dict) -> None:
    """A form's labels, and the unit words beside its values; the rest of its words (title, section headings,
    instructions) are the form's text. Its numbers are either values read or left to be accounted for."""
    ledger = grid.ledger
    for r in range(min(grid.height, HEADER_SCAN_ROWS)):  # the form's own column headings: STT, Đơn vị tính, Ghi chú
        for c, text in enumerate(grid.row_texts(r)):
            kind = FORM_COLUMNS.get(norm_label(text)) if text else None
            if kind == "note":
                ledger.mark(slice(r + 1, None), c, IGNORED, f"cột \"{text}\" của phiếu: ghi chú, không phải số liệu")
            elif kind:
                ledger.mark(slice(r + 1, None), c, LABEL, kind)
    for r, c, _ in hits:
        if (r, c) not in inline:
            ledger.mark(r, c, LABEL, "nhãn trường thông tin")
            unit = c + offsets[c] + 1
            if unit < grid.width and norm_label(grid.text(r, unit)) in UNIT_WORDS:
                ledger.mark(r, unit, LABEL, "đơn vị tính")
    mark_prose(grid, slice(None), slice(None), "chữ của phiếu (tiêu đề, mục, hướng dẫn, chữ ký)")
