"""The office's task sheet: task, owner, due date, status, percent done, note."""
from __future__ import annotations

from functools import lru_cache

from etl.extract.grid import Grid, Header, Trailer, account_table, body_rows, find_header, is_total_line
from etl.extract.ledger import IGNORED
from etl.extract.records import Cell, TaskRecord, mark_fraction_columns
from etl.issues import IssueLog
from etl.reference import Catalogue
from etl.textnorm import cell_ref, norm_label


def find_task_header(grid: Grid, catalogue: Catalogue) -> Header | None:
    index = catalogue.layout_keys("task_sheet")

    @lru_cache(maxsize=1024)
    def classify(label: str, group: str) -> str | None:
        return index.get(norm_label(label))

    header = find_header(grid, classify, min_keys=3)
    if header is None or "task" not in header.by_key() or not header.by_key().keys() & {"status", "percent"}:
        return None
    return header


def extract_tasks(grid: Grid, header: Header, catalogue: Catalogue, log: IssueLog) -> list[TaskRecord]:
    sheet = grid.sheet
    columns = header.by_key()
    end = catalogue.words("table_rows", "end")
    records = []
    trailer = Trailer()
    for r, texts in body_rows(grid, header.data_start, end, lambda: bool(records), trailer):
        if not grid.text(r, columns["task"].index):
            others = [key for key, col in columns.items() if key != "task" and grid.text(r, col.index)]
            if len(others) >= 2 and not is_total_line(texts[0]):  # a task whose text was cleared or never computed
                log.error("missing_task", "dòng có số liệu nhưng ô Nhiệm vụ trống (đã xoá, ô gộp hoặc công thức chưa "
                          "được tính); hãy ghi nội dung nhiệm vụ rồi nạp lại", sheet.name or None,
                          cell_ref(r, columns["task"].index))
                grid.ledger.mark_row(r, IGNORED, "dòng có số liệu nhưng ô Nhiệm vụ trống")
            continue
        if is_total_line(texts[0]):
            trailer.totals.append((r, " ".join(texts)))
            grid.ledger.mark_total_row(r, reason="số trên dòng tổng cộng")
            continue
        cells = {key: Cell.at(sheet, r, col.index)
                 for key, col in columns.items()}
        records.append(TaskRecord(sheet.name, r + 1, cells))
    if "percent" in columns:
        mark_fraction_columns([record.cells["percent"] for record in records])
    trailer.note(log, sheet.name or None)
    account_table(grid, header, 0, trailer.end[0] if trailer.end else None)
    return records
