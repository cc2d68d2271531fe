"""SQL that pages run: selections and filters over the metric views (no arithmetic of metrics here).
Each function takes the shared Filters and returns (sql, params)."""
from __future__ import annotations

from dashboard.filters import Filters


def scope_where(filters: Filters, alias: str = "sc") -> tuple[str, list]:
    return filters.scope.sql(alias)


def latest_assessed_year(filters: Filters) -> tuple[str, list]:
    """The 4725 school year to show for a period: its own, or the latest before it."""
    return ("SELECT max(school_year) FROM maturity_4725 WHERE school_year <= ?", [filters.school_year])
