"""Charts and table shapes of the school profile: history of key values across periods, 4725 scores by school
year, and the survey indicators of a period against the period before. Pure: no Streamlit."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, memo_figure, no_data_figure
from dashboard.charts.maturity import BASIS_NAMES, GROUP_COLORS, GROUP_NAMES, NUMBER
from dashboard.format import (
    LEVEL_COLORS,
    LEVEL_SHORT,
    PILLAR_NAMES,
    html_text,
    is_missing,
    number,
    period_label,
    signed,
)

LINE_COLORS = ["#3b6fb6", "#8e5ea2", "#2a9d8f"]
PILLAR_LABELS = {"scale": "Quy mô", **PILLAR_NAMES}


@memo_figure
def history(frame: pd.DataFrame, series: dict[str, str], title: str, y_title: str, unit: str, reason: str,
            target: str | None = None, target_name: str = "Mức tối đa cho phép", decimals: int = 0,
            percent_axis: bool = False) -> go.Figure:
    """Lines of `series` (column → legend name) over the periods of `frame` (column `period_label`, in order);
    `target`: a column drawn as a dashed step line."""
    present = [c for c in series if c in frame and frame[c].notna().any()]
    if frame.empty or not present:
        return no_data_figure(title, reason)
    figure = go.Figure()
    fmt = f",.{decimals}~f" if decimals else ",.0f"
    for color, column in zip(LINE_COLORS, present):
        figure.add_scatter(
            x=frame["period_label"], y=frame[column], mode="lines+markers" + ("+text" if len(present) == 1 else ""),
            name=series[column],
            line={"color": color, "width": 2}, marker={"size": 8}, connectgaps=False,
            texttemplate="%{y:" + fmt + "}", textposition="top center", textfont={"size": 11, "color": color},
            hovertemplate="%{x}<br>" + series[column] + ": %{y:" + fmt + "} " + unit + "<extra></extra>")
    if target and target in frame and frame[target].notna().any():
        figure.add_scatter(x=frame["period_label"], y=frame[target], mode="lines", name=target_name,
                           line={"color": "#c0392b", "dash": "dash", "width": 2}, line_shape="hvh",
                           hovertemplate="%{x}<br>" + target_name + ": %{y:" + fmt + "} " + unit + "<extra></extra>")
    top = max(float(frame[present].max().max()), float(frame[target].max()) if target in frame else 0)
    figure.update_yaxes(rangemode="tozero", range=[0, top * 1.2 if top > 0 else 5],
                        ticksuffix="%" if percent_axis else None)
    figure.update_xaxes(type="category")
    return base_layout(figure, title, x_title="Kỳ báo cáo", y_title=y_title, height=340)


@memo_figure
def maturity_history(frame: pd.DataFrame, low: float, high: float) -> go.Figure:
    """Group 1 and 2 scores by school year; markers in the colour of the group's level."""
    title = "Điểm QĐ 4725 của trường qua các năm học"
    if frame.empty:
        return no_data_figure(title, "Trường chưa có kết quả đánh giá QĐ 4725")
    frame = frame.sort_values("school_year")
    figure = go.Figure()
    for bound in (low, high):
        figure.add_hline(y=bound, line={"color": "#999", "dash": "dash", "width": 1})
    for group, symbol, where in (("1", "circle", "bottom center"), ("2", "diamond", "top center")):
        levels = frame[f"g{group}_level"].tolist()
        figure.add_scatter(
            x=frame["school_year"], y=frame[f"g{group}_score"], mode="lines+markers+text", name=GROUP_NAMES[group],
            line={"color": GROUP_COLORS[group], "width": 2},
            marker={"size": 14, "symbol": symbol, "color": [LEVEL_COLORS[lv] for lv in levels],
                    "line": {"color": GROUP_COLORS[group], "width": 2}},
            customdata=[LEVEL_SHORT[lv] for lv in levels], texttemplate="%{y:" + NUMBER + "}",
            textposition=where, textfont={"size": 11},
            hovertemplate="Năm học %{x}<br>" + GROUP_NAMES[group] + ": %{y:" + NUMBER + "} điểm – %{customdata}"
                          "<extra></extra>")
    figure.update_yaxes(range=[0, 110], dtick=25)
    figure.update_xaxes(type="category", range=[-0.4, len(frame) - 0.6])
    return base_layout(figure, title, x_title="Năm học", y_title="Điểm nhóm (tối đa 100)", height=360)


def maturity_note(low: float, high: float) -> str:
    return (f"Màu của điểm là mức của nhóm (đỏ: Mức 1, cam: Mức 2, xanh: Mức 3); đường đứt nét: ngưỡng {low:g} và "
            f"{high:g} điểm.")


def indicator_rows(now: pd.Series | None, before: pd.Series | None, fields: list,
                   numeric: bool = False) -> pd.DataFrame:
    """One row per survey field (SurveyField of the catalogue, in order): Vietnamese label, value of the period
    and of the period before, formatted the Vietnamese way, and the change. Missing values show as '–'.
    `numeric`: the same rows for the Excel and CSV downloads – counts and shares as numbers (not '1.473', '+15'),
    yes/no as Có/Không, missing values empty, the change as a number in 'Thay đổi' and in words in 'Ghi chú'
    ('Mới có', 'Không còn', 'trước: …') for what is not a number."""
    rows = []
    for field in fields:
        value = None if now is None else now.get(field.code)
        previous = None if before is None else before.get(field.code)
        if numeric:
            change = None if before is None else _change(value, previous, field.type, numeric=True)
            rows.append({"Nhóm chỉ số": PILLAR_LABELS.get(field.pillar, field.pillar), "Chỉ số": field.label_vi,
                         "Giá trị": _show(value, field.type, numeric=True), "Đơn vị": field.unit,
                         "Kỳ trước": None if before is None else _show(previous, field.type, numeric=True),
                         "Thay đổi": change if isinstance(change, (int, float)) else None,
                         "Ghi chú": change if isinstance(change, str) else None})
            continue
        rows.append({"Nhóm chỉ số": PILLAR_LABELS.get(field.pillar, field.pillar), "Chỉ số": field.label_vi,
                     "Giá trị": _show(value, field.type), "Đơn vị": field.unit,
                     "Kỳ trước": "–" if before is None else _show(previous, field.type),
                     "Thay đổi": "–" if before is None else _change(value, previous, field.type)})
    return pd.DataFrame(rows)


def identity_rows(school: pd.Series, level_names: dict, ownership_names: dict) -> list[tuple[str, str]]:
    """(label, value) of the registry identity of a school; '–' for what the registry leaves empty."""
    def text(value) -> str:
        return "–" if _missing(value) or value == "" else str(value)

    ward_new = text(school["ward_new"])
    code = text(school["ward_new_code"])
    return [("Mã trường", text(school["school_code"])),
            ("Cấp học", level_names.get(school["level"], text(school["level"]))),
            ("Loại hình", ownership_names.get(school["ownership"], text(school["ownership"]))),
            ("Phường/xã cũ (trước 1/7/2025)", text(school["ward_old"])),
            ("Phường mới", ward_new if ward_new == "–" or code == "–" else f"{ward_new} (mã {code})")]


def history_frame(periods: pd.DataFrame, survey: pd.DataFrame, informatics: pd.DataFrame,
                  shares: pd.DataFrame) -> pd.DataFrame:
    """Every loaded period (oldest first) with the school's key values, gaps where it did not report."""
    keys = ["school_year", "period"]
    frame = (periods[keys].merge(survey[keys + ["students", "it_computers", "cashless_pct"]], on=keys, how="left")
             .merge(informatics[keys + ["pupils_per_computer", "target"]], on=keys, how="left"))
    if not shares.empty:
        frame = frame.merge(shares.pivot_table(index=keys, columns="indicator", values="value").reset_index(),
                            on=keys, how="left")
    frame["period_label"] = [period_label(y, p) for y, p in zip(frame["school_year"], frame["period"])]
    return frame


def share_series(shares: pd.DataFrame) -> dict[str, str]:
    """indicator code -> the line's name ("Học sinh", "Giáo viên") for the ID-share chart (queries.school.id_shares)."""
    pairs = shares[["indicator", "series"]].drop_duplicates().itertuples(index=False)
    return {code: series[:1].upper() + series[1:] for code, series in pairs}


def maturity_years(maturity: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """maturity_4725 rows of one school for a table: levels as 'Mức n', basis and conditions in words."""
    shown = maturity.assign(
        g1_level=maturity["g1_level"].map(LEVEL_SHORT), g2_level=maturity["g2_level"].map(LEVEL_SHORT),
        overall_level=maturity["overall_level"].map(LEVEL_SHORT), basis=maturity["basis"].map(BASIS_NAMES),
        g1_mandatory_met=maturity["g1_mandatory_met"].map(met_text),
        g2_mandatory_met=maturity["g2_mandatory_met"].map(met_text))
    columns = ["school_year", "g1_score", "g1_mandatory_met", "g1_level", "g2_score", "g2_mandatory_met", "g2_level",
               "overall_level", "basis", "g1_gap", "g2_gap"]
    return shown[columns].rename(columns={**names, "school_year": "Năm học"})


def conditions_table(conditions: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The mandatory conditions of one school-year: self, verified and official, in words."""
    shown = conditions.assign(self_met=conditions["self_met"].map(met_text),
                              verified_met=conditions["verified_met"].map(met_text),
                              met=conditions["met"].map(met_text))
    return shown[["criterion", "name_vi", "self_met", "verified_met", "met"]].rename(columns=names)


def level_chips(row) -> str:
    """HTML badges of the two group levels and the overall level, in the level colours (for st.markdown with
    unsafe_allow_html: every interpolated value goes through html_text)."""
    return " ".join(
        f"<span style='background:{html_text(LEVEL_COLORS[lv])};color:white;padding:2px 8px;border-radius:4px'>"
        f"{html_text(text)}: {html_text(LEVEL_SHORT[lv])}</span>"
        for text, lv in (("Nhóm 1", row.g1_level), ("Nhóm 2", row.g2_level),
                         ("Mức chung (quy ước)", row.overall_level)))


def met_text(value) -> str:
    """A mandatory condition: Đạt / Chưa đạt / – (not entered)."""
    return "–" if _missing(value) else ("Đạt" if value else "Chưa đạt")


def _missing(value) -> bool:
    return value is None or value is pd.NA or is_missing(value) or (isinstance(value, float) and value != value)


def _show(value, kind: str, numeric: bool = False):
    """A value as the page shows it (text, 1.234,5); `numeric`: as the downloads hold it (a number, Có/Không, text;
    None when missing)."""
    if _missing(value):
        return None if numeric else "–"
    if kind == "bool":
        return "Có" if value else "Không"
    if kind == "int":
        return int(value) if numeric else number(int(value))
    if kind in ("number", "percent"):
        return float(value) if numeric else number(round(float(value), 1), 1)
    return str(value)


def _change(value, previous, kind: str, numeric: bool = False):
    """The change from the period before, as the page shows it ('+15', 'không đổi', 'Mới có'); `numeric`: a number
    (0 for no change) for counts and shares, the words for the others, None when there is nothing to say."""
    if _missing(value) or _missing(previous):
        return None if numeric else ""
    if kind == "bool":
        same = bool(value) == bool(previous)
        return (None if numeric else "") if same else ("Mới có" if value else "Không còn")
    if kind in ("int", "number", "percent"):
        if numeric:
            return int(value) - int(previous) if kind == "int" else round(float(value) - float(previous), 9)
        diff = float(value) - float(previous)
        return "không đổi" if diff == 0 else signed(round(diff, 1), 0 if kind == "int" else 1)
    if str(value) == str(previous):
        return None if numeric else ""
    return f"trước: {previous}"
