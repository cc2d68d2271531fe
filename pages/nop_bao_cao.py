"""Tình hình nộp báo cáo: per period and school, not submitted / submitted (when, which file) / submitted with errors /
approved / returned for correction; counts by ward and level; the schools not submitted; the analyst's approval or
return with a comment; the lock of a period."""
import pandas as pd
import streamlit as st

from dashboard.auth import can_write, who
from dashboard.data import database_path
from dashboard.filters import Filters
from dashboard.format import md_text, number
from dashboard.ui import source, table, warehouse
from etl import audit, submissions
from etl.intake import school_year_choices
from etl.reference import LEVEL_NAMES
from etl.templates import PERIOD_TITLE
from etl.warehouse import WarehouseError, open_read_only

st.title("Tình hình nộp báo cáo")
wh = warehouse()
if wh is None:
    st.stop()
current: Filters | None = st.session_state.get("_filters")
years = sorted({*school_year_choices(), *([current.school_year] if current else [])}, reverse=True)
left, right = st.columns(2)
year = left.selectbox("Năm học", years, index=years.index(current.school_year) if current else 0, key="submit_year",
                     filter_mode=None)
periods = list(PERIOD_TITLE)
period = right.selectbox("Kỳ báo cáo", periods, index=periods.index(current.period) if current else 0,
                         format_func=PERIOD_TITLE.get, key="submit_period", filter_mode=None)
where, params = current.scope.sql("sc") if current else ("true", [])
snapshot = source()[1] is not None

with open_read_only(wh.path, None if wh.schools is None else list(wh.schools)) as con:
    frame = submissions.status(con, year, period, where, params)
    lock = submissions.locked_periods(con).get((year, period))

if frame.empty:
    st.info("Không có trường nào trong phạm vi đang lọc.", icon="ℹ️")
    st.stop()

label = f"{PERIOD_TITLE[period].lower()} năm học {year}"
if lock:
    st.warning(md_text(f"Kỳ {label} đã khoá ngày {lock['changed_at']:%d/%m/%Y %H:%M} ({lock['changed_by']}): mọi "
                       "lần nạp làm thay đổi số liệu kỳ này đều bị từ chối cho đến khi mở khoá."), icon="🔒")
counts = frame.status.value_counts()
cols = st.columns(5)
for col, key in zip(cols, ("not_submitted", "submitted", "with_errors", "approved", "returned")):
    col.metric(submissions.STATUS_VI[key], f"{number(int(counts.get(key, 0)))}/{number(len(frame))}")

ORDER = {"not_submitted": 0, "with_errors": 1, "returned": 2, "submitted": 3, "approved": 4}  # what needs action first
frame = frame.sort_values(["status", "level", "school_name"], key=lambda c: c.map(ORDER) if c.name == "status" else c,
                          kind="stable")


def when(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.strftime("%d/%m/%Y %H:%M").fillna("")


shown = frame.assign(level=frame.level.map(LEVEL_NAMES), status=frame.status.map(submissions.STATUS_VI),
                     submitted_at=when(frame.submitted_at), decided_at=when(frame.decided_at))
st.subheader("Theo phường và cấp học")
left, right = st.columns(2)
for column, title, place in (("ward_new", "Phường mới", left), ("level", "Cấp học", right)):
    pivot = pd.crosstab(shown[column].fillna("(chưa rõ)"), shown.status).reindex(
        columns=[v for v in submissions.STATUS_VI.values() if v in set(shown.status)], fill_value=0)
    with place:
        table(pivot.reset_index().rename(columns={column: title}), f"Tình hình nộp báo cáo {label} theo "
              f"{title.lower()}", f"submit_by_{column}")

st.subheader("Từng trường")
names = {"school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học", "ward_new": "Phường mới",
         "ward_old": "Phường/xã cũ", "status": "Tình trạng", "submitted_at": "Nộp lúc", "file_name": "Tệp",
         "errors": "Số lỗi", "comment": "Nhận xét của phòng", "decided_at": "Duyệt/trả lúc",
         "decided_by": "Người duyệt"}
table(shown[list(names)].rename(columns=names), f"Tình hình nộp báo cáo {label}", "submit_all", height=380,
      wide=("Nhận xét của phòng",))

st.subheader("Trường chưa nộp")
missing = shown[frame.status == "not_submitted"]
if missing.empty:
    st.success(f"Tất cả các trường trong phạm vi đã nộp số liệu {label}.")
else:
    columns = ["school_code", "school_name", "level", "ward_new", "ward_old"]
    table(missing[columns].rename(columns=names), f"Trường chưa nộp báo cáo {label}", "submit_missing")

if not can_write():
    st.stop()  # leadership sees where things stand; analysts approve, return and lock
st.subheader("Duyệt hoặc trả lại số liệu")
if snapshot:
    st.info("Đang xem ảnh chụp số liệu: hãy chọn «Số liệu hiện hành» để duyệt, trả lại hoặc khoá kỳ.", icon="📸")
    st.stop()
db = database_path()
waiting = frame[frame.status.isin(["submitted", "with_errors", "returned", "approved"])]
label_of = dict(zip(waiting.school_code, waiting.school_name + " (" + waiting.school_code + ") – "
                    + waiting.status.map(submissions.STATUS_VI)))
chosen = st.multiselect("Trường", list(label_of), format_func=label_of.get, key="submit_schools",
                        placeholder="Chọn trường đã nộp", disabled=bool(lock), select_all=False)
comment = st.text_area("Nhận xét (bắt buộc khi trả lại)", key="submit_comment", disabled=bool(lock),
                       placeholder="Ví dụ: Số máy tính dạy Tin học chưa khớp biên bản kiểm kê; đề nghị kiểm tra lại.")
a, b, _ = st.columns([1, 1, 3])
for place, decision, text in ((a, "approved", "✅ Duyệt"), (b, "returned", "↩️ Trả lại để sửa")):
    if place.button(text, key=f"submit_{decision}", disabled=bool(lock) or not chosen):
        try:
            n = submissions.decide(db, chosen, year, period, decision, comment, by=who())
            audit.record(db, who(), "approve" if decision == "approved" else "return",
                         f"{n} trường, {label}: {', '.join(chosen[:10])}" + (f"; {comment}" if comment else ""))
            st.session_state["submit_done"] = f"Đã {'duyệt' if decision == 'approved' else 'trả lại'} {n} trường."
            st.cache_data.clear()
            st.rerun()
        except (submissions.SubmissionError, WarehouseError) as exc:
            st.error(md_text(str(exc)))
if done := st.session_state.pop("submit_done", None):
    st.success(done)

st.subheader("Khoá kỳ báo cáo")
if lock:
    if st.button("🔓 Mở khoá kỳ", key="submit_unlock"):
        submissions.set_lock(db, year, period, False, by=who())
        audit.record(db, who(), "unlock", label)
        st.cache_data.clear()
        st.rerun()
else:
    st.caption("Khi đã duyệt xong, khoá kỳ để số liệu không bị thay đổi: lần nạp nào làm thay đổi số liệu kỳ này sẽ bị "
               "từ chối (có thông báo rõ) cho đến khi mở khoá. Việc khoá và mở khoá được ghi lại.")
    if st.button("🔒 Khoá kỳ", key="submit_lock"):
        submissions.set_lock(db, year, period, True, by=who())
        audit.record(db, who(), "lock", label)
        st.cache_data.clear()
        st.rerun()
