"""Báo cáo của trường: a school's own reports, period by period: where each stands, the office's comment on a
return and the cells it points at, the files it sent, the messages of the load, a corrected file to send, a sending
to take back while the office has not loaded it."""
import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.auth import account, who
from dashboard.data import database_path
from dashboard.format import md_text
from dashboard.reporting import school_names
from dashboard.ui import session_schools
from etl import audit, intake, submissions
from etl.warehouse import open_read_only

st.title("Báo cáo của trường")
db = database_path()
if not db.exists():
    st.error("Chưa có kho dữ liệu; hãy đề nghị phòng cài danh mục trường.")
    st.stop()
names = school_names(db)
me = account()
scope = session_schools()
if me is not None and me.role == "school":
    school = me.school
else:  # the office looks at one school's page as the school sees it
    codes = sorted(c for c in names if scope is None or c in set(scope))
    school = st.selectbox("Trường", codes, format_func=lambda c: f"{names.get(c, c)} ({c})", key="truong_bao_cao",
                          index=None, placeholder="Chọn trường", filter_mode=None)
    if school is None:
        st.caption("Trang này cho mỗi trường thấy tình trạng báo cáo của mình; chọn một trường để xem như trường thấy.")
        st.stop()
submissions.check_scope([school], scope, "xem")
st.caption(md_text(f"{names.get(school, school)} ({school})"))

steps = submissions.events(db, schools=[school])
with open_read_only(db, [school]) as con:
    loaded = con.execute("SELECT DISTINCT school_year, period FROM survey WHERE school_code = ?", [school]).fetchall()
    keys = {(y, p) for y, p in loaded} | {(y, p) for y, p in zip(steps.school_year, steps.period) if y}
    keys = sorted(keys, key=lambda k: (k[0], k[1] == "CN"), reverse=True)
    statuses = {key: submissions.status(con, key[0], key[1], "sc.school_code = ?", [school], db_path=db)
                for key in keys if key[1] != "4725"}
shas = sorted(intake.sent_files(db, school))
with open_read_only(db) as con:  # its own files' messages, whatever rows they held (never another school's)
    school_locks = submissions.Locks(con)
    locked = {key for key in keys if school_locks.of(key[0], key[1], school)}
    issues = con.execute("""
        WITH mine AS (SELECT * FROM load_issues WHERE severity IN ('error', 'warning')
                      AND (school_code = ? OR (school_code IS NULL AND list_contains(?, sha256))))
        SELECT school_year, period, file_name, sheet, cell, severity, message FROM mine
        WHERE load_id = (SELECT max(load_id) FROM mine)""", [school, shas]).df()

pending = intake.list_pending(db, [school])
if pending:
    st.subheader("Tệp đã gửi, chờ phòng xem")
    for sent in pending:
        left, right = st.columns([4, 1])
        state = "phòng đang xem" if sent["state"] == "in_review" else "chờ phòng xem"
        when = dt.datetime.fromisoformat(sent["at"]).strftime("%d/%m/%Y %H:%M")
        left.markdown(md_text(f"Gửi lúc {when}: {', '.join(sent['files'])} ({state})"))
        if right.button("Rút lại", key=f"rut_{sent['submission']}",
                        help="Rút tệp đã gửi khi phòng chưa nạp, ví dụ để gửi bản đúng hơn."):
            try:
                intake.withdraw_pending(db, sent["submission"], who(), school)
            except intake.IntakeError as exc:
                st.error(md_text(str(exc)))
            else:
                audit.record(db, who(), "withdraw", ", ".join(sent["files"]))
                st.session_state["rut_xong"] = f"Đã rút tệp gửi lúc {when}: phòng sẽ không nạp tệp này."
                st.rerun()
if done := st.session_state.pop("rut_xong", None):
    st.success(md_text(done))

if not keys:
    st.info("Trường chưa gửi báo cáo nào. Gửi tệp số liệu ở trang «Nạp số liệu».", icon="ℹ️")
for year, period in keys:
    st.subheader(submissions.period_title(year, period))
    if period == "4725":
        st.caption("Kết quả đánh giá mức độ chuyển đổi số đã có trong kho.")
        continue
    row = statuses[(year, period)].iloc[0]
    status = row.status
    text = submissions.STATUS_VI[status]
    if status == "returned":
        st.error(md_text(f"{text}: {row.comment}"), icon="↩️")
        if row.cells:
            st.markdown(md_text("Ô cần sửa: " + ", ".join(row.cells)))
        if (year, period) in locked:
            st.caption(md_text(f"Trả lúc {row.decided_at:%d/%m/%Y %H:%M} – {row.decided_by}. Kỳ này đã khoá nên chưa "
                               "gửi lại được: hãy liên hệ phòng để mở khoá kỳ trước khi gửi bản sửa."))
        else:
            st.caption(md_text(f"Trả lúc {row.decided_at:%d/%m/%Y %H:%M} – {row.decided_by}. Sửa tệp rồi gửi lại ở "
                               "trang «Nạp số liệu»."))
            st.page_link("pages/nap_so_lieu.py", label="Gửi bản đã sửa", icon="📤")
    elif status == "approved":
        st.success(md_text(f"{text} lúc {row.decided_at:%d/%m/%Y %H:%M} ({row.decided_by})."), icon="✅")
    elif status == "not_submitted":
        st.info(f"{text}.", icon="ℹ️")
        st.page_link("pages/nap_so_lieu.py", label="Gửi tệp số liệu", icon="📤")
    else:
        st.info(md_text(text + "."), icon="📨")
    files = row.sent_files or (row.file_name if isinstance(row.file_name, str) else "")
    if files:
        st.caption(md_text(f"Tệp: {files}"))
    mine = issues[(issues.school_year == year) & (issues.period == period)]
    if not mine.empty:
        st.markdown("**Thông báo khi nạp tệp gần nhất**")
        st.dataframe(pd.DataFrame({"Mức độ": mine.severity.map({"error": "Lỗi", "warning": "Cảnh báo"}),
                                   "Tệp": mine.file_name, "Trang": mine.sheet.fillna(""), "Ô": mine.cell.fillna(""),
                                   "Nội dung": mine.message}), hide_index=True, width="stretch",
                     key=f"loi_{year}_{period}")
    history = steps[(steps.school_year == year) & (steps.period == period)]
    if not history.empty:
        with st.expander("Các bước của báo cáo này"):
            st.dataframe(pd.DataFrame({
                "Lúc": pd.to_datetime(history["at"]).dt.strftime("%d/%m/%Y %H:%M"),
                "Bước": history.state.map(submissions.STATE_VI), "Người thực hiện": history.by,
                "Nhận xét": history.comment.fillna(""), "Tệp": history.files.map(", ".join)}).iloc[::-1],
                hide_index=True, width="stretch", key=f"buoc_{year}_{period}")
