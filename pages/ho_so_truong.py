"""Hồ sơ trường: one school on one page, reachable by ?school=CODE: identity, the survey of the period against the
period before, history of key values, the 4725 breakdown by school year, the computer gap and the data issues."""
import pandas as pd
import streamlit as st

from dashboard.auth import account, who
from dashboard.charts import school as charts
from dashboard.charts.maturity import BASIS_NAMES, gap_text, lost_points
from dashboard.data import database_path
from dashboard.format import (
    COMPUTER_STATUS_NAMES,
    LEVEL_NAMES_4725,
    SEVERITY_NAMES,
    md_text,
    number,
    period_label,
)
from dashboard.labels import LEVEL_NAMES, OWNERSHIP_NAMES, PERIOD_NAMES
from dashboard.queries import school as q
from dashboard.shown import metric_settings, survey_fields
from dashboard.ui import empty, page_start, plot, query, query_pair, school_from_url, school_picker, table
from etl import audit
from etl.metrics import labels


def gap_phrase(gap) -> str:
    """'bằng điểm thẩm định' or 'chênh lệch +2' (self minus verified)."""
    text = gap_text(gap)
    return "bằng điểm thẩm định" if text == "không lệch" else f"chênh lệch {text}"


wh, f = page_start("Hồ sơ trường")
KEY, KEPT = "profile_school", "_profile_kept"

everyone = query_pair(q.registry())
name_of = dict(zip(everyone.school_code, everyone.school_name))
codes = list(query_pair(q.choices(f)).school_code)
url, fresh = school_from_url(KEY, "school")  # fresh: a link (pasted, shared, back button, a chart click)
if url and url not in name_of and account() is not None and account().scope != "province":
    st.error(f"Trường mã “{md_text(url)}” không thuộc phạm vi của tài khoản ({md_text(account().scope_vi())}); trang "
             "không hiển thị số liệu của trường này.", icon="🔒")
    audit.record(database_path(), who(), "denied", f"hồ sơ trường {url}", account().scope_vi())
elif url and url not in name_of:
    st.warning(f"Không có trường mã “{md_text(url)}” trong danh mục trường; đang hiển thị trường đầu tiên trong "
               "danh sách. Hãy chọn trường ở ô bên dưới.", icon="⚠️")
elif url and url not in codes and (fresh or st.session_state.get(KEPT) == (url, f.scope)):
    # a linked school outside the filter stays until the filter changes
    codes.insert(0, url)
    st.session_state[KEPT] = (url, f.scope)
    st.caption("Trường trong đường dẫn không thuộc phạm vi bộ lọc đang chọn; trang vẫn hiển thị trường này.")
if not codes:
    empty("Không có trường nào trong phạm vi đang lọc.")
    st.stop()

# The URL names the school when it changes from outside; otherwise the picker does, and the URL follows it.
code = school_picker("Trường", {c: name_of.get(c, c) for c in codes}, KEY, url_param="school")

school = query_pair(q.identity(code)).iloc[0]
level = school.level
assessed_level = level != "MN"
st.header(md_text(school.school_name), anchor=False)
cells = st.columns([1, 1, 1, 1.3, 1.5])
for cell, (title, value) in zip(cells, charts.identity_rows(school, LEVEL_NAMES, OWNERSHIP_NAMES)):
    cell.markdown(f":small[{md_text(title)}]  \n**{md_text(value)}**")  # registry values: literal text
if not assessed_level:
    st.info("Trường mầm non: QĐ 4725 (mức độ chuyển đổi số) và chỉ tiêu máy tính dạy Tin học không áp dụng; "
            "trường được theo dõi qua các chỉ số của phiếu khảo sát.", icon="ℹ️")

# ---- survey of the selected period ------------------------------------------------------------------------
survey = query_pair(q.survey(code))
periods = query_pair(q.periods())
order = list(zip(periods.school_year, periods.period))
reported = dict(zip(zip(survey.school_year, survey.period), range(len(survey))))
st.subheader(f"Số liệu khảo sát {f.period_label}")
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
    sheet = f", trang “{md_text(now.source_sheet)}”" if isinstance(now.source_sheet, str) and now.source_sheet else ""
    row = f", dòng {int(now.source_row)}" if pd.notna(now.source_row) else " (phiếu của trường)"  # a form has no row
    st.caption(f"Nguồn: tệp {md_text(now.source_file)}{sheet}{row}. "
               + (f"Cột “Kỳ trước”: {period_label(*previous)}." if before is not None else
                  f"Trường không có số liệu {period_label(*previous)} để so sánh." if previous else
                  "Chưa có kỳ trước để so sánh."))
    table(charts.indicator_rows(now, before, fields), f"Chỉ số khảo sát {name_of[code]} {period_label(*shown)}",
          "school_indicators", current=f, height=420, wide=("Chỉ số",),
          export=charts.indicator_rows(now, before, fields, numeric=True))  # the files: numbers, not '1.473'/'+15'

# ---- history ------------------------------------------------------------------------------------------------
st.subheader("Diễn biến qua các kỳ")
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

# ---- 4725 ---------------------------------------------------------------------------------------------------
if assessed_level:
    st.subheader("Mức độ chuyển đổi số (QĐ 4725)")
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
        plot(lost_points(scored[scored.lost_points > 0], school.school_name, row.school_year),
             f"school_lost_{row.school_year}")
        columns = ["criterion", "name_vi", "max_points", "self_score", "verified_score", "score",
                   "lost_points"]
        if row.basis != "verified":
            columns.remove("verified_score")
        table(scored[columns].rename(columns=names),
              f"Điểm từng tiêu chí {name_of[code]} năm học {row.school_year}",
              f"school_criteria_{row.school_year}", current=f, height=420,
              decimals={names[c]: 1 for c in ("self_score", "verified_score", "score", "lost_points")})

# ---- computers for Informatics -----------------------------------------------------------------------------
if assessed_level:
    st.subheader(f"Máy tính dạy Tin học {f.period_label}")
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

# ---- data issues -------------------------------------------------------------------------------------------
st.subheader("Vấn đề dữ liệu khi nạp tệp của trường")
issues = query_pair(q.issues(code))
if issues.empty:
    st.success("Không có lỗi, cảnh báo hay ghi chú nào khi nạp số liệu của trường.")
else:
    issues = issues.assign(severity=issues.severity.map(SEVERITY_NAMES).fillna(issues.severity),
                           period=issues.period.map(PERIOD_NAMES))
    table(issues.rename(columns={"school_year": "Năm học", "period": "Kỳ", "file_name": "Tệp", "sheet": "Trang",
                                 "cell": "Ô", "severity": "Mức độ", "message": "Nội dung"}),
          f"Vấn đề dữ liệu của {name_of[code]}", "school_issues", current=f, wide=("Nội dung",))
