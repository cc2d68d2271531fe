"""SQL text built from catalogue values (field codes, indicator codes, levels, table names) goes through here:
an identifier must be a plain lower-case name, a literal is quoted. A catalogue row such as
`x'); DROP TABLE survey; --` is refused with a Vietnamese message instead of reaching DuckDB."""
from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def identifier(name: str, where: str = "danh mục") -> str:
    """`name` unchanged if it is a safe column/table name; ValueError otherwise."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{where}: tên \"{name}\" không hợp lệ làm tên cột (chỉ chữ thường không dấu, số và dấu _, "
                         "bắt đầu bằng chữ)")
    return name


def literal(value) -> str:
    """A SQL literal: numbers as they are, NULL for None, text in single quotes with quotes doubled."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values) -> str:
    """'a', 'b', 'c' for an IN (...) list."""
    return ", ".join(literal(v) for v in values)
