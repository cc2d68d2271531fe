"""Vietnamese header texts: field labels and aliases, groups, units."""
from __future__ import annotations

from .reference import Field, field_map

PILLAR_GROUP = {
    "id": "THÔNG TIN CHUNG", "period": "THÔNG TIN CHUNG", "scale": "QUY MÔ",
    "infrastructure": "HẠ TẦNG SỐ", "platforms": "NỀN TẢNG SỐ", "data": "DỮ LIỆU SỐ",
    "people": "NHÂN LỰC SỐ", "security": "AN TOÀN THÔNG TIN", "government": "CHÍNH QUYỀN SỐ",
    "institutions": "THỂ CHẾ SỐ", "awareness": "NHẬN THỨC SỐ",
}
FORM_SECTIONS = (
    ("I. THÔNG TIN CHUNG", "scale"), ("II. HẠ TẦNG SỐ", "infrastructure"),
    ("III. NỀN TẢNG SỐ", "platforms"), ("IV. DỮ LIỆU SỐ", "data"), ("V. NHÂN LỰC SỐ", "people"),
    ("VI. AN TOÀN THÔNG TIN", "security"), ("VII. CHÍNH QUYỀN SỐ", "government"),
    ("VIII. THỂ CHẾ SỐ", "institutions"), ("IX. NHẬN THỨC SỐ", "awareness"),
)
SUBGROUP = {
    "it_rooms": "Phòng máy dạy Tin học", "it_computers": "Phòng máy dạy Tin học",
    "it_students": "Phòng máy dạy Tin học", "it_classes": "Phòng máy dạy Tin học",
    "mgmt_software": "Quản trị, sổ điểm, học bạ", "e_gradebook": "Quản trị, sổ điểm, học bạ",
    "e_transcript": "Quản trị, sổ điểm, học bạ", "e_records": "Quản trị, sổ điểm, học bạ",
    "parent_app": "Dịch vụ trực tuyến", "online_enrolment": "Dịch vụ trực tuyến",
    "cashless_pct": "Dịch vụ trực tuyến",
    "students_with_id": "Số định danh cá nhân", "teachers_with_id": "Số định danh cá nhân",
}
UNITS = {"classes": "lớp", "students": "người", "teachers": "người", "managers": "người",
         "classrooms": "phòng", "it_rooms": "phòng", "it_computers": "máy", "it_students": "người",
         "it_classes": "lớp", "rooms_projector_internet": "phòng", "bandwidth_mbps": "Mbps",
         "cashless_pct": "%", "digital_materials": "học liệu", "students_with_id": "người",
         "teachers_with_id": "người", "teachers_trained": "người",
         "teachers_making_materials": "người", "managers_with_esign": "người", "dx_posts": "tin bài"}


def label(code: str, choice: int = 0) -> str:
    """choice 0 = label_vi, k = k-th alias (falls back to label_vi when there are fewer)."""
    fld: Field = field_map()[code]
    options = fld.labels()
    return options[choice] if choice < len(options) else fld.label_vi


def wrapped(text: str) -> str:
    """A header typed with a line break (Alt+Enter) in place of its middle space."""
    words = text.split(" ")
    if len(words) < 3:
        return text
    mid = len(words) // 2
    return " ".join(words[:mid]) + "\n" + " ".join(words[mid:])
