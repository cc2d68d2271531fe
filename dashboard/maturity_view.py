"""What the 4725 page (Mức độ chuyển đổi số) shows, computed: the headline counts, the ranking table, the notes on
the rules, and which school or ward a click on a chart means. Pure; pages/muc_do_4725.py selects and draws."""
from __future__ import annotations

import re

import pandas as pd

from dashboard.charts.maturity import BASIS_NAMES
from dashboard.format import LEVEL_NAMES_4725, LEVEL_SHORT, md_text, number, percent, plotly_text
from etl.metrics import labels
from etl.reference import LEVEL_NAMES


def headline(schools: pd.DataFrame, year: str) -> list[tuple[str, str, str]]:
    """(label, value, help) of the five metrics: schools assessed, at each overall level, verified."""
    assessed = len(schools)
    cells = [("Trường đã đánh giá", number(assessed),
              f"Trường TH, THCS, liên cấp có kết quả QĐ 4725 năm học {year} trong phạm vi lọc.")]
    for mark in (3, 2, 1):
        count = int((schools.overall_level == mark).sum())
        cells.append((f"{LEVEL_SHORT[mark]} (mức chung)", f"{number(count)} ({percent(100 * count / assessed, 0)})",
                      f"Số trường có mức chung (quy ước) là {LEVEL_NAMES_4725[mark]}."))
    verified = int((schools.basis == "verified").sum())
    return cells + [("Đã thẩm định", f"{number(verified)}/{number(assessed)}",
                     "Trường đã được phòng thẩm định; các trường còn lại xếp mức theo điểm tự đánh giá.")]


def ranking(schools: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The ranking table (the order of `schools`) and its decimals."""
    names = {**labels("keys"), **labels("maturity_4725")}
    ranked = schools.assign(
        rank=range(1, len(schools) + 1), level=schools.level.map(LEVEL_NAMES),
        g1_level=schools.g1_level.map(LEVEL_SHORT), g2_level=schools.g2_level.map(LEVEL_SHORT),
        overall_level=schools.overall_level.map(LEVEL_SHORT), basis=schools.basis.map(BASIS_NAMES))
    columns = ["rank", "school_name", "level", "ward_new", "g1_score", "g1_level", "g2_score", "g2_level",
               "overall_level", "basis", "g1_gap", "g2_gap", "school_code"]
    return (ranked[columns].rename(columns={**names, "rank": "Hạng"}),
            {names[c]: 1 for c in ("g1_score", "g2_score", "g1_gap", "g2_gap")})


def rules_notes(rules, mandatory: list[str]) -> list[str]:
    """How the levels are set, for the notes at the end of the page (markdown)."""
    low, high = number(rules.level2_min_score), number(rules.level3_above_score)
    return [
        f"Mức của mỗi nhóm theo tổng điểm: dưới {low} điểm là Mức 1 (chưa đáp ứng), từ {low} đến {high} điểm là "
        f"Mức 2 (đáp ứng cơ bản), trên {high} điểm là Mức 3 (đáp ứng tốt).",
        ("Điều kiện bắt buộc (quy ước của phòng đang áp dụng): theo quy ước của phòng, nhóm chưa đạt đủ điều kiện bắt "
         f"buộc ({md_text(', '.join(mandatory))}) thì xếp Mức 1 dù điểm cao.") if rules.mandatory_rule else
        ("Điều kiện bắt buộc (quy ước của phòng đang không áp dụng): mức của nhóm chỉ theo điểm; điều kiện chưa đạt "
         "chỉ được liệt kê."),
        "Mức chung là mức thấp hơn của hai nhóm: đây là quy ước tổng hợp của phòng; QĐ 4725 đánh giá riêng từng nhóm.",
        "Khi phòng đã thẩm định, điểm thẩm định là điểm chính thức (tiêu chí bỏ trống tính 0); nếu chưa, dùng điểm "
        "tự đánh giá.",
        f"Bộ tiêu chí đang dùng: phiên bản {md_text(rules.catalogue_version)} (mã nội dung của tệp criteria_4725.csv).",
    ]


def unmet_text(unmet: pd.DataFrame, mandatory_rule: bool) -> str:
    return ("Điều kiện bắt buộc chưa đạt: " + "; ".join(f"{md_text(c)} {md_text(n)}"
                                                       for c, n in zip(unmet.criterion, unmet.name_vi))
            + (" – theo quy ước của phòng, nhóm có điều kiện chưa đạt được xếp Mức 1." if mandatory_rule else "."))


_CODE_IN_LABEL = re.compile(r"\(([^()]+)\)\s*$")


def school_of_point(schools: pd.DataFrame):
    """Which school a clicked point of the 4725 school charts means, as a function of the point: the heat map's
    row label ends in '(code)'; the scatter and the gap bars carry the school's name first in their hover data
    (a name two schools share opens neither)."""
    codes = set(schools.school_code)
    by_name = schools.assign(label=schools.school_name.map(plotly_text)).drop_duplicates("label", keep=False)
    code_of_name = dict(zip(by_name.label, by_name.school_code))

    def code_of(point: dict) -> str | None:
        found = _CODE_IN_LABEL.search(str(point.get("y") or ""))
        if found and found.group(1) in codes:
            return found.group(1)
        custom = point.get("customdata")
        name = custom[0] if isinstance(custom, (list, tuple)) and custom else None
        return code_of_name.get(name)
    return code_of
