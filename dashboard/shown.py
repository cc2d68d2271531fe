"""The rules of the data on screen: the metric settings and the survey catalogue stored in the warehouse or
snapshot being shown (etl.metrics.publish and etl.warehouse write them with every load). A frozen snapshot keeps
the statuses, thresholds and bounds it was taken with even after data/settings.toml or the catalogue on disk
changes; pages, slides and exports read them here, never from disk."""
from __future__ import annotations

from etl.reference import SurveyField, fields_from_rows
from etl.settings import SETTINGS

METRIC_DEFAULTS = {s.name: s.default for s in SETTINGS}


def metric_settings(query) -> dict[str, object]:
    """{setting: value} of the shown warehouse (`query` runs SQL against it); a setting the warehouse predates
    keeps its declared default."""
    frame = query("SELECT * FROM metric_settings")
    stored = frame.iloc[0].to_dict() if len(frame) else {}
    return {**{k: v for k, v in METRIC_DEFAULTS.items()}, **{k: _plain(v) for k, v in stored.items()}}


def survey_fields(query) -> dict[str, SurveyField]:
    """The survey catalogue of the shown warehouse."""
    return fields_from_rows(query("SELECT * FROM ref_survey_fields").to_dict("records"))


def class_size_bounds(fields: dict[str, SurveyField]) -> tuple[float, float]:
    """The plausible pupils per class (the students field's ratio checks against classes)."""
    bounds = [c.other for c in fields["students"].checks if c.ratio_of == "classes"]
    return min(bounds), max(bounds)


def _plain(value):
    return value.item() if hasattr(value, "item") else value
