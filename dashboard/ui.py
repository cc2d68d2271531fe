"""Streamlit pieces every page uses: the warehouse, cached queries keyed on the data version, the shared
filters (in the sidebar and the URL), page headers, tables with Excel/CSV downloads, charts, empty states."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.data import Warehouse, database_path
from dashboard.export import to_csv_bytes, to_excel_bytes
from dashboard.filters import Filters
from dashboard.format import md_text, number, period_label
from etl.metrics import label
from etl.metrics.periods import DEFAULT_COVERAGE_PCT, PeriodCoverage, default_period
from etl.metrics.periods import period_coverage as periods_of
from etl.metrics.queries import Scope
from etl.reference import LEVEL_NAMES, OWNERSHIP_NAMES
from etl.snapshot import Snapshot, create_snapshot, list_snapshots
from etl.textnorm import (
    fold,  # noqa: F401 (tests of the large-scope search fold with it)
    matches,
    search_key,
    slug,
    vi_sort_key,
    vi_sorted,
)

SYNTHETIC_NOTICE = ("Dữ liệu giả lập: số liệu trên trang này được tạo tự động để minh họa, "
                    "không phải số liệu thật của các trường.")


@st.cache_resource
def _warehouse(path: str, schools: tuple[str, ...] | None = None) -> Warehouse:
    return Warehouse(path, schools)


@st.cache_data(show_spinner=False, max_entries=200)
def _ward_schools(path: str, version: str, wards: tuple[str, ...]) -> list[str]:
    return list(_warehouse(path).query("SELECT school_code FROM schools WHERE list_contains(?, ward_new)",
                                       [list(wards)]).school_code)


def session_schools() -> tuple[str, ...] | None:
    """The schools the signed-in account may see (None: every school)."""
    from dashboard.auth import scope_schools

    path = str(source()[0])
    return scope_schools(lambda wards: _ward_schools(path, _warehouse(path).version(), wards))


SNAPSHOT_KEY = "anh"  # URL parameter of the snapshot shown (absent: live data)


LIVE = "Số liệu hiện hành"


@st.cache_data(ttl=30, show_spinner=False)
def _snapshots(live: str) -> dict[str, Snapshot]:
    """Snapshots by their label ("name (dd/mm/yyyy hh:mm)"), which is also their value in the URL."""
    return {s.label: s for s in list_snapshots(Path(live))}


def source() -> tuple[Path, Snapshot | None]:
    """The database the session shows: the live warehouse or the snapshot chosen in the sidebar."""
    live = database_path()
    snap = _snapshots(str(live)).get(st.session_state.get(SNAPSHOT_KEY) or LIVE)
    return (snap.path, snap) if snap else (live, None)


def render_source() -> None:
    """Live data or a frozen snapshot; bound to the URL so a copied link shows the same figures."""
    snaps = _snapshots(str(database_path()))
    if not snaps:
        return
    st.sidebar.selectbox("Nguồn số liệu", [LIVE, *snaps], key=SNAPSHOT_KEY, bind="query-params", filter_mode=None,
                         help="Ảnh chụp là số liệu đóng băng cho kỳ họp; nạp tệp mới không làm thay đổi ảnh chụp.")


def take_snapshot(name: str) -> Snapshot:
    """Freeze the live warehouse now and show it (a button callback: it runs before the sidebar is drawn)."""
    snap = create_snapshot(database_path(), name)
    _snapshots.clear()
    st.session_state[SNAPSHOT_KEY] = snap.label
    return snap


def warehouse() -> Warehouse | None:
    """The warehouse (live or snapshot) as the session may see it, or None after telling the user how to build it."""
    wh = _warehouse(str(source()[0]), session_schools())
    if not wh.exists():
        st.error(f"Chưa có kho dữ liệu ({md_text(wh.path)}). Hãy nạp số liệu: `python -m etl registry <danh mục>` rồi "
                 "`python -m etl load <thư mục>` (hoặc chạy `make run` để dùng dữ liệu mẫu).")
        return None
    return wh


def stop_if_unreadable(path: Path) -> None:
    """A warehouse file that exists but does not open (damaged by a disk fault, overwritten by another file):
    one Vietnamese sentence saying how to recover, instead of Streamlit's redacted English error on every page."""
    import duckdb

    from etl.warehouse import WarehouseError

    if not path.exists():
        return
    try:
        _warehouse(str(path)).scalar("SELECT count(*) FROM meta")
    except (duckdb.Error, OSError) as exc:
        st.error(md_text(str(WarehouseError.from_duckdb(path, exc))))
        st.stop()


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached_query(path: str, version: str, sql: str, params: tuple, schools: tuple | None = None) -> pd.DataFrame:
    return _warehouse(path, schools).query(sql, [list(p) if isinstance(p, tuple) else p for p in params])


def query(sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """A cached query; the cache key includes the warehouse version, so a new load shows at once, and the
    date, since some views depend on today (overdue tasks)."""
    schools = session_schools()
    wh = _warehouse(str(source()[0]), schools)
    frozen = tuple(tuple(p) if isinstance(p, list) else p for p in params)
    version = f"{wh.version()}@{dt.date.today().isoformat()}"
    return _cached_query(str(wh.path), version, sql, frozen, schools).copy()


def query_pair(pair: tuple[str, list]) -> pd.DataFrame:
    return query(*pair)


# ---- shared filters (rendered by app.py in the sidebar; bound to the URL) ----------------------------------

def render_filters() -> Filters | None:
    options = query("""
        SELECT (SELECT list(DISTINCT level) FROM schools) AS levels,
               (SELECT list(DISTINCT ownership) FROM schools) AS ownership""").iloc[0]
    options = {key: [] if value is None or value is pd.NA else list(value) for key, value in options.items()}
    wards = query("SELECT DISTINCT ward_new, ward_old FROM schools WHERE ward_new IS NOT NULL OR ward_old IS NOT NULL")
    options["wards_new"] = vi_sorted(set(wards.ward_new.dropna()))
    options["wards_old"] = vi_sorted(set(wards.ward_old.dropna()))
    coverage = period_coverage()  # newest first
    periods = [c.key for c in coverage]
    if not periods:
        return None
    side = st.sidebar
    side.header("Bộ lọc")
    names = {c.key: period_choice(c) for c in coverage}
    _period_from_url(names)
    # by default the newest locked period, or the newest one enough schools have reported (etl.metrics.periods);
    # a link's ?ky= wins (the URL is left out when the default is shown)
    period = side.selectbox("Kỳ báo cáo", periods, index=periods.index(default_period(coverage).key),
                            format_func=names.__getitem__, key="ky", bind="query-params", filter_mode=None,
                            help="Mặc định là kỳ mới nhất đã khoá, hoặc (khi chưa khoá kỳ nào) kỳ mới nhất có từ "
                                 f"{DEFAULT_COVERAGE_PCT}% số trường trở lên đã gửi số liệu. Kỳ «đang thu» vẫn chọn "
                                 "được; số trường đã gửi ghi bên cạnh.")
    levels = side.multiselect("Cấp học", [lv for lv in LEVEL_NAMES if lv in options["levels"]],
                              format_func=LEVEL_NAMES.get, key="cap", bind="query-params", **LIST)
    words = side.text_input(SEARCH_LABEL, key="tim_truong", placeholder="vd. nghi hai, tue duc, 4068…",
                            help="Thu hẹp các danh sách phường mới, phường/xã cũ và trường bên dưới về những mục "
                                 "khớp với từ tìm; gõ có dấu hay không dấu, chữ hoa hay chữ thường đều được. "
                                 "Nhấn Enter để tìm.").strip()
    wards_new = side.multiselect("Phường mới", _searched(options["wards_new"], words, "phuong"), key="phuong",
                                 bind="query-params", **LIST)
    wards_old = side.multiselect("Phường/xã cũ (trước 1/7/2025)",
                                 _searched(_old_wards(wards, wards_new), words, "xa"), key="xa",
                                 bind="query-params", **LIST,
                                 help="Chỉ các phường/xã cũ thuộc phường mới đã chọn." if wards_new else None)
    ownership = side.multiselect("Loại hình", [o for o in OWNERSHIP_NAMES if o in options["ownership"]],
                                 format_func=OWNERSHIP_NAMES.get, key="loai", bind="query-params", **LIST)
    narrowed = Scope(levels=tuple(levels), wards_new=tuple(wards_new), wards_old=tuple(wards_old),
                     ownership=tuple(ownership))
    where, params = narrowed.sql("schools")
    _outside_scope(options, where, params)
    name_of, whole = _school_options(side, where, params, words)
    schools = side.multiselect("Trường", list(name_of), format_func=lambda c: name_of.get(c, c), key="truong",
                               bind="query-params", on_change=_every_school_is_all, **LIST)
    if whole and len(schools) > 1 and set(whole) <= set(schools):
        schools = []  # every school of the scope (a pasted link): the same figures as no school filter
    index = periods.index(period)
    previous = tuple(periods[index + 1].split("|")) if index + 1 < len(periods) else None
    year, term = period.split("|")
    snap = source()[1]
    label = f"Ảnh chụp số liệu «{snap.name}» ngày {snap.created_at:%d/%m/%Y %H:%M}" if snap else \
        "Số liệu hiện hành"
    from dashboard.auth import account

    if session_schools() is not None:  # every caption and export says whose figures these are
        label += f" (phạm vi tài khoản: {account().scope_vi()})"
    return Filters(year, term, Scope(levels=tuple(levels), wards_new=tuple(wards_new), wards_old=tuple(wards_old),
                                     ownership=tuple(ownership), schools=tuple(schools)), previous, name_of, label,
                   coverage=coverage_text(coverage[index]))


@st.cache_data(show_spinner=False, max_entries=200)
def _period_coverage(path: str, version: str, schools: tuple[str, ...] | None) -> list[PeriodCoverage]:
    return _warehouse(path, schools).run(periods_of)


def period_coverage() -> list[PeriodCoverage]:
    """Every loaded period, newest first, with the schools of the session's scope reported and expected, locked or
    not, and which are still being collected past the default (etl.metrics.periods: the rule lives there)."""
    schools = session_schools()
    wh = _warehouse(str(source()[0]), schools)
    return _period_coverage(str(wh.path), wh.version(), schools)


def coverage_text(c: PeriodCoverage) -> str:
    """'đang thu: 6/140 trường' for a period still being collected past the default one, else ''."""
    return f"đang thu: {number(c.reported)}/{number(c.expected)} trường" if c.collecting else ""


def period_choice(c: PeriodCoverage) -> str:
    """A period as the picker lists it: 'Cả năm 2025-2026', and for a period still being collected past the default
    its coverage: 'Cả năm 2025-2026 (đang thu: 6/140 trường)'."""
    text = period_label(c.school_year, c.period)
    return f"{text} ({coverage_text(c)})" if c.collecting else text


def _period_from_url(names: dict[str, str]) -> None:
    """A link whose ?ky= names a period without its coverage ('Cả năm 2025-2026'), or with a coverage that has
    changed since it was copied, still opens that period (Streamlit would drop the value that is no longer an option
    and show the default). Streamlit leaves the parameter out of the address after such a run; the next run writes
    the period back into it (a value set in code once the picker exists is written to the URL)."""
    if st.session_state.pop("_ky_resync", False) and "ky" in st.session_state:
        st.session_state["ky"] = st.session_state["ky"]  # the current value, whatever the reader chose since
        return
    url = (st.query_params.get("ky") or "").strip()
    if not url or url in names.values() or url == st.session_state.get("_ky_url"):
        return
    st.session_state["_ky_url"] = url
    plain = url.split(" (")[0].strip()
    for key, name in names.items():
        if plain in (key, name.split(" (")[0]):
            st.session_state["ky"] = key
            st.session_state["_ky_resync"] = True
            return


# the sidebar lists: no typing inside them (Streamlit's own filter matches accents exactly and answers "No results"
# in English; the search box above them folds accents), no English "Select all", "Tất cả" when nothing is chosen
LIST = {"placeholder": "Tất cả", "filter_mode": None, "select_all": False}
SEARCH_LABEL = "Tìm phường/xã hoặc trường"


def _searched(names: list[str], words: str, key: str) -> list[str]:
    """The ward names that match the search (all of them when none does, or with no search), and the chosen ones."""
    if not words:
        return names
    found = [n for n in names if matches(n, words)]
    if not found:
        return names
    chosen = set(st.session_state.get(key) or st.query_params.get_all(key))
    return [n for n in names if n in chosen or n in found]


def _old_wards(wards: pd.DataFrame, chosen_new: list[str]) -> list[str]:
    """The former units, in Vietnamese order; those of the chosen new wards only, once some are chosen."""
    pairs = wards.dropna(subset=["ward_old"])
    if chosen_new:
        pairs = pairs[pairs.ward_new.isin(chosen_new)]
    return vi_sorted(set(pairs.ward_old))


def _every_school_is_all() -> None:
    """Choosing every school of the scope is no school filter: the URL keeps no list of 140 codes."""
    chosen = st.session_state.get("truong") or []
    whole = st.session_state.get("_truong_ca_pham_vi") or ()
    if whole and len(chosen) > 1 and set(whole) <= set(chosen):
        st.session_state["truong"] = []


def _choose_found(found: tuple[str, ...]) -> None:
    st.session_state["truong"] = list(dict.fromkeys([*(st.session_state.get("truong") or []), *found]))
    _every_school_is_all()


def _outside_scope(options: dict, where: str, params: list) -> None:
    """A link whose ward or school filter lies outside the signed-in account's scope: say so (the readers show
    nothing of it anyway)."""
    if session_schools() is None:
        return
    wanted = [w for w in st.query_params.get_all("phuong") if w not in options["wards_new"]]
    codes = st.query_params.get_all("truong")
    if codes:
        known = set(query("SELECT school_code FROM schools WHERE school_code IN (SELECT unnest(?::VARCHAR[]))",
                          [codes]).school_code)
        wanted += [c for c in codes if c not in known]
    if wanted:
        st.warning(f"Bộ lọc trong đường dẫn ({md_text(', '.join(wanted))}) nằm ngoài phạm vi của tài khoản; trang chỉ "
                   "hiển thị số liệu trong phạm vi.", icon="🔒")


SCHOOL_OPTIONS = 3000  # a province's schools fit in one list; past that, the list holds what a search finds
SCHOOL_MATCHES = 200


def _school_options(side, where: str, params: list, words: str = "") -> tuple[dict[str, str], tuple[str, ...]]:
    """code → name of the schools the 'Trường' list offers, in Vietnamese order, and the codes of every school of
    the scope (empty past SCHOOL_OPTIONS). The list holds every school of the scope, or with a search those whose
    code, name or ward matches (accents and case ignored) and the chosen ones; for a larger scope (the country) the
    chosen ones and those matching a search, found in the database rather than sent to the browser."""
    total = int(query(f"SELECT count(*) AS n FROM schools WHERE {where}", params).n.iloc[0])
    chosen = list(st.session_state.get("truong") or st.query_params.get_all("truong"))
    if total <= SCHOOL_OPTIONS:
        names = query(f"SELECT school_code, school_name, ward_new, ward_old FROM schools WHERE {where}", params)
        rows = sorted(names.itertuples(index=False), key=lambda r: (vi_sort_key(r.school_name or ""), r.school_code))
        whole = tuple(r.school_code for r in rows)
        st.session_state["_truong_ca_pham_vi"] = whole
        if not words:
            return {r.school_code: r.school_name for r in rows}, whole
        found = [r.school_code for r in rows if matches(" ".join(str(v) for v in r if isinstance(v, str)), words)]
        _say_found(side, found, words, chosen)
        keep = set(found) | set(chosen)
        return {r.school_code: r.school_name for r in rows if r.school_code in keep}, whole
    st.session_state["_truong_ca_pham_vi"] = ()
    folded = "%" + search_key(words) + "%"
    names = query(f"""SELECT school_code, school_name FROM schools WHERE {where}
                      AND school_code IN (SELECT unnest(?::VARCHAR[]))
                      UNION ALL
                      (SELECT school_code, school_name FROM schools WHERE {where} AND ? <> '%%'
                         AND (school_code LIKE ? OR replace(strip_accents(lower(school_name)), 'đ', 'd') LIKE ?)
                       ORDER BY school_name LIMIT {SCHOOL_MATCHES})""",
                  [*params, chosen, *params, folded, folded, folded])
    if not words:
        side.caption(f"{number(total)} trường trong phạm vi: gõ mã hoặc tên vào ô tìm để chọn trường "
                     f"(danh sách hiện tối đa {number(SCHOOL_MATCHES)} trường khớp).")
    rows = sorted(zip(names.school_code, names.school_name), key=lambda r: (vi_sort_key(r[1] or ""), r[0]))
    return dict(rows), ()


def _say_found(side, found: list[str], words: str, chosen: list[str]) -> None:
    """How many schools the search found, and a button that chooses them all (Streamlit's own is in English)."""
    if not found:
        side.caption(f"Không có trường nào khớp «{md_text(words)}».")
        return
    side.caption(f"{number(len(found))} trường khớp «{md_text(words)}».")
    if len(found) > 1 and not set(found) <= set(chosen):
        side.button(f"Chọn cả {number(len(found))} trường tìm thấy", key="chon_truong_tim_thay",
                    on_click=_choose_found, args=(tuple(found),))


def filters() -> Filters | None:
    return st.session_state.get("_filters")


# ---- page furniture ----------------------------------------------------------------------------------------

def page_start(title: str, compact: bool = False) -> tuple[Warehouse, Filters]:
    """Title, the snapshot and synthetic-data notices and the filter summary (one small line when `compact`,
    for presentation mode); stops the page if there is nothing to show."""
    wh = warehouse()
    if wh is None:
        st.stop()
    snap = source()[1]
    if compact:
        notes = ([f"📸 Ảnh chụp số liệu «{md_text(snap.name)}» ngày {snap.created_at:%d/%m/%Y}"] if snap else []) + \
            (["⚠️ Dữ liệu giả lập, không phải số liệu thật"] if wh.is_synthetic() else [])
        if notes:
            st.caption(" · ".join(notes))
        current = filters()
        if current is None:
            st.stop()
        return wh, current
    st.title(title)
    if snap is not None:
        st.info(f"📸 Đang xem ảnh chụp số liệu **{md_text(snap.name)}** (chụp ngày "
                f"{snap.created_at:%d/%m/%Y lúc %H:%M}): số liệu đóng băng, không thay đổi khi nạp tệp mới.")
    if wh.is_synthetic():
        st.warning(SYNTHETIC_NOTICE, icon="⚠️")
    current = filters()
    if current is None:
        st.info("Kho dữ liệu chưa có số liệu khảo sát nào. Hãy nạp tệp của các trường: `python -m etl load <thư mục>`.")
        st.stop()
    st.caption(md_text(current.describe()))  # ward, school and snapshot names
    return wh, current


def empty(message: str) -> None:
    st.info(message, icon="ℹ️")


# Plotly's mode bar speaks English ("Zoom", "Pan", "Box Select", "Autoscale", "Toggle Spike Lines"…): only the
# picture download stays, its tooltip translated; Streamlit's own "Fullscreen" button is translated by app.py's CSS.
# The locale also writes the axes' numbers the Vietnamese way (1.234,5).
MODEBAR_REMOVED = ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d",
                   "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines", "zoom3d", "pan3d",
                   "orbitRotation", "tableRotation", "resetCameraDefault3d", "resetCameraLastSave3d",
                   "hoverClosest3d", "zoomInGeo", "zoomOutGeo", "resetGeo", "hoverClosestGeo", "hoverClosestGl2d",
                   "hoverClosestPie", "toggleHover", "resetViews", "resetViewMapbox", "resetViewMap",
                   "zoomInMapbox", "zoomOutMapbox", "zoomInMap", "zoomOutMap", "sendDataToCloud", "editInChartStudio",
                   "downloadJson"]
PLOTLY_LOCALE = {"vi": {
    "dictionary": {"Download plot as a PNG": "Tải ảnh biểu đồ (PNG)", "Download plot": "Tải ảnh biểu đồ",
                   "Double-click to zoom back out": "Nhấp đúp để thu nhỏ lại", "Click to enter Colorscale title":
                   "Nhấp để nhập tên thang màu", "Click to enter Plot title": "Nhấp để nhập tên biểu đồ",
                   "Preparing image - this may take a few seconds": "Đang chuẩn bị ảnh biểu đồ…",
                   "Image download succeeded": "Đã tải ảnh biểu đồ",
                   "Sorry, there was a problem downloading your image!": "Không tải được ảnh biểu đồ.",
                   "trace": "chuỗi", "max": "lớn nhất", "min": "nhỏ nhất",
                   "median": "trung vị", "mean ± σ": "trung bình ± σ", "mean": "trung bình", "q1": "tứ phân vị 1",
                   "q3": "tứ phân vị 3", "upper fence": "rào trên", "lower fence": "rào dưới", "kde": "mật độ"},
    "format": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"],
               "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
               "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
               "months": [f"Tháng {m}" for m in range(1, 13)], "shortMonths": [f"Th{m}" for m in range(1, 13)],
               "date": "%d/%m/%Y"}}}


def plot_config(key: str) -> dict:
    return {"displaylogo": False, "locale": "vi", "locales": PLOTLY_LOCALE, "modeBarButtonsToRemove": MODEBAR_REMOVED,
            "toImageButtonOptions": {"format": "png", "filename": slug(key) or "bieu_do", "scale": 2}}


def plot(figure, key: str, height: int | str = "content", headline: str = "") -> None:
    """A chart with the shared configuration and a text alternative for screen readers (what it shows, in words);
    `height="stretch"` fills its container (presentation mode)."""
    from dashboard.charts import describe

    st.plotly_chart(figure, key=key, config=plot_config(key), height=height, alt=describe(figure, headline))


def vn_styler(frame: pd.DataFrame, decimals: dict[str, int] | None = None):
    """Display numbers the Vietnamese way (1.234,5) while keeping them numbers (sorting works)."""
    decimals = decimals or {}
    text = frame.select_dtypes(include=["object", "string"]).columns
    frame = frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "") for c in text})
    styler = frame.style.format(na_rep="")
    for column in frame.columns:
        if pd.api.types.is_bool_dtype(frame[column]):
            styler = styler.format({column: lambda v: "" if pd.isna(v) else ("Có" if v else "Không")},
                                   subset=[column])  # without subset, a dict resets the other columns' formats
        elif pd.api.types.is_numeric_dtype(frame[column]):
            # the one formatter of headlines, metrics and exports: 2,25 -> 2,3 everywhere (half up), 147 not 147,0
            styler = styler.format({column: lambda v, d=decimals.get(column, 0): number(v, d)}, na_rep="–",
                                   subset=[column])
    return styler.hide(axis="index")


SCHOOL_CODE, SCHOOL_NAME = label("keys", "school_code"), label("keys", "school_name")  # headers (metrics.toml)
PAGE_ROWS = 200  # what a person reads on one screen of a table; the downloads hold every row


def _page_of(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows to draw: all of a short table; of a long one (a province's or the country's schools), the rows that
    match a search, one page at a time. Drawing and styling 45,000 rows cost seconds and crashed the page."""
    if len(frame) <= PAGE_ROWS:
        return frame
    search, pager = st.columns([3, 1])
    words = search.text_input("Tìm trong bảng", key=f"find_{key}", placeholder="mã, tên trường, phường…",
                              help="Lọc các dòng có chứa từ này (không phân biệt hoa thường).").strip().casefold()
    if words:
        text = frame.select_dtypes(include=["object", "string"])
        hit = pd.Series(False, index=frame.index)
        for column in text.columns:
            hit |= text[column].astype(str).map(search_key).str.contains(search_key(words), regex=False, na=False)
        frame = frame[hit]
    pages = max(1, -(-len(frame) // PAGE_ROWS))
    chosen = pager.number_input(f"Trang (1–{pages})", min_value=1, max_value=pages, value=1, step=1,
                                key=f"page_{key}_{pages}")
    first = (int(chosen) - 1) * PAGE_ROWS
    st.caption(f"Dòng {number(first + 1 if len(frame) else 0)}–{number(min(first + PAGE_ROWS, len(frame)))} trên "
               f"{number(len(frame))} dòng; tải Excel hoặc CSV để có tất cả.")
    return frame.iloc[first:first + PAGE_ROWS]


def table(frame: pd.DataFrame, title: str, key: str, decimals: dict[str, int] | None = None,
          current: Filters | None = None, height: int | None = None, wide: tuple[str, ...] = (),
          export: pd.DataFrame | None = None, export_decimals: dict[str, int] | None = None) -> None:
    """A table with its Excel and CSV downloads (the file names the filters used); `wide` columns get room.
    `export`: what the files hold when the screen shows numbers as text (e.g. '+15'), with numbers as numbers
    (`export_decimals`: its columns' decimals; by default `decimals`)."""
    if frame.empty:
        empty(f"Không có dòng nào cho {md_text(title.lower())} với bộ lọc đang chọn.")
        return
    config = {column: st.column_config.TextColumn(column, width="large") for column in wide}
    shown = _page_of(frame, key)
    if {SCHOOL_CODE, SCHOOL_NAME} <= set(shown.columns):  # a school's name opens its profile (a new tab)
        shown = shown.assign(**{SCHOOL_NAME: [f"{profile_link(c)}#{n}" if isinstance(c, str) and c and
                                              isinstance(n, str) else n
                                              for c, n in zip(shown[SCHOOL_CODE], shown[SCHOOL_NAME])]})
        config[SCHOOL_NAME] = st.column_config.LinkColumn(SCHOOL_NAME, display_text=r"#(.*)$",
                                                          width="large" if SCHOOL_NAME in wide else None,
                                                          help="Nhấp vào tên để mở hồ sơ trường")
    st.dataframe(vn_styler(shown, decimals), hide_index=True, width="stretch", key=f"df_{key}",
                 height=height or "auto", column_config=config or None, placeholder="–")
    notes = [title] + ([f"Bộ lọc: {current.describe()}"] if current else [])
    left, right, _ = st.columns([1, 1, 4])
    stem = slug(title) or "bang"
    # the files are made when the button is clicked, not on every rerun of the page; each download is recorded
    actor, db, scope = _who(), database_path(), (current.describe() if current else "")
    data = frame if export is None else export
    places = decimals if export is None else export_decimals

    def recorded(kind: str, make):
        def made() -> bytes:
            from etl import audit

            audit.record(db, actor, "download", f"{title} ({kind}, {len(data)} dòng)", scope)
            return make()
        return made
    # on_click="ignore": a click only fetches the file. With Streamlit's default ("rerun") each click also reran the
    # page; the end of that run (or of the run the next click cut short) dropped the file generators the buttons
    # still on screen pointed at ("Deferred file … not found"), and the start of the next run emptied the queue to
    # the browser, answer to a file request included (the button then spun for 3 minutes): files went missing
    left.download_button("⬇️ Excel", recorded("Excel", lambda: to_excel_bytes({title: data}, notes, places)),
                         file_name=f"{stem}.xlsx", key=f"xlsx_{key}", on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button("⬇️ CSV", recorded("CSV", lambda: to_csv_bytes(data)), file_name=f"{stem}.csv",
                          mime="text/csv", key=f"csv_{key}", on_click="ignore")


def _who() -> str:
    from dashboard.auth import who

    return who()


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2rem 0.5rem !important; max-width: 100% !important; }
.slide-headline { font-size: 1.8rem; font-weight: 700; line-height: 1.25; color: #1f5fa8; margin: 0 0 0.3rem; }
.slide-footer { font-size: 0.9rem; color: #666; }
/* a slide fits the window: the chart takes the height the headline (two lines), caption and buttons leave */
.st-key-slide_chart { height: calc(100vh - 15rem) !important; min-height: 300px; flex: 0 0 auto !important; }
.st-key-slide_chart [data-testid="stElementContainer"], .st-key-slide_chart [data-testid="stFullScreenFrame"],
.st-key-slide_chart [data-testid="stPlotlyChart"] { height: 100% !important; }
.st-key-more_keys { display: none !important; }
</style>
"""


def presentation_mode() -> None:
    """Full screen for a projector: no sidebar, no toolbar, large type."""
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)


# ---- one school from a long list ----------------------------------------------------------------------------

def school_from_url(key: str, url_param: str) -> tuple[str | None, bool]:
    """The school code the URL names for the picker `key` and whether it came from outside (a pasted or shared link,
    the back button, a click on another page) rather than from the picker's own update of the URL."""
    url = (st.query_params.get(url_param) or "").strip() or None  # codes pasted from Excel carry spaces
    return url, url != st.session_state.get(f"_{key}_url")


def school_picker(label: str, options: dict[str, str], key: str, url_param: str | None = None,
                  help: str | None = None) -> str | None:
    """One school out of `options` (code → name): a search box that ignores accents and case ('le loi' finds
    'Lê Lợi', a code finds its school) above a list in Vietnamese order that takes no typing (Streamlit's own filter
    matches accents exactly and answers 'No results' in English). With `url_param` the choice lives in the URL:
    a link names the school when it changes from outside, otherwise the list does and the URL follows it."""
    if not options:
        return None
    seen, last, search = f"_{key}_url", f"_{key}_last", f"{key}_search"
    url, fresh = school_from_url(key, url_param) if url_param else (None, False)
    if fresh:
        st.session_state[seen] = url
        if url in options:
            st.session_state[key] = url
            st.session_state[search] = ""  # the linked school, not what was typed before
    ordered = sorted(options, key=lambda c: (vi_sort_key(options[c] or ""), c))
    find, pick = st.columns([2, 3])
    words = find.text_input(f"Tìm {label.lower()}", key=search, placeholder="tên hoặc mã, vd. le loi",
                            help="Gõ có dấu hay không dấu, chữ hoa hay chữ thường đều được; nhấn Enter để tìm.").strip()
    shown = ordered
    if words:
        found = [c for c in ordered if matches(f"{options[c]} {c}", words)]
        if found:
            shown = found
            find.caption(f"{number(len(found))} trường khớp «{md_text(words)}».")
        else:
            find.caption(f"Không có trường nào khớp «{md_text(words)}»; danh sách hiện mọi trường.")
    if st.session_state.get(key) not in shown:
        previous = st.session_state.get(last)
        st.session_state[key] = previous if previous in shown else shown[0]
    code = pick.selectbox(label, shown, key=key, format_func=lambda c: f"{options.get(c, c)} ({c})",
                          filter_mode=None, help=help)
    st.session_state[last] = code
    if url_param and url != code:
        st.query_params[url_param] = code
        st.session_state[seen] = code
    return code


# ---- drill-down: a click on a ward's bar filters to the ward, on a school's opens its profile ----------------

PROFILE_PAGE, PROFILE_PARAM = "pages/ho_so_truong.py", "school"
_OPEN_SCHOOL = "_open_school"


def plot_selectable(figure, key: str, on_pick, height: int | str = "content") -> None:
    """A chart whose bars and points answer a click: `on_pick(point)` runs as a callback, before the page (and the
    sidebar's filters) are drawn again. After a pick the chart is a new widget, so no selection lingers (a kept
    selection would dim the other bars and swallow a second click on the same bar)."""
    if (code := st.session_state.pop(_OPEN_SCHOOL, None)) is not None:
        st.switch_page(PROFILE_PAGE, query_params={PROFILE_PARAM: code})
    picks = f"_{key}_picks"
    widget = f"{key}_{st.session_state.get(picks, 0)}"

    def picked() -> None:
        points = ((st.session_state.get(widget) or {}).get("selection") or {}).get("points") or []
        if points:
            st.session_state[picks] = st.session_state.get(picks, 0) + 1
            on_pick(points[0])
    from dashboard.charts import describe

    st.plotly_chart(figure, key=widget, config=plot_config(key), height=height, on_select=picked,
                    selection_mode="points", alt=describe(figure))


def pick_ward(filter_key: str, names: dict[str, str] | None = None):
    """A plot_selectable callback: the clicked bar's label (its y; `names` maps a drawn label back to the ward)
    becomes the sidebar's filter `filter_key` ('phuong' for the new wards, 'xa' for the former units)."""
    def pick(point: dict) -> None:
        label = point.get("y")
        ward = (names or {}).get(label, label)
        if ward:
            st.session_state[filter_key] = [ward]
    return pick


def pick_school(code_of):
    """A plot_selectable callback that opens the profile of the clicked school; `code_of(point)` reads its code
    (None: not a school, nothing happens)."""
    def pick(point: dict) -> None:
        code = code_of(point)
        if code:
            st.session_state[_OPEN_SCHOOL] = str(code)
    return pick


def profile_link(code: str) -> str:
    """The address of a school's profile, for links in tables and text."""
    return f"/ho-so-truong?{PROFILE_PARAM}={code}"


# ---- phones ------------------------------------------------------------------------------------------------------
# Below 640 px Streamlit stacks its columns; the charts are then about 360 px wide, and a title of 17 px that fits a
# desktop column runs past the right edge. Plotly writes its fonts as inline styles: only !important overrides them.
# The titles stay anchored at the left (smaller, they simply end earlier); the layout around them is unchanged.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  .js-plotly-plot .gtitle { font-size: 12px !important; }
  .js-plotly-plot .gtitle-subtitle { font-size: 10.5px !important; }
  .js-plotly-plot .g-gtitle .gtitle tspan.line { font-size: 12px !important; }
}
</style>"""


def phone_css() -> None:
    """The narrow-screen rules above, once per page run (app.py)."""
    st.html(PHONE_CSS)
