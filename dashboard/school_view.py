"""The sections of the school profile (pages/ho_so_truong.py): each draws one part of a school's page from the
queries of dashboard.queries.school; the page picks the school and calls them in order."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts import school as charts
from dashboard.charts.maturity import BASIS_NAMES, gap_text, lost_points
from dashboard.filters import Filters
from dashboard.format import COMPUTER_STATUS_NAMES, LEVEL_NAMES_4725, SEVERITY_NAMES, md_text, number, period_label
from dashboard.labels import PERIOD_NAMES
from dashboard.queries import school as q
from dashboard.shown import metric_settings, survey_fields
from dashboard.ui import empty, plot, query, query_pair, table
from etl.metrics import labels


def gap_phrase(gap) -> str:
    """'bằng điểm thẩm định' or 'chênh lệch +2' (self minus verified)."""
    text = gap_text(gap)
    return "bằng điểm thẩm định" if text == "không lệch" else f"chênh lệch {text}"


def survey_section(code: str, name_of: dict, f: Filters, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The survey of the selected period (or the latest before it) against the period before; returns the school's
    surveys and the loaded periods for the history."""
    survey = query_pair(q.survey(code))
    periods = query_pair(q.periods())
    order = list(zip(periods.school_year, periods.period))
    reported = dict(zip(zip(survey.school_year, survey.period), range(len(survey))))
    shown = (f.school_year, f.period)
    if shown not in reported:
        earlier = [p for p in order[:order.index(shown)] if p in reported]
        shown = earlier[-1] if earlier else None
        st.warning(f"Trường chưa gửi số liệu khảo sát {f.period_label}."
                   + (f" Bảng dưới là số liệu {period_label(*shown)}, kỳ gần nhất trường đã báo cáo." if shown else ""),
                   icon="📭")
    if shown:
        now = survey.iloc[reported[shown]]
        previous = order[order.index(shown) - 1] if order.index(shown) > 0 else None
        before = survey.iloc[reported[previous]] if previous in reported else None
        fields = [fd for fd in survey_fields(query).values() if fd.pillar not in ("id", "period") and fd.applies(level)]
        named = isinstance(now.source_sheet, str) and now.source_sheet
        sheet = f", trang “{md_text(now.source_sheet)}”" if named else ""
        row = f", dòng {int(now.source_row)}" if pd.notna(now.source_row) else " (phiếu của trường)"  # a form: no row
        st.caption(f"Nguồn: tệp {md_text(now.source_file)}{sheet}{row}. "
                   + (f"Cột “Kỳ trước”: {period_label(*previous)}." if before is not None else
                      f"Trường không có số liệu {period_label(*previous)} để so sánh." if previous else
                      "Chưa có kỳ trước để so sánh."))
        table(charts.indicator_rows(now, before, fields), f"Chỉ số khảo sát {name_of[code]} {period_label(*shown)}",
              "school_indicators", current=f, height=420, wide=("Chỉ số",),
              export=charts.indicator_rows(now, before, fields, numeric=True))  # the files: numbers, not '1.473'/'+15'
    return survey, periods


def history_section(code: str, periods: pd.DataFrame, survey: pd.DataFrame, assessed_level: bool) -> pd.DataFrame:
    """Key values over the periods; returns the school's informatics rows."""
    informatics = query_pair(q.informatics(code))
    shares = query_pair(q.id_shares(code))
    history = charts.history_frame(periods, survey, informatics, shares)
    charts_to_draw = [
        charts.history(history, {"students": "Số học sinh"}, "Số học sinh qua các kỳ", "Số học sinh", "học sinh",
                       "Trường chưa có số liệu học sinh")]
    if assessed_level:
        charts_to_draw += [
            charts.history(history, {"it_computers": "Số máy tính dạy Tin học"}, "Số máy tính dạy Tin học qua các kỳ",
                           "Số máy", "máy", "Trường chưa báo cáo số máy tính dạy Tin học"),
            charts.history(history, {"pupils_per_computer": "Số HS dùng chung một máy"}, "Số học sinh dùng chung một "
                           "máy trong giờ Tin học", "Học sinh/máy", "HS/máy", "Chưa tính được (thiếu số liệu hoặc "
                           "chưa có phòng máy)", target="target", decimals=2)]
    charts_to_draw += [
        charts.history(history, {"cashless_pct": "Tỷ lệ thu không dùng tiền mặt"}, "Tỷ lệ thu không dùng tiền mặt qua "
                       "các kỳ", "Tỷ lệ (%)", "%", "Trường chưa báo cáo tỷ lệ thu không dùng tiền mặt", decimals=1,
                       percent_axis=True),
        charts.history(history, charts.share_series(shares), "Tỷ lệ học sinh, giáo viên đã cập "
                       "nhật số định danh", "Tỷ lệ (%)", "%", "Trường chưa báo cáo số định danh", decimals=1,
                       percent_axis=True)]
    for start in range(0, len(charts_to_draw), 2):
        for offset, (column, figure) in enumerate(zip(st.columns(2), charts_to_draw[start:start + 2])):
            with column:
                plot(figure, f"school_history_{start + offset}")
    return informatics


def maturity_section(code: str, name_of: dict, f: Filters, school) -> None:
    """4725 by school year: levels, evidence checks, mandatory conditions, points lost per criterion."""
    maturity = query_pair(q.maturity(code))
    if maturity.empty:
        empty("Trường chưa có kết quả tự đánh giá hay thẩm định QĐ 4725.")
    else:
        criteria = query_pair(q.criteria(code))
        flags = query_pair(q.evidence(code))
        left, right = st.columns(2)
        with left:
            rules = metric_settings(query)
            low, high = rules["level2_min_score"], rules["level3_above_score"]
            plot(charts.maturity_history(maturity, low, high), "school_maturity_history")
            st.caption(charts.maturity_note(low, high))
        with right:
            st.markdown("**Đối chiếu với phiếu khảo sát**")
            if flags.empty:
                st.success("Không có điểm tự đánh giá nào mâu thuẫn với phiếu khảo sát của trường.")
            for flag in flags.itertuples():
                st.warning(f"Năm học {flag.school_year}, tiêu chí {md_text(flag.criterion)} (tự chấm "
                           f"{number(flag.self_score, 1)}/{number(flag.max_points)} điểm): {md_text(flag.reason)}.",
                           icon="🔎")
        table(charts.maturity_years(maturity, labels("maturity_4725")),
              f"Kết quả QĐ 4725 theo năm học {name_of[code]}", "school_maturity", current=f,
              decimals={labels("maturity_4725")[c]: 1 for c in ("g1_score", "g2_score", "g1_gap", "g2_gap")})
        names = {**labels("criteria_scores"), "lost_points": "Điểm bị mất"}
        year = st.radio("Chi tiết năm học", list(maturity.school_year), horizontal=True, key="profile_year",
                        format_func=lambda y: f"Năm học {y}")
        row = next(maturity[maturity.school_year == year].itertuples())
        st.markdown(charts.level_chips(row), unsafe_allow_html=True)
        c1, c2, c3 = st.columns(3)
        c1.metric("Điểm nhóm 1 (dạy, học)", f"{number(row.g1_score, 1)}/{number(row.g1_max)}",
                  help=f"{LEVEL_NAMES_4725[row.g1_level]}; điều kiện bắt buộc "
                       f"{'đạt' if row.g1_mandatory_met else 'chưa đạt'}.")
        c2.metric("Điểm nhóm 2 (quản trị)", f"{number(row.g2_score, 1)}/{number(row.g2_max)}",
                  help=f"{LEVEL_NAMES_4725[row.g2_level]}; điều kiện bắt buộc "
                       f"{'đạt' if row.g2_mandatory_met else 'chưa đạt'}.")
        c3.metric("Căn cứ xếp mức", BASIS_NAMES[row.basis],
                  help="Thẩm định: điểm phòng thẩm định là chính thức; tự đánh giá: chưa được thẩm định.")
        if row.basis == "verified":
            st.caption(f"Điểm trường tự đánh giá: nhóm 1 {number(row.g1_self, 1)} ({gap_phrase(row.g1_gap)}), "
                       f"nhóm 2 {number(row.g2_self, 1)} ({gap_phrase(row.g2_gap)}).")
        year_rows = criteria[criteria.school_year == row.school_year]
        conditions = year_rows[year_rows.mandatory]
        unmet = conditions[~conditions.met]
        if len(unmet):
            st.error("Điều kiện bắt buộc chưa đạt: " + "; ".join(
                f"{md_text(c)} {md_text(n)}" for c, n in zip(unmet.criterion, unmet.name_vi))
                + " – theo quy ước của phòng, nhóm có điều kiện chưa đạt xếp Mức 1 dù điểm cao.")
        table(charts.conditions_table(conditions, names),
              f"Điều kiện bắt buộc {name_of[code]} năm học {row.school_year}",
              f"school_conditions_{row.school_year}", current=f)
        scored = year_rows[~year_rows.mandatory].assign(position=range((~year_rows.mandatory).sum()))
        plot(lost_points(scored[scored.lost_points > 0], school.school_name, row.school_year, wrap=True),
             f"school_lost_{row.school_year}")
        columns = ["criterion", "name_vi", "max_points", "self_score", "verified_score", "score",
                   "lost_points"]
        if row.basis != "verified":
            columns.remove("verified_score")
        table(scored[columns].rename(columns=names),
              f"Điểm từng tiêu chí {name_of[code]} năm học {row.school_year}",
              f"school_criteria_{row.school_year}", current=f, height=420,
              decimals={names[c]: 1 for c in ("self_score", "verified_score", "score", "lost_points")})


def computers_section(code: str, name_of: dict, f: Filters, informatics: pd.DataFrame) -> None:
    """The computers for Informatics of the period against the target."""
    current = informatics[(informatics.school_year == f.school_year) & (informatics.period == f.period)]
    if current.empty:
        empty(f"Chưa có số liệu máy tính dạy Tin học của trường {f.period_label}.")
    else:
        it = current.iloc[0]
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("HS/máy trong giờ Tin học", number(it.pupils_per_computer, 2),
                  help="Sĩ số lớp Tin học bình quân chia số máy mỗi phòng.")
        c2.metric("Mức tối đa cho phép", f"{number(it.target)} HS/máy")
        c3.metric("Số máy cần bổ sung", number(it.computers_needed))
        c4.metric("Số HS/máy toàn trường", number(it.school_pupils_per_computer, 1),
                  help="Tổng số học sinh chia số máy tính: con số toàn trường, không phải tỷ lệ trong giờ học.")
        flags_it = [text for flag, text in ((it.no_room, "có học sinh học Tin học nhưng chưa có phòng máy"),
                                            (it.room_without_computers, "có phòng máy nhưng không có máy hoạt động"),
                                            (it.missing_data, "thiếu số liệu để tính")) if flag]
        status = COMPUTER_STATUS_NAMES.get(it.status, it.status)
        (st.success if it.status == "met" else st.warning)(
            f"Tình trạng: {md_text(status)}" + (" – " + "; ".join(flags_it) if flags_it else "") + ".")
        inputs = ["it_students", "it_classes", "class_size", "it_rooms", "it_computers", "computers_per_room"]
        table(current[inputs].rename(columns=labels("informatics_computers")),
              f"Máy tính dạy Tin học {name_of[code]} {f.period_label}", "school_informatics", current=f,
              decimals={labels("informatics_computers")[c]: 1 for c in ("class_size", "computers_per_room")})


def issues_section(code: str, name_of: dict, f: Filters) -> None:
    """Errors, warnings and notes of the loads of the school's files."""
    issues = query_pair(q.issues(code))
    if issues.empty:
        st.success("Không có lỗi, cảnh báo hay ghi chú nào khi nạp số liệu của trường.")
    else:
        issues = issues.assign(severity=issues.severity.map(SEVERITY_NAMES).fillna(issues.severity),
                               period=issues.period.map(PERIOD_NAMES))
        table(issues.rename(columns={"school_year": "Năm học", "period": "Kỳ", "file_name": "Tệp", "sheet": "Trang",
                                     "cell": "Ô", "severity": "Mức độ", "message": "Nội dung"}),
              f"Vấn đề dữ liệu của {name_of[code]}", "school_issues", current=f, wide=("Nội dung",))
