"""Every rule lives once, in the metric layer (etl/metrics: SQL views and macros, metrics.toml) or a catalogue
(data/reference, data/settings.toml, stored with the data): pages, charts, slides and the dashboard's queries
only select and draw. This test fails when one of them writes a rule's number or code itself."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOWING = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/charts/*.py"), *ROOT.glob("dashboard/queries/*.py"),
                  ROOT / "dashboard" / "slides.py", *ROOT.glob("dashboard/*_view.py")])
RULE_LITERALS = {
    "a 4725 level compared with a number (use the view's level2_plus / overall_level as given)":
        re.compile(r"overall_level\W{0,4}\s*(>=|<=|>|<|==)\s*\d"),
    "a 4725 score threshold as a default or literal (metric_settings: level2_min_score, level3_above_score)":
        re.compile(r"\b(low|high)\s*:\s*float\s*=\s*\d|\b(50|75)\s*(và|and)\s*(50|75)\b"),
    "a pupils-per-computer target written as a number (metric_settings: computer_target_*)":
        re.compile(r"\b\d+(,\d+)?\s*(HS|học sinh)/máy"),
    "a plan indicator code (ref_plan_indicators)":
        re.compile(r"[\"'](NT|TC|HT|DL|NTS|NL|AT|CQ)\d+[\"']"),
    "a 4725 criterion code (ref_criteria_4725, etl/metrics/evidence.sql)":
        re.compile(r"[\"'][12]\.\d{1,2}(\.\d{1,2})?[\"']"),
    "a plan tolerance as a number (metric_settings: plan_tolerance_pct)":
        re.compile(r"tolerance\w*\s*=\s*\d"),
    "the group ratio pupils/computers computed outside the macro group_pupils_per_computer":
        re.compile(r"sum\([\w.]*students\)[^\n]*/\s*nullif\(sum\([\w.]*computers"),
}


@pytest.mark.parametrize("path", SHOWING, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_rule_literal_outside_the_metric_layer(path):
    found = [f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for what, pattern in RULE_LITERALS.items() if pattern.search(line)]
    assert found == []


def test_the_checker_finds_what_it_looks_for():
    """Each pattern matches the literal it was written for (the way the rules were once written in pages)."""
    examples = ['good = data[data["overall_level"] >= 2]', "def maturity_history(frame, low: float = 50, high",
                'help="Tổng số máy cần bổ sung để đạt tối đa 3 HS/máy (tiểu học)"', 'ID_SHARES = ("DL1", "DL2")',
                "WHERE c.criterion IN ('2.3.3', '1.7.3')", "tolerance = 10",
                "sum(i.students)::DOUBLE / nullif(sum(i.it_computers), 0)"]
    for example, (what, pattern) in zip(examples, RULE_LITERALS.items()):
        assert pattern.search(example), what
    assert len(examples) == len(RULE_LITERALS)


def test_a_warehouse_written_before_the_macros_still_answers(sample_db, tmp_path):
    """A snapshot taken by an older version has neither the macros nor the level2_plus column: opening it gives it
    the macros, so the pages' queries run on it unchanged."""
    import shutil

    import duckdb

    from dashboard.filters import Filters
    from dashboard.queries import computers, maturity, overview
    from etl.metrics.queries import Scope, laggards_sql, plan_progress_sql
    from tests.pages import sql

    old = tmp_path / "old.duckdb"
    shutil.copyfile(sample_db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE frozen_maturity AS SELECT * EXCLUDE (level2_plus) FROM maturity_4725")
        con.execute("CREATE OR REPLACE VIEW maturity_4725 AS SELECT * FROM frozen_maturity")
        con.execute("CREATE OR REPLACE VIEW informatics_totals AS SELECT 1 AS placeholder")
        for macro in ("reaches_level2", "group_pupils_per_computer", "plan_value"):
            con.execute(f"DROP MACRO {macro}")
        con.execute("DELETE FROM meta WHERE key IN ('metric_macros', 'schema_fingerprint', 'schema_stamp')")  # as then
    f = Filters("2025-2026", "HK1", Scope())
    for query, params in (overview.level_share(f), maturity.level2_by_unit(f, "2024-2025", "ward_new"),
                          computers.totals(f, "2025-2026", "HK1"), plan_progress_sql(Scope()),
                          laggards_sql(Scope(), "HT1", "2025-2026", "HK1")):
        assert sql(old, query, params) == sql(sample_db, query, params)
