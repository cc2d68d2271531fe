"""Chart builders: pure functions, DataFrame in, Plotly figure out; no Streamlit. Titles, axes and hover
text in Vietnamese; numbers with Vietnamese separators; the shared colours of dashboard.format.

Plotly reads titles, tick labels, legend names, hover and bar text as a subset of HTML (<a href>, <b>, <br>...):
every value that comes from a file (school, ward, criterion and indicator names, units) goes through
dashboard.format.plotly_text before it reaches a figure."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.format import PLOTLY_SEPARATORS

FONT = "Noto Sans, Arial, sans-serif"


def base_layout(figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
                height: int = 420, legend_title: str | None = None, subtitle: str | None = None) -> go.Figure:
    heading = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}}
    if subtitle:
        heading["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#666"}}
    figure.update_layout(
        title=heading,
        separators=PLOTLY_SEPARATORS, font={"family": FONT, "size": 13}, height=height,
        margin={"l": 60, "r": 20, "t": 90, "b": 50}, plot_bgcolor="white", paper_bgcolor="white",
        legend={"title": {"text": legend_title or ""}, "orientation": "h", "yanchor": "bottom", "y": 1.0,
                "x": 0, "xanchor": "left", "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT}},
    )
    figure.update_traces(selector={"type": "bar"}, textangle=0, insidetextanchor="middle")
    figure.update_xaxes(title_text=x_title, showgrid=False, linecolor="#999")
    figure.update_yaxes(title_text=y_title, gridcolor="#eee", linecolor="#999", zerolinecolor="#ccc")
    return figure


def no_data_figure(title: str, message: str) -> go.Figure:
    """Never an empty axis: a figure that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#666"}, x=0.5, y=0.5,
                          xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return base_layout(figure, title, height=260)
