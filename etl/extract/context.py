"""School year and period written once for a whole sheet: in a column, the title rows or the file name.

Precedence (DOMAIN §5): a value in a column wins over the title, the title over the file name (and
the file name over its folder). A disagreement is reported, never resolved silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.issues import IssueLog
from etl.reference import PERIOD_NAMES
from etl.values import find_period, find_school_year

SOURCE_VI = {"title": "tiêu đề", "file": "tên tệp", "folder": "tên thư mục", "column": "cột",
             "correction": "chỉnh sửa khi xem trước", "profile": "mẫu nhập đã lưu"}


@dataclass
class Found:
    value: str
    source: str  # title | file | folder
    where: str | None = None  # cell of the title line


def _scan(texts: list[tuple[str | None, str]], finder, source: str, unreadable: list) -> Found | None:
    for where, text in texts:
        try:
            value = finder(text)
        except ValueError as exc:
            unreadable.append((source, where, text, str(exc)))
            continue
        if value:
            return Found(value, source, where)
    return None


def sheet_context(path: Path, title: list[tuple[str | None, str]], log: IssueLog, sheet: str | None) -> dict:
    """{'school_year': Found|None, 'period': Found|None} from title lines, file name and folder name."""
    sources = [(title, "title"), ([(None, path.stem)], "file"), ([(None, path.parent.name)], "folder")]
    result = {}
    for key, finder, label in (("school_year", find_school_year, "năm học"), ("period", find_period, "kỳ báo cáo")):
        unreadable: list = []
        found = [f for texts, source in sources if (f := _scan(texts, finder, source, unreadable))]
        result[key] = found[0] if found else None
        for source, where, text, reason in unreadable[:1] if not found or found[0].source != "title" else []:
            log.warning("unreadable_context", f"{SOURCE_VI[source]} \"{text[:60]}\" có {label} nhưng không đọc được: "
                        f"{reason}; hãy sửa lại, ví dụ \"Năm học 2024-2025\"", sheet, where)
        named = PERIOD_NAMES if key == "period" else {}
        for other in found[1:]:
            if other.value != found[0].value and other.source != "folder":
                log.warning(
                    "context_conflict",
                    f"{label} trong {SOURCE_VI[found[0].source]} ({named.get(found[0].value, found[0].value)}) khác "
                    f"{SOURCE_VI[other.source]} ({named.get(other.value, other.value)}); dùng "
                    f"{SOURCE_VI[found[0].source]}",
                    sheet, found[0].where)
    return result
