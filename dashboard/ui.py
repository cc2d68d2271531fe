"""Streamlit pieces every page uses: the warehouse handle, the synthetic-data banner, empty states."""
from __future__ import annotations

import streamlit as st

from dashboard.data import Warehouse, database_path

SYNTHETIC_NOTICE = ("Dữ liệu giả lập: số liệu trên trang này được tạo tự động để minh họa, "
                    "không phải số liệu thật của các trường.")


@st.cache_resource
def _warehouse(path: str) -> Warehouse:
    return Warehouse(path)


def warehouse() -> Warehouse | None:
    """The warehouse, or None after telling the user how to build it."""
    wh = _warehouse(str(database_path()))
    if not wh.exists():
        st.error(f"Chưa có kho dữ liệu ({wh.path}). Hãy nạp số liệu: `python -m etl registry <danh mục>` rồi "
                 "`python -m etl load <thư mục>` (hoặc chạy `make run` để dùng dữ liệu mẫu).")
        return None
    return wh


def page_header(title: str, wh: Warehouse) -> None:
    st.title(title)
    if wh.is_synthetic():
        st.warning(SYNTHETIC_NOTICE, icon="⚠️")
