"""Who is using the app: the login form (built-in accounts), the session's role and scope, the pages a role may
use. No accounts at all: single-user local mode (the app then listens on this machine only, see the Makefile)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.data import database_path
from etl import audit
from etl.accounts import (
    SESSION_HOURS,
    Account,
    AccountError,
    authenticate,
    end_sessions,
    from_token,
    load_accounts,
    session_token,
    sso_account,
    still_valid,
    token_started,
)

ACCOUNT, SINCE, TOKEN = "_account", "_account_since", "_account_token"
COOKIE = "dx_session"
LOCAL = "người dùng cục bộ"

# the pages of each role (file names under pages/); admin and local mode have them all
DATA_PAGES = ["tong_quan.py", "muc_do_4725.py", "may_tinh.py", "mua_sam_may_tinh.py", "ke_hoach.py", "ho_so_truong.py"]
ROLE_PAGES = {
    "analyst": DATA_PAGES + ["chat_luong.py", "nap_so_lieu.py", "bieu_mau.py", "nop_bao_cao.py", "so_sanh_ky_hop.py",
                             "trinh_chieu.py"],
    "leadership": DATA_PAGES + ["chat_luong.py", "nop_bao_cao.py", "so_sanh_ky_hop.py", "trinh_chieu.py"],
    "school": DATA_PAGES + ["nap_so_lieu.py", "bao_cao_truong.py"],  # its files wait for an analyst
}
WRITERS = {"admin", "analyst"}  # intake, approval, lock, snapshots


def account() -> Account | None:
    """The signed-in account, or None in single-user local mode."""
    return st.session_state.get(ACCOUNT)


def who() -> str:
    current = account()
    return f"{current.username} ({current.role_vi})" if current else LOCAL


def can_write() -> bool:
    current = account()
    return current is None or current.role in WRITERS


def allows(page_file: str) -> bool:
    """Whether the session's role may use a page (the others are not in its navigation, so their URLs do not open
    either)."""
    current = account()
    if page_file == "quan_tri.py":  # accounts and the audit record: the admin, or the one local user
        return current is None or current.role == "admin"
    return current is None or current.role == "admin" or page_file in ROLE_PAGES.get(current.role, [])


def login_gate(hide_menu=lambda: None) -> None:
    """Stop here with the login form unless the session is signed in (or there are no accounts); `hide_menu` runs
    before anything is drawn on the way to stopping (app.py hides the menu there, which also gives the form's
    widgets the same identity in every run, the first after a server start included)."""
    db = database_path()
    try:
        accounts = load_accounts(db)
    except AccountError as exc:
        hide_menu()
        st.error(str(exc))
        st.stop()
    if not accounts:
        st.session_state.pop(ACCOUNT, None)
        st.sidebar.caption("🖥️ Chế độ một người dùng trên máy này: chưa có tài khoản nào nên không cần đăng nhập và "
                           "ứng dụng chỉ mở trên máy này. Tạo tài khoản quản trị: `python -m etl user add <tên> "
                           "--role admin`.")
        return
    current, since = st.session_state.get(ACCOUNT), st.session_state.get(SINCE)
    if current is None and sso_configured() and st.user.is_logged_in:  # back from the identity provider
        claims = {key: st.user.get(key) for key in ("email", "email_verified", "sub", "iss")}
        mapped, why = sso_account(db, claims)
        if mapped is None:
            audit.record(db, str(claims.get("email") or "(không rõ)")[:200], "login_failed",
                         f"đăng nhập một lần: {why} (sub {str(claims.get('sub'))[:100]}, "
                         f"{str(claims.get('iss'))[:100]})")
            hide_menu()
            st.title("Đăng nhập")
            if why == "chưa cấp quyền":
                st.error(f"Tài khoản {st.user.get('email')} đã xác thực nhưng chưa được cấp quyền dùng bảng điều "
                         "khiển; hãy đề nghị quản trị thêm thư điện tử này vào một tài khoản.")
            else:
                st.error(f"Không đăng nhập được bằng tài khoản {st.user.get('email')}: {why}.")
            st.button("Đăng xuất", on_click=st.logout)
            st.stop()
        current = st.session_state[ACCOUNT] = mapped
        since = st.session_state[SINCE] = dt.datetime.now()
        audit.record(db, mapped.username, "login", f"{mapped.role_vi}, đăng nhập một lần (nhà cung cấp nói: "
                     f"{str(claims.get('email'))[:200]}, sub {str(claims.get('sub'))[:100]})",
                     mapped.scope_vi())
    if current is None:  # a reload or a copied link: the browser's signed token, if it is still good
        token = st.context.cookies.get(COOKIE)
        remembered = from_token(db, token)
        if remembered is not None:
            current = st.session_state[ACCOUNT] = remembered
            since = st.session_state[SINCE] = token_started(token)  # the sign-in's own time: never extended
    # every run: the same account (not a new one under the name), enabled, no logout anywhere, no password change
    fresh = still_valid(db, current, since, accounts=accounts) if current is not None else None
    if fresh is not None:
        st.session_state[ACCOUNT] = fresh  # a role or scope changed by the admin applies at once
        _sidebar(fresh)
        return
    hide_menu()
    if current is not None:
        st.session_state.pop(ACCOUNT, None)
        st.info("Phiên làm việc đã hết hạn hoặc tài khoản đã thay đổi; hãy đăng nhập lại.", icon="🔒")
    _form(db)
    st.stop()


def sso_configured() -> bool:
    """Single sign-on is on when .streamlit/secrets.toml has an [auth] section (an OIDC provider)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _form(db) -> None:
    st.title("Đăng nhập")
    st.caption("Bảng điều khiển chuyển đổi số ngành Giáo dục")
    if sso_configured():
        st.button("🔑 Đăng nhập bằng tài khoản cơ quan (đăng nhập một lần)", on_click=st.login, type="primary",
                  key="login_sso")
        st.caption("Hoặc dùng tài khoản riêng của bảng điều khiển:")
    with st.form("login", border=True):
        username = st.text_input("Tên đăng nhập", key="login_user")
        password = st.text_input("Mật khẩu", type="password", key="login_password")
        sent = st.form_submit_button("Đăng nhập", type="primary")
    if sent:
        try:
            signed = authenticate(db, username, password)
        except AccountError as exc:
            audit.record(db, username.strip().lower() or "(trống)", "login_failed", str(exc))
            st.error(str(exc))
            return
        st.session_state[ACCOUNT], st.session_state[SINCE] = signed, dt.datetime.now()
        st.session_state[TOKEN] = session_token(db, signed)
        audit.record(db, signed.username, "login", signed.role_vi, signed.scope_vi())
        st.rerun()


def _cookie(value: str, seconds: int) -> None:
    """Set (or, with 0 seconds, clear) the session cookie in the browser: a component runs in a same-origin frame."""
    import streamlit.components.v1 as components

    components.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={seconds}; SameSite=Strict';"
                    "</script>", height=0)


def _sidebar(current: Account) -> None:
    if token := st.session_state.pop(TOKEN, None):
        with st.sidebar:
            _cookie(token, SESSION_HOURS * 3600)
    st.sidebar.caption(f"👤 {current.name or current.username} – {current.role_vi}, phạm vi {current.scope_vi()}")
    if st.sidebar.button("Đăng xuất", key="logout"):
        db = database_path()
        end_sessions(db, current.username)
        audit.record(db, current.username, "logout")
        for key in (ACCOUNT, SINCE):
            st.session_state.pop(key, None)
        with st.sidebar:
            _cookie("", 0)
        if sso_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()


def scope_schools(codes_of_wards) -> tuple[str, ...] | None:
    """The school codes the session may see (None: all). `codes_of_wards(wards)` gives a ward scope's schools."""
    current = account()
    if current is None or current.scope == "province":
        return None
    if current.scope == "school":
        return (current.school,)
    return tuple(codes_of_wards(tuple(current.wards)))
