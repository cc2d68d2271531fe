"""Text normalisation for labels, names and values (DOMAIN §5)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from etl.legacy_fonts import fix_legacy_in, fix_legacy_text

_SPACES = re.compile(r"\s+")
_ENUMERATION = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)*\.?\)?|[ivxlc]+\.|[a-zđ]\)|[-–•+*])\s+", re.I)
_TRAILING = re.compile(r"[\s:：;.*]+$")
_PARENS = re.compile(r"\s*\([^)]*\)\s*")


def clean_text(value: object, font: str | None = None, known: frozenset[str] = frozenset()) -> str:
    """A cell as readable Vietnamese text: legacy fonts repaired (in the sheet's `font`, when known, with the
    catalogue's words `known` to decide short cells), NFC, single spaces. A text is cleaned once per process: a
    load sees the same labels, names and codes thousands of times."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) <= _CACHED_LENGTH:
        return _clean_str(value, font, known)
    return _clean(str(value), font, known)


_CACHED_LENGTH = 256  # labels, names, codes; a long note is cleaned each time rather than kept


@lru_cache(maxsize=1 << 16)
def _clean_str(text: str, font: str | None, known: frozenset[str]) -> str:
    return _clean(text, font, known)


def _clean(text: str, font: str | None, known: frozenset[str]) -> str:
    text = fix_legacy_in(text, font, known) if font else fix_legacy_text(text)[0]
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def norm_label(value: object) -> str:
    """Key for matching a header or form label: cleaned, case-folded, numbering and colons removed."""
    return _norm_label(value) if isinstance(value, str) and len(value) <= _CACHED_LENGTH else \
        _norm_label_uncached(value)


@lru_cache(maxsize=1 << 16)
def _norm_label(value: str) -> str:
    return _norm_label_uncached(value)


def _norm_label_uncached(value: object) -> str:
    text = clean_text(value).casefold()
    text = _ENUMERATION.sub("", text)
    text = _TRAILING.sub("", text)
    return text.strip()


def without_parens(label: str) -> str:
    return _SPACES.sub(" ", _PARENS.sub(" ", label)).strip()


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Diacritic-insensitive key (fallback matching only)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str, sep: str = "_") -> str:
    """ASCII file-name part: 'Sơ kết HK I' -> 'so_ket_hk_i' (empty when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9]+", sep, fold(text)).strip(sep).lower()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) -> A1 notation."""
    return f"{column_letter(col)}{row + 1}"


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """Vietnamese number format: 1.234,5 (dot for thousands, comma for decimals)."""
    if value is None:
        return "–"
    from decimal import ROUND_HALF_UP, Decimal

    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        text = f"{int(rounded):,}"  # 2,0 reads as 2
    else:
        text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def safe_name(text: str) -> str:
    """A file, sheet or snapshot name as it may be printed: control and direction characters (a newline that would
    forge a report line, a right-to-left override) shown as escapes, never acted on."""
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
