"""Recognise the layout of each sheet and pull out raw records with their cells of origin."""
from __future__ import annotations

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
from etl.extract.context import sheet_context
from etl.extract.grid import Grid, Header, title_lines
from etl.extract.records import AssessmentRecord, Cell, SurveyRecord, TaskRecord
from etl.extract.survey import extract_survey_form, extract_survey_table, find_survey_header, missing_required
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

    def record_count(self) -> int:
        return len(self.survey) + len(self.assessment) + len(self.tasks)


def _titles(grid: Grid, last_row: int) -> list[tuple[str | None, str]]:
    return [(cell_ref(r, 0), text) for r, text in title_lines(grid, last_row)]


ROW_NUMBER_HEADERS = {"stt", "tt", "số tt", "số thứ tự", "ghi chú"}  # never survey data: not listed


def _report_columns(header: Header, sheet: str | None, log: IssueLog) -> None:
    unknown = [(c, label) for c, label in header.unknown if norm_label(label) not in ROW_NUMBER_HEADERS]
    if unknown:
        listed = ", ".join(f"\"{label}\" (cột {column_letter(c)})" for c, label in unknown[:12])
        log.info("unknown_columns", f"bỏ qua các cột không thuộc danh mục trường thông tin: {listed}", sheet)
    for first, second in header.duplicates:
        log.warning("duplicate_column",
                    f"cột {column_letter(second.index)} (\"{second.label}\") trùng ý nghĩa với cột "
                    f"{column_letter(first.index)} (\"{first.label}\"); dùng cột {column_letter(first.index)}", sheet)


def _extract_sheet(path: Path, grid: Grid, catalogue: Catalogue, log: IssueLog, out: Extraction) -> str | None:
    name = grid.sheet.name or None
    before = out.record_count()
    layout = _recognise(path, grid, catalogue, log, out)
    if layout not in (None, "rejected", "registry") and out.record_count() == before:
        log.error("no_rows", f"đã nhận ra {LAYOUT_VI[layout]} nhưng không có dòng số liệu nào để nạp", name)
        return "rejected"
    return layout


def _recognise(path: Path, grid: Grid, catalogue: Catalogue, log: IssueLog, out: Extraction) -> str | None:
    name = grid.sheet.name or None
    if header := find_assessment_table(grid, catalogue):
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
        context = sheet_context(path, titles, log, name)
        _report_columns(header, name, log)
        out.assessment += extract_assessment_table(grid, header, catalogue, context, kind, log)
        return "assessment_table"
    if header := find_assessment_form(grid, catalogue):
        context = sheet_context(path, _titles(grid, header.top), log, name)
        out.assessment += extract_assessment_form(grid, header, catalogue, context, log)
        return "assessment_form"
    if header := find_task_header(grid, catalogue):
        out.task_context = {"titles": _titles(grid, header.top)}
        out.tasks += extract_tasks(grid, header, catalogue, log)
        return "task_sheet"
    if header := find_survey_header(grid, catalogue):
        missing = missing_required(header, catalogue)
        if "level" in header.by_key() and not any(catalogue.fields[k].pillar == "scale" for k in header.by_key()):
            log.info("registry_file", "đây là danh mục trường, không phải số liệu khảo sát; không nạp. Cài danh mục "
                     "bằng lệnh: python -m etl registry <tệp>", name)
            return "registry"
        if missing:
            log.error("missing_required_column", f"dòng tiêu đề thiếu cột bắt buộc: {', '.join(missing)}",
                      name, header.span(grid.width))
            return "rejected"
        context = sheet_context(path, _titles(grid, header.top), log, name)
        _report_columns(header, name, log)
        out.survey += extract_survey_table(grid, header, catalogue, context, log)
        return "survey_table"
    if record := extract_survey_form(grid, catalogue, log):
        context = sheet_context(path, _titles(grid, 12), log, name)
        for key in ("school_year", "period"):
            if key not in record.cells and context.get(key):
                found = context[key]
                record.context[key] = Cell(found.value, found.where, source=found.source)
        out.survey.append(record)
        return "survey_form"
    return None


def extract(workbook: Workbook, catalogue: Catalogue, log: IssueLog) -> Extraction:
    out = Extraction()
    synthetic_words = catalogue.words("title", "synthetic")
    unrecognised = []
    for sheet in workbook.sheets:
        name = sheet.name or None
        if not any(any(v not in (None, "") for v in row) for row in sheet.rows):
            continue
        if not sheet.visible:
            log.warning("hidden_sheet", "trang tính đang ẩn nên không được nạp; nếu trang này có số liệu cần nạp, "
                        "hãy bỏ ẩn rồi gửi lại", name)
            continue
        grid = Grid(sheet)
        if any(w in norm_label(grid.line(r)) for r in range(min(15, grid.height)) for w in synthetic_words):
            out.synthetic = True
        layout = _extract_sheet(workbook.path, grid, catalogue, log, out)
        if layout is None:
            unrecognised.append(name)
        elif layout != "rejected":
            out.layouts.append(layout)
    if not out.layouts and not log.count("error"):
        sheet = unrecognised[0] if unrecognised else None
        log.error("no_header", "không tìm thấy dòng tiêu đề nhận ra được (cần các cột như Mã trường, Tên trường, "
                  "Số lớp, Số học sinh... hoặc mã tiêu chí 4725)", sheet)
    elif out.layouts:
        for name in unrecognised:
            log.info("sheet_skipped", "trang không có bảng số liệu nhận ra được, bỏ qua", name)
    return out
