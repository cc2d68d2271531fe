"""Tổng quan: headline figures for a period and the one before, level distribution, attention list."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where
from etl.metrics.compare import computers_change_sql, level2_change_sql, plan_change_sql
from etl.metrics.queries import plan_progress_sql


def level_share(filters: Filters) -> tuple[str, list]:
    """Assessed schools and those at Mức 2 or higher, for the latest two assessed years up to the period."""
    where, params = scope_where(filters)
    return (f"""SELECT m.school_year, count(*) AS assessed,
                       count(*) FILTER (reaches_level2(m.overall_level)) AS level2_plus
                FROM maturity_4725 m JOIN schools sc USING (school_code)
                WHERE m.school_year <= ? AND {where}
                GROUP BY ALL ORDER BY m.school_year DESC LIMIT 2""", [filters.school_year, *params])


def computers_needed(filters: Filters, school_year: str, period: str) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT sum(i.computers_needed) AS needed, count(*) FILTER (i.target_met = false) AS schools_short
                FROM informatics_computers i JOIN schools sc USING (school_code)
                WHERE i.school_year = ? AND i.period = ? AND {where}""", [school_year, period, *params])


def plan_progress(filters: Filters) -> tuple[str, list]:
    return plan_progress_sql(filters.scope)


def level_distribution(filters: Filters, school_year: str) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT sc.level, m.overall_level, count(*) AS schools
                FROM maturity_4725 m JOIN schools sc USING (school_code)
                WHERE m.school_year = ? AND {where} GROUP BY ALL ORDER BY 1, 2""", [school_year, *params])


def not_reported(filters: Filters) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT sc.school_code, sc.school_name, sc.level, sc.ward_new
                FROM schools sc WHERE {where} AND NOT EXISTS (SELECT 1 FROM survey s WHERE s.school_code =
                sc.school_code AND s.school_year = ? AND s.period = ?) ORDER BY sc.level, sc.school_name""",
            [*params, filters.school_year, filters.period])


def no_room(filters: Filters) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT sc.school_code, sc.school_name, i.it_students FROM informatics_computers i
                JOIN schools sc USING (school_code) WHERE i.no_room AND i.school_year = ? AND i.period = ?
                AND {where} ORDER BY sc.school_name""", [filters.school_year, filters.period, *params])


def evidence_count(filters: Filters, school_year: str) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT count(*) AS flag_count, count(DISTINCT e.school_code) AS schools FROM evidence_flags e
                JOIN schools sc USING (school_code) WHERE e.school_year = ? AND {where}""", [school_year, *params])


def data_errors(filters: Filters) -> tuple[str, list]:
    """Errors of the period the data-quality page lists for the same filter (the same query, counted)."""
    from dashboard.queries.quality import issues

    sql, params = issues(filters, ["error"], only_period=True)
    return f"SELECT count(*) AS errors FROM ({sql})", params


def computers_change(filters: Filters, before: tuple[str, str]) -> tuple[str, list]:
    """Computers lacking now minus then, over the schools of the filter with a figure in both periods (the metric
    layer's rule, etl.metrics.compare): `schools` 0 means nothing to compare with, never a change from nothing."""
    sql, params = computers_change_sql(filters.scope, (filters.school_year, filters.period), before)
    return (f"""SELECT max(computers_needed) FILTER (side = 'now') - max(computers_needed) FILTER (side = 'before')
                       AS change, coalesce(max(schools), 0) AS schools FROM ({sql})""", params)


def level2_change(filters: Filters, year: str, before_year: str) -> tuple[str, list]:
    """Schools of the filter assessed in both 4725 years, and those of them at Mức 2 or higher in each."""
    return level2_change_sql(filters.scope, year, before_year)


def plan_change(filters: Filters) -> tuple[str, list]:
    """Each plan indicator now and in the previous period over the schools with its figure in both."""
    return plan_change_sql(filters.scope, (filters.school_year, filters.period), filters.previous)
