"""Kế hoạch mua sắm máy tính: share a budget (computers, or money with a unit price and a room cost) among the
schools of the filter that miss the Informatics ratio, by a priority rule; the allocation, who reaches the standard,
before/after by ward and level, the remaining need; the purchase list per ward as Excel. The allocation is
etl.metrics.planner's, over the informatics_computers view."""
import streamlit as st

from dashboard import planner_view as pv
from dashboard.format import number
from dashboard.queries import computers as q
from dashboard.ui import empty, page_start, plot, query_pair, table
from etl.metrics.planner import RULES, Budget, needs, plan

wh, f = page_start("Kế hoạch mua sắm máy tính")
st.caption("Chia một ngân sách cho các trường chưa đạt chuẩn số học sinh dùng chung một máy trong giờ Tin học, theo "
           "cách tính của trang Máy tính dạy Tin học: một trường được đưa lên chuẩn khi được mua đủ số máy còn thiếu; "
           "trường có học sinh học Tin học mà chưa có phòng máy cần một phòng và đủ máy cho phòng đó.")

schools = query_pair(q.per_school(f, f.school_year, f.period))
if schools.empty:
    empty(f"Chưa có trường tiểu học, THCS nào trong phạm vi đang lọc gửi số liệu {f.period_label}.")
    st.stop()
need = needs(schools)

left, middle, right = st.columns([1, 1, 1])
with left:
    kind = st.radio("Ngân sách tính theo", ["computers", "money"], horizontal=True, key="ms_kind", bind="query-params",
                    format_func={"computers": "Số máy tính", "money": "Số tiền"}.get)
    if kind == "computers":
        budget = Budget(computers=int(st.number_input("Số máy tính được mua", 0, 1_000_000, 50, 10, key="ms_may",
                                                        bind="query-params")))
    else:
        money = st.number_input("Số tiền (đồng)", 0, 10**13, 1_000_000_000, 50_000_000, key="ms_tien",
                                bind="query-params")
        price = st.number_input("Đơn giá một máy (đồng)", 1, 10**10, 15_000_000, 500_000, key="ms_don_gia",
                                bind="query-params")
        room = st.number_input("Chi phí một phòng máy mới (đồng, 0 nếu không tính)", 0, 10**11, 0, 10_000_000,
                               key="ms_phong", bind="query-params")
        budget = Budget(money=int(money), unit_price=int(price), room_cost=int(room))
        st.caption(f"Ngân sách: {pv.budget_text(budget)}.")
with middle:
    rule = st.selectbox("Quy tắc ưu tiên", RULES, format_func=pv.RULE_NAMES.get, key="ms_quy_tac", filter_mode=None,
                        bind="query-params")
    st.caption(pv.RULE_SENTENCES[rule])
with right:
    leftover = st.radio("Ngân sách còn lại", ["next", "keep"], format_func=pv.LEFTOVER_NAMES.get, key="ms_con_lai",
                        bind="query-params")
    st.caption(pv.LEFTOVER_SENTENCES[leftover])

if need.empty:
    st.success("Tất cả các trường trong phạm vi đang lọc đều đạt chuẩn học sinh/máy trong giờ Tin học (hoặc thiếu số "
               "liệu để tính): không cần mua thêm máy.")
result = plan(schools, budget, rule, leftover)
s = result.schools
st.info(pv.headline(result, f), icon="🧮")
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Trường đưa lên chuẩn", f"{int(s['reaches'].sum())}/{len(need)}",
          help="Số trường được mua đủ máy (và phòng) để đạt chuẩn / số trường chưa đạt chuẩn có đủ số liệu.")
c2.metric("Máy tính mua", number(s["allocated"].sum()), help="Cả máy cho trường đạt chuẩn và máy bổ sung một phần.")
c3.metric("Phòng máy mới", number(s["rooms"].sum()), help="Trường chưa có phòng máy được trang bị một phòng.")
unit = " (triệu đồng)" if budget.in_money else ""
c4.metric(f"Đã dùng{unit}", pv.metric_amount(budget, result.spent),
          help=f"{pv.spent_text(budget, result.spent)} của ngân sách {pv.budget_text(budget)}.")
c5.metric("Còn lại (triệu đồng)" if budget.in_money else "Còn lại chưa dùng", pv.metric_amount(budget, result.left),
          help=f"{pv.spent_text(budget, result.left)}: không đủ để đưa thêm trường nào lên chuẩn" + (
              " hay mua thêm máy cho trường đã có phòng." if leftover == "next" else "; được để lại theo lựa chọn."))
if result.method.startswith("greedy"):
    st.caption("Phạm vi quá lớn để tính tối ưu trọn vẹn: đã chọn theo chi phí tăng dần (vẫn tối ưu về số trường) "
               "hoặc theo số học sinh trên mỗi đồng.")
topped = s[s["topped_up"]]
if len(topped):
    st.caption(f"Phần còn lại sau khi đưa trường lên chuẩn: {number(topped['allocated'].sum())} máy bổ sung một phần "
               f"cho {len(topped)} trường kế tiếp theo thứ tự ưu tiên (chưa đạt chuẩn).")

if len(need):
    plot(pv.chart(result, f.period_label), "planner_schools", headline=pv.headline(result, f))

st.subheader("Phân bổ theo trường")
table(pv.allocation(result), "Phân bổ máy tính theo trường", "planner_allocation", decimals=pv.DECIMALS, current=f)
excel = pv.purchase_excel(result, f)
st.download_button("⬇️ Danh sách mua sắm theo phường (Excel, mỗi phường một trang)", excel,
                   file_name="danh_sach_mua_sam_may_tinh.xlsx", key="planner_purchase_list", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader("Trường vẫn chưa đạt chuẩn sau khi mua")
short = pv.still_short(result)
if short.empty:
    st.success("Sau khi mua, mọi trường trong phạm vi đang lọc đều đạt chuẩn học sinh/máy trong giờ Tin học.")
else:
    st.caption(f"{len(short)} trường; tổng số máy còn thiếu: {number(s['computers_needed_after'].fillna(0).sum())}.")
    table(short, "Trường chưa đạt chuẩn sau kế hoạch", "planner_short", decimals=pv.DECIMALS, current=f)

st.subheader("Trước và sau khi mua")
by_ward, by_level = st.tabs(["Theo phường mới", "Theo cấp học"])
with by_ward:
    table(pv.summary(result, "ward_new"), "Trước và sau kế hoạch theo phường", "planner_wards", current=f)
with by_level:
    table(pv.summary(result, "level"), "Trước và sau kế hoạch theo cấp học", "planner_levels", current=f)
