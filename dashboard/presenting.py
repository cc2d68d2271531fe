"""The presentation page's state: which slides are shown and which one is on screen, kept in the URL (so F5 or a
copied link stays on the slide), the purchase-plan slide's options, the handout's purchase list, the default
title. Streamlit's query parameters are the only state; the page (pages/trinh_chieu.py) draws."""
from __future__ import annotations

import streamlit as st

from dashboard.labels import PERIOD_NAMES
from dashboard.planner_view import RULE_NAMES, purchase_sheets
from dashboard.queries import computers as computer_queries
from dashboard.slides import DEFAULT_SLIDES, PLAN_BUDGET, SLIDES
from dashboard.ui import query_pair, source
from etl.metrics.planner import Budget, plan

PRESENTING = "chieu"  # URL: ?chieu=<slide number>&trang=<keys>, so F5 or a copied link stays on the slide
SHOWN = "trang"
BUDGET, RULE = "ngan_sach", "quy_tac"  # the purchase-plan slide's options, in the URL too
BEFORE = "so_voi"  # the comparison slide's earlier snapshot (its label)


def purchase_list(keys: list[str], f, options: dict) -> dict:
    """The purchase list per ward (the planner page's Excel sheets) for the handout workbook, when the purchase-plan
    slide is chosen."""
    if "mua_sam_may_tinh" not in keys:
        return {}
    frame = query_pair(computer_queries.per_school(f, f.school_year, f.period))
    return purchase_sheets(plan(frame, Budget(computers=options["computers"]), options["rule"]))


def default_title(f) -> str:
    snap = source()[1]
    if snap is not None:
        return snap.name
    return f"{PERIOD_NAMES.get(f.period, f.period)}, năm học {f.school_year} – chuyển đổi số"


def start(keys: list[str], options: dict) -> None:
    st.query_params[SHOWN] = ",".join(keys)
    if "mua_sam_may_tinh" in keys:
        st.query_params[BUDGET], st.query_params[RULE] = str(options["computers"]), options["rule"]
    if "so_sanh_ky_hop" in keys and options.get("before_key"):
        st.query_params[BEFORE] = options["before_key"]
    st.query_params[PRESENTING] = "1"


def go_to(number: int, count: int) -> None:
    st.query_params[PRESENTING] = str(min(max(number, 1), count))


def leave() -> None:
    for name in (PRESENTING, SHOWN, BUDGET, RULE, BEFORE):
        st.query_params.pop(name, None)


def url_options() -> dict:
    """The purchase-plan slide's budget and rule kept in the URL while presenting."""
    try:
        computers = max(int(st.query_params.get(BUDGET, PLAN_BUDGET)), 0)
    except ValueError:
        computers = PLAN_BUDGET
    rule = st.query_params.get(RULE, "most_schools")
    options = {"computers": computers, "rule": rule if rule in RULE_NAMES else "most_schools"}
    return options | comparison(st.query_params.get(BEFORE))


def comparison(before_key: str | None) -> dict:
    """The comparison slide's options for the earlier source `before_key` (a snapshot's label, as the comparison
    page and the URL name it): its reader and the names of both sides; {} for none or an unknown one."""
    from dashboard import diff_view

    found = {s.key: s for s in diff_view.sources()}
    if before_key not in found:
        return {}
    snap = source()[1]
    return {"before_key": before_key, "before_fetch": diff_view.reader(found[before_key].path),
            "before_name": found[before_key].name,
            "after_name": f"ảnh chụp «{snap.name}»" if snap else "số liệu hiện hành"}


def earlier_sources() -> list:
    """The snapshots taken before the source shown, newest first: what the comparison slide can compare it with."""
    from dashboard import diff_view

    return diff_view.earlier(diff_view.sources(), source()[0])


def shown_slides() -> tuple[list[str], int] | None:
    """The slides being presented and the 1-based number of the one on screen, from the URL; None when not
    presenting."""
    if PRESENTING not in st.query_params:
        return None
    keys = [k for k in st.query_params.get(SHOWN, "").split(",") if k in SLIDES] or list(DEFAULT_SLIDES)
    try:
        number = int(st.query_params[PRESENTING])
    except ValueError:
        number = 1
    return keys, number
