"""Tình hình nộp báo cáo: per period and school, where its report stands (not submitted, being drafted, sent and
waiting, being looked at, loaded, with errors, approved, returned), counts by ward and level, the schools not
submitted; the analyst's approval or return with a comment; the lock of a period. Every write acts within the
account's scope (etl.submissions checks it)."""
import threading

import pandas as pd
import streamlit as st

from dashboard.auth import can_write, who
from dashboard.data import database_path
from dashboard.filters import Filters
from dashboard.format import md_text, number
from dashboard.reporting import notify_approved, notify_return
from dashboard.ui import session_schools, source, table, warehouse
from etl import audit, notify, submissions
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
db = database_path()
scope = session_schools()

with open_read_only(wh.path, None if wh.schools is None else list(wh.schools)) as con:
    frame = submissions.status(con, year, period, where, params, db_path=db)
    everyone = submissions.status(con, year, period, db_path=db)  # every school of the scope, unfiltered
with open_read_only(wh.path) as con:  # the locks of the whole warehouse too (a ward's reader sees its schools only)
    locks = submissions.Locks(con)
lock_rows = {code: locks.of(year, period, code) for code in frame.school_code}
province_lock = scope is not None and locks.whole(year, period) is not None
locked_codes = [code for code, lock in lock_rows.items() if lock]

if frame.empty:
    st.info("Không có trường nào trong phạm vi đang lọc.", icon="ℹ️")
    st.stop()

label = submissions.period_vi(year, period)
if locked_codes:
    newest = max((lock for lock in lock_rows.values() if lock), key=lambda lock: lock["changed_at"])
    share = "" if len(locked_codes) == len(frame) else f" cho {number(len(locked_codes))}/{number(len(frame))} trường"
    st.warning(md_text(f"{submissions.period_title(year, period)} đã khoá{share} ({newest['changed_by']}, "
                       f"{newest['changed_at']:%d/%m/%Y %H:%M}): mọi lần nạp làm thay đổi số liệu kỳ này đều bị từ "
                       "chối cho đến khi mở khoá."), icon="🔒")
counts = frame.status.value_counts()
shown_states = [key for key in submissions.STATUS_VI if key in counts or key in ("not_submitted", "approved",
                                                                                    "returned")]
for start in range(0, len(shown_states), 5):
    cols = st.columns(5)
    for col, key in zip(cols, shown_states[start:start + 5]):
        col.metric(submissions.STATUS_VI[key], f"{number(int(counts.get(key, 0)))}/{number(len(frame))}")
waiting = frame.status.isin(submissions.WAITING).sum()
if waiting:
    st.caption(f"{number(int(waiting))} trường đã gửi tệp, đang chờ phòng xem ở trang «Nạp số liệu».")

frame = frame.sort_values(["status", "level", "school_name"],
                          key=lambda c: c.map(submissions.ORDER) if c.name == "status" else c, kind="stable")


def when(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.strftime("%d/%m/%Y %H:%M").fillna("")


shown = frame.assign(level=frame.level.map(LEVEL_NAMES), status=frame.status.map(submissions.STATUS_VI),
                     submitted_at=when(frame.submitted_at), decided_at=when(frame.decided_at),
                     sent_at=when(frame.sent_at), cells=frame.cells.map(", ".join),
                     file_name=frame.file_name.fillna(frame.sent_files))
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
         "ward_old": "Phường/xã cũ", "status": "Tình trạng", "sent_at": "Gửi lúc", "submitted_at": "Nạp vào kho lúc",
         "file_name": "Tệp", "errors": "Số lỗi", "comment": "Nhận xét của phòng", "cells": "Ô cần sửa",
         "decided_at": "Duyệt/trả lúc", "decided_by": "Người duyệt"}
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
state = st.session_state
state.setdefault("submit_round", 0)  # a new picker after each decision: nothing stale is kept chosen
decidable = frame[frame.status.isin(["submitted", "with_errors", "returned", "approved"])
                  & ~frame.school_code.isin(locked_codes)]
label_of = {code: f"{name} ({code}) – {submissions.STATUS_VI[status]}"
            for code, name, status in zip(decidable.school_code, decidable.school_name, decidable.status)}
round_ = state["submit_round"]
chosen = st.multiselect("Trường", list(label_of), format_func=lambda code: label_of.get(code, code),
                        key=f"submit_schools_{round_}", placeholder="Chọn trường đã nạp số liệu", filter_mode=None,
                        select_all=False, disabled=not label_of)
if not label_of:
    st.caption("Chưa có trường nào có số liệu trong kho để duyệt ở kỳ này (tệp các trường gửi được xem và nạp ở trang "
               "«Nạp số liệu»)." if not locked_codes else "Các trường có số liệu đều đã khoá kỳ.")
comment = st.text_area("Nhận xét (bắt buộc khi trả lại)", key=f"submit_comment_{round_}",
                       placeholder="Ví dụ: Số máy tính dạy Tin học chưa khớp biên bản kiểm kê; đề nghị kiểm tra lại.")
cells_text = st.text_input("Ô cần sửa (không bắt buộc)", key=f"submit_cells_{round_}",
                           placeholder="Ví dụ: F12, G12")
a, b, _ = st.columns([1, 1, 3])
for place, decision, text in ((a, "approved", "✅ Duyệt"), (b, "returned", "↩️ Trả lại để sửa")):
    if place.button(text, key=f"submit_{decision}", disabled=not chosen):
        cells = [c.strip() for c in cells_text.replace(";", ",").split(",") if c.strip()]
        try:
            n = submissions.decide(db, chosen, year, period, decision, comment, by=who(), scope=scope,
                                   cells=cells if decision == "returned" else None,
                                   seen=dict(zip(frame.school_code, frame.status)))  # what this page showed
        except (submissions.SubmissionError, WarehouseError) as exc:
            st.error(md_text(str(exc)))  # the next click reads the page afresh
        else:
            audit.record(db, who(), "approve" if decision == "approved" else "return",
                         f"{n} trường, {label}: {', '.join(chosen[:10])}" + (f"; {comment}" if comment else ""))
            name_of = dict(zip(frame.school_code, frame.school_name))
            for code in chosen:
                if decision == "returned":
                    notify_return(db, code, name_of.get(code, code), [(year, period)], comment, who(), cells)
                else:
                    notify_approved(db, code, name_of.get(code, code), [(year, period)], who())
            state["submit_done"] = f"Đã {'duyệt' if decision == 'approved' else 'trả lại'} {n} trường."
            state["submit_round"] += 1
            st.cache_data.clear()
            st.rerun()
if done := state.pop("submit_done", None):
    st.success(done)


st.subheader("Nhắc hạn nộp")
owing = submissions.owing(everyone)
if all_locked := bool(locked_codes) and len(locked_codes) == len(frame):
    st.caption("Kỳ đã khoá: không nhắc hạn nộp nữa.")
elif not owing:
    st.caption("Mọi trường trong phạm vi đã gửi báo cáo kỳ này: không cần nhắc.")
elif not notify.mail_config().on:
    st.caption(f"{number(len(owing))} trường chưa gửi (hoặc bị trả lại). Chưa cấu hình máy chủ thư (thiết lập "
               "smtp_host) nên chưa gửi thư nhắc được.")
else:
    left, right = st.columns([1, 2])
    deadline = left.date_input("Hạn nộp", key="submit_deadline", format="DD/MM/YYYY", value=None)
    right.caption(f"{number(len(owing))} trường chưa gửi (hoặc bị trả lại) sẽ nhận thư nhắc ở địa chỉ của tài khoản "
                  "trường; kết quả từng thư ghi trong nhật ký thư.")
    if right.button("📧 Gửi thư nhắc", key="submit_remind", disabled=deadline is None,
                    help="Chọn hạn nộp trước." if deadline is None else None):
        returned = submissions.returned_schools(db, year, period, scope)  # told their correction is owed
        threading.Thread(target=notify.deadline_reminders, args=(db, year, period, deadline, owing),
                         kwargs={"returned": returned},
                         daemon=True, name="mail-deadline").start()  # the page does not wait on the mail server
        audit.record(db, who(), "remind", f"{len(owing)} trường, {label}, hạn {deadline:%d/%m/%Y}")
        st.success(f"Đang gửi thư nhắc tới {number(len(owing))} trường.")

st.subheader("Khoá kỳ báo cáo")
whose = "các trường trong phạm vi tài khoản" if scope is not None else "mọi trường"
if province_lock:
    st.caption("Kỳ này do tài khoản toàn tỉnh khoá cho mọi trường; chỉ tài khoản toàn tỉnh mở khoá được.")
elif locked_codes:
    if st.button("🔓 Mở khoá kỳ", key="submit_unlock"):
        try:
            submissions.set_lock(db, year, period, False, by=who(), scope=scope)
        except (submissions.SubmissionError, WarehouseError) as exc:
            st.error(md_text(str(exc)))
        else:
            audit.record(db, who(), "unlock", f"{label} ({whose})")
            st.cache_data.clear()
            st.rerun()
if not all_locked and not province_lock:
    st.caption(f"Khi đã duyệt xong, khoá kỳ cho {whose} để số liệu không bị thay đổi: lần nạp nào làm thay đổi số "
               "liệu kỳ này sẽ bị từ chối (có thông báo rõ) cho đến khi mở khoá. Việc khoá và mở khoá được ghi lại.")
    confirmed = True
    never = int((frame.status == "not_submitted").sum())
    if never:
        st.caption(f"{number(never)} trường trong danh sách đang xem chưa nộp: khoá kỳ thì số liệu các trường này gửi "
                   "sau sẽ bị từ chối cho đến khi mở khoá.")
    pending = submissions.awaiting_answer(everyone)
    if not pending.empty:
        st.warning(md_text(f"Còn {number(len(pending))} trường bị trả lại hoặc đang chờ phòng xem: "
                           + ", ".join(f"{n} ({submissions.STATUS_VI[s].lower()})"
                                       for n, s in zip(pending.school_name, pending.status))
                           + ". Khoá kỳ bây giờ thì số liệu sửa của các trường này sẽ bị từ chối."), icon="⚠️")
        confirmed = st.checkbox("Tôi đã biết, vẫn khoá kỳ", key="submit_lock_anyway")
    if st.button("🔒 Khoá kỳ", key="submit_lock", disabled=not confirmed):
        try:
            submissions.set_lock(db, year, period, True, by=who(), scope=scope, confirmed=confirmed)
        except (submissions.SubmissionError, WarehouseError) as exc:
            st.error(md_text(str(exc)))
        else:
            audit.record(db, who(), "lock", f"{label} ({whose})")
            st.cache_data.clear()
            st.rerun()
