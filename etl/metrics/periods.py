"""Which period the pages open on, and how far each period's collection has gone (DOMAIN §4, issue 21).

A period is open ("đang thu") until the office locks it (etl.submissions.locked_periods). Pages open by default on
the newest locked period or, when none is locked, on the newest period with at least DEFAULT_COVERAGE_PCT % of the
expected schools reported; if no period reaches it, on the newest one. The expected schools are those of the registry
(`schools`) that the connection sees: a connection opened for an account's scope (etl.warehouse.open_read_only with
its schools) counts the schools of that scope only. A school has reported a period when it has a `survey` row for it.

The open periods newer than the default are still selectable; `collecting` marks them, so that the picker can say
how many schools have reported ("đang thu: 6/140 trường").
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_COVERAGE_PCT = 80  # % of the expected schools reported for an open period to be shown by default


@dataclass(frozen=True)
class PeriodCoverage:
    school_year: str
    period: str  # HK1 | CN
    reported: int  # schools of the scope with a survey row for the period
    expected: int  # schools of the scope in the registry
    locked: bool
    collecting: bool = False  # open and newer than the default period: pages skip it unless it is chosen

    @property
    def key(self) -> str:
        """The period as the sidebar's picker names it: 'school_year|period'."""
        return f"{self.school_year}|{self.period}"

    @property
    def share(self) -> float:
        return self.reported / self.expected if self.expected else 0.0


def order_key(school_year: str, period: str) -> tuple[str, bool]:
    """Oldest first: the school year, then HK1 before CN."""
    return school_year, period == "CN"


COVERAGE_SQL = """
WITH periods AS (SELECT DISTINCT school_year, period FROM survey)
SELECT p.school_year, p.period,
       (SELECT count(DISTINCT s.school_code) FROM survey s JOIN schools sc USING (school_code)
        WHERE s.school_year = p.school_year AND s.period = p.period) AS reported,
       (SELECT count(*) FROM schools) AS expected
FROM periods p
"""


def period_coverage(con) -> list[PeriodCoverage]:
    """Every period with survey rows, newest first: schools reported and expected, locked or not, and which open
    periods are newer than the default (`collecting`). `con`: a DuckDB connection or cursor on the warehouse (scoped
    or not)."""
    from etl.submissions import locked_periods

    locks = locked_periods(con)
    rows = con.execute(COVERAGE_SQL).fetchall()
    periods = sorted((PeriodCoverage(y, p, int(r), int(e), (y, p) in locks) for y, p, r, e in rows),
                     key=lambda c: order_key(c.school_year, c.period), reverse=True)
    default = default_period(periods)
    if default is None:
        return periods
    newer = {c.key for c in periods if order_key(c.school_year, c.period) > order_key(default.school_year,
                                                                                       default.period)}
    return [PeriodCoverage(c.school_year, c.period, c.reported, c.expected, c.locked,
                           collecting=not c.locked and c.key in newer) for c in periods]


def default_period(periods: list[PeriodCoverage]) -> PeriodCoverage | None:
    """The period pages open on: the newest locked one; else the newest with at least DEFAULT_COVERAGE_PCT % of the
    expected schools reported (whole numbers: 112/140 is 80%); else the newest. None when there is no period."""
    newest_first = sorted(periods, key=lambda c: order_key(c.school_year, c.period), reverse=True)
    for chosen in ([c for c in newest_first if c.locked],
                   [c for c in newest_first if c.expected and 100 * c.reported >= DEFAULT_COVERAGE_PCT * c.expected],
                   newest_first):
        if chosen:
            return chosen[0]
    return None
