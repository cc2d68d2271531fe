"""What each built file reports to the manifest."""
from __future__ import annotations

from dataclasses import dataclass, field

from .periods import PERIODS
from .writers import Book


@dataclass
class FileOut:
    book: Book
    layout: str
    school_year: str | None = None
    period: str | None = None
    survey_rows: list = field(default_factory=list)  # [(code, tuple of carried field codes)]
    assessment_rows: list = field(default_factory=list)  # [(code, kinds)]
    info: dict = field(default_factory=dict)

    @property
    def period_index(self) -> int | None:
        if self.period is None:
            return None
        return PERIODS.index((self.school_year, self.period))
