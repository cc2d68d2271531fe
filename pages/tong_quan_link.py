"""/tong-quan: the overview's own name as a link. The default page lives at /, so without this page a link to
/tong-quan showed Streamlit's English "Page not found"."""
import streamlit as st

st.switch_page("pages/tong_quan.py")
