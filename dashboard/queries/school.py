"""Hồ sơ trường: everything about one school, selected from the registry, the survey and the metric views
(no metric arithmetic here)."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where
from etl.metrics.queries import Scope, plan_progress_sql


def choices(filters: Filters) -> tuple[str, list]:
    """Schools of the filter, for the selectbox."""
    where, params = scope_where(filters)
    return f"SELECT sc.school_code, sc.school_name FROM schools sc WHERE {where} ORDER BY sc.school_name", params


def registry() -> tuple[str, list]:
    """Every school of the registry (a link may name a school outside the filter)."""
    return "SELECT school_code, school_name FROM schools ORDER BY school_name", []


def identity(school_code: str) -> tuple[str, list]:
    return ("""SELECT school_code, school_name, level, ownership, ward_old, ward_new, ward_new_code
               FROM schools WHERE school_code = ?""", [school_code])


def periods() -> tuple[str, list]:
    """Every loaded period, oldest first (the axis of the history charts)."""
    return ("""SELECT DISTINCT school_year, period FROM survey ORDER BY school_year, period = 'CN'""", [])


def survey(school_code: str) -> tuple[str, list]:
    """The school's survey rows, oldest first (all periods)."""
    return ("""SELECT * FROM survey WHERE school_code = ? ORDER BY school_year, period = 'CN'""", [school_code])


def informatics(school_code: str) -> tuple[str, list]:
    """informatics_computers of the school, every period, oldest first."""
    return ("""SELECT * FROM informatics_computers WHERE school_code = ? ORDER BY school_year, period = 'CN'""",
            [school_code])


def id_shares(school_code: str) -> tuple[str, list]:
    """The plan's personal-ID shares for this one school, every period: the plan progress query of the metric
    layer, scoped to the school, for the indicators the catalogue defines as 'sum <x>_with_id / sum <x>' (pupils,
    teachers); `series` names who is counted, from the survey field of the denominator ("Số học sinh" -> "học
    sinh")."""
    sql, params = plan_progress_sql(Scope(schools=(school_code,)))
    return (f"""SELECT v.indicator, v.indicator_vi, v.school_year, v.period, v.value, v.target,
                       regexp_replace(f.label_vi, '^Số ', '') AS series
                FROM ({sql}) v JOIN ref_plan_indicators p ON p.code = v.indicator
                JOIN ref_survey_fields f
                  ON f.code = regexp_extract(p.formula, '^sum (\\w+)_with_id / sum (\\w+)$', 2)
                ORDER BY v.indicator""", params)


def maturity(school_code: str) -> tuple[str, list]:
    """maturity_4725 of the school, latest school year first."""
    return "SELECT * FROM maturity_4725 WHERE school_code = ? ORDER BY school_year DESC", [school_code]


def criteria(school_code: str) -> tuple[str, list]:
    """criteria_scores of the school, catalogue order; `lost_points` = maximum − official score (the
    view has no such column yet)."""
    return ("""SELECT c.school_year, c.criterion, c.criterion_group, c.name_vi, c.mandatory, c.max_points,
                      c.self_score, c.verified_score, c.self_met, c.verified_met, c.score, c.met, c.gap, c.basis,
                      c.lost_points
               FROM criteria_scores c JOIN ref_criteria_4725 r ON r.code = c.criterion
               WHERE c.school_code = ? ORDER BY c.school_year DESC, r.rowid""", [school_code])


def evidence(school_code: str) -> tuple[str, list]:
    return ("""SELECT school_year, criterion, self_score, max_points, reason FROM evidence_flags
               WHERE school_code = ? ORDER BY school_year DESC, criterion""", [school_code])


def issues(school_code: str) -> tuple[str, list]:
    """Everything the loader said about this school (errors, warnings, notes), newest load first."""
    return ("""SELECT school_year, period, file_name, sheet, cell, severity, message FROM load_issues
               WHERE school_code = ?
               ORDER BY load_id DESC, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                        file_name, sheet, cell""", [school_code])
