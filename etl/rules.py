"""The validation rules written in survey_fields.csv (column `rule`), parsed into checks.

Every clause must be understood: an office that edits the file gets an error for a clause this
module cannot read, instead of a rule that silently stops applying.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from etl.textnorm import fmt_number

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "=": operator.eq}
OP_TEXT = {">=": "nhỏ hơn", ">": "không lớn hơn", "<=": "lớn hơn", "<": "không nhỏ hơn", "=": "khác"}

# Clauses that describe identity, enums or formats: enforced by the parsers and the loader.
DESCRIPTIVE = [
    r"non-empty",
    r"unique within one period",
    r"normalised to .*",
    r"one of the registry's .*",
    r"empty means none",
    r"[A-Za-z0-9_]+(\|[A-Za-z0-9_]+)+",
]


@dataclass(frozen=True)
class Check:
    """`field op other` must hold when `when` holds; otherwise an error or a warning."""
    field: str
    op: str
    other: str | float  # a field code or a number
    severity: str = "error"
    when: tuple[str, str, float] | None = None  # (field, op, number)
    ratio_of: str | None = None  # check field/ratio_of instead of field
    when_level: str | None = None

    def operands(self, values: dict) -> tuple[float, float] | None:
        left = values.get(self.field)
        if self.ratio_of is not None:
            den = values.get(self.ratio_of)
            left = None if left is None or not den else left / den
        right = values.get(self.other) if isinstance(self.other, str) else self.other
        if left is None or right is None:
            return None
        return left, right

    def applies(self, values: dict) -> bool:
        if self.when_level is not None and values.get("level") != self.when_level:
            return False
        if self.when is None:
            return True
        field, op, number = self.when
        value = values.get(field)
        return value is not None and OPS[op](value, number)


def _term(text: str, code: str) -> str | float:
    text = text.strip()
    if text == "value":
        return code
    try:
        return float(text)
    except ValueError:
        return text


def parse_clause(code: str, clause: str, known: set[str]) -> list[Check]:
    if not clause or any(re.fullmatch(p, clause) for p in DESCRIPTIVE):
        return []
    if m := re.fullmatch(r"(>=|>|<=|<)\s*(-?[0-9.]+)", clause):
        return [Check(code, m[1], float(m[2]))]
    if m := re.fullmatch(r"(-?[0-9.]+)\.\.(-?[0-9.]+)", clause):
        return [Check(code, ">=", float(m[1])), Check(code, "<=", float(m[2]))]
    if m := re.fullmatch(r"(\S+)\s*(<=|<)\s*(\S+)\s*(<=|<)\s*(\S+)", clause):
        lo, middle, hi = _term(m[1], code), _term(m[3], code), _term(m[5], code)
        flip = {"<=": ">=", "<": ">"}
        return [Check(middle, flip[m[2]], lo), Check(middle, m[4], hi)]
    if m := re.fullmatch(r"warn when (\w+)/(\w+) is outside (-?[0-9.]+)\.\.(-?[0-9.]+)", clause):
        return [Check(m[1], ">=", float(m[3]), "warning", ratio_of=m[2]),
                Check(m[1], "<=", float(m[4]), "warning", ratio_of=m[2])]
    if m := re.fullmatch(r"(>=|>|<=|<|=)?\s*(-?[0-9.]+) when (\w+) (>=|>|<=|<|=) (-?[0-9.]+)( \(warn otherwise\))?",
                         clause):
        return [Check(code, m[1] or "=", float(m[2]), "warning" if m[6] else "error",
                      when=(m[3], m[4], float(m[5])))]
    if m := re.fullmatch(r"empty or 0 for (\w+)", clause):
        return [Check(code, "=", 0.0, "warning", when_level=m[1])]
    raise ValueError(f"survey_fields.csv, trường {code}: không hiểu quy tắc \"{clause}\"")


def parse_rule(code: str, rule: str, known: set[str]) -> list[Check]:
    rule = re.sub(r"\(accepts [^)]*\)", "", rule)
    checks = [c for clause in rule.split(";") for c in parse_clause(code, clause.strip(), known)]
    for check in checks:
        for name in (check.field, check.other, check.ratio_of, check.when and check.when[0]):
            if isinstance(name, str) and name and name not in known:
                raise ValueError(f"survey_fields.csv, trường {code}: quy tắc nhắc tới trường không có \"{name}\"")
    return checks


def violation(check: Check, values: dict, labels: dict[str, str]) -> str | None:
    """The Vietnamese message when `values` break `check`, else None."""
    if not check.applies(values):
        return None
    operands = check.operands(values)
    if operands is None or OPS[check.op](*operands):
        return None
    left, right = operands
    name = labels[check.field]
    if check.ratio_of is not None:
        subject = f"Bình quân {name} / {labels[check.ratio_of]} = {fmt_number(left, 1)}"
    else:
        subject = f"{name} = {fmt_number(left, 2 if left % 1 else 0)}"
    if isinstance(check.other, str):
        limit = f"{labels[check.other]} ({fmt_number(right)})"
    else:
        limit = fmt_number(right)
    if check.op in (">=", ">") and check.other == 0 and left < 0:
        return f"{subject}: số âm không hợp lệ"
    condition = ""
    if check.when:
        field, op, number = check.when
        condition = f" khi {labels[field]} {op} {fmt_number(number)}"
    if check.when_level:
        condition = f" với cấp {check.when_level}"
    if check.op == "=":
        return f"{subject}: phải bằng {limit}{condition}"
    return f"{subject}: {OP_TEXT[check.op]} {limit}{condition}"
