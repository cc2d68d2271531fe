"""The catalogues under data/reference, loaded as data (never restated in code)."""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from etl.rules import Check, parse_rule
from etl.settings import REFERENCE_DIR
from etl.textnorm import fold, norm_label, without_parens


def per_catalogue(factory):
    """Build once per catalogue: `factory(catalogue)` (a classifier with its own cache, an index) is kept on the
    catalogue, so every sheet of a load shares one cache instead of starting cold."""
    name = f"_memo_{factory.__module__}.{factory.__qualname__}"

    def cached(catalogue):
        memo = catalogue.__dict__.get(name)
        if memo is None:
            memo = catalogue.__dict__[name] = factory(catalogue)
        return memo
    cached.__doc__, cached.__name__ = factory.__doc__, factory.__name__
    return cached


LEVELS = ("MN", "TH", "THCS", "TH_THCS")
LEVEL_NAMES = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "TH_THCS": "TH&THCS"}
OWNERSHIP_NAMES = {"cong_lap": "Công lập", "tu_thuc": "Tư thục"}
PERIOD_NAMES = {"HK1": "Học kỳ I", "CN": "Cả năm"}
# Fields that identify a row rather than describe the school.
ID_FIELDS = ("school_code", "school_name", "level", "ownership", "ward_old", "school_year", "period")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def file_version(path: Path) -> str:
    """A short content hash, so the warehouse can say which catalogue it used."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class SurveyField:
    code: str
    label_vi: str
    aliases: tuple[str, ...]
    type: str
    unit: str
    required: bool
    applies_to: tuple[str, ...]
    rule: str
    pillar: str
    checks: tuple[Check, ...] = ()

    def applies(self, level: str | None) -> bool:
        return level is None or "all" in self.applies_to or level in self.applies_to


@dataclass
class Catalogue:
    fields: dict[str, SurveyField]
    criteria: list[dict]
    indicators: list[dict]
    units: list[dict]
    versions: dict[str, str]
    layout_labels: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    header_groups: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # group key -> label -> field
    label_index: dict[str, str] = field(default_factory=dict)
    folded_index: dict[str, set[str]] = field(default_factory=dict)

    def __getstate__(self) -> dict:
        """Sent to the reader processes without the per-process caches (classifiers are closures)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    @property
    def labels(self) -> dict[str, str]:
        return {code: f.label_vi for code, f in self.fields.items()}

    def criterion(self, code: str) -> dict | None:
        index = self.__dict__.get("_criteria_by_code")
        if index is None:
            index = self.__dict__["_criteria_by_code"] = {c["code"]: c for c in self.criteria}
        return index.get(code)

    def parents(self) -> frozenset[str]:
        """The codes that group criteria (1.3 over 1.3.1 …): headings without a score of their own."""
        found = self.__dict__.get("_parents")
        if found is None:
            found = self.__dict__["_parents"] = frozenset(c["parent"] for c in self.criteria)
        return found

    def words(self, layout: str, key: str) -> tuple[str, ...]:
        """Normalised labels of one layout key (data/reference/layout_labels.csv), normalised once."""
        cache = self.__dict__.setdefault("_words", {})
        if (layout, key) not in cache:
            cache[(layout, key)] = tuple(norm_label(w) for w in self.layout_labels[(layout, key)])
        return cache[(layout, key)]

    def unit_words(self, code: str) -> tuple[str, ...]:
        """The unit words a value of field `code` may be typed with ("25 máy", "1.200 HS"), normalised: the field's
        own, else those of its unit, else its unit itself (layout_labels.csv, layout unit_words)."""
        cache = self.__dict__.setdefault("_unit_words", {})
        if code not in cache:
            unit = self.fields[code].unit if code in self.fields else ""
            for key in (code, unit):
                if ("unit_words", key) in self.layout_labels:
                    cache[code] = self.words("unit_words", key)
                    break
            else:
                cache[code] = (norm_label(unit),) if unit and unit != "%" else ()
        return cache[code]

    def layout_keys(self, layout: str) -> dict[str, str]:
        """Normalised label -> key for one layout; the first key listed wins a shared label."""
        index: dict[str, str] = {}
        for (name, key), labels in self.layout_labels.items():
            if name == layout:
                for label in labels:
                    index.setdefault(norm_label(label), key)
        return index


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def load_fields(path: Path) -> dict[str, SurveyField]:
    rows = read_csv(path)
    known = {row["code"] for row in rows}
    fields = {}
    for row in rows:
        fields[row["code"]] = SurveyField(
            code=row["code"], label_vi=row["label_vi"], aliases=_split(row["aliases_vi"]), type=row["type"],
            unit=row["unit"], required=row["required"] == "yes", applies_to=_split(row["applies_to"]),
            rule=row["rule"], pillar=row["pillar"], checks=tuple(parse_rule(row["code"], row["rule"], known)),
        )
    return fields


def fields_from_rows(rows: list[dict]) -> dict[str, SurveyField]:
    """The survey fields as a warehouse (or snapshot) keeps them in ref_survey_fields: what a page shows follows
    the catalogue of the data it shows, not the one on disk today."""
    known = {row["code"] for row in rows}
    return {row["code"]: SurveyField(
        code=row["code"], label_vi=row["label_vi"], aliases=(), type=row["type"], unit=row["unit"] or "",
        required=bool(row["required"]), applies_to=_split(row["applies_to"] or ""), rule=row["rule"] or "",
        pillar=row["pillar"], checks=tuple(parse_rule(row["code"], row["rule"] or "", known))) for row in rows}


def _label_indexes(fields: dict[str, SurveyField]) -> tuple[dict[str, str], dict[str, set[str]]]:
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    for code, f in fields.items():
        for label in (f.label_vi, *f.aliases):
            for key in {norm_label(label), without_parens(norm_label(label))}:
                if exact.get(key, code) != code:
                    raise ValueError(f"survey_fields.csv: nhãn \"{label}\" dùng cho cả {exact[key]} và {code}")
                exact[key] = code
                folded.setdefault(fold(key), set()).add(code)
    return exact, folded


@lru_cache(maxsize=4)
def load_catalogue(directory: Path = REFERENCE_DIR) -> Catalogue:
    paths = {name: directory / f"{name}.csv" for name in
             ("survey_fields", "criteria_4725", "plan_2025_indicators", "units", "layout_labels", "header_groups")}
    fields = load_fields(paths["survey_fields"])
    criteria = read_csv(paths["criteria_4725"])
    for row in criteria:
        row["max_points"] = float(row["max_points"])
        row["mandatory"] = row["mandatory"] == "yes"
    catalogue = Catalogue(
        fields=fields, criteria=criteria, indicators=read_csv(paths["plan_2025_indicators"]),
        units=read_csv(paths["units"]), versions={name: file_version(p) for name, p in paths.items()},
        layout_labels={(r["layout"], r["key"]): _split(r["labels_vi"]) for r in read_csv(paths["layout_labels"])},
    )
    catalogue.label_index, catalogue.folded_index = _label_indexes(fields)
    groups: dict[str, dict[str, str]] = {}
    for row in read_csv(paths["header_groups"]):
        if row["field"] not in fields:
            raise ValueError(f"header_groups.csv: không có trường \"{row['field']}\"")
        for label in _split(row["label_vi"]):
            groups.setdefault(norm_label(row["group_vi"]), {})[norm_label(label)] = row["field"]
    catalogue.header_groups = list(groups.items())
    return catalogue


def match_grouped_label(catalogue: Catalogue, label: str, group: str) -> str | None:
    """A short label under a group cell ("Số học sinh" under "Tin học"), from header_groups.csv."""
    group_key, label_key = norm_label(group), norm_label(label)
    for name, labels in catalogue.header_groups:
        if name in group_key and label_key in labels:
            return labels[label_key]
    return None


def match_label(catalogue: Catalogue, text: str) -> tuple[str | None, str]:
    """Field code for a header or form label, and how it matched ('exact', 'folded' or '')."""
    memo = catalogue.__dict__.setdefault("_match_label", {})
    if text not in memo:
        if len(memo) > 1 << 16:
            memo.clear()
        memo[text] = _match_label(catalogue, text)
    return memo[text]


def _match_label(catalogue: Catalogue, text: str) -> tuple[str | None, str]:
    key = norm_label(text)
    if not key:
        return None, ""
    for candidate in (key, without_parens(key)):
        if candidate in catalogue.label_index:
            return catalogue.label_index[candidate], "exact"
    for candidate in (key, without_parens(key)):
        codes = catalogue.folded_index.get(fold(candidate), set())
        if len(codes) == 1:  # diacritic-insensitive only when it cannot confuse two labels
            return next(iter(codes)), "folded"
    return None, ""
