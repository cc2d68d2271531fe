"""Tiến độ kế hoạch: plan progress and laggards for the schools of a filter (etl.metrics.queries, where the one
status rule lives), the office task sheet, and how many schools of the filter reported."""
from __future__ import annotations

from dashboard.filters import Filters
from etl.metrics.compare import plan_change_sql
from etl.metrics.queries import laggards_sql, plan_progress_sql


def progress(filters: Filters) -> tuple[str, list]:
    """Every indicator and every period for the schools of the filter (value, target, counts, status)."""
    return plan_progress_sql(filters.scope)


def change(filters: Filters) -> tuple[str, list]:
    """Each indicator now and in the previous period over the schools with its figure in both (etl.metrics.compare)."""
    return plan_change_sql(filters.scope, (filters.school_year, filters.period), filters.previous)


def laggards(filters: Filters, indicator: str) -> tuple[str, list]:
    """The schools that pull `indicator` down in the selected period: below target on their own, or missing."""
    return laggards_sql(filters.scope, indicator, filters.school_year, filters.period)


def tasks() -> tuple[str, list]:
    """The office task sheet (not per school: the filter of schools does not apply)."""
    return ("""SELECT plan_year, task_no, task, owner, due, status, status_code, percent, overdue, note
               FROM office_tasks_status ORDER BY plan_year DESC, task_no""", [])
