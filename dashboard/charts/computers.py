"""Charts of the Informatics computers page (DOMAIN §7): pupils per computer in a lesson per school against the
target of its level, school status by level, computers needed by ward."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts import base_layout, integer_axis, memo_figure, no_data_figure, pattern
from dashboard.format import (
    COMPUTER_STATUS_COLORS,
    COMPUTER_STATUS_NAMES,
    COMPUTER_STATUS_PATTERNS,
    number,
    plotly_text,
)
from etl.reference import LEVEL_NAMES

APPLICABLE_LEVELS = ("TH", "THCS", "TH_THCS")
TARGET_NAME = "Mức tối đa cho phép (đường nét đứt)"
# Schools drawn as a marker on the axis because they have no ratio, and why.
NO_RATIO = {
    "no_room": ("Chưa có phòng máy (không có tỷ lệ)", "x", COMPUTER_STATUS_COLORS["no_room"]),
    "room_without_computers": ("Phòng máy không có máy (không có tỷ lệ)", "x-open", COMPUTER_STATUS_COLORS["not_met"]),
    "missing_data": ("Thiếu số liệu (không có tỷ lệ)", "circle-open", COMPUTER_STATUS_COLORS["missing_data"]),
}
_PREFIX = re.compile(r"^trường\s+(tiểu học và thcs|tiểu học|th\s*&\s*thcs|th và thcs|thcs|th)\s+", re.IGNORECASE)


def short_name(name: str) -> str:
    """'Trường Tiểu học Lê Lợi' -> 'Lê Lợi' for crowded axes (the hover keeps the full name)."""
    return _PREFIX.sub("", name or "").strip() or name


def _kinds(frame: pd.DataFrame) -> np.ndarray:
    """Per row: no_room, room_without_computers, missing_data, met or not_met (the first that holds)."""
    flag = lambda column: frame[column].fillna(False).astype(bool).to_numpy()  # noqa: E731
    return np.select([flag("no_room"), flag("room_without_computers"), flag("missing_data"), flag("target_met")],
                     ["no_room", "room_without_computers", "missing_data", "met"], "not_met")


MAX_SCHOOL_BARS = 150  # a city's schools of a level; a province's 1,500 are in the table under the chart


RATIO_TITLE = "Số học sinh dùng chung một máy trong giờ Tin học, theo trường"
AXIS_TITLE = "Số HS dùng chung một máy"


def _level_rows(frame: pd.DataFrame, level: str, limit: int) -> pd.DataFrame:
    """The schools of `level` drawn, worst first (those without a ratio first), at most `limit`."""
    part = frame[frame["level"] == level]
    part = part.assign(order=part["pupils_per_computer"].fillna(float("inf")))
    part = part.sort_values(["order", "school_name"], ascending=[False, True]).head(limit)
    return part.assign(kind=_kinds(part))


def _level_traces(part: pd.DataFrame, shown: set) -> list:
    """A bar per school with a ratio (met, not met), a marker at 0 per school without one; a legend entry per kind
    the first time it is drawn (`shown`: the kinds with one already)."""
    traces = []
    for kind in ("met", "not_met", *NO_RATIO):
        rows = part[part["kind"] == kind]
        if rows.empty:
            continue
        custom = list(zip(rows["school_name"].map(plotly_text), rows["class_size"], rows["computers_per_room"],
                          rows["target"], rows["computers_needed"].fillna(0), rows["it_rooms"].fillna(0)))
        if kind in ("met", "not_met"):
            name = COMPUTER_STATUS_NAMES[kind]
            trace = go.Bar(
                y=rows["school_code"], x=rows["pupils_per_computer"], orientation="h", customdata=custom,
                marker_color=COMPUTER_STATUS_COLORS[kind], marker_pattern=pattern(COMPUTER_STATUS_PATTERNS[kind]),
                hovertemplate="<b>%{customdata[0]}</b><br>%{x:.2f} HS dùng chung một máy (tối đa "
                              "%{customdata[3]:.0f})<br>Sĩ số lớp Tin học: %{customdata[1]:,.1~f} HS; "
                              "%{customdata[2]:,.1~f} máy/phòng<br>Cần bổ sung: %{customdata[4]:,.0f} máy"
                              "<extra></extra>")
        else:
            name, symbol, colour = NO_RATIO[kind]
            trace = go.Scatter(
                y=rows["school_code"], x=[0] * len(rows), mode="markers", customdata=custom, cliponaxis=False,
                marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2, "color": colour}},
                hovertemplate="<b>%{customdata[0]}</b><br>" + name.split(" (")[0] + (
                    "<br>Sĩ số lớp Tin học: %{customdata[1]:,.1~f} HS; %{customdata[5]:.0f} phòng máy"
                    "<br>Cần bổ sung: %{customdata[4]:,.0f} máy" if kind != "missing_data" else
                    "<br>Thiếu số HS, số lớp, số phòng hoặc số máy: chưa tính được") + "<extra></extra>")
        trace.update(name=name, legendgroup=kind, showlegend=kind not in shown)
        shown.add(kind)
        traces.append(trace)
    return traces


def _target_legend() -> go.Scatter:
    return go.Scatter(x=[None], y=[None], mode="lines", name=TARGET_NAME, hoverinfo="skip",
                      line={"dash": "dash", "color": "#333", "width": 1.5})


def _school_axis(part: pd.DataFrame, rows_shown: int) -> dict:
    """The school axis of a panel: short names, worst at the top; a panel with fewer schools than `rows_shown`
    keeps empty rows at the bottom (the same bar thickness in every panel)."""
    codes = list(part["school_code"])
    return {"tickvals": codes, "ticktext": [plotly_text(short_name(n)) for n in part["school_name"]],
            "categoryorder": "array", "categoryarray": codes, "range": [rows_shown - 0.5, -0.5],
            "tickfont": {"size": 11}}


def _panel_title(level: str, count: int, target: float) -> str:
    return f"{LEVEL_NAMES[level]} ({number(count)} trường), tối đa {number(target)} HS/máy"


@memo_figure
def ratio_by_school(frame: pd.DataFrame, period_label: str, limit: int = MAX_SCHOOL_BARS) -> go.Figure:
    """One horizontal bar per school (pupils per computer in a lesson), worst first, a panel per level side by side
    with its target line (the slides' chart: a fixed image size; the page draws ratio_of_level per level, which
    stack on a phone); schools without a ratio (no room, room without computers, missing data) are markers at 0.
    Past `limit` schools in a level (a slide holds fewer than a page), the worst ones (those without a ratio first)
    are drawn and the title says so."""
    title = f"{RATIO_TITLE} – {period_label}"
    if frame.empty:
        return no_data_figure(title, "Không có trường tiểu học, THCS nào báo cáo số liệu kỳ này trong phạm vi lọc")
    levels = [lv for lv in APPLICABLE_LEVELS if lv in set(frame["level"].unique())]
    counts = {lv: int((frame["level"] == lv).sum()) for lv in levels}
    rows_shown = max(min(max(counts.values()), limit), 8)
    targets = {lv: float(frame.loc[frame["level"] == lv, "target"].iloc[0]) for lv in levels}

    if max(counts.values()) > limit:  # said once over the panels: a longer panel title runs into the next
        title += f" (mỗi cấp: {number(limit)} trường nhiều HS/máy nhất)"
    figure = make_subplots(
        rows=1, cols=len(levels), horizontal_spacing=0.13 if len(levels) > 1 else 0.0,
        subplot_titles=[_panel_title(lv, counts[lv], targets[lv]) for lv in levels])
    ratios = frame["pupils_per_computer"].dropna()
    top = max(ratios.max() if len(ratios) else 0, max(targets.values())) * 1.1
    shown = set()
    for col, lv in enumerate(levels, start=1):
        part = _level_rows(frame, lv, limit)
        for trace in _level_traces(part, shown):
            figure.add_trace(trace, row=1, col=col)
        figure.add_vline(x=targets[lv], line={"dash": "dash", "color": "#333", "width": 1.5}, row=1, col=col)
        figure.update_yaxes(**_school_axis(part, rows_shown), row=1, col=col)
    figure.add_trace(_target_legend())
    base_layout(figure, title, height=150 + 20 * rows_shown)
    figure.update_xaxes(range=[0, top], showgrid=True, gridcolor="#eee", title_text=AXIS_TITLE)
    # codes are digits: never a numeric axis; the labels stand off the no-room markers drawn at 0
    figure.update_yaxes(type="category", showgrid=False, ticklabelstandoff=10)
    # the panel titles stand 8 px above their panels, under the figure's title (the legend is at the bottom)
    figure.update_annotations(font={"size": 13}, yshift=8)
    figure.update_layout(barmode="overlay", bargap=0.3, margin={"t": 70, "l": 20})
    return figure


def ratio_levels(frame: pd.DataFrame) -> list[str]:
    """The levels of `frame` that have a target (TH, THCS, TH&THCS), in that order: a panel each."""
    return [lv for lv in APPLICABLE_LEVELS if lv in set(frame["level"].unique())]


@memo_figure
def ratio_of_level(frame: pd.DataFrame, level: str, period_label: str, limit: int = MAX_SCHOOL_BARS,
                   top: float | None = None) -> go.Figure:
    """The panel of one level of ratio_by_school as a figure of its own, for the page: drawn side by side in
    columns on a wide screen, one below the other on a phone (Streamlit stacks its columns), each as wide as it can
    be. `top`: the end of the axis, the same in every level's panel. Its height follows its own schools, 20 px a
    school: the bars are as thick in every panel."""
    part = _level_rows(frame, level, limit)
    count, target = int((frame["level"] == level).sum()), float(part["target"].iloc[0])
    title = f"{LEVEL_NAMES[level]}: {number(count)} trường, tối đa {number(target)} HS/máy"
    if count > limit:
        title += f" ({number(limit)} trường nhiều HS/máy nhất)"
    ratios = part["pupils_per_computer"].dropna()
    top = top or max(ratios.max() if len(ratios) else 0, target) * 1.1
    figure = go.Figure(_level_traces(part, set()) + [_target_legend()])
    figure.add_vline(x=target, line={"dash": "dash", "color": "#333", "width": 1.5})
    rows_shown = max(len(part), 4)
    base_layout(figure, title, subtitle=f"Số HS/máy trong giờ Tin học – {period_label}",
                height=190 + 20 * rows_shown)
    figure.update_xaxes(range=[0, top], showgrid=True, gridcolor="#eee", title_text=AXIS_TITLE)
    figure.update_yaxes(type="category", showgrid=False, ticklabelstandoff=10, **_school_axis(part, rows_shown))
    figure.update_layout(barmode="overlay", bargap=0.3, margin={"l": 20})
    return figure


@memo_figure
def status_by_level(frame: pd.DataFrame, period_label: str) -> go.Figure:
    """How many schools of each level meet the target, miss it, have no room, or lack data."""
    title = f"Trường đạt chuẩn HS/máy theo cấp học – {period_label}"
    if frame.empty:
        return no_data_figure(title, "Không có trường nào báo cáo số liệu kỳ này trong phạm vi lọc")
    levels = [lv for lv in APPLICABLE_LEVELS if lv in set(frame["level"].unique())]
    figure = go.Figure()
    tally = frame.groupby(["level", "status"]).size()
    for status in ("met", "not_met", "no_room", "missing_data", "no_it_pupils"):
        counts = [int(tally.get((lv, status), 0)) for lv in levels]
        if any(counts):
            figure.add_bar(y=[LEVEL_NAMES[lv] for lv in levels], x=counts, orientation="h",
                           name=COMPUTER_STATUS_NAMES[status], marker_color=COMPUTER_STATUS_COLORS[status],
                           marker_pattern=pattern(COMPUTER_STATUS_PATTERNS[status]),
                           text=[c or None for c in counts], textposition="inside",
                           hovertemplate="%{y}: %{x} trường – " + COMPUTER_STATUS_NAMES[status].lower()
                                         + "<extra></extra>")
    figure.update_layout(barmode="stack", uniformtext={"minsize": 11, "mode": "hide"})
    figure.update_yaxes(autorange="reversed")
    base_layout(figure, title, x_title="Số trường", y_title="Cấp học", height=340)
    return integer_axis(figure, "x", frame.groupby("level").size().max())


@memo_figure
def needed_by_unit(frame: pd.DataFrame, period_label: str, unit_title: str) -> go.Figure:
    """Computers needed to meet the target, one bar per ward (new or former), largest first."""
    title = f"Số máy tính cần bổ sung theo {unit_title.lower()} – {period_label}"
    if frame.empty:
        return no_data_figure(title, "Không có trường nào báo cáo số liệu kỳ này trong phạm vi lọc")
    data = frame.assign(needed=frame["computers_needed"].fillna(0)).sort_values(["needed", "unit"],
                                                                              ascending=[False, True])
    if not data["needed"].any():
        return no_data_figure(title, "Không trường nào cần bổ sung máy")
    figure = go.Figure(go.Bar(
        y=data["unit"].map(plotly_text), x=data["needed"], orientation="h",
        marker_color=COMPUTER_STATUS_COLORS["not_met"],
        name="Số máy cần bổ sung", text=[number(v) for v in data["needed"]], textposition="outside",
        customdata=list(zip(data["schools_not_met"], data["schools"], data["schools_no_room"])),
        hovertemplate="<b>%{y}</b><br>Cần bổ sung %{x:,.0f} máy<br>%{customdata[0]}/%{customdata[1]} trường "
                      "chưa đạt chuẩn, %{customdata[2]} trường chưa có phòng máy<extra></extra>"))
    figure.update_yaxes(autorange="reversed")
    figure.update_traces(cliponaxis=False)
    height = max(300, 110 + 30 * len(data))
    figure = base_layout(figure, title, x_title="Số máy cần bổ sung", y_title=unit_title, height=height)
    figure.update_xaxes(range=[0, data["needed"].max() * 1.18])
    figure.update_layout(showlegend=False)
    return integer_axis(figure, "x", data["needed"].max())
