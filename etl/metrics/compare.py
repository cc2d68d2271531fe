"""Changes between two periods, counted over the schools with figures in both (DOMAIN §4, issue 21).

A period still being collected may hold 6 of 140 schools: its totals against the previous period's 140 would read as
"−2.679 máy" or "giảm 52 trường". Every change a page, a slide or an export states is therefore computed here, over
the schools of the filter that have the figure in both periods, and said with their number
(`compared_text`: "so sánh trên 6 trường có số liệu cả hai kỳ"). Which schools have "the figure" depends on what is
compared (FIGURES); the rest of the arithmetic is the metric layer's own (views and macros).
"""
from __future__ import annotations

from etl.metrics.queries import Scope
from etl.textnorm import fmt_number

# what is compared → (relation, the condition on a row x of it for the school to have the figure in that period)
FIGURES = {
    "survey": ("survey", "true"),  # reported the period at all
    "computers": ("informatics_computers", "x.computers_needed IS NOT NULL"),  # the computers figures are complete
    "maturity": ("maturity_4725", "x.overall_level IS NOT NULL"),  # assessed (4725: one result a school year)
}


def common_schools_sql(kind: str, scope: Scope, now: tuple, before: tuple) -> tuple[str, list]:
    """SELECT school_code of the schools of `scope` with the figure `kind` (a key of FIGURES) in both periods.
    `now`, `before`: (school_year, period), or (school_year,) for the yearly 4725 results."""
    relation, has = FIGURES[kind]
    where, params = scope.sql("sc")

    def side(alias: str, when: tuple) -> tuple[str, list]:
        columns = ("school_year", "period")[:len(when)]
        return " AND ".join(f"{alias}.{c} = ?" for c in columns) + " AND " + has.replace("x.", f"{alias}."), \
            list(when)

    now_sql, now_params = side("x", now)
    before_sql, before_params = side("y", before)
    return (f"""SELECT x.school_code FROM {relation} x JOIN {relation} y USING (school_code)
                JOIN schools sc USING (school_code)
                WHERE {now_sql} AND {before_sql} AND {where}""", [*now_params, *before_params, *params])


def compared_text(schools: int) -> str:
    """'so sánh trên 6 trường có số liệu cả hai kỳ': the words every compared change carries."""
    return f"so sánh trên {fmt_number(schools)} trường có số liệu cả hai kỳ"


def level2_change_sql(scope: Scope, year: str, before_year: str) -> tuple[str, list]:
    """One row: the schools assessed in both 4725 years (`schools`) and how many of them reach Mức 2 or higher in
    each (`level2_now`, `level2_before`)."""
    common, params = common_schools_sql("maturity", scope, (year,), (before_year,))
    return (f"""SELECT count(*) AS schools,
                       count(*) FILTER (reaches_level2(n.overall_level)) AS level2_now,
                       count(*) FILTER (reaches_level2(b.overall_level)) AS level2_before
                FROM ({common}) c JOIN maturity_4725 n ON n.school_code = c.school_code AND n.school_year = ?
                JOIN maturity_4725 b ON b.school_code = c.school_code AND b.school_year = ?""",
            [*params, year, before_year])


COMPUTER_TOTALS = """count(i.school_code) AS schools,
              sum(i.computers_needed) AS computers_needed,
              sum(i.it_computers) AS computers,
              group_pupils_per_computer(i.students, i.it_computers) AS school_pupils_per_computer,
              count(*) FILTER (i.target_met) AS schools_met,
              count(*) FILTER (NOT i.target_met) AS schools_not_met,
              count(*) FILTER (i.no_room) AS schools_no_room"""


def computers_change_sql(scope: Scope, now: tuple[str, str], before: tuple[str, str]) -> tuple[str, list]:
    """Two rows (`side` 'now' and 'before'): the computer totals of informatics_computers over the schools with
    complete computers figures in both periods (`schools`: how many; 0 rows of schools: nothing to compare)."""
    common, params = common_schools_sql("computers", scope, now, before)
    return (f"""WITH c AS ({common})
                SELECT s.side, {COMPUTER_TOTALS}
                FROM (VALUES ('now', ?, ?), ('before', ?, ?)) s(side, school_year, period)
                LEFT JOIN informatics_computers i ON i.school_year = s.school_year AND i.period = s.period
                     AND i.school_code IN (SELECT school_code FROM c)
                GROUP BY s.side ORDER BY s.side = 'before'""", [*params, *now, *before])


def plan_change_sql(scope: Scope, now: tuple[str, str], before: tuple[str, str]) -> tuple[str, list]:
    """Per plan indicator: its value now and before over the schools of `scope` it applies to that have its figure in
    both periods (`schools`), and whether each value meets the target (`met_now`, `met_before`). Indicators no school
    has in both periods are left out."""
    where, params = scope.sql("sc")  # 'met' is the value against the target alone (plan_status's first rule)
    return (f"""WITH pair AS (
                    SELECT n.indicator, n.school_code, n.num AS num_now, n.den AS den_now, b.num AS num_before,
                           b.den AS den_before
                    FROM plan_school_values n JOIN plan_school_values b USING (indicator, school_code)
                    JOIN schools sc USING (school_code)
                    WHERE n.applies AND b.applies AND n.has_data AND b.has_data
                      AND n.school_year = ? AND n.period = ? AND b.school_year = ? AND b.period = ? AND {where}),
                valued AS (
                    SELECT p.indicator, count(*) AS schools, m.target, m.direction,
                           plan_value(m.kind, sum(p.num_now), sum(p.den_now), m.scale) AS value_now,
                           plan_value(m.kind, sum(p.num_before), sum(p.den_before), m.scale) AS value_before
                    FROM pair p JOIN plan_indicators_meta m ON m.code = p.indicator
                    GROUP BY p.indicator, m.target, m.direction, m.kind, m.scale)
                SELECT *, plan_status(value_now, target, NULL, direction, 0, 0) = 'met' AS met_now,
                          plan_status(value_before, target, NULL, direction, 0, 0) = 'met' AS met_before
                FROM valued ORDER BY indicator""", [*now, *before, *params])


def met_change(changes) -> tuple[int, int] | None:
    """From a plan_change_sql frame: how many more indicators meet their target now than before over the common
    schools, and the number of schools compared (the most any indicator had); None when no indicator has figures in
    both periods."""
    if changes is None or not len(changes):
        return None
    now, before = (changes[c].fillna(False).astype(bool).sum() for c in ("met_now", "met_before"))
    return int(now - before), int(changes.schools.max())
