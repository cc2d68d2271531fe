"""Issue 10: pages stay readable and fast at a province's or the country's scale. A long table is drawn one page
of rows at a time (with a search), the downloads keep every row."""
from streamlit.testing.v1 import AppTest


def _long_table_app():
    import pandas as pd

    from dashboard.ui import table

    frame = pd.DataFrame({"Mã trường": [f"{40000000 + i}" for i in range(1200)],
                          "Tên trường": [f"Trường số {i}" for i in range(1200)],
                          "Số máy": [i * 1.5 for i in range(1200)]})
    table(frame, "Danh sách dài", "long")


def test_a_long_table_shows_one_page_and_finds_rows():
    app = AppTest.from_function(_long_table_app, default_timeout=60).run()
    assert not app.exception, app.exception
    shown = app.dataframe[0].value
    assert len(shown) == 500 and shown.iloc[0, 0] == "40000000"
    assert any("Dòng 1–500 trên 1.200 dòng" in c.value for c in app.caption), [c.value for c in app.caption]
    app.number_input[0].set_value(3).run()
    shown = app.dataframe[0].value
    assert len(shown) == 200 and shown.iloc[0, 0] == "40001000"
    app.text_input[0].input("số 1199").run()
    shown = app.dataframe[0].value
    assert list(shown.iloc[:, 0]) == ["40001199"], shown


def _short_table_app():
    import pandas as pd

    from dashboard.ui import table

    table(pd.DataFrame({"Mã trường": ["1", "2"], "Số máy": [1, 2]}), "Danh sách ngắn", "short")


def test_a_short_table_has_no_pager():
    app = AppTest.from_function(_short_table_app, default_timeout=60).run()
    assert not app.exception and len(app.dataframe[0].value) == 2
    assert not app.number_input and not app.text_input
