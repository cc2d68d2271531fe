"""The metric layer: all arithmetic of the dashboard, as views in the warehouse (DOMAIN §6-8).

`publish(con, catalogue)` writes the current settings into `metric_settings` and (re)creates the
views of maturity.sql, informatics.sql, evidence.sql and the plan views. Every metric column is
declared once, with its Vietnamese label, unit and description, in metrics.toml.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import duckdb

from etl.metrics.plan import plan_views_sql
from etl.settings import SETTINGS, load_settings

HERE = Path(__file__).resolve().parent
SQL_FILES = ("maturity.sql", "informatics.sql", "evidence.sql")
METRIC_SETTINGS = [s.name for s in SETTINGS if s.name.startswith(("computer_target", "level", "mandatory",
                                                                    "cashless", "plan_"))]


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def publish(con: duckdb.DuckDBPyConnection, catalogue, settings: dict | None = None) -> None:
    settings = settings or load_settings()
    columns = ", ".join(f"? AS {name}" for name in METRIC_SETTINGS)
    con.execute(f"CREATE OR REPLACE TABLE metric_settings AS SELECT {columns}",
                [settings[name] for name in METRIC_SETTINGS])
    for name in SQL_FILES:
        for statement in _statements((HERE / name).read_text(encoding="utf-8")):
            con.execute(statement)
    targets = {lv: float(settings[f"computer_target_{lv}"]) for lv in ("TH", "THCS", "TH_THCS")}
    for statement in plan_views_sql(catalogue.indicators, set(catalogue.fields), targets):
        con.execute(statement)


@lru_cache(maxsize=1)
def macro_statements() -> tuple[str, ...]:
    """The CREATE MACRO statements of the metric layer (the rules the views and the dashboard's queries share); read
    from the SQL files once per process, since every read-only open of a warehouse checks them."""
    from etl.metrics.plan import STATUS_MACRO, VALUE_MACRO

    sql = [s for name in SQL_FILES for s in _statements((HERE / name).read_text(encoding="utf-8"))]
    return tuple(s for s in sql + [VALUE_MACRO.strip(), STATUS_MACRO.strip()] if " MACRO " in s.split("(")[0])


def catalogue_warnings(catalogue) -> list[str]:
    """Vietnamese warnings about the 4725 catalogue in use (a group's maximum that is not 100)."""
    warnings = []
    for group in ("1", "2"):
        total = sum(c["max_points"] for c in catalogue.criteria if c["group"] == group)
        if total != 100:
            warnings.append(f"bộ tiêu chí 4725 (phiên bản {catalogue.versions['criteria_4725']}): nhóm {group} có "
                            f"tổng điểm tối đa {total:g}, không phải 100; mức của nhóm này cần xem lại")
    provisional = [c["code"] for c in catalogue.criteria if c.get("status") == "provisional"]
    if provisional:
        warnings.append(f"bộ tiêu chí 4725 có tiêu chí tạm (chưa đối chiếu văn bản gốc): {', '.join(provisional)}")
    return warnings


@lru_cache(maxsize=1)
def declarations() -> dict[str, dict[str, dict]]:
    """{view: {column: {label, unit, description}}} from metrics.toml."""
    with open(HERE / "metrics.toml", "rb") as fh:
        return tomllib.load(fh)


def label(view: str, column: str) -> str:
    return declarations()[view][column]["label"]


def labels(view: str) -> dict[str, str]:
    return {column: spec["label"] for column, spec in declarations()[view].items()}
