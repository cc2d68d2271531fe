"""Chất lượng dữ liệu: loads and files, every issue with file, sheet and cell, schools that have not
reported, outliers, and what later files replaced."""
import pandas as pd
import streamlit as st

from dashboard.charts import quality as charts
from dashboard.format import SEVERITY_NAMES, number
from dashboard.labels import LEVEL_NAMES, LOAD_STATUS_NAMES, PERIOD_NAMES
from dashboard.queries import quality as q
from dashboard.shown import class_size_bounds, survey_fields
from dashboard.ui import page_start, plot, query, query_pair, table
from etl.extract import LAYOUT_VI

wh, f = page_start("Chất lượng dữ liệu")

summary = query_pair(q.issue_summary()).iloc[0]
missing = query_pair(q.not_reported(f))
c1, c2, c3, c4 = st.columns(4)
c1.metric("Tệp đã nạp", number(summary.files))
c2.metric("Lỗi (dòng/tệp bị từ chối)", number(summary.errors))
c3.metric("Cảnh báo", number(summary.warnings))
c4.metric(f"Trường chưa gửi {f.period_label}", number(len(missing)))

left, right = st.columns(2)
with left:
    plot(charts.reporting(query_pair(q.reporting_by_period(f))), "quality_reporting")
with right:
    low, high = class_size_bounds(survey_fields(query))  # the shown warehouse's catalogue
    plot(charts.class_sizes(query_pair(q.class_sizes(f)), low, high), "quality_class_sizes")

st.subheader("Lỗi và cảnh báo khi nạp tệp")
a, b = st.columns([2, 1])
severities = a.multiselect("Mức độ", list(SEVERITY_NAMES), default=["error", "warning"],
                           format_func=SEVERITY_NAMES.get, key="quality_severity",
                           placeholder="Chọn mức độ", select_all=False, filter_mode=None)
only_period = b.toggle(f"Chỉ {f.period_label}", value=False, key="quality_only_period",
                       help="Chỉ các lỗi gắn với kỳ đang chọn (lỗi của cả tệp luôn được hiện).")
issues = query_pair(q.issues(f, severities or list(SEVERITY_NAMES), only_period))
issues["severity"] = issues["severity"].map(SEVERITY_NAMES)
issues["period"] = issues["period"].map(lambda p: PERIOD_NAMES.get(p, p) if isinstance(p, str) else "")
issues = issues[["severity", "message", "file_name", "sheet", "cell", "school_code", "school_name", "school_year",
                 "period", "load_id"]]
table(issues.rename(columns={
    "load_id": "Lần nạp", "severity": "Mức độ", "file_name": "Tệp", "sheet": "Trang", "cell": "Ô",
    "school_code": "Mã trường", "school_name": "Tên trường", "school_year": "Năm học", "period": "Kỳ",
    "message": "Nội dung"}), "Lỗi và cảnh báo khi nạp", "quality_issues", current=f, height=420, wide=("Nội dung",))

st.subheader(f"Trường chưa gửi số liệu {f.period_label}")
missing["level"] = missing["level"].map(LEVEL_NAMES)
table(missing.rename(columns={"school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học",
                              "ward_old": "Phường/xã cũ", "ward_new": "Phường mới",
                              "last_reported": "Kỳ gửi gần nhất"}),
      f"Trường chưa gửi số liệu {f.period_label}", "quality_missing", current=f)

st.subheader("Các lần nạp tệp")
loads = query_pair(q.loads())
loads["status"] = loads["status"].map(LOAD_STATUS_NAMES)
loads["finished_at"] = pd.to_datetime(loads["finished_at"]).dt.strftime("%d/%m/%Y %H:%M:%S")  # no microseconds
loads["layouts"] = loads["layouts"].fillna("").map(
    lambda text: ", ".join(LAYOUT_VI.get(k, k) for k in text.split(",") if k))
table(loads.rename(columns={
    "load_id": "Lần nạp", "finished_at": "Thời điểm", "file_name": "Tệp", "status": "Kết quả", "layouts": "Bố cục",
    "periods": "Kỳ", "rows_loaded": "Dòng nạp", "rows_rejected": "Dòng từ chối", "rows_replaced": "Dòng thay thế",
    "warnings": "Cảnh báo", "errors": "Lỗi", "sha256": "Mã băm (SHA-256)", "archive_path": "Bản lưu"}),
    "Các lần nạp tệp", "quality_loads", height=360)

replaced = query_pair(q.replacements())
replaced["period"] = replaced["period"].map(lambda p: PERIOD_NAMES.get(p, p) if isinstance(p, str) else "")
if len(replaced):
    st.subheader("Số liệu đã được thay bằng tệp mới hơn")
    table(replaced.rename(columns={
        "load_id": "Lần nạp", "dataset": "Loại số liệu", "school_code": "Mã trường", "school_name": "Tên trường",
        "school_year": "Năm học", "period": "Kỳ", "old_file": "Tệp cũ", "old_load_id": "Lần nạp cũ",
        "new_file": "Tệp mới"}), "Số liệu đã thay thế", "quality_replaced")
