"""What the plan page (Tiến độ kế hoạch 2025) shows, computed: status counts and their change, notes on the
yearly indicators, the tables of indicators, laggards and office tasks. Pure: DataFrames in, text and frames out;
pages/ke_hoach.py only selects and draws."""
from __future__ import annotations

import pandas as pd

from dashboard.charts import plan as charts
from dashboard.format import PILLAR_NAMES, STATUS_ICONS, STATUS_NAMES, md_text, number, period_label
from etl.metrics import labels, projections
from etl.metrics.queries import plan_progress_sql
from etl.reference import LEVEL_NAMES

TASK_STATUS_NAMES = {"done": "Hoàn thành", "in_progress": "Đang thực hiện", "not_started": "Chưa bắt đầu"}
TASK_STATUS_ICONS = {"done": "✅", "in_progress": "🔄", "not_started": "⏸️"}
REASONS = {"below_target": "Dưới chỉ tiêu", "missing": "Thiếu số liệu"}


def with_unit(value, unit: str, decimals: int = 1) -> str:
    """For markdown: the unit (from the catalogue) is escaped."""
    return number(value, decimals) + ("%" if unit == "%" else f" {md_text(unit)}")


def rows_height(rows: int) -> int:
    """A table tall enough to show `rows` rows without scrolling (up to 25)."""
    return 38 + 35 * min(rows, 25)


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {STATUS_NAMES[status]}"


def status_delta(current: pd.DataFrame, earlier: pd.DataFrame, status: str,
                 met: tuple[int, int] | None = None) -> dict:
    """Keyword arguments of st.metric for the change in indicators at `status` since the previous period (the
    overview's and the slides' rule); against a period without figures, no gain from nothing. `met`: for 'met', the
    change over the schools with figures in both periods (etl.metrics.compare.met_change), as the overview says it."""
    if not len(earlier):
        return {}
    change = (met[0] if met else None) if status == "met" else charts.status_change(current, earlier, status)
    if change is None:
        return {"delta": "chưa có số liệu kỳ trước", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": f"{change:+d} chỉ số" if change else "không đổi",
            "delta_color": ("normal" if status in ("met", "on_track") else "inverse") if change else "off",
            "delta_arrow": "auto" if change else "off"}


def yearly_notes(progress: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """The latest result of each indicator assessed once a year (4725) that the period has no figure for."""
    notes = []
    for code in sorted(set(progress.indicator) - set(current.indicator)):
        rows = progress[(progress.indicator == code) & progress.value.notna()]
        name = md_text(progress.loc[progress.indicator == code, "indicator_vi"].iloc[0])
        if len(rows):
            last = rows.iloc[-1]
            notes.append(f"**{md_text(code)}** {name}: gần nhất {with_unit(last.value, last.unit)} "
                         f"({period_label(last.school_year, last.period)}, {status_text(last.status)})")
        else:
            notes.append(f"**{md_text(code)}** {name}: chưa có kết quả")
    return notes


def non_percent_note(current: pd.DataFrame) -> str | None:
    """The indicators not in %, which the chart leaves out."""
    others = current[current.unit != "%"]
    if others.empty:
        return None
    return "Chỉ số không tính theo %, chỉ có trong bảng dưới: " + "; ".join(
        f"{md_text(r.indicator)} {md_text(r.indicator_vi)}: {with_unit(r.value, r.unit)} "
        f"(chỉ tiêu {with_unit(r.target, r.unit)}, {status_text(r.status)})" for r in others.itertuples())


def ordered(current: pd.DataFrame) -> pd.DataFrame:
    """The period's indicators in pillar order."""
    return current.assign(order=current.pillar.map({p: i for i, p in enumerate(PILLAR_NAMES)})) \
        .sort_values(["order", "indicator"])


def indicator_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The indicators by pillar as the table shows them, and its decimals."""
    names = {**labels("keys"), **labels("plan_progress")}
    shown = rows.assign(pillar=rows.pillar.map(PILLAR_NAMES).fillna(rows.pillar), status=rows.status.map(status_text))
    shown = shown[["pillar", "indicator", "indicator_vi", "status", "value", "target", "unit", "previous_value",
                   "change", "schools_counted", "schools_missing", "plan_clause"]].rename(columns=names)
    return shown, {names[c]: 1 for c in ("value", "target", "previous_value", "change")}


def laggard_table(lag: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    names = {**labels("keys"), **labels("plan_laggards")}
    lag = lag.assign(level=lag.level.map(LEVEL_NAMES), reason=lag.reason.map(REASONS))
    lag = lag[["school_code", "school_name", "level", "ward_new", "ward_old", "school_value", "target", "unit",
               "reason"]].rename(columns=names)
    return lag, {names["school_value"]: 1, names["target"]: 1}


def task_counts(tasks: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """(label, value, help) of the task metrics: each status, then the overdue ones."""
    overdue = tasks.overdue.fillna(False).astype(bool)
    counts = [(f"{TASK_STATUS_ICONS[s]} {TASK_STATUS_NAMES[s]}", f"{int((tasks.status_code == s).sum())}/{len(tasks)}",
               None) for s in TASK_STATUS_NAMES]
    return counts + [("⚠️ Quá hạn", f"{int(overdue.sum())}/{len(tasks)}",
                      "Đã qua hạn hoàn thành mà chưa hoàn thành, tính đến hôm nay.")]


def task_table(tasks: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    names = labels("office_tasks_status")
    overdue = tasks.overdue.fillna(False).astype(bool)
    shown = tasks.assign(
        due=tasks.due.map(lambda d: d.strftime("%d/%m/%Y") if d == d and d is not None else "–"),
        status=[TASK_STATUS_NAMES.get(c, s) for c, s in zip(tasks.status_code, tasks.status)],
        overdue=["⚠️ Quá hạn" if o else "" for o in overdue])
    shown = shown[["task_no", "overdue", "task", "due", "status", "percent", "owner", "note"]]
    percent = names["percent"] + " (%)"
    return shown.rename(columns={**names, "percent": percent}), {percent: 0}


# ---- projections to the plan's deadline (etl.metrics.projections) ---------------------------------------------

PROJECTION_BASIS = {"projected": "Dự báo", "interpolated": "Nội suy (đã qua hạn)", "none": "–"}


def projection_rows(progress: pd.DataFrame, school_year: str, period: str, deadline, today=None) -> pd.DataFrame:
    """Each indicator with a figure up to the period, projected to the deadline, in pillar order (`today`: what is
    past, by default the real date; etl.metrics.projections.project)."""
    projected = projections.project_all(progress, school_year, period, deadline, today)
    pillars = dict(zip(progress.indicator, progress.pillar))
    order = {p: i for i, p in enumerate(PILLAR_NAMES)}
    return projected.assign(order=projected.indicator.map(lambda c: order.get(pillars.get(c), len(order)))) \
        .sort_values(["order", "indicator"]).drop(columns="order")


def projection_table(projected: pd.DataFrame, deadline, today=None) -> tuple[pd.DataFrame, dict[str, int]]:
    """The projections as the plan page's table shows them, and its decimals (a month already past is not named)."""
    deadline = projections.deadline_date(deadline)
    at = f"Giá trị tại {deadline:%d/%m/%Y}"
    reached = ["Đã đạt" if met else projections.reached_text(d, today)
               for met, d in zip(projected.met_now, projected.reached_on)]
    shown = pd.DataFrame({  # the answer first: the reader sees it without scrolling sideways
        "Mã chỉ số": projected.indicator, "Chỉ số": projected.indicator_vi,
        "Kết luận": [t[0].upper() + t[1:] for t in projected.outcome], "Đạt chỉ tiêu vào": reached,
        at: projected.value_at_deadline, "Chỉ tiêu": projected.target, "Đơn vị": projected.unit,
        "Giá trị mới nhất": projected.last_value,
        "Kỳ mới nhất": [period_label(y, p) for y, p in zip(projected.last_school_year, projected.last_period)],
        "Cách tính giá trị tại hạn": projected.basis.map(PROJECTION_BASIS), "Độ chắc chắn": projected.uncertainty})
    return shown, {"Giá trị mới nhất": 1, "Chỉ tiêu": 1, at: 1}


def computers_outlook(query_pair, f, deadline) -> str:
    """When every school meets the computer ratio at the recent pace (the plan's computers-needed indicator projected,
    etl.metrics.projections), for the computers page; '' when it cannot be said (preschools, one period)."""
    progress = query_pair(plan_progress_sql(f.scope))
    found = query_pair(projections.computers_indicator_sql())
    code = found.code.iloc[0] if len(found) else None
    return projections.computers_projection_text(progress, code, f.school_year, f.period, deadline)
