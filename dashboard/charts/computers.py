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


@memo_figure
def ratio_by_school(frame: pd.DataFrame, period_label: str, limit: int = MAX_SCHOOL_BARS) -> go.Figure:
    """One horizontal bar per school (pupils per computer in a lesson), worst first, a panel per level with its
    target line; schools without a ratio (no room, room without computers, missing data) are markers at 0. Past
    `limit` schools in a level (a slide holds fewer than a page), the worst ones (those without a ratio first)
    are drawn and the title says so."""
    title = f"Số học sinh dùng chung một máy trong giờ Tin học, theo trường – {period_label}"
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
        subplot_titles=[f"{LEVEL_NAMES[lv]} ({number(counts[lv])} trường), tối đa {number(targets[lv])} HS/máy"
                        for lv in levels])
    ratios = frame["pupils_per_computer"].dropna()
    top = max(ratios.max() if len(ratios) else 0, max(targets.values())) * 1.1
    shown = set()
    for col, lv in enumerate(levels, start=1):
        part = frame[frame["level"] == lv]
        part = part.assign(order=part["pupils_per_computer"].fillna(float("inf")))
        part = part.sort_values(["order", "school_name"], ascending=[False, True]).head(limit)
        part = part.assign(kind=_kinds(part))
        codes = list(part["school_code"])
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
            figure.add_trace(trace, row=1, col=col)
        figure.add_vline(x=targets[lv], line={"dash": "dash", "color": "#333", "width": 1.5}, row=1, col=col)
        # the same bar thickness in every panel: a panel with few schools keeps empty rows at the bottom
        figure.update_yaxes(tickvals=codes, ticktext=[plotly_text(short_name(n)) for n in part["school_name"]],
                            categoryorder="array", categoryarray=codes, range=[rows_shown - 0.5, -0.5],
                            tickfont={"size": 11}, row=1, col=col)
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=TARGET_NAME, hoverinfo="skip",
                                line={"dash": "dash", "color": "#333", "width": 1.5}))
    height, top_margin, bottom_margin = 190 + 20 * rows_shown, 150, 60
    base_layout(figure, title, height=height)
    figure.update_xaxes(range=[0, top], showgrid=True, gridcolor="#eee", title_text="Số HS dùng chung một máy")
    # codes are digits: never a numeric axis; the labels stand off the no-room markers drawn at 0
    figure.update_yaxes(type="category", showgrid=False, ticklabelstandoff=10)
    # the legend sits right above the panels (base_layout) and the panel titles 34 px higher, above the legend:
    # pixels, not fractions of the height, so the order holds at every image size
    figure.update_annotations(font={"size": 13}, yshift=34)
    figure.update_layout(barmode="overlay", bargap=0.3, margin={"t": top_margin, "b": bottom_margin, "l": 20})
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
