#!/usr/bin/env python3
"""Blind test corpus for the school-survey loader.

Written from DOMAIN.md §3-§6 and the reference CSVs only, by someone who has not
read the loader.  The script imports nothing from the project: it has its own
small grid model and four writers (openpyxl, xlsxwriter, xlwt, csv).

Run:  .venv/bin/python tests/blind/make_corpus.py
It rewrites tests/blind/files/* and tests/blind/expected.json.

Everything is deterministic: random.Random is always seeded with a fixed string,
document dates are fixed, zip timestamps are fixed.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import random
import re
import shutil
import unicodedata
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
FIXED_DT = datetime.datetime(2025, 6, 30, 8, 0, 0)

# --------------------------------------------------------------------------
# The world: units (from data/reference/units.csv) and 24 invented schools
# --------------------------------------------------------------------------

UNITS = {  # former unit -> (type, new ward)
    "Vinh Tân": ("phường", "Trường Vinh"), "Trường Thi": ("phường", "Trường Vinh"),
    "Hưng Dũng": ("phường", "Trường Vinh"), "Bến Thủy": ("phường", "Trường Vinh"),
    "Trung Đô": ("phường", "Trường Vinh"), "Hưng Phúc": ("phường", "Trường Vinh"),
    "Hưng Hòa": ("phường", "Trường Vinh"),
    "Lê Lợi": ("phường", "Thành Vinh"), "Quang Trung": ("phường", "Thành Vinh"),
    "Cửa Nam": ("phường", "Thành Vinh"), "Hưng Chính": ("xã", "Thành Vinh"),
    "Đông Vĩnh": ("phường", "Thành Vinh"), "Hưng Bình": ("phường", "Thành Vinh"),
    "Quán Bàu": ("phường", "Vinh Hưng"), "Hưng Đông": ("xã", "Vinh Hưng"),
    "Nghi Kim": ("xã", "Vinh Hưng"), "Nghi Liên": ("xã", "Vinh Hưng"),
    "Hà Huy Tập": ("phường", "Vinh Phú"), "Nghi Phú": ("phường", "Vinh Phú"),
    "Nghi Đức": ("phường", "Vinh Phú"), "Nghi Ân": ("xã", "Vinh Phú"),
    "Hưng Lộc": ("phường", "Vinh Lộc"), "Nghi Phong": ("xã", "Vinh Lộc"),
    "Nghi Thái": ("xã", "Vinh Lộc"), "Phúc Thọ": ("xã", "Vinh Lộc"),
    "Nghi Xuân": ("xã", "Vinh Lộc"),
    "Nghi Tân": ("phường", "Cửa Lò"), "Nghi Thủy": ("phường", "Cửa Lò"),
    "Thu Thủy": ("phường", "Cửa Lò"), "Nghi Hòa": ("phường", "Cửa Lò"),
    "Nghi Hải": ("phường", "Cửa Lò"), "Nghi Hương": ("phường", "Cửa Lò"),
    "Nghi Thu": ("phường", "Cửa Lò"),
}


def _s(code, name, level, own, old):
    return {"code": code, "name": name, "level": level, "own": own, "old": old,
            "new": UNITS[old][1]}


SCHOOLS = [
    # preschools
    _s("HX0101", "Trường Mầm non Hưng Dũng", "MN", "cong_lap", "Hưng Dũng"),
    _s("HX0102", "Trường Mầm non Bến Thủy", "MN", "cong_lap", "Bến Thủy"),
    _s("04011019", "Trường Mầm non Nghi Phú", "MN", "cong_lap", "Nghi Phú"),
    _s("HX0104", "Trường Mầm non Quán Bàu", "MN", "cong_lap", "Quán Bàu"),
    _s("HX0105", "Trường Mầm non Tư thục Hoa Sen", "MN", "tu_thuc", "Lê Lợi"),
    _s("29011024", "Trường Mầm non Nghi Thu", "MN", "cong_lap", "Nghi Thu"),
    _s("HX0107", "Trường Mầm non Tư thục Ánh Dương", "MN", "tu_thuc", "Hưng Phúc"),
    # primary
    _s("HX0201", "Trường Tiểu học Lê Lợi", "TH", "cong_lap", "Lê Lợi"),
    _s("HX0202", "Trường Tiểu học Trường Thi", "TH", "cong_lap", "Trường Thi"),
    _s("04012031", "Trường Tiểu học Hưng Lộc", "TH", "cong_lap", "Hưng Lộc"),
    _s("04012047", "Trường Tiểu học Nghi Đức", "TH", "cong_lap", "Nghi Đức"),
    _s("HX0205", "Trường Tiểu học Cửa Nam", "TH", "cong_lap", "Cửa Nam"),
    _s("29012056", "Trường Tiểu học Nghi Hải", "TH", "cong_lap", "Nghi Hải"),
    _s("HX0207", "Trường Tiểu học Ngôi Sao", "TH", "tu_thuc", "Hưng Bình"),
    # lower secondary
    _s("HX0301", "Trường THCS Đặng Thai Mai", "THCS", "cong_lap", "Hưng Bình"),
    _s("HX0302", "Trường THCS Hưng Dũng", "THCS", "cong_lap", "Hưng Dũng"),
    _s("04013105", "Trường THCS Nghi Kim", "THCS", "cong_lap", "Nghi Kim"),
    _s("04013112", "Trường THCS Hà Huy Tập", "THCS", "cong_lap", "Hà Huy Tập"),
    _s("HX0305", "Trường THCS Lê Mao", "THCS", "cong_lap", "Quang Trung"),
    _s("29013071", "Trường THCS Nghi Thủy", "THCS", "cong_lap", "Nghi Thủy"),
    _s("HX0307", "Trường THCS Trung Đô", "THCS", "cong_lap", "Trung Đô"),
    # combined
    _s("04014208", "Trường TH&THCS Hưng Chính", "TH_THCS", "cong_lap", "Hưng Chính"),
    _s("29014089", "Trường TH&THCS Phúc Thọ", "TH_THCS", "cong_lap", "Phúc Thọ"),
    _s("HX0403", "Trường TH&THCS Hồng Đức", "TH_THCS", "tu_thuc", "Đông Vĩnh"),
]
BY_CODE = {s["code"]: s for s in SCHOOLS}
LEVEL_ORDER = ["MN", "TH", "THCS", "TH_THCS"]
SECTION = {"MN": "I. MẦM NON", "TH": "II. TIỂU HỌC", "THCS": "III. TRUNG HỌC CƠ SỞ",
           "TH_THCS": "IV. LIÊN CẤP TH&THCS"}
LEVEL_VI = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "Trung học cơ sở",
            "TH_THCS": "Liên cấp TH&THCS"}
LEVEL_SHORT = {"MN": "MN", "TH": "TH", "THCS": "THCS", "TH_THCS": "TH&THCS"}
OWN_VI = {"cong_lap": "Công lập", "tu_thuc": "Tư thục"}


def sch(*codes):
    return [BY_CODE[c] for c in codes]


def short_name(s):
    """'Trường THCS Đặng Thai Mai' -> 'THCS Đặng Thai Mai'."""
    return s["name"][len("Trường "):]


def ward_of(new):
    return [s for s in SCHOOLS if s["new"] == new]


GE = [s for s in SCHOOLS if s["level"] != "MN"]  # schools assessed with 4725

# --------------------------------------------------------------------------
# Survey fields (subset of reference/survey_fields.csv) and the data world
# --------------------------------------------------------------------------

FTYPE = {
    "classes": "int", "students": "int", "teachers": "int", "managers": "int",
    "classrooms": "int", "it_rooms": "int", "it_computers": "int", "it_students": "int",
    "it_classes": "int", "rooms_projector_internet": "int", "bandwidth_mbps": "number",
    "has_studio": "bool", "mgmt_software": "text", "e_gradebook": "bool",
    "e_transcript": "bool", "e_records": "bool", "parent_app": "bool",
    "online_enrolment": "bool", "cashless_pct": "percent", "lms": "bool",
    "digital_materials": "int", "students_with_id": "int", "teachers_with_id": "int",
    "results_synced": "bool", "teachers_trained": "int", "teachers_making_materials": "int",
    "managers_with_esign": "int", "uses_eoffice": "bool", "licensed_antivirus": "bool",
    "has_dx_lead": "bool", "has_dx_plan": "bool", "dx_day_activity": "bool", "dx_posts": "int",
}
GE_ONLY = {"it_rooms", "it_computers", "it_students", "it_classes", "e_gradebook",
           "e_transcript", "lms", "results_synced"}
UNIT_WORD = {"classes": "lớp", "students": "học sinh", "teachers": "người", "managers": "người",
             "classrooms": "phòng", "it_rooms": "phòng", "it_computers": "máy",
             "it_students": "học sinh", "it_classes": "lớp", "rooms_projector_internet": "phòng",
             "bandwidth_mbps": "Mbps", "cashless_pct": "%", "digital_materials": "học liệu",
             "students_with_id": "học sinh", "teachers_with_id": "người",
             "teachers_trained": "người", "teachers_making_materials": "người",
             "managers_with_esign": "người", "dx_posts": "tin bài"}

PERIODS = [("2024-2025", "HK1"), ("2024-2025", "CN"), ("2025-2026", "HK1"), ("2025-2026", "CN")]
_SURVEY = {}


def survey(s, year, period):
    """All values of one school in one period (the 'truth' every file is cut from)."""
    key = (s["code"], year, period)
    if key in _SURVEY:
        return _SURVEY[key]
    code, L = s["code"], s["level"]
    t = PERIODS.index((year, period))
    yi = 0 if year == "2024-2025" else 1
    rb = random.Random("base|" + code)
    ry = random.Random(f"year|{code}|{year}")
    rp = random.Random(f"period|{code}|{year}|{period}")
    d_cls, d_stu, d_pc = ry.choice([0, 0, 1]), ry.randint(-12, 12), ry.randint(0, 4)
    v = {}
    if L == "MN":
        classes = rb.randint(6, 14) + d_cls * yi
        per = rb.randint(22, 29)
        v["classes"] = classes
        v["students"] = classes * per + d_stu
        v["teachers"] = classes * 2 + rb.randint(0, 3)
        v["managers"] = rb.choice([2, 3])
        v["classrooms"] = classes + rb.randint(0, 2)
    elif L in ("TH", "THCS"):
        if L == "TH":
            classes = rb.randint(16, 30)
            per = rb.randint(33, 38)
            tpc = 1.35
        else:
            classes = rb.randint(14, 28)
            per = rb.randint(38, 44)
            tpc = 1.9
        if code == "HX0202":
            classes, per = 36, 38
        if code == "04013112":
            classes, per = 28, 43
        classes += d_cls * yi
        students = classes * per + d_stu
        v["classes"] = classes
        v["students"] = students
        v["teachers"] = round(classes * tpc) + rb.randint(0, 3)
        v["managers"] = 2 if s["own"] == "tu_thuc" else 3
        v["classrooms"] = classes + rb.randint(0, 3)
        if L == "TH":
            v["it_classes"] = round(classes * 0.6)
            v["it_students"] = round(students * 0.6) - rb.randint(0, 10)
            rooms = rb.choice([1, 1, 2])
            pcs = rooms * rb.randint(12, 26)
        else:
            v["it_classes"] = classes
            v["it_students"] = students
            rooms = rb.choice([1, 2, 2, 3])
            pcs = rooms * rb.randint(15, 24)
        pcs += rooms * d_pc * yi
        if code == "HX0207":  # private primary without a computer room (flagged case)
            rooms, pcs = 0, 0
        v["it_rooms"], v["it_computers"] = rooms, pcs
    else:  # TH_THCS
        c1, c2 = rb.randint(8, 11), rb.randint(6, 9)
        s1, s2 = c1 * rb.randint(30, 36), c2 * rb.randint(36, 42)
        s1 += d_cls * yi * 30
        c1 += d_cls * yi
        v["classes"] = c1 + c2
        v["students"] = s1 + s2
        v["teachers"] = round(c1 * 1.35 + c2 * 1.9) + rb.randint(0, 3)
        v["managers"] = 2 if s["own"] == "tu_thuc" else 3
        v["classrooms"] = c1 + c2 + rb.randint(0, 2)
        v["it_classes"] = round(c1 * 0.6) + c2
        v["it_students"] = round(s1 * 0.6) + s2
        rooms = rb.choice([1, 2])
        v["it_rooms"] = rooms
        v["it_computers"] = rooms * rb.randint(14, 22) + rooms * d_pc * yi
    pf = rb.uniform(0.35, 0.8)
    v["rooms_projector_internet"] = int(v["classrooms"] * min(1.0, pf + 0.07 * t))
    bw = rb.choice([50, 80, 100, 150, 200, 300])
    if yi and ry.random() < 0.4:
        bw *= 2
    if code == "HX0305" and yi:
        bw = 37.5
    if code == "HX0307" and yi:
        bw = 1000
    v["bandwidth_mbps"] = bw

    def grow(p0, step):
        u = rb.random()
        return u < p0 + step * t

    v["has_studio"] = grow(0.12, 0.08)
    v["mgmt_software"] = rb.choice(["SMAS", "vnEdu", "K12Online"])
    v["e_gradebook"] = grow(0.75, 0.08)
    v["e_transcript"] = grow(0.35, 0.2)
    v["e_records"] = grow(0.5, 0.12)
    v["parent_app"] = grow(0.6, 0.1)
    v["online_enrolment"] = grow(0.4, 0.15)
    v["cashless_pct"] = min(97, rb.randint(35, 75) + 6 * t + rp.randint(0, 3))
    v["lms"] = grow(0.3, 0.12)
    mat = rp.randint(5, 40) if L != "MN" else rp.randint(2, 15)
    v["digital_materials"] = mat * (2 if period == "CN" else 1)
    v["students_with_id"] = max(0, v["students"] - (rp.randint(0, 25) if period == "HK1" else rp.randint(0, 6)))
    v["teachers_with_id"] = v["teachers"] - rp.choice([0, 0, 1, 2])
    v["results_synced"] = rp.random() < (0.75 if period == "HK1" else 0.9)
    v["teachers_trained"] = int(v["teachers"] * min(1.0, rb.uniform(0.4, 0.8) + 0.08 * t))
    v["teachers_making_materials"] = int(v["teachers"] * min(1.0, rb.uniform(0.2, 0.5) + 0.06 * t))
    v["managers_with_esign"] = v["managers"] - (rp.choice([0, 1]) if t < 2 else 0)
    v["uses_eoffice"] = grow(0.6, 0.12)
    v["licensed_antivirus"] = grow(0.3, 0.12)
    v["has_dx_lead"] = grow(0.7, 0.1)
    v["has_dx_plan"] = grow(0.6, 0.12)
    v["dx_day_activity"] = ry.random() < 0.8
    v["dx_posts"] = rp.randint(0, 9) + (2 if period == "CN" else 0)
    if L == "MN":
        for f in GE_ONLY:
            v.pop(f, None)
    _SURVEY[key] = v
    return v


# --------------------------------------------------------------------------
# 4725 criteria (reference/criteria_4725.csv) and assessments
# --------------------------------------------------------------------------

CRITERIA = [  # code, group, parent, name, max, mandatory
    ("1.1", 1, "1", "Có ban hành kế hoạch tổ chức dạy học trực tuyến", 0, True),
    ("1.2", 1, "1", "Có ban hành quy chế tổ chức dạy học trực tuyến", 0, True),
    ("1.3.1", 1, "1.3", "Triển khai phần mềm dạy học trực tuyến trực tiếp", 6, False),
    ("1.3.2", 1, "1.3", "LMS: giáo viên giao bài cho học sinh tự học", 6, False),
    ("1.3.3", 1, "1.3", "LMS: giáo viên giải đáp câu hỏi của học sinh", 6, False),
    ("1.3.4", 1, "1.3", "LMS: tổ chức kiểm tra đánh giá thường xuyên", 6, False),
    ("1.3.5", 1, "1.3", "LMS: phụ huynh tham gia theo dõi quá trình học tập", 6, False),
    ("1.4", 1, "1", "Số lượng học liệu được số hóa", 10, False),
    ("1.5.1", 1, "1.5", "Tổ chức kiểm tra đánh giá trên phòng máy tính bằng phần mềm", 15, False),
    ("1.5.2", 1, "1.5", "Phần mềm kiểm tra trao đổi kết quả với hệ thống quản trị nhà trường", 5, False),
    ("1.6.1", 1, "1.6", "Tỉ lệ giáo viên có tài khoản trên hệ thống bồi dưỡng trực tuyến", 7, False),
    ("1.6.2", 1, "1.6", "Tỉ lệ giáo viên khai thác phần mềm hỗ trợ đổi mới phương pháp dạy học", 7, False),
    ("1.6.3", 1, "1.6", "Tỉ lệ giáo viên xây dựng được học liệu số", 6, False),
    ("1.7.1", 1, "1.7", "Tỉ lệ phòng học có thiết bị trình chiếu và kết nối Internet", 8, False),
    ("1.7.2", 1, "1.7", "Mức độ đáp ứng yêu cầu dạy học môn Tin học", 7, False),
    ("1.7.3", 1, "1.7", "Có phòng studio xây dựng học liệu số", 5, False),
    ("2.1", 2, "2", "Có bộ phận chỉ đạo ứng dụng CNTT và chuyển đổi số", 0, True),
    ("2.2", 2, "2", "Có kế hoạch ứng dụng CNTT và chuyển đổi số hằng năm", 0, True),
    ("2.3.1", 2, "2.3", "Có quy chế sử dụng hệ thống quản trị nhà trường", 6, False),
    ("2.3.2", 2, "2.3", "Phân hệ quản lý học sinh", 6, False),
    ("2.3.3", 2, "2.3", "Sổ điểm điện tử và học bạ điện tử", 10, False),
    ("2.3.4", 2, "2.3", "Phân hệ quản lý đội ngũ", 6, False),
    ("2.3.5", 2, "2.3", "Phân hệ quản lý cơ sở vật chất", 10, False),
    ("2.3.6", 2, "2.3", "Phân hệ quản lý thông tin y tế trường học", 10, False),
    ("2.3.7", 2, "2.3", "Phân hệ quản lý kế toán", 6, False),
    ("2.3.8", 2, "2.3", "Phần mềm trao đổi dữ liệu định kỳ với CSDL ngành", 6, False),
    ("2.4.1", 2, "2.4", "Ứng dụng kết nối gia đình và nhà trường", 8, False),
    ("2.4.2", 2, "2.4", "Tuyển sinh đầu cấp trực tuyến", 12, False),
    ("2.4.3", 2, "2.4", "Thu phí dịch vụ giáo dục không dùng tiền mặt", 10, False),
    ("2.5", 2, "2", "Hạ tầng CNTT và bảo đảm an toàn thông tin phục vụ quản trị", 10, False),
]
CRIT = {c[0]: c for c in CRITERIA}
PARENTS = {  # invented names for the subtotal rows real forms carry
    "1.3": ("Triển khai dạy học trực tuyến", 30), "1.5": ("Kiểm tra, đánh giá trên máy tính", 20),
    "1.6": ("Năng lực số của giáo viên", 20), "1.7": ("Hạ tầng, thiết bị phục vụ dạy học", 20),
    "2.3": ("Triển khai hệ thống quản trị nhà trường", 60),
    "2.4": ("Dịch vụ trực tuyến, kết nối gia đình - nhà trường", 30),
}
GROUP_NAME = {1: "CHUYỂN ĐỔI SỐ TRONG DẠY, HỌC", 2: "CHUYỂN ĐỔI SỐ TRONG QUẢN TRỊ CƠ SỞ GIÁO DỤC"}
_ASSESS = {}


def assess(s, year):
    """{'self': {crit: score|bool}, 'verified': {...}} for a TH/THCS/TH_THCS school."""
    key = (s["code"], year)
    if key in _ASSESS:
        return _ASSESS[key]
    rng = random.Random(f"4725|{s['code']}|{year}")
    q = rng.uniform(0.45, 0.92)
    self_, ver = {}, {}
    for code, grp, parent, name, mx, mand in CRITERIA:
        if mand:
            m = rng.random() < 0.9
            self_[code] = m
            ver[code] = m and rng.random() < 0.93
        else:
            sc = round(mx * min(1.0, max(0.0, rng.gauss(q, 0.22))))
            self_[code] = sc
            ver[code] = max(0, sc - rng.choice([0, 0, 0, 0, 1, 2]))
    if s["code"] == "04013112" and year == "2024-2025":
        self_["1.3.2"], ver["1.3.2"] = 4.5, 4
    if s["code"] == "04014208" and year == "2024-2025":
        self_["2.2"], ver["2.2"] = True, False
    _ASSESS[key] = {"self": self_, "verified": ver}
    return _ASSESS[key]


# --------------------------------------------------------------------------
# Text helpers: Vietnamese number spelling, NFD, cp1258, TCVN3
# --------------------------------------------------------------------------

def nfd(text):
    return unicodedata.normalize("NFD", text)


def vn_num(v):
    """1234 -> '1.234', 37.5 -> '37,5' (how a Vietnamese user types numbers as text)."""
    if isinstance(v, float) and not v.is_integer():
        return str(v).replace(".", ",")
    return f"{int(v):,}".replace(",", ".")


def det(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text):
    """Windows-1258 spelling: base letter (with â ê ô ơ ư ă) + combining tone mark."""
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tones = [c for c in d if c in _TONES]
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        out.append(base + "".join(tones))
    return "".join(out).encode("cp1258")


_TCVN3_LOWER = dict(zip(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ",
    "\u00b5\u00b8\u00b6\u00b7\u00b9\u00a8\u00bb\u00be\u00bc\u00bd\u00c6\u00a9\u00c7\u00ca\u00c8"
    "\u00c9\u00cb\u00ae\u00cc\u00d0\u00ce\u00cf\u00d1\u00aa\u00d2\u00d5\u00d3\u00d4\u00d6\u00d7"
    "\u00dd\u00d8\u00dc\u00de\u00df\u00e3\u00e1\u00e2\u00e4\u00ab\u00e5\u00e8\u00e6\u00e7\u00e9"
    "\u00ac\u00ea\u00ed\u00eb\u00ec\u00ee\u00ef\u00f3\u00f1\u00f2\u00f4\u00ad\u00f5\u00f8\u00f6"
    "\u00f7\u00f9\u00fa\u00fd\u00fb\u00fc\u00fe"))
_TCVN3_UPPER = {"Ă": "\u00a1", "Â": "\u00a2", "Ê": "\u00a3", "Ô": "\u00a4", "Ơ": "\u00a5",
                "Ư": "\u00a6", "Đ": "\u00a7"}
assert len(_TCVN3_LOWER) == 67


def tcvn3(text):
    """Unicode -> how text typed in the .VnTime font arrives (one code point per byte)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 128:
            out.append(ch)
        elif ch in _TCVN3_LOWER:
            out.append(_TCVN3_LOWER[ch])
        elif ch in _TCVN3_UPPER:
            out.append(_TCVN3_UPPER[ch])
        else:
            raise ValueError(f"no TCVN3 .VnTime code for {ch!r} in {text!r}")
    return "".join(out)


# --------------------------------------------------------------------------
# Grid model and writers
# --------------------------------------------------------------------------

class F:
    """A formula with the value Excel would have cached."""

    def __init__(self, expr, cached):
        self.expr, self.cached = expr, cached


def col_letter(c):
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def addr(r, c):
    return f"{col_letter(c)}{r}"


class Grid:
    def __init__(self, name):
        self.name = name
        self.cells = {}
        self.merges = []
        self.widths = {}

    def set(self, r, c, v, **fmt):
        self.cells[(r, c)] = (v, fmt)

    def merge(self, r1, c1, r2, c2, v=None, **fmt):
        self.cells[(r1, c1)] = (v, fmt)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def get(self, r, c):
        return self.cells.get((r, c), (None, {}))[0]

    def max_rc(self):
        return (max(r for r, _ in self.cells), max(c for _, c in self.cells))


def _fix_zip(path):
    """Rewrite an OOXML zip with fixed timestamps and fixed document dates."""
    stamp = FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                txt = data.decode("utf-8")
                txt = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                             lambda m: m.group(1) + stamp + m.group(3), txt)
                data = txt.encode("utf-8")
            zi = zipfile.ZipInfo(name, date_time=(2025, 6, 30, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)


def save_openpyxl(path, grids, font="Times New Roman"):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    for g in grids:
        ws = wb.create_sheet(g.name)
        for (r, c), (v, fmt) in sorted(g.cells.items()):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, F):
                cell.value = "=" + v.expr  # openpyxl stores no cached value
            else:
                cell.value = v
            if fmt.get("text"):
                cell.number_format = "@"
            if fmt.get("num"):
                cell.number_format = fmt["num"]
            cell.font = Font(name=fmt.get("font", font), bold=fmt.get("b", False),
                             italic=fmt.get("i", False), size=fmt.get("size", 12))
            if fmt.get("h") or fmt.get("wrap"):
                cell.alignment = Alignment(horizontal=fmt.get("h"), vertical="center",
                                           wrap_text=fmt.get("wrap", False))
            if fmt.get("border"):
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        for r1, c1, r2, c2 in g.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for c, w in g.widths.items():
            ws.column_dimensions[col_letter(c)].width = w
    wb.properties.creator = "Phòng GD&ĐT"
    wb.properties.created = FIXED_DT
    wb.save(path)
    _fix_zip(path)


def save_xlsxwriter(path, grids, font="Times New Roman"):
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"author": "Phòng GD&ĐT", "created": FIXED_DT})
    cache = {}

    def fmt_of(fmt):
        key = tuple(sorted(fmt.items()))
        if key not in cache:
            d = {"font_name": fmt.get("font", font), "font_size": fmt.get("size", 12)}
            if fmt.get("b"):
                d["bold"] = True
            if fmt.get("i"):
                d["italic"] = True
            if fmt.get("h"):
                d["align"] = fmt["h"]
            if fmt.get("wrap"):
                d["text_wrap"] = True
                d["valign"] = "vcenter"
            if fmt.get("border"):
                d["border"] = 1
            if fmt.get("text"):
                d["num_format"] = "@"
            if fmt.get("num"):
                d["num_format"] = fmt["num"]
            cache[key] = wb.add_format(d)
        return cache[key]

    for g in grids:
        ws = wb.add_worksheet(g.name)
        merged_tl = {}
        for r1, c1, r2, c2 in g.merges:
            merged_tl[(r1, c1)] = (r2, c2)
        for (r, c), (v, fmt) in sorted(g.cells.items()):
            f = fmt_of(fmt)
            if (r, c) in merged_tl:
                r2, c2 = merged_tl[(r, c)]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.merge_range(r - 1, c - 1, r2 - 1, c2 - 1, None, f)
                    ws.write_number(r - 1, c - 1, v, f)
                else:
                    ws.merge_range(r - 1, c - 1, r2 - 1, c2 - 1, "" if v is None else v, f)
                continue
            if v is None:
                ws.write_blank(r - 1, c - 1, None, f)
            elif isinstance(v, F):
                ws.write_formula(r - 1, c - 1, "=" + v.expr, f, v.cached)
            elif isinstance(v, bool):
                ws.write_boolean(r - 1, c - 1, v, f)
            elif isinstance(v, (int, float)):
                ws.write_number(r - 1, c - 1, v, f)
            else:
                ws.write_string(r - 1, c - 1, v, f)
        for c, w in g.widths.items():
            ws.set_column(c - 1, c - 1, w)
    wb.close()


def save_xlwt(path, grids, font="Times New Roman"):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    cache = {}

    def st(fmt):
        key = tuple(sorted(fmt.items()))
        if key not in cache:
            parts = [f"font: name {fmt.get('font', font)}, height {fmt.get('size', 12) * 20}"
                     + (", bold on" if fmt.get("b") else "") + (", italic on" if fmt.get("i") else "")]
            al = []
            if fmt.get("h"):
                al.append(f"horiz {fmt['h']}")
            if fmt.get("wrap"):
                al.append("wrap on, vert centre")
            if al:
                parts.append("align: " + ", ".join(al))
            if fmt.get("border"):
                parts.append("borders: left thin, right thin, top thin, bottom thin")
            num = fmt.get("num") or ("@" if fmt.get("text") else None)
            cache[key] = xlwt.easyxf("; ".join(parts), num_format_str=num) if num else xlwt.easyxf("; ".join(parts))
        return cache[key]

    for g in grids:
        ws = wb.add_sheet(g.name, cell_overwrite_ok=True)
        merged_tl = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in g.merges}
        for (r, c), (v, fmt) in sorted(g.cells.items()):
            if isinstance(v, F):
                raise ValueError("xlwt cannot store cached formula values")
            val = "" if v is None else v
            if (r, c) in merged_tl:
                r2, c2 = merged_tl[(r, c)]
                ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, val, st(fmt))
            else:
                ws.write(r - 1, c - 1, val, st(fmt))
        for c, w in g.widths.items():
            ws.col(c - 1).width = int(w * 256)
    wb.save(str(path))


def save_csv(path, grid, encoding="utf-8", delimiter=",", quoting=csv.QUOTE_MINIMAL):
    rmax, cmax = grid.max_rc()
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    for r in range(1, rmax + 1):
        row = []
        for c in range(1, cmax + 1):
            v = grid.get(r, c)
            if v is None:
                row.append("")
            elif isinstance(v, float) and v.is_integer():
                row.append(str(int(v)))
            else:
                row.append(str(v))
        w.writerow(row)
    text = buf.getvalue()
    if encoding == "cp1258":
        data = to_cp1258(text)
    elif encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        data = text.encode(encoding)
    Path(path).write_bytes(data)


# --------------------------------------------------------------------------
# Expected-result bookkeeping
# --------------------------------------------------------------------------

class FileExp:
    def __init__(self, file, what):
        self.file, self.what = file, what
        self.rec, self.order = {}, []

    def add(self, code, kind, payload):
        if code not in self.rec:
            self.rec[code] = []
            self.order.append(code)
        self.rec[code].append((kind, payload))

    def survey(self, code, year, period, field, value):
        self.add(code, "survey", {"school_code": code, "school_year": year, "period": period,
                                  "field": field, "value": value})

    def assess(self, code, year, kind, crit, value):
        mand = CRIT[crit][5]
        self.add(code, "assessment", {"school_code": code, "school_year": year, "kind": kind,
                                      "criterion": crit,
                                      "score": None if mand else value,
                                      "met": value if mand else None})

    def json(self):
        out = {"file": self.file, "what": self.what, "survey": [], "assessment": [],
               "errors": [], "notes": []}
        for code in self.order:
            items = self.rec[code]
            errs = [p for k, p in items if k == "error"]
            if errs:  # a record holding an error loads nothing
                out["errors"] += errs
                continue
            for k, p in items:
                key = {"survey": "survey", "assessment": "assessment", "note": "notes"}[k]
                out[key].append(p)
        return out


# --------------------------------------------------------------------------
# Cell spelling of values
# --------------------------------------------------------------------------

BOOLS = {"co": ("Có", "Không"), "co_mix": ("có", "Không"), "ck": ("C", "K"), "x": ("x", None),
         "X": ("X", None), "10": (1, 0), "yesno": ("Yes", "No"), "dat": ("Đạt", "Chưa đạt"),
         "tcvn3": (tcvn3("Có"), tcvn3("Không"))}


def spell(field, v, st, code=""):
    """(cell value, format) for a true value v of a field, in style st."""
    t = FTYPE[field]
    if t == "bool":
        mode = st.get("bool", "co")
        if mode == "co_mix":
            yes = ["Có", "có", "CÓ"][det(code, field) % 3]
            no = ["Không", "không", "KHÔNG"][det(code, field, 1) % 3]
            return (yes if v else no), {"h": "center"}
        return BOOLS[mode][0 if v else 1], {"h": "center"}
    if t == "percent":
        mode = st.get("pct", "int")
        if mode == "int":
            return v, {}
        if mode == "text":
            return f"{v}%", {"h": "right"}
        if mode == "space":
            return f"{v} %", {"h": "right"}
        if mode == "frac":
            return round(v / 100, 2), {}
        if mode == "frac_fmt":
            return round(v / 100, 2), {"num": "0%"}
        raise ValueError(mode)
    if t in ("int", "number"):
        mode = st.get("num", "num")
        if mode == "mix":
            mode = "text" if det(code, field) % 3 == 0 else "num"
        if mode == "num":
            return v, {}
        if mode == "text":
            return vn_num(v), {"h": "right"}
        if mode == "dot":  # only big or decimal numbers typed as text
            if v >= 1000 or (isinstance(v, float) and not v.is_integer()):
                return vn_num(v), {"h": "right"}
            return v, {}
        raise ValueError(mode)
    return v, {}


# --------------------------------------------------------------------------
# Layout builders
# --------------------------------------------------------------------------

class Col:
    def __init__(self, label, groups=(), kind="field", field=None, render=None, width=None,
                 sum_=False):
        self.label, self.groups, self.kind, self.field = label, tuple(groups), kind, field
        self.render, self.width, self.sum_ = render, width, sum_


def C_stt(label="STT"):
    return Col(label, kind="stt", width=5)


def C_id(label, what, style=None, width=None):
    """Identity column: what in code/name/short/level/own."""
    def render(s, ctx):
        if what == "code":
            return s["code"], {"text": True}
        if what == "name":
            return s["name"], {}
        if what == "short":
            return short_name(s), {}
        if what == "level":
            return (style or LEVEL_VI)[s["level"]], {}
        if what == "own":
            return (style or OWN_VI)[s["own"]], {}
        raise ValueError(what)
    return Col(label, kind="id", render=render, width=width or (10 if what in ("code", "level", "own") else 32))


def C_f(field, label, groups=(), st=None, na=None, overrides=None, width=None):
    """A survey-field column.  na: what non-applicable cells hold (None = blank, '-' ...).
    overrides: {school_code: (cell value, 'note'|'error', why)}."""
    st = st or {}
    overrides = overrides or {}

    def render(s, ctx):
        vals = survey(s, ctx["year"], ctx["period"])
        if field not in vals:
            return na, {"h": "center"}, []
        v = vals[field]
        if s["code"] in overrides:
            cell, kind, why = overrides[s["code"]]
            items = [("error", why)] if kind == "error" else [
                ("survey", (field, v)), ("note", why)]
            return cell, {"h": "right"}, items
        cell, fmt = spell(field, v, st, s["code"])
        return cell, fmt, [("survey", (field, v))]
    return Col(label, groups, "field", field, render, width or 11,
               sum_=FTYPE[field] == "int")


def C_x(label, groups=(), fn=None, width=11):
    """An extra column the loader should ignore (computed ratios, notes)."""
    def render(s, ctx):
        return fn(s, ctx) if fn else (None, {})
    return Col(label, groups, "extra", None, render, width)


TRACE = []  # (file, sheet, cell, kind, payload): lets a checker open every cell listed


def emit(fe, s, ctx, items, sheet, cell):
    for kind, payload in items:
        TRACE.append((fe.file, sheet, cell, kind, payload))
        if kind == "survey":
            f, v = payload
            fe.survey(s["code"], ctx["year"], ctx["period"], f, v)
        elif kind == "assess":
            k, crit, v = payload
            fe.assess(s["code"], ctx["year"], k, crit, v)
        elif kind in ("note", "error"):
            fe.add(s["code"], kind, {"sheet": sheet, "cell": cell, "why": payload})


def build_table(g, top, left, cols, body, ctx, fe, numbering=True, border=True,
                header_fmt=None):
    """Government-form table. body: ('section', text) | ('school', s) | ('subtotal', text)
    | ('total', text) | ('blank',).  Returns the next free row."""
    hf = {"b": True, "h": "center", "wrap": True, "border": border, **(header_fmt or {})}
    depth = 1 + max(len(c.groups) for c in cols)
    bottom = top + depth - 1
    n = len(cols)
    for k in range(depth - 1):
        j = 0
        while j < n:
            if len(cols[j].groups) > k:
                pre = cols[j].groups[:k + 1]
                j2 = j
                while j2 + 1 < n and cols[j2 + 1].groups[:k + 1] == pre:
                    j2 += 1
                g.merge(top + k, left + j, top + k, left + j2, pre[-1], **hf)
                j = j2 + 1
            else:
                j += 1
    for j, c in enumerate(cols):
        r = top + len(c.groups)
        g.merge(r, left + j, bottom, left + j, c.label, **hf)
        if c.width:
            g.widths[left + j] = c.width
    r = bottom + 1
    if numbering:
        for j in range(n):
            g.set(r, left + j, f"({j + 1})", i=True, h="center", border=border)
        r += 1
    id_cols = 0
    while id_cols < n and cols[id_cols].kind in ("stt", "id"):
        id_cols += 1
    name_j = next((j for j, c in enumerate(cols) if c.kind == "id" and c.label.lower().startswith(("tên", "trường", "đơn vị"))), max(0, id_cols - 1))
    cellf = {"border": border}
    sec_rows, all_sub = [], []
    stt = 0
    for entry in body:
        kind = entry[0]
        if kind == "section":
            g.merge(r, left, r, left + max(0, id_cols - 1), entry[1], b=True, border=border)
            sec_rows, stt = [], 0
            r += 1
        elif kind == "school":
            s = entry[1]
            stt += 1
            ctx["_row"] = r
            for j, c in enumerate(cols):
                if c.kind == "stt":
                    g.set(r, left + j, stt, h="center", **cellf)
                    continue
                out = c.render(s, ctx)
                v, fmt = out[0], out[1]
                items = out[2] if len(out) > 2 else []
                g.set(r, left + j, v, **cellf, **fmt)
                emit(fe, s, ctx, items, g.name, addr(r, left + j))
            sec_rows.append(r)
            r += 1
        elif kind in ("subtotal", "total"):
            g.set(r, left + name_j, entry[1], b=True, **cellf)
            for j, c in enumerate(cols):
                if j == name_j:
                    continue
                if not c.sum_:
                    g.set(r, left + j, None, **cellf)
                    continue
                cl = col_letter(left + j)
                rows = sec_rows if kind == "subtotal" else all_sub
                if not rows:
                    continue
                nums = [g.get(x, left + j) for x in rows]
                nums = [x.cached if isinstance(x, F) else x for x in nums]
                cached = sum(x for x in nums if isinstance(x, (int, float)) and not isinstance(x, bool))
                if kind == "subtotal":
                    expr = f"SUM({cl}{rows[0]}:{cl}{rows[-1]})"
                else:
                    expr = "+".join(f"{cl}{x}" for x in rows)
                g.set(r, left + j, F(expr, cached), b=True, **cellf)
            if kind == "subtotal":
                all_sub.append(r)
            r += 1
        elif kind == "blank":
            r += 1
    return r


def body_by_level(schools, sections=True, subtotals=False, total=None, section_text=None):
    body = []
    for L in LEVEL_ORDER:
        group = [s for s in schools if s["level"] == L]
        if not group:
            continue
        if sections:
            body.append(("section", (section_text or SECTION)[L]))
        body += [("school", s) for s in group]
        if subtotals:
            body.append(("subtotal", "Cộng"))
    if total:
        body.append(("total", total))
    return body


def gov_header(g, left_lines, right_lines, title_lines, width, left=1, row=1):
    """The two-column letterhead and the centred title of a Vietnamese form."""
    half = max(2, width // 2)
    r = row
    for i in range(max(len(left_lines), len(right_lines))):
        if i < len(left_lines):
            g.merge(r, left, r, left + half - 1, left_lines[i], b=i > 0, h="center")
        if i < len(right_lines):
            g.merge(r, left + half, r, left + width - 1, right_lines[i], b=i == 0, h="center")
        r += 1
    r += 1
    for i, t in enumerate(title_lines):
        g.merge(r, left, r, left + width - 1, t, b=i == 0, i=i > 0, h="center", size=14 if i == 0 else 12)
        r += 1
    return r + 1


def signature(g, row, width, left_title="Người lập biểu", right_title="Thủ trưởng đơn vị",
              place_date=None, left=1, names=("Nguyễn Thị Lan", "Trần Văn Hùng")):
    half = max(2, width // 2)
    r = row
    if place_date:
        g.merge(r, left + half, r, left + width - 1, place_date, i=True, h="center")
        r += 1
    g.merge(r, left, r, left + half - 1, left_title, b=True, h="center")
    g.merge(r, left + half, r, left + width - 1, right_title, b=True, h="center")
    r += 1
    g.merge(r, left + half, r, left + width - 1, "(Ký, ghi rõ họ tên, đóng dấu)", i=True, h="center")
    r += 4
    g.merge(r, left, r, left + half - 1, names[0], b=True, h="center")
    g.merge(r, left + half, r, left + width - 1, names[1], b=True, h="center")
    return r + 1


TITLE_CITY = ["UBND THÀNH PHỐ VINH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]
TITLE_NATION = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


USED_LABELS = []  # (label, field) pairs, for the self-check in check_labels()


def build_form(g, r, s, ctx, fe, sections, lc, vc, st=None, stt_col=None, unit_col=None,
               note_col=None, overrides=None, border=True, text=lambda x: x, head_span=None,
               font=None):
    """Per-school form: label/value pairs down two columns, grouped under headings.
    overrides: {field: (cell value, 'note'|'error', why)}."""
    st, overrides = st or {}, overrides or {}
    ff = {"font": font} if font else {}
    vals = survey(s, ctx["year"], ctx["period"])
    for heading, items in sections:
        if heading:
            c1 = stt_col or lc
            g.merge(r, c1, r, head_span or c1, text(heading), b=True, **ff)
            r += 1
        for i, (label, field) in enumerate(items, 1):
            USED_LABELS.append((label, field))
            if stt_col:
                g.set(r, stt_col, i, h="center", border=border, **ff)
            g.set(r, lc, text(label), border=border, **ff)
            if unit_col:
                g.set(r, unit_col, text(UNIT_WORD.get(field, "")), border=border, h="center", **ff)
            if note_col:
                g.set(r, note_col, None, border=border)
            if field not in vals:
                g.set(r, vc, None, border=border)
                r += 1
                continue
            v = vals[field]
            if field in overrides:
                cell, kind, why = overrides[field]
                fmt = {"h": "right"}
                items_ = [("error", why)] if kind == "error" else [("survey", (field, v)), ("note", why)]
            else:
                cell, fmt = spell(field, v, st, s["code"])
                items_ = [("survey", (field, v))]
            g.set(r, vc, cell, border=border, **fmt, **ff)
            emit(fe, s, ctx, items_, g.name, addr(r, vc))
            r += 1
    return r


def clean(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


def reg_entry(file, schools, name_fn=None):
    name_fn = name_fn or (lambda s: s["name"])
    return {"file": file, "schools": [
        {"school_code": s["code"], "school_name": clean(name_fn(s)), "level": s["level"],
         "ownership": s["own"], "ward_old": s["old"], "ward_new": s["new"]} for s in schools]}


def unit_full(old):
    typ = UNITS[old][0]
    return f"{typ.capitalize()} {old}"


def new_tone(text):
    """Old-style -> new-style tone placement (Thủy -> Thuỷ, Hòa -> Hoà), as many people type."""
    return text.replace("Thủy", "Thuỷ").replace("Hòa", "Hoà")


def ward_col(label, which, spell_fn=None):
    def render(s, ctx):
        name = s[which]
        return (spell_fn(name, which) if spell_fn else name), {}
    return Col(label, kind="id", render=render, width=18)


REGISTRY_NAME_HINT = "Danh mục gồm {n} cơ sở giáo dục."


# --------------------------------------------------------------------------
# A. School registries
# --------------------------------------------------------------------------

def make_A1(exp):
    """Base registry: title rows, header row, (1)(2) row, signature; 'Phường/xã (cũ)' / 'Phường/xã mới'."""
    file = "files/A1_danh_muc_truong_2025-2026.xlsx"
    g = Grid("Danh mục trường")
    r = gov_header(g, ["UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], TITLE_NATION,
                   ["DANH MỤC CƠ SỞ GIÁO DỤC MẦM NON, TIỂU HỌC, TRUNG HỌC CƠ SỞ",
                    "(Cập nhật sau sắp xếp đơn vị hành chính cấp xã từ 01/7/2025)"], 8)
    cols = [C_stt(), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
            C_id("Cấp học", "level"), C_id("Loại hình", "own"),
            ward_col("Phường/xã (cũ)", "old"), ward_col("Phường/xã mới", "new"),
            C_x("Ghi chú", width=14)]
    r = build_table(g, r, 1, cols, [("school", s) for s in SCHOOLS], {}, None)
    g.set(r, 1, REGISTRY_NAME_HINT.format(n=len(SCHOOLS)), i=True)
    signature(g, r + 2, 8, "Người lập", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
              "Nghệ An, ngày 15 tháng 8 năm 2025")
    save_openpyxl(HERE / file, [g])
    exp["registries"].append(reg_entry(file, SCHOOLS))
    return file


def make_A2(exp):
    """Web-database export: one header row, codes as "'HX0101" with stray spaces / NBSP."""
    file = "files/A2_xuat_CSDL_danh_sach_truong.xlsx"
    g = Grid("DanhSachTruong")
    heads = ["STT", "Mã trường", "Tên trường", "Cấp học", "Loại hình trường", "Xã/phường",
             "Đơn vị cũ", "Địa chỉ", "Điện thoại"]
    for j, h in enumerate(heads, 1):
        g.set(1, j, h, b=True)
    lvl = dict(LEVEL_VI, TH_THCS="Liên cấp TH-THCS")
    names = {}
    for i, s in enumerate(SCHOOLS):
        r = i + 2
        code = "'" + s["code"]
        if i % 5 == 1:
            code += " "
        elif i % 5 == 3:
            code += "\u00a0"
        elif i == 7:
            code = " " + code
        name = s["name"]
        if i % 4 == 2:
            name = name.replace(" ", "  ", 1)  # double space after 'Trường'
        if i == 10:
            name = name + " "
        names[s["code"]] = name
        g.set(r, 1, i + 1)
        g.set(r, 2, code)
        g.set(r, 3, name)
        g.set(r, 4, lvl[s["level"]])
        g.set(r, 5, OWN_VI[s["own"]])
        g.set(r, 6, "Phường " + s["new"])
        g.set(r, 7, unit_full(s["old"]))
        g.set(r, 8, f"Số {det(s['code']) % 120 + 1}, {unit_full(s['old'])}, TP Vinh")
        g.set(r, 9, f"0238 3{det(s['code'], 'tel') % 900000 + 100000}")
    g.widths.update({2: 14, 3: 38, 4: 18, 5: 12, 6: 22, 7: 22, 8: 36, 9: 14})
    save_xlsxwriter(HERE / file, [g], font="Arial")
    exp["registries"].append(reg_entry(file, SCHOOLS, lambda s: names[s["code"]]))
    return file


def make_A3(exp):
    """CSV saved by Excel on a Vietnamese Windows: cp1258, ';', new-style tones (Thuỷ, Hoà)."""
    file = "files/A3_danh_sach_truong_cp1258.csv"
    g = Grid("csv")
    heads = ["Mã CSGD", "Tên trường", "Cấp học", "Loại hình", "Phường/xã (cũ)", "Phường/xã mới"]
    for j, h in enumerate(heads, 1):
        g.set(1, j, h)
    own = {"cong_lap": "CL", "tu_thuc": "NCL"}
    for i, s in enumerate(SCHOOLS):
        r = i + 2
        for j, v in enumerate([s["code"], new_tone(s["name"]), LEVEL_SHORT[s["level"]],
                               own[s["own"]], new_tone(s["old"]), s["new"]], 1):
            g.set(r, j, v)
    save_csv(HERE / file, g, encoding="cp1258", delimiter=";")
    exp["registries"].append(reg_entry(file, SCHOOLS, lambda s: new_tone(s["name"])))
    return file


NUMERIC = [s for s in SCHOOLS if s["code"].isdigit()]


def make_A4(exp):
    """Numeric codes that a spreadsheet turned into numbers (leading zeros lost)."""
    file = "files/A4_ma_dinh_danh_so.xls"
    g = Grid("Ma dinh danh")
    r = gov_header(g, ["UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], TITLE_NATION,
                   ["DANH SÁCH MÃ ĐỊNH DANH CƠ SỞ GIÁO DỤC TRÊN CSDL NGÀNH",
                    "(Các trường sử dụng mã số 8 chữ số)"], 7)
    cols = [C_stt(), Col("Mã định danh", kind="id", render=lambda s, c: (int(s["code"]), {}), width=14),
            C_id("Tên trường", "name"), C_id("Cấp học", "level"), C_id("Loại hình", "own"),
            ward_col("Phường/xã cũ", "old"), ward_col("Đơn vị hành chính cấp xã", "new")]
    r = build_table(g, r, 1, cols, [("school", s) for s in NUMERIC], {}, None, numbering=False)
    signature(g, r + 1, 7, "Người lập", "TL. GIÁM ĐỐC\nTRƯỞNG PHÒNG",
              "Nghệ An, ngày 20 tháng 8 năm 2025")
    save_xlwt(HERE / file, [g])
    exp["registries"].append(reg_entry(file, NUMERIC))
    return file


def make_A5(exp):
    """Registry grouped by section rows 'I. MẦM NON' ... with no level column."""
    file = "files/A5_danh_sach_theo_cap_hoc.xls"
    g = Grid("DS truong")
    r = gov_header(g, ["UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], TITLE_NATION,
                   ["DANH SÁCH CÁC TRƯỜNG MẦM NON, TIỂU HỌC, THCS", "Năm học 2025-2026"], 6)
    own = {"cong_lap": "Công lập", "tu_thuc": "Ngoài công lập"}
    cols = [C_stt("TT"), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
            C_id("Loại hình", "own", own), ward_col("Đơn vị cũ", "old"),
            ward_col("Phường/xã mới", "new")]
    r = build_table(g, r, 1, cols, body_by_level(SCHOOLS), {}, None, numbering=False)
    g.set(r, 1, f"Tổng cộng: {len(SCHOOLS)} trường", b=True)
    signature(g, r + 2, 6, "Người lập biểu", "Thủ trưởng đơn vị")
    save_xlwt(HERE / file, [g])
    exp["registries"].append(reg_entry(file, SCHOOLS))
    return file


def make_A6(exp):
    """Plain UTF-8 CSV (no BOM, ',' all quoted): 'Mã định danh', short names, 'Đơn vị hành chính cấp xã'."""
    file = "files/A6_truong_hoc_utf8.csv"
    g = Grid("csv")
    heads = ["Mã định danh", "Tên cơ sở giáo dục", "Cấp học", "Loại hình CSGD",
             "Phường/xã cũ", "Đơn vị hành chính cấp xã"]
    for j, h in enumerate(heads, 1):
        g.set(1, j, h)
    lvl = dict(LEVEL_VI, TH_THCS="TH&THCS")
    for i, s in enumerate(SCHOOLS):
        for j, v in enumerate([s["code"], short_name(s), lvl[s["level"]], OWN_VI[s["own"]],
                               s["old"], s["new"]], 1):
            g.set(i + 2, j, v)
    save_csv(HERE / file, g, encoding="utf-8", delimiter=",", quoting=csv.QUOTE_ALL)
    exp["registries"].append(reg_entry(file, SCHOOLS, short_name))
    return file


# --------------------------------------------------------------------------
# B. Consolidated survey tables
# --------------------------------------------------------------------------

def _reg_labels(cols):
    for c in cols:
        if c.kind == "field":
            USED_LABELS.append((c.label, c.field))


def make_B1(fe_list):
    """HK1 2024-2025, all schools, names only, 3-row header bands, sections, 'Cộng', '-' for MN."""
    file = "files/B1_bieu_tong_hop_HK1_2024-2025.xlsx"
    fe = FileExp(file, "consolidated survey, names only (no code column), 3-row merged header, "
                       "(1)(2) row, section rows I-IV give the level, 'Cộng'/'Tổng cộng' formula rows "
                       "without cached values, '-' in preschool IT cells, notes + signature; "
                       "second sheet is instructions only")
    ctx = {"year": "2024-2025", "period": "HK1"}
    g = Grid("Biểu 01")

    def b1name(s, c):
        if s["code"] in ("HX0301", "HX0305"):
            return s["name"].split("THCS ")[1], {}  # bare 'Đặng Thai Mai'
        if s["code"] == "HX0201":
            return "Tiểu học  Lê Lợi", {}
        return short_name(s), {}
    mix, dot = {"num": "mix"}, {"num": "dot"}
    QM, CS, PM, TH, DL = "Quy mô", "Cơ sở vật chất", "Phòng máy tính", "Dạy học Tin học", "Dữ liệu số"
    cols = [C_stt(), Col("Tên trường", kind="id", render=b1name, width=30),
            C_f("classes", "Số lớp", (QM,), mix),
            C_f("students", "Số học sinh", (QM,), dot),
            C_f("teachers", "Số giáo viên", (QM,), mix),
            C_f("managers", "Số CBQL", (QM,)),
            C_f("classrooms", "Số phòng học", (CS,), mix),
            C_f("it_rooms", "Số phòng máy tính", (CS, PM), na="-"),
            C_f("it_computers", "Số máy tính\ndạy Tin học", (CS, PM), na="-"),
            C_f("rooms_projector_internet", "Số phòng học có thiết bị \ntrình chiếu và Internet", (CS,)),
            C_f("it_students", "Số học sinh\nhọc Tin học", (TH,), dot, na="-"),
            C_f("it_classes", "Số lớp học Tin học", (TH,), na="-"),
            C_f("students_with_id", "Số HS đã cập nhật số định danh", (DL,), dot),
            C_f("teachers_with_id", "Số GV đã cập nhật số định danh", (DL,)),
            C_f("mgmt_software", "Phần mềm quản trị nhà trường", width=14),
            C_x("Ghi chú", width=12)]
    _reg_labels(cols)
    r = gov_header(g, TITLE_CITY, TITLE_NATION,
                   ["BIỂU TỔNG HỢP SỐ LIỆU CHUYỂN ĐỔI SỐ CÁC CƠ SỞ GIÁO DỤC",
                    "Sơ kết HK I - NH 2024 - 2025"], len(cols))
    r = build_table(g, r, 1, cols, body_by_level(SCHOOLS, subtotals=True, total="Tổng cộng"), ctx, fe)
    g.set(r + 1, 1, "Ghi chú:", b=True)
    g.set(r + 2, 1, "- Số liệu tính đến ngày 15/01/2025.")
    g.set(r + 3, 1, "- Các trường mầm non không báo cáo các chỉ tiêu về Tin học (ghi dấu -).")
    signature(g, r + 5, len(cols), "Người lập biểu", "TRƯỞNG PHÒNG",
              "Vinh, ngày 20 tháng 01 năm 2025")
    h = Grid("Hướng dẫn")
    for i, line in enumerate([
            "HƯỚNG DẪN NHẬP SỐ LIỆU",
            "1. Mỗi trường nhập một dòng, không thay đổi tiêu đề cột.",
            "2. Số liệu tính đến ngày 15/01/2025 (sơ kết học kỳ I).",
            "3. Trường mầm non ghi dấu - ở các cột về Tin học."], 1):
        h.set(i, 1, line, b=i == 1)
    save_openpyxl(HERE / file, [g, h])
    fe_list.append(fe)


def make_B2(fe_list):
    """CN 2024-2025: two tables on one sheet (preschool first, then TH/THCS with other columns)."""
    file = "files/B2_hai_bang_mot_sheet_CN_2024-2025.xlsx"
    fe = FileExp(file, "two tables on one sheet: preschools with their own 2-row header and columns, "
                       "then primary/lower secondary under another header with other columns; codes; "
                       "'Cộng' SUM formulas with cached values; extra formula column with #DIV/0!; "
                       "Có/Không; '85%' text in the preschool table, 85 in the other")
    ctx = {"year": "2024-2025", "period": "CN"}
    g = Grid("Tổng hợp")
    mn = sch("HX0101", "HX0102", "04011019", "HX0104", "HX0105")
    ge = sch("HX0201", "HX0202", "04012031", "HX0205", "HX0207", "HX0301", "HX0302", "04013105",
             "04013112", "29013071", "04014208", "HX0403")
    QM, CS, NT, NL = "Quy mô", "Cơ sở vật chất", "Nền tảng số", "Nhân lực số"
    cols1 = [C_stt(), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
             C_f("classes", "Số nhóm lớp", (QM,)), C_f("students", "Số trẻ", (QM,)),
             C_f("teachers", "Số GV", (QM,)), C_f("managers", "Số CBQL", (QM,)),
             C_f("classrooms", "Số phòng học", (CS,)),
             C_f("rooms_projector_internet", "Phòng học có máy chiếu/TV và Internet", (CS,)),
             C_f("e_records", "Hồ sơ điện tử", (NT,)),
             C_f("parent_app", "Ứng dụng liên lạc phụ huynh", (NT,)),
             C_f("online_enrolment", "Tuyển sinh trực tuyến", (NT,)),
             C_f("cashless_pct", "Thu phí không dùng tiền mặt (%)", (NT,), {"pct": "text"}),
             C_f("teachers_trained", "Số GV được bồi dưỡng kỹ năng số", (NL,)),
             C_f("digital_materials", "Số học liệu số", (NL,)),
             C_f("has_dx_plan", "Có kế hoạch CĐS năm")]
    # table 2: column letters are needed for the ratio formula
    cols2 = [C_stt(), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
             C_f("classes", "Số lớp", (QM,)), C_f("students", "Số HS", (QM,)),
             C_f("teachers", "Số GV", (QM,)), C_f("managers", "Số CBQL", (QM,)),
             C_f("it_rooms", "Số phòng máy tính", ("Tin học",)),
             C_f("it_computers", "Số máy tính dạy Tin học", ("Tin học",)),
             C_f("it_students", "Số HS học môn Tin học", ("Tin học",)),
             C_f("it_classes", "Số lớp học Tin học", ("Tin học",)),
             None,  # ratio, filled below
             C_f("e_gradebook", "Sổ điểm điện tử", (NT,)),
             C_f("e_transcript", "Học bạ số", (NT,)),
             C_f("lms", "Dạy học trực tuyến (LMS)", (NT,)),
             C_f("results_synced", "Đã cập nhật kết quả học tập lên CSDL ngành", (NT,)),
             C_f("cashless_pct", "Tỷ lệ thu không dùng tiền mặt (%)", (NT,)),
             C_f("managers_with_esign", "Số CBQL dùng chữ ký số")]
    L_stu, L_pc = col_letter(10), col_letter(9)

    def ratio(s, c):
        v = survey(s, c["year"], c["period"])
        r = c["_row"]
        expr = f"{L_stu}{r}/{L_pc}{r}"
        cached = v["it_students"] / v["it_computers"] if v["it_computers"] else "#DIV/0!"
        return F(expr, cached), {"num": "0.0"}
    cols2[11] = C_x("Số HS/máy", ("Tin học",), ratio, width=9)
    _reg_labels(cols1)
    _reg_labels(cols2)
    width = len(cols2)
    r = gov_header(g, TITLE_CITY, TITLE_NATION,
                   ["BÁO CÁO TỔNG HỢP KẾT QUẢ CHUYỂN ĐỔI SỐ",
                    "Tổng kết năm học 2024-2025"], width)
    g.set(r, 1, "A. GIÁO DỤC MẦM NON", b=True)
    r = build_table(g, r + 1, 1, cols1, [("school", s) for s in mn] + [("subtotal", "Cộng")],
                    ctx, fe, numbering=False)
    r += 2
    g.set(r, 1, "B. GIÁO DỤC TIỂU HỌC VÀ TRUNG HỌC CƠ SỞ", b=True)
    sec = {"TH": "I. TIỂU HỌC", "THCS": "II. TRUNG HỌC CƠ SỞ", "TH_THCS": "III. LIÊN CẤP TH&THCS"}
    r = build_table(g, r + 1, 1, cols2,
                    body_by_level(ge, subtotals=True, total="Tổng cộng", section_text=sec),
                    ctx, fe, numbering=False)
    g.set(r + 1, 1, "Ghi chú: Số HS/máy = Số HS học Tin học / Số máy tính dạy Tin học.", i=True)
    signature(g, r + 3, width, "Người lập biểu", "TRƯỞNG PHÒNG", "Vinh, ngày 28 tháng 5 năm 2025")
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


def make_B3(fe_list):
    """HK1 2025-2026, one ward's schools, table starting at C9 (.xls), C/K, 0.85 fractions."""
    file = "files/B3_phuong_Thanh_Vinh_HK1_2025-2026.xls"
    fe = FileExp(file, "ward consolidated table in .xls (xlwt) starting at C9 with title rows above in "
                       "column C onwards, level and ownership columns (MN/TH/THCS/TH&THCS, CL/NCL), "
                       "C/K booleans, percents as fractions 0.xx, some numbers typed as text "
                       "('1.234', '37,5')")
    ctx = {"year": "2025-2026", "period": "HK1"}
    g = Grid("Bieu tong hop")
    schools = sorted(ward_of("Thành Vinh"), key=lambda s: LEVEL_ORDER.index(s["level"]))
    mix, dot = {"num": "mix"}, {"num": "dot"}
    QM, HT, NT, CQ = "Quy mô", "Hạ tầng số", "Nền tảng số", "An toàn thông tin - Chính quyền số"
    ck = {"bool": "ck"}
    cols = [C_stt(), C_id("Mã CSGD", "code"), C_id("Tên CSGD", "name"),
            C_id("Cấp học", "level", LEVEL_SHORT), C_id("Loại hình", "own", {"cong_lap": "CL", "tu_thuc": "NCL"}),
            C_f("classes", "Số lớp", (QM,), mix), C_f("students", "Số học sinh", (QM,), dot),
            C_f("teachers", "Số giáo viên", (QM,), mix), C_f("managers", "Số cán bộ quản lý", (QM,)),
            C_f("it_rooms", "Số phòng máy tính", (HT,)),
            C_f("it_computers", "Số máy tính dạy Tin học", (HT,)),
            C_f("it_students", "Số học sinh học Tin học", (HT,), dot),
            C_f("it_classes", "Số lớp học Tin học", (HT,)),
            C_f("bandwidth_mbps", "Băng thông Internet (Mbps)", (HT,), dot),
            C_f("e_gradebook", "Sổ điểm điện tử", (NT,), ck),
            C_f("e_transcript", "Học bạ số", (NT,), ck),
            C_f("parent_app", "Ứng dụng kết nối gia đình - nhà trường", (NT,), ck),
            C_f("online_enrolment", "Tuyển sinh trực tuyến", (NT,), ck),
            C_f("cashless_pct", "Tỷ lệ thu không dùng tiền mặt (%)", (NT,), {"pct": "frac"}),
            C_f("licensed_antivirus", "Có phần mềm diệt virus bản quyền", (CQ,), ck),
            C_f("uses_eoffice", "Dùng hệ thống quản lý văn bản điều hành", (CQ,), ck),
            C_f("managers_with_esign", "Số CBQL dùng chữ ký số", (CQ,))]
    _reg_labels(cols)
    gov_header(g, ["UBND PHƯỜNG THÀNH VINH", "PHÒNG VĂN HÓA - XÃ HỘI"], TITLE_NATION,
               ["BIỂU TỔNG HỢP SỐ LIỆU CHUYỂN ĐỔI SỐ CÁC TRƯỜNG TRÊN ĐỊA BÀN",
                "Học kỳ I - NH 2025-2026"], len(cols), left=3)
    g.set(8, 3, "(C: Có; K: Không)", i=True)
    r = build_table(g, 9, 3, cols, [("school", s) for s in schools], ctx, fe)
    signature(g, r + 1, len(cols), "Người lập biểu", "TRƯỞNG PHÒNG", left=3,
              place_date="Thành Vinh, ngày 16 tháng 01 năm 2026")
    save_xlwt(HERE / file, [g])
    fe_list.append(fe)


B4_COLUMNS = [
    ("classes", "Tổng số lớp"), ("students", "Tổng số HS"), ("teachers", "Tổng số GV"),
    ("managers", "Tổng số CBQL"), ("classrooms", "Tổng số phòng học"), ("it_rooms", "Phòng máy"),
    ("it_computers", "Số máy tính đang hoạt động"), ("it_students", "Số HS học môn Tin học"),
    ("it_classes", "Số lớp học môn Tin học"),
    ("rooms_projector_internet", "Phòng học có máy chiếu/TV và Internet"),
    ("bandwidth_mbps", "Băng thông"), ("has_studio", "Phòng studio"),
    ("mgmt_software", "Tên phần mềm quản trị"), ("e_gradebook", "Có sổ điểm điện tử"),
    ("e_transcript", "Học bạ điện tử"), ("e_records", "Có hồ sơ điện tử"),
    ("parent_app", "Kết nối phụ huynh"), ("online_enrolment", "Đăng ký tuyển sinh trực tuyến"),
    ("cashless_pct", "Tỷ lệ thanh toán không dùng tiền mặt"), ("lms", "Sử dụng LMS"),
    ("digital_materials", "Số bài giảng điện tử"),
    ("students_with_id", "Số học sinh có mã định danh"),
    ("teachers_with_id", "Số giáo viên có mã định danh"),
    ("results_synced", "Đồng bộ kết quả học tập CSDL ngành"),
    ("teachers_trained", "Số GV được tập huấn CĐS"),
    ("teachers_making_materials", "GV xây dựng bài giảng điện tử"),
    ("managers_with_esign", "CBQL có chữ ký số"), ("uses_eoffice", "Sử dụng iOffice"),
    ("licensed_antivirus", "Diệt virus bản quyền"), ("has_dx_lead", "Có cán bộ phụ trách CĐS"),
    ("has_dx_plan", "Có kế hoạch chuyển đổi số"),
    ("dx_day_activity", "Hoạt động Ngày CĐS quốc gia"),
    ("dx_posts", "Tin bài tuyên truyền chuyển đổi số"),
]


def make_B4(fe_list):
    """CN 2025-2026 web export: UTF-8 with BOM, ';', aliases, year/period columns, 1/0, '85 %'."""
    file = "files/B4_xuat_web_CN_2025-2026.csv"
    fe = FileExp(file, "web-database CSV export, UTF-8 with BOM, ';' delimiter, one header row of "
                       "field aliases, 'Năm học' column '2025–2026' (en dash) and 'Kỳ báo cáo' column "
                       "'Cuối năm', 1/0 booleans, percents '85 %', decimal comma, empty cells for "
                       "fields that do not apply to preschools")
    ctx = {"year": "2025-2026", "period": "CN"}
    g = Grid("csv")
    heads = ["Mã trường", "Tên trường", "Cấp học", "Năm học", "Kỳ báo cáo"] + [h for _, h in B4_COLUMNS]
    for f, h in B4_COLUMNS:
        USED_LABELS.append((h, f))
    for j, h in enumerate(heads, 1):
        g.set(1, j, h)
    lvl = dict(LEVEL_VI, THCS="THCS", TH_THCS="TH&THCS")
    for i, s in enumerate(SCHOOLS):
        r = i + 2
        row = [s["code"], s["name"], lvl[s["level"]], "2025–2026", "Cuối năm"]
        vals = survey(s, ctx["year"], ctx["period"])
        for f, _ in B4_COLUMNS:
            if f not in vals:
                row.append(None)
                continue
            v = vals[f]
            fe.survey(s["code"], ctx["year"], ctx["period"], f, v)
            TRACE.append((file, "csv", addr(r, len(row) + 1), "survey", (f, v)))
            t = FTYPE[f]
            if t == "bool":
                row.append("1" if v else "0")
            elif t == "percent":
                row.append(f"{v} %")
            elif isinstance(v, float) and not v.is_integer():
                row.append(str(v).replace(".", ","))
            else:
                row.append(str(v))
        for j, v in enumerate(row, 1):
            g.set(r, j, v)
    save_csv(HERE / file, g, encoding="utf-8-sig", delimiter=";")
    fe_list.append(fe)


def make_B5(fe_list):
    """HK1 2025-2026, one ward, .xls, NFD text, x/blank booleans, 0.85 with a % format."""
    file = "files/B5_phuong_Truong_Vinh_HK1_2025-2026.xls"
    fe = FileExp(file, "ward table in .xls (xlwt) with all text in NFD Unicode (labels, names, title), "
                       "booleans marked x / left blank under a header saying 'đánh dấu x nếu có', "
                       "percents stored as 0.xx with a 0% number format, 2-row header")
    ctx = {"year": "2025-2026", "period": "HK1"}
    g = Grid(nfd("Tổng hợp"))
    schools = sch("HX0101", "HX0102", "HX0107", "HX0202", "HX0302", "HX0307")
    x = {"bool": "x"}
    QM, HT, NT = "Quy mô", "Hạ tầng", "Nền tảng số, chính quyền số (đánh dấu x nếu có)"
    cols = [C_stt(), C_id("Mã trường", "code"),
            Col("Tên trường", kind="id", render=lambda s, c: (nfd(s["name"]), {}), width=32),
            Col("Cấp học", kind="id", render=lambda s, c: (nfd(LEVEL_VI[s["level"]]), {}), width=14),
            C_f("classes", "Số lớp", (QM,)), C_f("students", "Số học sinh", (QM,)),
            C_f("teachers", "Số giáo viên", (QM,)),
            C_f("classrooms", "Số phòng học", (HT,)),
            C_f("rooms_projector_internet", "Số phòng học có thiết bị trình chiếu và Internet", (HT,)),
            C_f("has_studio", "Có phòng studio", (HT,), x),
            C_f("e_records", "Hồ sơ điện tử", (NT,), x),
            C_f("parent_app", "Ứng dụng kết nối gia đình - nhà trường", (NT,), x),
            C_f("online_enrolment", "Tuyển sinh trực tuyến", (NT,), x),
            C_f("uses_eoffice", "Dùng hệ thống quản lý văn bản điều hành", (NT,), x),
            C_f("licensed_antivirus", "Có phần mềm diệt virus bản quyền", (NT,), x),
            C_f("has_dx_lead", "Có bộ phận phụ trách CNTT/CĐS", (NT,), x),
            C_f("has_dx_plan", "Có kế hoạch CĐS năm", (NT,), x),
            C_f("dx_day_activity", "Hưởng ứng Ngày CĐS 10/10", (NT,), x),
            C_f("cashless_pct", "Tỷ lệ thu không dùng tiền mặt (%)", st={"pct": "frac_fmt"}),
            C_f("digital_materials", "Số học liệu số"),
            C_f("dx_posts", "Số tin bài tuyên truyền CĐS"),
            C_f("teachers_trained", "Số GV được bồi dưỡng kỹ năng số"),
            C_f("teachers_making_materials", "Số GV xây dựng học liệu số")]
    _reg_labels(cols)
    for c in cols:  # NFD headers
        c.label = nfd(c.label)
        c.groups = tuple(nfd(x) for x in c.groups)
    r = gov_header(g, [nfd("UBND PHƯỜNG TRƯỜNG VINH"), nfd("PHÒNG VĂN HÓA - XÃ HỘI")],
                   [nfd(t) for t in TITLE_NATION],
                   [nfd("TỔNG HỢP SỐ LIỆU CHUYỂN ĐỔI SỐ CÁC TRƯỜNG MẦM NON, TIỂU HỌC, THCS"),
                    nfd("Sơ kết HK I năm học 2025 - 2026")], len(cols))
    r = build_table(g, r, 1, cols, [("school", s) for s in schools], ctx, fe, numbering=False)
    signature(g, r + 1, len(cols), nfd("Người lập biểu"), nfd("TRƯỞNG PHÒNG"),
              names=(nfd("Lê Thị Hà"), nfd("Phan Đình Sơn")))
    save_xlwt(HERE / file, [g])
    fe_list.append(fe)


def make_B6(fe_list):
    """CN 2024-2025, one sheet per level (plus an instructions sheet first), Có/có/KHÔNG."""
    file = "files/B6_theo_cap_hoc_CN_2024-2025.xlsx"
    fe = FileExp(file, "workbook with an instructions sheet first and one sheet per level "
                       "('Mầm non', 'Tiểu học', 'THCS', 'TH&THCS'), each with title rows and a 2-row "
                       "pillar header; codes under 'Mã đơn vị'; booleans Có/có/CÓ/Không/không/KHÔNG")
    ctx = {"year": "2024-2025", "period": "CN"}
    schools = sch("04011019", "HX0104", "29011024", "04012031", "04012047", "29012056",
                  "04013105", "04013112", "29013071", "29014089")
    b = {"bool": "co_mix"}
    sheets = []
    h = Grid("Hướng dẫn")
    for i, line in enumerate([
            "HƯỚNG DẪN TỔNG HỢP",
            "Mỗi cấp học một trang tính. Số liệu tổng kết năm học 2024-2025 (tính đến 25/5/2025).",
            "Các cột Có/Không: ghi Có hoặc Không."], 1):
        h.set(i, 1, line, b=i == 1)
    sheets.append(h)
    names = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "TH_THCS": "TH&THCS"}
    for L in LEVEL_ORDER:
        group = [s for s in schools if s["level"] == L]
        g = Grid(names[L])
        cols = [C_stt(), C_id("Mã đơn vị", "code"), C_id("Tên đơn vị", "name"),
                C_f("has_dx_lead", "Có bộ phận phụ trách CNTT/CĐS", ("Thể chế số",), b),
                C_f("has_dx_plan", "Có kế hoạch CĐS năm", ("Thể chế số",), b),
                C_f("dx_day_activity", "Hưởng ứng Ngày CĐS 10/10", ("Nhận thức số",), b),
                C_f("dx_posts", "Số tin bài tuyên truyền CĐS", ("Nhận thức số",)),
                C_f("licensed_antivirus", "Có phần mềm diệt virus bản quyền", ("An toàn thông tin",), b),
                C_f("uses_eoffice", "Dùng hệ thống quản lý văn bản điều hành", ("Chính quyền số",), b),
                C_f("managers_with_esign", "Số CBQL dùng chữ ký số", ("Chính quyền số",)),
                C_f("mgmt_software", "Phần mềm quản trị nhà trường", ("Chính quyền số",)),
                C_f("teachers_trained", "Số GV được bồi dưỡng kỹ năng số", ("Nhân lực số",)),
                C_f("teachers_making_materials", "Số GV xây dựng học liệu số", ("Nhân lực số",)),
                C_f("digital_materials", "Số học liệu số", ("Nhân lực số",)),
                C_f("e_records", "Hồ sơ điện tử", ("Nền tảng số",), b),
                C_f("parent_app", "Ứng dụng kết nối gia đình - nhà trường", ("Nền tảng số",), b),
                C_f("online_enrolment", "Tuyển sinh trực tuyến", ("Nền tảng số",), b),
                C_f("cashless_pct", "Tỷ lệ thu không dùng tiền mặt (%)", ("Nền tảng số",))]
        if L != "MN":
            cols += [C_f("e_gradebook", "Sổ điểm điện tử", ("Nền tảng số",), b),
                     C_f("e_transcript", "Học bạ số", ("Nền tảng số",), b),
                     C_f("lms", "Dạy học trực tuyến (LMS)", ("Nền tảng số",), b),
                     C_f("results_synced", "Đã cập nhật kết quả học tập lên CSDL ngành", ("Dữ liệu số",), b)]
        _reg_labels(cols)
        r = gov_header(g, TITLE_CITY, TITLE_NATION,
                       [f"TỔNG HỢP CÁC CHỈ SỐ CHUYỂN ĐỔI SỐ - CẤP {LEVEL_VI[L].upper()}",
                        "Tổng kết năm học 2024-2025"], len(cols))
        r = build_table(g, r, 1, cols, [("school", s) for s in group], ctx, fe)
        signature(g, r + 1, len(cols), "Người tổng hợp", "TRƯỞNG PHÒNG")
        sheets.append(g)
    save_openpyxl(HERE / file, sheets)
    fe_list.append(fe)


def make_F(fe_list):
    """HK1 2025-2026: counts typed with unit words (notes) and approximations (errors)."""
    file = "files/F_don_vi_trong_o_so_HK1_2025-2026.xlsx"
    fe = FileExp(file, "consolidated IT-infrastructure table where some counts carry a unit word "
                       "('N máy', 'N phòng', '1.212 HS', 'N lớp', 'N GV' -> the number, with a note) "
                       "and some cells hold approximations or words ('khoảng 30', 'trên 20', "
                       "'Không có') or an Excel #REF! -> errors, that school's row loads nothing")
    ctx = {"year": "2025-2026", "period": "HK1"}
    g = Grid("Tin học")
    schools = sch("04012031", "04012047", "29012056", "HX0207", "04013105", "04013112",
                  "HX0305", "29013071", "29014089")

    def v(code, f):
        return survey(BY_CODE[code], ctx["year"], ctx["period"])[f]
    ov = {
        "it_computers": {"04012031": (f"{v('04012031', 'it_computers')} máy", "note",
                                      f"'{v('04012031', 'it_computers')} máy': unit word, loads as {v('04012031', 'it_computers')}"),
                         "04013105": ("khoảng 30", "error", "'khoảng 30' is an approximation, not a count")},
        "it_rooms": {"04012031": (f"{v('04012031', 'it_rooms')} phòng", "note",
                                  f"'{v('04012031', 'it_rooms')} phòng': unit word"),
                     "HX0207": ("Không có", "error", "'Không có' is a word, type 0 for none")},
        "students": {"04013112": (f"{vn_num(v('04013112', 'students'))} HS", "note",
                                  f"'{vn_num(v('04013112', 'students'))} HS': unit word and thousands dot")},
        "classes": {"29014089": (f"{v('29014089', 'classes')} lớp", "note",
                                 f"'{v('29014089', 'classes')} lớp': unit word")},
        "teachers": {"29014089": (f"{v('29014089', 'teachers')} GV", "note",
                                  f"'{v('29014089', 'teachers')} GV': unit word"),
                     "29013071": ("trên 20", "error", "'trên 20' (more than 20) is not a count")},
    }
    QM, PM = "Quy mô", "Phòng máy tính"
    cols = [C_stt(), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
            C_f("classes", "Số lớp", (QM,), overrides=ov["classes"]),
            C_f("students", "Số học sinh", (QM,), overrides=ov["students"]),
            C_f("teachers", "Số giáo viên", (QM,), overrides=ov["teachers"]),
            C_f("classrooms", "Số phòng học", (QM,)),
            C_f("it_rooms", "Số phòng máy tính", (PM,), overrides=ov["it_rooms"]),
            C_f("it_computers", "Số máy tính dạy Tin học", (PM,), overrides=ov["it_computers"]),
            C_f("it_students", "Số học sinh học Tin học", (PM,)),
            C_f("it_classes", "Số lớp học Tin học", (PM,)),
            C_f("rooms_projector_internet", "Số phòng học có thiết bị trình chiếu và Internet"),
            C_f("has_studio", "Có phòng studio")]
    _reg_labels(cols)
    r = gov_header(g, ["UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], TITLE_NATION,
                   ["TỔNG HỢP CƠ SỞ VẬT CHẤT PHỤC VỤ DẠY HỌC MÔN TIN HỌC",
                    "Sơ kết học kỳ I năm học 2025-2026"], len(cols))
    r0 = r
    r = build_table(g, r, 1, cols, [("school", s) for s in schools], ctx, fe)
    # Lê Mao's projector cell was a formula pointing at a deleted sheet
    rm = next(row for row in range(r0, r) if g.get(row, 2) == "HX0305")
    cpi = 12
    g.set(rm, cpi, F("#REF!", "#REF!"), border=True)
    fe.rec["HX0305"] = [it for it in fe.rec["HX0305"] if not (it[0] == "survey" and it[1]["field"] == "rooms_projector_internet")]
    fe.add("HX0305", "error", {"sheet": g.name, "cell": addr(rm, cpi),
                               "why": "#REF! (Excel error value) in a count cell"})
    TRACE[:] = [x for x in TRACE if not (x[0] == file and x[2] == addr(rm, cpi))]
    TRACE.append((file, g.name, addr(rm, cpi), "error", "#REF!"))
    signature(g, r + 1, len(cols), "Người tổng hợp", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC")
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


# --------------------------------------------------------------------------
# C. Per-school survey forms
# --------------------------------------------------------------------------

SEC_FULL = [
    ("I. QUY MÔ TRƯỜNG LỚP", [("Số lớp", "classes"), ("Số học sinh", "students"),
                              ("Số giáo viên", "teachers"), ("Số cán bộ quản lý", "managers"),
                              ("Số phòng học", "classrooms")]),
    ("II. HẠ TẦNG SỐ", [("Số phòng máy tính", "it_rooms"), ("Số máy tính dạy Tin học", "it_computers"),
                        ("Số học sinh học Tin học", "it_students"), ("Số lớp học Tin học", "it_classes"),
                        ("Số phòng học có thiết bị trình chiếu và Internet", "rooms_projector_internet"),
                        ("Băng thông Internet (Mbps)", "bandwidth_mbps"), ("Có phòng studio", "has_studio")]),
    ("III. NỀN TẢNG SỐ", [("Phần mềm quản trị nhà trường", "mgmt_software"),
                          ("Sổ điểm điện tử", "e_gradebook"), ("Học bạ số", "e_transcript"),
                          ("Hồ sơ điện tử", "e_records"),
                          ("Ứng dụng kết nối gia đình - nhà trường", "parent_app"),
                          ("Tuyển sinh trực tuyến", "online_enrolment"),
                          ("Tỷ lệ thu không dùng tiền mặt (%)", "cashless_pct"),
                          ("Dạy học trực tuyến (LMS)", "lms")]),
    ("IV. DỮ LIỆU SỐ", [("Số HS đã cập nhật số định danh", "students_with_id"),
                        ("Số GV đã cập nhật số định danh", "teachers_with_id"),
                        ("Đã cập nhật kết quả học tập lên CSDL ngành", "results_synced")]),
    ("V. NHÂN LỰC SỐ", [("Số GV được bồi dưỡng kỹ năng số", "teachers_trained"),
                        ("Số GV xây dựng học liệu số", "teachers_making_materials"),
                        ("Số học liệu số", "digital_materials")]),
    ("VI. CHÍNH QUYỀN SỐ VÀ AN TOÀN THÔNG TIN", [
        ("Số CBQL dùng chữ ký số", "managers_with_esign"),
        ("Dùng hệ thống quản lý văn bản điều hành", "uses_eoffice"),
        ("Có phần mềm diệt virus bản quyền", "licensed_antivirus")]),
    ("VII. THỂ CHẾ SỐ VÀ NHẬN THỨC SỐ", [
        ("Có bộ phận phụ trách CNTT/CĐS", "has_dx_lead"), ("Có kế hoạch CĐS năm", "has_dx_plan"),
        ("Hưởng ứng Ngày CĐS 10/10", "dx_day_activity"), ("Số tin bài tuyên truyền CĐS", "dx_posts")]),
]


def form_head(g, org, school_line, title, subtitle, width, left=1):
    g.merge(1, left, 1, left + 1, org, h="center")
    g.merge(2, left, 2, left + 1, school_line, b=True, h="center")
    g.merge(1, left + 2, 1, left + width - 1, TITLE_NATION[0], b=True, h="center")
    g.merge(2, left + 2, 2, left + width - 1, TITLE_NATION[1], h="center")
    g.merge(4, left, 4, left + width - 1, title, b=True, h="center", size=14)
    g.merge(5, left, 5, left + width - 1, subtitle, i=True, h="center")


def make_C1(fe_list):
    file = "files/C1_phieu_khao_sat_HX0202_HK1_2024-2025.xlsx"
    fe = FileExp(file, "per-school form: STT | label | value | unit | note, seven section headings, "
                       "school name/code as 'Tên trường:'/'Mã trường:' pairs above the table, "
                       "Có/Không, '85%' text, '1.368' text, one count typed with its unit ('N máy')")
    ctx = {"year": "2024-2025", "period": "HK1"}
    s = BY_CODE["HX0202"]
    g = Grid("Phiếu khảo sát")
    form_head(g, "UBND THÀNH PHỐ VINH", "TRƯỜNG TIỂU HỌC TRƯỜNG THI",
              "PHIẾU KHẢO SÁT THỰC TRẠNG CHUYỂN ĐỔI SỐ", "Sơ kết học kỳ I, năm học 2024-2025", 5)
    g.set(7, 2, "Tên trường:", b=True)
    g.set(7, 3, s["name"])
    g.set(8, 2, "Mã trường:", b=True)
    g.set(8, 3, s["code"], text=True)
    for j, h in enumerate(["STT", "Nội dung", "Số liệu", "Đơn vị tính", "Ghi chú"], 1):
        g.set(10, j, h, b=True, h="center", border=True)
    pcs = survey(s, ctx["year"], ctx["period"])["it_computers"]
    r = build_form(g, 11, s, ctx, fe, SEC_FULL, lc=2, vc=3, stt_col=1, unit_col=4, note_col=5,
                   st={"num": "dot", "pct": "text"}, head_span=5,
                   overrides={"it_computers": (f"{pcs} máy", "note", f"'{pcs} máy': unit word")})
    g.widths.update({1: 6, 2: 48, 3: 14, 4: 12, 5: 14})
    signature(g, r + 1, 5, "Người lập phiếu", "HIỆU TRƯỞNG", "Vinh, ngày 10 tháng 01 năm 2025")
    save_openpyxl(HERE / file, [g])
    fe_list.append(fe)


def make_C2(fe_list):
    file = "files/C2_phieu_mam_non_HX0105_CN_2024-2025.xlsx"
    fe = FileExp(file, "preschool form whose label/value pairs stand in columns C-D (B = STT, E = note); "
                       "code, name, 'Năm học' 2024 - 2025 and 'Kỳ báo cáo' Cả năm are pairs too; "
                       "aliases (Số nhóm lớp, Số trẻ); percent 0.xx with a 0% format")
    ctx = {"year": "2024-2025", "period": "CN"}
    s = BY_CODE["HX0105"]
    g = Grid("Phiếu")
    g.merge(1, 3, 1, 5, "TRƯỜNG MẦM NON TƯ THỤC HOA SEN", b=True)
    g.merge(3, 3, 3, 5, "PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ", b=True, h="center", size=14)
    g.merge(4, 3, 4, 5, "(Dành cho cơ sở giáo dục mầm non)", i=True, h="center")
    for i, (lab, val) in enumerate([("Mã trường", s["code"]), ("Tên trường", s["name"]),
                                    ("Năm học", "2024 - 2025"), ("Kỳ báo cáo", "Cả năm")]):
        g.set(6 + i, 3, lab, b=True, border=True)
        g.set(6 + i, 4, val, border=True)
    for j, h in enumerate(["TT", "Chỉ tiêu", "Số liệu", "Ghi chú"], 2):
        g.set(11, j, h, b=True, h="center", border=True)
    secs = [
        ("I. QUY MÔ", [("Số nhóm lớp", "classes"), ("Số trẻ", "students"), ("Số GV", "teachers"),
                       ("Số CBQL", "managers"), ("Số phòng học", "classrooms")]),
        ("II. CƠ SỞ VẬT CHẤT", [("Số phòng học có thiết bị trình chiếu và Internet", "rooms_projector_internet"),
                                ("Băng thông Internet (Mbps)", "bandwidth_mbps"),
                                ("Có phòng studio", "has_studio")]),
        ("III. ỨNG DỤNG CNTT", [("Phần mềm quản trị nhà trường", "mgmt_software"),
                                ("Hồ sơ điện tử", "e_records"),
                                ("Ứng dụng kết nối gia đình - nhà trường", "parent_app"),
                                ("Tuyển sinh trực tuyến", "online_enrolment"),
                                ("Tỷ lệ thu không dùng tiền mặt (%)", "cashless_pct"),
                                ("Số học liệu số", "digital_materials")]),
        ("IV. DỮ LIỆU, NHÂN LỰC", [("Số HS đã cập nhật số định danh", "students_with_id"),
                                   ("Số GV đã cập nhật số định danh", "teachers_with_id"),
                                   ("Số GV được bồi dưỡng kỹ năng số", "teachers_trained"),
                                   ("Số GV xây dựng học liệu số", "teachers_making_materials")]),
        ("V. CHÍNH QUYỀN SỐ, THỂ CHẾ SỐ", [
            ("Số CBQL dùng chữ ký số", "managers_with_esign"),
            ("Dùng hệ thống quản lý văn bản điều hành", "uses_eoffice"),
            ("Có phần mềm diệt virus bản quyền", "licensed_antivirus"),
            ("Có bộ phận phụ trách CNTT/CĐS", "has_dx_lead"), ("Có kế hoạch CĐS năm", "has_dx_plan"),
            ("Hưởng ứng Ngày CĐS 10/10", "dx_day_activity"),
            ("Số tin bài tuyên truyền CĐS", "dx_posts")]),
    ]
    r = build_form(g, 12, s, ctx, fe, secs, lc=3, vc=4, stt_col=2, note_col=5,
                   st={"pct": "frac_fmt"}, head_span=5)
    g.widths.update({1: 3, 2: 5, 3: 48, 4: 16, 5: 16})
    signature(g, r + 1, 4, "Người lập phiếu", "HIỆU TRƯỞNG", left=2,
              place_date="Vinh, ngày 26 tháng 5 năm 2025")
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


def make_C3(fe_list):
    file = "files/C3_phieu_theo_hang_04013105_HK1_2025-2026.xls"
    fe = FileExp(file, "per-school form in .xls (xlwt) with pairs in rows: each block has a heading row, "
                       "a row of labels and the row of values below; the first block holds code, name, "
                       "year and period ('Học kỳ I')")
    ctx = {"year": "2025-2026", "period": "HK1"}
    s = BY_CODE["04013105"]
    g = Grid("Phieu khao sat")
    g.merge(1, 1, 1, 3, "UBND PHƯỜNG VINH HƯNG", h="center")
    g.merge(2, 1, 2, 3, "TRƯỜNG THCS NGHI KIM", b=True, h="center")
    g.merge(3, 1, 3, 8, "PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ - SƠ KẾT HỌC KỲ I NĂM HỌC 2025-2026", b=True, h="center")
    for j, (lab, val) in enumerate([("Mã trường", s["code"]), ("Tên trường", s["name"]),
                                    ("Năm học", "2025-2026"), ("Kỳ báo cáo", "Học kỳ I")], 1):
        g.set(5, j, lab, b=True, border=True, h="center")
        g.set(6, j, val, border=True)
    blocks = [
        ("1. Quy mô", SEC_FULL[0][1]),
        ("2. Hạ tầng và thiết bị", SEC_FULL[1][1]),
        ("3. Nền tảng số", SEC_FULL[2][1]),
        ("4. Dữ liệu, nhân lực, chính quyền số", SEC_FULL[3][1] + SEC_FULL[4][1] + SEC_FULL[5][1][:2]),
        ("5. Thể chế, nhận thức, an toàn thông tin", SEC_FULL[6][1] + SEC_FULL[5][1][2:]),
    ]
    vals = survey(s, ctx["year"], ctx["period"])
    r = 8
    for head, items in blocks:
        g.set(r, 1, head, b=True)
        for j, (lab, f) in enumerate(items, 1):
            USED_LABELS.append((lab, f))
            g.set(r + 1, j, lab, b=True, wrap=True, border=True, h="center")
            v = vals[f]
            cell, fmt = spell(f, v, {}, s["code"])
            g.set(r + 2, j, cell, border=True, **fmt)
            emit(fe, s, ctx, [("survey", (f, v))], g.name, addr(r + 2, j))
        r += 4
    for c in range(1, 11):
        g.widths[c] = 16
    signature(g, r, 8, "Người lập phiếu", "HIỆU TRƯỞNG")
    save_xlwt(HERE / file, [g])
    fe_list.append(fe)


def make_C4(fe_list):
    file = "files/C4_so_sanh_4_truong_HK1_2025-2026.xlsx"
    fe = FileExp(file, "comparison sheet, one column per school: field labels down column A, schools "
                       "in B-E with 'Mã trường' in row 1 and 'Tên trường' in row 2; year and period only "
                       "in the file name; a preschool's column is blank on IT rows; '85%' text")
    ctx = {"year": "2025-2026", "period": "HK1"}
    schools = sch("HX0101", "HX0202", "HX0302", "HX0307")
    g = Grid("So sánh")
    g.set(1, 1, "Mã trường", b=True, border=True)
    g.set(2, 1, "Tên trường", b=True, border=True)
    for j, s in enumerate(schools, 2):
        g.set(1, j, s["code"], b=True, border=True, h="center")
        g.set(2, j, short_name(s), b=True, border=True, wrap=True, h="center")
    secs = [("I. QUY MÔ", SEC_FULL[0][1]),
            ("II. TIN HỌC VÀ HẠ TẦNG", SEC_FULL[1][1][:6]),
            ("III. NỀN TẢNG SỐ", [SEC_FULL[2][1][i] for i in (1, 2, 4, 5, 6)]),
            ("IV. KHÁC", [("Số tin bài tuyên truyền CĐS", "dx_posts"),
                          ("Số GV được bồi dưỡng kỹ năng số", "teachers_trained")])]
    r = 3
    for head, items in secs:
        g.set(r, 1, head, b=True, border=True)
        r += 1
        for lab, f in items:
            USED_LABELS.append((lab, f))
            g.set(r, 1, lab, border=True)
            for j, s in enumerate(schools, 2):
                vals = survey(s, ctx["year"], ctx["period"])
                if f not in vals:
                    g.set(r, j, None, border=True)
                    continue
                cell, fmt = spell(f, vals[f], {"pct": "text"}, s["code"])
                g.set(r, j, cell, border=True, **fmt)
                emit(fe, s, ctx, [("survey", (f, vals[f]))], g.name, addr(r, j))
            r += 1
    g.widths.update({1: 46, 2: 16, 3: 16, 4: 16, 5: 16})
    save_openpyxl(HERE / file, [g], font="Calibri")
    fe_list.append(fe)


def make_C5(fe_list):
    file = "files/C5_phieu_NFD_HX0307_CN_2025-2026.xlsx"
    fe = FileExp(file, "per-school form with every text in NFD Unicode and double spaces inside some "
                       "labels; Yes/No booleans; percent '85 %'; '1.000' (thousands dot) bandwidth")
    ctx = {"year": "2025-2026", "period": "CN"}
    s = BY_CODE["HX0307"]
    g = Grid(nfd("Phiếu khảo sát"))
    form_head(g, nfd("UBND PHƯỜNG TRƯỜNG VINH"), nfd("TRƯỜNG THCS TRUNG ĐÔ"),
              nfd("PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ"), nfd("Tổng kết năm học 2025-2026"), 4)
    g.set(7, 2, nfd("Tên trường:"), b=True)
    g.set(7, 3, nfd(s["name"]))
    g.set(8, 2, nfd("Mã trường:"), b=True)
    g.set(8, 3, s["code"])
    for j, h in enumerate(["TT", "Nội dung", "Kết quả", "Ghi chú"], 1):
        g.set(10, j, nfd(h), b=True, h="center", border=True)
    r = build_form(g, 11, s, ctx, fe, SEC_FULL, lc=2, vc=3, stt_col=1, note_col=4,
                   st={"num": "dot", "pct": "space", "bool": "yesno"}, head_span=4,
                   text=lambda x: nfd(x.replace(" học ", "  học ", 1)))
    g.widths.update({1: 6, 2: 50, 3: 14, 4: 14})
    signature(g, r + 1, 4, nfd("Người lập phiếu"), nfd("HIỆU TRƯỞNG"),
              names=(nfd("Hồ Thị Thủy"), nfd("Đặng Quốc Việt")))
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


def make_C6(fe_list):
    file = "files/C6_phieu_co_loi_04012047_HK1_2025-2026.xlsx"
    fe = FileExp(file, "per-school form holding one approximation ('khoảng 15'): the whole form "
                       "loads nothing, one error")
    ctx = {"year": "2025-2026", "period": "HK1"}
    s = BY_CODE["04012047"]
    g = Grid("Phiếu")
    form_head(g, "UBND PHƯỜNG VINH PHÚ", "TRƯỜNG TIỂU HỌC NGHI ĐỨC",
              "PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ", "Sơ kết học kỳ I năm học 2025-2026", 4)
    g.set(7, 2, "Tên trường:", b=True)
    g.set(7, 3, s["name"])
    g.set(8, 2, "Mã trường:", b=True)
    g.set(8, 3, s["code"], text=True)
    for j, h in enumerate(["STT", "Nội dung", "Số liệu", "Ghi chú"], 1):
        g.set(10, j, h, b=True, h="center", border=True)
    secs = [SEC_FULL[0], SEC_FULL[4], SEC_FULL[6]]
    r = build_form(g, 11, s, ctx, fe, secs, lc=2, vc=3, stt_col=1, note_col=4, head_span=4,
                   overrides={"teachers_trained": ("khoảng 15", "error",
                                                   "'khoảng 15' is an approximation, not a count")})
    g.widths.update({1: 6, 2: 46, 3: 14, 4: 14})
    signature(g, r + 1, 4, "Người lập phiếu", "HIỆU TRƯỞNG")
    save_openpyxl(HERE / file, [g])
    fe_list.append(fe)


def tcvn3_caps(text):
    """Capitals typed in the .VnTimeH font: same codes as the lower-case .VnTime letters."""
    return "".join(ch if ord(ch) < 128 else tcvn3(ch.lower()) for ch in text)


def make_C7(fe_list):
    file = "files/C7_phieu_TCVN3_HX0205_CN_2024-2025.xls"
    fe = FileExp(file, "per-school form in .xls typed with the legacy TCVN3 fonts (.VnTime / .VnTimeH): "
                       "labels, school name, title and Có/Không arrive as mojibake "
                       "('Sè häc sinh', 'Cã', 'Kh«ng'); numbers are plain")
    ctx = {"year": "2024-2025", "period": "CN"}
    s = BY_CODE["HX0205"]
    g = Grid("Phieu")
    VT, VH = ".VnTime", ".VnTimeH"
    g.merge(1, 1, 1, 2, tcvn3_caps("UBND THÀNH PHỐ VINH"), h="center", font=VH)
    g.merge(2, 1, 2, 2, tcvn3_caps("TRƯỜNG TIỂU HỌC CỬA NAM"), b=True, h="center", font=VH)
    g.merge(4, 1, 4, 3, tcvn3_caps("PHIẾU KHẢO SÁT CHUYỂN ĐỔI SỐ"), b=True, h="center", font=VH)
    g.merge(5, 1, 5, 3, tcvn3("Tổng kết năm học 2024-2025"), i=True, h="center", font=VT)
    g.set(7, 1, tcvn3("Tên trường:"), b=True, font=VT)
    g.set(7, 2, tcvn3(s["name"]), font=VT)
    g.set(8, 1, tcvn3("Mã trường:"), b=True, font=VT)
    g.set(8, 2, s["code"], font=VT)
    for j, h in enumerate(["STT", "Nội dung", "Số liệu"], 1):
        g.set(10, j, tcvn3(h), b=True, h="center", border=True, font=VT)
    secs = [
        ("I. Quy mô", SEC_FULL[0][1]),
        ("II. Tin học", SEC_FULL[1][1][:4] + [("Có phòng studio", "has_studio")]),
        ("III. Nền tảng số", [("Phần mềm quản trị nhà trường", "mgmt_software"),
                              ("Sổ điểm điện tử", "e_gradebook"), ("Học bạ số", "e_transcript")]),
        ("IV. Nhân lực, thể chế, nhận thức", [("Số GV được bồi dưỡng kỹ năng số", "teachers_trained"),
                                               ("Có kế hoạch CĐS năm", "has_dx_plan"),
                                               ("Số tin bài tuyên truyền CĐS", "dx_posts")]),
    ]
    r = build_form(g, 11, s, ctx, fe, secs, lc=2, vc=3, stt_col=1, st={"bool": "tcvn3"},
                   head_span=3, text=tcvn3, font=VT)
    g.widths.update({1: 6, 2: 46, 3: 14})
    g.set(r + 1, 2, tcvn3("Người lập phiếu"), b=True, h="center", font=VT)
    g.set(r + 1, 3, tcvn3_caps("HIỆU TRƯỞNG"), b=True, h="center", font=VH)
    save_xlwt(HERE / file, [g], font=VT)
    fe_list.append(fe)


# --------------------------------------------------------------------------
# D. Per-school 4725 self-assessment forms
# --------------------------------------------------------------------------

EVIDENCE = ["Kế hoạch số {n}/KH-{a}", "Quyết định số {n}/QĐ-{a}", "Ảnh chụp màn hình hệ thống",
            "Báo cáo thống kê từ phần mềm", "Danh sách tài khoản giáo viên", "Biên bản kiểm tra", ""]


def level_text(scores, mand):
    total = sum(v for v in scores if isinstance(v, (int, float)) and not isinstance(v, bool))
    if not all(mand):
        return "Mức 1"
    return "Mức 1" if total < 50 else ("Mức 2" if total <= 75 else "Mức 3")


def build_4725(g, s, year, fe, *, kinds, parents=None, numbering=True, mand_max="Bắt buộc",
               score_text=(), overrides=None, year_cell=None, org, year_line=None, abbr="TH"):
    """Title rows, identity block in B7:C8 (B9:C9 when year_cell), criteria table from row 11."""
    overrides = overrides or {}
    a = assess(s, year)
    ctx = {"year": year}
    g.merge(1, 1, 1, 3, org, h="center")
    g.merge(2, 1, 2, 3, s["name"].upper(), b=True, h="center")
    g.merge(1, 4, 1, 7, TITLE_NATION[0], b=True, h="center")
    g.merge(2, 4, 2, 7, TITLE_NATION[1], h="center")
    g.merge(4, 1, 4, 7, "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ CỦA CƠ SỞ GIÁO DỤC PHỔ THÔNG",
            b=True, h="center", size=14)
    g.merge(5, 1, 5, 7, "(Theo Quyết định số 4725/QĐ-BGDĐT ngày 30/12/2022 của Bộ Giáo dục và Đào tạo)",
            i=True, h="center")
    if year_line:
        g.merge(6, 1, 6, 7, year_line, b=True, h="center")
    g.set(7, 2, "Tên trường:", b=True)
    g.set(7, 3, s["name"])
    g.set(8, 2, "Mã trường:", b=True)
    g.set(8, 3, s["code"], text=True)
    if year_cell:
        g.set(9, 2, "Năm học:", b=True)
        g.set(9, 3, year_cell)
    heads = ["TT", "Mã tiêu chí", "Tên tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Minh chứng"]
    for j, h in enumerate(heads, 1):
        g.set(11, j, h, b=True, h="center", wrap=True, border=True)
    r = 12
    if numbering:
        for j in range(1, 8):
            g.set(r, j, f"({j})", i=True, h="center", border=True)
        r += 1
    bd = {"border": True}

    def cell_of(kind, code):
        if (kind, code) in overrides:
            return overrides[(kind, code)][0], {"h": "center"}
        v = a[kind][code]
        if CRIT[code][5]:
            return ("Đạt" if v else "Chưa đạt"), {"h": "center"}
        if code in score_text:
            return vn_num(v), {"h": "right"}
        return v, {"h": "center"}

    for grp in (1, 2):
        g.set(r, 1, "I" if grp == 1 else "II", b=True, h="center", **bd)
        g.set(r, 2, None, **bd)
        g.set(r, 3, GROUP_NAME[grp], b=True, **bd)
        g.set(r, 4, 100, b=True, h="center", **bd)
        for j in (5, 6, 7):
            g.set(r, j, None, **bd)
        r += 1
        leaf_rows = []
        seen_parent = set()
        tt = 0
        crits = [c for c in CRITERIA if c[1] == grp]
        for code, _, parent, name, mx, mand in crits:
            if parents and parent not in ("1", "2") and parent not in seen_parent:
                seen_parent.add(parent)
                kids = [c[0] for c in crits if c[2] == parent]
                g.set(r, 1, None, **bd)
                g.set(r, 2, parent, b=True, **bd)
                g.set(r, 3, PARENTS[parent][0], b=True, **bd)
                g.set(r, 4, PARENTS[parent][1], b=True, h="center", **bd)
                for j, kind in ((5, "self"), (6, "verified")):
                    if kind not in kinds:
                        g.set(r, j, None, **bd)
                        continue
                    sub = sum(a[kind][k] for k in kids)
                    if parents == "formula":
                        cl = col_letter(j)
                        g.set(r, j, F(f"SUM({cl}{r + 1}:{cl}{r + len(kids)})", sub), b=True, h="center", **bd)
                    else:
                        g.set(r, j, sub, b=True, h="center", **bd)
                g.set(r, 7, None, **bd)
                r += 1
            tt += 1
            g.set(r, 1, tt, h="center", **bd)
            g.set(r, 2, code, **bd)
            g.set(r, 3, name, wrap=True, **bd)
            g.set(r, 4, mand_max if mand else mx, h="center", **bd)
            for j, kind in ((5, "self"), (6, "verified")):
                if kind not in kinds:
                    g.set(r, j, None, **bd)
                    continue
                cell, fmt = cell_of(kind, code)
                g.set(r, j, cell, **fmt, **bd)
                if (kind, code) in overrides:
                    fe.add(s["code"], "error", {"sheet": g.name, "cell": addr(r, j),
                                                "why": overrides[(kind, code)][2]})
                    TRACE.append((fe.file, g.name, addr(r, j), "error", overrides[(kind, code)][2]))
                else:
                    fe.assess(s["code"], year, kind, code, a[kind][code])
                    TRACE.append((fe.file, g.name, addr(r, j), "assess", (kind, code, a[kind][code])))
            ev = EVIDENCE[det(s["code"], code) % len(EVIDENCE)].format(n=det(code) % 90 + 10, a=abbr)
            g.set(r, 7, ev or None, wrap=True, **bd)
            leaf_rows.append(r)
            r += 1
        # group total and level rows (no criterion code: to be skipped)
        g.set(r, 3, f"Tổng điểm nhóm {grp}", b=True, **bd)
        g.set(r + 1, 3, f"Mức đạt được nhóm {grp}", b=True, **bd)
        for j, kind in ((5, "self"), (6, "verified")):
            if kind not in kinds:
                continue
            scores = [a[kind][c[0]] for c in crits if not c[5]]
            mand = [a[kind][c[0]] for c in crits if c[5]]
            total = sum(scores)
            if parents == "formula":
                cl = col_letter(j)
                g.set(r, j, F("+".join(f"{cl}{x}" for x in leaf_rows if not CRIT[g.get(x, 2)][5]), total),
                      b=True, h="center", **bd)
            else:
                g.set(r, j, total, b=True, h="center", **bd)
            g.set(r + 1, j, level_text(scores, mand), b=True, h="center", **bd)
        r += 3
    g.widths.update({1: 5, 2: 12, 3: 52, 4: 10, 5: 11, 6: 11, 7: 30})
    return r


def make_D1(fe_list):
    file = "files/D1_tu_danh_gia_4725_HX0202_2024-2025.xlsx"
    fe = FileExp(file, "4725 form: title rows, identity block B7:C9 (Tên trường / Mã trường / Năm học), "
                       "criteria table from row 11 with (1)..(7) row, group rows, parent subtotal rows "
                       "(1.3, 1.5 ...), self and verified scores, Đạt/Chưa đạt, 'Bắt buộc' as max of "
                       "mandatory rows, group total and level rows")
    s = BY_CODE["HX0202"]
    g = Grid("Tự đánh giá")
    r = build_4725(g, s, "2024-2025", fe, kinds=("self", "verified"), parents="values",
                   year_cell="2024-2025", org="UBND THÀNH PHỐ VINH")
    signature(g, r, 7, "Tổ thẩm định", "HIỆU TRƯỞNG", "Vinh, ngày 30 tháng 5 năm 2025")
    save_openpyxl(HERE / file, [g])
    fe_list.append(fe)


def make_D2(fe_list):
    file = "files/D2_tu_danh_gia_4725_04013112_2024-2025.xlsx"
    fe = FileExp(file, "4725 form, self-assessment only (Thẩm định column empty), year only in a title "
                       "row ('NĂM HỌC 2024 - 2025'), identity B7:C8, parent rows as SUM formulas with "
                       "cached values, one score typed '4,5', no (1)..(7) row, blank max for mandatory rows")
    s = BY_CODE["04013112"]
    g = Grid("Phieu TDG")
    r = build_4725(g, s, "2024-2025", fe, kinds=("self",), parents="formula", numbering=False,
                   mand_max=None, score_text=("1.3.2",), org="UBND THÀNH PHỐ VINH",
                   year_line="NĂM HỌC 2024 - 2025", abbr="THCS")
    signature(g, r, 7, "Người lập", "HIỆU TRƯỞNG", "Vinh, ngày 25 tháng 5 năm 2025")
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


def make_D3(fe_list):
    file = "files/D3_tu_danh_gia_4725_04014208_2024-2025.xls"
    fe = FileExp(file, "4725 form in .xls (xlwt), flat list without parent rows, self and verified, "
                       "'NH 2024-2025' in C9, verified 2.2 'Chưa đạt' while self says 'Đạt'")
    s = BY_CODE["04014208"]
    g = Grid("TDG 4725")
    r = build_4725(g, s, "2024-2025", fe, kinds=("self", "verified"), parents=None,
                   year_cell="NH 2024-2025", org="UBND THÀNH PHỐ VINH", abbr="THCS")
    signature(g, r, 7, "Tổ thẩm định", "HIỆU TRƯỞNG")
    save_xlwt(HERE / file, [g])
    fe_list.append(fe)


def make_D4(fe_list):
    file = "files/D4_tu_danh_gia_4725_HX0301_2025-2026_loi.xlsx"
    fe = FileExp(file, "4725 self-assessment form with a score above the criterion maximum "
                       "(1.4: 12 > 10): an error, the form loads nothing")
    s = BY_CODE["HX0301"]
    g = Grid("Tự đánh giá")
    r = build_4725(g, s, "2025-2026", fe, kinds=("self",), parents="values", year_cell="2025-2026",
                   org="UBND PHƯỜNG THÀNH VINH", abbr="THCS",
                   overrides={("self", "1.4"): (12, "error", "score 12 is above the maximum 10 of criterion 1.4")})
    signature(g, r, 7, "Người lập", "HIỆU TRƯỞNG")
    save_openpyxl(HERE / file, [g])
    fe_list.append(fe)


def make_D5(fe_list):
    file = "files/D5_tu_danh_gia_4725_29012056_2025-2026.xls"
    fe = FileExp(file, "4725 self-assessment in .xls (xlwt), 2025-2026, parent rows with plain subtotal "
                       "numbers, '-' as the max of mandatory rows, Thẩm định column empty")
    s = BY_CODE["29012056"]
    g = Grid("Phieu tu danh gia")
    r = build_4725(g, s, "2025-2026", fe, kinds=("self",), parents="values", mand_max="-",
                   year_cell="2025 - 2026", org="UBND PHƯỜNG CỬA LÒ")
    signature(g, r, 7, "Người lập", "HIỆU TRƯỞNG")
    save_xlwt(HERE / file, [g])
    fe_list.append(fe)


# --------------------------------------------------------------------------
# E. Consolidated 4725 results
# --------------------------------------------------------------------------

def C_crit(code, kind, label, groups, unverified=()):
    def render(s, ctx):
        if kind == "verified" and s["code"] in unverified:
            return None, {"h": "center"}, []
        v = assess(s, ctx["year"])[kind][code]
        cell = ("Đạt" if v else "Chưa đạt") if CRIT[code][5] else v
        return cell, {"h": "center"}, [("assess", (kind, code, v))]
    return Col(label, groups, "crit", None, render, 7 if CRIT[code][5] else 5)


def group_total(grp, kind):
    def fn(s, ctx):
        a = assess(s, ctx["year"])[kind]
        return sum(a[c[0]] for c in CRITERIA if c[1] == grp and not c[5]), {"h": "center"}
    return fn


def overall_level(kind):
    def fn(s, ctx):
        a = assess(s, ctx["year"])[kind]
        lv = []
        for grp in (1, 2):
            crits = [c for c in CRITERIA if c[1] == grp]
            lv.append(level_text([a[c[0]] for c in crits if not c[5]], [a[c[0]] for c in crits if c[5]]))
        return min(lv), {"h": "center"}
    return fn


def make_E1(fe_list):
    file = "files/E1_tong_hop_tu_danh_gia_4725_2024-2025.xlsx"
    fe = FileExp(file, "consolidated 4725 self-assessment: one row per school, one column per criterion "
                       "code under a group band; codes like 1.1 / 2.5 are stored as numbers (as Excel "
                       "does when typed), others as text; Đạt/Chưa đạt; extra total and level columns; "
                       "section rows by level")
    ctx = {"year": "2024-2025"}
    g = Grid("Tổng hợp TĐG")
    G1, G2 = "Nhóm 1: Chuyển đổi số trong dạy, học", "Nhóm 2: Chuyển đổi số trong quản trị"

    def lab(code):
        return float(code) if code.count(".") == 1 else code
    cols = [C_stt("TT"), C_id("Mã trường", "code"), C_id("Tên trường", "name")]
    cols += [C_crit(c[0], "self", lab(c[0]), (G1,)) for c in CRITERIA if c[1] == 1]
    cols += [C_x("Tổng điểm nhóm 1", fn=group_total(1, "self"), width=9)]
    cols += [C_crit(c[0], "self", lab(c[0]), (G2,)) for c in CRITERIA if c[1] == 2]
    cols += [C_x("Tổng điểm nhóm 2", fn=group_total(2, "self"), width=9),
             C_x("Mức chuyển đổi số", fn=overall_level("self"), width=10)]
    r = gov_header(g, TITLE_CITY, TITLE_NATION,
                   ["TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ (QĐ 4725/QĐ-BGDĐT)",
                    "Năm học 2024-2025"], 20)
    sec = {"TH": "I. TIỂU HỌC", "THCS": "II. TRUNG HỌC CƠ SỞ", "TH_THCS": "III. LIÊN CẤP TH&THCS"}
    r = build_table(g, r, 1, cols, body_by_level(GE, section_text=sec), ctx, fe, numbering=False)
    signature(g, r + 1, 20, "Người tổng hợp", "TRƯỞNG PHÒNG", "Vinh, ngày 05 tháng 6 năm 2025")
    save_xlsxwriter(HERE / file, [g])
    fe_list.append(fe)


def make_E2(fe_list):
    file = "files/E2_ket_qua_tu_danh_gia_va_tham_dinh_2024-2025.xlsx"
    fe = FileExp(file, "'KẾT QUẢ TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH': 3-row header, group band, each criterion "
                       "code merged over two sub-columns 'Tự đánh giá' | 'Thẩm định'; one school not "
                       "yet verified (Thẩm định cells empty)")
    ctx = {"year": "2024-2025"}
    schools = sch("HX0201", "HX0202", "04012031", "29012056", "HX0301", "HX0302", "04013112",
                  "29013071", "04014208", "29014089")
    unver = ("29014089",)
    g = Grid("Kết quả 4725")
    G = {1: "NHÓM 1: CHUYỂN ĐỔI SỐ TRONG DẠY, HỌC", 2: "NHÓM 2: CHUYỂN ĐỔI SỐ TRONG QUẢN TRỊ"}
    cols = [C_stt("TT"), C_id("Mã trường", "code"), C_id("Tên trường", "name"),
            C_id("Cấp học", "level", LEVEL_SHORT)]
    for c in CRITERIA:
        cols.append(C_crit(c[0], "self", "Tự đánh giá", (G[c[1]], c[0])))
        cols.append(C_crit(c[0], "verified", "Thẩm định", (G[c[1]], c[0]), unver))
    cols.append(C_x("Ghi chú", fn=lambda s, c: ("Chưa thẩm định" if s["code"] in unver else None, {}),
                    width=16))
    r = gov_header(g, TITLE_CITY, TITLE_NATION,
                   ["KẾT QUẢ TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH",
                    "MỨC ĐỘ CHUYỂN ĐỔI SỐ CỦA CÁC CƠ SỞ GIÁO DỤC PHỔ THÔNG - NĂM HỌC 2024-2025"], 24)
    r = build_table(g, r, 1, cols, [("school", s) for s in schools], ctx, fe, numbering=False)
    signature(g, r + 1, 24, "Người tổng hợp", "TRƯỞNG PHÒNG", "Vinh, ngày 20 tháng 6 năm 2025")
    save_openpyxl(HERE / file, [g])
    fe_list.append(fe)


# --------------------------------------------------------------------------

def dump_json(obj):
    """Indented JSON with every innermost record (a value, a school, an error) on one line."""
    text = json.dumps(obj, ensure_ascii=False, indent=1)

    def flat(m):
        return "{" + ", ".join(x.strip() for x in m.group(1).strip().split(",\n")) + "}"
    return re.sub(r"\{\n([^{}\[\]]*?)\n\s*\}", flat, text) + "\n"


def main():
    if FILES.exists():
        shutil.rmtree(FILES)
    FILES.mkdir(parents=True)
    exp = {"registries": [], "base_registry": None, "files": []}
    base = make_A1(exp)
    for fn in (make_A2, make_A3, make_A4, make_A5, make_A6):
        fn(exp)
    exp["base_registry"] = base
    fes = []
    for fn in (make_B1, make_B2, make_B3, make_B4, make_B5, make_B6, make_F,
               make_C1, make_C2, make_C3, make_C4, make_C5, make_C6, make_C7,
               make_D1, make_D2, make_D3, make_D4, make_D5, make_E1, make_E2):
        fn(fes)
    exp["files"] = [fe.json() for fe in fes]
    (HERE / "expected.json").write_text(dump_json(exp), encoding="utf-8")
    n_s = sum(len(f["survey"]) for f in exp["files"])
    n_a = sum(len(f["assessment"]) for f in exp["files"])
    n_e = sum(len(f["errors"]) for f in exp["files"])
    n_n = sum(len(f["notes"]) for f in exp["files"])
    print(f"{len(exp['registries'])} registries, {len(exp['files'])} data files: "
          f"{n_s} survey values, {n_a} assessment values, {n_e} errors, {n_n} notes")


if __name__ == "__main__":
    main()
