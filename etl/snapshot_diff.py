"""What changed between two warehouses — two snapshots of review meetings, or a snapshot and the live warehouse — for
the schools of a scope: the plan indicators whose value or status changed, the schools whose 4725 overall level went
up or down, the schools that newly meet or no longer meet the Informatics computer ratio, the key figures before and
after, and the files loaded in between.

No Streamlit and no rule of its own: each side is read through `Fetch` ((sql, params) -> DataFrame) with the metric
layer's views and queries of that warehouse (plan_progress_sql with the warehouse's own plan tolerance,
maturity_4725, informatics_computers), so a snapshot keeps the rules it was taken with. `compare_files` opens two
warehouse files with etl.warehouse.open_read_only(path, schools): an account scoped to some schools sees only theirs.
Columns are the metric layer's names (codes, not words); dashboard.diff_view writes them in Vietnamese."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from etl.metrics.queries import Scope, plan_progress_sql

Fetch = Callable[[tuple[str, list]], pd.DataFrame]

SHOWN_DECIMALS = 1  # an indicator's value counts as changed when it changes as shown (1 decimal)


@dataclass(frozen=True)
class Side:
    """What one side is compared at: the survey period (school year, period) and the 4725 school year."""
    period: tuple[str, str] | None
    year_4725: str | None


@dataclass
class Diff:
    before: Side
    after: Side
    indicators: pd.DataFrame  # every indicator at each side's period, `changed` marks those that changed
    levels: pd.DataFrame  # schools assessed on both sides whose overall level differs; `move` up / down
    computers: pd.DataFrame  # schools that newly meet (`move` now_met) or no longer meet (no_longer_met) the ratio
    files: pd.DataFrame  # load_log rows of the newer warehouse that the older one does not have
    files_gone: pd.DataFrame  # load_log rows of the older warehouse the newer one no longer has (an undone load)
    totals: pd.DataFrame  # key figures: measure, before, after, change, before_when, after_when

    @property
    def changed_indicators(self) -> pd.DataFrame:
        return self.indicators[self.indicators["changed"]]


def _where(scope: Scope) -> tuple[str, list]:
    return scope.sql("sc")


def latest_period(fetch: Fetch, scope: Scope) -> tuple[str, str] | None:
    """The newest survey period with data for the schools of the scope (CN after HK1 of the same year)."""
    where, params = _where(scope)
    rows = fetch((f"""SELECT DISTINCT s.school_year, s.period, s.period = 'CN' AS whole_year
                      FROM survey s JOIN schools sc USING (school_code)
                      WHERE {where} ORDER BY s.school_year DESC, whole_year DESC LIMIT 1""",
                  params))
    return (rows.iloc[0].school_year, rows.iloc[0].period) if len(rows) else None


def latest_4725_year(fetch: Fetch, scope: Scope, up_to: str | None) -> str | None:
    """The newest school year with 4725 results for the scope, not after `up_to` (the overview's rule)."""
    where, params = _where(scope)
    rows = fetch((f"""SELECT max(m.school_year) AS year FROM maturity_4725 m JOIN schools sc USING (school_code)
                      WHERE (? IS NULL OR m.school_year <= ?) AND {where}""", [up_to, up_to, *params]))
    year = rows.iloc[0].year if len(rows) else None
    return None if year is None or pd.isna(year) else str(year)


def side(fetch: Fetch, scope: Scope, period: tuple[str, str] | None = None) -> Side:
    """The period a side is compared at: `period` when given (the same on both sides), else the side's newest."""
    chosen = period or latest_period(fetch, scope)
    return Side(chosen, latest_4725_year(fetch, scope, chosen[0] if chosen else None))


def indicators(fetch: Fetch, scope: Scope, at: tuple[str, str] | None) -> pd.DataFrame:
    """Each indicator at the period `at`; one assessed once a year (4725) that the period has no figure for, at its
    latest result up to the period (the plan page's rule), `at` saying which."""
    columns = ["indicator", "pillar", "indicator_vi", "unit", "target", "direction", "value", "status", "at"]
    if at is None:
        return pd.DataFrame(columns=columns)
    progress = fetch(plan_progress_sql(scope))
    rank = progress["school_year"] + (progress["period"] == "CN").map({True: "2", False: "1"})
    progress = progress[rank <= at[0] + ("2" if at[1] == "CN" else "1")].assign(
        at=progress["school_year"] + " " + progress["period"],
        exact=(progress["school_year"] == at[0]) & (progress["period"] == at[1]), rank=rank)
    progress = progress[progress["exact"] | progress["value"].notna()]
    chosen = progress.sort_values(["exact", "rank"]).groupby("indicator").tail(1)
    return chosen[columns].sort_values("indicator").reset_index(drop=True)


def maturity(fetch: Fetch, scope: Scope, year: str | None) -> pd.DataFrame:
    where, params = _where(scope)
    # reaches_level2 (a macro every warehouse has once opened), not the view's column that older snapshots lack
    return fetch((f"""SELECT m.school_code, sc.school_name, sc.level, sc.ward_new, m.overall_level, m.g1_score,
                             m.g2_score, m.basis, reaches_level2(m.overall_level) AS level2_plus
                      FROM maturity_4725 m JOIN schools sc USING (school_code)
                      WHERE m.school_year = ? AND {where} ORDER BY m.school_code""", [year, *params]))


def informatics(fetch: Fetch, scope: Scope, at: tuple[str, str] | None) -> pd.DataFrame:
    where, params = _where(scope)
    year, period = at or (None, None)
    return fetch((f"""SELECT i.school_code, sc.school_name, sc.level, sc.ward_new, i.it_computers,
                             i.pupils_per_computer, i.target, i.target_met, i.computers_needed, i.status
                      FROM informatics_computers i JOIN schools sc USING (school_code)
                      WHERE i.school_year = ? AND i.period = ? AND i.target IS NOT NULL AND {where}
                      ORDER BY i.school_code""", [year, period, *params]))


def loads(fetch: Fetch) -> pd.DataFrame:
    return fetch(("""SELECT load_id, started_at, finished_at, file_name, sha256, status, periods, rows_loaded,
                            rows_replaced, errors FROM load_log ORDER BY started_at, load_id, file_name""", []))


def _pair(before: pd.DataFrame, after: pd.DataFrame, key: str, keep: list[str]) -> pd.DataFrame:
    """One row per key present on either side: `keep` columns from the newer side (else the older), the others
    suffixed _before / _after."""
    merged = before.merge(after, on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    for column in keep:
        merged[column] = merged[f"{column}_after"].where(merged["_merge"] != "left_only", merged[f"{column}_before"])
    return merged.drop(columns=[f"{c}_{s}" for c in keep for s in ("before", "after")])


def _rounded(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round(SHOWN_DECIMALS)


def indicator_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    paired = _pair(before, after, "indicator", ["pillar", "indicator_vi", "unit", "target", "direction"])
    paired = paired.rename(columns={"at_before": "when_before", "at_after": "when_after"})
    old, new = _rounded(paired["value_before"]), _rounded(paired["value_after"])
    paired["change"] = paired["value_after"] - paired["value_before"]
    value_changed = (old != new) & ~(old.isna() & new.isna())
    status_changed = paired["status_before"].fillna("no_data") != paired["status_after"].fillna("no_data")
    paired["changed"] = value_changed | status_changed
    return paired.drop(columns="_merge").sort_values("indicator").reset_index(drop=True)


def level_moves(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    paired = _pair(before, after, "school_code", ["school_name", "level", "ward_new"])
    both = paired[paired["_merge"] == "both"]
    moved = both[both["overall_level_before"] != both["overall_level_after"]].copy()
    moved["move"] = ["up" if a > b else "down" for b, a in zip(moved["overall_level_before"],
                                                                moved["overall_level_after"])]
    return moved.drop(columns="_merge").sort_values(["move", "school_code"], ascending=[False, True]) \
        .reset_index(drop=True)


def ratio_moves(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    paired = _pair(before, after, "school_code", ["school_name", "level", "ward_new"])
    met_before = paired["target_met_before"].fillna(False).astype(bool)
    met_after = paired["target_met_after"].fillna(False).astype(bool)
    moved = paired[met_before != met_after].copy()
    moved["move"] = ["now_met" if now else "no_longer_met" for now in met_after[met_before != met_after]]
    return moved.drop(columns="_merge").sort_values(["move", "school_code"], ascending=[False, True]) \
        .reset_index(drop=True)


def new_files(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows of `after` whose file (sha256) and load time are not in `before`."""
    seen = set(zip(before["sha256"], before["started_at"]))
    fresh = [(sha, at) not in seen for sha, at in zip(after["sha256"], after["started_at"])]
    return after[fresh].reset_index(drop=True)


def _count(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].fillna(False).astype(bool).sum()) if len(frame) else 0


def _when(at: tuple[str, str] | None) -> str:
    return f"{at[0]} {at[1]}" if at else ""


def totals(before: dict, after: dict, sides: tuple[Side, Side]) -> pd.DataFrame:
    """The key figures each meeting showed: 4725 assessed and at Mức 2+, schools meeting the ratio and not, computers
    needed, plan indicators met, files loaded."""
    rows = []
    for measure, value, when in (
            ("assessed_4725", lambda d: len(d["maturity"]), "year_4725"),
            ("level2_plus", lambda d: _count(d["maturity"], "level2_plus"), "year_4725"),
            ("ratio_met", lambda d: int((d["informatics"]["target_met"] == True).sum()), "period"),  # noqa: E712
            ("ratio_not_met", lambda d: int((d["informatics"]["target_met"] == False).sum()), "period"),  # noqa: E712
            ("computers_needed", lambda d: int(d["informatics"]["computers_needed"].fillna(0).sum()), "period"),
            ("indicators_met", lambda d: int((d["indicators"]["status"] == "met").sum()), "period"),
            ("files", lambda d: int(d["loads"].loc[d["loads"]["status"] != "registry", "sha256"].nunique()), None)):
        old, new = value(before), value(after)
        rows.append({"measure": measure, "before": old, "after": new, "change": new - old,
                     "before_when": _when_of(sides[0], when), "after_when": _when_of(sides[1], when)})
    return pd.DataFrame(rows)


def _when_of(s: Side, kind: str | None) -> str:
    if kind == "year_4725":
        return s.year_4725 or ""
    return _when(s.period) if kind == "period" else ""


def _read(fetch: Fetch, scope: Scope, at: Side) -> dict:
    return {"indicators": indicators(fetch, scope, at.period), "maturity": maturity(fetch, scope, at.year_4725),
            "informatics": informatics(fetch, scope, at.period), "loads": loads(fetch)}


def compare(before: Fetch, after: Fetch, scope: Scope = Scope(), period: tuple[str, str] | None = None) -> Diff:
    """What changed from the warehouse `before` reads to the one `after` reads, for the schools of `scope`; each side
    at `period` when given, else at its own newest period (what each meeting showed)."""
    sides = (side(before, scope, period), side(after, scope, period))
    old, new = _read(before, scope, sides[0]), _read(after, scope, sides[1])
    return Diff(sides[0], sides[1],
                indicators=indicator_changes(old["indicators"], new["indicators"]),
                levels=level_moves(old["maturity"], new["maturity"]),
                computers=ratio_moves(old["informatics"], new["informatics"]),
                files=new_files(old["loads"], new["loads"]),
                files_gone=new_files(new["loads"], old["loads"]),
                totals=totals(old, new, sides))


def fetcher(con) -> Fetch:
    """A Fetch over an etl.warehouse.open_read_only connection (a cursor per query)."""
    from etl.warehouse import read_cursor

    def fetch(pair: tuple[str, list]) -> pd.DataFrame:
        cursor = read_cursor(con)
        try:
            return cursor.execute(pair[0], pair[1]).df()
        finally:
            cursor.close()
    return fetch


def compare_files(before: Path, after: Path, scope: Scope = Scope(), schools: list[str] | None = None,
                  period: tuple[str, str] | None = None) -> Diff:
    """`compare` over two warehouse files; `schools`: the codes the account may see (None: all), on both sides."""
    from etl.warehouse import open_read_only

    with contextlib.closing(open_read_only(Path(before), schools)) as old, \
            contextlib.closing(open_read_only(Path(after), schools)) as new:
        return compare(fetcher(old), fetcher(new), scope, period)
