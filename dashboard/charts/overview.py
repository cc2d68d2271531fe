"""Charts of the overview page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, integer_axis, memo_figure, no_data_figure, pattern
from dashboard.format import (
    LEVEL_COLORS,
    LEVEL_NAMES_4725,
    LEVEL_PATTERNS,
    LEVEL_SHORT,
    STATUS_COLORS,
    STATUS_NAMES,
    STATUS_PATTERNS,
)
from etl.reference import LEVEL_NAMES


@memo_figure
def level_distribution(frame: pd.DataFrame, school_year: str) -> go.Figure:
    """Schools at each 4725 level (overall, derived), one stacked bar per school level."""
    title = f"Mức chung QĐ 4725 theo cấp học – {school_year}"
    if frame.empty:
        return no_data_figure(title, "Chưa có kết quả đánh giá QĐ 4725 cho phạm vi đang lọc")
    figure = go.Figure()
    levels = [lv for lv in LEVEL_NAMES if lv in set(frame["level"].unique())]
    for mark in (1, 2, 3):
        part = frame[frame["overall_level"] == mark].set_index("level").reindex(levels)
        counts = part["schools"].fillna(0).astype(int)
        figure.add_bar(
            y=[LEVEL_NAMES[lv] for lv in levels], x=counts, name=LEVEL_SHORT[mark], orientation="h",
            marker_color=LEVEL_COLORS[mark], marker_pattern=pattern(LEVEL_PATTERNS[mark]),
            text=counts.where(counts > 0, None), textposition="inside",
            hovertemplate="%{y}: %{x} trường " + LEVEL_NAMES_4725[mark] + "<extra></extra>")
    figure.update_layout(barmode="stack")
    base_layout(figure, title, x_title="Số trường", y_title="Cấp học", height=320)
    return integer_axis(figure, "x", frame.groupby("level")["schools"].sum().max())


@memo_figure
def plan_status_by_pillar(frame: pd.DataFrame, pillar_names: dict[str, str], period_label: str) -> go.Figure:
    """How many indicators of each pillar are met, on track, at risk, off track."""
    title = f"Tình trạng chỉ số kế hoạch theo trụ cột – {period_label}"
    if frame.empty:
        return no_data_figure(title, "Chưa có số liệu chỉ số kế hoạch cho kỳ này")
    pillars = [p for p in pillar_names if p in set(frame["pillar"].unique())]
    figure = go.Figure()
    for status in STATUS_NAMES:
        counts = [int(((frame["pillar"] == p) & (frame["status"] == status)).sum()) for p in pillars]
        if any(counts):
            figure.add_bar(y=[pillar_names[p] for p in pillars], x=counts, orientation="h", name=STATUS_NAMES[status],
                           marker_color=STATUS_COLORS[status], marker_pattern=pattern(STATUS_PATTERNS[status]),
                           text=[c or None for c in counts],
                           textposition="inside",
                           hovertemplate="%{y}: %{x} chỉ số " + STATUS_NAMES[status].lower() + "<extra></extra>")
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed")
    base_layout(figure, title, x_title="Số chỉ số", y_title="Trụ cột", height=380)
    return integer_axis(figure, "x", frame.groupby("pillar").size().max())
