"""Mức độ chuyển đổi số (QĐ 4725): selections of maturity_4725, criteria_scores and evidence_flags for one
school year and the schools of the filter (no metric arithmetic here)."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where


def assessed_years(filters: Filters) -> tuple[str, list]:
    """School years with 4725 results up to the selected one (latest first), whatever the filter."""
    return ("SELECT DISTINCT school_year FROM maturity_4725 WHERE school_year <= ? ORDER BY 1 DESC",
            [filters.school_year])


def schools(filters: Filters, school_year: str) -> tuple[str, list]:
    """One row per assessed school of the filter: scores, levels, basis, gaps, with its registry identity."""
    where, params = scope_where(filters)
    return (f"""SELECT m.school_code, sc.school_name, sc.level, sc.ward_new, sc.ward_old,
                       m.g1_score, m.g2_score, m.g1_level, m.g2_level, m.overall_level,
                       m.g1_mandatory_met, m.g2_mandatory_met, m.basis,
                       m.g1_self, m.g2_self, m.g1_verified, m.g2_verified, m.g1_gap, m.g2_gap
                FROM maturity_4725 m JOIN schools sc USING (school_code)
                WHERE m.school_year = ? AND {where}
                ORDER BY m.overall_level DESC, least(m.g1_score, m.g2_score) DESC, sc.school_name""",
            [school_year, *params])


def level_counts(filters: Filters, school_year: str, by: str) -> tuple[str, list]:
    """Schools at each overall level, by `by` (level, ward_new or ward_old of the registry)."""
    if by not in ("level", "ward_new", "ward_old"):
        raise ValueError(by)
    where, params = scope_where(filters)
    return (f"""SELECT sc.{by} AS unit, m.overall_level, count(*) AS schools
                FROM maturity_4725 m JOIN schools sc USING (school_code)
                WHERE m.school_year = ? AND {where} GROUP BY ALL ORDER BY 1, 2""", [school_year, *params])


def level2_by_unit(filters: Filters, school_year: str, by: str) -> tuple[str, list]:
    """Per unit: schools assessed and those at Mức 2 or higher (the view's level2_plus), best share first."""
    if by not in ("level", "ward_new", "ward_old"):
        raise ValueError(by)
    where, params = scope_where(filters)
    return (f"""SELECT sc.{by} AS unit, count(*) AS assessed,
                       count(*) FILTER (reaches_level2(m.overall_level)) AS level2_plus
                FROM maturity_4725 m JOIN schools sc USING (school_code)
                WHERE m.school_year = ? AND {where} GROUP BY ALL
                ORDER BY count(*) FILTER (reaches_level2(m.overall_level)) / count(*) DESC, unit""",
            [school_year, *params])


def criteria(filters: Filters, school_year: str, only: list[str] | None = None) -> tuple[str, list]:
    """criteria_scores of the assessed schools of the filter (of those among them in `only`, when given: a
    province's heat map draws its first rows, not 45,000 × 20 cells), criteria in catalogue order (`position`)."""
    where, params = scope_where(filters)
    if only is not None:
        where += " AND c.school_code IN (SELECT unnest(?::VARCHAR[]))"
        params = [*params, list(only)]
    return (f"""SELECT c.school_code, sc.school_name, c.criterion, c.criterion_group, c.name_vi, c.mandatory,
                       c.max_points, c.score, c.met, c.share_of_max, c.self_score, c.verified_score, c.basis,
                       r.rowid AS position
                FROM criteria_scores c JOIN schools sc USING (school_code)
                JOIN ref_criteria_4725 r ON r.code = c.criterion
                WHERE c.school_year = ? AND {where}
                ORDER BY sc.school_name, position""", [school_year, *params])


def lost_points(school_code: str, school_year: str) -> tuple[str, list]:
    """One school's criteria where it did not get the maximum, and its unmet mandatory conditions.
    `lost_points` is the maximum minus the official score (criteria_scores has no such column yet)."""
    return ("""SELECT c.criterion, c.criterion_group, c.name_vi, c.mandatory, c.max_points, c.score, c.met,
                      c.self_score, c.verified_score, c.lost_points, r.rowid AS position
               FROM criteria_scores c JOIN ref_criteria_4725 r ON r.code = c.criterion
               WHERE c.school_code = ? AND c.school_year = ?
                 AND ((c.mandatory AND NOT c.met) OR (NOT c.mandatory AND c.score < c.max_points))
               ORDER BY position""", [school_code, school_year])


def evidence(filters: Filters, school_year: str) -> tuple[str, list]:
    where, params = scope_where(filters)
    return (f"""SELECT e.school_code, sc.school_name, e.criterion, e.self_score, e.max_points, e.reason
                FROM evidence_flags e JOIN schools sc USING (school_code)
                JOIN ref_criteria_4725 r ON r.code = e.criterion
                WHERE e.school_year = ? AND {where}
                ORDER BY sc.school_name, r.rowid""", [school_year, *params])


def rules() -> tuple[str, list]:
    """The settings the views were computed with, and the catalogue they used (version, maxima)."""
    return ("""SELECT cfg.mandatory_rule, cfg.level2_min_score, cfg.level3_above_score,
                      (SELECT value FROM meta WHERE key = 'version_criteria_4725') AS catalogue_version
               FROM metric_settings cfg""", [])


def catalogue() -> tuple[str, list]:
    """The 4725 catalogue the warehouse used, in its order (for etl.metrics.catalogue_warnings)."""
    return ('SELECT code, "group", max_points, mandatory, status FROM ref_criteria_4725 ORDER BY rowid', [])
