"""Chất lượng dữ liệu: loads and files, every issue with file, sheet and cell, schools that have not
reported, outliers, and what later files replaced."""
import pandas as pd
import streamlit as st

from dashboard.charts import quality as charts
from dashboard.format import SEVERITY_NAMES, number, period_words
from dashboard.labels import LEVEL_NAMES, LOAD_STATUS_NAMES, PERIOD_NAMES
from dashboard.queries import quality as q
from dashboard.shown import class_size_bounds, survey_fields
from dashboard.ui import page_start, plot, query, query_pair, table
from etl.extract import LAYOUT_VI

wh, f = page_start("Chất lượng dữ liệu")


class EveryPeriod:
    """The filters as an export notes them when the table holds every period (the sidebar's period is not its)."""

    def __init__(self, filters):
        self.filters = filters

    def describe(self) -> str:
        return self.filters.describe().replace(f"Kỳ: {self.filters.period_label}", "Kỳ: tất cả các kỳ đã nạp")


# one switch for the counts and the table below: the chosen period, or every period loaded
only_period = st.toggle(f"Chỉ tính {f.period_label}", value=False, key="quality_only_period",
                        help="Bật: chỉ các tệp, lỗi và cảnh báo của kỳ đang chọn (lỗi của cả tệp: tệp có số liệu kỳ "
                             "này). Tắt: mọi kỳ đã nạp.")
when = f.period_label if only_period else "mọi kỳ"
summary = query_pair(q.issue_summary(f, only_period)).iloc[0]
missing = query_pair(q.not_reported(f))
SCOPE_HELP = ("Các tệp có số liệu hoặc lỗi của trường trong phạm vi lọc (không lọc trường: mọi tệp). Lỗi, cảnh báo "
              "gắn với một trường được tính theo trường; lỗi của cả tệp hoặc của mã trường không có trong danh mục "
              "được tính khi tệp đó có số liệu của trường trong phạm vi.")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Tệp đã nạp", number(summary.files), help=SCOPE_HELP)
c2.metric("Lỗi (dòng/tệp bị từ chối)", number(summary.errors), help=SCOPE_HELP)
c3.metric("Cảnh báo", number(summary.warnings), help=SCOPE_HELP)
c4.metric(f"Trường chưa gửi {f.period_label}", number(len(missing)))
whole = int(summary.file_errors) + int(summary.file_warnings)
st.caption(f"Tính trên {when}, theo bộ lọc bên trái"
           + (f"; trong đó {number(int(summary.file_errors))} lỗi và {number(int(summary.file_warnings))} cảnh báo "
              "của cả tệp hoặc của mã trường ngoài danh mục, tính theo tệp." if whole else "."))

left, right = st.columns(2)
with left:
    plot(charts.reporting(query_pair(q.reporting_by_period(f))), "quality_reporting")
with right:
    low, high = class_size_bounds(survey_fields(query))  # the shown warehouse's catalogue
    plot(charts.class_sizes(query_pair(q.class_sizes(f, low, high)), low, high), "quality_class_sizes")

st.subheader(f"Lỗi và cảnh báo khi nạp tệp, {when}")
severities = st.multiselect("Mức độ", list(SEVERITY_NAMES), default=["error", "warning"],
                            format_func=SEVERITY_NAMES.get, key="quality_severity",
                            placeholder="Chọn mức độ", select_all=False, filter_mode=None)
issues = query_pair(q.issues(f, severities or list(SEVERITY_NAMES), only_period))
issues["severity"] = issues["severity"].map(SEVERITY_NAMES)
issues["period"] = issues["period"].map(lambda p: PERIOD_NAMES.get(p, p) if isinstance(p, str) else "")
issues["school_name"] = issues["school_name"].where(issues["school_name"].notna() | issues["school_code"].isna(),
                                                    "(không có trong danh mục)")
issues = issues[["severity", "message", "file_name", "sheet", "cell", "school_code", "school_name", "school_year",
                 "period", "load_id"]]
title = f"Lỗi và cảnh báo khi nạp, {when}"
table(issues.rename(columns={
    "load_id": "Lần nạp", "severity": "Mức độ", "file_name": "Tệp", "sheet": "Trang", "cell": "Ô",
    "school_code": "Mã trường", "school_name": "Tên trường", "school_year": "Năm học", "period": "Kỳ",
    "message": "Nội dung"}), title, "quality_issues", current=f if only_period else EveryPeriod(f),
    height=420 if len(issues) > 10 else None, wide=("Nội dung",))  # a fixed height drew empty rows under 6 issues

st.subheader(f"Trường chưa gửi số liệu {f.period_label}")
missing["level"] = missing["level"].map(LEVEL_NAMES)
missing["last_reported"] = missing["last_reported"].map(period_words)
table(missing.rename(columns={"school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học",
                              "ward_old": "Phường/xã cũ", "ward_new": "Phường mới",
                              "last_reported": "Kỳ gửi gần nhất"}),
      f"Trường chưa gửi số liệu {f.period_label}", "quality_missing", current=f)

st.subheader("Các lần nạp tệp")
loads = query_pair(q.loads())
loads["status"] = loads["status"].map(LOAD_STATUS_NAMES)
loads["finished_at"] = pd.to_datetime(loads["finished_at"]).dt.strftime("%d/%m/%Y %H:%M:%S")  # no microseconds
loads["periods"] = loads["periods"].map(period_words)
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
