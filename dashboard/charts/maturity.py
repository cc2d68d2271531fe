"""Charts of the 4725 maturity page: levels by unit, group 1 against group 2, criteria heat map, self against
verified scores, the points one school lost. Pure: DataFrame in, Plotly figure out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import TEXT_PAD, base_layout, integer_axis, memo_figure, no_data_figure, pattern, wrap_label
from dashboard.charts.computers import short_name
from dashboard.format import (
    LEVEL_COLORS,
    LEVEL_NAMES_4725,
    LEVEL_PATTERNS,
    LEVEL_SHORT,
    is_missing,
    number,
    plotly_text,
    signed,
)

GROUP_NAMES = {"1": "Nhóm 1 – dạy, học", "2": "Nhóm 2 – quản trị"}
GROUP_COLORS = {"1": "#3b6fb6", "2": "#8e5ea2"}
BASIS_NAMES = {"verified": "Thẩm định", "self": "Tự đánh giá"}
NUMBER = ",.1~f"  # d3 format: 1.234,5 with the Vietnamese separators of base_layout, no trailing ",0"


@memo_figure
def level_distribution(frame: pd.DataFrame, units: list[str], names: dict[str, str], title: str,
                       unit_title: str, reason: str) -> go.Figure:
    """Schools at each overall level (derived convention), one stacked horizontal bar per unit.
    `frame`: unit, overall_level, schools; `units`: the bars in order; `names`: unit → label."""
    if frame.empty:
        return no_data_figure(title, reason)
    figure = go.Figure()
    labels = [names[u] if u in names else plotly_text(u) for u in units]  # ward names come from the registry
    for mark in (1, 2, 3):
        part = frame[frame["overall_level"] == mark].set_index("unit")["schools"].reindex(units)
        counts = part.fillna(0).astype(int)
        figure.add_bar(y=labels, x=counts.tolist(), name=LEVEL_SHORT[mark], orientation="h",
                       marker_color=LEVEL_COLORS[mark], marker_pattern=pattern(LEVEL_PATTERNS[mark]),
                       text=[c or None for c in counts], textposition="inside",
                       hovertemplate="%{y}: %{x} trường " + LEVEL_NAMES_4725[mark] + "<extra></extra>")
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed", automargin=True)
    base_layout(figure, title, x_title="Số trường", y_title=unit_title, height=max(300, 140 + 42 * len(units)),
                legend_title="Mức chung (quy ước):")
    return integer_axis(figure, "x", frame.groupby("unit")["schools"].sum().max())


@memo_figure
def group_scatter(frame: pd.DataFrame, school_year: str, low: float, high: float) -> go.Figure:
    """Group 1 against group 2 score per school, coloured by overall level, with the level boundaries."""
    title = f"Điểm nhóm 1 và nhóm 2 của từng trường – năm học {school_year}"
    if frame.empty:
        return no_data_figure(title, "Chưa có kết quả đánh giá QĐ 4725 cho phạm vi đang lọc")
    figure = go.Figure()
    for bound in (low, high):
        figure.add_vline(x=bound, line={"color": "#999", "dash": "dash", "width": 1})
        figure.add_hline(y=bound, line={"color": "#999", "dash": "dash", "width": 1})
    crowded = len(frame) > MAX_SCATTER_POINTS
    if crowded:
        title += " (mỗi chấm gộp các trường cùng điểm, làm tròn đến 1 điểm)"
    for mark in (1, 2, 3):
        part = frame[frame["overall_level"] == mark]
        if part.empty:
            continue
        if crowded:  # 45,000 points draw as one blot and cost seconds; a point per score pair, sized by schools
            _add_crowded(figure, part, mark)
            continue
        custom = list(zip(part["school_name"].map(plotly_text), [LEVEL_SHORT[v] for v in part["g1_level"]],
                          [LEVEL_SHORT[v] for v in part["g2_level"]], [BASIS_NAMES[b] for b in part["basis"]]))
        figure.add_scatter(
            x=part["g1_score"], y=part["g2_score"], mode="markers", name=LEVEL_SHORT[mark], customdata=custom,
            marker={"color": LEVEL_COLORS[mark], "size": 10, "line": {"color": "white", "width": 1}, "opacity": 0.85},
            hovertemplate="<b>%{customdata[0]}</b><br>Nhóm 1 (dạy, học): %{x:" + NUMBER + "} điểm – %{customdata[1]}"
                          "<br>Nhóm 2 (quản trị): %{y:" + NUMBER + "} điểm – %{customdata[2]}"
                          "<br>Mức chung (quy ước): " + LEVEL_SHORT[mark] + "<br>Căn cứ: %{customdata[3]}"
                          "<extra></extra>")
    top = max(100.0, float(frame[["g1_score", "g2_score"]].max().max()))
    figure.update_xaxes(range=[0, top + 2], dtick=25)
    figure.update_yaxes(range=[0, top + 2], dtick=25)
    figure.add_scatter(x=[None], y=[None], mode="lines", name=f"Ngưỡng {low:g} và {high:g} điểm",
                       line={"color": "#999", "dash": "dash", "width": 1}, hoverinfo="skip")
    figure = base_layout(figure, title, x_title="Điểm nhóm 1 – chuyển đổi số trong dạy, học",
                         y_title="Điểm nhóm 2 – quản trị", height=520, legend_title="Mức chung (quy ước):")
    return figure


MAX_SCATTER_POINTS = 2000  # a province's primary and lower secondary schools still draw one point each


def _add_crowded(figure: go.Figure, part: pd.DataFrame, mark: int) -> None:
    cells = (part.assign(x=part["g1_score"].round(0), y=part["g2_score"].round(0))
             .groupby(["x", "y"], as_index=False).size())
    figure.add_scatter(
        x=cells["x"], y=cells["y"], mode="markers", name=LEVEL_SHORT[mark], customdata=cells["size"],
        marker={"color": LEVEL_COLORS[mark], "size": (6 + 3 * np.sqrt(cells["size"])).clip(upper=40),
                "line": {"color": "white", "width": 1}, "opacity": 0.75},
        hovertemplate="<b>%{customdata:,} trường</b> " + LEVEL_SHORT[mark] + "<br>Nhóm 1 (dạy, học): khoảng %{x} "
                      "điểm<br>Nhóm 2 (quản trị): khoảng %{y} điểm<extra></extra>")


MAX_HEATMAP_ROWS = 150  # a city's schools; a province's are cut to the first ones
# characters on a line of a school's label in the heat map, of a criterion's in the lost points (wrap=True)
SCHOOL_WIDTH, CRITERION_WIDTH = 20, 24


def _school_label(name: str, code: str, wrap: bool) -> str:
    """'THCS Lê Lợi (40100012)'; `wrap`: without the level ('Lê Lợi', the hover keeps the full name) on at most two
    lines of SCHOOL_WIDTH characters, the code always kept at the end."""
    if not wrap:
        return plotly_text(f"{_short_name(name)} ({code})")
    short = _short_name(short_name(name))
    label = wrap_label(f"{short} ({code})", SCHOOL_WIDTH, max_lines=2)
    if label.endswith(plotly_text(f"({code})")):
        return label
    return wrap_label(short, SCHOOL_WIDTH, max_lines=1) + "<br>" + plotly_text(f"({code})")


@memo_figure
def criteria_heatmap(frame: pd.DataFrame, school_order: list[str], school_year: str,
                     total: int | None = None, wrap: bool = False) -> go.Figure:
    """Share of the maximum of every scored criterion (catalogue order) for every school (in `school_order`,
    codes). `frame`: criteria rows of criteria_scores without the mandatory conditions; `total`: the schools
    ranked when the caller already cut `frame` and `school_order` to the first ones. `wrap`: school labels on two
    short lines and rows tall enough for them, for the page (on a phone the labels then leave the cells room);
    without it one line a school."""
    title = "Tỷ lệ điểm đạt so với điểm tối đa theo tiêu chí"
    subtitle = f"Năm học {school_year}"
    if frame.empty:
        return no_data_figure(f"{title} – năm học {school_year}", "Chưa có điểm tiêu chí cho phạm vi đang lọc")
    present = set(frame["school_code"].unique())
    rows = [s for s in school_order if s in present]
    total = max(total or 0, len(rows))
    rows = rows[:MAX_HEATMAP_ROWS]  # a row per school stops being readable; the first ones in the given order
    if total > len(rows):
        title += f"<br>({number(len(rows))}/{number(total)} trường đầu bảng xếp hạng)"
    if len(present) > len(rows):
        frame = frame[frame["school_code"].isin(rows)]
    criteria = frame.sort_values("position").drop_duplicates("criterion")
    codes = criteria["criterion"].tolist()
    names = dict(zip(frame["school_code"], frame["school_name"]))
    pivot = lambda column: frame.pivot(index="school_code", columns="criterion", values=column).reindex(  # noqa: E731
        index=rows, columns=codes)
    share, score = pivot("share_of_max"), pivot("score")
    # hover data per cell: school name, criterion name, score, maximum
    custom = np.empty((len(rows), len(codes), 4), dtype=object)
    custom[:, :, 0] = np.array([plotly_text(names[s]) for s in rows], dtype=object)[:, None]
    custom[:, :, 1] = criteria["name_vi"].map(plotly_text).to_numpy(dtype=object)[None, :]
    custom[:, :, 2] = score.to_numpy()
    custom[:, :, 3] = criteria["max_points"].to_numpy()[None, :]
    labels = [_school_label(names[s], s, wrap) for s in rows]
    lines = max(label.count("<br>") + 1 for label in labels)
    figure = go.Figure(go.Heatmap(
        z=share.to_numpy(), x=[plotly_text(c) for c in codes], y=labels, customdata=custom, zmin=0, zmax=1,
        colorscale=[[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]], xgap=1, ygap=1,
        # under the cells, across: beside them it took a phone's plot width
        colorbar={"title": {"text": "Tỷ lệ so với điểm tối đa", "side": "top"}, "tickformat": ".0%",
                  "tickvals": [0, 0.25, 0.5, 0.75, 1],
                  "orientation": "h", "xref": "container", "x": 0, "xanchor": "left", "xpad": TEXT_PAD, "len": 240,
                  "lenmode": "pixels", "thickness": 14,
                  "yref": "container", "y": 0, "yanchor": "bottom", "ypad": 12},
        hovertemplate="<b>%{customdata[0]}</b><br>Tiêu chí %{x}: %{customdata[1]}<br>Điểm: %{customdata[2]:"
                      + NUMBER + "}/%{customdata[3]:" + NUMBER + "} (%{z:.0%})<extra></extra>"))
    first_group2 = next((i for i, c in enumerate(codes) if str(c).startswith("2")), None)
    if first_group2:
        figure.add_vline(x=first_group2 - 0.5, line={"color": "#333", "width": 2})
    x_title = "Tiêu chí (nhóm 1 bên trái, nhóm 2 bên phải vạch đậm)"
    figure = base_layout(figure, title, x_title=wrap_label(x_title, 30) if wrap else x_title, y_title="Trường",
                         height=max(380, 260 + (17 if lines == 1 else 4 + 12 * lines) * len(rows)), subtitle=subtitle)
    # the codes upright while they fit (a desktop), else turned on end (a phone's narrow plot)
    figure.update_xaxes(type="category", side="top", autotickangles=[0, -90],
                        tickfont={"size": 11})
    figure.update_yaxes(type="category", autorange="reversed", tickfont={"size": 10 if wrap else 11})
    figure.update_layout(margin={"r": TEXT_PAD})
    return figure


@memo_figure
def gap_bars(frame: pd.DataFrame, school_year: str, limit: int = 15) -> go.Figure:
    """Self-assessed minus verified score, per group, for the verified schools whose scores differ most.
    `frame`: maturity rows (school_name, g1_verified, g2_verified, g1_gap, g2_gap)."""
    title = f"Chênh lệch tự đánh giá − thẩm định – {school_year}"
    verified = frame[frame["g1_verified"].notna() | frame["g2_verified"].notna()] if not frame.empty else frame
    if verified.empty:
        return no_data_figure(title, "Chưa có trường nào được phòng thẩm định")
    differing = _differing(verified)
    if differing.empty:
        return no_data_figure(title, f"Điểm tự đánh giá của cả {len(verified)} trường đã thẩm định khớp điểm thẩm định")
    shown = differing.head(limit)
    figure = go.Figure()
    for group in ("1", "2"):
        figure.add_bar(
            y=[plotly_text(_short_name(n)) for n in shown["school_name"]], x=shown[f"g{group}_gap"], orientation="h",
            name=GROUP_NAMES[group], marker_color=GROUP_COLORS[group],
            customdata=list(zip(shown["school_name"].map(plotly_text), shown[f"g{group}_self"],
                                shown[f"g{group}_verified"])),
            hovertemplate="<b>%{customdata[0]}</b><br>" + GROUP_NAMES[group] + "<br>Tự đánh giá: %{customdata[1]:"
                          + NUMBER + "} điểm<br>Thẩm định: %{customdata[2]:" + NUMBER + "} điểm<br>Chênh lệch: %{x:+"
                          + NUMBER + "} điểm<extra></extra>")
    figure.update_layout(barmode="group", bargap=0.25)
    figure.update_yaxes(autorange="reversed", automargin=True, type="category")
    figure.update_xaxes(zeroline=True, zerolinecolor="#666")
    return base_layout(figure, title, x_title="Chênh lệch, điểm", y_title=None, height=max(360, 170 + 34 * len(shown)))


def gap_summary(frame: pd.DataFrame, limit: int = 15) -> str:
    """One sentence under the gap chart: how many verified schools self-scored differently."""
    verified = frame[frame["g1_verified"].notna() | frame["g2_verified"].notna()] if not frame.empty else frame
    if verified.empty:
        return ""
    differing = _differing(verified)
    higher = int(((differing["g1_gap"].fillna(0) > 0) | (differing["g2_gap"].fillna(0) > 0)).sum())
    text = (f"{len(differing)}/{len(verified)} trường đã thẩm định có điểm tự đánh giá khác điểm thẩm định "
            f"({higher} trường tự chấm cao hơn ở ít nhất một nhóm). Dương: trường tự chấm cao hơn kết quả thẩm định.")
    if len(differing) > limit:
        text += f" Biểu đồ hiện {limit} trường chênh nhiều nhất; bảng xếp hạng có đủ các trường."
    return text


def _differing(verified: pd.DataFrame) -> pd.DataFrame:
    spread = verified[["g1_gap", "g2_gap"]].abs().fillna(0)
    return verified[spread.max(axis=1) > 0].assign(_order=spread.sum(axis=1)).sort_values(
        ["_order", "school_name"], ascending=[False, True])


def _short_name(name: str) -> str:
    """'Trường THCS Lê Lợi' → 'THCS Lê Lợi' for axis labels (hover keeps the full name)."""
    return name[len("Trường "):] if name.startswith("Trường ") else name


@memo_figure
def lost_points(frame: pd.DataFrame, school_name: str, school_year: str, wrap: bool = False) -> go.Figure:
    """Maximum minus official score of each criterion where the school did not get the maximum. `wrap`: the
    criteria's labels on lines of CRITERION_WIDTH characters and rows tall enough for them, for the page (on a phone
    the labels then leave the bars room); without it one line a criterion, its name cut at 48 characters."""
    title = f"Điểm bị mất theo tiêu chí – {plotly_text(school_name)}"
    subtitle = f"Năm học {school_year}"
    scored = frame[~frame["mandatory"]] if not frame.empty else frame
    if scored.empty:
        return no_data_figure(f"{title}, năm học {school_year}", "Trường đạt điểm tối đa ở mọi tiêu chí có điểm")
    scored = scored.sort_values("position")
    figure, lines = go.Figure(), 1
    for group in ("1", "2"):
        part = scored[scored["criterion_group"] == group]
        if part.empty:
            continue
        labels = [wrap_label(f"{c} {n}", CRITERION_WIDTH) if wrap else plotly_text(f"{c} {_short(n)}")
                  for c, n in zip(part["criterion"], part["name_vi"])]
        lines = max(lines, *(label.count("<br>") + 1 for label in labels))
        figure.add_bar(
            y=labels, x=part["lost_points"], orientation="h", name=GROUP_NAMES[group],
            marker_color=GROUP_COLORS[group],
            customdata=list(zip(part["name_vi"].map(plotly_text), part["score"], part["max_points"])),
            texttemplate="%{x:" + NUMBER + "}", textposition="outside",
            hovertemplate="<b>%{customdata[0]}</b><br>Điểm: %{customdata[1]:" + NUMBER + "}/%{customdata[2]:"
                          + NUMBER + "}<br>Bị mất: %{x:" + NUMBER + "} điểm<extra></extra>")
    x_title = "Số điểm bị mất (điểm tối đa − điểm chính thức)"
    figure = base_layout(figure, title, x_title=wrap_label(x_title, 30) if wrap else x_title, y_title="Tiêu chí",
                         height=max(320, 170 + max(26, 6 + 14 * lines) * len(scored)), subtitle=subtitle)
    figure.update_yaxes(autorange="reversed", type="category", tickfont={"size": 11} if wrap else None)
    figure.update_xaxes(range=[0, float(scored["lost_points"].max()) * 1.15 + 0.5])
    return figure


def gap_text(value) -> str:
    """Self minus verified points as text ('+2', '−1,5', 'không lệch'; '–' when not verified), for table cells
    that would otherwise show an empty number."""
    if value is None or value is pd.NA or is_missing(value):
        return "–"
    return "không lệch" if value == 0 else signed(value, 1)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
