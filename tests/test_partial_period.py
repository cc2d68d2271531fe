"""Issue 21: a period only partly reported. The newest period held 6 of 140 schools and every page opened on it: the
slide said "1/1 trường … đạt Mức 2 trở lên …, giảm 52 trường so với năm học 2024-2025", the computers page "−2.679
máy". Pages now open on the newest locked period or the newest one with at least 80% of the schools reported
(etl.metrics.periods), the open period stays selectable with its coverage in its label, and every change is counted
over the schools with figures in both periods (etl.metrics.compare), saying how many."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from dashboard.data import Warehouse
from etl.metrics.periods import PeriodCoverage, default_period, period_coverage
from tests.pages import open_page, sql, texts

PARTIAL = ("2025-2026", "CN")  # the period being collected in the fixture
REPORTED = 6


def _partial(source, target, locked: tuple[str, str] | None = None):
    """A copy of the sample warehouse with 'cả năm 2025-2026' reported by six TH/THCS schools (their HK I figures,
    with fewer computers needed) and one 4725 result for 2025-2026 (a school at Mức 2 or higher in 2024-2025)."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        codes = [r[0] for r in con.execute(
            """SELECT school_code FROM informatics_computers WHERE school_year = '2025-2026' AND period = 'HK1'
               AND computers_needed > 0 ORDER BY school_code LIMIT ?""", [REPORTED]).fetchall()]
        con.execute("""INSERT INTO survey SELECT * REPLACE ('CN' AS period, it_computers + 2 AS it_computers)
                       FROM survey WHERE school_year = '2025-2026' AND period = 'HK1'
                       AND list_contains(?, school_code)""", [codes])
        [(assessed,)] = con.execute("""SELECT school_code FROM maturity_4725 WHERE school_year = '2024-2025'
                                       AND overall_level >= 2 ORDER BY school_code LIMIT 1""").fetchall()
        con.execute("""INSERT INTO assessment_scores SELECT * REPLACE ('2025-2026' AS school_year)
                       FROM assessment_scores WHERE school_year = '2024-2025' AND school_code = ?""", [assessed])
        if locked:
            con.execute("CREATE TABLE IF NOT EXISTS period_locks (school_year VARCHAR, period VARCHAR, "
                        "locked BOOLEAN, changed_at TIMESTAMP, changed_by VARCHAR, comment VARCHAR)")
            con.execute("INSERT INTO period_locks (school_year, period, locked, changed_at, changed_by) "
                        "VALUES (?, ?, true, now(), 'kiểm thử')", list(locked))
    return target


@pytest.fixture(scope="module")
def partial_db(sample_db, tmp_path_factory):
    return _partial(sample_db, tmp_path_factory.mktemp("partial") / "warehouse.duckdb")


@pytest.fixture
def partial_warehouse(partial_db, monkeypatch):
    monkeypatch.setenv("DX_DB", str(partial_db))
    return partial_db


# ---- the default period and the coverage (etl.metrics.periods) ------------------------------------------------------

def test_the_default_is_the_newest_period_most_schools_reported(partial_db):
    coverage = Warehouse(partial_db).run(period_coverage)
    assert [(c.school_year, c.period) for c in coverage][:2] == [PARTIAL, ("2025-2026", "HK1")]
    newest = coverage[0]
    assert (newest.reported, newest.expected, newest.locked, newest.collecting) == (REPORTED, 140, False, True)
    assert default_period(coverage).key == "2025-2026|HK1"  # 134/140 reported
    assert [c.collecting for c in coverage] == [True, False, False, False, False]


def test_a_locked_period_is_the_default(sample_db, tmp_path):
    db = _partial(sample_db, tmp_path / "locked.duckdb", locked=("2024-2025", "CN"))
    coverage = Warehouse(db).run(period_coverage)
    assert default_period(coverage).key == "2024-2025|CN"
    # the newer open periods stay selectable, marked as still being collected
    assert {c.key for c in coverage if c.collecting} == {"2025-2026|CN", "2025-2026|HK1"}


def test_the_rule_of_the_default_period():
    def period(year, term, reported, locked=False):
        return PeriodCoverage(year, term, reported, 140, locked)

    assert default_period([period("2025-2026", "HK1", 112), period("2025-2026", "CN", 111)]).key == "2025-2026|HK1"
    assert default_period([period("2025-2026", "HK1", 140), period("2025-2026", "CN", 112)]).key == "2025-2026|CN"
    # none reaches 80%: the newest
    assert default_period([period("2024-2025", "CN", 50), period("2025-2026", "HK1", 6)]).key == "2025-2026|HK1"
    # a locked period wins over a newer complete one
    assert default_period([period("2024-2025", "CN", 100, locked=True),
                           period("2025-2026", "HK1", 140)]).key == "2024-2025|CN"
    assert default_period([]) is None


def test_the_coverage_counts_the_schools_of_the_account_scope(partial_db):
    codes = [r[0] for r in sql(partial_db, "SELECT school_code FROM schools ORDER BY school_code LIMIT 20")]
    reported_codes = [r[0] for r in sql(partial_db, "SELECT school_code FROM survey WHERE school_year = ? AND "
                                                    "period = ?", list(PARTIAL))]
    scope = tuple(codes[:8] + reported_codes[:2])
    coverage = Warehouse(partial_db, scope).run(period_coverage)
    newest = coverage[0]
    assert (newest.reported, newest.expected) == (2, len(set(scope)))


# ---- the sidebar's picker ------------------------------------------------------------------------------------------

def test_pages_open_on_the_default_and_the_open_period_says_its_coverage(partial_warehouse):
    app = open_page()
    box = app.sidebar.selectbox(key="ky")
    assert box.value == "2025-2026|HK1"
    assert "Cả năm 2025-2026 (đang thu: 6/140 trường)" in box.options
    assert "HK I 2025-2026" in box.options
    assert "Kỳ: HK I 2025-2026" in texts(app)


@pytest.mark.parametrize("link", ["Cả năm 2025-2026 (đang thu: 6/140 trường)", "Cả năm 2025-2026",
                                  "Cả năm 2025-2026 (đang thu: 3/140 trường)"])
def test_a_link_to_the_open_period_wins_over_the_default(partial_warehouse, link):
    """The link as copied now, without the coverage (a link from before issue 21, another account's scope), or with a
    coverage that has changed since it was copied: it opens the period it names."""
    app = open_page(ky=link)
    assert app.sidebar.selectbox(key="ky").value == "2025-2026|CN"
    assert "Kỳ: Cả năm 2025-2026" in texts(app)
    app.run()  # the next run puts the period back in the address, with today's label
    assert app.query_params["ky"] == "Cả năm 2025-2026 (đang thu: 6/140 trường)"
    # ... and never overrides what the reader chooses afterwards
    app.sidebar.selectbox(key="ky").select("2024-2025|CN").run()
    assert app.sidebar.selectbox(key="ky").value == "2024-2025|CN" and "Kỳ: Cả năm 2024-2025" in texts(app)


# ---- changes over the schools with figures in both periods (etl.metrics.compare) ------------------------------------

def metrics(app):
    return {m.label: m for m in app.metric}


def common_computers(db, column):
    """Now minus then over the schools with computers figures in both periods, computed here from the view."""
    [(change, schools)] = sql(db, f"""SELECT sum(n.{column}) - sum(b.{column}), count(*)
        FROM informatics_computers n JOIN informatics_computers b USING (school_code)
        WHERE n.school_year = '2025-2026' AND n.period = 'CN' AND b.school_year = '2025-2026' AND b.period = 'HK1'
          AND n.computers_needed IS NOT NULL AND b.computers_needed IS NOT NULL""")
    return change, schools


def test_the_overview_compares_the_open_period_on_common_schools(partial_warehouse):
    app = open_page(ky="Cả năm 2025-2026")
    change, schools = common_computers(partial_warehouse, "computers_needed")
    assert schools == REPORTED and change < 0
    lacking = metrics(app)["Máy tính dạy Tin học còn thiếu"]
    assert lacking.delta == f"{change:+d} máy"
    # fewer schools in a period still being collected is no loss of schools
    assert (metrics(app)["Trường đã báo cáo"].value, metrics(app)["Trường đã báo cáo"].delta) == ("6/140", "đang thu")
    assert "so sánh trên 6 trường có số liệu cả hai kỳ" in lacking.proto.delta_description
    # the tiles cut their descriptions short: the bases in full below them; the caption names the coverage
    assert ("Thay đổi dưới mỗi số — Mức 2 trở lên: so với năm học 2024-2025, so sánh trên 1 trường có số liệu cả hai "
            "kỳ; máy tính còn thiếu: so với HK I 2025-2026, so sánh trên 6 trường có số liệu cả hai kỳ; chỉ số đạt chỉ "
            "tiêu: so với HK I 2025-2026, so sánh trên 6 trường có số liệu cả hai kỳ.") in texts(app)
    assert "Kỳ: Cả năm 2025-2026 (đang thu: 6/140 trường)" in texts(app)


def test_the_computers_page_compares_on_common_schools(partial_warehouse):
    """Before: '−2.679 máy', the six schools' need against the 134 schools' of HK I."""
    app = open_page("may_tinh.py", ky="Cả năm 2025-2026")
    change, schools = common_computers(partial_warehouse, "computers_needed")
    needed = metrics(app)["Máy tính cần bổ sung"]
    assert needed.delta == f"-{abs(change)} máy"
    computers, _ = common_computers(partial_warehouse, "it_computers")
    assert metrics(app)["Máy tính hiện có"].delta == f"+{computers} máy"
    assert "Mũi tên dưới mỗi số: thay đổi so với HK I 2025-2026, so sánh trên 6 trường có số liệu cả hai kỳ." \
        in texts(app)


def test_the_slides_compare_on_common_schools(partial_db):
    """Before: '1/1 trường … đạt Mức 2 trở lên năm học 2025-2026, giảm 52 trường so với năm học 2024-2025'."""
    from dashboard import slides
    from dashboard.filters import Filters

    wh = Warehouse(partial_db)
    fetch = lambda pair: wh.query(*pair)  # noqa: E731
    f = Filters(*PARTIAL, previous=("2025-2026", "HK1"))
    maturity = slides.build("muc_do_cap_hoc", fetch, f).headline
    assert maturity.startswith("1/1 trường tiểu học và THCS đạt Mức 2 trở lên năm học 2025-2026")
    assert "giảm" not in maturity
    assert "không đổi so với năm học 2024-2025 (so sánh trên 1 trường có số liệu cả hai kỳ)" in maturity
    change, _ = common_computers(partial_db, "computers_needed")
    computers = slides.build("may_tinh_truong", fetch, f).headline
    assert f"giảm {abs(change)} máy so với HK I 2025-2026 (so sánh trên 6 trường có số liệu cả hai kỳ)" in computers
    plan = slides.build("ke_hoach", fetch, f).headline
    assert "so với HK I 2025-2026 (so sánh trên 6 trường có số liệu cả hai kỳ)" in plan
