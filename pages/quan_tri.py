"""Tài khoản và nhật ký (admin): the accounts (add, reset a password, lock, remove) and the audit record of every
login, load, undo, approval, lock, snapshot, export and account change, downloadable."""
import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.auth import account, who
from dashboard.data import database_path
from dashboard.format import md_text
from dashboard.ui import table
from etl import accounts, audit


def _when(text: str) -> str:
    try:
        return f"{dt.datetime.fromisoformat(text):%d/%m/%Y %H:%M:%S}"
    except (TypeError, ValueError):
        return text or ""


st.title("Tài khoản và nhật ký")
db = database_path()
if account() is None:
    st.info("Chế độ một người dùng trên máy này: chưa có tài khoản nào. Tài khoản đầu tiên (quản trị) được tạo bằng "
            "lệnh `python -m etl user add <tên> --role admin`; sau đó mọi người phải đăng nhập.", icon="🖥️")

st.subheader("Tài khoản")
try:
    found = accounts.load_accounts(db)
except accounts.AccountError as exc:
    st.error(md_text(str(exc)))
    st.stop()
if found:
    rows = pd.DataFrame([{"Tên đăng nhập": a.username, "Họ tên": a.name, "Vai trò": a.role_vi,
                          "Phạm vi": a.scope_vi(), "Thư điện tử (SSO)": a.email, "Đã khoá": a.disabled,
                          "Tạo lúc": _when(a.created_at)} for a in found.values()])
    table(rows, "Tài khoản", "accounts")

if account() is not None:  # account changes need a signed-in admin: the local user uses the command line first
    with st.expander("➕ Thêm tài khoản"):
        with st.form("account_add"):
            left, right = st.columns(2)
            username = left.text_input("Tên đăng nhập")
            name = right.text_input("Họ tên")
            role = left.selectbox("Vai trò", list(accounts.ROLES), format_func=accounts.ROLES.get, filter_mode=None)
            scope = right.selectbox("Phạm vi", list(accounts.SCOPES), format_func=accounts.SCOPES.get, filter_mode=None,
                                    help="Tài khoản vai trò Trường luôn có phạm vi một trường.")
            wards = left.text_input("Phường mới (phạm vi phường; nhiều phường cách nhau bằng dấu phẩy)")
            school = right.text_input("Mã trường (phạm vi trường)")
            email = left.text_input("Thư điện tử (đăng nhập một lần, nếu có)")
            password = right.text_input("Mật khẩu ban đầu", type="password",
                                        help=f"Ít nhất {accounts.MIN_PASSWORD} ký tự.")
            if st.form_submit_button("Thêm", type="primary"):
                try:
                    added = accounts.add_account(db, username, password, role, scope,
                                                 [w.strip() for w in wards.split(",") if w.strip()],
                                                 school.strip() or None, name, email)
                    audit.record(db, who(), "account_add", f"{added.username}: {added.role_vi}", added.scope_vi())
                    st.success(f"Đã thêm tài khoản {md_text(added.username)}.")
                except accounts.AccountError as exc:
                    st.error(md_text(str(exc)))
    if found:
        with st.expander("✏️ Đặt lại mật khẩu, khoá hoặc xoá"):
            chosen = st.selectbox("Tài khoản", list(found), key="account_chosen", filter_mode=None)
            password = st.text_input("Mật khẩu mới", type="password", key="account_password")
            a, b, c, _ = st.columns([1, 1, 1, 2])
            try:
                if a.button("Đặt lại mật khẩu", key="account_reset"):
                    accounts.set_password(db, chosen, password)
                    audit.record(db, who(), "account_change", f"{chosen}: đặt lại mật khẩu")
                    st.success("Đã đặt lại mật khẩu.")
                locked = found[chosen].disabled
                if b.button("Mở khoá" if locked else "Khoá", key="account_lock"):
                    accounts.set_disabled(db, chosen, not locked)
                    audit.record(db, who(), "account_change", f"{chosen}: {'mở khoá' if locked else 'khoá'}")
                    st.rerun()
                if c.button("Xoá", key="account_remove", disabled=chosen == account().username):
                    accounts.remove_account(db, chosen)
                    audit.record(db, who(), "account_remove", chosen)
                    st.rerun()
            except accounts.AccountError as exc:
                st.error(md_text(str(exc)))

st.subheader("Nhật ký thao tác")
entries = audit.read(db)
if not entries:
    st.caption("Chưa có thao tác nào được ghi.")
else:
    log = pd.DataFrame(entries[::-1])
    log["action"] = log["action"].map(lambda a: audit.ACTIONS.get(a, a))
    log["at"] = log["at"].map(_when)
    table(log.rename(columns={"at": "Thời điểm", "who": "Người thực hiện", "action": "Thao tác", "what": "Nội dung",
                              "scope": "Phạm vi"}), "Nhật ký thao tác", "audit", wide=("Nội dung",))
