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


def test_a_province_of_schools_draws_the_worst_150_bars_per_level():
    import pandas as pd

    from dashboard.charts.computers import MAX_SCHOOL_BARS, ratio_by_school

    n = 400
    frame = pd.DataFrame({
        "school_code": [f"{40000000 + i}" for i in range(n)],
        "school_name": [f"Trường Tiểu học số {i}" for i in range(n)],
        "level": "TH", "target": 3.0, "pupils_per_computer": [1 + i / 100 for i in range(n)],
        "class_size": 30.0, "computers_per_room": 10.0, "computers_needed": 0.0, "it_rooms": 1.0,
        "no_room": False, "room_without_computers": False, "missing_data": False,
        "target_met": [1 + i / 100 <= 3 for i in range(n)]})
    figure = ratio_by_school(frame, "HK1 2025-2026")
    codes = [code for trace in figure.data if trace.y is not None for code in trace.y if code is not None]
    assert len(codes) == MAX_SCHOOL_BARS == 150
    assert set(codes) == {f"{40000000 + i}" for i in range(n - 150, n)}  # the highest pupils per computer
    assert "(mỗi cấp: 150 trường nhiều HS/máy nhất)" in figure.layout.title.text
    assert figure.layout.annotations[0].text.startswith("Tiểu học (400 trường)")


def test_the_heatmap_of_a_province_keeps_the_first_150_of_the_ranking():
    import pandas as pd

    from dashboard.charts.maturity import criteria_heatmap

    schools = [f"{40000000 + i}" for i in range(300)]
    frame = pd.DataFrame([{"school_code": s, "school_name": f"Trường {s}", "criterion": c, "position": p,
                           "name_vi": f"Tiêu chí {c}", "max_points": 4.0, "score": 2.0, "share_of_max": 0.5}
                          for s in schools for p, c in enumerate(["1.1", "2.1"])])
    figure = criteria_heatmap(frame, list(reversed(schools)), "2025-2026")
    rows = figure.data[0].y
    assert len(rows) == 150 and rows[0].endswith("(40000299)")
    assert "150/300 trường đầu bảng xếp hạng" in figure.layout.title.text
