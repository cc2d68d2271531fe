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


_TONE_AFTER = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?!\w)")


def tone_key(text: str) -> str:
    """One place for the tone mark of a word ending in oa, oe or uy: "Thuỷ" and "Thủy", "Hoà" and "Hòa" are the same
    word typed in the two spellings in use (the tone on the second vowel, or the first)."""
    decomposed = unicodedata.normalize("NFD", text)
    if not _TONE_AFTER.search(decomposed):
        return text
    return unicodedata.normalize("NFC", _TONE_AFTER.sub(r"\1\3\2", decomposed))


def _norm_label_uncached(value: object) -> str:
    text = tone_key(clean_text(value).casefold())
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


@lru_cache(maxsize=1 << 16)
def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) -> A1 notation (the same cells come back file after file: each is spelled once)."""
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


# ---- Vietnamese collation ----------------------------------------------------------------------------------

# the letters in Vietnamese alphabetical order; f, j, w, z (foreign names) where the Latin alphabet has them
_VI_LETTERS = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_VI_RANK = {letter: 100 + index for index, letter in enumerate(_VI_LETTERS)}
# tones, the secondary difference, in dictionary order (as CLDR's Vietnamese): ngang, huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_NUMBER_OR_CHAR = re.compile(r"\d+|\s+|.", re.S)


@lru_cache(maxsize=1 << 16)
def vi_sort_key(text: str) -> tuple:
    """Sort key for Vietnamese names: letters in the Vietnamese alphabet (a ă â b c d đ e ê …, so 'Đông' comes
    after 'Dũng' and before 'Hà', not after 'Z' as in byte order), tones only as a secondary difference (Ha < Hà <
    Hả < Hã < Há < Hạ < Hai), case after that (lower first), numbers by their value ('Hưng Phúc' < 'Hưng Phúc 2'
    < 'Hưng Phúc 10'); spaces count once. Use as `sorted(names, key=vi_sort_key)`."""
    text = unicodedata.normalize("NFC", str(text)).strip()
    primary, tones, cases = [], [], []
    for token in _NUMBER_OR_CHAR.findall(text):
        if token[0].isdigit():
            primary.append((1, int(token)))
            tones.append(0)
            cases.append(0)
        elif token[0].isspace():
            primary.append((0, 0))
            tones.append(0)
            cases.append(0)
        else:
            lower = token.lower()
            letter, tone = _letter_and_tone(lower)
            rank = _VI_RANK.get(letter)
            primary.append((2, rank) if rank is not None else (3, ord(letter[0])))
            tones.append(tone)
            cases.append(0 if token == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases), text


def _letter_and_tone(char: str) -> tuple[str, int]:
    """'ặ' -> ('ă', 5): the letter (with its breve, circumflex or horn) and the tone mark's rank."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = 0
    kept = []
    for part in decomposed:
        if part in _TONES:
            tone = _TONES[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def vi_sorted(values) -> list:
    """`values` in Vietnamese alphabetical order (see vi_sort_key)."""
    return sorted(values, key=lambda v: vi_sort_key("" if v is None else str(v)))


@lru_cache(maxsize=1 << 16)
def search_key(text: str) -> str:
    """What a search compares: case and diacritics folded ('Nghi Hải' and 'nghi hai' match), spaces single."""
    return _SPACES.sub(" ", fold(unicodedata.normalize("NFC", str(text))).casefold()).strip()


def matches(text: str, words: str) -> bool:
    """Whether every word of `words` begins a word of `text`, ignoring case and diacritics: 'tue duc' finds
    'Tuệ Đức', 'nghi hai' finds 'Nghi Hải' but not 'Nghi Thái'."""
    haystack = _WORD_STARTS.findall(search_key(text))
    return all(any(word.startswith(wanted) for word in haystack) for wanted in _WORD_STARTS.findall(search_key(words)))


_WORD_STARTS = re.compile(r"\w+")
