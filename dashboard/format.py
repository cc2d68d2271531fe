"""Vietnamese formatting and the colours every page shares (no Streamlit here)."""
from __future__ import annotations

import math

from etl.textnorm import fmt_number

LEVEL_NAMES_4725 = {1: "Mức 1 – Chưa đáp ứng", 2: "Mức 2 – Đáp ứng cơ bản", 3: "Mức 3 – Đáp ứng tốt"}
LEVEL_SHORT = {1: "Mức 1", 2: "Mức 2", 3: "Mức 3"}
LEVEL_COLORS = {1: "#c0392b", 2: "#e6a23c", 3: "#2e8b57"}

STATUS_NAMES = {"met": "Đạt", "on_track": "Đúng tiến độ", "at_risk": "Có nguy cơ", "off_track": "Chậm tiến độ",
                "no_data": "Không có số liệu"}
STATUS_COLORS = {"met": "#2e8b57", "on_track": "#3b82c4", "at_risk": "#e6a23c", "off_track": "#c0392b",
                 "no_data": "#9e9e9e"}
STATUS_ICONS = {"met": "🟢", "on_track": "🔵", "at_risk": "🟠", "off_track": "🔴", "no_data": "⚪"}

COMPUTER_STATUS_NAMES = {"met": "Đạt chuẩn", "not_met": "Chưa đạt", "no_room": "Chưa có phòng máy",
                         "missing_data": "Thiếu số liệu", "no_it_pupils": "Không có HS học Tin học",
                         "not_applicable": "Không áp dụng (mầm non)"}
COMPUTER_STATUS_COLORS = {"met": "#2e8b57", "not_met": "#c0392b", "no_room": "#7b241c", "missing_data": "#9e9e9e",
                          "no_it_pupils": "#bdbdbd", "not_applicable": "#e0e0e0"}

PILLAR_NAMES = {"awareness": "1. Nhận thức số", "institutions": "2. Thể chế số", "infrastructure": "3. Hạ tầng số",
                "data": "4. Dữ liệu số", "platforms": "5. Nền tảng số", "people": "6. Nhân lực số",
                "security": "7. An toàn thông tin", "government": "8. Chính quyền số"}
SEVERITY_NAMES = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}

PLOTLY_SEPARATORS = ",."  # decimal comma, thousands dot: 1.234,5


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0) -> str:
    """1.234 / 1.234,5; a dash for no value."""
    return "–" if is_missing(value) else fmt_number(value, decimals)


def percent(value, decimals: int = 1) -> str:
    return "–" if is_missing(value) else f"{fmt_number(round(value, decimals), decimals)}%"


def period_label(school_year: str, period: str) -> str:
    return f"{'HK I' if period == 'HK1' else 'Cả năm'} {school_year}"


def period_in_text(school_year: str, period: str) -> str:
    """The period inside a sentence: 'HK I 2025-2026', 'cả năm 2024-2025'."""
    return f"{'HK I' if period == 'HK1' else 'cả năm'} {school_year}"


def signed(value, decimals: int = 0, unit: str = "") -> str:
    if is_missing(value):
        return "–"
    text = fmt_number(abs(value), decimals)
    sign = "+" if value > 0 else "-" if value < 0 else "±"  # ASCII minus: st.metric reads it for the arrow
    return f"{sign}{text}{unit}"
