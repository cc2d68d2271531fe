"""Máy tính dạy Tin học: the numbers in the tables, the charts and the headline equal informatics_computers and
informatics_totals queried directly; the filters change them; preschools alone get a message."""
import math

import pytest

from tests.pages import figure_titled, figures, open_page, plain, sql, texts, unlinked, values

PAGE = "may_tinh.py"
RATIO_CHART = "Số HS/máy trong giờ Tin học"  # the subtitle of each level's chart (a chart per level)
WARD_CHART = "Số máy tính cần bổ sung theo"
LATEST = ("2025-2026", "HK1")  # the default period: the latest loaded
PREVIOUS = ("2024-2025", "CN")
TOWN_RATIO = "Số HS/máy toàn trường (tham khảo)"


pytestmark = pytest.mark.usefixtures("sample_warehouse")


def frame(app, *columns: str):
    """The one table showing all `columns` (ui.table hands st.dataframe a Styler: its .data is the frame)."""
    found = []
    for element in app.dataframe:
        value = element.value
        data = getattr(value, "data", value)
        if set(columns) <= set(data.columns):
            found.append(unlinked(data))
    assert len(found) == 1, (columns, [list(getattr(e.value, "data", e.value).columns) for e in app.dataframe])
    return found[0]


def num(value):
    """A shown cell as a number: numbers stay numbers; text is Vietnamese (1.234,5) or '–' for none."""
    if isinstance(value, str):
        return None if value.strip() in ("", "–") else float(value.replace(".", "").replace(",", "."))
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def close(shown, expected, decimals: int) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return num(shown) is None
    return num(shown) is not None and abs(num(shown) - float(expected)) <= 0.5 * 10 ** -decimals + 1e-9


def metrics(app):
    return {m.label: (m.value, m.delta) for m in app.metric}


def vn(value, decimals=0):
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def test_short_table_lists_exactly_the_schools_the_view_says_miss_the_target(sample_db):
    app = open_page(PAGE)
    assert app.title[0].value == "Máy tính dạy Tin học"
    shown = frame(app, "Cảnh báo").set_index("Mã trường")
    expected = sql(sample_db, """SELECT school_code, class_size, computers_per_room, pupils_per_computer, target,
                                        computers_needed, no_room FROM informatics_computers
                                 WHERE school_year = ? AND period = ? AND (target_met = false OR missing_data)""",
                   list(LATEST))
    assert set(shown.index) == {row[0] for row in expected}
    assert len(expected) == 17
    for code, class_size, per_room, ratio, target, needed, no_room in expected:
        row = shown.loc[code]
        assert close(row["Sĩ số lớp Tin học bình quân"], class_size, 1), code
        assert close(row["Số máy mỗi phòng"], per_room, 1), code
        assert close(row["Số HS dùng chung một máy trong giờ học"], ratio, 2), code
        assert num(row["Mức tối đa cho phép"]) == target
        assert num(row["Số máy cần bổ sung"]) == needed
        assert ("Chưa có phòng máy" in row["Cảnh báo"]) == no_room
    # worst first: sorted by computers needed
    assert [num(v) for v in shown["Số máy cần bổ sung"]] == sorted((r[5] for r in expected), reverse=True)


def test_headline_equals_informatics_totals_with_the_change_since_the_previous_period(sample_db):
    app = open_page(PAGE)
    [now] = sql(sample_db, """SELECT schools_met, schools_not_met, computers_needed, schools_no_room, computers,
                                     school_pupils_per_computer FROM informatics_totals
                              WHERE breakdown = 'all' AND school_year = ? AND period = ?""", list(LATEST))
    [before] = sql(sample_db, """SELECT schools_met, schools_not_met, computers_needed, schools_no_room, computers,
                                        school_pupils_per_computer FROM informatics_totals
                                 WHERE breakdown = 'all' AND school_year = ? AND period = ?""", list(PREVIOUS))
    # issue 21: the changes are counted over the schools with computers figures in both periods, said in the caption
    [(met, needed, both)] = sql(sample_db, """SELECT count(*) FILTER (n.target_met) - count(*) FILTER (b.target_met),
        sum(n.computers_needed) - sum(b.computers_needed), count(*)
        FROM informatics_computers n JOIN informatics_computers b USING (school_code)
        WHERE n.school_year = ? AND n.period = ? AND b.school_year = ? AND b.period = ?
          AND n.computers_needed IS NOT NULL AND b.computers_needed IS NOT NULL""", [*LATEST, *PREVIOUS])
    assert both < now[0] + now[1] and (met, needed) != (now[0] - before[0], now[2] - before[2])
    shown = metrics(app)
    assert shown["Trường đạt chuẩn HS/máy"][0].startswith(f"{now[0]}/{now[0] + now[1]} (")
    assert shown["Trường đạt chuẩn HS/máy"][1] == f"{met:+d} trường"
    assert shown["Máy tính cần bổ sung"][0] == vn(now[2])
    assert shown["Máy tính cần bổ sung"][1] == f"{needed:+d} máy"
    assert f"so sánh trên {both} trường có số liệu cả hai kỳ" in texts(app)
    assert shown["Trường chưa có phòng máy"][0] == vn(now[3])
    assert shown["Máy tính hiện có"][0] == vn(now[4])
    assert shown["HS/máy toàn trường"][0] == vn(now[5], 1)
    assert "toàn trường" in texts(app) and "không phải tỷ lệ trong giờ học" in texts(app)


def ratio_charts(app) -> list[dict]:
    """The per-school charts, one per level (side by side on a wide screen, stacked on a phone)."""
    return [spec for spec in figures(app).values()
            if ((spec["layout"]["title"].get("subtitle") or {}).get("text") or "").startswith(RATIO_CHART)]


def test_ratio_chart_draws_every_school_against_its_target(sample_db):
    app = open_page(PAGE)
    specs = ratio_charts(app)
    bars, markers = {}, {}
    for trace in (trace for spec in specs for trace in spec["data"]):
        codes, xs = values(trace, "y"), values(trace, "x")
        if trace["type"] == "bar":
            bars.update({code: (trace["name"], x) for code, x in zip(codes, xs)})
        elif trace.get("mode") == "markers":
            markers.update({code: trace["name"] for code in codes})
    rows = sql(sample_db, """SELECT school_code, pupils_per_computer, target_met, status FROM informatics_computers
                             WHERE school_year = ? AND period = ? AND target IS NOT NULL""", list(LATEST))
    with_ratio = {code: (ratio, met) for code, ratio, met, _ in rows if ratio is not None}
    assert set(bars) == set(with_ratio)
    for code, (ratio, met) in with_ratio.items():
        name, x = bars[code]
        assert x == pytest.approx(ratio)
        assert name == ("Đạt chuẩn" if met else "Chưa đạt")
    no_room = {code for code, _, _, status in rows if status == "no_room"}
    assert no_room and {c for c, n in markers.items() if n.startswith("Chưa có phòng máy")} == no_room
    # one chart per level, titled with its target (settings: TH 3, THCS and TH&THCS 2), its target line dashed
    panels = [spec["layout"]["title"]["text"] for spec in specs]
    assert len(panels) == 3
    assert any(p.startswith("Tiểu học") and "tối đa 3 HS/máy" in p for p in panels)
    assert any(p.startswith("THCS") and "tối đa 2 HS/máy" in p for p in panels)
    assert all(sum(1 for shape in spec["layout"]["shapes"] if shape.get("line", {}).get("dash") == "dash") == 1
               for spec in specs)


def test_wards_chart_and_table_equal_informatics_totals(sample_db):
    app = open_page(PAGE)
    expected = {ward: (needed, ratio, schools) for ward, needed, ratio, schools in sql(
        sample_db, """SELECT ward_new, computers_needed, school_pupils_per_computer, schools FROM informatics_totals
                      WHERE breakdown = 'ward_new' AND school_year = ? AND period = ?""", list(LATEST))}
    [trace] = figure_titled(app, WARD_CHART + " phường mới")["data"]
    assert dict(zip(values(trace, "y"), values(trace, "x"))) == {w: e[0] for w, e in expected.items()}
    shown = frame(app, "Phường mới", TOWN_RATIO).set_index("Phường mới")
    assert set(shown.index) == set(expected)
    for ward, (needed, ratio, schools) in expected.items():
        assert num(shown.loc[ward, "Số máy cần bổ sung"]) == needed
        assert num(shown.loc[ward, "Số trường"]) == schools
        assert close(shown.loc[ward, TOWN_RATIO], ratio, 6)

    app.radio(key="may_tinh_nhom").set_value("ward_old").run()
    assert not app.exception
    expected = dict(sql(sample_db, """SELECT ward_old, computers_needed FROM informatics_totals
                                      WHERE breakdown = 'ward_old' AND school_year = ? AND period = ?""", list(LATEST)))
    [trace] = figure_titled(app, WARD_CHART + " phường/xã (cũ)")["data"]
    assert dict(zip(values(trace, "y"), values(trace, "x"))) == expected
    shown = frame(app, "Phường/xã (cũ)", TOWN_RATIO)
    assert dict(zip(shown["Phường/xã (cũ)"], map(num, shown["Số máy cần bổ sung"]))) == expected


def test_level_filter_changes_every_number(sample_db):
    app = open_page(PAGE, cap="Tiểu học")
    [(needed, met, not_met)] = sql(sample_db, """SELECT computers_needed, schools_met, schools_not_met
        FROM informatics_totals WHERE breakdown = 'level' AND level = 'TH' AND school_year = ? AND period = ?""",
                                   list(LATEST))
    assert metrics(app)["Máy tính cần bổ sung"][0] == vn(needed)
    assert metrics(app)["Trường đạt chuẩn HS/máy"][0].startswith(f"{met}/{met + not_met} (")
    levels = set(frame(app, "Cảnh báo")["Cấp học"])
    assert levels == {"Tiểu học"}
    shown = {code for spec in ratio_charts(app) for trace in spec["data"] if trace["type"] == "bar"
             for code in values(trace, "y")}
    th = {code for (code,) in sql(sample_db, """SELECT school_code FROM informatics_computers WHERE level = 'TH'
        AND school_year = ? AND period = ? AND pupils_per_computer IS NOT NULL""", list(LATEST))}
    assert shown == th

    app.sidebar.multiselect(key="cap").select("THCS").run()
    assert not app.exception
    [(both,)] = sql(sample_db, """SELECT sum(computers_needed) FROM informatics_totals WHERE breakdown = 'level'
        AND level IN ('TH', 'THCS') AND school_year = ? AND period = ?""", list(LATEST))
    assert metrics(app)["Máy tính cần bổ sung"][0] == vn(both)
    assert set(frame(app, "Cảnh báo")["Cấp học"]) == {"Tiểu học", "THCS"}


def test_an_earlier_period_has_its_own_numbers_and_no_change_before_the_first(sample_db):
    app = open_page(PAGE, ky="Cả năm 2023-2024")
    [(needed,)] = sql(sample_db, """SELECT computers_needed FROM informatics_totals WHERE breakdown = 'all'
                                    AND school_year = '2023-2024' AND period = 'CN'""")
    value, change = metrics(app)["Máy tính cần bổ sung"]
    assert value == vn(needed) and not change
    assert all(spec["layout"]["title"]["subtitle"]["text"].endswith("Cả năm 2023-2024") for spec in ratio_charts(app))


def test_preschools_only_say_the_target_does_not_apply(sample_db):
    app = open_page(PAGE, cap="Mầm non")
    assert not app.exception
    assert "không áp dụng cho mầm non" in texts(app)
    assert not app.get("plotly_chart") and not app.dataframe


def test_a_filter_without_schools_says_so(sample_db):
    app = open_page(PAGE, cap="TH&THCS", phuong="Vinh Hưng")
    assert not app.exception
    assert "Không có trường nào trong phạm vi đang lọc" in texts(app)
    assert not app.get("plotly_chart")


def test_school_names_in_tables_open_the_profile():
    """Issue 13 (drill-down): a school's name in a table is a link to /ho-so-truong?school=CODE, shown as the name."""
    import json

    app = open_page("may_tinh.py")
    tables = [d for d in app.dataframe if "Tên trường" in getattr(d.value, "data", d.value).columns]
    assert tables
    for element in tables:
        data = getattr(element.value, "data", element.value)
        assert all(v == f"/ho-so-truong?school={c}#{n}" for v, c, n in
                   zip(data["Tên trường"], data["Mã trường"], unlinked(data)["Tên trường"]))
        column = json.loads(element.proto.columns)["Tên trường"]
        assert column["type_config"] == {"type": "link", "display_text": "#(.*)$"}


def test_the_page_says_when_every_school_meets_the_ratio_at_the_recent_pace(sample_db):
    """Issue 14: the computers projection (etl.metrics.projections over the plan's computers-needed indicator), on
    the computers page as on the plan page."""
    from dashboard.data import Warehouse
    from etl.metrics import projections
    from etl.metrics.queries import Scope, plan_progress_sql

    wh = Warehouse(sample_db)
    [code] = wh.query(*projections.computers_indicator_sql()).code
    expected = projections.computers_projection_text(wh.query(*plan_progress_sql(Scope())), code, "2025-2026", "HK1",
                                                     "2025-12-31")
    app = open_page(PAGE)
    assert expected and expected in [plain(i.value) for i in app.info]
