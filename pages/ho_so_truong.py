"""Placeholder until the page is built."""
import streamlit as st

from dashboard.ui import page_start

page_start("ho_so_truong")
st.info("Trang đang được xây dựng.")
