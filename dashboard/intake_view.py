"""The sections of the intake page (pages/nap_so_lieu.py): each draws one part of the page and acts on its own
buttons; the page calls them in order. The review, the corrections and the last result live in the session under the
keys below, so that a rerun shows what was reviewed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.auth import account, who
from dashboard.format import SEVERITY_NAMES, md_text, number
from dashboard.intake import (
    IGNORE,
    accounting_table,
    column_choices,
    preview_styler,
    reasons_table,
    report_workbook,
    review_period,
    review_table,
    sheet_summary,
)
from dashboard.reporting import notify_return, notify_sent, school_names
from dashboard.ui import session_schools
from etl import audit, intake, submissions
from etl.extract import LAYOUT_VI
from etl.reference import PERIOD_NAMES, load_catalogue
from etl.report import cells_line
from etl.settings import setting

REVIEW, PROBLEMS, CORRECTIONS, RESULT, UPLOADER = ("intake_review", "intake_problems", "intake_corrections",
                                                   "intake_result", "intake_uploader")
ORIGIN = "intake_origin"  # the sending from the queue under review: {"submission", "school"}
state = st.session_state


def uploader() -> list:
    """The upload box, its words in Vietnamese; returns the files chosen."""
    # Streamlit's own words in the upload box are English and state its server limit, not ours: say it in Vietnamese
    st.markdown("""<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Chọn tệp…"; }
</style>""", unsafe_allow_html=True)
    return st.file_uploader("Chọn tệp số liệu", type=[e.lstrip(".") for e in intake.UPLOAD_EXTENSIONS],
                            accept_multiple_files=True, key=f"intake_files_{state[UPLOADER]}")


def run_review(paths: list[Path], db: Path) -> None:
    """Reads the files with the corrections of the session and keeps the review (or says why it could not)."""
    bar = st.progress(0.0, text="Đang đọc các tệp…")
    total = max(len(paths), 1)
    done = [0]

    def progress(message: str) -> None:
        done[0] += 1
        bar.progress(min(done[0] / total, 1.0), text=f"Đang đọc: {message}")

    try:
        allowed = session_schools()  # a ward's analyst or a school loads its own schools only
        origin = state.get(ORIGIN)
        if origin:  # a school's sending: its own rows only, whoever reviews it
            allowed = [c for c in (allowed if allowed is not None else [origin["school"]]) if c == origin["school"]]
        hints = {**state[CORRECTIONS], **({"allowed_schools": list(allowed)} if allowed is not None else {})}
        state[REVIEW] = intake.review_files(paths, db, hints=hints, progress=progress, origin=origin)
        me = account()
        if me is not None and me.role == "school":  # the school is preparing its report: the office sees a draft
            intake.record_draft(state[REVIEW], db, who(), me.school)
    except intake.IntakeError as exc:
        state.pop(REVIEW, None)
        st.error(md_text(str(exc)))
    finally:
        bar.empty()


def preview_button(uploads: list, db: Path, max_mb: float) -> None:
    """«Xem trước»: saves the uploads to the inbox and reviews them, forgetting earlier corrections."""
    if st.button("Xem trước", type="primary", disabled=not uploads, key="intake_preview"):
        state.pop(RESULT, None)
        state.pop(ORIGIN, None)
        state[CORRECTIONS] = {"columns": {}, "files": {}}
        folder = intake.inbox_folder(db)
        paths, problems = intake.save_uploads([(u.name, u.getvalue()) for u in uploads], folder, max_mb)
        state[PROBLEMS] = problems
        if paths:
            run_review(paths, db)
        else:
            state.pop(REVIEW, None)


def upload_outcome() -> None:
    """The files refused at upload, and the result of the last load with its report."""
    for problem in state.get(PROBLEMS, []):
        st.warning(md_text(problem), icon="⚠️")

    result = state.get(RESULT)
    if result:
        totals = result["totals"]
        st.success(f"Đã nạp lần số {result['load_id']}: {number(totals['rows_loaded'])} dòng được nạp, "
                   f"{number(totals['rows_replaced'])} dòng thay thế số liệu cũ, {number(totals['rows_rejected'])} "
                   "dòng bị từ chối. Các trang đã hiển thị số liệu mới." if result["load_id"] else
                   "Kho dữ liệu không thay đổi.")
        if result.get("held"):
            st.warning(md_text("Chưa nạp (còn ô số chưa được đọc): " + ", ".join(h["file"] for h in result["held"])),
                       icon="⚠️")
        st.download_button("⬇️ Báo cáo kết quả nạp (Excel, mỗi trường một trang)", report_workbook(result),
                           file_name=f"ket_qua_nap_lan_{result['load_id'] or 0}.xlsx", key="intake_report",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")


def review_summary(review: intake.Review) -> None:
    """The counts of the review and its table of files."""
    st.subheader("Xem trước kết quả nạp")
    t = review.totals()
    cols = st.columns(6)
    for col, (label, value) in zip(cols, (("Tệp", t["files"]), ("Dòng sẽ thêm", t["added"]),
                                          ("Dòng sẽ thay", t["replaced"]), ("Dòng bị từ chối", t["refused"]),
                                          ("Lỗi", t["errors"]), ("Cảnh báo", t["warnings"]))):
        col.metric(label, number(value))
    if t["held"]:
        st.warning(f"{number(t['held'])} tệp dừng ở xem trước vì còn ô số chưa được đọc: chương trình không biết các "
                   "số đó thuộc trường, chỉ tiêu nào. Hãy xem phần «Mọi ô của tệp» của từng tệp.", icon="⚠️")
    st.dataframe(review_table(review), hide_index=True, width="stretch", key="intake_files_table")


def _errors(f) -> int:  # a refused row has its error among the messages: counted once
    return sum(m["severity"] == "error" for m in f.messages)


def file_details(review: intake.Review, db: Path) -> bool:
    """One file of the review in detail (files with errors first), with its corrections; returns whether a correction
    changed, so that the page reviews again."""
    catalogue = load_catalogue()
    choices = column_choices(catalogue)
    labels = {key: label for label, key in choices.items()}
    changed = False
    order = sorted(range(len(review.files)), key=lambda i: (not review.files[i].held, -_errors(review.files[i]),
                                                            review.files[i].name))
    shown = st.selectbox(
        "Xem chi tiết tệp", order, key="intake_detail",
        format_func=lambda i: f"{review.files[i].name} — {review.files[i].status_vi}"
                              + (f" ({_errors(review.files[i])} lỗi)" if _errors(review.files[i]) else ""),
        help="Tệp dừng ở xem trước và tệp có lỗi đứng đầu danh sách. Chọn một tệp để xem cách chương trình đọc tệp "
             "và sửa nếu cần.",
        filter_mode=None)
    for index in [shown]:
        reviewed = review.files[index]
        with st.container(border=True):
            for sheet in reviewed.sheets:
                changed |= _sheet_section(reviewed, index, sheet, db, choices, labels)
            if reviewed.status not in ("unchanged", "skipped"):
                changed |= _period_section(reviewed, index)
            changed |= _schools_section(reviewed, index)
            changed |= _cells_section(reviewed, index)
            _found_tables(reviewed, index)
    return changed


def _cells_section(reviewed, index: int) -> bool:
    """Every non-empty cell of the file in its bucket, the ranges nobody read, and for a file stopped by them the
    reviewer's acknowledgement; returns whether the acknowledgement changed."""
    if not reviewed.accounting:
        return False
    st.markdown(f"**Mọi ô của tệp**: {cells_line(reviewed.cells)}.")
    st.dataframe(accounting_table(reviewed), hide_index=True, width="stretch", key=f"intake_cells_{index}")
    reasons = reasons_table(reviewed)
    if not reasons.empty:
        with st.expander("Vì sao các ô bị bỏ qua hoặc coi là chữ"):
            st.dataframe(reasons, hide_index=True, width="stretch", key=f"intake_reasons_{index}")
    if not (reviewed.unaccounted or reviewed.accepted) or reviewed.status in ("unchanged", "skipped"):
        return False
    entry = state[CORRECTIONS]["files"].setdefault(reviewed.sha or "", {})
    if reviewed.unaccounted:
        stale = " Các ô chưa đọc đã khác lúc bạn xác nhận (cách đọc vừa đổi): hãy xem lại." \
            if entry.get("accept_unaccounted") else ""
        st.warning(f"Tệp này còn {number(reviewed.unaccounted)} ô số chưa được đọc (xem cột «Vùng chưa đọc»): các số "
                   "đó sẽ không vào kho. Hãy sửa tệp rồi tải lên lại, hoặc chỉnh cách đọc ở trên (dòng tiêu đề, cột)."
                   + stale, icon="⚠️")
    # a new set of unread cells is a new question: the box of the cells seen before must not answer it
    shown = "-".join(sorted(reviewed.unread_fingerprints().values())) or \
        "-".join(sorted((entry.get("accept_unaccounted") or {}).values()))
    seen = st.checkbox(f"Tôi đã xem {number(reviewed.unaccounted or reviewed.accepted)} ô số chưa đọc; vẫn nạp phần "
                       "đã đọc được của tệp này", value=not reviewed.unaccounted,
                       key=f"intake_accept_{index}_{shown}_{not reviewed.unaccounted}",
                       help="Xác nhận chỉ áp dụng cho đúng những ô đang chỉ ra; nếu cách đọc đổi và có ô khác chưa "
                            "đọc, tệp lại dừng ở xem trước.")
    if seen == (not reviewed.unaccounted):
        return False
    if seen:
        entry["accept_unaccounted"] = reviewed.unread_fingerprints()
    else:
        entry.pop("accept_unaccounted", None)
    return True


def _sheet_section(reviewed, index: int, sheet: dict, db: Path, choices: dict, labels: dict) -> bool:
    """How one sheet was read: summary, preview, the layout and header rows, the columns and their mapping, saving
    the reading as an import profile; returns whether a correction changed."""
    changed = False
    st.markdown(md_text(sheet_summary(sheet)))
    sheet_key = f"{index}_{sheet['sheet']}_{sheet.get('table', 0)}"  # a sheet may hold several tables
    if sheet.get("preview"):
        with st.expander("Xem trang tính: dòng tiêu đề tô xanh, ô có lỗi tô đỏ, ô có cảnh báo tô vàng",
                         expanded=sheet["layout"] is None and not sheet.get("instructions")):
            st.dataframe(preview_styler(sheet, reviewed.messages), width="stretch", height=360,
                         key=f"intake_preview_{sheet_key}")
    fixes = state[CORRECTIONS]["files"].get(reviewed.sha or "", {})
    with st.popover("🧭 Sửa dạng biểu hoặc dòng tiêu đề"):
        layouts = {"(tự nhận ra)": None, **{v: k for k, v in LAYOUT_VI.items() if k != "registry"}}
        forced = fixes.get("layouts", {}).get(sheet["sheet"] or "")
        layout = st.selectbox("Dạng biểu", list(layouts), key=f"intake_layout_{sheet_key}",
                              index=list(layouts.values()).index(forced), filter_mode=None)
        top, bottom = (fixes.get("headers", {}).get(sheet["sheet"] or "") or sheet.get("header_rows")
                       or (1, 1))
        first = st.number_input("Dòng tiêu đề: từ dòng", 1, 10000, int(top), key=f"intake_top_{sheet_key}")
        last = st.number_input("đến dòng", 1, 10000, int(bottom), key=f"intake_bottom_{sheet_key}",
                               help="Dòng tiêu đề gồm 1 đến 3 dòng (nhóm cột ở trên, tên cột ở dưới).")
        if st.button("Đọc lại trang này", key=f"intake_reread_{sheet_key}"):
            entry = state[CORRECTIONS]["files"].setdefault(reviewed.sha or "", {})
            entry.setdefault("layouts", {})[sheet["sheet"] or ""] = layouts[layout]
            if (int(first), int(last)) != tuple(sheet.get("header_rows") or ()):
                entry.setdefault("headers", {})[sheet["sheet"] or ""] = [int(first), int(last)]
                if layouts[layout] is None:
                    entry["layouts"][sheet["sheet"] or ""] = "survey_table"
            changed = True
    if not sheet.get("columns"):
        return changed
    if sheet.get("transposed"):  # a school per column: the «columns» of the reading are the sheet's rows
        from etl.extract.ledger import parse_ref

        st.dataframe(pd.DataFrame([{
            "Dòng": parse_ref(f"{c['letter']}1")[1] + 1, "Nhãn trong tệp": c["label"],
            "Đọc là": labels.get(c["key"], c["key"]) if c["key"] else "(chưa nhận ra – bỏ qua)"}
            for c in sheet["columns"]]), hide_index=True, width="stretch", key=f"intake_rows_{sheet_key}")
        st.caption("Bảng so sánh, mỗi cột là một trường: nhãn chỉ tiêu ở cột đầu được đọc theo danh mục. Nếu một "
                   "nhãn bị đọc sai, hãy sửa nhãn trong tệp rồi tải lên lại.")
        return changed
    signature = sheet["signature"]
    widget = f"{index}_{sheet.get('table', 0)}_{signature}"
    mapped = dict(state[CORRECTIONS]["columns"].get(signature, {}))
    st.dataframe(pd.DataFrame([{
        "Cột": c["letter"], "Tiêu đề trong tệp": c["label"],
        "Đọc là": labels.get(c["key"], c["key"]) if c["key"] else
        "(bỏ qua theo chỉnh sửa)" if c.get("ignored") else "(chưa nhận ra – bỏ qua)"}
        for c in sheet["columns"]]), hide_index=True, width="stretch", height=min(36 * (len(
            sheet["columns"]) + 1), 320), key=f"intake_columns_{widget}")
    # asked: the columns the loader alone did not read ("STT", "Ghi chú" are never survey data), and
    # those corrected; each compared with what the loader alone read, so a choice is kept only if it differs
    unknown = [c for c in sheet["columns"] if c["letter"] in mapped or
               (not c["recognised"] and not c.get("routine"))]
    if unknown:
        st.markdown("Chọn trường thông tin cho các cột chưa nhận ra (hoặc để bỏ qua):")
    for c in unknown:
        current = labels.get(mapped.get(c["letter"], c["recognised"] or ""), IGNORE)
        chosen = st.selectbox(f"Cột {c['letter']} «{c['label']}»", list(choices),
                              index=list(choices).index(current),
                              key=f"intake_col_{widget}_{c['letter']}")  # 41 fields: typing narrows
        if choices[chosen] != (c["recognised"] or ""):
            mapped[c["letter"]] = choices[chosen]
        else:
            mapped.pop(c["letter"], None)
    known = [c for c in sheet["columns"] if c["recognised"] and c["letter"] not in mapped]
    with st.popover("✏️ Sửa một cột đã nhận ra"):
        letters = {f"Cột {c['letter']} «{c['label']}»": c for c in known}
        pick = st.selectbox("Cột", list(letters), key=f"intake_fix_col_{widget}",
                            filter_mode=None)
        field_of = st.selectbox("Đọc là", list(choices), key=f"intake_fix_field_{widget}",
                                index=list(choices).index(labels.get(letters[pick]["key"], IGNORE))
                                if pick else 0, filter_mode=None)
        if pick and st.button("Áp dụng", key=f"intake_fix_apply_{widget}"):
            if choices[field_of] != letters[pick]["recognised"]:
                mapped[letters[pick]["letter"]] = choices[field_of]
    if mapped != state[CORRECTIONS]["columns"].get(signature, {}):
        state[CORRECTIONS]["columns"][signature] = mapped
        changed = True
    with st.popover("💾 Lưu cách đọc này thành mẫu nhập"):
        name = st.text_input("Tên mẫu nhập", key=f"intake_profile_name_{widget}",
                             placeholder="Ví dụ: Biểu khảo sát của trường TH Lê Lợi")
        if st.button("Lưu mẫu", key=f"intake_profile_save_{widget}"):
            chosen = state[CORRECTIONS]["files"].get(reviewed.sha or "", {})  # the year and period set above
            try:
                saved = intake.save_profile(db, name, sheet, state[CORRECTIONS]["columns"].get(sheet["signature"], {}),
                                            context={k: chosen.get(k) for k in intake.PROFILE_CONTEXT},
                                            header_chosen=bool((chosen.get("headers") or {}).get(sheet["sheet"] or "")))
                st.success(f"Đã lưu mẫu nhập «{md_text(saved['name'])}»: tệp cùng dạng lần sau được đọc "
                           "theo cách này mà không cần hỏi lại.")
            except intake.IntakeError as exc:
                st.error(md_text(str(exc)))
    return changed


def _period_section(reviewed, index: int) -> bool:
    """The school year and period of a file, as read or as chosen; returns whether the choice changed."""
    left, right = st.columns(2)
    years = ["(theo tệp)", *intake.school_year_choices()]
    override = state[CORRECTIONS]["files"].get(reviewed.sha or "", {})
    year = left.selectbox("Năm học", years, key=f"intake_year_{index}",
                          index=years.index(override.get("school_year", "(theo tệp)")))
    periods = {"(theo tệp)": None, "Học kỳ I": "HK1", "Cả năm": "CN"}
    period = right.selectbox("Kỳ báo cáo", list(periods), key=f"intake_period_{index}",
                             index=list(periods.values()).index(override.get("period")))
    wanted = {k: v for k, v in (("school_year", None if year == "(theo tệp)" else year),
                                 ("period", periods[period])) if v}
    if wanted != {k: v for k, v in override.items() if k in ("school_year", "period")}:
        kept = {k: v for k, v in override.items() if k not in ("school_year", "period")}
        state[CORRECTIONS]["files"][reviewed.sha or ""] = {**kept, **wanted}
        return True
    return False


def _schools_section(reviewed, index: int) -> bool:
    """Rows whose school is not in the registry: the school chosen among the suggestions, or a choice kept or
    dropped; returns whether the choices changed."""
    chosen = dict(state[CORRECTIONS]["files"].get(reviewed.sha or "", {}).get("schools", {}))
    asked = [r for r in reviewed.refusals if "suggestions" in r or r["row_key"] in chosen]
    if asked or chosen:
        st.markdown("**Trường không có trong danh mục**: chọn trường đúng (chương trình chỉ gợi ý tên gần "
                    "giống, không tự ghép).")
    for refusal in asked:
        options = {"(không nạp dòng này)": "", **{
            f"{s['school_name']} ({s['school_code']}) – giống {s['score']}%": s["school_code"]
            for s in refusal.get("suggestions", [])}}
        pick = st.selectbox(f"Ô {refusal['cell']} «{refusal.get('written') or refusal['school']}»",
                            list(options), key=f"intake_school_{index}_{refusal['row_key']}", filter_mode=None)
        if options[pick]:
            chosen[refusal["row_key"]] = options[pick]
    for key, code in list(chosen.items()):
        if any(r["row_key"] == key for r in asked):
            continue
        row = next((s for s in reviewed.schools if s["school_code"] == code), None)
        keep = st.toggle(f"Dòng {key.split('!')[-1]} ghép với {row['school_name'] if row else code} ({code})",
                         value=True, key=f"intake_school_kept_{index}_{key}")
        if not keep:
            chosen.pop(key)
    if chosen != state[CORRECTIONS]["files"].get(reviewed.sha or "", {}).get("schools", {}):
        state[CORRECTIONS]["files"].setdefault(reviewed.sha or "", {})["schools"] = chosen
        return True
    return False


def _found_tables(reviewed, index: int) -> None:
    """What the file holds: the schools recognised, the values that would change, the rows refused, the messages."""
    if reviewed.schools:
        st.markdown("**Trường nhận ra**")
        st.dataframe(pd.DataFrame([{
            "Mã trường": s["school_code"], "Tên trường (danh mục)": s["school_name"], "Kỳ": review_period(s["period"]),
            "Ghép theo": {"code": "mã trường", "name": "tên trường",
                          "folded_name": "tên trường (bỏ dấu)"}.get(s["how"], s["how"] or ""),
            "Trang": s["sheet"], "Ô": s["cell"],
            "Sẽ": "thay số liệu cũ" if s["action"] == "replace" else "thêm mới"} for s in reviewed.schools]),
            hide_index=True, width="stretch", key=f"intake_schools_{index}")
    if reviewed.changes:
        st.markdown("**Số liệu sẽ thay đổi (cũ → mới)**")
        st.dataframe(pd.DataFrame([{
            "Trường": c["school_name"], "Kỳ": review_period(c["period"]), "Chỉ tiêu": c["field"], "Đang có": c["old"],
            "Sẽ thành": c["new"], "Ô": c["cell"]} for c in reviewed.changes]),
            hide_index=True, width="stretch", key=f"intake_changes_{index}")
    if reviewed.refusals:
        st.markdown("**Dòng bị từ chối**")
        st.dataframe(pd.DataFrame([{"Trang": r["sheet"], "Ô": r["cell"], "Trường": r["school"],
                                    "Lý do": r["reason"]} for r in reviewed.refusals]),
                     hide_index=True, width="stretch", key=f"intake_refused_{index}", row_height=60,
                     column_config={"Lý do": st.column_config.TextColumn("Lý do", width=700)})  # read whole
    if reviewed.messages:
        st.markdown("**Thông báo**")
        st.dataframe(pd.DataFrame([{"Mức độ": SEVERITY_NAMES.get(m["severity"], m["severity"]),
                                    "Trang": m["sheet"] or "", "Ô": m["cell"] or "", "Nội dung": m["text"]}
                                   for m in reviewed.messages]),
                     hide_index=True, width="stretch", key=f"intake_messages_{index}")


def load_buttons(review: intake.Review, db: Path) -> None:
    """A school sends the reviewed files to the office; the office loads exactly what was reviewed."""
    loadable = [f for f in review.files if f.status not in ("unchanged", "skipped", "rejected") and not f.held]
    me = account()
    if review.origin:
        school = review.origin["school"]
        st.info(md_text(f"Đang xem tệp {school_names(db).get(school, school)} ({school}) gửi: chỉ số liệu của trường "
                        "này được nạp; dòng của trường khác trong tệp bị từ chối. Tệp vẫn ở danh sách chờ cho đến khi "
                        "được nạp hoặc trả lại."), icon="📨")
    if me is not None and me.role == "school":  # a school's files wait for an analyst of the office
        if not loadable:
            st.caption("Chưa gửi được: tệp không có dòng nào của trường đọc được (xem «Dòng bị từ chối» và «Thông "
                       "báo» ở trên), hoặc đã gửi đúng nội dung này trước đây. Sửa tệp rồi bấm «Xem trước» lại.")
        if st.button("Gửi cho phòng duyệt", type="primary", disabled=not loadable, key="intake_send",
                     help="Phòng xem lại và nạp; tình trạng hiện ở trang «Báo cáo của trường»."):
            try:
                folder = intake.submit_pending(review, db, who(), me.school)
                audit.record(db, who(), "submit", ", ".join(f.name for f in loadable), me.scope_vi())
                sent = intake.pending_of(db, folder.name) or {}
                notify_sent(db, me.school, school_names(db).get(me.school, me.school), sent.get("periods") or [],
                            sent.get("files") or [], who())
                state.pop(REVIEW, None)
                state[UPLOADER] += 1
                state["intake_sent"] = True
                st.rerun()
            except intake.IntakeError as exc:
                st.error(md_text(str(exc)))
    elif st.button("Nạp vào kho", type="primary", disabled=not loadable, key="intake_confirm",
                   help="Nạp đúng những gì đang xem trước; nếu kho đã thay đổi từ lúc xem trước, trang yêu cầu xem "
                        "trước lại."):
        bar = st.progress(0.0, text="Đang nạp…")
        count = [0]

        def progress(message: str) -> None:
            count[0] += 1
            bar.progress(min(count[0] / max(len(loadable), 1), 1.0), text=f"Đang nạp: {message}")

        try:
            state[RESULT] = intake.confirm(review, db, progress=progress, scope=session_schools(), who=who())
            totals = state[RESULT]["totals"]
            audit.record(db, who(), "load", f"lần nạp {state[RESULT]['load_id']}: {totals['files']} tệp, "
                         f"{totals['rows_loaded']} dòng nạp, {totals['rows_rejected']} dòng từ chối")
            state.pop(REVIEW, None)
            state.pop(ORIGIN, None)
            held = [Path(f.path) for f in review.files if f.held]
            if held:  # the files stopped at the review stay in it, to be fixed or acknowledged
                run_review(held, db)
            state[UPLOADER] += 1  # a new, empty uploader
            st.cache_data.clear()
            st.rerun()
        except intake.IntakeError as exc:
            if review.origin and "trong lúc đang xem" in str(exc):  # the sending is gone: so is its review
                state.pop(REVIEW, None)
                state.pop(ORIGIN, None)
                state["intake_notice"] = str(exc)
                st.rerun()
            st.error(md_text(str(exc)))
        finally:
            bar.empty()


def queue_section(db: Path) -> None:
    """The files the schools sent, waiting for the office: opened in a review (the sending stays in the queue for
    everyone until it is loaded, returned or withdrawn), or returned with a comment."""
    scope = session_schools()  # a ward's analyst takes the sendings of its own schools
    queue = intake.list_pending(db, scope)
    if not queue:
        return
    names = school_names(db)
    st.subheader(f"Tệp các trường gửi, chờ phòng duyệt ({number(len(queue))})")
    for sent in queue:
        key = sent["submission"]
        name = names.get(sent["school"], sent["school"])
        when = dt.datetime.fromisoformat(sent["at"]).strftime("%d/%m/%Y %H:%M")
        looked = f" · {sent['looked_by']} đang xem" if sent.get("looked_by") else ""
        left, middle, right = st.columns([4, 1, 1])
        left.markdown(f"**{md_text(name)}** " + md_text(f"({sent['school']}) "
                      f"{'gửi lại' if sent['state'] == 'resent' else 'gửi'} lúc {when}{looked}: "
                      + ", ".join(sent["files"])))
        if middle.button("Xem trước để nạp", key=f"intake_take_{key}"):
            try:
                paths, hints, school = intake.take_pending(db, key, who(), scope)
            except (intake.IntakeError, submissions.SubmissionError) as exc:
                st.error(md_text(str(exc)))
                continue
            state[CORRECTIONS] = {"columns": {}, "files": {}, **hints}
            state[ORIGIN] = {"submission": key, "school": school}
            state.pop(RESULT, None)
            audit.record(db, who(), "download", f"tệp {name} ({school}) gửi: {', '.join(sent['files'])}")
            run_review(paths, db)
            st.rerun()
        with right.popover("Trả lại"):
            comment = st.text_area("Lý do trả lại (trường sẽ thấy)", key=f"intake_return_comment_{key}",
                                   placeholder="Ví dụ: Thiếu số máy tính dạy Tin học ở ô F12.")
            if st.button("Trả lại cho trường", key=f"intake_return_{key}", type="primary"):
                try:
                    intake.return_pending(db, key, who(), comment, scope)
                except (intake.IntakeError, submissions.SubmissionError) as exc:
                    st.error(md_text(str(exc)))
                else:
                    audit.record(db, who(), "return", f"tệp {name} ({sent['school']}) gửi lúc {when}: "
                                 f"{', '.join(sent['files'])}; {comment.strip()}")
                    state["intake_notice"] = f"Đã trả lại tệp {name} gửi lúc {when}; trường được báo kèm lý do."
                    notify_return(db, sent["school"], name, sent.get("periods") or [], comment, who())
                    if state.get(ORIGIN, {}).get("submission") == key:
                        state.pop(REVIEW, None)
                        state.pop(ORIGIN, None)
                    st.rerun()


def _outside_reason(db: Path, last: dict) -> str | None:
    """For a scoped analyst, why the last load is not theirs to undo (it touched a school outside the scope)."""
    scope = session_schools()
    if scope is None:
        return None
    from etl.warehouse import open_read_only

    try:
        with open_read_only(db) as con:
            submissions.check_undo(con, last.get("load_id"), scope)
    except submissions.SubmissionError as exc:
        if "ngoài phạm vi" in str(exc):
            return ("Lần nạp gần nhất có số liệu của trường ngoài phạm vi tài khoản: chỉ người có quyền các trường đó "
                    "hoàn tác được.")
    return None


def undo_section(db: Path) -> None:
    """The last load and the button that puts the warehouse back as before it."""
    st.subheader("Hoàn tác")
    versions = intake.list_versions(db)
    if not versions:
        st.caption("Chưa có phiên bản trước nào được lưu: sau mỗi lần nạp, kho trước khi nạp được giữ lại để hoàn "
                   "tác.")
    elif (outside := _outside_reason(db, versions[0])) is not None:
        st.caption(md_text(outside))  # nothing of another ward's load is named here, not even its files
    else:
        last = versions[0]
        st.caption(f"Kho giữ {number(len(versions))} phiên bản trước các lần nạp gần nhất "
                   f"(thiết lập giữ tối đa {setting('keep_versions')} phiên bản).")
        files = ", ".join(last.get("files", [])[:5]) + (" …" if len(last.get("files", [])) > 5 else "")
        when = last.get("saved_at", "")
        when = f"{when[8:10]}/{when[5:7]}/{when[:4]} {when[11:16]}" if len(when) >= 16 else when
        how = "nạp trên trang" if str(last.get("command", "")).startswith("app") else "nạp bằng lệnh"
        st.markdown(md_text(f"Lần nạp gần nhất: số {last.get('load_id')} lúc {when} ({how}), "
                            f"tệp: {files or 'không rõ'}."))
        with st.popover("↩️ Hoàn tác lần nạp gần nhất"):
            st.warning(md_text(f"Kho sẽ trở lại như trước lần nạp số {last.get('load_id')}: mọi số liệu của lần nạp "
                               f"đó ({files}) bị bỏ. Việc hoàn tác được ghi lại."))
            if st.button("Đồng ý hoàn tác", type="primary", key="intake_undo"):
                try:
                    undone = intake.undo_last_load(db, session_schools(), who())
                    audit.record(db, who(), "undo",
                                 f"lần nạp {undone['load_id']}: {', '.join(undone.get('files', []))}")
                    state.pop(REVIEW, None)
                    state.pop(RESULT, None)
                    st.cache_data.clear()
                    state["intake_undone"] = undone
                    st.rerun()
                except intake.IntakeError as exc:
                    st.error(md_text(str(exc)))
    if undone := state.pop("intake_undone", None):
        st.success(md_text(f"Đã hoàn tác lần nạp số {undone['load_id']} ({', '.join(undone.get('files', []))})."))


def profiles_section(db: Path) -> None:
    """The import profiles saved: what each reads differently, edited or deleted here."""
    st.subheader("Mẫu nhập đã lưu")
    try:
        profiles = intake.load_profiles(db)
    except intake.IntakeError as exc:
        profiles = []
        st.error(md_text(str(exc)))
    if not profiles:
        st.caption("Chưa có mẫu nhập nào. Khi sửa cách đọc một tệp ở phần xem trước, hãy lưu thành mẫu để tệp cùng "
                   "dạng lần sau được đọc đúng ngay (cả khi nạp bằng lệnh python -m etl load).")
    field_names_by_label = column_choices(load_catalogue())
    field_names = {key: label for label, key in field_names_by_label.items()}
    for position, profile in enumerate(profiles):
        left, right = st.columns([5, 1])
        kept = profile.get("context", {})
        mapped = "; ".join([f"cột {letter} «{profile.get('labels', {}).get(letter, '')}» → "
                            f"{field_names.get(key, key) if key else 'bỏ qua'}"
                            for letter, key in profile["columns"].items()]
                           + ([f"năm học {kept['school_year']}"] if kept.get("school_year") else [])
                           + ([f"kỳ báo cáo {PERIOD_NAMES.get(kept['period'], kept['period'])}"]
                              if kept.get("period") else [])
                           + ([] if profile["columns"] or kept else
                              [f"dòng tiêu đề {'–'.join(map(str, dict.fromkeys(profile.get('header_rows') or [])))}"]))
        saved = dt.datetime.fromisoformat(profile.get("changed_at") or profile["created_at"])
        left.markdown(f"**{md_text(profile['name'])}** (lưu {saved:%d/%m/%Y %H:%M}): {md_text(mapped)}")
        if right.button("Xoá", key=f"intake_profile_delete_{position}"):
            intake.delete_profile(db, profile["name"])
            st.rerun()
        with left.expander("Sửa mẫu này"):
            edited = {}
            for letter, label in profile.get("labels", {}).items():
                current = profile["columns"].get(letter)
                if current is None:
                    continue  # columns the profile leaves to the loader
                shown = field_names.get(current, IGNORE)
                pick = st.selectbox(f"Cột {letter} «{label}»", list(field_names_by_label),
                                    key=f"intake_profile_{position}_{letter}",
                                    index=list(field_names_by_label).index(shown))  # 41 fields: typing narrows
                edited[letter] = field_names_by_label[pick]
            if st.button("Lưu thay đổi", key=f"intake_profile_update_{position}",
                         disabled=edited == profile["columns"]):
                try:
                    intake.update_profile(db, profile["name"], edited)
                except intake.IntakeError as exc:
                    st.error(md_text(str(exc)))
                else:
                    st.rerun()
