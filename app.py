"""The frame of the dashboard: page config, sign-in, the shared filters, the pages the role may use, navigation."""
import streamlit as st
import streamlit.commands.navigation as _navigation
from streamlit.runtime.pages_manager import PagesManager

from dashboard import logs
from dashboard.auth import allows, login_gate
from dashboard.data import database_path
from dashboard.reporting import sign_in_notice
from dashboard.ui import phone_css, render_filters, render_source, source, stop_if_unreadable

st.set_page_config(page_title="Chuyển đổi số ngành Giáo dục", page_icon="📊", layout="wide")
logs.configure()  # JSON lines on stdout on a server (DX_LOG_FORMAT=json); dashboard.serve starts the health endpoint

PAGES = [  # file under pages/, title, icon, URL path
    ("tong_quan.py", "Tổng quan", "🏠", "tong-quan-mac-dinh"),
    ("muc_do_4725.py", "Mức độ chuyển đổi số (QĐ 4725)", "📶", "muc-do-4725"),
    ("may_tinh.py", "Máy tính dạy Tin học", "💻", "may-tinh"),
    ("mua_sam_may_tinh.py", "Kế hoạch mua sắm máy tính", "🛒", "mua-sam-may-tinh"),
    ("ke_hoach.py", "Tiến độ kế hoạch 2025", "🎯", "ke-hoach"),
    ("ho_so_truong.py", "Hồ sơ trường", "🏫", "ho-so-truong"),
    ("chat_luong.py", "Chất lượng dữ liệu", "🧪", "chat-luong-du-lieu"),
    ("nap_so_lieu.py", "Nạp số liệu", "📥", "nap-so-lieu"),
    ("bieu_mau.py", "Tải biểu mẫu", "📝", "tai-bieu-mau"),
    ("nop_bao_cao.py", "Tình hình nộp báo cáo", "📬", "nop-bao-cao"),
    ("bao_cao_truong.py", "Báo cáo của trường", "📨", "bao-cao-cua-truong"),
    ("so_sanh_ky_hop.py", "So sánh hai kỳ họp", "🔁", "so-sanh-ky-hop"),
    ("trinh_chieu.py", "Trình chiếu và xuất báo cáo", "📽️", "trinh-chieu"),
    ("quan_tri.py", "Tài khoản và nhật ký", "🔐", "quan-tri"),
]

# Strings of Streamlit's frontend that no option changes, said in Vietnamese by CSS: the hint under a text box,
# the tooltip of the full-screen button that Streamlit adds to every chart's mode bar.
FRONTEND_CSS = """<style>
[data-testid="InputInstructions"] > span:first-child { font-size: 0; }
[data-testid="InputInstructions"] > span:first-child::after { content: "Nhấn Enter để áp dụng"; font-size: 0.75rem; }
[data-testid="stForm"] [data-testid="InputInstructions"] > span:first-child::after { content: "Nhấn Enter để gửi"; }
[data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after {
  content: "Nhấn Ctrl+Enter để áp dụng"; }
[data-testid="stForm"] [data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after {
  content: "Nhấn Ctrl+Enter để gửi"; }
.st-key-tim_truong [data-testid="InputInstructions"] > span:first-child::after { content: "Nhấn Enter để tìm"; }
.modebar-btn[data-title="Fullscreen"]::after { content: "Toàn màn hình" !important; }
.modebar-btn[data-title="Close fullscreen"]::after { content: "Thoát toàn màn hình" !important; }
</style>"""


def _page_not_found(ctx) -> None:
    """A link to a page that does not exist (or that the role may not open): Streamlit would answer with its
    English "Page not found" dialog; the default page runs instead, with a Vietnamese notice (shown below)."""
    st.session_state["_trang_khong_co"] = True


_navigation.send_page_not_found = _page_not_found  # looked up by st.navigation at each call

# A folder named pages/ beside app.py makes Streamlit list its files ("app, bieu mau, …") and open each of them
# directly, without this script and its sign-in, until st.navigation has run once in the process. dashboard.serve
# turns that off before the server starts; under a plain `streamlit run app.py` it is off from this first run on
# (this run itself is inside that listing: the sign-in's hidden menu below replaces it).
PagesManager.uses_pages_directory = False


def role_pages() -> list:
    """The pages the session's role may use (all of them before sign-in, for the links to resolve)."""
    pages = [st.Page(f"pages/{file}", title=title, icon=icon, url_path=url, default=file == "tong_quan.py")
             for file, title, icon, url in PAGES if allows(file)]
    # the default page is served at /: its own name stays a working link, hidden from the menu
    pages.append(st.Page("pages/tong_quan_link.py", title="Tổng quan", url_path="tong-quan", visibility="hidden"))
    return pages


# the login form, unless signed in or in single-user local mode; until then the menu is hidden (the page's own link
# stays in the address bar and opens once signed in) and replaces any list Streamlit showed before this script ran
login_gate(hide_menu=lambda: st.navigation(role_pages(), position="hidden"))
page = st.navigation(role_pages(), expanded=True)  # every page listed: no English "View N more" button
st.html(FRONTEND_CSS)
phone_css()
if st.session_state.pop("_trang_khong_co", False):
    st.warning("Không có trang này (đường dẫn sai, hoặc tài khoản không được mở trang này); đang hiện trang "
               f"{page.title}.", icon="🧭")
stop_if_unreadable(database_path())
if database_path().exists():
    render_source()
    stop_if_unreadable(source()[0])  # the snapshot chosen, when it is not the live warehouse
    st.session_state["_filters"] = render_filters()
    sign_in_notice(database_path())  # what changed since the account's last visit: returns, approvals, files sent
page.run()
