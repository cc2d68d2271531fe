"""So sánh hai kỳ họp: two snapshots (or a snapshot and today's live warehouse) side by side for the schools of the
filter — plan indicators whose value or status changed, schools that moved up or down a 4725 level, schools that
newly meet or no longer meet the Informatics computer ratio, the key figures, the files loaded in between.
The comparison is etl.snapshot_diff's; dashboard.diff_view writes it in Vietnamese."""
import streamlit as st

from dashboard import diff_view as dv
from dashboard.format import md_text
from dashboard.ui import empty, page_start, plot, table
from etl.snapshot_diff import compare

wh, f = page_start("So sánh hai kỳ họp")
st.caption("Chọn hai ảnh chụp số liệu (hoặc một ảnh chụp và số liệu hiện hành hôm nay): trang cho biết những gì đã "
           "thay đổi giữa hai lần, cho các trường đang lọc ở thanh bên. Mỗi nguồn được tính theo quy tắc lưu cùng nó "
           "(ngưỡng mức QĐ 4725, chuẩn HS/máy, sai số tình trạng kế hoạch).")

found = dv.sources()
if len(found) < 2:
    empty("Chưa có ảnh chụp số liệu nào để so sánh. Tạo ảnh chụp trước mỗi kỳ họp ở trang Trình chiếu và xuất báo "
          "cáo, hoặc bằng lệnh `python -m etl snapshot create \"Sơ kết HK I 2025-2026\"`.")
    st.stop()
by_key = {s.key: s for s in found}
first, second = dv.defaults(found)
left, right = st.columns(2)
# the lists show (and the URL keeps) the snapshot's label as the sidebar writes it, or "Số liệu hiện hành (hôm nay)"
before = by_key[left.selectbox("Nguồn trước (kỳ họp trước)", list(by_key), index=list(by_key).index(first.key),
                               key="truoc", filter_mode=None, bind="query-params")]
after = by_key[right.selectbox("Nguồn sau", list(by_key), index=list(by_key).index(second.key), key="sau",
                               filter_mode=None, bind="query-params")]
if before.key == after.key:
    st.info("Hãy chọn hai nguồn khác nhau để so sánh.", icon="ℹ️")
    st.stop()
if before.when > after.when:
    before, after = after, before
    st.caption("Nguồn trước mới hơn nguồn sau: đã đổi chỗ, so sánh từ nguồn cũ hơn sang nguồn mới hơn.")
same = st.radio("So sánh theo kỳ báo cáo", ["newest", "chosen"], horizontal=True, key="ss_ky",
                format_func={"newest": "Kỳ mới nhất của mỗi nguồn (số liệu mỗi kỳ họp đã xem)",
                             "chosen": f"Cùng một kỳ: {f.period_label} (kỳ đang chọn ở thanh bên)"}.get)
names = (before.name, after.name)
diff = compare(dv.reader(before.path), dv.reader(after.path), f.scope,
               (f.school_year, f.period) if same == "chosen" else None)
parts = dv.tables(diff)
st.info("\n".join(f"- {md_text(s)}" for s in dv.sentences(diff, names)), icon="🔁")

st.subheader(dv.TITLES["totals"])
table(parts["totals"], dv.TITLES["totals"], "ss_totals", current=f)

st.subheader(dv.TITLES["indicators"])
plot(dv.chart(diff, names), "ss_indicators_chart", headline=dv.headline(diff, names))
if len(parts["indicators"]):
    st.caption("Chỉ số tính bằng % ở biểu đồ; mọi chỉ số thay đổi (kể cả tính bằng máy, tin bài) ở bảng dưới. Một chỉ "
               "số được coi là thay đổi khi giá trị làm tròn 1 chữ số thập phân hoặc tình trạng khác đi.")
table(parts["indicators"], dv.TITLES["indicators"], "ss_indicators", decimals=dv.DECIMALS, current=f,
      wide=("Chỉ số",))
with st.expander("Mọi chỉ số kế hoạch, trước và sau"):
    table(dv.indicators_table(diff, only_changed=False), "Mọi chỉ số kế hoạch trước và sau", "ss_all_indicators",
          decimals=dv.DECIMALS, current=f, wide=("Chỉ số",))

st.subheader(dv.TITLES["levels"])
st.caption("Trường có kết quả QĐ 4725 ở cả hai nguồn mà mức chung (mức thấp hơn của hai nhóm) khác đi.")
table(parts["levels"], dv.TITLES["levels"], "ss_levels", decimals=dv.DECIMALS, current=f)

st.subheader(dv.TITLES["computers"])
st.caption("Trường mới đạt hoặc không còn đạt số học sinh dùng chung một máy trong giờ Tin học (trường thiếu số liệu "
           "hoặc chưa gửi số liệu ở một nguồn được tính là chưa đạt ở nguồn đó).")
table(parts["computers"], dv.TITLES["computers"], "ss_computers", decimals=dv.DECIMALS, current=f)

st.subheader(dv.TITLES["files"])
st.caption(f"Các lần nạp có trong kho của {md_text(after.name)} mà chưa có trong {md_text(before.name)} (mọi tệp, "
           "không theo bộ lọc cấp học, phường; tài khoản theo phạm vi chỉ thấy tệp của các trường mình).")
table(parts["files"], dv.TITLES["files"], "ss_files", current=f, wide=("Tệp",))
if len(parts["files_gone"]):
    st.subheader(dv.TITLES["files_gone"])
    table(parts["files_gone"], dv.TITLES["files_gone"], "ss_files_gone", current=f, wide=("Tệp",))
