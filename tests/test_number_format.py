"""One number formatter for tables, metrics, headlines and exports: the same value reads the same everywhere."""
import pandas as pd

from dashboard.charts import computers, overview
from dashboard.format import number, percent
from dashboard.ui import vn_styler


def test_tables_headlines_and_metrics_round_alike():
    assert number(2.25, 1) == "2,3" and percent(2.25, 1) == "2,3%"  # half up, not 2,2 in one place and 2,3 in another
    assert number(147.0, 1) == "147" and percent(100.0, 1) == "100%" and percent(63.6, 1) == "63,6%"
    assert number(1473) == "1.473" and number(1234.5, 1) == "1.234,5"
    frame = pd.DataFrame({"Tỷ lệ": [2.25, 147.0, 1234.5, None], "Số trường": [1473, 2, 3, 4]})
    html = vn_styler(frame, {"Tỷ lệ": 1}).to_html()
    for text in ("2,3", ">147<", "1.234,5", "1.473", "–"):
        assert text in html, text
    assert "2,2<" not in html and "147,0" not in html


def test_count_axes_have_whole_number_ticks():
    levels = pd.DataFrame({"level": ["TH", "TH", "THCS"], "overall_level": [1, 2, 3], "schools": [1, 2, 3]})
    x = overview.level_distribution(levels, "2024-2025").to_dict()["layout"]["xaxis"]
    assert x["tickformat"] == ",d" and x["dtick"] == 1  # 3 schools: 0, 1, 2, 3 — not 0; 0,5; 1 …
    many = pd.DataFrame({"unit": ["A", "B"], "computers_needed": [40.0, 12.0], "schools_not_met": [3, 1],
                         "schools": [9, 5], "schools_no_room": [1, 0]})
    x = computers.needed_by_unit(many, "HK I 2025-2026", "Phường mới").to_dict()["layout"]["xaxis"]
    assert x["tickformat"] == ",d" and "dtick" not in x


def test_a_yes_no_column_keeps_the_other_columns_formats():
    frame = pd.DataFrame({"Tỷ lệ": [2.25], "Có phòng máy": [True], "Số máy": [1473]})
    html = vn_styler(frame, {"Tỷ lệ": 1}).to_html()
    assert "2,3" in html and ">Có<" in html and "1.473" in html and "2.25" not in html
