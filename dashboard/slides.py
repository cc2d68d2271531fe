"""Slides for review meetings: one chart each, with a one-sentence headline written from the data.

The same slides drive the presentation page and the PowerPoint/PDF exports. No Streamlit here: a slide is
built from `fetch`, which runs a (sql, params) pair against the warehouse being shown (live or snapshot).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import computers as computer_charts
from dashboard.charts import maturity as maturity_charts
from dashboard.charts import overview as overview_charts
from dashboard.charts import plan as plan_charts
from dashboard.charts import quality as quality_charts
from dashboard.filters import Filters
from dashboard.format import (
    COMPUTER_STATUS_NAMES,
    LEVEL_SHORT,
    PILLAR_NAMES,
    STATUS_NAMES,
    number,
    percent,
    period_in_text,
)
from dashboard.queries import computers as computer_queries
from dashboard.queries import maturity as maturity_queries
from dashboard.queries import overview as overview_queries
from dashboard.queries import quality as quality_queries
from dashboard.shown import metric_settings
from etl.metrics import labels, projections
from etl.metrics.compare import compared_text, met_change
from etl.reference import LEVEL_NAMES

Fetch = Callable[[tuple[str, list]], pd.DataFrame]


@dataclass
class Slide:
    key: str
    title: str  # what the chart shows
    headline: str  # one sentence, written from the figures
    figure: go.Figure
    data: pd.DataFrame  # the figures behind the chart (the Excel export)
    summary: pd.DataFrame | None = None  # a narrow table for printed reports


def vietnamese_table(frame: pd.DataFrame, view: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The figures behind a chart as a reader sees them: Vietnamese headers (metrics.toml) and values."""
    names = {**labels("keys"), **labels(view), **(extra or {})}
    out = frame.copy()
    value_names = {"level": LEVEL_NAMES, "overall_level": LEVEL_SHORT, "g1_level": LEVEL_SHORT,
                   "g2_level": LEVEL_SHORT, "pillar": PILLAR_NAMES,
                   "status": STATUS_NAMES if view == "plan_progress" else COMPUTER_STATUS_NAMES,
                   "basis": {"verified": "Thẩm định", "self": "Tự đánh giá"}}
    value_names["period"] = {"HK1": "HK I", "CN": "Cả năm"}
    for column, mapping in value_names.items():
        if column in out:
            out[column] = out[column].map(lambda v, m=mapping: m.get(v, v))
    for column in out.select_dtypes(include="float").columns:
        out[column] = out[column].round(2)
    return out[[c for c in out.columns if c in names]].rename(columns=names)


def change_phrase(change: float | None, unit: str, since: str, decimals: int = 0) -> str:
    """'tăng 5 trường so với HK I 2024-2025', 'giảm 3 máy ...', 'không đổi ...', or '' without a comparison."""
    if change is None or change != change:
        return ""
    if round(change, decimals) == 0:
        return f"không đổi so với {since}"
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {number(abs(change), decimals)} {unit} so với {since}".replace("  ", " ")


def compared_phrase(change: float | None, unit: str, since: str, schools: int, decimals: int = 0) -> str:
    """change_phrase over the schools with figures in both periods, saying how many: 'giảm 3 trường so với năm học
    2024-2025 (so sánh trên 6 trường có số liệu cả hai kỳ)'; '' without a school to compare."""
    phrase = change_phrase(change, unit, since, decimals) if schools else ""
    return f"{phrase} ({compared_text(schools)})" if phrase else ""


def schools_noun(filters: Filters, default_levels: tuple[str, ...] = ()) -> str:
    """'trường THCS', 'trường tiểu học, THCS', 'trường' — the schools a sentence talks about."""
    levels = filters.scope.levels or default_levels
    if not levels:
        return "trường"
    if set(levels) == {"TH", "THCS", "TH_THCS"}:
        return "trường tiểu học và THCS"
    names = {"MN": "mầm non", "TH": "tiểu học", "THCS": "THCS", "TH_THCS": "liên cấp TH&THCS"}
    return "trường " + ", ".join(names[lv] for lv in LEVEL_NAMES if lv in levels)


def _now(f: Filters) -> str:
    return period_in_text(f.school_year, f.period)


def _sentence(*parts: str) -> str:
    text = ", ".join(p for p in parts if p)
    return text[0].upper() + text[1:] + "." if text else ""


SLIDE_SCHOOL_ROWS = 20  # school bars a slide holds readably (1366×768 window, 16:9 image); the worst ones


# ---- the slides ----------------------------------------------------------------------------------------------

def _assessed(fetch: Fetch, f: Filters) -> tuple[pd.DataFrame, str]:
    """Schools assessed and at Mức 2+ in the latest two 4725 years up to the period, and the year to show."""
    shares = fetch(overview_queries.level_share(f))
    return shares, shares.iloc[0].school_year if len(shares) else f.school_year


def maturity_by_level(fetch: Fetch, f: Filters) -> Slide:
    shares, year = _assessed(fetch, f)
    data = fetch(overview_queries.level_distribution(f, year))
    figure = overview_charts.level_distribution(data, year)
    if shares.empty:
        headline = f"Chưa có kết quả đánh giá QĐ 4725 cho {schools_noun(f)} trong phạm vi đang lọc."
    else:
        now = shares.iloc[0]
        # the change over the schools assessed in both years (etl.metrics.compare), never 1 school against 88
        pair = fetch(overview_queries.level2_change(f, year, shares.iloc[1].school_year)).iloc[0] \
            if len(shares) > 1 else None
        since = f"năm học {shares.iloc[1].school_year}" if len(shares) > 1 else ""
        headline = _sentence(
            f"{int(now.level2_plus)}/{int(now.assessed)} {schools_noun(f, ('TH', 'THCS', 'TH_THCS'))} đạt Mức 2 trở "
            f"lên năm học {year}",
            "" if pair is None else compared_phrase(int(pair.level2_now - pair.level2_before), "trường", since,
                                                   int(pair.schools)))
    table = vietnamese_table(data, "maturity_4725", {"schools": "Số trường"})
    return Slide("muc_do_cap_hoc", figure.layout.title.text, headline, figure, table)


def maturity_by_ward(fetch: Fetch, f: Filters) -> Slide:
    shares, year = _assessed(fetch, f)
    data = fetch(maturity_queries.level_counts(f, year, "ward_new"))
    units = sorted(set(data["unit"].dropna())) if len(data) else []
    title = f"Mức chung QĐ 4725 theo phường mới – {year}"
    figure = maturity_charts.level_distribution(data, units, {}, title, "Phường mới",
                                                "Chưa có kết quả đánh giá QĐ 4725 cho phạm vi đang lọc")
    if data.empty:
        headline = "Chưa có kết quả đánh giá QĐ 4725 để so sánh các phường."
    else:
        counts = fetch(maturity_queries.level2_by_unit(f, year, "ward_new")).set_index("unit")
        totals, good = counts["assessed"], counts["level2_plus"]
        share = 100 * good / totals  # best first (the query's order)
        best, worst = share.index[0], share.index[-1]
        if best == worst:
            headline = _sentence(f"Phường {best}: {int(good[best])}/{int(totals[best])} trường đạt Mức 2 trở lên "
                                 f"({percent(share[best], 0)}) năm học {year}")
        else:
            headline = _sentence(
                f"Phường {best} có tỷ lệ trường đạt Mức 2 trở lên cao nhất ({int(good[best])}/{int(totals[best])}, "
                f"{percent(share[best], 0)})",
                f"phường {worst} thấp nhất ({int(good[worst])}/{int(totals[worst])}, {percent(share[worst], 0)})")
    table = vietnamese_table(data, "maturity_4725", {"unit": "Phường mới", "schools": "Số trường"})
    return Slide("muc_do_phuong", title, headline, figure, table)


def group_scores(fetch: Fetch, f: Filters) -> Slide:
    shares, year = _assessed(fetch, f)
    data = fetch(maturity_queries.schools(f, year))
    rules = metric_settings(lambda sql: fetch((sql, [])))
    figure = maturity_charts.group_scatter(data, year, rules["level2_min_score"], rules["level3_above_score"])
    if data.empty:
        headline = "Chưa có điểm QĐ 4725 cho phạm vi đang lọc."
    else:
        both = int(((data["g1_level"] == 3) & (data["g2_level"] == 3)).sum())
        headline = _sentence(
            f"Năm học {year}, điểm bình quân nhóm 1 là {number(data['g1_score'].mean(), 1)}, nhóm 2 là "
            f"{number(data['g2_score'].mean(), 1)}", f"{both}/{len(data)} trường đạt Mức 3 ở cả hai nhóm")
    return Slide("diem_nhom", figure.layout.title.text, headline, figure, vietnamese_table(data, "maturity_4725"))


def computers_by_school(fetch: Fetch, f: Filters) -> Slide:
    data = fetch(computer_queries.per_school(f, f.school_year, f.period))
    figure = computer_charts.ratio_by_school(data, f.period_label, SLIDE_SCHOOL_ROWS)
    now = fetch(computer_queries.totals(f, f.school_year, f.period)).iloc[0]
    # the change over the schools with a figure in both periods: the overview's rule, never a gain from nothing
    compared = fetch(overview_queries.computers_change(f, f.previous)).iloc[0] if f.previous else None
    assessed = int(now.schools_met + now.schools_not_met)
    if not now.schools:
        headline = f"Chưa có trường tiểu học, THCS nào gửi số liệu máy tính {_now(f)}."
    else:
        change, schools = (None, 0) if compared is None else (compared.change, int(compared.schools))
        if not now.schools_not_met:
            headline = _sentence(f"Cả {assessed} trường đều đạt số học sinh/máy trong giờ Tin học {_now(f)}",
                                 "không cần bổ sung máy")
        else:
            headline = _sentence(
                f"{int(now.schools_not_met)}/{assessed} trường chưa đạt số học sinh/máy trong giờ Tin học "
                f"{_now(f)}", f"cần bổ sung {number(now.computers_needed)} máy",
                compared_phrase(change, "máy", period_in_text(*f.previous) if f.previous else "", schools))
    table = vietnamese_table(data, "informatics_computers")
    return Slide("may_tinh_truong", figure.layout.title.text, headline, figure, table)


def computers_by_ward(fetch: Fetch, f: Filters) -> Slide:
    data = fetch(computer_queries.by_group(f, f.school_year, f.period, "ward_new"))
    figure = computer_charts.needed_by_unit(data, f.period_label, "Phường mới")
    needed = data["computers_needed"].fillna(0) if len(data) else pd.Series(dtype=float)
    total = needed.sum()
    if not total:
        headline = f"Không trường nào trong phạm vi đang lọc cần bổ sung máy tính {_now(f)}."
    else:
        top = data.loc[needed.idxmax()]
        headline = _sentence(f"Phường {top.unit} cần bổ sung nhiều máy nhất: {number(top.computers_needed)} máy, "
                             f"{percent(100 * top.computers_needed / total, 0)} trong tổng số {number(total)} máy "
                             f"cần bổ sung {_now(f)}")
    table = vietnamese_table(data, "informatics_totals", {"unit": "Phường mới"})
    return Slide("may_tinh_phuong", figure.layout.title.text, headline, figure, table)


def plan_values(fetch: Fetch, f: Filters) -> Slide:
    progress = fetch(overview_queries.plan_progress(f))
    current = progress[(progress.school_year == f.school_year) & (progress.period == f.period)]
    figure = plan_charts.values_against_targets(current, PILLAR_NAMES, f.period_label)
    met, counted = int((current.status == "met").sum()), int(current.value.notna().sum())
    late = int((current.status == "off_track").sum())
    # indicators meeting their target then and now, over the schools with each one's figure in both periods
    pair = met_change(fetch(overview_queries.plan_change(f))) if f.previous else None
    headline = _sentence(
        f"{met}/{counted} chỉ số kế hoạch đạt chỉ tiêu {_now(f)}",
        "" if pair is None else compared_phrase(pair[0], "chỉ số", period_in_text(*f.previous), pair[1]),
        f"{late} chỉ số chậm tiến độ" if late else "không chỉ số nào chậm tiến độ")
    deadline = metric_settings(lambda sql: fetch((sql, [])))["plan_deadline"]
    outlook = projections.projection_phrase(progress, f.school_year, f.period, deadline)  # issue 14
    headline += (" " + _sentence(outlook)) if outlook else ""
    table = vietnamese_table(current, "plan_progress")
    summary = table[[labels("plan_progress")[c] for c in ("indicator", "indicator_vi", "value", "target", "unit",
                                                            "status")]]
    return Slide("ke_hoach", figure.layout.title.text, headline, figure, table, summary.round(1))


def reporting(fetch: Fetch, f: Filters) -> Slide:
    data = fetch(quality_queries.reporting_by_period(f))
    figure = quality_charts.reporting(data)
    row = data[(data.school_year == f.school_year) & (data.period == f.period)]
    if row.empty:
        headline = f"Chưa có trường nào gửi số liệu {_now(f)}."
    else:
        r = row.iloc[0]
        missing = int(r.expected - r.reported)
        headline = _sentence(f"{int(r.reported)}/{int(r.expected)} {schools_noun(f)} đã gửi số liệu {_now(f)}",
                             f"còn {missing} trường chưa gửi" if missing else "đủ tất cả các trường")
    table = vietnamese_table(data, "keys", {"expected": "Số trường trong danh mục", "reported": "Số trường đã gửi"})
    return Slide("bao_cao", figure.layout.title.text, headline, figure, table)


PLAN_BUDGET = 50  # computers: the purchase-plan slide's budget until the presenter sets one


def purchase_plan(fetch: Fetch, f: Filters, options: dict | None = None) -> Slide:
    """The computer purchase plan (issue 14) for a budget of `options['computers']` computers and the rule
    `options['rule']` (etl.metrics.planner.RULES), as the planner page draws it."""
    from dashboard.planner_view import planner_slide
    from etl.metrics.planner import Budget

    options = options or {}
    return planner_slide(fetch, f, Budget(computers=int(options.get("computers", PLAN_BUDGET))),
                         options.get("rule", "most_schools"))


def meeting_diff(fetch: Fetch, f: Filters, options: dict | None = None) -> Slide:
    """What changed since an earlier snapshot (`options['before_fetch']`, issue 14), as the comparison page shows it."""
    from dashboard.diff_view import deck_slide

    return deck_slide(fetch, f, options)


SLIDES: dict[str, tuple[str, Callable, str]] = {  # key: (name, builder, Excel sheet name of at most 31 characters)
    "muc_do_cap_hoc": ("Mức độ chuyển đổi số theo cấp học (QĐ 4725)", maturity_by_level, "Mức độ CĐS theo cấp học"),
    "muc_do_phuong": ("Mức độ chuyển đổi số theo phường", maturity_by_ward, "Mức độ CĐS theo phường"),
    "diem_nhom": ("Điểm nhóm 1 và nhóm 2 của từng trường", group_scores, "Điểm nhóm 1 và 2 từng trường"),
    "may_tinh_truong": ("Học sinh dùng chung một máy trong giờ Tin học", computers_by_school,
                        "HS dùng chung máy giờ Tin học"),
    "may_tinh_phuong": ("Máy tính cần bổ sung theo phường", computers_by_ward, "Máy cần bổ sung theo phường"),
    "ke_hoach": ("Chỉ số kế hoạch 2025 so với chỉ tiêu", plan_values, "Chỉ số kế hoạch và chỉ tiêu"),
    "bao_cao": ("Số trường đã gửi số liệu", reporting, "Số trường đã gửi số liệu"),
    "mua_sam_may_tinh": ("Kế hoạch mua sắm máy tính theo ngân sách", purchase_plan, "Kế hoạch mua sắm máy tính"),
    "so_sanh_ky_hop": ("Những gì thay đổi từ kỳ họp trước", meeting_diff, "Thay đổi từ kỳ họp trước"),
}
DEFAULT_SLIDES = ["muc_do_cap_hoc", "may_tinh_truong", "may_tinh_phuong", "ke_hoach", "bao_cao"]


NOT_FOR_PRESCHOOLS = {"muc_do_cap_hoc", "muc_do_phuong", "diem_nhom", "may_tinh_truong", "may_tinh_phuong",
                      "mua_sam_may_tinh"}
WITH_OPTIONS = {"mua_sam_may_tinh", "so_sanh_ky_hop"}  # builders that take the presenter's options (a budget)


def applicable(keys: list[str], filters: Filters) -> list[str]:
    """The slides that say something for the schools of the filter: 4725 and the computer ratio do not apply
    to preschools, so a preschool-only filter leaves those out."""
    only_preschools = bool(filters.scope.levels) and set(filters.scope.levels) <= {"MN"}
    return [k for k in keys if not (only_preschools and k in NOT_FOR_PRESCHOOLS)]


def build(key: str, fetch: Fetch, filters: Filters, options: dict | None = None) -> Slide:
    """One slide from the warehouse `fetch` reads: its figures, and its rules (thresholds, plan tolerance), so a
    snapshot's slides keep the rules it was taken with; `options`: the presenter's choices (the purchase budget)."""
    if key in WITH_OPTIONS:
        return SLIDES[key][1](fetch, filters, options)
    return SLIDES[key][1](fetch, filters)


def build_all(keys: list[str], fetch: Fetch, filters: Filters,
              progress: Callable[[int, int, str], None] | None = None, options: dict | None = None) -> list[Slide]:
    slides = []
    keys = applicable(keys, filters)
    for index, key in enumerate(keys, 1):
        if progress:
            progress(index, len(keys), SLIDES[key][0])
        slides.append(build(key, fetch, filters, options))
    return slides
