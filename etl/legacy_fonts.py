"""Repair Vietnamese text typed in the legacy 8-bit fonts TCVN3 (.VnTime) and VNI.

Such text reaches Unicode spreadsheets as mojibake: the font's bytes read as Windows-1252
("Tr\u00adêng TiÓu häc" for TCVN3, "Tröôøng Tieåu hoïc" for VNI). We detect it, convert it with
both tables and keep the reading that gives valid Vietnamese syllables.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# TCVN3 (ABC): one byte per precomposed lowercase letter; capitals other than Ă Â Ê Ô Ơ Ư Đ
# were typed with the capital font (.VnTimeH) over the same codes.
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_DECODE = {bytes([b]).decode("cp1252"): u for b, u in _TCVN3.items()}
_TCVN3_ENCODE = {u: m for m, u in _TCVN3_DECODE.items()}

# VNI: a base letter followed by a modifier byte; ơ, ư, đ and some i/y forms are single bytes.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HATS = {  # modifier -> (shape, tone)
    "â": ("^", ""), "á": ("^", "\u0301"), "à": ("^", "\u0300"), "å": ("^", "\u0309"),
    "ã": ("^", "\u0303"), "ä": ("^", "\u0323"),
    "ê": ("(", ""), "é": ("(", "\u0301"), "è": ("(", "\u0300"), "ú": ("(", "\u0309"),
    "ü": ("(", "\u0303"), "ë": ("(", "\u0323"),
}
_VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}
_SHAPE = {"^": "\u0302", "(": "\u0306"}

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VIET_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_TCVN3_ONLY = set(_TCVN3_DECODE) - _VIET_LATIN1
_VNI_ONLY = {"ö", "ø", "û", "ï", "å", "ä", "ë", "ü", "æ", "ñ", "î", "Ö", "Ø", "Û", "Ï", "Å",
             "Ä", "Ë", "Ü", "Æ", "Ñ", "Î"}
_WORD = re.compile(r"\w+", re.UNICODE)


def decode_tcvn3(text: str) -> str:
    out = "".join(_TCVN3_DECODE.get(ch, ch) for ch in text)
    letters = [c for c in text if c.isalpha() and c.isascii()]
    if letters and all(c.isupper() for c in letters):  # typed in the capital font .VnTimeH
        out = out.upper()
    return out


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 mojibake (for the sample generator and tests)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_ENCODE:
            out.append(_TCVN3_ENCODE[ch])
        elif ch.lower() in _TCVN3_ENCODE and ch.isupper():
            out.append(_TCVN3_ENCODE[ch.lower()])  # capital font: same code as the lowercase
        else:
            out.append(ch)
    return "".join(out)


def decode_vni(text: str) -> str:
    out: list[str] = []
    for ch in text:
        prev = out[-1] if out else ""
        low = ch.lower()
        if prev and prev.lower() in "aeo" and low in _VNI_HATS and _hat_fits(prev, _VNI_HATS[low][0]):
            shape, tone = _VNI_HATS[low]
            out[-1] = unicodedata.normalize("NFC", prev + _SHAPE[shape] + tone)
        elif prev and low in _VNI_TONES and _takes_tone(prev):
            out[-1] = unicodedata.normalize("NFC", prev + _VNI_TONES[low])
        elif ch in _VNI_SINGLE:
            out.append(_VNI_SINGLE[ch])
        else:
            out.append(ch)
    return "".join(out)


def _hat_fits(base: str, shape: str) -> bool:
    return shape == "^" or base.lower() == "a"


def _takes_tone(base: str) -> bool:
    decomposed = unicodedata.normalize("NFD", base)
    return decomposed[0].lower() in "aeiouy" and not (_TONE_MARKS & set(decomposed[1:]))


def encode_vni(text: str) -> str:
    """Unicode -> VNI mojibake (for the sample generator and tests)."""
    single = {v: k for k, v in _VNI_SINGLE.items() if k not in "íìÍÌ"}
    tone_code = {v: k for k, v in _VNI_TONES.items()}
    hat_code = {v: k for k, v in _VNI_HATS.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in single:
            out.append(single[ch])
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if not marks or not base.isalpha():
            out.append(ch)
            continue
        tone = next((m for m in marks if m in _TONE_MARKS), "")
        shape = next((s for s, m in _SHAPE.items() if m in marks), "")
        horn = "\u031b" in marks
        if horn:
            base = single[{"O": "Ơ", "o": "ơ", "U": "Ư", "u": "ư"}[base]]
        code = hat_code.get((shape, tone)) if shape else tone_code.get(tone, "")
        if code and base.isupper():
            code = code.upper()
        out.append(base + (code or ""))
    return "".join(out)


_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy "
    "ưa ưi ươ ưu yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu"
).split()
_SYLLABLE = re.compile(
    _ONSET + "(?:" + "|".join(sorted(_NUCLEI, key=len, reverse=True)) + ")(?:ch|ng|nh|[cmnpt])?"
)
_MIDWORD_CAPITAL = re.compile("[a-z][\u00c0-\u00dd]")  # TCVN3 "TiÓu": lowercase codes that look like capitals
_VNI_PAIR = re.compile("[aeoAEO][âáàåãäêéèúüëùøûõïÂÁÀÅÃÄÊÉÈÚÜËÙØÛÕÏ]|[ôöÔÖ][ùøûõïÙØÛÕÏ]")


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in decomposed if c in _TONE_MARKS) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return bool(_SYLLABLE.fullmatch(bare))


_ABBREVIATION = re.compile(r"^[BCDĐGHKLMNPQRSTVX]{2,6}$")  # QĐ, THCS, UBND, GDĐT: no vowel, upper case


def _syllable_penalty(text: str) -> int:
    """Words that cannot be Vietnamese syllables (abbreviations aside), plus leftover legacy-font bytes."""
    bad = sum(1 for word in _WORD.findall(text)
              if not word.isdigit() and not _is_syllable(word) and not _ABBREVIATION.match(word))
    return bad + len(_LEGACY_ONLY.findall(text))


_BEYOND_LATIN1 = re.compile("[^\x00-\xff\u2013\u2014\u2018\u2019\u201c\u201d]")  # Unicode Vietnamese, not mojibake
_LEGACY_ONLY = re.compile("[" + re.escape("".join(sorted(_TCVN3_ONLY | _VNI_ONLY))) + "]")


def looks_legacy(text: str) -> bool:
    """Regular expressions, not loops over characters: a cell may hold 32,767 of them."""
    if not text or text.isascii() or _BEYOND_LATIN1.search(text):
        return False
    return bool(_LEGACY_ONLY.search(text) or _VNI_PAIR.search(text) or _MIDWORD_CAPITAL.search(text))


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Return (text, encoding fixed or None). Unicode text passes through unchanged."""
    if not looks_legacy(text):
        return text, None
    # On a tie, VNI's base-letter-plus-modifier pairs without any TCVN3-only byte decide.
    vni_first = bool(_VNI_PAIR.search(text)) and not any(c in _TCVN3_ONLY for c in text)
    # unchanged wins a tie, unless a capital sits inside a word ("phÝ"): Unicode Vietnamese never does that
    candidates = [(_syllable_penalty(text), 2 if _MIDWORD_CAPITAL.search(text) else -1, text, None)]
    for rank, name, decode in ((int(vni_first), "TCVN3", decode_tcvn3), (1 - int(vni_first), "VNI", decode_vni)):
        candidate = decode(text)
        candidates.append((_syllable_penalty(candidate), rank, candidate, name))
    _, _, fixed, name = min(candidates)
    return fixed, name


_FIELD = re.compile(r"[^,;\t\r\n\"]+")


def reading_penalty(text: str, limit: int = 3000) -> tuple[int, int]:
    """(bad, words): of the words with non-ASCII letters, how many are not Vietnamese syllables; it tells how far
    one decoding of a file is from Vietnamese. Leftover legacy-font bytes, control characters (bytes a code page
    leaves undefined) and combining marks that did not compose count as bad words too."""
    bad = words = 0
    for cell in _FIELD.findall(text):
        if cell.isascii():
            continue
        cell = unicodedata.normalize("NFC", cell)
        found = [w for w in _WORD.findall(cell) if not w.isascii()]
        words += len(found)
        bad += sum(1 for w in found if not _is_syllable(w))
        bad += sum(1 for c in cell if "\u0080" <= c <= "\u009f" or c in _TCVN3_ONLY or c in _VNI_ONLY
                   or unicodedata.combining(c))
        if words >= limit:
            break
    return bad, words


def decode_fields(text: str, decode) -> str:
    """A legacy-font decoder applied to every field of a delimited text that has non-ASCII letters."""
    return _FIELD.sub(lambda m: m.group() if m.group().isascii() else decode(m.group()), text)


DECODERS = {"TCVN3": decode_tcvn3, "VNI": decode_vni}


def sheet_font(texts) -> str | None:
    """'TCVN3' or 'VNI' when a sheet was typed in a legacy font: at least two cells are unmistakably in that font
    and no more cells are unmistakably Unicode Vietnamese. Short cells such as "Sè líp" (Số lớp) cannot tell by
    themselves; the sheet's font decides for them."""
    legacy = {"TCVN3": 0, "VNI": 0}
    unicode_cells = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        kind = _cell_font(text) if len(text) <= 256 else _cell_font.__wrapped__(text)
        if kind == "unicode":
            unicode_cells += 1
        elif kind:
            legacy[kind] += 1
    font = max(legacy, key=legacy.get)
    return font if legacy[font] >= 2 and legacy[font] >= unicode_cells else None


@lru_cache(maxsize=1 << 16)
def _cell_font(text: str) -> str | None:
    """'TCVN3' or 'VNI' for a cell unmistakably in that font, 'unicode' for Unicode Vietnamese, else None."""
    if looks_legacy(text):
        return fix_legacy_text(text)[1]
    return "unicode" if any(ord(c) > 0xFF for c in text) else None


def fix_legacy_in(text: str, font: str | None, known: frozenset[str] = frozenset()) -> str:
    """fix_legacy_text, and for a cell of Latin-1 letters only ("Sè líp" or "Có phòng studio") in a sheet typed in
    `font`: both readings are often valid syllables, so the one with more words `known` (the catalogue's labels)
    wins, or the one with fewer invalid words; the cell as it is wins a tie (a sheet may mix fonts)."""
    if font and not text.isascii() and all(ord(c) <= 0xFF for c in text):
        candidate = DECODERS[font](text)
        ours, theirs = _syllable_penalty(candidate), _syllable_penalty(text)
        if ours != theirs:
            return candidate if ours < theirs else fix_legacy_text(text)[0]
        known_ours, known_theirs = _known_words(candidate, known), _known_words(text, known)
        if known_ours != known_theirs:
            return candidate if known_ours > known_theirs else text
        if looks_legacy(text):  # "phÝ" in a TCVN3 sheet: the sheet's font decides what is left of a tie
            return candidate
    return fix_legacy_text(text)[0]


def _known_words(text: str, known: frozenset[str]) -> int:
    return sum(1 for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold()) if word in known)
