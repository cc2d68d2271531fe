"""Issue 13: the sidebar's lists are searched without diacritics and in Vietnamese order; the former units follow the
chosen new ward; choosing every school is no school filter (the URL keeps no list of codes); no English left in the
lists' placeholders, the charts' mode bar or the page-not-found notice."""
import pytest

from etl.textnorm import matches, search_key, vi_sort_key, vi_sorted
from tests.pages import open_page, sql


def test_vietnamese_alphabet_tones_case_and_numbers():
    assert vi_sorted(["Đông Vĩnh", "Zeta", "Dũng", "Hà", "Bến Thủy"]) == ["Bến Thủy", "Dũng", "Đông Vĩnh", "Hà", "Zeta"]
    assert vi_sorted(["Ân", "Ăn", "An", "Ơn", "Ôn", "On", "Ưu", "Uy"]) == \
        ["An", "Ăn", "Ân", "On", "Ôn", "Ơn", "Uy", "Ưu"]
    # tones only when the letters are equal: ngang, huyền, hỏi, ngã, sắc, nặng (as the dictionaries and CLDR)
    assert vi_sorted(["Hạ", "Há", "Hã", "Hả", "Hà", "Ha", "Hai"]) == ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ", "Hai"]
    assert vi_sorted(["Hưng Phúc 10", "Hưng Phúc 2", "Hưng Phúc", "Hưng Phúc 1"]) == \
        ["Hưng Phúc", "Hưng Phúc 1", "Hưng Phúc 2", "Hưng Phúc 10"]
    assert vi_sorted(["vinh", "Vinh", "VINH"]) == ["vinh", "Vinh", "VINH"]
    assert vi_sort_key("Quán Bàu") < vi_sort_key("Quang Trung")  # a shorter word first
    assert vi_sort_key("Nghi Hải") == vi_sort_key("Nghi Ha\u0309i")  # composed or not, the same name


def test_search_ignores_case_and_diacritics():
    assert matches("Trường Mầm non Nghi Hải", "Nghi Hai") and matches("Trường TH&THCS Tuệ Đức", "tue duc")
    assert matches("Trường TH&THCS Tuệ Đức", "TUỆ  đức") and not matches("Trường TH&THCS Tuệ Đức", "tue hai")
    assert not matches("Trường Mầm non Nghi Thái", "nghi hai")  # a word begins with what is typed
    assert search_key(" Đông  Vĩnh ") == "dong vinh"


@pytest.fixture
def app(sample_warehouse):
    return open_page()


def lists(app) -> dict:
    return {m.key: m for m in app.sidebar.multiselect}


def test_the_lists_are_in_vietnamese_order(app, sample_db):
    ward_names = [w for (w,) in sql(sample_db, "SELECT DISTINCT ward_old FROM schools WHERE ward_old IS NOT NULL")]
    assert lists(app)["xa"].options == vi_sorted(ward_names)
    assert lists(app)["xa"].options.index("Đông Vĩnh") < lists(app)["xa"].options.index("Hà Huy Tập")
    names = lists(app)["truong"].options
    assert len(names) == 140 and names == sorted(names, key=vi_sort_key)


def test_a_search_without_diacritics_finds_schools_and_wards(app, sample_db):
    app.sidebar.text_input(key="tim_truong").input("nghi hai").run()
    assert not app.exception
    shown = lists(app)
    assert shown["xa"].options == ["Nghi Hải"]
    expected = {n for (n,) in sql(sample_db, "SELECT school_name FROM schools WHERE ward_old = 'Nghi Hải' "
                                             "OR school_name LIKE '%Nghi Hải%'")}
    assert set(shown["truong"].options) == expected and "Trường Tiểu học Nghi Hải" in expected
    assert shown["phuong"].options == lists(app)["phuong"].options and len(shown["phuong"].options) == 6  # no match
    assert any(f"{len(expected)} trường khớp «nghi hai»" in c.value for c in app.sidebar.caption)
    app.sidebar.text_input(key="tim_truong").input("tue duc").run()
    assert lists(app)["truong"].options == ["Trường TH&THCS Tuệ Đức"]
    code = sql(sample_db, "SELECT school_code FROM schools WHERE school_name = 'Trường TH&THCS Tuệ Đức'")[0][0]
    lists(app)["truong"].select(code).run()
    app.sidebar.text_input(key="tim_truong").input("nghi hai").run()  # a chosen school stays chosen and listed
    assert lists(app)["truong"].value == [code] and "Trường TH&THCS Tuệ Đức" in lists(app)["truong"].options
    app.sidebar.text_input(key="tim_truong").input("khong co truong nay").run()
    assert any("Không có trường nào khớp" in c.value for c in app.sidebar.caption)


def test_the_former_units_follow_the_chosen_new_ward(app, sample_db):
    lists(app)["phuong"].select("Cửa Lò").run()
    expected = [w for (w,) in sql(sample_db, "SELECT DISTINCT ward_old FROM schools WHERE ward_new = 'Cửa Lò'")]
    assert lists(app)["xa"].options == vi_sorted(expected)
    lists(app)["phuong"].select("Vinh Phú").run()
    assert "Nghi Đức" in lists(app)["xa"].options and "Nghi Hải" in lists(app)["xa"].options
    [(inside,)] = sql(sample_db, "SELECT count(*) FROM schools WHERE ward_new IN ('Cửa Lò', 'Vinh Phú')")
    assert len(lists(app)["truong"].options) == inside  # the school list follows the scope too


def test_choosing_every_school_is_no_school_filter(app, sample_db):
    lists(app)["cap"].select("THCS").run()
    codes = [c for (c,) in sql(sample_db, "SELECT school_code FROM schools WHERE level = 'THCS'")]
    assert len(lists(app)["truong"].options) == len(codes)
    lists(app)["truong"].set_value(codes).run()
    assert not app.exception
    assert lists(app)["truong"].value == []  # nothing for the URL to carry
    assert app.session_state["_filters"].scope.schools == ()
    lists(app)["truong"].set_value(codes[:2]).run()  # a real choice stays
    assert sorted(lists(app)["truong"].value) == sorted(codes[:2])


def test_choosing_every_school_found_by_a_search(app, sample_db):
    app.sidebar.text_input(key="tim_truong").input("nghi hai").run()
    app.sidebar.button(key="chon_truong_tim_thay").click().run()
    chosen = lists(app)["truong"].value
    assert len(chosen) == 3 and app.session_state["_filters"].scope.schools == tuple(chosen)


def test_no_english_placeholders_and_a_vietnamese_mode_bar(app):
    from streamlit.proto.SelectWidgetFilterMode_pb2 import SelectWidgetFilterMode

    for widget in app.sidebar.multiselect:
        assert widget.proto.placeholder == "Tất cả", widget.label
        assert widget.proto.filter_mode == SelectWidgetFilterMode.FILTER_MODE_NONE, widget.label  # no "No results"
        assert not widget.proto.select_all, widget.label  # no "Select all"
    import json

    from tests.pages import open_page as _open

    page = _open("tong_quan.py")
    config = json.loads(page.get("plotly_chart")[0].proto.config)
    assert config["locale"] == "vi" and "zoom2d" in config["modeBarButtonsToRemove"]
    assert config["locales"]["vi"]["dictionary"]["Download plot as a PNG"] == "Tải ảnh biểu đồ (PNG)"
    assert config["locales"]["vi"]["format"]["decimal"] == ","


def test_a_page_that_does_not_exist_says_so_in_vietnamese(sample_warehouse):
    import streamlit.commands.navigation as navigation

    opened = open_page()  # the app script replaces the function that sends Streamlit's English dialog
    assert navigation.send_page_not_found.__name__ == "_page_not_found"  # Streamlit's English dialog is never sent
    assert not opened.exception
