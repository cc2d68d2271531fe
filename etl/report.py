"""The load report: a dict (printed as JSON with --json) and its Vietnamese text rendering."""
from __future__ import annotations

from pathlib import Path

from etl.extract import LAYOUT_VI
from etl.issues import SEVERITY_VI

STATUS_VI = {"loaded": "đã nạp", "partial": "nạp một phần", "rejected": "bị từ chối",
             "unchanged": "không đổi (nội dung đã có)", "skipped": "bỏ qua"}
SHOWN_NOTES = {"unknown_columns", "sheet_skipped", "assumed_self", "text_encoding", "unit_word",  # notes that matter
               "ward_column", "several_tables", "schools_in_columns", "merged_school", "same_content"}
STATUS_MARK = {"loaded": "✔", "partial": "!", "rejected": "✘", "unchanged": "=", "skipped": "–"}


def exit_code(files: list[dict]) -> int:
    """0 everything loaded; 1 some rows or files rejected, the rest loaded; 2 nothing could be read."""
    if files and all(f["status"] in ("rejected", "skipped") for f in files) and \
            any(f["status"] == "rejected" for f in files):
        return 2
    if any(f["status"] in ("rejected", "partial") for f in files):
        return 1
    return 0


CELL_BUCKETS = ("loaded", "label", "ignored", "error", "unaccounted")
CELL_COUNTS = (*CELL_BUCKETS, "cells", "unaccounted_numbers")


def cell_totals(accounting: list[dict]) -> dict:
    """The cells of files or sheets by bucket (every non-empty cell of every sheet is in exactly one)."""
    return {key: sum(part[key] for part in accounting) for key in CELL_COUNTS}


def cells_line(cells: dict) -> str:
    """'ô có nội dung: 1.234 — 800 giá trị đã nạp, 400 là tiêu đề, nhãn hay ghi chú, 30 bỏ qua có lý do, 4 lỗi, 0 chưa
    được đọc'."""
    from etl.extract.ledger import BUCKET_VI
    from etl.textnorm import fmt_number

    parts = ", ".join(f"{fmt_number(cells[key])} {BUCKET_VI[key]}" for key in CELL_BUCKETS)
    numbers = f" (trong đó {fmt_number(cells['unaccounted_numbers'])} ô số)" if cells["unaccounted_numbers"] else ""
    return f"ô có nội dung: {fmt_number(cells['cells'])} — {parts}{numbers}"


def build_report(results: list, load_id: int | None, db_path: Path, elapsed: float) -> dict:
    files = [{
        "file": r.name, "path": str(r.path), "sha256": r.sha, "status": r.status, "layouts": r.layouts,
        "periods": r.periods() if r.status != "unchanged" else [], "rows_loaded": r.rows_loaded,
        "rows_rejected": r.rows_rejected, "rows_replaced": r.replaced, "seconds": round(r.seconds, 3),
        "cpu_seconds": round(r.cpu_seconds, 3),
        "issues": [i.as_dict() for i in r.log.items],
        "cells": cell_totals(r.accounting), "sheets": r.accounting,
    } for r in results]
    totals = {key: sum(f[key] for f in files) for key in ("rows_loaded", "rows_rejected", "rows_replaced")}
    totals["files"] = len(files)
    totals["cells"] = cell_totals([f["cells"] for f in files])
    for status in STATUS_VI:
        totals[f"files_{status}"] = sum(f["status"] == status for f in files)
    for severity in SEVERITY_VI:
        totals[severity + "s"] = sum(i["severity"] == severity for f in files for i in f["issues"])
    from etl.metrics import catalogue_warnings
    from etl.reference import load_catalogue

    return {"database": str(db_path), "load_id": load_id, "elapsed_seconds": round(elapsed, 3), "files": files,
            "totals": totals, "catalogue_warnings": catalogue_warnings(load_catalogue()),
            "exit_code": exit_code(files)}


def render_text(report: dict, show_info: bool = False) -> str:
    lines = []
    for f in report["files"]:
        kinds = ", ".join(LAYOUT_VI.get(k, k) for k in dict.fromkeys(f["layouts"]))
        where = f" ({kinds}; {', '.join(f['periods'])})" if kinds and f["periods"] else f" ({kinds})" if kinds else ""
        counts = ""
        if f["status"] not in ("unchanged", "skipped"):
            counts = f": nạp {f['rows_loaded']} dòng, từ chối {f['rows_rejected']}, thay thế {f['rows_replaced']}"
        lines.append(f"{STATUS_MARK[f['status']]} {f['file']} — {STATUS_VI[f['status']]}{where}{counts} "
                     f"({f['seconds']:.2f} giây)")
        if f.get("cells", {}).get("cells"):
            lines.append(f"    {cells_line(f['cells'])}")
        for issue in f["issues"]:
            if issue["severity"] != "info" or show_info or f["status"] == "skipped" or issue["code"] in SHOWN_NOTES:
                lines.append(f"    {SEVERITY_VI[issue['severity']]}: {issue['text']}")
    t = report["totals"]
    lines.append(
        f"Tổng: {t['files']} tệp ({t['files_loaded']} đã nạp, {t['files_partial']} nạp một phần, "
        f"{t['files_rejected']} bị từ chối, {t['files_unchanged']} không đổi, {t['files_skipped']} bỏ qua); "
        f"{t['rows_loaded']} dòng được nạp, "
        f"{t['rows_rejected']} dòng bị từ chối, {t['rows_replaced']} dòng thay thế dữ liệu cũ; {t['errors']} lỗi, "
        f"{t['warnings']} cảnh báo. Thời gian: {report['elapsed_seconds']:.2f} giây.")
    for warning in report.get("catalogue_warnings", []):
        lines.append(f"Cảnh báo: {warning}")
    if report["load_id"] is None:
        lines.append("Kho dữ liệu không thay đổi.")
    else:
        lines.append(f"Kho dữ liệu: {report['database']} (lần nạp số {report['load_id']}).")
    return "\n".join(lines)
