"""The filters every page shares (period, level, ward, ownership, schools), without Streamlit."""
from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.format import period_label
from etl.metrics.queries import Scope
from etl.reference import LEVEL_NAMES, OWNERSHIP_NAMES


@dataclass(frozen=True)
class Filters:
    school_year: str
    period: str
    scope: Scope = field(default_factory=Scope)
    previous: tuple[str, str] | None = None  # the period before, among those loaded
    school_names: dict = field(default_factory=dict, compare=False, hash=False)
    source: str = "Số liệu hiện hành"  # or the snapshot: "Ảnh chụp «name» (dd/mm/yyyy hh:mm)"
    coverage: str = ""  # for a period still being collected past the default one: "đang thu: 6/140 trường"

    @property
    def collecting(self) -> bool:
        """The period is still being collected, past the one pages open on (etl.metrics.periods)."""
        return bool(self.coverage)

    @property
    def period_label(self) -> str:
        return period_label(self.school_year, self.period)

    def describe(self) -> str:
        """What the figures are filtered on, in Vietnamese (captions and exports)."""
        parts = [self.source, f"Kỳ: {self.period_label}" + (f" ({self.coverage})" if self.coverage else "")]
        s = self.scope
        if s.levels:
            parts.append("cấp học: " + ", ".join(LEVEL_NAMES[lv] for lv in s.levels))
        if s.wards_new:
            parts.append("phường mới: " + ", ".join(s.wards_new))
        if s.wards_old:
            parts.append("phường/xã cũ: " + ", ".join(s.wards_old))
        if s.ownership:
            parts.append("loại hình: " + ", ".join(OWNERSHIP_NAMES[o] for o in s.ownership))
        if s.schools:
            names = [self.school_names.get(code, code) for code in s.schools]
            parts.append(f"{len(names)} trường: " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
        else:
            parts.append("tất cả trường" if len(parts) == 2 else "")
        return "; ".join(p for p in parts if p)
