"""The metric layer against tables worked out by hand on a small fixture (DOMAIN §6-8)."""
import datetime as dt

import duckdb
import pytest

from etl.metrics import declarations, publish
from etl.metrics.queries import Scope, laggards_sql, plan_progress_sql
from etl.reference import load_catalogue
from etl.settings import REFERENCE_DIR as CATALOGUE_DIR
from etl.settings import load_settings
from etl.warehouse import ensure_schema

CATALOGUE = load_catalogue()
FULL = {c["code"]: ("Đạt" if c["mandatory"] else c["max_points"]) for c in CATALOGUE.criteria}

SCHOOLS = [  # code, level, ward_old, ward_new, ownership
    ("A", "THCS", "Hưng Dũng", "Trường Vinh", "cong_lap"),
    ("B", "TH", "Lê Lợi", "Thành Vinh", "cong_lap"),
    ("C", "THCS", "Lê Lợi", "Thành Vinh", "cong_lap"),
    ("D", "MN", "Hưng Dũng", "Trường Vinh", "cong_lap"),
    ("G", "TH", "Quán Bàu", "Vinh Hưng", "cong_lap"),
    ("K", "TH_THCS", "Nghi Thủy", "Cửa Lò", "tu_thuc"),
]
SURVEY_COLUMNS = ("school_code", "school_year", "period", "students", "classes", "classrooms",
                  "rooms_projector_internet", "it_students", "it_classes", "it_rooms", "it_computers", "e_gradebook",
                  "has_studio", "cashless_pct", "dx_posts", "teachers", "teachers_with_id")
SURVEY = [
    # A meets the ratio: 800 pupils in 20 classes (40), 1 room of 20 computers -> 2.0 <= 2
    ("A", "2024-2025", "CN", 900, 22, 22, 11, 800, 20, 1, 20, True, True, 90.0, 4, 50, 50),
    # B is DOMAIN's primary example: 600 in 15 classes (40), 1 room, 10 computers -> 4.0 > 3, needs 4
    ("B", "2024-2025", "CN", 900, 25, 25, 25, 600, 15, 1, 10, False, False, 20.0, 2, 40, 30),
    # C is DOMAIN's lower secondary example: 1200 in 30 classes (40), 2 rooms, 36 computers -> 2.22 > 2, needs 4
    ("C", "2024-2025", "CN", 1300, 32, 30, 15, 1200, 30, 2, 36, True, False, 50.0, 6, 60, 60),
    ("D", "2024-2025", "CN", 300, 10, 10, 5, None, None, None, None, None, False, 70.0, 2, 20, 18),
    # G has pupils studying Informatics but no computer room: needs one room of ceil(30 / 3) = 10
    ("G", "2024-2025", "CN", 500, 15, 15, 0, 300, 10, 0, 0, True, False, 60.0, 0, 25, 25),
    # K has no classrooms recorded: HT4 for its ward has a zero denominator
    ("K", "2024-2025", "CN", 400, 12, 0, 0, 300, 10, 1, 15, True, False, 100.0, 5, 30, 30),
    # an earlier period, for trends
    ("A", "2024-2025", "HK1", 880, 22, 22, 5, 780, 20, 1, 18, True, True, 80.0, 1, 50, 40),
    ("B", "2024-2025", "HK1", 900, 25, 25, 20, 600, 15, 1, 10, False, False, 10.0, 1, 40, 20),
]


def scores(**changes):
    result = dict(FULL)
    result.update({k.replace("_", "."): v for k, v in changes.items()})
    return result


# A: group 1 exactly 50 (1.3.x 30 + 1.4 10 + 1.5.1 10), group 2 exactly 75 (2.3.x 60 + 2.4.2 12 + 2.4.1 3)
A_SELF = {k: v for k, v in FULL.items() if k.startswith(("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"))}
A_SELF.update({"1.5.1": 10, "2.4.2": 12, "2.4.1": 3})
# B: self full marks; verified group 1 = 100 - 15 - 5 - 4 = 76 and 2.2 not met
B_SELF = FULL
B_VERIFIED = scores(**{"1_5_1": 0, "1_5_2": 0, "1_7_1": 4, "2_2": "Chưa đạt"})
# C: self only, 1.1 missing from the form; group 1 = 60, group 2 = 49.5
C_SELF = {"1.2": "Đạt", "1.3.1": 6, "1.3.2": 6, "1.3.3": 6, "1.3.4": 6, "1.3.5": 6, "1.4": 10, "1.5.1": 15,
          "1.6.1": 5, "2.1": "Đạt", "2.2": "Đạt", "2.3.1": 6, "2.3.2": 6, "2.3.3": 10, "2.3.4": 6, "2.3.5": 10,
          "2.3.6": 5.5, "2.3.7": 6}


def insert_scores(con, school, kind, values):
    for criterion, value in values.items():
        met = value == "Đạt" if isinstance(value, str) else None
        score = None if isinstance(value, str) else float(value)
        con.execute("INSERT INTO assessment_scores (school_code, school_year, kind, criterion, score, met) "
                    "VALUES (?, '2024-2025', ?, ?, ?, ?)", [school, kind, criterion, score, met])


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "metrics.duckdb"))
    ensure_schema(connection, CATALOGUE)
    for code, level, ward_old, ward_new, ownership in SCHOOLS:
        connection.execute("INSERT INTO schools VALUES (?, ?, ?, ?, ?, ?, 0)",
                           [code, f"Trường {code}", level, ownership, ward_old, ward_new])
    for row in SURVEY:
        connection.execute(f"INSERT INTO survey ({', '.join(SURVEY_COLUMNS)}) VALUES "
                           f"({', '.join('?' * len(row))})", list(row))
    insert_scores(connection, "A", "self", A_SELF)
    insert_scores(connection, "B", "self", B_SELF)
    insert_scores(connection, "B", "verified", B_VERIFIED)
    insert_scores(connection, "C", "self", C_SELF)
    connection.execute("INSERT INTO office_tasks (plan_year, task_no, task, due, status_code) VALUES "
                       "(2025, 1, 'Công bố kết quả', DATE '2025-06-20', 'in_progress'), "
                       "(2025, 2, 'Tập huấn', DATE '2025-03-01', 'done'), "
                       "(2025, 3, 'Mua máy', ?, 'not_started')", [dt.date.today() + dt.timedelta(days=30)])
    publish(connection, CATALOGUE)
    yield connection
    connection.close()


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_maturity_levels_by_hand(con):
    result = rows(con, """SELECT school_code, basis, g1_score, g2_score, g1_mandatory_met, g2_mandatory_met,
        g1_level_by_score, g2_level_by_score, g1_level, g2_level, overall_level, g1_gap, g2_gap
        FROM maturity_4725 ORDER BY school_code""")
    assert result == [
        ("A", "self", 50.0, 75.0, True, True, 2, 2, 2, 2, 2, None, None),  # 50 and 75 are both Mức 2
        ("B", "verified", 76.0, 100.0, True, False, 3, 3, 3, 1, 1, 24.0, 0.0),  # 2.2 not met: group 2 is Mức 1
        ("C", "self", 60.0, 49.5, False, True, 2, 1, 1, 1, 1, None, None),  # 1.1 missing counts as not met
    ]


def test_mandatory_rule_is_a_setting(con):
    publish(con, CATALOGUE, {**load_settings(), "mandatory_rule": False})
    assert rows(con, "SELECT school_code, g1_level, g2_level, overall_level FROM maturity_4725 ORDER BY 1") == [
        ("A", 2, 2, 2), ("B", 3, 3, 3), ("C", 2, 1, 1)]


def test_group_maxima_and_catalogue_version(con):
    [(g1_max, g2_max, warning, version)] = rows(
        con, "SELECT DISTINCT g1_max, g2_max, catalogue_warning, catalogue_version FROM maturity_4725")
    assert (g1_max, g2_max, warning) == (100.0, 100.0, False)
    assert version == CATALOGUE.versions["criteria_4725"]


def test_criterion_detail_verified_wins(con):
    result = dict((c, (s, v, sc, share, gap)) for c, s, v, sc, share, gap in rows(
        con, "SELECT criterion, self_score, verified_score, score, share_of_max, gap FROM criteria_scores "
             "WHERE school_code = 'B'"))
    assert result["1.5.1"] == (15.0, 0.0, 0.0, 0.0, 15.0)
    assert result["1.7.1"] == (8.0, 4.0, 4.0, 0.5, 4.0)
    assert result["1.4"] == (10.0, 10.0, 10.0, 1.0, 0.0)
    assert len(result) == len(CATALOGUE.criteria)


def test_informatics_by_hand(con):
    result = rows(con, """SELECT school_code, round(class_size, 2), round(computers_per_room, 2),
        round(pupils_per_computer, 3), target, target_met, computers_needed, round(school_pupils_per_computer, 2),
        no_room, status FROM informatics_computers WHERE period = 'CN' ORDER BY school_code""")
    assert result == [
        ("A", 40.0, 20.0, 2.0, 2, True, 0, 45.0, False, "met"),
        ("B", 40.0, 10.0, 4.0, 3, False, 4, 90.0, False, "not_met"),
        ("C", 40.0, 18.0, 2.222, 2, False, 4, 36.11, False, "not_met"),
        ("D", None, None, None, None, None, None, None, False, "not_applicable"),
        ("G", 30.0, None, None, 3, False, 10, None, True, "no_room"),
        ("K", 30.0, 15.0, 2.0, 2, True, 0, 26.67, False, "met"),
    ]


def test_informatics_totals_by_level_and_ward(con):
    result = rows(con, """SELECT breakdown, level, ward_new, schools, schools_met, schools_no_room, computers,
        computers_needed FROM informatics_totals WHERE period = 'CN' AND breakdown IN ('all', 'level', 'ward_new')
        ORDER BY breakdown, level, ward_new""")
    assert result == [
        ("all", None, None, 5, 2, 1, 81, 18),
        ("level", "TH", None, 2, 0, 1, 10, 14),
        ("level", "THCS", None, 2, 1, 0, 56, 4),
        ("level", "TH_THCS", None, 1, 1, 0, 15, 0),
        ("ward_new", None, "Cửa Lò", 1, 1, 0, 15, 0),
        ("ward_new", None, "Thành Vinh", 2, 0, 0, 46, 8),
        ("ward_new", None, "Trường Vinh", 1, 1, 0, 20, 0),
        ("ward_new", None, "Vinh Hưng", 1, 0, 1, 0, 10),
    ]


def test_evidence_flags(con):
    # B self-scores full marks against its survey on all four; C misses the ratio but gave 1.7.2 no points
    assert rows(con, "SELECT school_code, criterion FROM evidence_flags ORDER BY 1, 2") == [
        ("B", "1.7.2"), ("B", "1.7.3"), ("B", "2.3.3"), ("B", "2.4.3")]
    [(reason,)] = rows(con, "SELECT reason FROM evidence_flags WHERE school_code = 'B' AND criterion = '2.4.3'")
    assert reason.endswith("chỉ 20%")


def progress(con, scope=Scope()):
    sql, params = plan_progress_sql(scope, 10)
    frame = con.execute(sql, params).df()
    return {(r.indicator, r.period): r for r in frame.itertuples()}


def test_plan_indicators_by_hand(con):
    p = progress(con)
    ht1 = p[("HT1", "CN")]  # TH schools B (not met) and G (no room): 0 of 2
    assert (ht1.value, ht1.numerator, ht1.denominator, ht1.schools_counted, ht1.schools_missing) == (0, 0, 2, 2, 0)
    ht2 = p[("HT2", "CN")]  # THCS A (met), C (not met), TH_THCS K (met): 2 of 3
    assert ht2.value == pytest.approx(200 / 3) and ht2.schools_counted == 3
    assert p[("HT3", "CN")].value == 18  # 4 + 4 + 10 computers
    assert p[("HT4", "CN")].value == pytest.approx(100 * (11 + 25 + 15 + 5 + 0 + 0) / (22 + 25 + 30 + 10 + 15 + 0))
    nts6 = p[("NTS6", "CN")]  # cashless weighted by pupils
    assert nts6.value == pytest.approx((90 * 900 + 20 * 900 + 50 * 1300 + 70 * 300 + 60 * 500 + 100 * 400) / 4300)
    assert p[("NT2", "CN")].value == pytest.approx((4 + 2 + 6 + 2 + 0 + 5) / 6)
    dl2 = p[("DL2", "CN")]
    assert (dl2.numerator, dl2.denominator) == (213, 225)
    cq5 = p[("CQ5", "CN")]  # A Mức 2; B and C Mức 1; G and K not assessed -> missing
    assert (cq5.value, cq5.schools_counted, cq5.schools_missing) == (pytest.approx(100 / 3), 3, 2)
    assert ("CQ5", "HK1") not in p  # 4725 is yearly: shown at the end-of-year period


def test_zero_denominator_gives_no_value_not_an_error(con):
    p = progress(con, Scope(wards_new=("Cửa Lò",)))
    ht4 = p[("HT4", "CN")]
    assert ht4.denominator == 0 and ht4.value != ht4.value  # NaN: no value
    assert ht4.status == "no_data"


def test_status_rule(con):
    cases = [  # value, target, previous, direction, periods_left -> status
        (100, 100, 90, "higher", 0, "met"),
        (80, 100, 60, "higher", 1, "on_track"),  # +20 a period reaches 100 by year end
        (70, 100, 60, "higher", 1, "at_risk"),  # improving, not fast enough
        (92, 100, 95, "higher", 0, "at_risk"),  # within 10% of the target
        (60, 100, 65, "higher", 1, "off_track"),  # falling
        (60, 100, None, "higher", 1, "off_track"),  # no trend, far from target
        (0, 0, 5, "lower", 0, "met"),
        (4, 0, 12, "lower", 1, "on_track"),
        (10, 0, 12, "lower", 1, "at_risk"),
        (10, 0, 8, "lower", 1, "off_track"),
        (None, 100, 50, "higher", 1, "no_data"),
    ]
    for value, target, previous, direction, left, expected in cases:
        [(status,)] = rows(con, "SELECT plan_status(?::DOUBLE, ?::DOUBLE, ?::DOUBLE, ?, ?, 10)",
                           [value, target, previous, direction, left])
        assert status == expected, (value, target, previous, direction, left)


def test_trend_and_status_in_progress(con):
    p = progress(con, Scope(schools=("A", "B")))
    nts6_hk1, nts6_cn = p[("NTS6", "HK1")], p[("NTS6", "CN")]
    assert nts6_hk1.value == pytest.approx((80 * 880 + 10 * 900) / 1780)
    assert nts6_cn.previous_value == pytest.approx(nts6_hk1.value) and nts6_cn.periods_left == 0
    assert nts6_cn.status == "off_track"  # 55% at year end, far from 100%


def test_laggards(con):
    sql, params = laggards_sql(Scope(), "HT1", "2024-2025", "CN")
    assert [(r[0], r[-1]) for r in rows(con, sql, params)] == [("B", "below_target"), ("G", "below_target")]
    sql, params = laggards_sql(Scope(), "CQ5", "2024-2025", "CN")
    assert [(r[0], r[-1]) for r in rows(con, sql, params)] == [
        ("B", "below_target"), ("C", "below_target"), ("G", "missing"), ("K", "missing")]
    sql, params = laggards_sql(Scope(), "HT3", "2024-2025", "CN")
    assert [(r[0], r[6]) for r in rows(con, sql, params)] == [("G", 10.0), ("B", 4.0), ("C", 4.0)]


def test_office_tasks_overdue(con):
    assert rows(con, "SELECT task_no, overdue FROM office_tasks_status ORDER BY 1") == [
        (1, True), (2, False), (3, False)]


METRIC_VIEWS = ("criteria_scores", "maturity_4725", "informatics_computers", "informatics_totals", "evidence_flags",
                "office_tasks_status")


def test_every_metric_is_declared_with_a_vietnamese_label_and_description(con):
    declared = declarations()
    keys = set(declared["keys"])
    for view in METRIC_VIEWS:
        columns = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
        undeclared = [c for c in columns if c not in declared.get(view, {}) and c not in keys]
        assert not undeclared, (view, undeclared)
        assert not set(declared[view]) - set(columns), (view, set(declared[view]) - set(columns))
    sql, params = plan_progress_sql(Scope(), 10)
    assert [d[0] for d in con.execute(sql, params).description if d[0] not in keys] == list(declared["plan_progress"])
    for view, columns in declared.items():
        for column, spec in columns.items():
            assert spec["label"].strip() and len(spec["description"]) > 10, (view, column)
            assert any(ch in spec["label"] + spec["description"] for ch in "ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳ"), \
                (view, column, "not Vietnamese")


def test_catalogue_whose_group_is_not_100_is_flagged(tmp_path):
    import shutil

    from etl.reference import load_catalogue as load

    folder = tmp_path / "reference"
    shutil.copytree(CATALOGUE_DIR, folder)
    criteria = (folder / "criteria_4725.csv").read_text(encoding="utf-8").splitlines()
    (folder / "criteria_4725.csv").write_text("\n".join(r for r in criteria if not r.startswith("2.5,")) + "\n",
                                              encoding="utf-8")
    catalogue = load(folder)
    connection = duckdb.connect(str(tmp_path / "m.duckdb"))
    ensure_schema(connection, catalogue)
    connection.execute("INSERT INTO schools VALUES ('A', 'Trường A', 'TH', 'cong_lap', NULL, NULL, NULL)")
    connection.execute("INSERT INTO assessment_scores (school_code, school_year, kind, criterion, score) "
                       "VALUES ('A', '2024-2025', 'self', '1.4', 10)")
    publish(connection, catalogue)
    assert rows(connection, "SELECT g1_max, g2_max, catalogue_warning, catalogue_version FROM maturity_4725") == [
        (100.0, 90.0, True, catalogue.versions["criteria_4725"])]
    assert catalogue.versions["criteria_4725"] != CATALOGUE.versions["criteria_4725"]


def test_an_unknown_plan_formula_is_an_error():
    from etl.metrics.plan import parse_formula

    with pytest.raises(ValueError, match='không hiểu công thức "median of dx_posts"'):
        parse_formula("X1", "median of dx_posts", set(CATALOGUE.fields), {})
    with pytest.raises(ValueError, match='không có trường "posts"'):
        parse_formula("X2", "mean of posts", set(CATALOGUE.fields), {})
    with pytest.raises(ValueError, match="computer_target_TH = 2.5"):
        parse_formula("HT1", "share of TH schools whose lesson ratio <= 3", set(CATALOGUE.fields), {"TH": 2.5})
