"""Chất lượng dữ liệu: loads and files, issues located by file/sheet/cell, schools not reported, outliers."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where


def loads() -> tuple[str, list]:
    return ("""SELECT load_id, finished_at, file_name, status, layouts, periods, rows_loaded, rows_rejected,
                      rows_replaced, warnings, errors, sha256, archive_path
               FROM load_log ORDER BY load_id DESC, file_name""", [])


def issue_summary() -> tuple[str, list]:
    return ("""SELECT count(DISTINCT file_name) FILTER (status NOT IN ('registry')) AS files,
                      sum(errors) AS errors, sum(warnings) AS warnings, max(finished_at) AS last_load
               FROM load_log""", [])


def issues(filters: Filters, severities: list[str], only_period: bool) -> tuple[str, list]:
    """Issues of the schools in scope, and issues of whole files (no school), newest load first."""
    where, params = scope_where(filters)
    period_clause = "AND (i.school_year IS NULL OR (i.school_year = ? AND (i.period = ? OR i.period IS NULL)))" \
        if only_period else ""
    period_params = [filters.school_year, filters.period] if only_period else []
    return (f"""SELECT i.load_id, i.severity, i.file_name, i.sheet, i.cell, i.school_code, sc.school_name,
                       i.school_year, i.period, i.message, i.code
                FROM load_issues i LEFT JOIN schools sc USING (school_code)
                WHERE list_contains(?, i.severity) AND (i.school_code IS NULL OR ({where})) {period_clause}
                ORDER BY i.load_id DESC, CASE i.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                         i.file_name, i.sheet, i.cell""", [severities, *params, *period_params])


def reporting_by_period(filters: Filters) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""WITH periods AS (SELECT DISTINCT school_year, period FROM survey)
                SELECT p.school_year, p.period, count(*) AS expected, count(s.school_code) AS reported
                FROM periods p CROSS JOIN schools sc
                LEFT JOIN survey s ON s.school_code = sc.school_code AND s.school_year = p.school_year
                     AND s.period = p.period
                WHERE {where} GROUP BY p.school_year, p.period
                ORDER BY p.school_year, CASE p.period WHEN 'CN' THEN 1 ELSE 0 END""", params)


def not_reported(filters: Filters) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT sc.school_code, sc.school_name, sc.level, sc.ward_old, sc.ward_new,
                       (SELECT max(s.school_year || ' ' || s.period) FROM survey s WHERE s.school_code = sc.school_code)
                           AS last_reported
                FROM schools sc WHERE {where} AND NOT EXISTS (SELECT 1 FROM survey s WHERE s.school_code =
                     sc.school_code AND s.school_year = ? AND s.period = ?)
                ORDER BY sc.level, sc.school_name""", [*params, filters.school_year, filters.period])


def class_sizes(filters: Filters) -> tuple[str, list]:
    """Pupils per class of each school in the period: the plausibility the loader warns about (10..60)."""
    where, params = scope_where(filters)
    return (f"""SELECT sc.school_code, sc.school_name, sc.level, s.students, s.classes, s.warnings,
                       s.source_file, s.source_sheet, s.source_row
                FROM survey s JOIN schools sc USING (school_code)
                WHERE s.school_year = ? AND s.period = ? AND s.classes > 0 AND {where}""",
            [filters.school_year, filters.period, *params])


def replacements() -> tuple[str, list]:
    return ("""SELECT r.load_id, r.dataset, r.school_code, sc.school_name, r.school_year, r.period, r.old_file,
                      r.old_load_id, r.new_file
               FROM replacements r LEFT JOIN schools sc USING (school_code) ORDER BY r.load_id DESC""", [])
