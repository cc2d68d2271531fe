"""Texts shared by the two 4725 layouts."""
from __future__ import annotations

from ..assessment import group_level, group_total

GROUP_NAMES = {1: "Nhóm 1: Chuyển đổi số trong dạy, học",
               2: "Nhóm 2: Chuyển đổi số trong quản trị cơ sở giáo dục"}
PARENT_NAMES = {  # parents are not in criteria_4725.csv: headings only, never scored
    "1.3": "Triển khai dạy học trực tuyến", "1.5": "Kiểm tra, đánh giá ứng dụng CNTT",
    "1.6": "Năng lực số của đội ngũ giáo viên", "1.7": "Hạ tầng, thiết bị CNTT phục vụ dạy học",
    "2.3": "Triển khai hệ thống quản trị nhà trường", "2.4": "Dịch vụ trực tuyến, kết nối gia đình",
}
LEVEL_TEXT = {1: "Mức 1", 2: "Mức 2", 3: "Mức 3"}
LEVEL_NAME = {1: "Chưa đáp ứng", 2: "Đáp ứng cơ bản", 3: "Đáp ứng tốt"}


def met_text(value: bool) -> str:
    return "Đạt" if value else "Chưa đạt"


def derived(scores: dict) -> dict:
    """Totals and levels as the office writes them (DOMAIN §6 rules)."""
    g1, g2 = group_level(scores, 1), group_level(scores, 2)
    return {"total1": group_total(scores, 1), "total2": group_total(scores, 2),
            "level1": g1, "level2": g2, "overall": min(g1, g2)}
