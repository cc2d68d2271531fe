"""Chart builders: pure functions, DataFrame in, Plotly figure out; no Streamlit. Titles, axes and hover
text in Vietnamese; numbers with Vietnamese separators; the shared colours of dashboard.format.

Plotly reads titles, tick labels, legend names, hover and bar text as a subset of HTML (<a href>, <b>, <br>...):
every value that comes from a file (school, ward, criterion and indicator names, units) goes through
dashboard.format.plotly_text before it reaches a figure."""
from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import pandas as pd
import plotly.graph_objects as go

from dashboard.format import PLOTLY_SEPARATORS

FONT = "Noto Sans, Arial, sans-serif"
TEXT_PAD = 12  # pixels between any text and the edge of the figure (exported images are cropped to it)


def base_layout(figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
                height: int = 420, legend_title: str | None = None, subtitle: str | None = None) -> go.Figure:
    # the title at the top, room made for it (automargin: one line or two, any width); the legend at the bottom of
    # the figure, under the axis title (container coordinates push the bottom margin): on a narrow screen the legend
    # wraps to more rows and grows downwards, never over the title or the plot
    heading = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}, "pad": {"l": TEXT_PAD, "t": TEXT_PAD},
               "yref": "container", "y": 1, "yanchor": "top", "automargin": True}
    if subtitle:
        heading["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#666"}}
    figure.update_layout(
        title=heading,
        separators=PLOTLY_SEPARATORS, font={"family": FONT, "size": 13}, height=height,
        margin={"l": 60, "r": 30, "t": 40, "b": 40, "pad": 0}, plot_bgcolor="white", paper_bgcolor="white",
        legend={"title": {"text": legend_title or ""}, "orientation": "h", "yref": "container", "yanchor": "bottom",
                "y": 0, "x": 0, "xanchor": "left", "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT}},
    )
    figure.update_traces(selector={"type": "bar"}, textangle=0, insidetextanchor="middle")
    # margins grow to hold the longest tick label and the axis titles (automargin), whatever the image size
    figure.update_xaxes(title_text=x_title, showgrid=False, linecolor="#999", automargin=True)
    figure.update_yaxes(title_text=y_title, gridcolor="#eee", linecolor="#999", zerolinecolor="#ccc", automargin=True)
    return figure


def wrap_label(text: str, width: int = 28, max_lines: int = 3) -> str:
    """A long label (an indicator's, a ward's name) on lines of at most `width` characters, broken between words
    (<br>), each line made literal (plotly_text): the axis keeps its width on a phone instead of the label pushing the
    plot aside. A word longer than `width` keeps its own line; past `max_lines` the rest ends in '…'."""
    from dashboard.format import plotly_text

    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:width - 1].rstrip() + "…"
    return "<br>".join(plotly_text(line) for line in lines)


def integer_axis(figure: go.Figure, axis: str, top: float) -> go.Figure:
    """A count axis (schools, indicators, computers): whole-number ticks only, never 0,5 or a tick repeated by
    rounding; Plotly picks a step of 0,5 for short ranges, so up to 8 the step is 1."""
    update = {"tickformat": ",d", "rangemode": "tozero"}
    if top <= 8:
        update.update(tick0=0, dtick=1)
    (figure.update_xaxes if axis == "x" else figure.update_yaxes)(**update)
    return figure


def pattern(shape: str) -> dict:
    """A light hatch over a bar's colour (marker.pattern): the worst categories differ by more than colour, for
    readers who cannot tell the colours apart and for grey-scale printouts; the bar's number stays legible."""
    if not shape:
        return {"shape": ""}
    return {"shape": shape, "fillmode": "overlay", "fgcolor": "rgba(255,255,255,0.55)", "solidity": 0.22, "size": 9}


_KINDS = {"bar": "biểu đồ cột", "scatter": "biểu đồ điểm", "heatmap": "bản đồ nhiệt", "box": "biểu đồ hộp"}


def describe(figure: go.Figure, headline: str = "") -> str:
    """A text alternative of a chart for screen readers (alt text in the app, the PowerPoint and the PDF): its kind,
    title, axes and series in Vietnamese, after the slide's headline if any. Markup of the title is dropped."""
    import re

    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    layout = spec.get("layout", {})
    plain = lambda text: re.sub(r"<[^>]+>", " ", str(text or "")).replace("&amp;", "&").strip()  # noqa: E731
    heading = layout.get("title") or {}
    title = plain(heading.get("text"))
    if subtitle := plain((heading.get("subtitle") or {}).get("text")):  # the year, the period of some charts
        title = f"{title} – {subtitle}" if title else subtitle
    kinds = []
    for trace in spec.get("data", []):
        kind = _KINDS.get(trace.get("type", "scatter"), "biểu đồ")
        if kind not in kinds and trace.get("mode") != "text":
            kinds.append(kind)
    names = [plain(t.get("name")) for t in spec.get("data", []) if t.get("name") and t.get("showlegend", True)]
    axes = [f"trục {'ngang' if key.startswith('x') else 'dọc'}: {plain(value['title']['text'])}"
            for key, value in sorted(layout.items()) if key[:5] in ("xaxis", "yaxis") and isinstance(value, dict)
            and (value.get("title") or {}).get("text")]
    notes = [plain(a.get("text")) for a in layout.get("annotations", []) if a.get("text")]
    parts = [headline.strip(), (", ".join(kinds) or "Biểu đồ").capitalize() + (f": {title}" if title else ""),
             "; ".join(dict.fromkeys(axes)), ("Các nhóm: " + ", ".join(dict.fromkeys(names))) if names else "",
             " ".join(notes) if not spec.get("data") else ""]
    return ". ".join(p[0].upper() + p[1:].rstrip(".") for p in parts if p) + "."


def no_data_figure(title: str, message: str) -> go.Figure:
    """Never an empty axis: a figure that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#666"}, x=0.5, y=0.5,
                          xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return base_layout(figure, title, height=260)


# ---- a memo of built figures -----------------------------------------------------------------------------
# Building a figure runs Plotly's validators over every property (20-150 ms a chart, most of a page's time); a
# rerun of a page with the same data builds the same figure. The memo keeps the figure as a plain dict and hands
# out a new Figure made from a copy without validating again (~5 ms), so a caller may change its own figure.

MEMO_SIZE = 256
_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


class _Unhashable(Exception):
    pass


def _fingerprint(value) -> object:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        try:
            digest = hashlib.blake2b(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes(),
                                     digest_size=16).hexdigest()
        except TypeError as exc:  # cells holding lists or dicts
            raise _Unhashable from exc
        if isinstance(value, pd.DataFrame):
            return "DataFrame", tuple(value.columns), tuple(map(str, value.dtypes)), digest
        return "Series", value.name, str(value.dtype), digest
    if isinstance(value, dict):
        return "dict", tuple((_fingerprint(k), _fingerprint(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(_fingerprint(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        hash(value)
    except TypeError as exc:
        raise _Unhashable from exc
    return type(value).__name__, value


def memo_figure(builder):
    """Decorate a chart builder: the same arguments (DataFrames compared by content) give the figure built before."""
    @functools.wraps(builder)
    def memoised(*args, **kwargs):
        try:
            key = (builder.__module__, builder.__qualname__, _fingerprint(args), _fingerprint(kwargs))
        except _Unhashable:
            return builder(*args, **kwargs)
        with _memo_lock:
            spec = _memo.get(key)
            if spec is not None:
                _memo.move_to_end(key)
        if spec is None:
            figure = builder(*args, **kwargs)
            spec = figure.to_dict()
            with _memo_lock:
                _memo[key] = spec
                while len(_memo) > MEMO_SIZE:
                    _memo.popitem(last=False)
            return figure
        return go.Figure(_copy(spec), _validate=False)
    return memoised


def _copy(spec):
    """A deep copy of a figure dict; numpy arrays are copied by numpy, not element by element."""
    if isinstance(spec, dict):
        return {k: _copy(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_copy(v) for v in spec]
    if hasattr(spec, "copy") and hasattr(spec, "dtype"):
        return spec.copy()
    return spec
