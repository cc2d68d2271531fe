"""Chất lượng dữ liệu: loads and files, issues located by file/sheet/cell, schools not reported, outliers."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where


def loads() -> tuple[str, list]:
    return ("""SELECT load_id, finished_at, file_name, status, layouts, periods, rows_loaded, rows_rejected,
                      rows_replaced, warnings, errors, sha256, archive_path
               FROM load_log ORDER BY load_id DESC, file_name""", [])


def _scoped_issues(filters: Filters, only_period: bool) -> tuple[str, list]:
    """The CTEs `scope_files` (files with rows or issues of the schools in scope; every file when nothing narrows
    the schools) and `scoped_issues` (load_issues in scope), shared by the counts and the table so both agree.

    An issue of a school in the registry belongs to the scope when its school does. An issue of no school (the file
    as a whole) or of a code that is not in the registry belongs to the scope of its file: it is counted when that
    file holds rows or issues of a school in scope (with no filter on schools: always).
    `only_period`: school issues of the chosen period (or of its school year, e.g. 4725, when they have no period);
    file issues of files whose load recorded rows of that period (or that year's 4725)."""
    where, params = scope_where(filters)
    everything = "false" if params else "true"  # every clause of the scope takes a parameter
    year, period = filters.school_year, filters.period
    if only_period:
        survey_p, assess_p, issue_p = " AND s.school_year = ? AND s.period = ?", " AND a.school_year = ?", \
            " AND i.school_year = ? AND (i.period = ? OR i.period IS NULL)"
        log_p = " AND list_has_any(string_split(l.periods, ','), [? || ' ' || ?, ? || ' 4725'])"
        issue_period = f"""AND CASE WHEN i.school_year IS NOT NULL THEN i.school_year = ? AND (i.period = ? OR
                                    i.period IS NULL)
                               ELSE EXISTS (SELECT 1 FROM load_log l WHERE l.load_id = i.load_id
                                            AND l.file_name = i.file_name {log_p}) END"""
        survey_v, assess_v, issue_v, log_v = [year, period], [year], [year, period], [year, period, year]
        period_v = [year, period, *log_v]
    else:
        survey_p = assess_p = issue_p = log_p = issue_period = ""
        survey_v, assess_v, issue_v, log_v, period_v = [], [], [], [], []
    sql = f"""scope_files AS (
                SELECT s.source_file AS file_name FROM survey s JOIN schools sc USING (school_code)
                WHERE {where}{survey_p}
                UNION SELECT a.source_file FROM assessment_scores a JOIN schools sc USING (school_code)
                WHERE {where}{assess_p}
                UNION SELECT i.file_name FROM load_issues i JOIN schools sc USING (school_code)
                WHERE {where}{issue_p}
                UNION SELECT l.file_name FROM load_log l WHERE {everything} AND l.status <> 'registry'{log_p}
              ),
              scoped_issues AS (
                SELECT i.*, sc.school_name, sc.school_code IS NULL AS whole_file
                FROM load_issues i LEFT JOIN schools sc USING (school_code)
                WHERE (CASE WHEN sc.school_code IS NOT NULL THEN {where}
                            ELSE i.file_name IN (SELECT file_name FROM scope_files) END) {issue_period}
              )"""
    return sql, [*params, *survey_v, *params, *assess_v, *params, *issue_v, *log_v, *params, *period_v]


def issue_summary(filters: Filters, only_period: bool) -> tuple[str, list]:
    """Files, errors and warnings of the scope (see _scoped_issues), and how many of them concern a whole file or a
    school outside the registry."""
    ctes, params = _scoped_issues(filters, only_period)
    return (f"""WITH {ctes}
                SELECT (SELECT count(DISTINCT l.file_name) FROM load_log l WHERE l.status <> 'registry'
                        AND l.file_name IN (SELECT file_name FROM scope_files)) AS files,
                       count(*) FILTER (severity = 'error') AS errors,
                       count(*) FILTER (severity = 'warning') AS warnings,
                       count(*) FILTER (severity = 'error' AND whole_file) AS file_errors,
                       count(*) FILTER (severity = 'warning' AND whole_file) AS file_warnings
                FROM scoped_issues""", params)


def issues(filters: Filters, severities: list[str], only_period: bool) -> tuple[str, list]:
    """Issues of the scope (see _scoped_issues), newest load first."""
    ctes, params = _scoped_issues(filters, only_period)
    return (f"""WITH {ctes}
                SELECT load_id, severity, file_name, sheet, cell, school_code, school_name, school_year, period,
                       message, code
                FROM scoped_issues WHERE list_contains(?, severity)
                ORDER BY load_id DESC, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                         file_name, sheet, cell""", [*params, severities])


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
                       (SELECT arg_max(s.school_year || ' ' || s.period, s.school_year || CASE s.period WHEN 'CN'
                                THEN '2' ELSE '1' END)
                         FROM survey s WHERE s.school_code = sc.school_code) AS last_reported
                FROM schools sc WHERE {where} AND NOT EXISTS (SELECT 1 FROM survey s WHERE s.school_code =
                     sc.school_code AND s.school_year = ? AND s.period = ?)
                ORDER BY sc.level, sc.school_name""", [*params, filters.school_year, filters.period])


def class_sizes(filters: Filters, low: float, high: float) -> tuple[str, list]:
    """Pupils per class of each school in the period, and whether it is outside the plausible band low..high (the
    catalogue's students/classes check, dashboard.shown.class_size_bounds: the loader warns on the same rows)."""
    where, params = scope_where(filters)
    return (f"""SELECT sc.school_code, sc.school_name, sc.level, s.students, s.classes, s.warnings,
                       s.students::DOUBLE / s.classes AS class_size,
                       (s.students::DOUBLE / s.classes < ? OR s.students::DOUBLE / s.classes > ?) AS outside,
                       s.source_file, s.source_sheet, s.source_row
                FROM survey s JOIN schools sc USING (school_code)
                WHERE s.school_year = ? AND s.period = ? AND s.classes > 0 AND s.students IS NOT NULL AND {where}""",
            [float(low), float(high), filters.school_year, filters.period, *params])


def replacements() -> tuple[str, list]:
    return ("""SELECT r.load_id, r.dataset, r.school_code, sc.school_name, r.school_year, r.period, r.old_file,
                      r.old_load_id, r.new_file
               FROM replacements r LEFT JOIN schools sc USING (school_code) ORDER BY r.load_id DESC""", [])
