"""Vietnamese formatting and the colours every page shares (no Streamlit here)."""
from __future__ import annotations

import html
import math
import re

from etl.textnorm import fmt_number

LEVEL_NAMES_4725 = {1: "Mức 1 – Chưa đáp ứng", 2: "Mức 2 – Đáp ứng cơ bản", 3: "Mức 3 – Đáp ứng tốt"}
LEVEL_SHORT = {1: "Mức 1", 2: "Mức 2", 3: "Mức 3"}
# Colours that stay apart for red-green (and blue-yellow) colour blindness: red / amber / blue, never red / green;
# the worst category also carries a hatch pattern, and every chart labels its bars or legend in words.
# tests/test_accessibility.py checks the distances under simulated deuteranopia, protanopia and tritanopia.
LEVEL_COLORS = {1: "#c0392b", 2: "#f0b840", 3: "#1f6fb5"}
LEVEL_PATTERNS = {1: "/", 2: "", 3: ""}

STATUS_NAMES = {"met": "Đạt", "on_track": "Đúng tiến độ", "at_risk": "Có nguy cơ", "off_track": "Chậm tiến độ",
                "no_data": "Không có số liệu"}
STATUS_COLORS = {"met": "#1f6fb5", "on_track": "#8cc4ec", "at_risk": "#f0b840", "off_track": "#c0392b",
                 "no_data": "#9e9e9e"}
STATUS_PATTERNS = {"met": "", "on_track": "", "at_risk": "", "off_track": "/", "no_data": "."}
STATUS_ICONS = {"met": "✅", "on_track": "🔵", "at_risk": "🟠", "off_track": "🔴", "no_data": "⚪"}  # shapes differ too

COMPUTER_STATUS_NAMES = {"met": "Đạt chuẩn", "not_met": "Chưa đạt", "no_room": "Chưa có phòng máy",
                         "missing_data": "Thiếu số liệu", "no_it_pupils": "Không có HS học Tin học",
                         "not_applicable": "Không áp dụng (mầm non)"}
COMPUTER_STATUS_COLORS = {"met": "#1f6fb5", "not_met": "#c0392b", "no_room": "#5a1a10", "missing_data": "#7f7f7f",
                          "no_it_pupils": "#b8b8b8", "not_applicable": "#e6e6e6"}
COMPUTER_STATUS_PATTERNS = {"met": "", "not_met": "/", "no_room": "x", "missing_data": ".", "no_it_pupils": "",
                            "not_applicable": ""}

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
    return "–" if is_missing(value) else f"{fmt_number(value, decimals)}%"  # rounded half up once, like number()


def period_label(school_year: str, period: str) -> str:
    return f"{'HK I' if period == 'HK1' else 'Cả năm'} {school_year}"


def period_in_text(school_year: str, period: str) -> str:
    """The period inside a sentence: 'HK I 2025-2026', 'cả năm 2024-2025'."""
    return f"{'HK I' if period == 'HK1' else 'cả năm'} {school_year}"


def period_words(text) -> str:
    """'2025-2026 HK1,2024-2025 4725' (periods as the load log keeps them) as people read them:
    'HK I 2025-2026, QĐ 4725 năm học 2024-2025'."""
    words = []
    for key in str(text or "").split(","):
        year, _, period = key.strip().partition(" ")
        if year:
            words.append(f"QĐ 4725 năm học {year}" if period == "4725" else period_label(year, period))
    return ", ".join(words)


def signed(value, decimals: int = 0, unit: str = "") -> str:
    if is_missing(value):
        return "–"
    text = fmt_number(abs(value), decimals)
    sign = "+" if value > 0 else "-" if value < 0 else "±"  # ASCII minus: st.metric reads it for the arrow
    return f"{sign}{text}{unit}"


# ---- text from files, URLs and users, made inert -----------------------------------------------------------

_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$&"
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in _MARKDOWN_SPECIAL} | {"\r": " ", "\n": " "})
WORD_JOINER = "\u2060"  # invisible; breaks the patterns Streamlit turns into links and icons after unescaping
_AUTOLINK = re.compile(r"(?<=[:@])(?=\S)|(?<=www)(?=\\\.)", re.IGNORECASE)


def md_text(value) -> str:
    """`value` (a school name, a file name, a URL parameter...) as literal text inside Streamlit markdown (st.title,
    st.header, st.caption, st.info..., metric and widget labels, st.radio options): every markdown and HTML
    character is backslash-escaped, so no link, image, emphasis, heading, list, table, HTML tag, entity or LaTeX
    ($) comes out of it; line breaks become spaces; an invisible word joiner follows a ':' or '@' glued to the
    next character and splits 'www.', because Streamlit turns bare URLs, e-mail addresses and ':material/…:'
    icons into elements after the escapes are resolved. None is ''."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", " ").translate(_MARKDOWN_ESCAPES)
    return _AUTOLINK.sub(WORD_JOINER, text)


def plotly_text(value):
    """`value` as literal text in a Plotly label (title, tick label, hover text, legend, annotation): Plotly reads
    a subset of HTML (<a href>, <b>, <br>, <span style>...) and entities, so '&', '<' and '>' become entities;
    '$' becomes an entity too (Plotly hands $...$ to MathJax where it is loaded, as in kaleido's exports);
    line breaks become spaces. Non-text values (numbers, None) are returned unchanged."""
    if not isinstance(value, str):
        return value
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("$", "&#36;")
            .replace("\r\n", " ").replace("\r", " ").replace("\n", " "))


def html_text(value) -> str:
    """`value` as text inside the project's own HTML (st.markdown with unsafe_allow_html): every tag and quote
    escaped, line breaks spaces (a blank line would end the HTML block and let markdown in)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
