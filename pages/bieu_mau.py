"""Tải biểu mẫu: the survey template (and the 4725 form) to send to the schools, for a chosen school year and period,
as one workbook with a sheet per level or one workbook per school pre-filled with its identity."""
import streamlit as st

from dashboard.data import database_path
from dashboard.filters import Filters
from dashboard.format import md_text, number
from dashboard.ui import query, warehouse
from etl import templates
from etl.intake import school_year_choices
from etl.reference import LEVEL_NAMES, load_catalogue
from etl.settings import setting

st.title("Tải biểu mẫu")
wh = warehouse()
if wh is None:
    st.stop()
st.caption("Biểu mẫu để gửi các trường: có trang hướng dẫn, dòng tiêu đề được khoá, ô nhập được kiểm tra (số nguyên "
           "từ 0, Có/Không, tỷ lệ 0–100, điểm 4725 từ 0 đến điểm tối đa). Trường điền xong gửi lại, phòng nạp ở trang "
           "«Nạp số liệu» mà không phải sửa gì.")

current: Filters | None = st.session_state.get("_filters")
where, params = (current.scope.sql("schools") if current else ("true", []))
schools = query(f"SELECT school_code, school_name, level, ward_old, ward_new FROM schools WHERE {where} "
                "ORDER BY level, school_name", params)
if schools.empty:
    st.info("Không có trường nào trong phạm vi đang lọc (danh mục trường trống hoặc bộ lọc quá hẹp).", icon="ℹ️")
    st.stop()

left, middle, right = st.columns(3)
years = school_year_choices()
year = left.selectbox("Năm học", years, key="template_year", filter_mode=None)
period = middle.selectbox("Kỳ báo cáo", list(templates.PERIOD_TITLE), format_func=templates.PERIOD_TITLE.get,
                          key="template_period", filter_mode=None)
kind = right.radio("Dạng", ["Một tệp, mỗi cấp học một trang", "Mỗi trường một tệp (.zip)"], key="template_kind")
counts = schools.level.value_counts()
st.markdown(md_text(f"Phạm vi: {number(len(schools))} trường (" + ", ".join(
    f"{LEVEL_NAMES[lv]}: {number(int(counts[lv]))}" for lv in LEVEL_NAMES if lv in counts) + ")"
    + (f"; {'; '.join(scope)}" if (scope := [p for p in (current.describe().split("; ")[2:] if current else [])
                                              if p != "tất cả trường"]) else "") + "."))

rows = schools.to_dict("records")
office = setting("office_name")
catalogue = load_catalogue()
if kind.startswith("Một tệp"):
    st.download_button(
        "⬇️ Biểu khảo sát (Excel)",
        lambda: templates.survey_workbook(catalogue, rows, year, period, office),
        file_name=templates.survey_file_name(year, period), key="template_survey", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if (schools.level != "MN").any():
        st.download_button(
            "⬇️ Bảng tổng hợp tự đánh giá QĐ 4725 (Excel)",
            lambda: templates.assessment_table_workbook(catalogue, rows, year, office),
            file_name=templates.assessment_table_file_name(year), key="template_4725_table", on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help="Một dòng mỗi trường tiểu học, THCS; một cột mỗi tiêu chí.")
else:
    with_4725 = st.toggle("Kèm phiếu tự đánh giá QĐ 4725 (trường TH, THCS)", value=True, key="template_4725")
    st.download_button(
        f"⬇️ {number(len(rows))} biểu của từng trường (.zip)",
        lambda: templates.per_school_zip(catalogue, rows, year, period, office, with_4725),
        file_name=f"Bieu_CDS_tung_truong_{period}_{year}.zip", mime="application/zip", key="template_zip",
        on_click="ignore")
st.caption(f"Kho dữ liệu: {md_text(database_path().name)}; danh mục trường hiện hành.")
