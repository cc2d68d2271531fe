"""Projections to the plan's deadline (etl/metrics/projections.py) on hand-worked series, and the plan page showing
exactly the module's projections for the sample's figures.

Time axis of every hand-worked case: cả năm 2023-2024 = 31/05/2024, HK I 2024-2025 = 31/01/2025 (245 days later),
cả năm 2024-2025 = 31/05/2025 (120 days later; 365 days after the first), HK I 2025-2026 = 31/01/2026 (245 days
after 31/05/2025). The deadline 31/12/2025 is 214 days after 31/05/2025. The pace is (last - first) / days over the
last three periods, so the straight line from the last figure reaches the target after gap / pace days."""
import datetime as dt

import pandas as pd
import pytest

from dashboard import plan_view
from etl.metrics import projections
from etl.metrics.projections import period_date, project
from etl.metrics.queries import Scope, plan_progress_sql
from etl.settings import setting

DEADLINE = "2025-12-31"
TODAY = dt.date(2025, 6, 15)  # the hand-worked cases are read as of just after cả năm 2024-2025 (31/05/2025) ...
LATER = dt.date(2026, 2, 15)  # ... or just after HK I 2025-2026 (31/01/2026): no month they name is past yet
YEARS = ["2023-2024", "2024-2025", "2024-2025"]
PERIODS = ["CN", "HK1", "CN"]


def series(*values):
    """Values at cả năm 2023-2024, HK I 2024-2025, cả năm 2024-2025."""
    return list(zip(YEARS, PERIODS, values))


def test_time_axis():
    assert period_date("2024-2025", "HK1") == dt.date(2025, 1, 31)
    assert period_date("2024-2025", "CN") == dt.date(2025, 5, 31)
    assert projections.deadline_date("2025-12-31") == dt.date(2025, 12, 31)
    assert projections.deadline_date(dt.date(2025, 12, 31)) == dt.date(2025, 12, 31)
    assert projections.deadline_date(pd.Timestamp("2025-12-31")) == dt.date(2025, 12, 31)
    assert projections.deadline_text(dt.date(2025, 12, 31)) == "cuối năm 2025"
    assert projections.deadline_text(dt.date(2026, 6, 30)) == "ngày 30/06/2026"
    assert setting("plan_deadline") == "2025-12-31"


def test_flat_series_stays_and_does_not_reach():
    # 60, 60, 60: pace 0, the value at the deadline is 60, the target 100 is never reached
    p = project(series(60, 60, 60), 100, deadline=DEADLINE, today=TODAY)
    assert p.pace == 0 and p.value_at_deadline == 60 and p.basis == "projected"
    assert p.reached_on is None and p.meets_by_deadline is False
    assert p.outcome.startswith("không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay")
    assert "không đổi" in p.outcome
    assert p.uncertainty.startswith("Giá trị không đổi qua 3 kỳ gần nhất")


def test_rising_series_reaches_the_target_after_the_deadline():
    # 40 → 70 over 365 days: 30/365 a day; at 31/12/2025: 70 + 30 × 214/365 = 87.589;
    # 100 is reached 30 / (30/365) = 365 days after 31/05/2025 = 31/05/2026
    p = project(series(40, 50, 70), 100, deadline=DEADLINE, today=TODAY)
    assert p.value_at_deadline == pytest.approx(70 + 30 * 214 / 365)
    assert p.reached_on == dt.date(2026, 5, 31)
    assert p.meets_by_deadline is False
    assert p.outcome == ("không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay; sẽ đạt vào khoảng tháng 5/2026")
    # the two changes: +10 in 245 days (1,2 a month), +20 in 120 days (5,1 a month): uneven, so a range of dates
    assert p.uncertainty.startswith("Tốc độ không đều giữa các kỳ")
    assert "tăng 1,2 điểm % mỗi tháng đến tăng 5,1 điểm % mỗi tháng" in p.uncertainty
    assert "trong khoảng tháng 11/2025 – tháng 6/2027" in p.uncertainty


def test_rising_series_reaches_the_target_before_the_deadline():
    # 40 → 76.5 over 365 days: 0.1 a day; target 95: (95 - 76.5) / 0.1 = 185 days after 31/05/2025 = 02/12/2025;
    # at the deadline 76.5 + 0.1 × 214 = 97.9
    p = project(series(40, 60, 76.5), 95, deadline=DEADLINE, today=TODAY)
    assert p.reached_on == dt.date(2025, 12, 2)
    assert p.value_at_deadline == pytest.approx(97.9)
    assert p.meets_by_deadline is True
    assert p.outcome == "đạt chỉ tiêu vào khoảng tháng 12/2025, trước hạn cuối năm 2025"


def test_steady_pace_is_said_to_be_fairly_certain():
    # 40 → 64.5 in 245 days and → 76.5 in 120 days: 0.1 a day both times
    p = project(series(40, 64.5, 76.5), 100, deadline=DEADLINE, today=TODAY)
    assert p.uncertainty.startswith("Tốc độ khá đều giữa các kỳ")
    assert "đều tăng 3 điểm % mỗi tháng" in p.uncertainty
    assert "tương đối chắc chắn" in p.uncertainty


def test_projection_is_bounded_at_100_percent():
    # 60 → 96.5 over 365 days: 0.1 a day; the line at the deadline is 96.5 + 21.4 = 117.9, shown as 100;
    # 100 is reached (100 - 96.5) / 0.1 = 35 days after 31/05/2025 = 05/07/2025
    p = project(series(60, 80, 96.5), 100, deadline=DEADLINE, today=TODAY)
    assert p.value_at_deadline == 100
    assert p.reached_on == dt.date(2025, 7, 5)
    assert p.outcome == "đạt chỉ tiêu vào khoảng tháng 7/2025, trước hạn cuối năm 2025"
    # and at 0 below: a share falling fast stops at 0
    assert project(series(30, 20, 10), 100, deadline=DEADLINE, today=TODAY).value_at_deadline == 0


def test_falling_series_moves_away_from_the_target():
    # 80 → 70 over 365 days: -10/365 a day; at the deadline 70 - 10 × 214/365 = 64.137
    p = project(series(80, 75, 70), 100, deadline=DEADLINE, today=TODAY)
    assert p.value_at_deadline == pytest.approx(70 - 10 * 214 / 365)
    assert p.reached_on is None and p.meets_by_deadline is False
    assert p.outcome == "không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay (chỉ số đang đi xa chỉ tiêu)"


def test_a_met_indicator_that_falls_is_warned():
    assert project(series(100, 100, 100), 100, deadline=DEADLINE, today=TODAY).outcome == "đã đạt chỉ tiêu"
    # 6 → 4.5 posts a school over 365 days, target 4: met now, but at the deadline 4.5 - 1.5 × 214/365 = 3.62
    p = project(series(6, 5, 4.5), 4, "higher", "tin bài/trường", DEADLINE, TODAY)
    assert p.met_now and p.value_at_deadline == pytest.approx(4.5 - 1.5 * 214 / 365)
    assert p.outcome == "đang đạt nhưng sẽ không còn đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay"
    # a count never goes below 0: computers needed at 0 stay at 0
    met = project([("2024-2025", "HK1", 60), ("2024-2025", "CN", 0)], 0, "lower", "máy", DEADLINE, TODAY)
    assert met.met_now and met.value_at_deadline == 0 and met.outcome == "đã đạt chỉ tiêu"


def test_going_up_and_down_is_said_in_words():
    p = project(series(70, 80, 75), 100, deadline=DEADLINE, today=TODAY)
    assert p.uncertainty.startswith("Giá trị dao động, lúc tăng lúc giảm")


def test_one_period_only_cannot_be_projected():
    p = project([("2024-2025", "HK1", 50)], 100, deadline=DEADLINE, today=TODAY)
    assert p.pace is None and p.value_at_deadline is None and p.reached_on is None and p.meets_by_deadline is None
    assert p.outcome == "chưa dự báo được: chỉ có một kỳ số liệu"
    assert p.uncertainty == "Chỉ có một kỳ số liệu (HK I 2024-2025): chưa có xu hướng để dự báo."
    # periods without a figure do not count
    assert project([("2023-2024", "CN", None), ("2024-2025", "HK1", 50)], 100, deadline=DEADLINE,
                   today=TODAY).periods == 1
    assert project([], 100, deadline=DEADLINE, today=TODAY).outcome == "chưa có số liệu để dự báo"


def test_two_periods_are_said_to_be_weak():
    p = project(series(40, 50), 100, deadline=DEADLINE, today=TODAY)
    assert p.uncertainty.startswith("Chỉ có hai kỳ số liệu")


def test_computers_needed_falling_to_zero():
    # direction lower, target 0: 146 → 73 over 365 days = 0.2 a day; 73 / 0.2 = 365 days after 31/05/2025 =
    # 31/05/2026; at the deadline 73 - 0.2 × 214 = 30.2
    p = project(series(146, 110, 73), 0, "lower", "máy", DEADLINE, TODAY)
    assert p.reached_on == dt.date(2026, 5, 31)
    assert p.value_at_deadline == pytest.approx(30.2)
    assert p.outcome == "không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay; sẽ đạt vào khoảng tháng 5/2026"
    progress = progress_frame({"HT9": series(146, 110, 73)}, unit="máy", target=0, direction="lower")
    text = projections.computers_projection_text(progress, "HT9", "2024-2025", "CN", DEADLINE, TODAY)
    # 73 a year
    assert text.startswith("Còn 73 máy cần bổ sung (cả năm 2024-2025); số máy cần bổ sung giảm bình quân 73 máy "
                           "mỗi năm: nếu giữ tốc độ này, mọi trường đạt chuẩn số học sinh/máy vào khoảng tháng "
                           "5/2026, không kịp cuối năm 2025.")
    assert projections.computers_projection_text(progress, None, "2024-2025", "CN", DEADLINE, TODAY) == ""
    flat = progress_frame({"HT9": series(50, 50, 50)}, unit="máy", target=0, direction="lower")
    assert "không đổi" in projections.computers_projection_text(flat, "HT9", "2024-2025", "CN", DEADLINE, TODAY)


def test_past_the_deadline_the_value_at_it_is_interpolated():
    # 70 at 31/05/2025, 94.5 at 31/01/2026 (245 days): 0.1 a day; at 31/12/2025: 70 + 21.4 = 91.4;
    # 100 reached (100 - 94.5) / 0.1 = 55 days after 31/01/2026 = 27/03/2026
    p = project([("2024-2025", "CN", 70), ("2025-2026", "HK1", 94.5)], 100, deadline=DEADLINE, today=LATER)
    assert p.basis == "interpolated" and p.value_at_deadline == pytest.approx(91.4)
    assert p.reached_on == dt.date(2026, 3, 27)
    assert p.outcome == ("không đạt vào cuối năm 2025 (đã qua hạn); nếu giữ tốc độ hiện nay sẽ đạt vào khoảng "
                         "tháng 3/2026")


DECEMBER = dt.date(2026, 12, 7)  # issue 21: read long after the figures, the months they point to are past


def months_named(text: str) -> list[tuple[int, int]]:
    import re

    return [(int(y), int(m)) for m, y in re.findall(r"tháng (\d{1,2})/(\d{4})", text)]


def test_a_month_already_past_is_never_named():
    """Issue 21: in December 2026 the plan page said 'sẽ đạt vào khoảng tháng 5/2026'. A date the line reaches before
    the month of `today` is said as 'lẽ ra đã đạt' (it would already have been reached at that pace)."""
    p = project(series(40, 50, 70), 100, deadline=DEADLINE, today=DECEMBER)
    assert p.reached_on == dt.date(2026, 5, 31)  # the date itself is kept (the table's sorting, exports)
    assert p.outcome == ("không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay; lẽ ra đã đạt trước tháng 12/2026 "
                         "(mốc dự báo đã qua, cần số liệu kỳ mới để xác nhận)")
    # the range tháng 11/2025 – tháng 6/2027: the fastest pace's month is past, the slowest's is not
    assert p.uncertainty.endswith("theo tốc độ nhanh nhất thì lẽ ra đã đạt, theo tốc độ chậm nhất thì đạt vào "
                                  "khoảng tháng 6/2027.")
    before_deadline = project(series(40, 60, 76.5), 95, deadline=DEADLINE, today=DECEMBER)
    assert before_deadline.outcome == ("lẽ ra đã đạt chỉ tiêu trước hạn cuối năm 2025 nếu giữ tốc độ hiện nay (mốc "
                                       "dự báo đã qua, cần số liệu kỳ mới để xác nhận)")
    past_deadline = project([("2024-2025", "CN", 70), ("2025-2026", "HK1", 94.5)], 100, deadline=DEADLINE,
                            today=DECEMBER)
    assert past_deadline.outcome == ("không đạt vào cuối năm 2025 (đã qua hạn); nếu giữ tốc độ hiện nay lẽ ra đã đạt "
                                     "trước tháng 12/2026 (mốc dự báo đã qua, cần số liệu kỳ mới để xác nhận)")
    # the month of today is not past yet
    assert project(series(40, 50, 70), 100, deadline=DEADLINE, today=dt.date(2026, 5, 2)).outcome.endswith(
        "sẽ đạt vào khoảng tháng 5/2026")


def test_no_sentence_names_a_past_month():
    """Every sentence of the module (outcome, uncertainty, headline clause, computers text, the plan table) over a
    range of series, read in December 2026: no month before it is named."""
    cases = [series(40, 50, 70), series(40, 60, 76.5), series(60, 80, 96.5), series(40, 64.5, 76.5),
             series(70, 80, 75), series(10, 12, 13), [("2024-2025", "CN", 70), ("2025-2026", "HK1", 94.5)]]
    progress = progress_frame({f"A{i}": c for i, c in enumerate(cases)})
    computers = progress_frame({"HT9": series(146, 110, 73)}, unit="máy", target=0, direction="lower")
    texts = [t for c in cases for p in [project(c, 100, deadline=DEADLINE, today=DECEMBER)]
             for t in (p.outcome, p.uncertainty)]
    for year, period in (("2024-2025", "CN"), ("2025-2026", "HK1")):
        texts.append(projections.projection_phrase(progress, year, period, DEADLINE, DECEMBER))
        shown, _ = plan_view.projection_table(plan_view.projection_rows(progress, year, period, DEADLINE, DECEMBER),
                                              DEADLINE, DECEMBER)
        texts += [str(v) for v in shown["Đạt chỉ tiêu vào"]] + list(shown["Kết luận"])
    text = projections.computers_projection_text(computers, "HT9", "2024-2025", "CN", DEADLINE, DECEMBER)
    assert text.startswith("Còn 73 máy cần bổ sung (cả năm 2024-2025); số máy cần bổ sung giảm bình quân 73 máy "
                           "mỗi năm: nếu giữ tốc độ này, lẽ ra mọi trường đã đạt chuẩn số học sinh/máy trước tháng "
                           "12/2026, không kịp cuối năm 2025 (mốc dự báo đã qua, cần số liệu kỳ mới để xác nhận).")
    texts.append(text)
    named = [(m, t) for t in texts for m in months_named(t)]
    assert named, "the cases name some months"
    assert [(m, t) for m, t in named if m < (DECEMBER.year, DECEMBER.month)] == []
    assert "Lẽ ra đã đạt (mốc dự báo đã qua)" in texts


def test_the_headline_past_the_deadline_does_not_name_a_past_horizon():
    later = [("2023-2024", "CN", 10), ("2024-2025", "CN", 70), ("2025-2026", "HK1", 94.5)]
    progress = progress_frame({"B1": later, "B3": [(y, p, 50) for y, p, _ in later]})
    assert projections.projection_phrase(progress, "2025-2026", "HK1", DEADLINE, dt.date(2027, 3, 1)) == (
        "đã qua hạn cuối năm 2025 mà còn 2/2 chỉ số chưa đạt chỉ tiêu, theo tốc độ khi đó 1 chỉ số lẽ ra đã đạt trong "
        "12 tháng sau HK I 2025-2026 (mốc dự báo đã qua, cần số liệu kỳ mới để xác nhận), 1 chỉ số cần lâu hơn hoặc "
        "không đạt nếu giữ tốc độ hiện nay (B3)")


def progress_frame(by_code: dict, unit="%", target=100.0, direction="higher") -> pd.DataFrame:
    """A plan progress frame (the columns the projections read) from {code: series}."""
    rows = [{"indicator": code, "indicator_vi": f"Chỉ số {code}", "pillar": "data", "unit": unit,
             "school_year": y, "period": p, "value": v, "target": target, "direction": direction}
            for code, points in by_code.items() for y, p, v in points]
    return pd.DataFrame(rows)


def test_projection_phrase_counts_the_indicators_that_miss_the_deadline():
    progress = progress_frame({"A1": series(40, 50, 70), "A2": series(60, 80, 96.5), "A3": series(60, 60, 60),
                               "A4": series(None, None, 50)})
    projected = projections.project_all(progress, "2024-2025", "CN", DEADLINE, TODAY)
    assert list(projected.indicator) == ["A1", "A2", "A3", "A4"]
    assert projections.projection_phrase(progress, "2024-2025", "CN", DEADLINE, TODAY) == \
        "theo tốc độ hiện nay, 2/3 chỉ số sẽ không đạt chỉ tiêu vào cuối năm 2025 (A1, A3)"
    # as of HK I 2024-2025 only two periods are used; A4 has none yet
    assert set(projections.project_all(progress, "2024-2025", "HK1", DEADLINE).periods) == {2}
    assert projections.projection_phrase(progress, "2023-2024", "CN", DEADLINE) == ""
    good = progress_frame({"A2": series(40, 64.5, 76.5)}, target=95)
    assert projections.projection_phrase(good, "2024-2025", "CN", DEADLINE, TODAY) == \
        "theo tốc độ hiện nay, cả 1 chỉ số sẽ đạt chỉ tiêu vào cuối năm 2025"


def test_projection_phrase_past_the_deadline():
    later = [("2023-2024", "CN", 10), ("2024-2025", "CN", 70), ("2025-2026", "HK1", 94.5)]
    progress = progress_frame({"B1": later, "B2": [(y, p, 100) for y, p, _ in later],
                               "B3": [(y, p, 50) for y, p, _ in later]})
    assert projections.projection_phrase(progress, "2025-2026", "HK1", DEADLINE, LATER) == (
        "đã qua hạn cuối năm 2025 mà còn 2/3 chỉ số chưa đạt chỉ tiêu, theo tốc độ hiện nay 1 chỉ số sẽ đạt trong "
        "12 tháng tới (đến tháng 1/2027), 1 chỉ số cần lâu hơn hoặc không đạt nếu giữ tốc độ hiện nay (B3)")


def test_plan_view_table():
    progress = progress_frame({"A1": series(40, 50, 70), "A4": series(None, None, 50)})
    projected = plan_view.projection_rows(progress, "2024-2025", "CN", DEADLINE, TODAY)
    shown, places = plan_view.projection_table(projected, DEADLINE, TODAY)
    first = shown.iloc[0]
    assert first["Đạt chỉ tiêu vào"] == "Tháng 5/2026"
    assert first["Giá trị tại 31/12/2025"] == pytest.approx(87.589, abs=1e-3)
    assert first["Kết luận"].startswith("Không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay")
    assert shown.iloc[1]["Đạt chỉ tiêu vào"] == "–" and places["Giá trị tại 31/12/2025"] == 1


# ---- the plan page -----------------------------------------------------------------------------------------------

def sample_progress(db, scope=Scope()) -> pd.DataFrame:
    from etl.warehouse import open_read_only

    query, params = plan_progress_sql(scope, setting("plan_tolerance_pct"))
    with open_read_only(db) as con:
        return con.execute(query, params).df()


def shown_projections(app) -> pd.DataFrame:
    found = [getattr(e.value, "data", e.value) for e in app.dataframe]
    found = [d for d in found if {"Kết luận", "Độ chắc chắn"} <= set(d.columns)]
    assert len(found) == 1
    return found[0].set_index("Mã chỉ số")


def check_page(app, db, scope, school_year, period):
    from tests.pages import texts

    progress = sample_progress(db, scope)
    expected = projections.project_all(progress, school_year, period, DEADLINE)
    assert len(expected) >= 20
    shown = shown_projections(app)
    assert set(shown.index) == set(expected.indicator)
    for row in expected.itertuples():
        cells = shown.loc[row.indicator]
        assert cells["Kết luận"] == row.outcome[0].upper() + row.outcome[1:]
        assert cells["Độ chắc chắn"] == row.uncertainty
        if row.value_at_deadline is None or row.value_at_deadline != row.value_at_deadline:
            assert pd.isna(cells["Giá trị tại 31/12/2025"]) or cells["Giá trị tại 31/12/2025"] in ("", "–")
        else:
            assert cells["Giá trị tại 31/12/2025"] == pytest.approx(row.value_at_deadline)
        reached = "Đã đạt" if row.met_now else projections.reached_text(row.reached_on)
        assert cells["Đạt chỉ tiêu vào"] == reached
    page = texts(app)
    phrase = projections.projection_phrase(progress, school_year, period, DEADLINE)
    assert phrase and phrase[1:] in page
    code = [r[0] for r in sql_rows(db, projections.computers_indicator_sql())][0]
    computers = projections.computers_projection_text(progress, code, school_year, period, DEADLINE)
    assert computers and computers in page
    assert "Cách dự báo: lấy tốc độ thay đổi bình quân mỗi tháng" in page
    return progress, phrase, computers


def sql_rows(db, pair):
    from tests.pages import sql

    return sql(db, *pair)


def test_plan_page_shows_the_modules_projections(sample_warehouse):
    from tests.pages import open_page

    app = open_page("ke_hoach.py")
    progress, phrase, computers = check_page(app, sample_warehouse, Scope(), "2025-2026", "HK1")
    # the sample's latest period (31/01/2026) is past the deadline: values at it are interpolated
    assert phrase.startswith("đã qua hạn cuối năm 2025 mà còn 14/25 chỉ số chưa đạt chỉ tiêu")
    assert computers.startswith("Còn 147 máy cần bổ sung (HK I 2025-2026), đã qua hạn cuối năm 2025; số máy cần bổ "
                                "sung giảm bình quân 45 máy mỗi năm")  # (147 - 192) over 12 months

    # an earlier period projects forward from the periods up to it
    app.sidebar.selectbox(key="ky").select("2024-2025|CN").run()
    assert not app.exception
    _, phrase, computers = check_page(app, sample_warehouse, Scope(), "2024-2025", "CN")
    assert phrase.startswith("theo tốc độ hiện nay, 9/25 chỉ số sẽ không đạt chỉ tiêu vào cuối năm 2025")
    assert "không kịp cuối năm 2025" in computers


def test_plan_page_projections_follow_the_filter(sample_warehouse):
    from tests.pages import open_page

    app = open_page("ke_hoach.py", phuong="Cửa Lò")
    check_page(app, sample_warehouse, Scope(wards_new=("Cửa Lò",)), "2025-2026", "HK1")
    app.sidebar.multiselect(key="cap").set_value(["THCS"]).run()
    assert not app.exception
    check_page(app, sample_warehouse, Scope(levels=("THCS",), wards_new=("Cửa Lò",)), "2025-2026", "HK1")


def test_plan_page_names_no_month_already_past(sample_warehouse):
    """Issue 21, on the page as a reader sees it today: the sample's projections point to months of 2025-2027; none
    before the present month is named as the one a target will be reached (they say 'lẽ ra đã đạt')."""
    from tests.pages import open_page, texts

    today = dt.date.today()
    for period in (None, "2024-2025|CN"):
        app = open_page("ke_hoach.py")
        if period:
            app.sidebar.selectbox(key="ky").select(period).run()
        shown = shown_projections(app)
        words = [texts(app), *map(str, shown["Đạt chỉ tiêu vào"]), *shown["Kết luận"], *shown["Độ chắc chắn"]]
        past = [(m, t) for t in words for m in months_named(t) if m < (today.year, today.month)]
        assert past == [], past[:3]
