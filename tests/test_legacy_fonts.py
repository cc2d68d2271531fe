"""TCVN3 and VNI mojibake is repaired; genuine Unicode text is never touched."""
import pytest

from etl.legacy_fonts import decode_tcvn3, decode_vni, encode_tcvn3, encode_vni, fix_legacy_text
from etl.textnorm import clean_text

NAMES = ["Trường Tiểu học Hưng Dũng 1", "Trường THCS Đặng Thai Mai", "Trường Mầm non Nghi Ân", "Phường Bến Thủy",
         "Số học sinh học Tin học", "Trường Mầm non Quang Trung", "Nguyễn Thị Minh Khai", "Cửa Lò", "Chưa đạt",
         "Tuyển sinh trực tuyến", "Hà Huy Tập", "Hưng Lộc"]


def test_examples_from_the_domain_brief():
    assert decode_tcvn3("Tr\u00adêng TiÓu häc") == "Trường Tiểu học"
    assert decode_vni("Tröôøng Tieåu hoïc") == "Trường Tiểu học"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("encode, encoding", [(encode_tcvn3, "TCVN3"), (encode_vni, "VNI")])
def test_round_trip(name, encode, encoding):
    assert fix_legacy_text(encode(name)) == (name, encoding)


@pytest.mark.parametrize("text", NAMES + ["Hoà Bình", "Cã", "Zalo", "SMAS", "iOffice", "Lê Lợi", "Thuý"])
def test_unicode_is_left_alone(text):
    assert fix_legacy_text(text) == (text, None)


def test_capital_font_comes_back_in_capitals():
    assert fix_legacy_text(encode_tcvn3("TRƯỜNG TIỂU HỌC"))[0] == "TRƯỜNG TIỂU HỌC"


def test_clean_text_repairs_and_normalises():
    import unicodedata
    assert clean_text(unicodedata.normalize("NFD", "Trường  THCS\nĐặng Thai Mai ")) == "Trường THCS Đặng Thai Mai"
    assert clean_text(encode_tcvn3("Trường Tiểu học")) == "Trường Tiểu học"
