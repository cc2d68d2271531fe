"""Read the reference catalogues (data/reference/*.csv) that the generator honours."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"
LEVELS = ("MN", "TH", "THCS", "TH_THCS")
SCHOOL_LEVELS_4725 = ("TH", "THCS", "TH_THCS")


@dataclass(frozen=True)
class Field:
    code: str
    label_vi: str
    aliases: tuple[str, ...]
    type: str
    applies_to: tuple[str, ...]
    pillar: str
    required: bool
    rule: str = ""

    def applies(self, level: str) -> bool:
        return level in self.applies_to

    def labels(self) -> tuple[str, ...]:
        return (self.label_vi,) + self.aliases


@dataclass(frozen=True)
class Criterion:
    code: str
    group: int
    parent: str
    name_vi: str
    max_points: float
    mandatory: bool


@dataclass(frozen=True)
class Unit:
    former_unit: str
    former_type: str
    new_ward: str
    new_ward_code: str


def _rows(name: str) -> list[dict]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _applies(text: str) -> tuple[str, ...]:
    return LEVELS if text.strip() == "all" else tuple(text.split("|"))


@lru_cache(maxsize=1)
def fields() -> tuple[Field, ...]:
    return tuple(
        Field(
            code=row["code"],
            label_vi=row["label_vi"],
            aliases=tuple(a for a in row["aliases_vi"].split("|") if a),
            type=row["type"],
            applies_to=_applies(row["applies_to"]),
            pillar=row["pillar"],
            required=row["required"] == "yes",
            rule=row["rule"],
        )
        for row in _rows("survey_fields.csv")
    )


def field_map() -> dict[str, Field]:
    return {f.code: f for f in fields()}


def metric_fields() -> tuple[Field, ...]:
    """Fields that carry a measured value (everything but identity and period)."""
    return tuple(f for f in fields() if f.pillar not in ("id", "period"))


@lru_cache(maxsize=1)
def criteria() -> tuple[Criterion, ...]:
    return tuple(
        Criterion(
            code=row["code"],
            group=int(row["group"]),
            parent=row["parent"],
            name_vi=row["name_vi"],
            max_points=float(row["max_points"]),
            mandatory=row["mandatory"] == "yes",
        )
        for row in _rows("criteria_4725.csv")
    )


@lru_cache(maxsize=1)
def units() -> tuple[Unit, ...]:
    return tuple(
        Unit(row["former_unit"], row["former_type"], row["new_ward"], row["new_ward_code"])
        for row in _rows("units.csv")
    )
