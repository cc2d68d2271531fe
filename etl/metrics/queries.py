"""Parameterised metric queries for any filter of schools. The pages call these; they never compute."""
from __future__ import annotations

from dataclasses import dataclass, field

from etl.metrics.plan import PERIODS_LEFT
from etl.sql import identifier, literal


@dataclass(frozen=True)
class Scope:
    """Which schools: empty lists mean all."""
    levels: tuple[str, ...] = ()
    wards_new: tuple[str, ...] = ()
    wards_old: tuple[str, ...] = ()
    ownership: tuple[str, ...] = ()
    schools: tuple[str, ...] = field(default=())

    def sql(self, alias: str = "sc") -> tuple[str, list]:
        clauses, params = [], []
        for column, values in (("level", self.levels), ("ward_new", self.wards_new), ("ward_old", self.wards_old),
                               ("ownership", self.ownership), ("school_code", self.schools)):
            if values:
                clauses.append(f"list_contains(?, {identifier(alias)}.{column})")
                params.append(list(values))
        return (" AND ".join(clauses) or "true"), params


def _periods_left_sql() -> str:
    return "CASE period " + " ".join(f"WHEN {literal(p)} THEN {int(n)}" for p, n in PERIODS_LEFT.items()) + " END"


def plan_progress_sql(scope: Scope, tolerance_pct: float | None = None) -> tuple[str, list]:
    """Every indicator, every period: value, numerator, denominator, schools counted and missing,
    target, previous value and status, for the schools of `scope`. The status tolerance is the warehouse's own
    (metric_settings, written with the data), so a snapshot keeps the statuses it was taken with; a number
    overrides it (tests, what-if)."""
    where, params = scope.sql()
    tolerance = "(SELECT plan_tolerance_pct FROM metric_settings)" if tolerance_pct is None \
        else literal(float(tolerance_pct))
    sql = f"""
    WITH scoped AS (
        SELECT v.* FROM plan_school_values v JOIN schools sc USING (school_code) WHERE v.applies AND {where}
    ),
    agg AS (
        SELECT indicator, school_year, period,
               sum(num) FILTER (has_data) AS numerator, sum(den) FILTER (has_data) AS denominator,
               count(*) FILTER (has_data) AS schools_counted, count(*) FILTER (NOT has_data) AS schools_missing
        FROM scoped GROUP BY ALL
    ),
    valued AS (
        SELECT a.*, p.pillar, p.indicator_vi, p.unit, p.target, p.direction, p.kind, p.plan_clause,
               plan_value(p.kind, a.numerator, a.denominator, p.scale) AS value,
               {_periods_left_sql()} AS periods_left
        FROM agg a JOIN plan_indicators_meta p ON p.code = a.indicator
    ),
    trended AS (
        SELECT *, lag(value) OVER (PARTITION BY indicator ORDER BY school_year, period = 'CN') AS previous_value,
               lag(school_year || ' ' || period) OVER (PARTITION BY indicator ORDER BY school_year, period = 'CN')
                   AS previous_period
        FROM valued
    )
    SELECT indicator, pillar, indicator_vi, unit, school_year, period, value, numerator, denominator,
           schools_counted, schools_missing, target, direction, previous_period, previous_value,
           value - previous_value AS change, periods_left,
           plan_status(value, target, previous_value, direction, periods_left, {tolerance}) AS status,
           plan_clause
    FROM trended
    ORDER BY school_year, period = 'CN', indicator
    """
    return sql, params


def laggards_sql(scope: Scope, indicator: str, school_year: str, period: str) -> tuple[str, list]:
    """Schools that pull an indicator down in one period: below the target on their own, or missing."""
    where, params = scope.sql()
    sql = f"""
    SELECT v.school_code, sc.school_name, sc.level, sc.ward_old, sc.ward_new, v.has_data,
           CASE WHEN v.has_data THEN plan_value(p.kind, v.num, v.den, p.scale) END AS school_value,
           v.num, v.den, p.target, p.unit,
           CASE WHEN NOT v.has_data THEN 'missing' ELSE 'below_target' END AS reason
    FROM plan_school_values v
    JOIN schools sc USING (school_code)
    JOIN plan_indicators_meta p ON p.code = v.indicator
    WHERE v.applies AND v.indicator = ? AND v.school_year = ? AND v.period = ? AND {where}
      AND (NOT v.has_data OR (p.direction = 'higher' AND coalesce(plan_value(p.kind, v.num, v.den, p.scale), 0)
                                                                  < p.target)
           OR (p.direction = 'lower' AND v.num > p.target))
    ORDER BY v.has_data DESC,
             CASE WHEN p.direction = 'lower' THEN -v.num ELSE v.num / nullif(v.den, 0) END, sc.school_name
    """
    return sql, [indicator, school_year, period, *params]
