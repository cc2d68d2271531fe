"""Parsers for values as people type them (DOMAIN §5). Each raises ValueError with a Vietnamese message."""
from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from etl.legacy_fonts import decode_tcvn3, decode_vni
from etl.textnorm import clean_text, fold

EMPTY_MARKS = {"", "-", "–", "—", "_", "--", "x/", "n/a", "không có số liệu"}
TRUE_WORDS = {"có", "c", "x", "✓", "✔", "v", "đạt", "1", "yes", "y", "true", "đã", "rồi", "có sử dụng"}
FALSE_WORDS = {"không", "k", "0", "no", "n", "false", "chưa đạt", "chưa", "không đạt", "không có", "kh"}
CHECK_MARKS = {"x", "✓", "✔", "v"}

_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")


def show(raw: object) -> str:
    """How a raw value is quoted in a message."""
    if isinstance(raw, float) and (not math.isfinite(raw) or abs(raw) >= 1e15):
        return f'"{raw:g}"'
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = clean_text(raw)
    return f'"{text[:80]}…"' if len(text) > 80 else f'"{text}"'


def is_empty(raw: object) -> bool:
    """A blank cell or a dash. NaN is not empty: a cell holding it says something went wrong where it was made."""
    if raw is None:
        return True
    return isinstance(raw, str) and clean_text(raw).casefold() in EMPTY_MARKS


LARGEST = 1e12  # no count or amount of a school comes near; past it a number is a typing or export accident


def _text_to_number(text: str, integer: bool) -> float:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(compact):
        raise ValueError
    sign = -1 if compact.startswith("-") else 1
    body = compact.lstrip("+-")
    if "." in body and "," in body:  # 1.234,5 (Vietnamese) or 1,234.5 (English)
        if body.rfind(",") > body.rfind("."):
            body = body.replace(".", "").replace(",", ".")
        else:
            body = body.replace(",", "")
    elif body.count(".") > 1 or re.fullmatch(r"[1-9][0-9]{0,2}\.[0-9]{3}", body):
        body = body.replace(".", "")  # dots as thousands separators: 1.234 or 1.234.567 (never 0.105)
    elif body.count(",") > 1 or (integer and re.fullmatch(r"[1-9][0-9]{0,2},[0-9]{3}", body)):
        body = body.replace(",", "")
    else:
        body = body.replace(",", ".")  # 1,5 is one and a half
    return sign * float(body)


# a count typed as an approximation or a range: a guessed number is worse than a question (DOMAIN §5)
_APPROX = re.compile(r"^(?:khoảng|khoảng chừng|chừng|tầm|gần|hơn|trên|dưới|ít nhất|tối thiểu|tối đa|xấp xỉ|ước tính|"
                     r"ước chừng|ước|độ|cỡ|có khoảng|có hơn|gần như|~|≈|>=?|<=?|±)\s*[0-9]|"
                     r"[0-9]\s*(?:\+|trở lên|trở xuống|hơn|có lẻ|\.\.\.|…)$|^[0-9]+\s*[-–]\s*[0-9]+\s*[^\W\d_]*$", re.I)
NONE_WORDS = {"không có", "không", "chưa có", "chưa", "ko", "ko có", "k có", "không có ạ", "chưa có ạ", "không có gì",
              "không có máy", "không có phòng", "chưa trang bị", "không trang bị"}
_NUMBER_AND_WORD = re.compile(r"^([+-]?[0-9][0-9.,\s\u00a0]*?)\s*([^\W\d_][\w ./]*?)\.?$")


def split_unit(raw: object, words) -> tuple[object, str | None]:
    """ "25 máy" with "máy" among the field's unit words -> ("25", "máy"); anything else -> (raw, None)."""
    if not isinstance(raw, str) or not words:
        return raw, None
    words = (words,) if isinstance(words, str) else words
    match = _NUMBER_AND_WORD.match(clean_text(raw))
    if match and match.group(2).casefold() in {w.casefold() for w in words}:
        return match.group(1).strip(), match.group(2)
    return raw, None


def number_problem(raw: object) -> str:
    """Why a typed value is not a number, and what to type instead."""
    text = clean_text(raw)
    key = text.casefold().rstrip(".")
    if key in NONE_WORDS:
        return f"{show(raw)} không phải là số; nếu không có thì ghi 0"
    if _APPROX.search(key):
        return f"{show(raw)} là số ước lượng; hãy ghi số chính xác (chỉ gõ chữ số, ví dụ 30)"
    if (match := _NUMBER_AND_WORD.match(text)) is not None:
        return f"{show(raw)} có chữ \"{match.group(2)}\" kèm theo số; hãy chỉ gõ số (ví dụ {match.group(1).strip()})"
    return f"{show(raw)} không phải là số"


def parse_number(raw: object, integer: bool = False, unit=()) -> float | int | None:
    if is_empty(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{show(raw)} không phải là số")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if math.isnan(value):
            raise ValueError("ô chứa giá trị NaN (không phải số), thường do phần mềm xuất tệp bị lỗi")
    elif isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise ValueError(f"{show(raw)} là ngày tháng, không phải là số")
    else:
        text = clean_text(split_unit(raw, unit)[0])
        try:
            value = _text_to_number(text, integer)
        except ValueError:
            raise ValueError(number_problem(raw)) from None
    if not math.isfinite(value) or abs(value) >= LARGEST:
        raise ValueError(f"{show(raw)} quá lớn, không phải số liệu của một trường (lớn hơn 1.000 tỷ)")
    if integer:
        if not value.is_integer():
            raise ValueError(f"{show(raw)} không phải là số nguyên")
        return int(value)
    return value


def parse_int(raw: object, unit=()) -> int | None:
    return parse_number(raw, integer=True, unit=unit)


def parse_percent(raw: object, fraction: bool = False) -> float | None:
    """85, 85%, "85 %", 0.85 and 0,85 all mean 85 percent; with `fraction` (a cell formatted as %, or a
    column of fractions) a number is a fraction, so 1 means 100 percent."""
    if is_empty(raw):
        return None
    if fraction and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return round(float(raw) * 100, 6)
    if fraction and isinstance(raw, str) and "%" not in raw:  # "0,85" in a column of fractions typed as text
        try:
            number = parse_number(raw)
        except ValueError:
            raise ValueError(f"{show(raw)} không phải là tỷ lệ phần trăm") from None
        return None if number is None else round(number * 100, 6)
    text = clean_text(raw) if isinstance(raw, str) else raw
    had_sign = isinstance(text, str) and text.rstrip().endswith("%")
    if had_sign:
        text = text.rstrip().rstrip("%").rstrip("%").strip()
    try:
        value = parse_number(text)
    except ValueError:
        raise ValueError(f"{show(raw)} không phải là tỷ lệ phần trăm") from None
    if value is not None and not had_sign and 0 < value < 1:
        value *= 100
    return None if value is None else round(value, 6)


def _legacy_variants(text: str) -> list[str]:
    return [text, clean_text(decode_tcvn3(text)), clean_text(decode_vni(text))]


def parse_bool(raw: object) -> bool | None:
    if raw is None or (isinstance(raw, str) and clean_text(raw) == ""):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    word = clean_text(raw).casefold().rstrip(".")  # the usual case first, before any legacy-font reading
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    for variant in _legacy_variants(str(raw)):
        word = clean_text(variant).casefold().rstrip(".")
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(f"{show(raw)} không phải là Có/Không")


_YEAR = re.compile(r"(20[0-9]{2})\s*[-–—/]\s*((?:20)?[0-9]{2})(?![0-9])")


def find_school_year(text: str) -> str | None:
    """The first school year written in a text, as YYYY-YYYY; None if there is none."""
    match = _YEAR.search(clean_text(text))
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    second_full = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    if second_full != first + 1:
        raise ValueError(f'năm học "{match.group(0)}" không hợp lệ (năm sau phải bằng năm trước + 1)')
    return f"{first}-{second_full}"


def parse_school_year(raw: object) -> str | None:
    if is_empty(raw):
        return None
    year = find_school_year(str(raw))
    if year is None:
        raise ValueError(f"{show(raw)} không phải là năm học (ví dụ 2024-2025)")
    return year


_HK1 = re.compile(r"\b(hk\s*(i|1)|học kỳ\s*(i|1)|học kì\s*(i|1)|sơ kết|giữa năm|kỳ\s*(i|1))\b")
_CN = re.compile(r"\b(cn|cả năm|cuối năm|tổng kết|hk\s*(ii|2)|học kỳ\s*(ii|2)|học kì\s*(ii|2)|kỳ\s*(ii|2))\b")


def find_period(text: str) -> str | None:
    """HK1 or CN from a title or file name; "So_ket", "Tong_ket", "Ca_nam" (no diacritics) count too."""
    key = clean_text(text).casefold().replace("_", " ").replace("-", " ")
    hk1, cn = _HK1.search(key), _CN.search(key)
    if not hk1 and not cn:
        bare = fold(key)
        hk1, cn = _HK1_FOLDED.search(bare), _CN_FOLDED.search(bare)
    if hk1 and cn:
        return "HK1" if hk1.start() < cn.start() else "CN"
    return "HK1" if hk1 else "CN" if cn else None


_HK1_FOLDED = re.compile(r"\b(hoc ky\s*(i|1)|hoc ki\s*(i|1)|so ket|giua nam|ky\s*(i|1))\b")
_CN_FOLDED = re.compile(r"\b(ca nam|cuoi nam|tong ket|hoc ky\s*(ii|2)|hoc ki\s*(ii|2)|ky\s*(ii|2))\b")


def parse_period(raw: object) -> str | None:
    if is_empty(raw):
        return None
    period = find_period(str(raw))
    if period is None:
        raise ValueError(f"{show(raw)} không phải là kỳ báo cáo (Học kỳ I hoặc Cả năm)")
    return period


_LEVELS = [  # most specific first
    ("TH_THCS", ("th&thcs", "th & thcs", "th-thcs", "th - thcs", "th và thcs", "tiểu học và thcs",
                 "tiểu học và trung học cơ sở", "liên cấp", "th_thcs", "th, thcs")),
    ("THCS", ("trung học cơ sở", "thcs")),
    ("TH", ("tiểu học", "th")),
    ("MN", ("mầm non", "mẫu giáo", "nhà trẻ", "mn")),
]


def find_level(text: str) -> str | None:
    """The school level a text names ("TRƯỜNG THCS …", "II. TIỂU HỌC"), or None; a text is looked at once."""
    return _find_level(text) if isinstance(text, str) and len(text) <= 256 else _find_level_uncached(text)


@lru_cache(maxsize=1 << 14)
def _find_level(text: str) -> str | None:
    return _find_level_uncached(text)


def _find_level_uncached(text: str) -> str | None:
    key = clean_text(text).casefold()
    for code, words in _LEVELS:
        for word in words:
            if re.search(rf"(?<![\w&]){re.escape(word)}(?![\w&])", key):
                return code
    return None


def parse_level(raw: object) -> str | None:
    if is_empty(raw):
        return None
    level = find_level(str(raw))
    if level is None:
        raise ValueError(f"{show(raw)} không phải là cấp học (Mầm non, Tiểu học, THCS, TH&THCS)")
    return level


_OWNERSHIP = {
    "cong_lap": ("công lập", "cl", "cong lap", "cong_lap"),
    "tu_thuc": ("tư thục", "ngoài công lập", "ncl", "dân lập", "tt", "tu thuc", "tu_thuc"),
}


def parse_ownership(raw: object) -> str | None:
    if is_empty(raw):
        return None
    key = clean_text(raw).casefold()
    for code, words in _OWNERSHIP.items():
        if key in words or fold(key) in {fold(w) for w in words}:
            return code
    raise ValueError(f"{show(raw)} không phải là loại hình (Công lập hoặc Tư thục)")


def parse_text(raw: object) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = clean_text(raw)
    return text or None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def parse_date(raw: object) -> dt.date | None:
    """dd/mm/yyyy, dd/mm/yy, yyyy-mm-dd, and the deadlines offices write: "Tháng 10/2025" and "Quý IV/2025"
    (the last day of that month or quarter), "Năm 2025" (31/12)."""
    if is_empty(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = clean_text(raw).casefold()
    attempts = [
        (r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", lambda m: dt.date(int(m[3]), int(m[2]), int(m[1]))),
        (r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{2})", lambda m: dt.date(2000 + int(m[3]), int(m[2]), int(m[1]))),
        (r"([0-9]{4})-([0-9]{2})-([0-9]{2})", lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),
        (r"(?:tháng|th)\s*([0-9]{1,2})\s*[/.-]\s*([0-9]{4})", lambda m: _month_end(int(m[2]), int(m[1]))),
        (r"quý\s*(iv|iii|ii|i|[1-4])\s*[/.-]?\s*(?:năm\s*)?([0-9]{4})",
         lambda m: _month_end(int(m[2]), 3 * _ROMAN[m[1]])),
        (r"(?:năm\s*)?([0-9]{4})", lambda m: dt.date(int(m[1]), 12, 31)),
    ]
    for pattern, build in attempts:
        if match := re.fullmatch(pattern, text):
            try:
                return build(match)
            except ValueError:
                break
    raise ValueError(f"{show(raw)} không phải là ngày (dd/mm/yyyy, \"Tháng 10/2025\" hoặc \"Quý IV/2025\")")


PARSERS = {
    "int": parse_int,
    "number": parse_number,
    "percent": parse_percent,
    "bool": parse_bool,
    "text": parse_text,
}
