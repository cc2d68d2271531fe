"""Nạp số liệu: upload files, review what the loader understood and what a load would change, correct a column
mapping or the year and period (and keep the correction as an import profile), load exactly what was reviewed,
download the report per school, undo the last load. The sections are drawn by dashboard/intake_view.py."""
from pathlib import Path

import streamlit as st

from dashboard import intake_view as views
from dashboard.auth import account
from dashboard.data import database_path
from dashboard.format import md_text, number
from dashboard.intake_view import CORRECTIONS, REVIEW, UPLOADER
from etl import intake
from etl.settings import setting

st.title("Nạp số liệu")
db = database_path()
if not db.exists():
    st.error(f"Chưa có kho dữ liệu ({md_text(db)}). Hãy cài danh mục trường trước: `python -m etl registry <tệp danh "
             "mục>` (hoặc chạy `make run` để dùng dữ liệu mẫu).")
    st.stop()

max_mb = float(setting("max_file_mb"))
st.caption(f"Tải lên một hoặc nhiều tệp (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv) hoặc một tệp .zip của cả thư mục. "
           f"Tối đa {number(intake.MAX_UPLOAD_FILES)} tệp và {number(intake.MAX_UPLOAD_TOTAL_MB)} MB mỗi lần, "
           f"{number(max_mb)} MB mỗi tệp. Trước khi nạp, trang cho xem chương trình hiểu tệp thế nào và kho sẽ thay "
           "đổi ra sao; chưa có gì thay đổi cho đến khi bấm «Nạp vào kho».")

state = st.session_state
state.setdefault(CORRECTIONS, {"columns": {}, "files": {}})
state.setdefault(UPLOADER, 0)

uploads = views.uploader()
views.preview_button(uploads, db, max_mb)
if notice := state.pop("intake_notice", None):  # what a button did before the page was drawn again
    st.info(md_text(notice), icon="ℹ️")
views.upload_outcome()

review: intake.Review | None = state.get(REVIEW)
if review is not None:
    views.review_summary(review)
    if views.file_details(review, db):  # a correction recomputes the review at once
        views.run_review([Path(p) for p in review.paths], db)
        st.rerun()
    st.divider()
    views.load_buttons(review, db)

if state.pop("intake_sent", False):
    st.success("Đã gửi số liệu cho phòng. Phòng sẽ xem lại rồi nạp; nếu cần sửa, phòng trả lại kèm nhận xét.")
    st.page_link("pages/bao_cao_truong.py", label="Xem tình trạng ở trang «Báo cáo của trường»", icon="📨")
if account() is not None and account().role == "school":
    st.stop()  # undo, profiles and the queue are the office's

views.queue_section(db)
views.undo_section(db)
views.profiles_section(db)
