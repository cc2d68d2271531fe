"""Tiến độ kế hoạch 2025: each indicator of the eight pillars against its target with its status, for the schools of
the filter and the selected period; the trend of chosen indicators; the schools that pull one indicator down; the
office tasks."""
import streamlit as st

from dashboard.charts import plan as charts
from dashboard.format import PILLAR_NAMES, STATUS_ICONS, STATUS_NAMES, md_text, number, period_label
from dashboard.queries import plan as q
from dashboard.queries import reporting
from dashboard.shown import metric_settings
from dashboard.ui import empty, page_start, plot, query, query_pair, table
from etl.metrics import labels
from etl.metrics.plan import STATUS_RULE_VI
from etl.reference import LEVEL_NAMES

wh, f = page_start("Tiến độ kế hoạch 2025")
LABELS = {**labels("keys"), **labels("plan_progress")}
LAG_LABELS = {**labels("keys"), **labels("plan_laggards")}
TASK_LABELS = labels("office_tasks_status")
TASK_STATUS_NAMES = {"done": "Hoàn thành", "in_progress": "Đang thực hiện", "not_started": "Chưa bắt đầu"}
TASK_STATUS_ICONS = {"done": "✅", "in_progress": "🔄", "not_started": "⏸️"}
REASONS = {"below_target": "Dưới chỉ tiêu", "missing": "Thiếu số liệu"}


def with_unit(value, unit: str, decimals: int = 1) -> str:
    """For markdown: the unit (from the catalogue) is escaped."""
    return number(value, decimals) + ("%" if unit == "%" else f" {md_text(unit)}")


def rows_height(rows: int) -> int:
    """A table tall enough to show `rows` rows without scrolling (up to 25)."""
    return 38 + 35 * min(rows, 25)


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {STATUS_NAMES[status]}"


progress = query_pair(q.progress(f))
tolerance = metric_settings(query)["plan_tolerance_pct"]  # the shown warehouse's, as its statuses
current = progress[(progress.school_year == f.school_year) & (progress.period == f.period)]
earlier = progress[(progress.school_year == f.previous[0]) & (progress.period == f.previous[1])] if f.previous \
    else progress.iloc[0:0]
if current.empty:
    empty("Không có chỉ số kế hoạch nào cho phạm vi đang lọc trong kỳ này (phạm vi lọc không có trường nào thuộc "
          "đối tượng của các chỉ số).")
    st.stop()

st.caption("Quy tắc xếp tình trạng (một quy tắc cho mọi chỉ số và mọi bộ lọc): "
           + STATUS_RULE_VI.format(tolerance=number(tolerance)))

# ---- headline: indicators by status, schools reporting -------------------------------------------------------
reported = query_pair(reporting(f, f.school_year, f.period)).iloc[0]
if len(earlier):
    st.caption(f"Mũi tên dưới mỗi số: thay đổi so với {period_label(*f.previous)}.")
columns = st.columns(5)
columns[0].metric("Trường đã báo cáo kỳ này", f"{reported.reported}/{reported.expected}",
                  help="Số trường trong phạm vi lọc đã gửi phiếu khảo sát kỳ này / số trường trong danh mục. Mỗi chỉ "
                       "số chỉ tính các trường thuộc đối tượng của nó (xem cột số trường có số liệu, thiếu số liệu).")
for column, status in zip(columns[1:], ("met", "on_track", "at_risk", "off_track")):
    count = int((current.status == status).sum())
    kwargs = {}
    change = charts.status_change(current, earlier, status) if len(earlier) else None  # the overview's and slides' rule
    if len(earlier) and change is None:  # the scope had no figures then: no "gain" from nothing
        kwargs = {"delta": "chưa có số liệu kỳ trước", "delta_color": "off", "delta_arrow": "off"}
    elif change is not None:
        kwargs = {"delta": f"{change:+d} chỉ số" if change else "không đổi",
                  "delta_color": ("normal" if status in ("met", "on_track") else "inverse") if change else "off",
                  "delta_arrow": "auto" if change else "off"}
    column.metric(status_text(status), f"{count}/{len(current)}", **kwargs,
                  help=f"Số chỉ số ở tình trạng \"{STATUS_NAMES[status]}\" / số chỉ số có trong kỳ.")

yearly = sorted(set(progress.indicator) - set(current.indicator))
if yearly and f.period == "HK1":
    notes = []
    for code in yearly:
        rows = progress[(progress.indicator == code) & progress.value.notna()]
        name = md_text(progress.loc[progress.indicator == code, "indicator_vi"].iloc[0])
        if len(rows):
            last = rows.iloc[-1]
            notes.append(f"**{md_text(code)}** {name}: gần nhất {with_unit(last.value, last.unit)} "
                         f"({period_label(last.school_year, last.period)}, {status_text(last.status)})")
        else:
            notes.append(f"**{md_text(code)}** {name}: chưa có kết quả")
    st.info("Các chỉ số theo QĐ 4725 được đánh giá mỗi năm học một lần, vào cuối năm học (kỳ cả năm); kỳ "
            f"{f.period_label} chưa có kết quả của năm học này.\n\n" + "\n".join(f"- {n}" for n in notes), icon="📅")

# ---- values against targets, by pillar ------------------------------------------------------------------------
plot(charts.values_against_targets(current, PILLAR_NAMES, f.period_label), "plan_values")
others = current[current.unit != "%"]
if len(others):
    st.caption("Chỉ số không tính theo %, chỉ có trong bảng dưới: "
               + "; ".join(f"{md_text(r.indicator)} {md_text(r.indicator_vi)}: {with_unit(r.value, r.unit)} "
                           f"(chỉ tiêu {with_unit(r.target, r.unit)}, {status_text(r.status)})"
                           for r in others.itertuples()))

st.subheader(f"Các chỉ số theo trụ cột – {f.period_label}")
ordered = current.assign(order=current.pillar.map({p: i for i, p in enumerate(PILLAR_NAMES)})) \
    .sort_values(["order", "indicator"])
shown = ordered.assign(pillar=ordered.pillar.map(PILLAR_NAMES).fillna(ordered.pillar),
                       status=ordered.status.map(status_text))
shown = shown[["pillar", "indicator", "indicator_vi", "status", "value", "target", "unit", "previous_value",
               "change", "schools_counted", "schools_missing", "plan_clause"]].rename(columns=LABELS)
places = {LABELS["value"]: 1, LABELS["target"]: 1, LABELS["previous_value"]: 1, LABELS["change"]: 1}
table(shown, f"Chỉ số kế hoạch theo trụ cột {f.period_label}", "plan_indicators",
      decimals=places, current=f, height=rows_height(len(shown)))

# ---- trend ------------------------------------------------------------------------------------------------------
st.subheader("Diễn biến qua các kỳ")
periods = list(dict.fromkeys(zip(progress.school_year, progress.period)))
names = dict(zip(progress.indicator, progress.indicator_vi))
units = dict(zip(progress.indicator, progress.unit))
behind = [c for c in ordered.indicator[ordered.status.isin(["off_track", "at_risk"])] if units[c] == "%"]
chosen = st.multiselect("Chỉ số", list(names), default=behind[:3] or list(names)[:1], key="ke_hoach_dien_bien",
                        format_func=lambda c: charts.indicator_label(c, names[c]), max_selections=6,
                        placeholder="Chọn một hoặc vài chỉ số", select_all=False)
if not chosen:
    empty("Chọn ít nhất một chỉ số để xem diễn biến.")
for unit in dict.fromkeys(units[c] for c in chosen):
    plot(charts.trend(progress, [c for c in chosen if units[c] == unit], periods, unit), f"plan_trend_{unit}")
st.caption("Mỗi điểm tròn tô màu theo tình trạng của chỉ số ở kỳ đó; đường nét đứt là chỉ tiêu (đen khi các chỉ số "
           "đã chọn cùng chỉ tiêu, nếu không thì cùng màu với chỉ số).")

# ---- laggards ---------------------------------------------------------------------------------------------------
st.subheader("Trường kéo chỉ số xuống")
options = list(ordered.indicator)
first = next((i for i, c in enumerate(options) if ordered.status.iloc[i] in ("off_track", "at_risk")), 0)
code = st.selectbox("Chỉ số", options, index=first, key="ke_hoach_chi_so", filter_mode=None,
                    format_func=lambda c: f"{charts.indicator_label(c, names[c])} "
                                          f"({status_text(ordered.set_index('indicator').status[c])})")
row = ordered.set_index("indicator").loc[code]
lag = query_pair(q.laggards(f, code))
if lag.empty:
    st.success(f"Không có trường nào dưới chỉ tiêu hoặc thiếu số liệu cho chỉ số {md_text(code)} trong phạm vi "
               "đang lọc.")
else:
    below = int((lag.reason == "below_target").sum())
    st.caption(f"{len(lag)} trường: {below} trường có giá trị riêng chưa đạt chỉ tiêu "
               f"({with_unit(row.target, row.unit)}), {len(lag) - below} trường thiếu số liệu {f.period_label}.")
    lag = lag.assign(level=lag.level.map(LEVEL_NAMES), reason=lag.reason.map(REASONS))
    lag = lag[["school_code", "school_name", "level", "ward_new", "ward_old", "school_value", "target", "unit",
               "reason"]].rename(columns=LAG_LABELS)
    places = {LAG_LABELS["school_value"]: 1, LAG_LABELS["target"]: 1}
    table(lag, f"Trường kéo chỉ số {code} xuống {f.period_label}", "plan_laggards",
          decimals=places, current=f, height=rows_height(len(lag)))

# ---- office tasks -----------------------------------------------------------------------------------------------
tasks = query_pair(q.tasks())
if tasks.empty:
    st.subheader("Nhiệm vụ của phòng")
    empty("Chưa nạp bảng nhiệm vụ của phòng (tệp có các cột Nhiệm vụ, Phụ trách, Hạn hoàn thành, Trạng thái).")
else:
    years = list(dict.fromkeys(tasks.plan_year))
    year = years[0] if len(years) == 1 else st.selectbox("Năm kế hoạch", years, key="ke_hoach_nam",
                                                                filter_mode=None)
    tasks = tasks[tasks.plan_year == year]
    st.subheader(f"Nhiệm vụ của phòng – kế hoạch năm {year}")
    overdue = tasks.overdue.fillna(False).astype(bool)
    c1, c2, c3, c4 = st.columns(4)
    for column, status in zip((c1, c2, c3), TASK_STATUS_NAMES):
        column.metric(f"{TASK_STATUS_ICONS[status]} {TASK_STATUS_NAMES[status]}",
                      f"{int((tasks.status_code == status).sum())}/{len(tasks)}")
    c4.metric("⚠️ Quá hạn", f"{int(overdue.sum())}/{len(tasks)}",
              help="Đã qua hạn hoàn thành mà chưa hoàn thành, tính đến hôm nay.")
    shown = tasks.assign(
        due=tasks.due.map(lambda d: d.strftime("%d/%m/%Y") if d == d and d is not None else "–"),
        status=[TASK_STATUS_NAMES.get(c, s) for c, s in zip(tasks.status_code, tasks.status)],
        overdue=["⚠️ Quá hạn" if o else "" for o in overdue])
    shown = shown[["task_no", "overdue", "task", "due", "status", "percent", "owner", "note"]]
    shown = shown.rename(columns={**TASK_LABELS, "percent": TASK_LABELS["percent"] + " (%)"})
    places = {TASK_LABELS["percent"] + " (%)": 0}
    table(shown, f"Nhiệm vụ của phòng năm {year}", "plan_tasks", decimals=places,
          height=rows_height(len(shown)))
