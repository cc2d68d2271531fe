"""Tổng quan: headline figures with the change since the previous period, levels by school level,
plan status by pillar, and the short list of what needs attention."""
import streamlit as st

from dashboard.auth import account
from dashboard.charts import overview as charts
from dashboard.data import database_path
from dashboard.format import PILLAR_NAMES, md_text, number, percent, period_label, signed
from dashboard.queries import overview as q
from dashboard.queries import reporting
from dashboard.shown import metric_settings
from dashboard.ui import page_start, plot, query, query_pair, session_schools, table
from etl.metrics.compare import compared_text, met_change
from etl.submissions import returned_schools

wh, f = page_start("Tổng quan")
rules = metric_settings(query)  # the targets of the warehouse shown

now = query_pair(reporting(f, f.school_year, f.period)).iloc[0]
before = query_pair(reporting(f, *f.previous)).iloc[0] if f.previous else None
shares = query_pair(q.level_share(f))
need_now = query_pair(q.computers_needed(f, f.school_year, f.period)).iloc[0]
need_change = query_pair(q.computers_change(f, f.previous)).iloc[0] if f.previous else None
progress = query_pair(q.plan_progress(f))
current = progress[(progress.school_year == f.school_year) & (progress.period == f.period)]
since = f"so với {period_label(*f.previous)}" if f.previous else ""

c1, c2, c3, c4 = st.columns(4)
change = None if before is None else int(now.reported - before.reported)
reporting_delta = {"delta": "đang thu", "delta_color": "off", "delta_arrow": "off", "delta_description": None} \
    if f.collecting else {}  # a period still being collected: fewer schools is no loss
c1.metric("Trường đã báo cáo", f"{now.reported}/{now.expected}",
          **({"delta": None if change is None else f"{change:+d} trường" if change else "không đổi",
              "delta_color": "normal" if change else "off", "delta_arrow": "auto" if change else "off",
              "delta_description": since} | reporting_delta),
          help="Số trường trong phạm vi lọc đã gửi số liệu khảo sát kỳ này / số trường trong danh mục.")
if shares.empty:
    c2.metric("Trường đạt Mức 2 trở lên (QĐ 4725)", "–", help="Chưa có kết quả đánh giá QĐ 4725.")
else:
    latest = shares.iloc[0]
    prev = shares.iloc[1] if len(shares) > 1 else None
    share = 100 * latest.level2_plus / latest.assessed
    # the change over the schools assessed in both years (etl.metrics.compare), in points of their share
    pair = query_pair(q.level2_change(f, latest.school_year, prev.school_year)).iloc[0] if prev is not None else None
    level_delta = {} if pair is None else \
        {"delta": "chưa có số liệu kỳ trước", "delta_color": "off", "delta_arrow": "off"} if not pair.schools else \
        {"delta": f"{signed(100 * (pair.level2_now - pair.level2_before) / pair.schools, 1)} điểm %",
         "delta_description": f"so với năm học {prev.school_year} ({compared_text(int(pair.schools))})"}
    c2.metric("Trường đạt Mức 2 trở lên (QĐ 4725)", f"{latest.level2_plus}/{latest.assessed} ({percent(share, 0)})",
              **level_delta,
              help=f"Mức chung (quy ước: mức thấp hơn của hai nhóm), năm học {latest.school_year}.")
NO_BEFORE = {"delta": "chưa có số liệu kỳ trước", "delta_color": "off", "delta_arrow": "off"}  # never a "gain"
# over the schools with a figure in both periods; none (or the oldest period loaded): nothing to compare with
compared = need_change is not None and int(need_change.schools) > 0 and need_now.needed == need_now.needed
c3.metric("Máy tính dạy Tin học còn thiếu", number(need_now.needed),
          **(({"delta": f"{int(need_change.change):+d} máy", "delta_color": "inverse"} if need_change.change else
              {"delta": "không đổi", "delta_color": "off", "delta_arrow": "off"}) if compared
             else NO_BEFORE if need_now.needed == need_now.needed else {}),
          delta_description=f"{since} ({compared_text(int(need_change.schools))})" if compared else None,
          help=f"Tổng số máy cần bổ sung để đạt tối đa {number(rules['computer_target_TH'])} HS/máy (tiểu học), "
               f"{number(rules['computer_target_THCS'])} HS/máy (THCS) trong giờ Tin học.")
met_now = int((current.status == "met").sum())
# indicators meeting their target now and then, over the schools with each one's figure in both periods
plan_pair = met_change(query_pair(q.plan_change(f))) if f.previous else None
gained = None if plan_pair is None else plan_pair[0]
c4.metric("Chỉ số kế hoạch đạt chỉ tiêu", f"{met_now}/{int(current.value.notna().sum())}",
          **({"delta": f"{gained:+d} chỉ số" if gained else "không đổi", "delta_color": "normal" if gained else "off",
              "delta_arrow": "auto" if gained else "off"} if gained is not None else
             NO_BEFORE if current.value.notna().any() else {}),
          delta_description=f"{since} ({compared_text(plan_pair[1])})" if gained is not None else None,
          help="Số chỉ số của kế hoạch 2025 đã đạt chỉ tiêu / số chỉ số có số liệu trong kỳ.")
# the tiles cut their descriptions short: the base of each change, in full, below them
bases = []
if not shares.empty and pair is not None and pair.schools:
    bases.append(f"Mức 2 trở lên: so với năm học {prev.school_year}, {compared_text(int(pair.schools))}")
if compared:
    bases.append(f"máy tính còn thiếu: {since}, {compared_text(int(need_change.schools))}")
if plan_pair:
    bases.append(f"chỉ số đạt chỉ tiêu: {since}, {compared_text(plan_pair[1])}")
if bases:
    st.caption("Thay đổi dưới mỗi số — " + "; ".join(bases) + ".")

left, right = st.columns(2)
with left:
    year = shares.iloc[0].school_year if not shares.empty else f.school_year
    plot(charts.level_distribution(query_pair(q.level_distribution(f, year)), year), "overview_levels")
with right:
    plot(charts.plan_status_by_pillar(current, PILLAR_NAMES, f.period_label), "overview_plan")

st.subheader("Cần chú ý")
attention = []
for row in current[current.status == "off_track"].itertuples():
    unit = "%" if row.unit == "%" else f" {md_text(row.unit)}"
    attention.append(f"🔴 **{md_text(row.indicator_vi)}**: {number(row.value, 1)}{unit} "
                     f"(chỉ tiêu {number(row.target)}{unit}), chậm tiến độ")
rooms = query_pair(q.no_room(f))
if len(rooms):
    attention.append(f"💻 {len(rooms)} trường có học sinh học Tin học nhưng chưa có phòng máy: "
                     + ", ".join(map(md_text, rooms.school_name.head(5))) + (" …" if len(rooms) > 5 else ""))
if need_now.schools_short:
    attention.append(f"💻 {int(need_now.schools_short)} trường chưa đạt số học sinh/máy trong giờ Tin học, "
                     f"cần thêm {number(need_now.needed)} máy.")
missing = query_pair(q.not_reported(f))
if len(missing):
    attention.append(f"📭 {len(missing)} trường chưa gửi số liệu {f.period_label}.")
if not shares.empty:
    flags = query_pair(q.evidence_count(f, shares.iloc[0].school_year)).iloc[0]
    if flags.flag_count:
        attention.append(f"🔎 {int(flags.flag_count)} điểm tự đánh giá 4725 của {int(flags.schools)} trường mâu thuẫn "
                         "với phiếu khảo sát (xem trang Mức độ chuyển đổi số).")
returned = returned_schools(database_path(), f.school_year, f.period, session_schools())
is_school = account() is not None and account().role == "school"
if returned:
    attention.append(f"↩️ {len(returned)} trường bị trả lại số liệu {f.period_label} để sửa: số liệu cũ của các trường "
                     "này vẫn được tính cho đến khi trường gửi lại (xem trang "
                     + ("Báo cáo của trường)." if is_school else "Tình hình nộp báo cáo)."))
errors = int(query_pair(q.data_errors(f)).iloc[0].errors)
if errors:
    attention.append(f"🧪 {errors} lỗi dữ liệu khi nạp tệp của kỳ này (xem trang Chất lượng dữ liệu).")
if attention:
    st.markdown("\n".join(f"- {line}" for line in attention))
else:
    st.success("Không có điểm nào cần chú ý trong phạm vi đang lọc.")

if len(missing):
    with st.expander(f"Các trường chưa gửi số liệu {f.period_label}"):
        table(missing.rename(columns={"school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học",
                                      "ward_new": "Phường mới"}), "Trường chưa báo cáo", "overview_missing", current=f)
