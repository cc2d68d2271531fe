"""The frame of the dashboard: page config, the shared filters, the ordered page list, navigation."""
import streamlit as st

from dashboard.data import database_path
from dashboard.ui import render_filters, render_source, source, stop_if_unreadable

st.set_page_config(page_title="Chuyển đổi số ngành Giáo dục", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon="🏠", url_path="tong-quan", default=True),
    st.Page("pages/muc_do_4725.py", title="Mức độ chuyển đổi số (QĐ 4725)", icon="📶", url_path="muc-do-4725"),
    st.Page("pages/may_tinh.py", title="Máy tính dạy Tin học", icon="💻", url_path="may-tinh"),
    st.Page("pages/ke_hoach.py", title="Tiến độ kế hoạch 2025", icon="🎯", url_path="ke-hoach"),
    st.Page("pages/ho_so_truong.py", title="Hồ sơ trường", icon="🏫", url_path="ho-so-truong"),
    st.Page("pages/chat_luong.py", title="Chất lượng dữ liệu", icon="🧪", url_path="chat-luong-du-lieu"),
    st.Page("pages/nap_so_lieu.py", title="Nạp số liệu", icon="📥", url_path="nap-so-lieu"),
    st.Page("pages/bieu_mau.py", title="Tải biểu mẫu", icon="📝", url_path="tai-bieu-mau"),
    st.Page("pages/nop_bao_cao.py", title="Tình hình nộp báo cáo", icon="📬", url_path="nop-bao-cao"),
    st.Page("pages/trinh_chieu.py", title="Trình chiếu và xuất báo cáo", icon="📽️", url_path="trinh-chieu"),
]

page = st.navigation(PAGES)
stop_if_unreadable(database_path())
if database_path().exists():
    render_source()
    stop_if_unreadable(source()[0])  # the snapshot chosen, when it is not the live warehouse
    st.session_state["_filters"] = render_filters()
page.run()
