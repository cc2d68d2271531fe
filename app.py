"""The frame of the dashboard: page config, the ordered page list, navigation."""
import streamlit as st

st.set_page_config(page_title="Chuyển đổi số ngành Giáo dục", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/du_lieu.py", title="Dữ liệu đã nạp", icon="🗂️", url_path="du-lieu", default=True),
]
st.navigation(pages).run()
