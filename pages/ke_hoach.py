"""Tiến độ kế hoạch 2025: each indicator of the eight pillars against its target with its status, for the schools of
the filter and the selected period; the trend of chosen indicators; the schools that pull one indicator down; the
office tasks. The figures and tables are computed in dashboard.plan_view; this page selects and draws."""
import streamlit as st

from dashboard import plan_view as view
from dashboard.charts import plan as charts
from dashboard.format import PILLAR_NAMES, STATUS_NAMES, md_text, number, period_label
from dashboard.plan_view import rows_height, status_text, with_unit
from dashboard.queries import plan as q
from dashboard.queries import reporting
from dashboard.shown import metric_settings
from dashboard.ui import empty, page_start, plot, query, query_pair, table
from etl.metrics import projections
from etl.metrics.compare import compared_text, met_change
from etl.metrics.plan import STATUS_RULE_VI

wh, f = page_start("Tiến độ kế hoạch 2025")

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
met = met_change(query_pair(q.change(f))) if len(earlier) else None
if len(earlier):
    st.caption(f"Mũi tên dưới mỗi số: thay đổi so với {period_label(*f.previous)}"
               + (f"; số chỉ số đạt chỉ tiêu {compared_text(met[1])}." if met else "."))
columns = st.columns(5)
columns[0].metric("Trường đã báo cáo kỳ này", f"{reported.reported}/{reported.expected}",
                  help="Số trường trong phạm vi lọc đã gửi phiếu khảo sát kỳ này / số trường trong danh mục. Mỗi chỉ "
                       "số chỉ tính các trường thuộc đối tượng của nó (xem cột số trường có số liệu, thiếu số liệu).")
for column, status in zip(columns[1:], ("met", "on_track", "at_risk", "off_track")):
    count = int((current.status == status).sum())
    column.metric(status_text(status), f"{count}/{len(current)}", **view.status_delta(current, earlier, status, met),
                  help=f"Số chỉ số ở tình trạng \"{STATUS_NAMES[status]}\" / số chỉ số có trong kỳ.")

notes = view.yearly_notes(progress, current)
if notes and f.period == "HK1":
    st.info("Các chỉ số theo QĐ 4725 được đánh giá mỗi năm học một lần, vào cuối năm học (kỳ cả năm); kỳ "
            f"{f.period_label} chưa có kết quả của năm học này.\n\n" + "\n".join(f"- {n}" for n in notes), icon="📅")

# ---- values against targets, by pillar ------------------------------------------------------------------------
plot(charts.values_against_targets(current, PILLAR_NAMES, f.period_label, wrap=True), "plan_values")
if note := view.non_percent_note(current):
    st.caption(note)

st.subheader(f"Các chỉ số theo trụ cột – {f.period_label}")
ordered = view.ordered(current)
shown, places = view.indicator_table(ordered)
table(shown, f"Chỉ số kế hoạch theo trụ cột {f.period_label}", "plan_indicators",
      decimals=places, current=f, height=rows_height(len(shown)))

# ---- projections to the plan's deadline -------------------------------------------------------------------------
deadline = projections.deadline_date(metric_settings(query)["plan_deadline"])  # the shown warehouse's
st.subheader(f"Dự báo đến hạn {projections.deadline_text(deadline)} nếu giữ tốc độ hiện nay")
if phrase := projections.projection_phrase(progress, f.school_year, f.period, deadline):
    st.markdown(f"**{md_text(phrase[0].upper() + phrase[1:])}.**")
st.caption(projections.method_text(deadline))
projected = view.projection_rows(progress, f.school_year, f.period, deadline)
shown, places = view.projection_table(projected, deadline)
table(shown, f"Dự báo chỉ số kế hoạch đến hạn {projections.deadline_text(deadline)} {f.period_label}",
      "plan_projections",
      decimals=places, current=f, height=rows_height(len(shown)), wide=("Kết luận", "Độ chắc chắn"))
names_of_indicators = dict(zip(progress.indicator, progress.indicator_vi))
computers_code = query_pair(projections.computers_indicator_sql())
computers_code = computers_code.code.iloc[0] if len(computers_code) else None
if text := projections.computers_projection_text(progress, computers_code, f.school_year, f.period, deadline):
    st.info(f"**Máy tính dạy Tin học ({md_text(computers_code)}: "
            f"{md_text(names_of_indicators.get(computers_code, ''))}).** {md_text(text)}", icon="🖥️")

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
    lag, places = view.laggard_table(lag)
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
    for column, (label, value, hint) in zip(st.columns(4), view.task_counts(tasks)):
        column.metric(label, value, help=hint)
    shown, places = view.task_table(tasks)
    table(shown, f"Nhiệm vụ của phòng năm {year}", "plan_tasks", decimals=places,
          height=rows_height(len(shown)))
