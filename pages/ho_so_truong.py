"""Hồ sơ trường: one school on one page, reachable by ?school=CODE: identity, the survey of the period against the
period before, history of key values, the 4725 breakdown by school year, the computer gap and the data issues."""
import streamlit as st

from dashboard import school_view as views
from dashboard.auth import account, who
from dashboard.charts import school as charts
from dashboard.data import database_path
from dashboard.format import (
    md_text,
)
from dashboard.labels import LEVEL_NAMES, OWNERSHIP_NAMES
from dashboard.queries import school as q
from dashboard.ui import empty, page_start, query_pair, school_from_url, school_picker
from etl import audit

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

st.subheader(f"Số liệu khảo sát {f.period_label}")
survey, periods = views.survey_section(code, name_of, f, level)
st.subheader("Diễn biến qua các kỳ")
informatics = views.history_section(code, periods, survey, assessed_level)
if assessed_level:
    st.subheader("Mức độ chuyển đổi số (QĐ 4725)")
    views.maturity_section(code, name_of, f, school)
    st.subheader(f"Máy tính dạy Tin học {f.period_label}")
    views.computers_section(code, name_of, f, informatics)
st.subheader("Vấn đề dữ liệu khi nạp tệp của trường")
views.issues_section(code, name_of, f)
