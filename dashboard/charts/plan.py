"""Charts of the plan progress page (DOMAIN §8): each indicator's value against its target by pillar, the trend of
chosen indicators over the periods."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, memo_figure, no_data_figure, pattern, wrap_label
from dashboard.format import STATUS_COLORS, STATUS_NAMES, STATUS_PATTERNS, percent, period_label, plotly_text

TARGET_NAME = "Chỉ tiêu"
LABEL_WIDTH, PILLAR_WIDTH = 22, 10  # characters on a line of an indicator's, a pillar's label
LINE_COLORS = ["#1f4e79", "#7b3f99", "#00838f", "#6d4c41", "#546e7a", "#ad1457"]


def indicator_label(code: str, name: str) -> str:
    return f"{code} · {name}"


@memo_figure
def values_against_targets(frame: pd.DataFrame, pillar_names: dict[str, str], period_label: str,
                           wrap: bool = False) -> go.Figure:
    """Percent indicators: a bar per indicator coloured by its status, the target as a black tick, the value
    written right of the 100% line; grouped by pillar (two-level axis). Other units are left to the table.
    `wrap`: the labels on lines of LABEL_WIDTH characters (pillars: PILLAR_WIDTH) and rows tall enough for them,
    for the page (on a phone the labels then leave the bars room); a slide's image, of a fixed height, keeps one
    line a label."""
    title = f"Giá trị các chỉ số (%) so với chỉ tiêu, theo trụ cột – {period_label}"
    data = frame[frame["unit"] == "%"].copy()
    if data.empty:
        return no_data_figure(title, "Không có chỉ số kế hoạch nào có số liệu cho phạm vi và kỳ đang chọn")
    order = {p: i for i, p in enumerate(pillar_names)}
    data["pillar_order"] = data["pillar"].map(order).fillna(len(order))
    data = data.sort_values(["pillar_order", "indicator"])
    label_width, pillar_width = (LABEL_WIDTH, PILLAR_WIDTH) if wrap else (1000, 1000)
    data["pillar_vi"] = data["pillar"].map(pillar_names).fillna(data["pillar"]).map(
        lambda name: wrap_label(name, pillar_width))
    data["label"] = [wrap_label(indicator_label(c, n), label_width)
                     for c, n in zip(data["indicator"], data["indicator_vi"])]
    lines = max(label.count("<br>") + 1 for label in data["label"])
    data["name_text"] = data["indicator_vi"].map(plotly_text)
    axis = [list(data["pillar_vi"]), list(data["label"])]
    figure = go.Figure()
    # first trace: the targets, every category in pillar order (a two-level axis orders by first appearance)
    figure.add_scatter(
        y=axis, x=data["target"], mode="markers", name=TARGET_NAME,
        marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#222"}},
        customdata=data["name_text"], hovertemplate="<b>%{customdata}</b><br>Chỉ tiêu: %{x:,.0f}%<extra></extra>")
    for status, name in STATUS_NAMES.items():
        part = data[data["status"] == status]
        if part.empty:
            continue
        figure.add_bar(
            y=[list(part["pillar_vi"]), list(part["label"])], x=part["value"].fillna(0), orientation="h", name=name,
            marker_color=STATUS_COLORS[status], marker_pattern=pattern(STATUS_PATTERNS[status]),
            customdata=list(zip(part["name_text"], part["target"], part["schools_counted"],
                                part["schools_missing"])),
            hovertemplate="<b>%{customdata[0]}</b><br>Giá trị: %{x:,.1~f}% – chỉ tiêu %{customdata[1]:,.0f}%<br>"
                          f"Tình trạng: {name}<br>Số trường có số liệu: %{{customdata[2]}}, thiếu: "
                          "%{customdata[3]}<extra></extra>")
    figure.add_scatter(
        y=axis, x=[104] * len(data), mode="text", textposition="middle right", showlegend=False, hoverinfo="skip",
        cliponaxis=False,  # on a phone's narrow plot the value runs on into the right margin instead of being cut
        text=[percent(v) if v == v else "không có số liệu" for v in data["value"]],
        textfont={"color": [STATUS_COLORS[s] for s in data["status"]], "size": 12}, name="Giá trị")
    figure.update_layout(barmode="overlay", bargap=0.35)
    figure = base_layout(figure, title, x_title="Giá trị (%)", height=150 + max(30, 6 + 16 * lines) * len(data))
    # three ticks: they stay apart on the narrow plot of a phone
    figure.update_xaxes(range=[0, 122], tickvals=[0, 50, 100], showgrid=True, gridcolor="#eee", ticksuffix="%")
    figure.update_yaxes(autorange="reversed", tickfont={"size": 11}, showgrid=False)
    figure.update_layout(margin={"l": 20, "r": 35})
    return figure


@memo_figure
def trend(frame: pd.DataFrame, codes: list[str], periods: list[tuple[str, str]], unit: str) -> go.Figure:
    """Chosen indicators over every period, a marker per period coloured by its status, with the targets."""
    unit_text = plotly_text(unit)  # units and codes come from the catalogue file
    title = f"Diễn biến qua các kỳ ({unit_text})"
    data = frame[frame["indicator"].isin(codes)]
    if data.empty or data["value"].isna().all():
        return no_data_figure(title, "Các chỉ số đã chọn chưa có số liệu ở kỳ nào")
    labels = [period_label(*p) for p in periods]
    figure = go.Figure()
    targets = {code: float(data.loc[data["indicator"] == code, "target"].iloc[0]) for code in codes
               if (data["indicator"] == code).any()}
    one_target = len(set(targets.values())) == 1
    seen = set()
    for i, code in enumerate(codes):
        part = data[data["indicator"] == code].set_index(["school_year", "period"]).reindex(periods)
        if part["value"].isna().all():
            continue
        colour = LINE_COLORS[i % len(LINE_COLORS)]
        name, code_text = plotly_text(part["indicator_vi"].dropna().iloc[0]), plotly_text(code)
        label = indicator_label(code_text, name)
        legend_name = wrap_label(indicator_label(code, part["indicator_vi"].dropna().iloc[0]), 40)
        statuses = part["status"].fillna("no_data")
        figure.add_scatter(x=labels, y=part["value"], mode="lines", name=legend_name,
                           connectgaps=True, line={"color": colour, "width": 2.5}, legendgroup=code,
                           hoverinfo="skip")
        figure.add_scatter(
            x=labels, y=part["value"], mode="markers", name=label, showlegend=False,
            legendgroup=code,
            marker={"size": 13, "color": [STATUS_COLORS[s] for s in statuses], "line": {"width": 2, "color": colour}},
            customdata=list(zip([STATUS_NAMES[s] for s in statuses], part["schools_counted"].fillna(0),
                                part["schools_missing"].fillna(0))),
            hovertemplate=f"<b>{label}</b><br>%{{x}}: %{{y:,.1~f}} {unit_text}<br>Tình trạng: %{{customdata[0]}}"
                          "<br>Số trường có số liệu: %{customdata[1]:.0f}, thiếu: %{customdata[2]:.0f}<extra></extra>")
        seen.update(statuses[part["value"].notna()])
        if not one_target:
            figure.add_scatter(
                x=labels, y=[targets[code]] * len(labels), mode="lines", name=f"{TARGET_NAME} {code_text}",
                line={"color": colour, "dash": "dash", "width": 1.5}, legendgroup=code, showlegend=False,
                hovertemplate=f"{TARGET_NAME} {code_text}: %{{y:,.1~f}} {unit_text}<extra></extra>")
    if one_target:
        target = next(iter(targets.values()))
        figure.add_scatter(x=labels, y=[target] * len(labels), mode="lines", name=f"{TARGET_NAME} ({unit_text})",
                           line={"color": "#222", "dash": "dash", "width": 1.5},
                           hovertemplate=f"{TARGET_NAME}: %{{y:,.1~f}} {unit_text}<extra></extra>")
    for status, name in STATUS_NAMES.items():  # what the marker colours mean
        if status in seen:
            figure.add_scatter(x=[None], y=[None], mode="markers", name=name, legendgroup="status",
                               marker={"size": 11, "color": STATUS_COLORS[status]}, hoverinfo="skip")
    figure = base_layout(figure, title, x_title="Kỳ báo cáo", y_title=f"Giá trị ({unit_text})", height=520)
    # 'Cả năm' / 'HK I' above the school year: the periods keep apart on a phone
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickvals=labels,
                        ticktext=[plotly_text(p).replace(" 20", "<br>20", 1) for p in labels])
    return figure


def status_change(current: pd.DataFrame, earlier: pd.DataFrame, status: str = "met") -> int | None:
    """How many more indicators have `status` now than in the period before, counted over the indicators that have a
    value in both periods (the one counting rule of pages, headlines and exports); None when none has: a scope
    without figures then shows "chưa có số liệu kỳ trước", never a gain from nothing."""
    common = set(current.indicator[current.value.notna()]) & set(earlier.indicator[earlier.value.notna()])
    if not common:
        return None
    return int(current[current.indicator.isin(common)].status.eq(status).sum()) - \
        int(earlier[earlier.indicator.isin(common)].status.eq(status).sum())
