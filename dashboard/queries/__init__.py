"""SQL that pages run: selections and filters over the metric views (no arithmetic of metrics here).
Each function takes the shared Filters and returns (sql, params)."""
from __future__ import annotations

from dashboard.filters import Filters


def scope_where(filters: Filters, alias: str = "sc") -> tuple[str, list]:
    return filters.scope.sql(alias)


def latest_assessed_year(filters: Filters) -> tuple[str, list]:
    """The 4725 school year to show for a period: its own, or the latest before it."""
    return ("SELECT max(school_year) FROM maturity_4725 WHERE school_year <= ?", [filters.school_year])


def schools_by_level(filters: Filters) -> tuple[str, list]:
    """How many schools of each level the filter keeps (to tell 'only preschools' from 'no report')."""
    where, params = scope_where(filters)
    return f"SELECT sc.level, count(*) AS schools FROM schools sc WHERE {where} GROUP BY ALL", params


def reporting(filters: Filters, school_year: str, period: str) -> tuple[str, list]:
    """Schools of the filter that sent the survey for a period, and all schools of the filter."""
    where, params = scope_where(filters)
    return (f"""SELECT count(s.school_code) AS reported, count(*) AS expected
                FROM schools sc LEFT JOIN survey s ON s.school_code = sc.school_code AND s.school_year = ?
                     AND s.period = ? WHERE {where}""", [school_year, period, *params])
