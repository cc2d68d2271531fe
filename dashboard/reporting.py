"""The reporting loop as the pages draw it: school names for the queue and the status page, the notice of what
changed since the last visit, and the mails each step sends (etl.notify, in the background: a page never waits on
the mail server)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from dashboard.format import md_text
from etl import notify, submissions
from etl.warehouse import open_read_only


@st.cache_data(ttl=60, show_spinner=False)
def _names(path: str, stamp: float) -> dict[str, str]:
    with open_read_only(Path(path)) as con:
        return dict(con.execute("SELECT school_code, school_name FROM schools").fetchall())


def school_names(db: Path) -> dict[str, str]:
    """code → name from the registry of the live warehouse (empty when it cannot be read)."""
    try:
        return _names(str(db), Path(db).stat().st_mtime)
    except Exception:  # noqa: BLE001 - names are a courtesy: the code is shown instead
        return {}


def _periods(keys) -> str:
    labels = [notify.period_label(y, p) if p != "4725" else f"đánh giá 4725 {y}" for y, p in keys if y]
    return ", ".join(labels) or "kỳ chưa rõ"


def notify_return(db: Path, school: str, name: str, periods, comment: str, by: str, cells=()) -> None:
    notify.send_in_background(db, notify.school_recipients(db, school),
                              notify.returned(name, _periods(periods), comment, cells, by))


def notify_approved(db: Path, school: str, name: str, periods, by: str) -> None:
    notify.send_in_background(db, notify.school_recipients(db, school), notify.approved(name, _periods(periods), by))


def notify_sent(db: Path, school: str, name: str, periods, files, by: str) -> None:
    notify.send_in_background(db, notify.office_recipients(db, school),
                              notify.file_sent(name, school, _periods(periods), files, by))


NEWS = "_tin_moi"  # the notice of the session: computed at its first run, shown until dismissed


def sign_in_notice(db: Path) -> None:
    """For a signed-in account: what changed since its last visit (a school: its reports returned, approved or
    loaded; the office: the files sent in its scope), computed once per session (the visit is then remembered) and
    shown on every page until dismissed."""
    from dashboard.auth import account
    from dashboard.ui import session_schools

    me = account()
    if me is None or not Path(db).exists():
        return
    if NEWS not in st.session_state:
        try:
            scope = session_schools()
            read_at = dt.datetime.now().isoformat(timespec="microseconds")
            st.session_state[NEWS] = submissions.news(db, me.username, None if scope is None else list(scope),
                                                      me.role, school_names(db))
            st.session_state[NEWS + "_luc"] = read_at
            if not st.session_state[NEWS]:
                submissions.mark_visit(db, me.username, read_at)
        except Exception:  # noqa: BLE001 - a notice is never worth a broken page
            st.session_state[NEWS] = []
    lines = st.session_state[NEWS]
    if not lines:
        return
    more = f"\n\n… và {len(lines) - 8} việc khác." if len(lines) > 8 else ""
    page = "«Báo cáo của trường»" if me.role == "school" else "«Nạp số liệu» và «Tình hình nộp báo cáo»"
    box = st.container(border=True, key="tin_moi")
    box.markdown("🔔 **Từ lần vào trước**\n\n" + "\n".join(f"- {md_text(line)}" for line in lines[:8]) + more
                 + f"\n\nXem chi tiết ở trang {page}.")
    if box.button("Đã xem", key="tin_moi_da_xem"):  # seen only when said so: a notice is not lost with a crash
        submissions.mark_visit(db, me.username, st.session_state.get(NEWS + "_luc"))
        st.session_state[NEWS] = []
        st.rerun()
