"""Trình chiếu và xuất báo cáo: the chosen charts one per slide with a headline written from the data, full
screen; the same slides as a PowerPoint deck, a PDF report and an Excel workbook (source and filters named)."""
import streamlit as st

from dashboard.auth import can_write, who
from dashboard.data import database_path
from dashboard.deck import ExportInfo, build_pdf, build_pptx, build_workbook
from dashboard.format import html_text, md_text
from dashboard.planner_view import RULE_NAMES
from dashboard.presenting import (
    PLAN_BUDGET,
    comparison,
    default_title,
    earlier_sources,
    go_to,
    leave,
    purchase_list,
    shown_slides,
    start,
    url_options,
)
from dashboard.slides import DEFAULT_SLIDES, SLIDES, applicable, build, build_all
from dashboard.ui import page_start, plot, presentation_mode, query_pair, source, take_snapshot
from etl import audit
from etl.settings import setting
from etl.textnorm import slug

presenting = shown_slides()
if presenting:
    presentation_mode()
wh, f = page_start("Trình chiếu và xuất báo cáo", compact=bool(presenting))

if presenting:
    keys = applicable(presenting[0], f) or ["bao_cao"]
    number = min(max(presenting[1], 1), len(keys))
    slide = build(keys[number - 1], query_pair, f, url_options())
    size = "" if len(slide.headline) <= 150 else " style='font-size:1.35rem'"  # two lines, even with an outlook
    st.markdown(f"<div class='slide-headline'{size}>{html_text(slide.headline)}</div>", unsafe_allow_html=True)
    figure = slide.figure
    # the chart fills the window's height left under the headline (CSS in dashboard.ui.presentation_mode)
    figure.update_layout(height=None, autosize=True, font={"size": 15}, title={"font": {"size": 20}})
    with st.container(key="slide_chart"):
        plot(figure, f"slide_{slide.key}", height="stretch", headline=slide.headline)
    back, status, forward, close = st.columns([1, 3, 1, 1], vertical_alignment="center")
    # a clicker sends Page Down/Up or the arrow keys; Space goes on, as in PowerPoint
    back.button("◀ Trang trước", on_click=go_to, args=(number - 1, len(keys)), disabled=number == 1,
                width="stretch", shortcut="Left", key="trang_truoc")
    status.markdown(f"<div class='slide-footer'>Trang {number}/{len(keys)} · ← →, Page Up/Down: chuyển trang · "
                    f"Esc: thoát · {html_text(f.describe())}</div>", unsafe_allow_html=True)
    forward.button("Trang sau ▶", on_click=go_to, args=(number + 1, len(keys)), disabled=number == len(keys),
                   width="stretch", shortcut="Right", key="trang_sau")
    close.button("✕ Thoát", on_click=leave, width="stretch", shortcut="Esc", key="thoat_chieu")
    with st.container(key="more_keys"):  # the other keys of a clicker, as buttons the CSS hides
        for name, step in (("PageDown", 1), ("Space", 1), ("Down", 1), ("PageUp", -1), ("Up", -1)):
            st.button(name, on_click=go_to, args=(number + step, len(keys)), shortcut=name, key=f"phim_{name}")
    st.stop()

keys = st.multiselect("Các trang trình chiếu (theo thứ tự)", list(SLIDES), default=DEFAULT_SLIDES,
                      format_func=lambda k: SLIDES[k][0], key="trinh_chieu_chon")
title = st.text_input("Tiêu đề bộ trình chiếu và báo cáo", value=default_title(f), key="trinh_chieu_tieu_de")
options = {"computers": PLAN_BUDGET, "rule": "most_schools"}
if "mua_sam_may_tinh" in keys:
    budget_col, rule_col = st.columns(2)
    options["computers"] = int(budget_col.number_input(
        "Ngân sách của trang kế hoạch mua sắm (số máy)", min_value=0, value=PLAN_BUDGET, step=10,
        key="trinh_chieu_ngan_sach", help="Trang phân bổ số máy này cho các trường theo quy tắc bên cạnh, như trang "
                                          "Kế hoạch mua sắm máy tính."))
    options["rule"] = rule_col.selectbox("Quy tắc ưu tiên", list(RULE_NAMES), format_func=RULE_NAMES.get,
                                         key="trinh_chieu_quy_tac", filter_mode=None)
if "so_sanh_ky_hop" in keys:
    older = earlier_sources()
    if older:
        chosen = st.selectbox("Trang so sánh: so với ảnh chụp", older, format_func=lambda s: s.key,
                              key="trinh_chieu_so_voi", filter_mode=None)
        options |= comparison(chosen.key)
    else:
        st.info("Chưa có ảnh chụp số liệu nào trước nguồn đang xem: trang so sánh sẽ ghi chưa có gì để so sánh.")
left_out = [SLIDES[k][0] for k in keys if k not in applicable(keys, f)]
if left_out:
    st.info("Phạm vi đang lọc chỉ có trường mầm non: QĐ 4725 và tỷ lệ máy tính dạy Tin học không áp dụng, nên "
            f"không đưa vào trình chiếu và báo cáo: {', '.join(left_out)}.")
keys = applicable(keys, f)
# a file made for other filters, another snapshot, title or choice of slides is not offered any more
made_for = (f.describe(), title, tuple(keys), tuple(sorted((k, str(v)) for k, v in options.items()
                                                         if k != "before_fetch")))
if st.session_state.get("xuat_cho") != made_for:
    for kind in ("pptx", "pdf", "xlsx"):
        st.session_state.pop(f"xuat_{kind}", None)
    st.session_state["xuat_cho"] = made_for
if not keys:
    st.info("Hãy chọn ít nhất một trang áp dụng cho phạm vi đang lọc để trình chiếu hoặc xuất báo cáo.")
    st.stop()
with st.expander("📸 Chụp số liệu cho kỳ họp (đóng băng để số liệu không đổi trong lúc họp)",
                 expanded=source()[1] is None and can_write()):
    if not can_write():
        st.caption("Tài khoản lãnh đạo chỉ xem và xuất báo cáo; chuyên viên của phòng chụp số liệu cho kỳ họp.")
    elif source()[1] is not None:
        st.caption(f"Đang xem ảnh chụp «{md_text(source()[1].name)}». Chọn \"Số liệu hiện hành\" ở thanh bên để "
                   "chụp mới.")
    else:
        st.text_input("Tên ảnh chụp", value=title, key="trinh_chieu_ten_anh")

        def freeze():
            try:
                snap = take_snapshot(st.session_state["trinh_chieu_ten_anh"])
                audit.record(database_path(), who(), "snapshot", snap.name)
                st.session_state["trinh_chieu_thong_bao"] = ("success", f"Đã chụp số liệu «{md_text(snap.name)}» lúc "
                                                             f"{snap.created_at:%H:%M ngày %d/%m/%Y}; trang đang hiển "
                                                             "thị ảnh chụp này.")
            except ValueError as exc:
                st.session_state["trinh_chieu_thong_bao"] = ("error", f"Không chụp được: {md_text(exc)}.")
        st.button("Chụp số liệu", on_click=freeze, key="trinh_chieu_chup")
    kind, message = st.session_state.pop("trinh_chieu_thong_bao", (None, None))
    if kind:
        getattr(st, kind)(message)

st.button("▶ Bắt đầu trình chiếu", type="primary", on_click=start, args=(list(keys), options),
          help="Toàn màn hình: ẩn thanh bên và thanh công cụ; nhấn F11 để trình duyệt toàn màn hình. Chuyển trang "
               "bằng phím mũi tên, Page Up/Down hoặc bút trình chiếu; Esc để thoát.")

st.subheader("Xem trước")
for key in keys:
    slide = build(key, query_pair, f, options)
    st.markdown(f"**{md_text(slide.headline)}**")
    plot(slide.figure, f"preview_{key}")

st.subheader("Xuất báo cáo")
st.caption("Mỗi tệp ghi rõ nguồn số liệu (hiện hành hoặc ảnh chụp, kèm ngày) và bộ lọc đang dùng. Ô bắt đầu bằng "
           "=, +, -, @ được ghi dạng chữ để Excel không chạy như công thức.")
info = ExportInfo(title, setting("office_name"), f.source, f.describe(), wh.is_synthetic())
stem = slug(title) or "bao_cao"
makers = {
    "pptx": ("PowerPoint", lambda p: build_pptx(build_all(keys, query_pair, f, options=options), info, p),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("PDF", lambda p: build_pdf(build_all(keys, query_pair, f, options=options), info, None, p),
            "application/pdf"),
    "xlsx": ("Excel", lambda p: build_workbook(build_all(keys, query_pair, f, options=options), info,
                                               purchase_list(keys, f, options)),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
for column, (kind, (name, make, mime)) in zip(st.columns(3), makers.items()):
    with column:
        if st.button(f"Tạo tệp {name}", key=f"tao_{kind}", width="stretch"):
            bar = st.progress(0.0, text=f"Đang tạo tệp {name}…")

            def report(share, text, bar=bar):
                bar.progress(min(share, 1.0), text=text)
            st.session_state[f"xuat_{kind}"] = make(report)
            audit.record(database_path(), who(), "export", f"{name}: {title}", f.describe())
            bar.progress(1.0, text=f"Đã tạo xong tệp {name}.")
        if st.session_state.get(f"xuat_{kind}"):
            st.download_button(f"⬇️ Tải tệp {name}", st.session_state[f"xuat_{kind}"], file_name=f"{stem}.{kind}",
                               mime=mime, key=f"tai_{kind}", width="stretch", on_click="ignore")
