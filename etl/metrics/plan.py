"""Plan indicators (DOMAIN §8): formulas read from plan_2025_indicators.csv, computed in DuckDB.

Each formula becomes, per school and period, a numerator and a denominator (`plan_school_values`),
so that an indicator for any filter of schools is sum(numerator) / sum(denominator): the arithmetic
of every filter is the same query. The value of an indicator from its sums is one SQL macro, `plan_value`; the
status rule is another, `plan_status`, whose tolerance is the shown warehouse's `metric_settings`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from etl.sql import identifier, literal, literal_list

PERIODS_LEFT = {"HK1": 1, "CN": 0}  # reporting periods left in the school year after this one

STATUS_RULE_VI = (
    "Đạt: giá trị đã đạt chỉ tiêu. Đúng tiến độ: chưa đạt nhưng nếu giữ mức thay đổi so với kỳ trước thì "
    "sẽ đạt chỉ tiêu vào cuối năm học (chỉ xét khi năm học còn kỳ báo cáo sau). Có nguy cơ: chưa đạt, "
    "nhưng cách chỉ tiêu không quá {tolerance}% chỉ tiêu, hoặc năm học còn thời gian và chỉ số đang tiến "
    "bộ so với kỳ trước. Chậm tiến độ: các trường hợp còn lại (không tiến bộ, hoặc hết năm học mà còn xa "
    "chỉ tiêu). Không có số liệu: không trường nào trong phạm vi có số liệu cho chỉ số ở kỳ này."
)

VALUE_MACRO = """
CREATE OR REPLACE MACRO plan_value(kind, num, den, scale) AS
CASE WHEN kind = 'sum' THEN num ELSE num / nullif(den, 0) * scale END
"""

STATUS_MACRO = """
CREATE OR REPLACE MACRO plan_status(value, target, previous, direction, periods_left, tolerance_pct) AS
CASE
  WHEN value IS NULL THEN 'no_data'
  WHEN (direction = 'higher' AND value >= target) OR (direction = 'lower' AND value <= target) THEN 'met'
  WHEN periods_left > 0 AND previous IS NOT NULL AND (
        (direction = 'higher' AND value + (value - previous) * periods_left >= target) OR
        (direction = 'lower' AND value - (previous - value) * periods_left <= target)) THEN 'on_track'
  WHEN abs(target - value) <= abs(target) * tolerance_pct / 100
       OR (periods_left > 0 AND previous IS NOT NULL AND
           ((direction = 'higher' AND value > previous) OR (direction = 'lower' AND value < previous)))
    THEN 'at_risk'
  ELSE 'off_track'
END
"""


@dataclass(frozen=True)
class Formula:
    kind: str  # share | mean | weighted_mean | ratio | sum
    num: str
    den: str
    has_data: str
    yearly: bool = False  # defined once a school year, at its CN period (4725)


def parse_formula(code: str, text: str, fields: set[str], targets: dict[str, float]) -> Formula:
    """One formula of plan_2025_indicators.csv. An unknown wording is an error, never a silent zero."""
    def field(name: str) -> str:
        if name not in fields:
            raise ValueError(f"plan_2025_indicators.csv, chỉ số {code}: không có trường \"{name}\"")
        return f"s.{identifier(name, f'plan_2025_indicators.csv, chỉ số {code}')}"

    text = text.strip()
    if m := re.fullmatch(r"share of schools with a non-empty (\w+)", text):
        f = field(m[1])
        return Formula("share", f"(trim(coalesce({f}, '')) <> '')::INT", "1", "s.school_code IS NOT NULL")
    if m := re.fullmatch(r"share of schools with (\w+)", text):
        f = field(m[1])
        return Formula("share", f"{f}::INT", "1", f"{f} IS NOT NULL")
    if m := re.fullmatch(r"mean of (\w+) weighted by (\w+)", text):
        f, w = field(m[1]), field(m[2])
        return Formula("weighted_mean", f"{f} * {w}", w, f"{f} IS NOT NULL AND {w} IS NOT NULL")
    if m := re.fullmatch(r"mean of (\w+)", text):
        f = field(m[1])
        return Formula("mean", f, "1", f"{f} IS NOT NULL")
    if m := re.fullmatch(r"sum (\w+) / sum (\w+)", text):
        a, b = field(m[1]), field(m[2])
        return Formula("ratio", a, b, f"{a} IS NOT NULL AND {b} IS NOT NULL")
    if text == "sum over schools of computers_needed":
        return Formula("sum", "i.computers_needed", "NULL", "i.computers_needed IS NOT NULL")
    if m := re.fullmatch(r"share of ([\w ]+?) schools whose lesson ratio <= ([0-9.]+)", text):
        for level in re.findall(r"TH_THCS|THCS|TH", m[1]):
            if targets[level] != float(m[2]):
                raise ValueError(f"plan_2025_indicators.csv, chỉ số {code}: công thức ghi <= {m[2]} nhưng thiết "
                                 f"lập computer_target_{level} = {targets[level]:g}")
        return Formula("share", "i.target_met::INT", "1", "i.target_met IS NOT NULL")
    if re.fullmatch(r"share of [\w/ ]*schools with a 4725 self-assessment for the school year", text):
        return Formula("share", "coalesce(m.self_assessed, false)::INT", "1", "true", yearly=True)
    if m := re.fullmatch(r"share of assessed schools whose overall level >= ([123])", text):
        return Formula("share", f"(m.overall_level >= {m[1]})::INT", "1", "m.school_code IS NOT NULL", yearly=True)
    raise ValueError(f"plan_2025_indicators.csv, chỉ số {code}: không hiểu công thức \"{text}\"")


def plan_views_sql(indicators: list[dict], fields: set[str], targets: dict[str, float]) -> list[str]:
    """DDL for plan_indicators_meta (as a VALUES view) and plan_school_values."""
    parts, meta = [], []
    for row in indicators:
        formula = parse_formula(row["code"], row["formula"], fields, targets)
        levels = [lv for lv in row["applies_to"].split("|") if lv and lv != "all"]
        applies = "true" if not levels else f"u.level IN ({literal_list(levels)})"
        period_filter = "u.period = 'CN'" if formula.yearly else "true"
        parts.append(
            f"SELECT {literal(row['code'])} AS indicator, u.school_code, u.school_year, u.period, "
            f"{applies} AS applies, "
            f"({formula.num})::DOUBLE AS num, ({formula.den})::DOUBLE AS den, coalesce({formula.has_data}, false) "
            f"AS has_data FROM joined u LEFT JOIN survey s USING (school_code, school_year, period) "
            f"LEFT JOIN informatics_computers i USING (school_code, school_year, period) "
            f"LEFT JOIN maturity_4725 m ON m.school_code = u.school_code AND m.school_year = u.school_year "
            f"WHERE {period_filter}")
        scale = 100.0 if row["unit"] == "%" and formula.kind in ("share", "ratio") else 1.0
        meta.append((row["code"], row["pillar"], row["indicator_vi"], row["unit"], float(row["target"]),
                     row.get("direction") or "higher", formula.kind, scale, row["applies_to"], row["plan_clause"]))
    values = ",\n  ".join("(" + literal_list(m) + ")" for m in meta)
    meta_sql = ("CREATE OR REPLACE TABLE plan_indicators_meta AS SELECT * FROM (VALUES\n  " + values + "\n) AS t("
                "code, pillar, indicator_vi, unit, target, direction, kind, scale, applies_to, plan_clause)")
    values_sql = (
        "CREATE OR REPLACE VIEW plan_school_values AS\n"
        "WITH periods AS (SELECT DISTINCT school_year, period FROM survey),\n"
        "joined AS (SELECT sc.school_code, sc.level, p.school_year, p.period FROM schools sc CROSS JOIN periods p)\n"
        + "\nUNION ALL\n".join(parts))
    return [meta_sql, values_sql, VALUE_MACRO, STATUS_MACRO]

