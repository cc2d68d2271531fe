"""What the intake page shows and hands out: the review as tables and sentences, the choices of a column mapping,
the load report as an Excel workbook with one sheet per school."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.format import period_words
from etl.extract.context import SOURCE_VI
from etl.issues import SEVERITY_VI
from etl.report import STATUS_VI

IGNORE = "(bỏ qua cột này)"


def column_choices(catalogue) -> dict[str, str]:
    """Display label → survey field key ("" for an ignored column), in catalogue order: the field's Vietnamese
    label only (no code name on screen)."""
    choices = {IGNORE: ""}
    for key, field in catalogue.fields.items():
        label, n = field.label_vi, 2
        while label in choices:  # two fields of one label would share one choice: numbered instead
            label, n = f"{field.label_vi} ({n})", n + 1
        choices[label] = key
    return choices


def review_period(text: str) -> str:
    """A row's period as the review keeps it ('2025-2026 CN', '4725 2025-2026') in words: 'Cả năm 2025-2026'."""
    kind, _, year = str(text or "").partition(" ")
    return period_words(f"{year} 4725" if kind == "4725" else text)


def review_table(review) -> pd.DataFrame:
    return pd.DataFrame([{
        "Tệp": f.name, "Kết quả": f.status_vi, "Ô số chưa đọc": f.unaccounted, "Dạng biểu": f.layouts_vi,
        "Kỳ": period_words(",".join(f.periods)), "Thêm": f.added, "Thay": f.replaced, "Từ chối": f.refused,
        "Lỗi": sum(m["severity"] == "error" for m in f.messages),
        "Cảnh báo": sum(m["severity"] == "warning" for m in f.messages)} for f in review.files])


BUCKET_COLUMNS = {"loaded": "Đã nạp", "label": "Tiêu đề, nhãn, ghi chú", "ignored": "Bỏ qua có lý do",
                  "error": "Lỗi", "unaccounted": "Chưa được đọc"}


def accounting_table(reviewed) -> pd.DataFrame:
    """Every non-empty cell of each sheet in its bucket: one row per sheet, the cells nobody read by range."""
    from etl.extract.ledger import describe

    return pd.DataFrame([{
        "Trang": (sheet["sheet"] or "") + (" (ẩn)" if sheet["hidden"] else ""), "Vùng chưa đọc": describe(sheet) or "—",
        "Ô có nội dung": sheet["cells"], **{label: sheet[key] for key, label in BUCKET_COLUMNS.items()},
        "Trong đó ô số chưa đọc": sheet["unaccounted_numbers"]} for sheet in reviewed.accounting])


def reasons_table(reviewed) -> pd.DataFrame:
    """Why each group of cells was set aside or taken for text, with where they stand."""
    return pd.DataFrame([{
        "Trang": sheet["sheet"] or "", "Loại": BUCKET_COLUMNS[reason["bucket"]], "Lý do": reason["reason"],
        "Số ô": reason["count"], "Vùng": ", ".join(reason["ranges"]) + (" …" if len(reason["ranges"]) >= 6 else "")}
        for sheet in reviewed.accounting for reason in sheet["reasons"] if reason["reason"]])


CHOSEN_VI = {"correction": "theo chỉnh sửa khi xem trước", "profile": "theo mẫu nhập đã lưu"}


def _found(found: dict | None, names: dict | None = None) -> str:
    """'Cả năm (đọc từ tiêu đề, ô A3)': the value in words (`names`: code → words), and where it was read or who
    chose it."""
    if not found:
        return "chưa xác định"
    value = (names or {}).get(found["value"], found["value"])
    if found["source"] in CHOSEN_VI:
        return f"{value} ({CHOSEN_VI[found['source']]})"
    where = SOURCE_VI.get(found["source"])
    return f"{value} (đọc từ {where}{', ô ' + found['where'] if found.get('where') else ''})" if where else str(value)


def sheet_summary(sheet: dict) -> str:
    """'Trang "HK1": biểu tổng hợp khảo sát; dòng tiêu đề 3–4 (A3:K4); năm học 2025-2026 (đọc từ tiêu đề, ô A1) …'"""
    from etl.extract import LAYOUT_VI
    from etl.reference import PERIOD_NAMES

    layout = ("hướng dẫn hoặc danh sách chọn của biểu mẫu, không có số liệu để nạp" if sheet.get("instructions")
              else LAYOUT_VI.get(sheet["layout"]) or "không nhận ra bảng số liệu nào")  # never a code, never None
    table = f" (bảng {sheet['table']})" if sheet.get("table") else ""
    parts = [f"Trang «{sheet['sheet'] or '(không tên)'}»{table}: {layout}"]
    if sheet.get("transposed"):
        parts.append(f"mỗi cột là một trường, nhãn chỉ tiêu ở cột {sheet['header'].split(':')[0].rstrip('0123456789')}")
    elif sheet.get("header"):
        top, bottom = sheet["header_rows"]
        rows = f"dòng {top}" if top == bottom else f"dòng {top}–{bottom}"
        parts.append(f"tiêu đề ở {rows} ({sheet['header']})")
        known = sum(1 for c in sheet["columns"] if c["key"])
        parts.append(f"{known}/{len(sheet['columns'])} cột nhận ra")
    if "school_year" in sheet:
        parts.append(f"năm học {_found(sheet.get('school_year'))}")
    if "period" in sheet:
        parts.append(f"kỳ báo cáo {_found(sheet.get('period'), PERIOD_NAMES)}")
    return "; ".join(parts) + "."


def report_workbook(report: dict) -> bytes:
    """The load report for the schools: a summary sheet of the files, then one sheet per school with its messages
    (file, sheet, cell, what to do), ready to send back; messages of no school on a sheet of their own."""
    files = pd.DataFrame([{
        "Tệp": f["file"], "Kết quả": STATUS_VI.get(f["status"], f["status"]),
        "Kỳ": period_words(",".join(f["periods"])),
        "Dòng nạp": f["rows_loaded"], "Dòng từ chối": f["rows_rejected"], "Dòng thay thế": f["rows_replaced"],
        "Lỗi": sum(i["severity"] == "error" for i in f["issues"]),
        "Cảnh báo": sum(i["severity"] == "warning" for i in f["issues"]),
        "Ô số không đọc được": f.get("cells", {}).get("unaccounted_numbers", 0)} for f in report["files"]] + [{
        "Tệp": h["file"], "Kết quả": f"chưa nạp: còn {h['unaccounted']} ô số chưa được đọc", "Kỳ": "", "Dòng nạp": 0,
        "Dòng từ chối": 0, "Dòng thay thế": 0, "Lỗi": 0, "Cảnh báo": 1, "Ô số không đọc được": h["unaccounted"]}
        for h in report.get("held", [])])
    issues = [{"school": i.get("school_code") or "", "Mức độ": SEVERITY_VI.get(i["severity"], i["severity"]),
               "Tệp": f["file"], "Trang": i.get("sheet") or "", "Ô": i.get("cell") or "", "Nội dung": i["message"],
               "Năm học": i.get("school_year") or "", "Kỳ": i.get("period") or ""}
              for f in report["files"] for i in f["issues"] if i["severity"] != "info"]
    issues += [{"school": "", "Mức độ": SEVERITY_VI["warning"], "Tệp": h["file"], "Trang": "", "Ô": "",
                "Nội dung": f"tệp chưa được nạp vì còn {h['unaccounted']} ô số chưa được đọc ({h['where']}); hãy sửa "
                            "tệp rồi gửi lại", "Năm học": "", "Kỳ": ""} for h in report.get("held", [])]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        files.to_excel(writer, sheet_name="Tổng hợp", index=False)
        _fit(writer.sheets["Tổng hợp"], files)
        by_school: dict[str, list[dict]] = {}
        for issue in issues:
            by_school.setdefault(issue.pop("school"), []).append(issue)
        used = {"Tổng hợp"}
        for school in sorted(by_school, key=lambda s: (s == "", s)):
            frame = pd.DataFrame(by_school[school])
            name = _sheet_name(school or "Chung", used)
            frame.to_excel(writer, sheet_name=name, index=False)
            _fit(writer.sheets[name], frame)
    return buffer.getvalue()


def _sheet_name(text: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:28] or "Trường"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}_{n}", n + 1
    used.add(name)
    return name


def _fit(sheet, frame: pd.DataFrame) -> None:
    for position, column in enumerate(frame.columns):
        longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))])
        sheet.set_column(position, position, min(max(10, longest + 2), 90))


def _cells(ref: str | None) -> list[tuple[int, int]]:
    """'E12' → [(11, 4)]; 'A8:C9' → the cells of the range (0-based); anything else → []."""
    import re

    from etl.textnorm import column_letter

    if not ref:
        return []
    letters = {column_letter(i): i for i in range(400)}
    found = [(int(m.group(2)) - 1, letters.get(m.group(1))) for m in re.finditer(r"([A-Z]{1,3})([0-9]{1,7})", ref)]
    found = [(r, c) for r, c in found if c is not None]
    if len(found) == 2 and ":" in ref:
        (r0, c0), (r1, c1) = found
        return [(r, c) for r in range(r0, min(r1, r0 + 60) + 1) for c in range(c0, min(c1, c0 + 60) + 1)]
    return found[:1]


def preview_styler(sheet: dict, messages: list[dict]):
    """The top-left of a sheet with the header band in blue, cells with an error in red and with a warning in
    yellow; rows and columns named as in Excel."""
    from etl.textnorm import column_letter

    rows = sheet.get("preview") or []
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=[column_letter(c) for c in range(width)],
                         index=range(1, len(rows) + 1))
    colours = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if sheet.get("header_rows"):
        top, bottom = sheet["header_rows"]
        for r in range(top, bottom + 1):
            if r in colours.index:
                colours.loc[r, :] = "background-color: #dbe9f8; font-weight: 600"
    for severity, colour in (("warning", "#fff2b3"), ("error", "#f8c9c4")):
        for message in messages:
            if message["severity"] != severity or (message.get("sheet") or None) != (sheet.get("sheet") or None):
                continue
            for r, c in _cells(message.get("cell")):
                if r + 1 in colours.index and c < width:
                    colours.iloc[r, c] = f"background-color: {colour}"
    return frame.style.apply(lambda _: colours, axis=None)
