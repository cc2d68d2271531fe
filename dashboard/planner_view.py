"""Kế hoạch mua sắm máy tính: what the page, the purchase list and the slide show of a plan (etl.metrics.planner):
the rules in words, the tables with Vietnamese headers, the chart, the Excel purchase list (one sheet per ward) and
a Slide for the handouts. The allocation itself is the planner's; nothing here computes a metric."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import base_layout, integer_axis, pattern
from dashboard.charts.computers import short_name
from dashboard.export import to_excel_bytes
from dashboard.filters import Filters
from dashboard.format import COMPUTER_STATUS_COLORS, number, plotly_text
from dashboard.queries import computers as computer_queries
from dashboard.slides import Fetch, Slide
from etl.metrics.planner import Budget, Plan, before_after, plan
from etl.reference import LEVEL_NAMES

RULE_NAMES = {
    "most_schools": "Nhiều trường đạt chuẩn nhất",
    "most_pupils": "Nhiều học sinh được hưởng lợi nhất",
    "worst_ratio": "Trường có tỷ lệ HS/máy kém nhất trước",
    "no_room_first": "Trường chưa có phòng máy trước",
}
RULE_SENTENCES = {
    "most_schools": "Chọn nhóm trường sao cho số trường được đưa lên đạt chuẩn HS/máy là nhiều nhất mà ngân sách "
                    "cho phép (kết quả tối ưu, tính bằng quy hoạch động trên mọi cách chọn); nếu nhiều cách bằng nhau "
                    "thì chọn cách có nhiều học sinh học Tin học hơn, rồi cách rẻ hơn.",
    "most_pupils": "Chọn nhóm trường sao cho tổng số học sinh học Tin học ở các trường được đưa lên đạt chuẩn là "
                   "lớn nhất mà ngân sách cho phép (kết quả tối ưu, tính bằng quy hoạch động trên mọi cách chọn).",
    "worst_ratio": "Trường có nhiều học sinh dùng chung một máy nhất được mua đủ máy trước (trường chưa có phòng máy "
                   "hoặc phòng không có máy đứng đầu); trường nào ngân sách còn lại không đủ để đạt chuẩn thì xét "
                   "trường kế tiếp.",
    "no_room_first": "Trường có học sinh học Tin học mà chưa có phòng máy được trang bị một phòng đủ máy trước (trường "
                     "đông học sinh trước), sau đó đến trường có tỷ lệ HS/máy kém nhất; trường nào ngân sách còn lại "
                     "không đủ để đạt chuẩn thì xét trường kế tiếp.",
}
LEFTOVER_NAMES = {"next": "Mua thêm cho trường kế tiếp", "keep": "Để lại, không chi"}
LEFTOVER_SENTENCES = {
    "next": "Phần ngân sách còn lại sau khi đưa các trường lên chuẩn được dùng mua thêm máy cho các trường chưa đạt "
            "chuẩn đã có phòng máy, theo đúng thứ tự ưu tiên của quy tắc: các trường này gần chuẩn hơn nhưng chưa "
            "đạt; trường chưa có phòng máy chỉ được trang bị khi đủ cả phòng.",
    "keep": "Phần ngân sách còn lại không chi: chỉ mua cho những trường được đưa lên đạt chuẩn trọn vẹn.",
}
OUTCOME = {"reaches": "Đạt chuẩn sau khi mua", "topped_up": "Bổ sung một phần, chưa đạt chuẩn"}
COLORS = {"reaches": COMPUTER_STATUS_COLORS["met"], "topped_up": "#8cc4ec", "short": COMPUTER_STATUS_COLORS["not_met"]}

# Vietnamese headers of the tables and the purchase list, and their decimals
HEADERS = {
    "order": "Thứ tự ưu tiên", "school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học",
    "ward_new": "Phường mới", "it_students": "Số HS học Tin học", "it_rooms": "Số phòng máy hiện có",
    "it_computers": "Số máy hiện có", "pupils_per_computer": "HS/máy trong giờ học (trước)",
    "target": "Mức tối đa cho phép", "computers_needed": "Số máy cần để đạt chuẩn", "allocated": "Số máy mua",
    "rooms": "Số phòng máy mới", "cost": "Thành tiền (đồng)", "outcome": "Kết quả",
    "pupils_per_computer_after": "HS/máy trong giờ học (sau)", "computers_needed_after": "Số máy còn thiếu",
    "reason": "Vì sao chưa đạt",
}
DECIMALS = {HEADERS["pupils_per_computer"]: 2, HEADERS["pupils_per_computer_after"]: 2}
SUMMARY_HEADERS = {
    "schools": "Số trường", "schools_met": "Trường đạt chuẩn (trước)", "schools_met_after": "Trường đạt chuẩn (sau)",
    "computers": "Số máy (trước)", "computers_after": "Số máy (sau)", "computers_needed": "Số máy cần bổ sung (trước)",
    "computers_needed_after": "Số máy còn thiếu (sau)", "allocated": "Số máy mua", "rooms": "Số phòng máy mới",
    "cost": "Thành tiền (đồng)",
}


def metric_amount(budget: Budget, amount: int) -> str:
    """A short figure for a metric: computers as '60 máy', money in millions ('795' under 'triệu đồng')."""
    if not budget.in_money:
        return f"{number(amount)} máy"
    return number(amount / 1_000_000, 0 if amount % 1_000_000 == 0 else 1)


def budget_text(budget: Budget) -> str:
    if not budget.in_money:
        return f"{number(budget.computers)} máy"
    rooms = f", {number(budget.room_cost)} đồng/phòng máy mới" if budget.room_cost else ""
    return f"{number(budget.money)} đồng ({number(budget.unit_price)} đồng/máy{rooms})"


def spent_text(budget: Budget, amount: int) -> str:
    return f"{number(amount)} {'đồng' if budget.in_money else 'máy'}"


def allocation(result: Plan) -> pd.DataFrame:
    """The schools that get computers (or a room), in the rule's order, with Vietnamese headers."""
    s = result.schools
    s = s[(s["allocated"] > 0) | (s["rooms"] > 0)].sort_values(["order", "school_code"])
    s = s.assign(level=s["level"].map(LEVEL_NAMES),
                 outcome=[OUTCOME["reaches"] if r else OUTCOME["topped_up"] for r in s["reaches"]])
    columns = ["order", "school_code", "school_name", "level", "ward_new", "it_students", "pupils_per_computer",
               "target", "computers_needed", "allocated", "rooms"] + (["cost"] if result.budget.in_money else []) + \
        ["outcome", "pupils_per_computer_after", "computers_needed_after"]
    out = s[columns].rename(columns=HEADERS)
    return out.astype({HEADERS["order"]: "int64", HEADERS["computers_needed_after"]: "int64"})


def still_short(result: Plan) -> pd.DataFrame:
    """The schools that still miss the ratio (or cannot be judged) after the purchase, and why."""
    s = result.schools
    short = s[~s["target_met_after"].fillna(False).astype(bool)]
    missing = short["missing_data"].fillna(False).astype(bool)
    reason = pd.Series("Ngân sách không đủ", index=short.index)
    reason[short["topped_up"]] = "Được bổ sung một phần, chưa đủ"
    reason[short["no_room"].fillna(False).astype(bool) & (short["rooms"] == 0)] = "Chưa có phòng máy, cần cả phòng"
    reason[missing] = "Thiếu số liệu: chưa lập kế hoạch được"
    short = short.assign(level=short["level"].map(LEVEL_NAMES), reason=reason)
    short = short.sort_values(["order", "school_code"], na_position="last")
    columns = ["order", "school_code", "school_name", "level", "ward_new", "it_students", "pupils_per_computer_after",
               "target", "computers_needed_after", "reason"]
    return short[columns].rename(columns=HEADERS)


def summary(result: Plan, by: str) -> pd.DataFrame:
    """Before/after per new ward (`ward_new`) or level (`level`)."""
    table = before_after(result, by)
    if by == "level":
        table["level"] = table["level"].map(LEVEL_NAMES)
    if not result.budget.in_money:
        table = table.drop(columns="cost")
    return table.rename(columns={"level": "Cấp học", "ward_new": "Phường mới", **SUMMARY_HEADERS})


def purchase_sheets(result: Plan) -> dict[str, pd.DataFrame]:
    """The purchase list: a summary by ward, then one sheet per ward with its schools."""
    sheets = {"Tổng hợp theo phường": summary(result, "ward_new")}
    listed = allocation(result)
    for ward in sorted(listed[HEADERS["ward_new"]].dropna().unique()):
        sheets[str(ward)] = listed[listed[HEADERS["ward_new"]] == ward]
    return sheets


def purchase_notes(result: Plan, filters: Filters | None) -> list[str]:
    notes = [f"Danh sách mua sắm máy tính dạy Tin học – {filters.period_label if filters else ''}".rstrip(" –"),
             f"Ngân sách: {budget_text(result.budget)}; đã dùng {spent_text(result.budget, result.spent)}, "
             f"còn lại {spent_text(result.budget, result.left)}",
             f"Quy tắc ưu tiên: {RULE_NAMES[result.rule]}. {RULE_SENTENCES[result.rule]}",
             f"Phần còn lại: {LEFTOVER_SENTENCES[result.leftover]}"]
    if filters is not None:
        notes.append(f"Bộ lọc: {filters.describe()}")
    return notes


def purchase_excel(result: Plan, filters: Filters | None) -> bytes:
    return to_excel_bytes(purchase_sheets(result), purchase_notes(result, filters), DECIMALS)


def chart(result: Plan, period_label: str) -> go.Figure:
    """Per school that needs computers, in the rule's order: the computers bought (reaching the standard or not)
    and those still lacking after the purchase."""
    s = result.schools
    s = s[s["order"].notna()].sort_values("order")
    title = f"Máy tính mua theo kế hoạch và số máy còn thiếu, theo trường – {period_label}"
    figure = go.Figure()
    labels = list(s["school_code"])  # two schools may share a short name: the axis is by code, named below
    names = s["school_name"].map(plotly_text)
    bought = {"reaches": s["allocated"].where(s["reaches"], 0), "topped_up": s["allocated"].where(s["topped_up"], 0)}
    for key, values in bought.items():
        figure.add_trace(go.Bar(y=labels, x=values, orientation="h", name=OUTCOME[key], marker_color=COLORS[key],
                                customdata=names, hovertemplate="<b>%{customdata}</b><br>Mua %{x:,.0f} máy"
                                "<extra></extra>"))
    figure.add_trace(go.Bar(y=labels, x=s["computers_needed_after"].fillna(0), orientation="h",
                            name="Còn thiếu sau khi mua", marker_color=COLORS["short"],
                            marker_pattern=pattern("/"), customdata=names,
                            hovertemplate="<b>%{customdata}</b><br>Còn thiếu %{x:,.0f} máy<extra></extra>"))
    base_layout(figure, title, "Số máy tính", None, height=max(360, 130 + 24 * len(s)))
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed", type="category", tickfont={"size": 11}, tickvals=labels,
                        ticktext=[plotly_text(short_name(n)) for n in s["school_name"]])
    top = float(s["computers_needed"].max()) if len(s) else 0
    return integer_axis(figure, "x", top)


def headline(result: Plan, filters: Filters | None = None) -> str:
    s = result.schools
    met_before = int(s["target_met"].fillna(False).astype(bool).sum())
    met_after = int(s["target_met_after"].fillna(False).astype(bool).sum())
    judged = int(s["target_met"].notna().sum())
    bought, rooms = int(s["allocated"].sum()), int(s["rooms"].sum())
    remaining = int(s["computers_needed_after"].fillna(0).sum())
    when = f" {filters.period_label}" if filters else ""
    rooms_text = f" và {number(rooms)} phòng máy" if rooms else ""
    return (f"Với ngân sách {budget_text(result.budget)}, mua {number(bought)} máy{rooms_text} đưa thêm "
            f"{number(met_after - met_before)} trường lên chuẩn HS/máy trong giờ Tin học (từ {met_before}/{judged} "
            f"lên {met_after}/{judged} trường{when}); còn thiếu {number(remaining)} máy.")


def planner_slide(fetch: Fetch, f: Filters, budget: Budget, rule: str, leftover: str = "next") -> Slide:
    """The plan as a slide of the handouts: the per-school chart, the headline, the allocation behind it and the
    before/after by ward as its printed summary."""
    result = plan(fetch(computer_queries.per_school(f, f.school_year, f.period)), budget, rule, leftover)
    figure = chart(result, f.period_label)
    return Slide("mua_sam_may_tinh", figure.layout.title.text, headline(result, f), figure, allocation(result),
                 summary(result, "ward_new"))
