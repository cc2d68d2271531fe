"""Issue 10: pages stay readable and fast at a province's or the country's scale. A long table is drawn one page
of rows at a time (with a search), the downloads keep every row."""
from streamlit.testing.v1 import AppTest


def _long_table_app():
    import pandas as pd

    from dashboard.ui import table

    frame = pd.DataFrame({"Mã trường": [f"{40000000 + i}" for i in range(1150)],
                          "Tên trường": [f"Trường số {i}" for i in range(1150)],
                          "Số máy": [i * 1.5 for i in range(1150)]})
    table(frame, "Danh sách dài", "long")


def test_a_long_table_shows_one_page_and_finds_rows():
    app = AppTest.from_function(_long_table_app, default_timeout=60).run()
    assert not app.exception, app.exception
    shown = app.dataframe[0].value
    assert len(shown) == 200 and shown.iloc[0, 0] == "40000000"
    assert any("Dòng 1–200 trên 1.150 dòng" in c.value for c in app.caption), [c.value for c in app.caption]
    app.number_input[0].set_value(6).run()
    shown = app.dataframe[0].value
    assert len(shown) == 150 and shown.iloc[0, 0] == "40001000"
    app.text_input[0].input("số 1149").run()
    shown = app.dataframe[0].value
    assert list(shown.iloc[:, 0]) == ["40001149"], shown


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


def test_the_school_filter_of_a_large_scope_searches_instead_of_listing(sample_warehouse, monkeypatch, sample_db):
    """Past SCHOOL_OPTIONS schools the 'Trường' list is not sent whole: a search finds schools (accents and case
    ignored) and a chosen school stays chosen."""
    import dashboard.ui as ui
    from tests.pages import open_page, sql

    monkeypatch.setattr(ui, "SCHOOL_OPTIONS", 20)
    app = open_page()
    schools = app.sidebar.multiselect[-1]
    assert schools.label == "Trường" and schools.options == []
    [(code, name)] = sql(sample_db, "SELECT school_code, school_name FROM schools WHERE school_name LIKE '%Lê%' "
                                    "ORDER BY school_name LIMIT 1")
    app.sidebar.text_input(key="tim_truong").input("le").run()
    schools = app.sidebar.multiselect[-1]
    assert name in schools.options and all("le" in ui.fold(o).casefold() or "le" in o for o in schools.options)
    schools.select(code).run()
    assert not app.exception, app.exception
    app.sidebar.text_input(key="tim_truong").input("").run()
    assert app.sidebar.multiselect[-1].value == [code]
    assert name in " ".join(c.value for c in app.caption)


def test_a_crowded_scatter_draws_a_point_per_score_pair():
    import pandas as pd

    from dashboard.charts.maturity import MAX_SCATTER_POINTS, group_scatter

    n = MAX_SCATTER_POINTS + 500
    frame = pd.DataFrame({"school_name": [f"Trường {i}" for i in range(n)],
                          "g1_score": [60.2 + i % 3 for i in range(n)],
                          "g2_score": [70.4] * n, "g1_level": 2, "g2_level": 2, "overall_level": 2, "basis": "self"})
    figure = group_scatter(frame, "2025-2026", 50, 75)
    [trace] = [t for t in figure.data if t.customdata is not None]
    assert sorted(zip(trace.x, trace.y, trace.customdata)) == [(60, 70, 834), (61, 70, 833), (62, 70, 833)]
    assert "gộp các trường cùng điểm" in figure.layout.title.text


def test_crowded_class_sizes_keep_the_box_and_the_outliers():
    import pandas as pd

    from dashboard.charts.quality import MAX_POINTS, class_sizes

    n = MAX_POINTS + 1000
    frame = pd.DataFrame({"level": "TH", "school_name": [f"Trường {i}" for i in range(n)],
                          "students": [300 if i % 100 else 2000 for i in range(n)], "classes": 10})
    frame["class_size"] = frame["students"] / frame["classes"]
    frame["outside"] = frame["class_size"] > 60  # the query's flag (dashboard.queries.quality.class_sizes)
    figure = class_sizes(frame, 10, 60)
    box = next(t for t in figure.data if t.type == "box")
    assert box.median == (30,) and box.upperfence == (200,)
    [points] = [t for t in figure.data if t.type == "scatter"]
    assert len(points.y) == len(range(0, n, 100)) and set(points.y) == {200}


def test_a_memoised_figure_is_the_same_figure_and_its_own_copy():
    import json

    import pandas as pd
    import plotly.io as pio

    from dashboard.charts import computers

    def spec(figure):
        return json.loads(pio.to_json(figure, validate=False))

    frame = pd.DataFrame({"unit": ["Phường Vinh Hưng", "Phường Trường Vinh"], "computers_needed": [12, 0],
                          "schools_not_met": [3, 0], "schools": [10, 8], "schools_no_room": [1, 0]})
    first = computers.needed_by_unit(frame, "Học kỳ I 2025-2026", "Phường mới")
    again = computers.needed_by_unit(frame.copy(), "Học kỳ I 2025-2026", "Phường mới")
    assert again is not first and spec(again) == spec(first)
    again.update_layout(height=999)  # a page that resizes its copy (presentation mode) changes only its copy
    third = computers.needed_by_unit(frame, "Học kỳ I 2025-2026", "Phường mới")
    assert third.layout.height != 999
    changed = computers.needed_by_unit(frame.assign(computers_needed=[13, 0]), "Học kỳ I 2025-2026", "Phường mới")
    assert spec(changed) != spec(first)
