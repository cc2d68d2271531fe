"""Problems found while reading input, each located by file, sheet and cell."""
from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}


@dataclass
class Issue:
    severity: str  # error | warning | info
    code: str  # machine-readable kind, e.g. not_a_number
    message: str  # Vietnamese, without the location
    file: str
    sheet: str | None = None
    cell: str | None = None
    school_code: str | None = None
    school_year: str | None = None
    period: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang '{self.sheet}'")
        if self.cell:
            parts.append(f"ô {self.cell}" if ":" not in self.cell else f"vùng {self.cell}")
        return ", ".join(parts)

    def text(self) -> str:
        return f"{self.location()}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self) | {"text": self.text()}


class IssueLog:
    """Collects issues for one file, with the file name filled in."""

    def __init__(self, file: str):
        from etl.textnorm import safe_name

        self.file = safe_name(file)
        self.items: list[Issue] = []

    def add(self, severity: str, code: str, message: str, sheet: str | None = None, cell: str | None = None,
            **context) -> Issue:
        issue = Issue(severity, code, message, self.file, sheet, cell, **context)
        self.items.append(issue)
        return issue

    def error(self, code: str, message: str, sheet=None, cell=None, **context) -> Issue:
        return self.add("error", code, message, sheet, cell, **context)

    def warning(self, code: str, message: str, sheet=None, cell=None, **context) -> Issue:
        return self.add("warning", code, message, sheet, cell, **context)

    def info(self, code: str, message: str, sheet=None, cell=None, **context) -> Issue:
        return self.add("info", code, message, sheet, cell, **context)

    def count(self, severity: str) -> int:
        return sum(1 for i in self.items if i.severity == severity)
