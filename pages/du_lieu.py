"""Dữ liệu đã nạp: what the warehouse holds, by period and level, and the latest loads."""
import streamlit as st

from dashboard.labels import LEVEL_NAMES, LOAD_STATUS_NAMES, PERIOD_NAMES
from dashboard.ui import page_header, warehouse

wh = warehouse()
if wh is None:
    st.stop()
page_header("Dữ liệu đã nạp", wh)

counts = wh.query("""
    SELECT s.school_year AS "Năm học", s.period AS "Kỳ", sc.level AS "Cấp học", count(*) AS "Số trường báo cáo",
           (SELECT count(*) FROM schools x WHERE x.level = sc.level) AS "Số trường trong danh mục"
    FROM survey s JOIN schools sc USING (school_code)
    GROUP BY ALL ORDER BY 1, 2 DESC, 3""")
schools = wh.scalar("SELECT count(*) FROM schools")
c1, c2, c3 = st.columns(3)
c1.metric("Trường trong danh mục", schools)
c2.metric("Dòng khảo sát đã nạp", wh.scalar("SELECT count(*) FROM survey"))
c3.metric("Phiếu 4725 đã nạp",
          wh.scalar("SELECT count(DISTINCT (school_code, school_year, kind)) FROM assessment_scores"))

st.subheader("Số trường báo cáo theo kỳ và cấp học")
counts["Kỳ"] = counts["Kỳ"].map(PERIOD_NAMES)
counts["Cấp học"] = counts["Cấp học"].map(LEVEL_NAMES)
if counts.empty:
    st.info("Chưa có số liệu khảo sát nào được nạp.")
else:
    st.dataframe(counts, hide_index=True, width="stretch")

st.subheader("Các tệp đã nạp gần đây")
loads = wh.query("""
    SELECT load_id AS "Lần nạp", finished_at AS "Thời điểm", file_name AS "Tệp", status AS "Kết quả",
           periods AS "Kỳ", rows_loaded AS "Dòng nạp", rows_rejected AS "Dòng từ chối", warnings AS "Cảnh báo"
    FROM load_log ORDER BY load_id DESC, file_name LIMIT 50""")
loads["Kết quả"] = loads["Kết quả"].map(LOAD_STATUS_NAMES)
st.dataframe(loads, hide_index=True, width="stretch")
