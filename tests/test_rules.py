"""The rules of survey_fields.csv are read as data: every clause understood, each check real."""
import pytest

from etl.reference import load_catalogue
from etl.rules import parse_rule, violation


def test_every_rule_in_the_catalogue_is_understood():
    catalogue = load_catalogue()
    assert sum(len(f.checks) for f in catalogue.fields.values()) >= 30
    assert {c.other for c in catalogue.fields["it_students"].checks} == {0.0, "students"}


def test_an_unknown_clause_is_an_error_not_a_silent_skip():
    with pytest.raises(ValueError, match='không hiểu quy tắc "roughly sensible"'):
        parse_rule("students", "roughly sensible", {"students"})
    with pytest.raises(ValueError, match='trường không có "pupils"'):
        parse_rule("it_students", "0 <= it_students <= pupils", {"it_students"})


LABELS = load_catalogue().labels


@pytest.mark.parametrize("code, values, expected", [
    ("students", {"students": -3}, "Số học sinh = -3: số âm không hợp lệ"),
    ("students", {"students": 900, "classes": 10}, "Bình quân Số học sinh / Số lớp = 90: lớn hơn 60"),
    ("students", {"students": 50, "classes": 10}, "Bình quân Số học sinh / Số lớp = 5: nhỏ hơn 10"),
    ("students", {"students": 400, "classes": 10}, None),
    ("it_students", {"it_students": 1300, "students": 1200},
     "Số học sinh học Tin học = 1.300: lớn hơn Số học sinh (1.200)"),
    ("it_classes", {"it_classes": 0, "it_students": 40, "classes": 5},
     "Số lớp học Tin học = 0: không lớn hơn 0 khi Số học sinh học Tin học > 0"),
    ("it_computers", {"it_computers": 12, "it_rooms": 0},
     "Số máy tính dạy Tin học = 12: phải bằng 0 khi Số phòng máy tính = 0"),
    ("it_rooms", {"it_rooms": 1, "level": "MN"}, "Số phòng máy tính = 1: phải bằng 0 với cấp MN"),
    ("it_rooms", {"it_rooms": 1, "level": "TH"}, None),
    ("cashless_pct", {"cashless_pct": 120.0}, "Tỷ lệ thu không dùng tiền mặt (%) = 120: lớn hơn 100"),
    ("rooms_projector_internet", {"rooms_projector_internet": 5, "classrooms": None}, None),
])
def test_checks(code, values, expected):
    messages = [m for check in load_catalogue().fields[code].checks if (m := violation(check, values, LABELS))]
    assert messages == ([expected] if expected else [])
