"""So sánh hai kỳ họp: what the page and the slide show of etl.snapshot_diff — the tables in Vietnamese, the sentences,
the chart of the plan indicators before and after, a Slide for the presentation and handouts — and, for the page,
the sources to choose from (snapshots and the live warehouse) and a cached reader of each. The comparison itself is
etl.snapshot_diff's; nothing here computes a metric."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, no_data_figure, pattern
from dashboard.charts.plan import indicator_label
from dashboard.filters import Filters
from dashboard.format import (
    COMPUTER_STATUS_NAMES,
    LEVEL_SHORT,
    PILLAR_NAMES,
    STATUS_NAMES,
    number,
    period_label,
    period_words,
    plotly_text,
)
from dashboard.labels import LOAD_STATUS_NAMES
from dashboard.slides import Fetch, Slide
from etl.metrics import labels
from etl.reference import LEVEL_NAMES
from etl.snapshot_diff import Diff, Side, compare

BEFORE, AFTER = " (trước)", " (sau)"
MOVES = {"up": "Lên mức", "down": "Xuống mức", "now_met": "Mới đạt chuẩn", "no_longer_met": "Không còn đạt chuẩn"}
MEASURES = {
    "assessed_4725": "Số trường có kết quả QĐ 4725", "level2_plus": "Số trường đạt Mức 2 trở lên (QĐ 4725)",
    "ratio_met": "Số trường đạt chuẩn HS/máy trong giờ Tin học", "ratio_not_met": "Số trường chưa đạt chuẩn HS/máy",
    "computers_needed": "Số máy tính cần bổ sung", "indicators_met": "Số chỉ số kế hoạch đạt chỉ tiêu",
    "files": "Số tệp đã nạp vào kho",
}
TITLES = {"totals": "Các số liệu chính trước và sau", "indicators": "Chỉ số kế hoạch đã thay đổi",
          "levels": "Trường lên hoặc xuống mức QĐ 4725", "computers": "Trường đổi tình trạng chuẩn HS máy tính",
          "files": "Tệp nạp thêm giữa hai kỳ họp", "files_gone": "Tệp không còn trong kho sau (đã hoàn tác)"}
DECIMALS = {f"Giá trị{BEFORE}": 1, f"Giá trị{AFTER}": 1, "Thay đổi": 1, f"HS/máy trong giờ học{BEFORE}": 2,
            f"HS/máy trong giờ học{AFTER}": 2, f"Điểm nhóm 1{BEFORE}": 1, f"Điểm nhóm 1{AFTER}": 1,
            f"Điểm nhóm 2{BEFORE}": 1, f"Điểm nhóm 2{AFTER}": 1}
COLORS = {"before": "#9ecae1", "after": "#1f6fb5"}


def _when(s: Side) -> str:
    parts = [period_label(*s.period)] if s.period else ["chưa có số liệu khảo sát"]
    if s.year_4725:
        parts.append(f"QĐ 4725 năm học {s.year_4725}")
    return "; ".join(parts)


def _school_columns(frame: pd.DataFrame) -> pd.DataFrame:
    keys = labels("keys")
    return pd.DataFrame({keys["school_code"]: frame["school_code"], keys["school_name"]: frame["school_name"],
                         keys["level"]: frame["level"].map(lambda v: LEVEL_NAMES.get(v, v)),
                         keys["ward_new"]: frame["ward_new"]})


def indicators_table(diff: Diff, only_changed: bool = True) -> pd.DataFrame:
    data = diff.changed_indicators if only_changed else diff.indicators
    order = {p: i for i, p in enumerate(PILLAR_NAMES)}
    data = data.assign(o=data["pillar"].map(order)).sort_values(["o", "indicator"], kind="stable")
    names = labels("plan_progress")
    return pd.DataFrame({
        names["indicator"]: data["indicator"], names["indicator_vi"]: data["indicator_vi"],
        names["pillar"]: data["pillar"].map(lambda p: PILLAR_NAMES.get(p, p)), names["unit"]: data["unit"],
        names["target"]: data["target"],
        f"Kỳ{BEFORE}": data["when_before"].map(period_words), f"Giá trị{BEFORE}": data["value_before"],
        f"Tình trạng{BEFORE}": data["status_before"].map(STATUS_NAMES),
        f"Kỳ{AFTER}": data["when_after"].map(period_words), f"Giá trị{AFTER}": data["value_after"],
        f"Tình trạng{AFTER}": data["status_after"].map(STATUS_NAMES),
        "Thay đổi": data["change"]})


def levels_table(diff: Diff) -> pd.DataFrame:
    d = diff.levels
    table = _school_columns(d)
    for suffix, side in ((BEFORE, "before"), (AFTER, "after")):
        table[f"Mức chung{suffix}"] = d[f"overall_level_{side}"].map(LEVEL_SHORT)
        table[f"Điểm nhóm 1{suffix}"] = d[f"g1_score_{side}"]
        table[f"Điểm nhóm 2{suffix}"] = d[f"g2_score_{side}"]
    table["Thay đổi"] = d["move"].map(MOVES)
    return table


def computers_table(diff: Diff) -> pd.DataFrame:
    d = diff.computers
    table = _school_columns(d)
    for suffix, side in ((BEFORE, "before"), (AFTER, "after")):
        table[f"Tình trạng{suffix}"] = d[f"status_{side}"].map(
            lambda s: COMPUTER_STATUS_NAMES.get(s, "Không có số liệu"))
        table[f"Số máy tính{suffix}"] = d[f"it_computers_{side}"]
        table[f"HS/máy trong giờ học{suffix}"] = d[f"pupils_per_computer_{side}"]
        table[f"Số máy cần bổ sung{suffix}"] = d[f"computers_needed_{side}"]
    table["Mức tối đa cho phép"] = d["target_after"].fillna(d["target_before"])
    table["Thay đổi"] = d["move"].map(MOVES)
    return table


def files_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Lần nạp": frame["load_id"], "Thời điểm": pd.to_datetime(frame["finished_at"]).dt.floor("s"),
        "Tệp": frame["file_name"], "Kết quả": frame["status"].map(lambda s: LOAD_STATUS_NAMES.get(s, s)),
        "Kỳ": frame["periods"].map(period_words), "Dòng nạp": frame["rows_loaded"],
        "Dòng thay thế": frame["rows_replaced"], "Lỗi": frame["errors"]})


def totals_table(diff: Diff) -> pd.DataFrame:
    t = diff.totals
    when = lambda v: period_label(*v.split(" ")) if " " in v else (f"năm học {v}" if v else "")  # noqa: E731
    return pd.DataFrame({"Nội dung": t["measure"].map(MEASURES), "Trước": t["before"], "Sau": t["after"],
                         "Thay đổi": t["change"], "Kỳ (trước)": t["before_when"].map(when),
                         "Kỳ (sau)": t["after_when"].map(when)})


def tables(diff: Diff) -> dict[str, pd.DataFrame]:
    """Every table of the comparison, by key of TITLES, with Vietnamese headers and values."""
    return {"totals": totals_table(diff), "indicators": indicators_table(diff), "levels": levels_table(diff),
            "computers": computers_table(diff), "files": files_table(diff.files),
            "files_gone": files_table(diff.files_gone)}


# ---- words -------------------------------------------------------------------------------------------------------

def _figure(diff: Diff, measure: str) -> tuple[int, int]:
    row = diff.totals.set_index("measure").loc[measure]
    return int(row.before), int(row.after)


def _moves(frame: pd.DataFrame, first: str, second: str) -> tuple[int, int]:
    return int((frame["move"] == first).sum()), int((frame["move"] == second).sum())


def sentences(diff: Diff, names: tuple[str, str]) -> list[str]:
    """What changed, a sentence per subject, for the page."""
    up, down = _moves(diff.levels, "up", "down")
    now_met, lost = _moves(diff.computers, "now_met", "no_longer_met")
    met = _figure(diff, "indicators_met")
    l2 = _figure(diff, "level2_plus")
    need = _figure(diff, "computers_needed")
    changed = len(diff.changed_indicators)
    out = [f"So sánh {names[0]} ({_when(diff.before)}) với {names[1]} ({_when(diff.after)}).",
           (f"{changed} chỉ số kế hoạch thay đổi giá trị hoặc tình trạng" if changed else
            "Không chỉ số kế hoạch nào thay đổi giá trị hay tình trạng")
           + f"; số chỉ số đạt chỉ tiêu: {met[0]} → {met[1]}.",
           f"{up} trường lên mức, {down} trường xuống mức QĐ 4725; số trường đạt Mức 2 trở lên: {l2[0]} → {l2[1]}.",
           f"{now_met} trường mới đạt chuẩn học sinh/máy trong giờ Tin học, {lost} trường không còn đạt; số máy cần "
           f"bổ sung: {number(need[0])} → {number(need[1])} ({_change_words(need[1] - need[0], 'máy')}).",
           f"{len(diff.files)} tệp được nạp vào kho giữa hai lần"
           + (f"; {len(diff.files_gone)} tệp của {names[0]} không còn trong kho sau (lần nạp đã được hoàn tác)."
              if len(diff.files_gone) else ".")]
    return out


def _change_words(change: float, unit: str) -> str:
    if not change:
        return "không đổi"
    return f"{'tăng' if change > 0 else 'giảm'} {number(abs(change))} {unit}"


def headline(diff: Diff, names: tuple[str, str]) -> str:
    """One sentence for the slide."""
    up, down = _moves(diff.levels, "up", "down")
    now_met, lost = _moves(diff.computers, "now_met", "no_longer_met")
    need = _figure(diff, "computers_needed")
    levels = f"{up} trường lên mức và {down} trường xuống mức QĐ 4725" if up or down else \
        "không trường nào đổi mức QĐ 4725"
    ratio = f"{now_met} trường mới đạt chuẩn HS/máy trong giờ Tin học, {lost} trường không còn đạt" \
        if now_met or lost else "không trường nào đổi tình trạng chuẩn HS/máy"
    return (f"So với {names[0]}: {levels}; {ratio}; số máy cần bổ sung {_change_words(need[1] - need[0], 'máy')}; "
            f"{len(diff.changed_indicators)} chỉ số kế hoạch thay đổi.")


# ---- the chart and the slide -----------------------------------------------------------------------------------

def chart(diff: Diff, names: tuple[str, str]) -> go.Figure:
    """The percent indicators that changed: before and after side by side, the target as a black tick."""
    title = "Chỉ số kế hoạch (%) đã thay đổi: trước và sau"
    data = diff.changed_indicators
    data = data[data["unit"] == "%"]
    if data.empty:
        return no_data_figure(title, "Không chỉ số kế hoạch (%) nào thay đổi giữa hai nguồn")
    order = {p: i for i, p in enumerate(PILLAR_NAMES)}
    data = data.assign(o=data["pillar"].map(order)).sort_values(["o", "indicator"], kind="stable")
    rows = [plotly_text(indicator_label(c, n)) for c, n in zip(data["indicator"], data["indicator_vi"])]
    figure = go.Figure()
    for side, name, shape in (("before", f"Trước: {names[0]}", "."), ("after", f"Sau: {names[1]}", "")):
        figure.add_bar(y=rows, x=data[f"value_{side}"].fillna(0), orientation="h", name=plotly_text(name),
                       marker_color=COLORS[side], marker_pattern=pattern(shape),
                       hovertemplate="%{y}<br>%{x:,.1~f}%<extra>" + plotly_text(name) + "</extra>")
    figure.add_scatter(y=rows, x=data["target"], mode="markers", name="Chỉ tiêu", hoverinfo="skip",
                       marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#222"}})
    # before → after written right of the 100% line, clear of the bars and the target ticks
    figure.add_scatter(y=rows, x=[104] * len(rows), mode="text", textposition="middle right", showlegend=False,
                       hoverinfo="skip", textfont={"size": 12, "color": "#1f3f66"},
                       text=[f"{_pct(b)} → {_pct(a)}" for b, a in zip(data["value_before"], data["value_after"])])
    figure.update_layout(barmode="group", bargap=0.3)
    base_layout(figure, title, "Giá trị (%)", None, height=170 + 60 * len(data))
    figure.update_xaxes(range=[0, 138], tickvals=[0, 25, 50, 75, 100], ticksuffix="%", showgrid=True,
                        gridcolor="#eee")
    figure.update_yaxes(autorange="reversed", tickfont={"size": 12}, showgrid=False)
    return figure


def _pct(value) -> str:
    return f"{number(value, 1)}%" if value == value and value is not None else "không có"


def diff_slide(before_fetch: Fetch, after_fetch: Fetch, filters: Filters, names: tuple[str, str],
               period: tuple[str, str] | None = None) -> Slide:
    """The comparison as one slide: the chart of the indicators, the headline, the changed indicators as its data and
    the key figures as its printed summary. `names`: how the two sources are called ('«Sơ kết HK I» (15/01/2026)',
    'số liệu hiện hành'); `period`: compare both at this period (default: each at its newest)."""
    diff = compare(before_fetch, after_fetch, filters.scope, period)
    figure = chart(diff, names)
    return Slide("so_sanh_ky_hop", figure.layout.title.text, headline(diff, names), figure,
                 indicators_table(diff), totals_table(diff))


def deck_slide(fetch: Fetch, f: Filters, options: dict | None = None) -> Slide:
    """diff_slide as a builder of dashboard.slides' registry (SLIDES, WITH_OPTIONS): from the source
    `options['before_fetch']` (named `options['before_name']`) to the source shown (`fetch`, named
    `options['after_name']`). Without a source to compare with, the slide says so (and shows no change)."""
    options = options or {}
    before = options.get("before_fetch")
    names = (options.get("before_name") or "nguồn trước", options.get("after_name") or "số liệu đang xem")
    slide = diff_slide(before or fetch, fetch, f, names)
    if before is None:
        slide.headline = "Chưa chọn ảnh chụp số liệu để so sánh với số liệu đang xem."
    return slide


def earlier(found: list[Source], shown: Path) -> list[Source]:
    """The sources taken before the one shown (`shown`: its file), newest first: what a slide compares it with."""
    current = next((s for s in found if s.path == Path(shown)), None)
    return [s for s in found if current is None or (s.when < current.when and s.path != current.path)]


# ---- the sources the page offers (Streamlit) -------------------------------------------------------------------

LIVE_KEY = "Số liệu hiện hành (hôm nay)"


@dataclass(frozen=True)
class Source:
    key: str  # what the list shows and the URL holds: the snapshot's label (as in the sidebar), or LIVE_KEY
    path: Path
    name: str  # in a sentence
    when: dt.datetime


def sources() -> list[Source]:
    """The live warehouse and the snapshots beside it, newest first."""
    from dashboard.data import database_path
    from dashboard.ui import _snapshots

    live = database_path()
    now = dt.datetime.now()
    found = [Source(LIVE_KEY, live, f"số liệu hiện hành (hôm nay, {now:%d/%m/%Y})", now)]
    for label, snap in _snapshots(str(live)).items():
        found.append(Source(label, snap.path, f"«{snap.name}» ({snap.created_at:%d/%m/%Y})", snap.created_at))
    return found


def defaults(found: list[Source]) -> tuple[Source, Source]:
    """The two newest snapshots; with one snapshot, it and today."""
    snaps = found[1:]
    return (snaps[1], snaps[0]) if len(snaps) >= 2 else (snaps[0], found[0])


def reader(path: Path) -> Fetch:
    """A Fetch over one warehouse file as the session may see it (an account scoped to some schools sees only theirs,
    on either side), cached on the file's version like every page's queries."""
    from dashboard.auth import scope_schools
    from dashboard.ui import _cached_query, _ward_schools, _warehouse

    version = _warehouse(str(path)).version()
    schools = scope_schools(lambda wards: _ward_schools(str(path), version, wards))

    def fetch(pair: tuple[str, list]) -> pd.DataFrame:
        params = tuple(tuple(p) if isinstance(p, list) else p for p in pair[1])
        return _cached_query(str(path), f"{version}@{dt.date.today().isoformat()}", pair[0], params, schools).copy()
    return fetch

