"""Máy tính dạy Tin học: selections of informatics_computers for the schools of a filter and one period.

Per-school figures come straight from the view. Groups (wards, all schools) are sums and counts over
its rows; the one ratio of a group, pupils per computer across the school, is the metric layer's macro
group_pupils_per_computer, as in informatics_totals, so that any filter of schools gets it, not only the
groupings the view pre-computes (tests check the two agree)."""
from __future__ import annotations

from dashboard.filters import Filters
from dashboard.queries import scope_where
from etl.metrics.compare import computers_change_sql

GROUPS = {"ward_new": "sc.ward_new", "ward_old": "sc.ward_old", "level": "sc.level"}


def targets() -> tuple[str, list]:
    """The targets the views were built with (metric_settings), for the caption."""
    return ("SELECT computer_target_TH AS TH, computer_target_THCS AS THCS, computer_target_TH_THCS AS TH_THCS "
            "FROM metric_settings", [])


def per_school(filters: Filters, school_year: str, period: str) -> tuple[str, list]:
    """One row per reporting TH/THCS/TH&THCS school of the filter (preschools have no target)."""
    where, params = scope_where(filters)
    return (f"""SELECT i.school_code, sc.school_name, i.level, i.ward_new, i.ward_old, i.students, i.it_students,
                       i.it_classes, i.it_rooms, i.it_computers, i.class_size, i.computers_per_room,
                       i.pupils_per_computer, i.target, i.target_met, i.computers_needed,
                       i.school_pupils_per_computer, i.no_room, i.room_without_computers, i.missing_data, i.status
                FROM informatics_computers i JOIN schools sc USING (school_code)
                WHERE i.school_year = ? AND i.period = ? AND i.target IS NOT NULL AND {where}
                ORDER BY i.level, i.pupils_per_computer DESC NULLS FIRST, sc.school_name""",
            [school_year, period, *params])


def _totals_select() -> str:
    return """count(*) AS schools,
              sum(i.computers_needed) AS computers_needed,
              sum(i.it_computers) AS computers,
              group_pupils_per_computer(i.students, i.it_computers) AS school_pupils_per_computer,
              count(*) FILTER (i.target_met) AS schools_met,
              count(*) FILTER (NOT i.target_met) AS schools_not_met,
              count(*) FILTER (i.no_room) AS schools_no_room,
              count(*) FILTER (i.missing_data) AS schools_missing_data"""


def totals(filters: Filters, school_year: str, period: str) -> tuple[str, list]:
    """One row: the columns of informatics_totals for all schools of the filter."""
    where, params = scope_where(filters)
    return (f"""SELECT {_totals_select()} FROM informatics_computers i JOIN schools sc USING (school_code)
                WHERE i.school_year = ? AND i.period = ? AND i.target IS NOT NULL AND {where}""",
            [school_year, period, *params])


def by_group(filters: Filters, school_year: str, period: str, group: str) -> tuple[str, list]:
    """The same columns per new ward, former unit or level (`group` is a key of GROUPS)."""
    column = GROUPS[group]
    where, params = scope_where(filters)
    return (f"""SELECT {column} AS unit, {_totals_select()}
                FROM informatics_computers i JOIN schools sc USING (school_code)
                WHERE i.school_year = ? AND i.period = ? AND i.target IS NOT NULL AND {where}
                GROUP BY ALL ORDER BY computers_needed DESC NULLS LAST, unit""", [school_year, period, *params])


def compared(filters: Filters, before: tuple[str, str]) -> tuple[str, list]:
    """The totals now and in `before` (rows `side` 'now', 'before') over the schools of the filter with computers
    figures in both periods (etl.metrics.compare): the changes the page states."""
    return computers_change_sql(filters.scope, (filters.school_year, filters.period), before)
