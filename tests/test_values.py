"""Parsers for values as people type them: one table per parser."""
import datetime as dt

import pytest

from etl.values import (
    find_level,
    find_period,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_ownership,
    parse_percent,
    parse_school_year,
)


@pytest.mark.parametrize("raw, expected", [
    (12, 12), (12.0, 12), ("12", 12), (" 1.234 ", 1234), ("1.234.567", 1234567), ("1 234", 1234),
    ("1,234", 1234), ("-", None), ("", None), (None, None), ("–", None), ("-5", -5), ("12 máy", 12),
])
def test_parse_int(raw, expected):
    assert parse_int(raw, unit="máy") == expected


@pytest.mark.parametrize("raw, message", [
    ("mười hai", '"mười hai" không phải là số'), (12.5, "không phải là số nguyên"), ("1,5", "không phải là số nguyên"),
    (True, "không phải là số"), (dt.date(2025, 1, 1), "là ngày tháng"),
])
def test_parse_int_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_int(raw)


@pytest.mark.parametrize("raw, expected", [
    ("1,5", 1.5), ("1.5", 1.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("100", 100.0), (2.25, 2.25),
    ("1.000", 1000.0),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (85, 85.0), ("85%", 85.0), ("85 %", 85.0), (0.85, 85.0), ("0,85", 85.0), ("85,5%", 85.5), ("-", None),
    (100, 100.0), ("0%", 0.0),
])
def test_parse_percent(raw, expected):
    assert parse_percent(raw) == pytest.approx(expected) if expected is not None else parse_percent(raw) is None


def test_parse_percent_rejects_words():
    with pytest.raises(ValueError, match="không phải là tỷ lệ phần trăm"):
        parse_percent("khoảng một nửa")


@pytest.mark.parametrize("raw, expected", [
    ("Có", True), ("có", True), ("C", True), ("x", True), ("X", True), ("Đạt", True), (1, True), ("Yes", True),
    ("Không", False), ("K", False), ("Chưa đạt", False), (0, False), ("No", False), ("", None), (None, None),
    ("Cã", True), ("Kh«ng", False), ("§¹t", True),  # typed in TCVN3
])
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


def test_parse_bool_rejects():
    with pytest.raises(ValueError, match="không phải là Có/Không"):
        parse_bool("có lẽ")


@pytest.mark.parametrize("raw, expected", [
    ("2024-2025", "2024-2025"), ("2024 - 2025", "2024-2025"), ("2024–2025", "2024-2025"),
    ("NH 2024-2025", "2024-2025"), ("Năm học 2023-2024", "2023-2024"), ("2024-25", "2024-2025"),
    ("2024/2025", "2024-2025"),
])
def test_parse_school_year(raw, expected):
    assert parse_school_year(raw) == expected


def test_school_year_must_be_consecutive():
    with pytest.raises(ValueError, match="không hợp lệ"):
        parse_school_year("2024-2026")


@pytest.mark.parametrize("text, expected", [
    ("HK1", "HK1"), ("Học kỳ I", "HK1"), ("Sơ kết HK I - NH 2024 - 2025", "HK1"), ("Giữa năm", "HK1"),
    ("CN", "CN"), ("Cả năm", "CN"), ("Cuối năm", "CN"), ("Tổng kết năm học 2024-2025", "CN"),
    ("KS_THCS_HK1", "HK1"), ("BIỂU TỔNG HỢP KHẢO SÁT", None), ("Ứng dụng CNTT", None),
])
def test_find_period(text, expected):
    assert find_period(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Mầm non", "MN"), ("I. MẦM NON", "MN"), ("Tiểu học", "TH"), ("TH", "TH"), ("Trung học cơ sở", "THCS"),
    ("III. TRUNG HỌC CƠ SỞ", "THCS"), ("THCS", "THCS"), ("TH&THCS", "TH_THCS"), ("Liên cấp TH-THCS", "TH_THCS"),
    ("IV. LIÊN CẤP TH&THCS", "TH_THCS"), ("Tổng cộng", None),
])
def test_find_level(text, expected):
    assert find_level(text) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Công lập", "cong_lap"), ("CL", "cong_lap"), ("Tư thục", "tu_thuc"), ("Ngoài công lập", "tu_thuc"),
    ("NCL", "tu_thuc"), ("Dân lập", "tu_thuc"), ("", None),
])
def test_parse_ownership(raw, expected):
    assert parse_ownership(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("30/06/2025", dt.date(2025, 6, 30)), (dt.datetime(2025, 6, 30, 0, 0), dt.date(2025, 6, 30)),
    ("2025-06-30", dt.date(2025, 6, 30)), ("1/7/2025", dt.date(2025, 7, 1)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("value, decimals, expected", [
    (2.7, 0, "3"), (2.5, 0, "3"), (1234.5, 1, "1.234,5"), (1234.0, 1, "1.234"), (0.125, 2, "0,13"),
    (-4.4, 0, "-4"), (1234567, 0, "1.234.567"), (2.25, 1, "2,3"),
])
def test_vietnamese_number_format_rounds(value, decimals, expected):
    from etl.textnorm import fmt_number
    assert fmt_number(value, decimals) == expected
