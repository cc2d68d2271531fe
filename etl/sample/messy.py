"""How people type values into spreadsheets: the renderings the loader must undo."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..legacy_fonts import encode_tcvn3, encode_vni
from .registry import LEVEL_PREFIX, School

BOOL_WORDS = {
    "co_khong": ("Có", "Không"), "c_k": ("C", "K"), "dat": ("Đạt", "Chưa đạt"),
    "yes_no": ("Yes", "No"), "x_blank": ("x", None), "one_zero": (1, 0),
}
UNITS = ("", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class Style:
    """How one file writes values."""
    bools: str = "co_khong"
    ints: str = "number"  # number | dot_text (thousands as "1.234", text) | text
    # number (85) | pct_text ("85%") | pct_space ("85 %") | frac_text ("0,85") | frac_number (0.85)
    percent: str = "number"
    none: str = "blank"  # blank | dash  (only used where the truth is None)
    nfd: bool = False  # text cells in NFD


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def dot_thousands(n: int) -> str:
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def comma_decimal(x: float, digits: int | None = None) -> str:
    text = f"{x:.{digits}f}" if digits is not None else repr(float(x))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",")


def render_bool(value, style: Style):
    if value is None:
        return None
    yes, no = BOOL_WORDS[style.bools]
    out = yes if value else no
    return nfd(out) if style.nfd and isinstance(out, str) else out


def render_int(value, style: Style):
    if value is None:
        return "-" if style.none == "dash" else None
    if style.ints == "dot_text" and abs(value) >= 1000:
        return dot_thousands(value)
    if style.ints == "text":
        return dot_thousands(value)
    return value


def render_percent(value, style: Style):
    if value is None:
        return None
    shown = int(value) if value == int(value) else value
    if style.percent == "pct_text":
        return f"{comma_decimal(shown)}%"
    if style.percent == "pct_space":
        return f"{comma_decimal(shown)} %"
    if style.percent == "frac_text":
        return comma_decimal(value / 100, 3 if value * 10 % 10 else 2)
    if style.percent == "frac_number":
        return round(value / 100, 4)
    return shown


def render_text(value, style: Style):
    if value is None:
        return None
    return nfd(value) if style.nfd else value


def render(field_type: str, value, style: Style):
    if field_type == "bool":
        return render_bool(value, style)
    if field_type == "int":
        return render_int(value, style)
    if field_type == "percent":
        return render_percent(value, style)
    if field_type == "number":
        return value
    return render_text(value, style)


def number_words(n: int) -> str:
    """Vietnamese words for 1..99 ("mười hai", "hai mươi mốt")."""
    tens, unit = divmod(n, 10)
    if tens == 0:
        return UNITS[unit]
    head = "mười" if tens == 1 else f"{UNITS[tens]} mươi"
    if unit == 0:
        return head
    tail = {1: "mốt" if tens > 1 else "một", 5: "lăm", 4: "tư" if tens > 1 else "bốn"}.get(unit, UNITS[unit])
    return f"{head} {tail}"


def name_variant(school: School, kind: str) -> str:
    """A school name as a person might write it; all variants keep the core name."""
    name = school.name
    if kind == "no_truong":
        return name.removeprefix("Trường ")
    if kind == "short":
        return school.core_name
    if kind == "abbrev":
        short = {"MN": "MN ", "TH": "TH ", "THCS": "THCS ", "TH_THCS": "TH&THCS "}[school.level]
        return short + name[len(LEVEL_PREFIX[school.level]):]
    if kind == "double_space":
        prefix = LEVEL_PREFIX[school.level]
        return prefix.rstrip() + "  " + name[len(prefix):]
    if kind == "nfd":
        return nfd(name)
    if kind == "tcvn3":
        return encode_tcvn3(name)
    if kind == "vni":
        return encode_vni(name)
    if kind == "upper":
        return name.upper()
    return name
