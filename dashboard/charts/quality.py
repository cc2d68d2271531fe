"""Charts of the data-quality page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, memo_figure, no_data_figure
from dashboard.format import number, period_label, plotly_text
from etl.reference import LEVEL_NAMES


@memo_figure
def reporting(frame: pd.DataFrame) -> go.Figure:
    """Schools that reported, against those expected, in every period loaded."""
    title = "Số trường đã gửi số liệu theo kỳ báo cáo"
    if frame.empty:
        return no_data_figure(title, "Chưa nạp số liệu khảo sát nào")
    labels = [period_label(y, p) for y, p in zip(frame["school_year"], frame["period"])]
    missing = frame["expected"] - frame["reported"]
    figure = go.Figure()
    figure.add_bar(x=labels, y=frame["reported"].tolist(), name="Đã gửi", marker_color="#3b82c4",
                   text=frame["reported"].tolist(), textposition="inside",
                   hovertemplate="%{x}: %{y} trường đã gửi<extra></extra>")
    figure.add_bar(x=labels, y=missing.tolist(), name="Chưa gửi", marker_color="#c0392b",
                   text=[m or None for m in missing.tolist()], textposition="inside",
                   hovertemplate="%{x}: %{y} trường chưa gửi<extra></extra>")
    figure.update_layout(barmode="stack")
    return base_layout(figure, title, x_title="Kỳ báo cáo", y_title="Số trường", height=340)


MAX_POINTS = 2000  # a province's schools still draw one point each


@memo_figure
def class_sizes(frame: pd.DataFrame, low: float, high: float) -> go.Figure:
    """Pupils per class by school level (`class_size`); the points the query flags `outside` the plausible band
    low..high are the outliers (the band is drawn, the flag is not recomputed here)."""
    title = "Sĩ số bình quân mỗi lớp theo cấp học"
    note = f"Mỗi điểm là một trường; điểm đỏ nằm ngoài vùng hợp lý {low:g}–{high:g} học sinh/lớp"
    if frame.empty:
        return no_data_figure(title, "Không có trường nào báo cáo số lớp trong phạm vi đang lọc")
    crowded = len(frame) > MAX_POINTS
    if crowded:  # 45,000 points are one blot and cost seconds: the box, and the schools outside the band
        note = (f"Hộp: một nửa số trường ở giữa, vạch giữa là trung vị; các điểm là các trường nằm ngoài vùng hợp lý "
                f"{low:g}–{high:g} học sinh/lớp (tối đa {number(MAX_POINTS)} trường lệch xa nhất)")
    figure = go.Figure()
    for level in [lv for lv in LEVEL_NAMES if lv in set(frame["level"].unique())]:
        part = frame[frame["level"] == level]
        size = part["class_size"].astype(float).round(1)
        outside = part["outside"].astype(bool)
        if crowded:
            q1, median, q3 = (float(v) for v in size.quantile([0.25, 0.5, 0.75]))
            figure.add_box(x=[LEVEL_NAMES[level]], q1=[q1], median=[median], q3=[q3], lowerfence=[float(size.min())],
                           upperfence=[float(size.max())], name=LEVEL_NAMES[level], line={"color": "#7f8c8d"},
                           fillcolor="rgba(59,130,196,0.15)", showlegend=False,
                           hovertemplate=f"{LEVEL_NAMES[level]} ({number(len(part))} trường)<extra></extra>")
            far = (size - size.clip(low, high)).abs()  # how far, to keep the farthest: drawing, not the rule
            keep = far[outside].sort_values(ascending=False).index[:MAX_POINTS // 4]
            part, size, outside = part.loc[keep], size.loc[keep], outside.loc[keep]
        else:
            figure.add_box(y=size.tolist(), name=LEVEL_NAMES[level], boxpoints=False, line={"color": "#7f8c8d"},
                           fillcolor="rgba(59,130,196,0.15)", hoverinfo="skip", showlegend=False)
        figure.add_scatter(x=[LEVEL_NAMES[level]] * len(part), y=size.tolist(), mode="markers",
                           marker={"color": ["#c0392b" if o else "#3b82c4" for o in outside], "size": 7,
                                   "opacity": 0.8},
                           text=part["school_name"].map(plotly_text).tolist(), showlegend=False,
                           hovertemplate="%{text}<br>%{y:,.1f} học sinh/lớp<extra></extra>")
    figure.add_hrect(y0=low, y1=high, fillcolor="#2e8b57", opacity=0.06, line_width=0)
    figure.update_layout(showlegend=False)
    return base_layout(figure, title, x_title="Cấp học", y_title="Học sinh mỗi lớp", height=380, subtitle=note)
