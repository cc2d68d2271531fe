"""Máy tính dạy Tin học: pupils per computer in a lesson per school against the target of its level, the
schools that miss it, computers needed per school, ward and in total, and the school-wide ratio beside it. A click on
a school's bar opens its profile; on a ward's bar, filters to the ward."""
import streamlit as st

from dashboard.charts import computers as charts
from dashboard.format import COMPUTER_STATUS_NAMES, md_text, number, percent, period_label, plotly_text
from dashboard.plan_view import computers_outlook
from dashboard.queries import computers as q
from dashboard.queries import schools_by_level
from dashboard.shown import metric_settings
from dashboard.ui import empty, page_start, pick_school, pick_ward, plot, plot_selectable, query, query_pair, table
from etl.metrics import labels
from etl.metrics.compare import compared_text
from etl.reference import LEVEL_NAMES

wh, f = page_start("Máy tính dạy Tin học")
LABELS = {**labels("keys"), **labels("informatics_computers")}
TOTAL_LABELS = {**labels("keys"), **labels("informatics_totals")}
FLAGS = {"no_room": "Chưa có phòng máy", "room_without_computers": "Phòng máy không có máy",
         "missing_data": "Thiếu số liệu"}

goal = query_pair(q.targets()).iloc[0]
st.caption(
    f"Cách tính (QĐ 4725, mức 2): sĩ số lớp Tin học bình quân (số HS học Tin học ÷ số lớp học Tin học) chia số máy "
    f"mỗi phòng (số máy ÷ số phòng máy) là số học sinh dùng chung một máy trong một tiết Tin học; tối đa "
    f"{number(goal.TH)} HS/máy ở tiểu học, {number(goal.THCS)} ở THCS và {number(goal.TH_THCS)} ở trường liên cấp. "
    "Số máy cần bổ sung = số phòng × làm tròn lên (sĩ số lớp ÷ mức tối đa) − số máy hiện có (không âm); trường có "
    "học sinh học Tin học mà chưa có phòng máy cần một phòng đủ máy. Số HS/máy toàn trường (tổng học sinh ÷ số máy) "
    "chỉ để tham khảo, không phải tỷ lệ trong giờ học. Mầm non không áp dụng.")

in_scope = query_pair(schools_by_level(f))
if in_scope.empty:
    empty("Không có trường nào trong phạm vi đang lọc.")
    st.stop()
if set(in_scope["level"]) <= {"MN"}:
    empty("Chỉ tiêu máy tính dạy Tin học không áp dụng cho mầm non: phạm vi đang lọc chỉ có trường mầm non. "
          "Hãy chọn thêm cấp Tiểu học hoặc THCS.")
    st.stop()

schools = query_pair(q.per_school(f, f.school_year, f.period))
if schools.empty:
    empty(f"Chưa có trường tiểu học, THCS nào trong phạm vi đang lọc gửi số liệu {f.period_label}.")
    st.stop()

now = query_pair(q.totals(f, f.school_year, f.period)).iloc[0]
# the changes are counted over the schools with computers figures in both periods (etl.metrics.compare): a period
# still being collected is never set against the whole of the previous one
pair = query_pair(q.compared(f, f.previous)).set_index("side") if f.previous else None
then, again = (pair.loc["before"], pair.loc["now"]) if pair is not None and pair.schools.max() else (None, None)


def delta(column: str, unit: str, decimals: int = 0, lower_is_better: bool = False) -> dict:
    """Keyword arguments of st.metric for the change of `column` since the previous period (an ASCII sign:
    st.metric reads it to draw the arrow)."""
    if then is None or again[column] != again[column] or then[column] != then[column]:
        return {}
    change = round(float(again[column] - then[column]), decimals)
    if change == 0:
        return {"delta": "không đổi", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": f"{'+' if change > 0 else '-'}{number(abs(change), decimals)} {unit}",
            "delta_color": "inverse" if lower_is_better else "normal"}


if then is not None:
    st.caption(f"Mũi tên dưới mỗi số: thay đổi so với {period_label(*f.previous)}, "
               f"{compared_text(int(then.schools))}.")
c1, c2, c3, c4, c5 = st.columns(5)
assessed = int(now.schools_met + now.schools_not_met)
c1.metric("Trường đạt chuẩn HS/máy",
          f"{int(now.schools_met)}/{assessed}" + (f" ({percent(100 * now.schools_met / assessed, 0)})" if assessed
                                                    else ""),
          **delta("schools_met", "trường"),
          help="Số trường có số học sinh dùng chung một máy trong giờ Tin học không vượt mức tối đa / số trường "
               "tính được (trừ trường thiếu số liệu).")
c2.metric("Máy tính cần bổ sung", number(now.computers_needed),
          **delta("computers_needed", "máy", lower_is_better=True),
          help="Tổng số máy các trường còn thiếu để đạt mức tối đa học sinh/máy trong giờ học.")
c3.metric("Trường chưa có phòng máy", number(now.schools_no_room),
          **delta("schools_no_room", "trường", lower_is_better=True),
          help="Trường có học sinh học Tin học nhưng không có phòng máy.")
c4.metric("Máy tính hiện có", number(now.computers),
          **delta("computers", "máy"),
          help="Tổng số máy tính học sinh đang hoạt động trong các phòng máy dạy Tin học.")
c5.metric("HS/máy toàn trường", number(now.school_pupils_per_computer, 1),
          **delta("school_pupils_per_computer", "HS/máy", 1, lower_is_better=True),
          help="Tổng số học sinh ÷ tổng số máy tính dạy Tin học, toàn trường: con số tham khảo, KHÔNG phải số học "
               "sinh dùng chung một máy trong giờ học.")

codes = set(schools.school_code)
# a chart per level in columns: side by side on a wide screen, one below the other on a phone (Streamlit stacks
# columns on narrow screens), never three panels squeezed into one figure; the same axis end in each
st.subheader(charts.RATIO_TITLE)
levels = charts.ratio_levels(schools)
top = max(schools["pupils_per_computer"].fillna(0).max(), schools["target"].fillna(0).max()) * 1.1
for column, level in zip(st.columns(len(levels)), levels):
    with column:
        plot_selectable(charts.ratio_of_level(schools, level, f.period_label, top=float(top)),
                        f"computers_ratio_{level.lower()}",
                        pick_school(lambda point: point.get("y") if point.get("y") in codes else None))
if outlook := computers_outlook(query_pair, f, metric_settings(query)["plan_deadline"]):  # issue 14
    st.info(md_text(outlook), icon="🖥️")
st.caption("Nhấp vào thanh của một trường để mở hồ sơ trường; nhấp vào thanh của một phường để lọc theo phường đó.")

left, right = st.columns(2)
with left:
    plot(charts.status_by_level(schools, f.period_label), "computers_levels")
with right:
    group = st.radio("Nhóm theo", ["ward_new", "ward_old"], horizontal=True, key="may_tinh_nhom",
                     format_func={"ward_new": "Phường mới", "ward_old": "Phường/xã cũ (trước 1/7/2025)"}.get)
    units = query_pair(q.by_group(f, f.school_year, f.period, group))
    unit_title = LABELS[group]
    plot_selectable(charts.needed_by_unit(units, f.period_label, unit_title), "computers_wards",
                    pick_ward("phuong" if group == "ward_new" else "xa",
                              {plotly_text(u): u for u in units.unit.dropna()}))

st.subheader(f"Máy tính theo {unit_title.lower()}")
by_unit = units.rename(columns={"unit": unit_title, **TOTAL_LABELS})
by_unit = by_unit.rename(columns={TOTAL_LABELS["school_pupils_per_computer"]: "Số HS/máy toàn trường (tham khảo)"})
places = {"Số HS/máy toàn trường (tham khảo)": 1, TOTAL_LABELS["computers"]: 0, TOTAL_LABELS["computers_needed"]: 0}
table(by_unit, f"Máy tính dạy Tin học theo {unit_title.lower()}", "computers_units",
      decimals=places, current=f)

st.subheader("Trường chưa đạt chuẩn hoặc thiếu số liệu")
short = schools[schools["target_met"].eq(False) | schools["missing_data"].eq(True)].copy()
flags = zip(*(short[key].fillna(False).astype(bool).to_numpy() for key in FLAGS))
short["flags"] = [", ".join(text for text, on in zip(FLAGS.values(), row) if on) or "Vượt mức tối đa"
                  for row in flags]
short["level"] = short["level"].map(LEVEL_NAMES)
short = short.sort_values(["computers_needed", "school_name"], ascending=[False, True])
columns = ["school_code", "school_name", "level", "ward_new", "class_size", "computers_per_room",
           "pupils_per_computer", "target", "computers_needed", "flags"]
places = {LABELS["class_size"]: 1, LABELS["computers_per_room"]: 1, LABELS["pupils_per_computer"]: 2,
          LABELS["computers_needed"]: 0}
if short.empty:
    st.success("Tất cả các trường trong phạm vi đang lọc đều đạt chuẩn học sinh/máy trong giờ Tin học.")
else:
    table(short[columns].rename(columns={**LABELS, "flags": "Cảnh báo"}),
          "Trường chưa đạt chuẩn học sinh trên máy", "computers_short", decimals=places, current=f)

with st.expander("Tất cả các trường: số liệu máy tính dạy Tin học"):
    every = schools.copy()
    every["level"] = every["level"].map(LEVEL_NAMES)
    every["status"] = every["status"].map(COMPUTER_STATUS_NAMES)
    columns = ["school_code", "school_name", "level", "ward_new", "ward_old", "students", "it_students", "it_classes",
               "it_rooms", "it_computers", "class_size", "computers_per_room", "pupils_per_computer", "target",
               "status", "computers_needed", "school_pupils_per_computer"]
    places = {LABELS[c]: 0 for c in ("students", "it_students", "it_classes", "it_rooms", "it_computers",
                                     "computers_needed")}
    places.update({LABELS["class_size"]: 1, LABELS["computers_per_room"]: 1, LABELS["pupils_per_computer"]: 2,
                   LABELS["school_pupils_per_computer"]: 1})
    table(every[columns].rename(columns=LABELS), "Máy tính dạy Tin học theo trường",
          "computers_all", decimals=places, current=f)
