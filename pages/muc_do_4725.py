"""Mức độ chuyển đổi số (QĐ 4725): levels by school level and ward, group 1 against group 2, the criteria heat
map, self against verified scores, the ranking, the points one school lost, evidence flags and the rules used. A click
on a ward's bar filters to the ward; on a school (scatter, gap bars) opens its profile. The figures are
computed in dashboard.maturity_view; this page selects and draws."""
from types import SimpleNamespace

import streamlit as st

from dashboard import maturity_view as view
from dashboard.charts import maturity as charts
from dashboard.format import md_text, plotly_text
from dashboard.labels import LEVEL_NAMES
from dashboard.queries import maturity as q
from dashboard.queries import schools_by_level
from dashboard.ui import (
    empty,
    page_start,
    pick_school,
    pick_ward,
    plot,
    plot_selectable,
    query_pair,
    school_picker,
    table,
)
from etl.metrics import catalogue_warnings, labels
from etl.textnorm import vi_sorted

wh, f = page_start("Mức độ chuyển đổi số (QĐ 4725)")

in_scope = query_pair(schools_by_level(f))
preschools = int(in_scope.loc[in_scope.level == "MN", "schools"].sum())
if in_scope.empty:
    empty("Không có trường nào trong phạm vi đang lọc.")
    st.stop()
if preschools == in_scope.schools.sum():
    empty("Bộ lọc đang chỉ chọn trường mầm non. Trường mầm non không được đánh giá theo QĐ 4725 (bộ chỉ số dành cho "
          "trường tiểu học, THCS); hãy chọn thêm cấp Tiểu học, THCS hoặc TH&THCS, hoặc xem trang Hồ sơ trường.")
    st.stop()

years = query_pair(q.assessed_years(f))
if years.empty:
    empty(f"Chưa có kết quả đánh giá QĐ 4725 của năm học {f.school_year} hay năm học nào trước đó.")
    st.stop()
year = years.school_year.iloc[0]
if year == f.school_year:
    st.caption(f"Kết quả đánh giá năm học {year} (năm học của kỳ đang chọn).")
else:
    st.caption(f"Năm học {f.school_year} chưa có kết quả đánh giá QĐ 4725; trang hiển thị năm học {year}, "
               "năm học gần nhất đã đánh giá.")
if preschools:
    st.caption(f"{preschools} trường mầm non trong phạm vi lọc không thuộc đối tượng QĐ 4725 nên không có ở đây.")

rules = query_pair(q.rules()).iloc[0]
criteria_ref = query_pair(q.catalogue())
for warning in catalogue_warnings(SimpleNamespace(criteria=criteria_ref.to_dict("records"),
                                                  versions={"criteria_4725": rules.catalogue_version})):
    st.warning(md_text(warning[0].upper() + warning[1:]) + ".", icon="⚠️")

schools = query_pair(q.schools(f, year))
if schools.empty:
    empty(f"Không có trường nào trong phạm vi đang lọc có kết quả đánh giá QĐ 4725 năm học {year}.")
    st.stop()

assessed = len(schools)
for col, (label, value, hint) in zip(st.columns(5), view.headline(schools, year)):
    col.metric(label, value, help=hint)
opens_school = pick_school(view.school_of_point(schools))

kind = st.radio("Biểu đồ theo địa bàn", ["Phường mới", "Phường/xã cũ (trước 1/7/2025)"], horizontal=True,
                key="maturity_ward_kind")
left, right = st.columns(2)
with left:
    by_level = query_pair(q.level_counts(f, year, "level"))
    units = [lv for lv in LEVEL_NAMES if lv in set(by_level.unit)]
    plot(charts.level_distribution(by_level, units, LEVEL_NAMES, f"Mức chung (quy ước) theo cấp học – năm học {year}",
                                   "Cấp học", "Chưa có kết quả cho phạm vi đang lọc"), "maturity_by_level")
with right:
    column = "ward_new" if kind == "Phường mới" else "ward_old"
    by_ward = query_pair(q.level_counts(f, year, column))
    wards = vi_sorted(set(by_ward.unit.dropna()))
    plot_selectable(charts.level_distribution(
        by_ward, wards, {}, f"Mức chung (quy ước) theo {kind.split(' (')[0].lower()} – năm học {year}",
        kind.split(" (")[0], "Chưa có kết quả cho phạm vi đang lọc"), "maturity_by_ward",
        pick_ward("phuong" if column == "ward_new" else "xa", {plotly_text(w): w for w in wards}))
    st.caption("Nhấp vào thanh của một phường để lọc theo phường đó; nhấp vào một trường ở các biểu đồ dưới để mở "
               "hồ sơ trường.")

left, right = st.columns(2)
with left:
    plot_selectable(charts.group_scatter(schools, year, rules.level2_min_score, rules.level3_above_score),
                    "maturity_scatter", opens_school)
with right:
    plot_selectable(charts.gap_bars(schools, year), "maturity_gaps", opens_school)
    if summary := charts.gap_summary(schools):
        st.caption(summary)

st.subheader("Xếp hạng các trường")
st.caption("Xếp theo mức chung (quy ước), rồi theo điểm của nhóm thấp hơn. Chênh lệch = điểm tự đánh giá − điểm "
           "thẩm định (chỉ có ở trường đã thẩm định; dương là trường tự chấm cao hơn).")
ranking, places = view.ranking(schools)
table(ranking, f"Xếp hạng mức độ chuyển đổi số năm học {year}", "maturity_ranking", current=f,
      decimals=places, height=420)

st.subheader("Điểm từng tiêu chí")
first = list(schools.school_code[:charts.MAX_HEATMAP_ROWS])
criteria = query_pair(q.criteria(f, year, first))
plot(charts.criteria_heatmap(criteria[~criteria.mandatory], first, year, total=assessed, wrap=True),
     "maturity_heatmap")
mandatory = criteria_ref[criteria_ref.mandatory].code.tolist()
st.caption(f"Các điều kiện bắt buộc ({md_text(', '.join(mandatory))}) không có điểm nên không có trong bản đồ nhiệt; "
           "trường chưa đạt điều kiện nào được liệt kê ở phần chi tiết một trường bên dưới.")

st.subheader("Chi tiết một trường: tiêu chí bị mất điểm")
name_of = dict(zip(schools.school_code, schools.school_name))
code = school_picker("Trường", name_of, "maturity_school")
st.page_link("pages/ho_so_truong.py", label="Mở hồ sơ đầy đủ của trường", icon="🏫", query_params={"school": code})
lost = query_pair(q.lost_points(code, year))
plot(charts.lost_points(lost, name_of[code], year, wrap=True), "maturity_lost")
unmet = lost[lost.mandatory]
if unmet.empty:
    st.success("Trường đạt đủ các điều kiện bắt buộc.")
else:
    st.error(view.unmet_text(unmet, rules.mandatory_rule))

st.subheader("Điểm tự đánh giá mâu thuẫn với phiếu khảo sát")
flags = query_pair(q.evidence(f, year))
if flags.empty:
    st.success(f"Không có điểm tự đánh giá nào mâu thuẫn với phiếu khảo sát năm học {year} trong phạm vi lọc.")
else:
    st.caption("Đối chiếu điểm trường tự chấm với phiếu khảo sát cùng năm học (kỳ cả năm, nếu chưa có thì học kỳ I).")
    evidence_names = {**labels("keys"), **labels("evidence_flags")}
    flags = flags[["school_name", "criterion", "reason", "self_score", "max_points", "school_code"]]
    table(flags.rename(columns=evidence_names), f"Điểm tự đánh giá cần xem lại năm học {year}", "maturity_evidence",
          current=f, decimals={evidence_names["self_score"]: 1}, wide=(evidence_names["reason"],))

st.subheader("Ghi chú về cách xếp mức")
notes = view.rules_notes(rules, mandatory)
st.markdown("\n".join(f"- {n}" for n in notes))
