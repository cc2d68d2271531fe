"""Vietnamese names for the codes stored in the warehouse."""
from etl.reference import LEVEL_NAMES, OWNERSHIP_NAMES, PERIOD_NAMES
from etl.report import STATUS_VI

LOAD_STATUS_NAMES = {**STATUS_VI, "registry": "danh mục trường"}

__all__ = ["LEVEL_NAMES", "OWNERSHIP_NAMES", "PERIOD_NAMES", "LOAD_STATUS_NAMES"]
