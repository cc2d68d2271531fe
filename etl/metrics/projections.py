"""Projections of the plan indicators to the plan's deadline (issue 14): "if the recent pace holds, where will each
indicator be at the end of 2025, and when does it reach its target?". Pure: figures in, numbers and Vietnamese
sentences out (no Streamlit, no SQL but the one naming the computers indicator); the plan page, the slides and the
computers page all call it, so the rule lives here once.

Time axis. A period is dated at the end of what it reports (DOMAIN §4): HK1 = 31 January, CN = 31 May, both of the
school year's second calendar year (HK I 2024-2025 = 31/01/2025, cả năm 2024-2025 = 31/05/2025). Months are
days / 30.4375.

Method. The pace is the average change per month between the oldest and the newest of the last PACE_PERIODS periods
with a figure (three periods = the last twelve months for a half-yearly indicator, two years for a yearly one). The
projection is a straight line from the newest figure at that pace, bounded to 0-100 for % (and at 0 for counts).
Only the periods up to the one chosen are used, so a past period shows what could be foreseen then.

Deadline. `plan_deadline` (etl/settings.py, stored with the data in metric_settings). When the newest figure is
dated after the deadline, the value at the deadline is read between the two figures around it (interpolated),
not projected, and the question left is when the target is reached.

Today. A projection never names a month already past (DOMAIN §4): a date the line reaches before the month of `today`
(a parameter of every function here, by default the real date) is said as "lẽ ra đã đạt" (it would already have been
reached at that pace, which only newer figures can confirm), never as "sẽ đạt vào khoảng tháng 5/2026" in December 2026.

Uncertainty, in words: one period cannot be projected; two periods give a pace from one change (weak); with three
or more the changes per month between consecutive periods of the window are compared: of opposite signs → the
figure goes up and down; otherwise their spread gives the earliest and latest date the target is reached.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from etl.textnorm import fmt_number

PERIOD_END = {"HK1": (1, 31), "CN": (5, 31)}  # (month, day) in the school year's second calendar year
PACE_PERIODS = 3  # the pace is taken over the last this-many periods with a figure
DAYS_PER_MONTH = 365.25 / 12
STEADY_SPREAD = 1.5  # fastest / slowest change per month at most this: the pace is steady
HORIZON_YEARS = 10  # a date further than this is not written as a date
FLAT = 1e-9  # a change per month smaller than this (in the indicator's unit) is no change

METHOD_VI = (
    "Cách dự báo: lấy tốc độ thay đổi bình quân mỗi tháng giữa kỳ cũ nhất và kỳ mới nhất trong {periods} kỳ gần "
    "nhất có số liệu (đến kỳ đang chọn), kéo dài thành đường thẳng từ giá trị mới nhất đến hạn {deadline} "
    "({deadline_date}), giới hạn trong 0–100% với chỉ số tính theo %; mỗi kỳ được tính vào ngày cuối kỳ báo cáo "
    "(HK I: 31/01, cả năm: 31/05 của năm thứ hai trong năm học). Khi kỳ mới nhất đã sau hạn, giá trị tại hạn được "
    "nội suy giữa hai kỳ liền kề. Đây là ngoại suy xu hướng, không tính đến kế hoạch đầu tư hay biến động sĩ số."
)

COMPUTERS_INDICATOR_SQL = ("SELECT code FROM plan_indicators_meta WHERE kind = 'sum' ORDER BY code", [])
"""The plan indicator 'computers needed to meet the ratio' (the catalogue's only sum: 'sum over schools of
computers_needed', etl/metrics/plan.py); its falling to 0 is every reporting school meeting the ratio."""


def computers_indicator_sql() -> tuple[str, list]:
    return COMPUTERS_INDICATOR_SQL


# ---- time axis -------------------------------------------------------------------------------------------------

def period_date(school_year: str, period: str) -> dt.date:
    """The date a period's figures stand for: HK1 → 31/01, CN → 31/05 of the year's second calendar year."""
    month, day = PERIOD_END[period]
    return dt.date(int(str(school_year).split("-")[1]), month, day)


def deadline_date(value) -> dt.date:
    """The `plan_deadline` setting as a date (text 'YYYY-MM-DD', a TOML date or a timestamp)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date") and callable(value.date):  # pandas.Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value).strip()[:10])


def deadline_text(deadline: dt.date) -> str:
    """'cuối năm 2025' for 31 December, else 'ngày 30/06/2026'."""
    if (deadline.month, deadline.day) == (12, 31):
        return f"cuối năm {deadline.year}"
    return f"ngày {deadline:%d/%m/%Y}"


def month_text(day: dt.date) -> str:
    return f"tháng {day.month}/{day.year}"


OVERDUE_NOTE = "mốc dự báo đã qua, cần số liệu kỳ mới để xác nhận"


def is_past(day: dt.date, today: dt.date | None = None) -> bool:
    """True when the month of `day` is over (before the month of `today`, by default the real date)."""
    today = today or dt.date.today()
    return (day.year, day.month) < (today.year, today.month)


def will_reach(day: dt.date, today: dt.date | None = None) -> str:
    """'sẽ đạt vào khoảng tháng 5/2026'; for a month already past 'lẽ ra đã đạt trước tháng 12/2026 (mốc dự báo đã
    qua, cần số liệu kỳ mới để xác nhận)'."""
    if is_past(day, today):
        return f"lẽ ra đã đạt trước {month_text(today or dt.date.today())} ({OVERDUE_NOTE})"
    return f"sẽ đạt vào khoảng {month_text(day)}"


def reached_text(day, today: dt.date | None = None) -> str:
    """The plan table's 'Đạt chỉ tiêu vào' for a date the line reaches the target: 'Tháng 5/2026', or 'Lẽ ra đã đạt
    (mốc dự báo đã qua)' for a month already past; '–' without a date."""
    if day is None or day != day:
        return "–"
    return "Lẽ ra đã đạt (mốc dự báo đã qua)" if is_past(day, today) else month_text(day).capitalize()


def months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def add_months(start: dt.date, months: float) -> dt.date:
    return start + dt.timedelta(days=round(months * DAYS_PER_MONTH))


def method_text(deadline: dt.date) -> str:
    return METHOD_VI.format(periods=PACE_PERIODS, deadline=deadline_text(deadline),
                            deadline_date=f"{deadline:%d/%m/%Y}")


def _period_text(school_year: str, period: str) -> str:
    return f"{'HK I' if period == 'HK1' else 'cả năm'} {school_year}"


# ---- one indicator ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    last_period: tuple[str, str] | None  # (school_year, period) of the newest figure
    last_value: float | None
    periods: int  # periods with a figure up to the chosen one
    pace: float | None  # change per month over the window (None: one period)
    value_at_deadline: float | None  # projected (or interpolated when the deadline is past the newest figure)
    basis: str  # projected | interpolated | none
    met_now: bool
    meets_by_deadline: bool | None  # None: cannot be said (one period, deadline before the first figure)
    reached_on: dt.date | None  # the date the line reaches the target (None: already met, never, too far, one period)
    outcome: str  # the sentence: when the target is reached, or 'không đạt vào cuối năm 2025 nếu giữ tốc độ hiện nay'
    uncertainty: str  # how far to trust it, in words


def _bounds(unit: str) -> tuple[float, float]:
    return (0.0, 100.0) if unit == "%" else (0.0, math.inf)


def _meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "lower" else value >= target


def _per_month(unit: str) -> str:
    return "điểm % mỗi tháng" if unit == "%" else f"{unit} mỗi tháng"


def _rate_text(rate: float, unit: str) -> str:
    if abs(rate) <= FLAT:
        return "không đổi"
    word = "tăng" if rate > 0 else "giảm"
    decimals = 1 if abs(rate) >= 0.095 else 2
    return f"{word} {fmt_number(abs(rate), decimals)} {_per_month(unit)}"


def _reach(start: dt.date, value: float, target: float, rate: float) -> dt.date | None:
    """The date a line from (start, value) at `rate` per month reaches `target`; None if it moves away, is flat or
    takes longer than HORIZON_YEARS."""
    if abs(rate) <= FLAT or (target - value) * rate <= 0:
        return None
    months = (target - value) / rate
    return add_months(start, months) if months <= 12 * HORIZON_YEARS else None


def project(series, target: float, direction: str = "higher", unit: str = "%",
            deadline: dt.date | str = "2025-12-31", today: dt.date | None = None) -> Projection:
    """Project one indicator. `series`: (school_year, period, value) of the periods up to the chosen one, any order;
    periods without a figure (None/NaN) are left out. `direction`: 'higher' or 'lower' is better. `today`: what is
    past (by default the real date): a month before it is never named as the one the target will be reached."""
    today = today or dt.date.today()
    deadline = deadline_date(deadline)
    where = deadline_text(deadline)
    points = sorted((period_date(y, p), float(v), (y, p)) for y, p, v in series
                    if v is not None and not (isinstance(v, float) and math.isnan(v)))
    if not points:
        return Projection(None, None, 0, None, None, "none", False, None, None,
                          "chưa có số liệu để dự báo", "Không có kỳ nào có số liệu.")
    low, high = _bounds(unit)

    def bounded(x: float) -> float:
        return min(max(x, low), high)

    last_day, last_value, last_period = points[-1]
    met_now = _meets(last_value, target, direction)
    if len(points) == 1:
        outcome = ("đã đạt chỉ tiêu; chưa dự báo được vì chỉ có một kỳ số liệu" if met_now
                   else "chưa dự báo được: chỉ có một kỳ số liệu")
        return Projection(last_period, last_value, 1, None, None, "none", met_now, None, None, outcome,
                          f"Chỉ có một kỳ số liệu ({_period_text(*last_period)}): chưa có xu hướng để dự báo.")

    window = points[-PACE_PERIODS:]
    pace = (window[-1][1] - window[0][1]) / months_between(window[0][0], window[-1][0])
    if abs(pace) <= FLAT:
        pace = 0.0
    if deadline >= last_day:
        basis = "projected"
        at_deadline = bounded(last_value + pace * months_between(last_day, deadline))
    else:
        basis, at_deadline = "interpolated", None
        for (d0, v0, _), (d1, v1, _) in zip(points, points[1:]):
            if d0 <= deadline <= d1:
                at_deadline = v0 + (v1 - v0) * (deadline - d0).days / (d1 - d0).days
        if at_deadline is None:
            basis = "none"
    meets_by_deadline = None if at_deadline is None else _meets(at_deadline, target, direction)
    reached_on = None if met_now else _reach(last_day, last_value, target, pace)
    towards = not met_now and pace != 0 and (target - last_value) * pace > 0

    # the outcome, in one sentence
    pace_words = "giá trị không đổi qua các kỳ gần đây" if pace == 0 else "chỉ số đang đi xa chỉ tiêu"
    if met_now:
        if basis == "projected" and not meets_by_deadline:
            outcome = f"đang đạt nhưng sẽ không còn đạt vào {where} nếu giữ tốc độ hiện nay"
        else:
            outcome = "đã đạt chỉ tiêu"
    elif deadline >= last_day:
        if reached_on is not None and reached_on <= deadline and is_past(reached_on, today):
            outcome = f"lẽ ra đã đạt chỉ tiêu trước hạn {where} nếu giữ tốc độ hiện nay ({OVERDUE_NOTE})"
        elif reached_on is not None and reached_on <= deadline:
            outcome = f"đạt chỉ tiêu vào khoảng {month_text(reached_on)}, trước hạn {where}"
        elif reached_on is not None:
            outcome = f"không đạt vào {where} nếu giữ tốc độ hiện nay; {will_reach(reached_on, today)}"
        elif towards:
            outcome = (f"không đạt vào {where} nếu giữ tốc độ hiện nay; cần hơn {HORIZON_YEARS} năm nữa mới "
                       "đạt")
        else:
            outcome = f"không đạt vào {where} nếu giữ tốc độ hiện nay ({pace_words})"
    else:
        passed = f"không đạt vào {where} (đã qua hạn)"
        if reached_on is not None:
            outcome = f"{passed}; nếu giữ tốc độ hiện nay {will_reach(reached_on, today)}"
        elif towards:
            outcome = f"{passed}; nếu giữ tốc độ hiện nay cần hơn {HORIZON_YEARS} năm nữa mới đạt"
        else:
            outcome = f"{passed}; nếu giữ tốc độ hiện nay sẽ không đạt ({pace_words})"

    if outcome == "đã đạt chỉ tiêu":
        uncertainty = f"Đã đạt chỉ tiêu ở kỳ mới nhất ({_period_text(*last_period)}): không cần dự báo."
    else:
        uncertainty = _uncertainty(points, window, target, last_day, last_value, met_now, unit, pace, today)
    return Projection(last_period, last_value, len(points), pace, at_deadline, basis, met_now, meets_by_deadline,
                      reached_on, outcome, uncertainty)


def _uncertainty(points, window, target, last_day, last_value, met_now, unit, pace, today: dt.date) -> str:
    span = f"{_period_text(*window[0][2])} – {_period_text(*window[-1][2])}"
    if len(points) == 2:
        return (f"Chỉ có hai kỳ số liệu ({span}): tốc độ tính từ một lần thay đổi ({_rate_text(pace, unit)}) "
                "nên dự báo còn rất không chắc chắn." if pace else
                f"Chỉ có hai kỳ số liệu ({span}), giá trị không đổi: chưa rõ xu hướng.")
    rates = [(v1 - v0) / months_between(d0, d1) for (d0, v0, _), (d1, v1, _) in zip(window, window[1:])]
    if all(abs(r) <= FLAT for r in rates):
        return f"Giá trị không đổi qua {len(window)} kỳ gần nhất ({span})."
    if min(rates) < -FLAT and max(rates) > FLAT:
        moves = ", ".join(_rate_text(r, unit) for r in rates)
        return (f"Giá trị dao động, lúc tăng lúc giảm ({span}: {moves}): tốc độ bình quân chưa phản ánh xu hướng "
                "rõ ràng, dự báo không chắc chắn.")
    slow, fast = sorted(rates, key=abs)[0], sorted(rates, key=abs)[-1]
    steady = abs(slow) > FLAT and abs(fast) <= STEADY_SPREAD * abs(slow)
    moves = (f"đều {_rate_text(fast, unit)}" if _rate_text(slow, unit) == _rate_text(fast, unit)
             else f"từ {_rate_text(slow, unit)} đến {_rate_text(fast, unit)}")
    words = (f"Tốc độ khá đều giữa các kỳ ({span}: {moves}), dự báo tương đối chắc chắn" if steady else
             f"Tốc độ không đều giữa các kỳ ({span}: {moves}), dự báo chỉ để tham khảo")
    if met_now or (target - last_value) * pace <= 0:
        return words + "."
    early, late = _reach(last_day, last_value, target, fast), _reach(last_day, last_value, target, slow)
    if early is None:
        return words + "."
    fastest = "lẽ ra đã đạt" if is_past(early, today) else f"đạt vào khoảng {month_text(early)}"
    if late is None:
        return words + f": theo tốc độ nhanh nhất thì {fastest}, theo tốc độ chậm nhất thì hơn {HORIZON_YEARS} năm nữa."
    if (early.year, early.month) == (late.year, late.month):
        return words + "."
    if is_past(late, today):  # months already past are not named (DOMAIN §4)
        return words + f": theo cả tốc độ nhanh nhất và chậm nhất thì lẽ ra đã đạt trước {month_text(today)}."
    if is_past(early, today):
        return words + f": theo tốc độ nhanh nhất thì lẽ ra đã đạt, theo tốc độ chậm nhất thì đạt vào khoảng " \
                       f"{month_text(late)}."
    return words + f": theo tốc độ nhanh nhất và chậm nhất thì đạt trong khoảng {month_text(early)} – " \
                   f"{month_text(late)}."


# ---- every indicator of a plan progress frame --------------------------------------------------------------------

PROJECTION_COLUMNS = ["indicator", "indicator_vi", "unit", "target", "direction", "last_school_year", "last_period",
                      "last_value", "periods", "pace", "value_at_deadline", "basis", "met_now", "meets_by_deadline",
                      "reached_on", "outcome", "uncertainty"]


def up_to(progress: pd.DataFrame, school_year: str, period: str) -> pd.DataFrame:
    """The rows of a plan progress frame (etl.metrics.queries.plan_progress_sql) dated up to the chosen period."""
    if progress.empty:
        return progress
    until = period_date(school_year, period)
    dates = [period_date(y, p) for y, p in zip(progress.school_year, progress.period)]
    return progress[[d <= until for d in dates]]


def project_all(progress: pd.DataFrame, school_year: str, period: str, deadline,
                today: dt.date | None = None) -> pd.DataFrame:
    """One row per indicator of `progress` (every period, as plan_progress_sql returns it) with a figure up to the
    chosen period: its projection to `deadline` from the periods up to the chosen one (`today`: see project)."""
    rows = []
    known = up_to(progress, school_year, period)
    for code, group in known.groupby("indicator", sort=False):
        if group.value.isna().all():
            continue
        first = group.iloc[0]
        p = project(zip(group.school_year, group.period, group.value), float(first.target), first.direction,
                    first.unit, deadline, today)
        rows.append({"indicator": code, "indicator_vi": first.indicator_vi, "unit": first.unit,
                     "target": float(first.target), "direction": first.direction,
                     "last_school_year": p.last_period[0], "last_period": p.last_period[1],
                     "last_value": p.last_value, "periods": p.periods, "pace": p.pace,
                     "value_at_deadline": p.value_at_deadline, "basis": p.basis, "met_now": p.met_now,
                     "meets_by_deadline": p.meets_by_deadline, "reached_on": p.reached_on, "outcome": p.outcome,
                     "uncertainty": p.uncertainty})
    return pd.DataFrame(rows, columns=PROJECTION_COLUMNS)


def _codes(codes) -> str:
    codes = list(codes)
    shown = ", ".join(codes[:PHRASE_CODES])
    return shown + (f" và {len(codes) - PHRASE_CODES} chỉ số khác" if len(codes) > PHRASE_CODES else "")


PHRASE_CODES = 5  # indicator codes a headline names at most


def projection_phrase(progress: pd.DataFrame, school_year: str, period: str, deadline,
                      today: dt.date | None = None) -> str:
    """A clause for a headline (no capital, no full stop), from the indicators with at least two periods up to the
    chosen one. Before the deadline: 'theo tốc độ hiện nay, 9/25 chỉ số sẽ không đạt chỉ tiêu vào cuối năm 2025
    (AT1, CQ5, HT1, HT2, HT3 và 4 chỉ số khác)'. Past it: how many were not met, how many will be within the next
    twelve months at the present pace and which need longer or never get there (once those twelve months are over:
    which would already have got there). Empty when nothing can be projected."""
    deadline = deadline_date(deadline)
    where = deadline_text(deadline)
    frame = project_all(progress, school_year, period, deadline, today)
    frame = frame[frame.periods >= 2]
    if frame.empty:
        return ""
    now = period_date(school_year, period)
    if now <= deadline:
        missing = frame[~frame.meets_by_deadline.astype(bool)]
        if missing.empty:
            return f"theo tốc độ hiện nay, cả {len(frame)} chỉ số sẽ đạt chỉ tiêu vào {where}"
        return (f"theo tốc độ hiện nay, {len(missing)}/{len(frame)} chỉ số sẽ không đạt chỉ tiêu vào {where} "
                f"({_codes(missing.indicator)})")
    open_ = frame[~frame.met_now.astype(bool)]
    if open_.empty:
        return f"đã qua hạn {where}, cả {len(frame)} chỉ số đều đã đạt chỉ tiêu"
    horizon = add_months(now, 12)
    soon = open_[[d is not None and d == d and d <= horizon for d in open_.reached_on]]
    later = open_[~open_.indicator.isin(soon.indicator)]
    parts = [f"đã qua hạn {where} mà còn {len(open_)}/{len(frame)} chỉ số chưa đạt chỉ tiêu"]
    if len(soon) and is_past(horizon, today):
        parts.append(f"theo tốc độ khi đó {len(soon)} chỉ số lẽ ra đã đạt trong 12 tháng sau "
                     f"{_period_text(school_year, period)} ({OVERDUE_NOTE})")
    elif len(soon):
        parts.append(f"theo tốc độ hiện nay {len(soon)} chỉ số sẽ đạt trong 12 tháng tới (đến {month_text(horizon)})")
    if len(later):
        parts.append(f"{len(later)} chỉ số cần lâu hơn hoặc không đạt nếu giữ tốc độ hiện nay "
                     f"({_codes(later.indicator)})")
    return ", ".join(parts)


# ---- computers -------------------------------------------------------------------------------------------------

def computers_projection(progress: pd.DataFrame, code: str | None, school_year: str, period: str,
                         deadline, today: dt.date | None = None) -> Projection | None:
    """The computers-needed indicator (`code`, from computers_indicator_sql) projected: at the recent pace of the
    need falling (computers bought, less the need that grows with classes), when it reaches 0, i.e. every school
    that reports meets the pupils-per-computer ratio."""
    if not code:
        return None
    rows = up_to(progress, school_year, period)
    rows = rows[rows.indicator == code]
    if rows.empty or rows.value.isna().all():
        return None
    first = rows.iloc[0]
    return project(zip(rows.school_year, rows.period, rows.value), float(first.target), first.direction, first.unit,
                   deadline, today)


def computers_projection_text(progress: pd.DataFrame, code: str | None, school_year: str, period: str,
                              deadline, today: dt.date | None = None) -> str:
    """Two or three sentences for the computers page and the plan page: how many computers are needed now, the
    pace, when every school meets the ratio at that pace (or that it will not by the deadline), the uncertainty."""
    deadline = deadline_date(deadline)
    today = today or dt.date.today()
    p = computers_projection(progress, code, school_year, period, deadline, today)
    if p is None:
        return ""
    now = f"{fmt_number(p.last_value)} máy cần bổ sung ({_period_text(*p.last_period)})"
    if period_date(*p.last_period) > deadline:
        now += f", đã qua hạn {deadline_text(deadline)}"
    if p.met_now:
        return f"Không còn máy nào cần bổ sung ({_period_text(*p.last_period)}): mọi trường có số liệu đều đạt chuẩn."
    if p.pace is None:
        return f"Còn {now}; chỉ có một kỳ số liệu nên chưa dự báo được khi nào mọi trường đạt chuẩn."
    if p.pace == 0:
        pace = "số máy cần bổ sung không đổi qua các kỳ gần đây"
    else:
        pace = (f"số máy cần bổ sung {'giảm' if p.pace < 0 else 'tăng'} bình quân "
                f"{fmt_number(abs(p.pace) * 12)} máy mỗi năm")
    if p.reached_on is not None:
        overdue = is_past(p.reached_on, today)  # a month already past is not named
        when = (f"nếu giữ tốc độ này, lẽ ra mọi trường đã đạt chuẩn số học sinh/máy trước {month_text(today)}"
                if overdue else
                f"nếu giữ tốc độ này, mọi trường đạt chuẩn số học sinh/máy vào khoảng {month_text(p.reached_on)}")
        if p.reached_on > deadline >= period_date(*p.last_period):
            when += f", không kịp {deadline_text(deadline)}"
        when += f" ({OVERDUE_NOTE})" if overdue else ""
    elif p.pace < 0:
        when = f"nếu giữ tốc độ này, cần hơn {HORIZON_YEARS} năm nữa mọi trường mới đạt chuẩn số học sinh/máy"
    else:
        when = ("nếu giữ tốc độ này, sẽ không đến lúc mọi trường đạt chuẩn số học sinh/máy (số máy cần bổ sung "
                "không giảm)")
    return f"Còn {now}; {pace}: {when}. {p.uncertainty}"
