"""The computer purchase planner (etl/metrics/planner.py) against brute force on small random cases: the schools'
rows come from the real informatics_computers view (informatics.sql run on tiny tables), every subset of the
schools is tried for the optimal rules, the walk is re-done for the ordered rules; budgets in computers and in money
with a unit price and a room cost."""
import itertools
import math
import random

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.metrics import HERE, _statements, planner
from etl.metrics.planner import Budget, needs, plan, rule_order

TARGETS = {"TH": 3, "THCS": 2, "TH_THCS": 2}
CASES = 30  # random instances per rule and budget kind


def view_rows(schools: list[dict]) -> pd.DataFrame:
    """informatics_computers for `schools` (dicts of level, it_students, it_classes, it_rooms, it_computers)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE metric_settings AS SELECT 3 AS computer_target_TH, 2 AS computer_target_THCS, "
                "2 AS computer_target_TH_THCS")
    codes = [f"S{i:02d}" for i in range(len(schools))]
    registry = pd.DataFrame({"school_code": codes, "level": [s["level"] for s in schools], "ownership": "public",
                             "ward_old": "Cũ", "ward_new": [s.get("ward", "P1") for s in schools]},
                            columns=["school_code", "level", "ownership", "ward_old", "ward_new"])
    survey = pd.DataFrame({"school_code": codes, "school_year": "2025-2026", "period": "HK1",
                           "students": [s["it_students"] + 100 for s in schools],
                           **{k: [s[k] for s in schools] for k in ("it_students", "it_classes", "it_rooms",
                                                                      "it_computers")}},
                          columns=["school_code", "school_year", "period", "students", "it_students", "it_classes",
                                   "it_rooms", "it_computers"])
    con.register("registry_rows", registry)
    con.register("survey_rows", survey)
    con.execute("CREATE TABLE schools AS SELECT school_code::VARCHAR AS school_code, level::VARCHAR AS level, "
                "ownership::VARCHAR AS ownership, ward_old::VARCHAR AS ward_old, ward_new::VARCHAR AS ward_new "
                "FROM registry_rows")
    con.execute("CREATE TABLE survey AS SELECT school_code::VARCHAR AS school_code, school_year::VARCHAR AS "
                "school_year, period::VARCHAR AS period, students::INT AS students, it_students::INT AS it_students, "
                "it_classes::INT AS it_classes, it_rooms::INT AS it_rooms, it_computers::INT AS it_computers "
                "FROM survey_rows")
    sql = (HERE / "informatics.sql").read_text(encoding="utf-8")
    con.execute(_statements(sql)[0])  # the informatics_computers view
    return con.execute("SELECT * FROM informatics_computers ORDER BY school_code").df()


def random_schools(rng: random.Random, n: int) -> list[dict]:
    schools = []
    for _ in range(n):
        level = rng.choice(["TH", "THCS", "TH_THCS"])
        classes = rng.randint(4, 30)
        rooms = rng.choice([0, 0, 1, 1, 2, 3])
        size = rng.randint(25, 45)
        per_room = math.ceil(size / TARGETS[level])
        computers = rng.randint(0, per_room) * rooms if rooms else 0  # most miss, some meet
        schools.append({"level": level, "it_students": size * classes, "it_classes": classes, "it_rooms": rooms,
                        "it_computers": computers, "ward": rng.choice(["P1", "P2", "P3"])})
    return schools


def random_budget(rng: random.Random, frame: pd.DataFrame, money: bool) -> Budget:
    need = int(needs(frame)["computers_needed"].sum())
    if not money:
        return Budget(computers=rng.randint(0, need * 3 // 4 + 2))  # mostly too little: choices matter
    price = rng.choice([12_000_000, 15_500_000, 17_990_000])
    room = rng.choice([0, 80_000_000, 250_000_000])
    return Budget(money=rng.randint(0, (need * price + 2 * room) * 3 // 4), unit_price=price, room_cost=room)


def subset_costs(frame: pd.DataFrame, budget: Budget):
    """(school codes, cost, pupils) of every subset of the plannable schools."""
    cand = needs(frame)
    rows = list(zip(cand["school_code"], cand["computers_needed"].astype(int), cand["no_room"].astype(bool),
                    cand["it_students"].astype(int)))
    for k in range(len(rows) + 1):
        for subset in itertools.combinations(rows, k):
            cost = sum(budget.cost(c, int(r)) for _, c, r, _ in subset)
            yield {code for code, *_ in subset}, cost, sum(p for *_, p in subset)


def check_common(result: planner.Plan, frame: pd.DataFrame, budget: Budget) -> None:
    s = result.schools
    assert result.spent == int(s["cost"].sum()) <= budget.total
    assert len(s) == len(frame)
    reached = s[s["reaches"]]
    # brought to the standard: the whole need, a room when it had none, and the ratio after within the target
    assert (reached["allocated"] == reached["computers_needed"]).all()
    assert (reached["rooms"] == reached["no_room"].astype(int)).all()
    assert (reached["pupils_per_computer_after"] <= reached["target"] + 1e-9).all()
    assert (s.loc[~s["reaches"], "rooms"] == 0).all()
    # nothing goes to schools that meet the ratio, lack data or have no target
    assert (s.loc[s["allocated"] > 0, "computers_needed"] > 0).all()
    assert (s["computers_needed_after"].fillna(0) >= 0).all()


@pytest.mark.parametrize("money", [False, True])
@pytest.mark.parametrize("rule", ["most_schools", "most_pupils"])
def test_optimal_rules_equal_brute_force(rule, money):
    rng = random.Random(f"{rule}{money}")
    checked = 0
    for _ in range(CASES):
        frame = view_rows(random_schools(rng, rng.randint(6, 10)))
        budget = random_budget(rng, frame, money)
        result = plan(frame, budget, rule, leftover="keep")
        assert result.method == "dp"
        check_common(result, frame, budget)
        reached = result.schools[result.schools["reaches"]]
        got = (len(reached), int(reached["it_students"].sum()))
        feasible = [(len(codes), pupils) for codes, cost, pupils in subset_costs(frame, budget)
                    if cost <= budget.total]
        # most_schools: the most schools, then the most pupils; most_pupils: the most pupils, then schools
        if rule == "most_schools":
            assert got == max(feasible)
        else:
            assert got[::-1] == max((pupils, count) for count, pupils in feasible)
        assert result.left >= 0 and result.spent == int(reached["cost"].sum())
        checked += 1
    assert checked == CASES


@pytest.mark.parametrize("money", [False, True])
@pytest.mark.parametrize("rule", ["worst_ratio", "no_room_first"])
def test_ordered_rules_walk_their_order_within_the_budget(rule, money):
    rng = random.Random(f"{rule}{money}")
    for _ in range(CASES):
        frame = view_rows(random_schools(rng, rng.randint(6, 10)))
        budget = random_budget(rng, frame, money)
        result = plan(frame, budget, rule, leftover="keep")
        check_common(result, frame, budget)
        s = result.schools.set_index("school_code")
        order = rule_order(needs(frame), rule)
        # the order itself: no room first (no_room_first), then no ratio, then the worst ratio, more pupils first
        keys = [(-int(bool(s.loc[c, "no_room"])) if rule == "no_room_first" else 0,
                 -int(bool(s.loc[c, "no_room"]) or bool(s.loc[c, "room_without_computers"])),
                 -(s.loc[c, "pupils_per_computer"] if pd.notna(s.loc[c, "pupils_per_computer"]) else math.inf))
                for c in order]
        assert keys == sorted(keys)
        assert list(s.loc[order, "order"]) == list(range(1, len(order) + 1))
        # the walk: a school is funded exactly when its whole cost fits what is left at its turn
        left = budget.total
        for code in order:
            cost = budget.cost(int(s.loc[code, "computers_needed"]), int(bool(s.loc[code, "no_room"])))
            assert bool(s.loc[code, "reaches"]) == (cost <= left), code
            if cost <= left:
                left -= cost
        assert result.left == left


@pytest.mark.parametrize("rule", planner.RULES)
def test_leftover_goes_to_the_next_schools_with_a_room_in_the_rules_order(rule):
    rng = random.Random(rule)
    for _ in range(CASES):
        frame = view_rows(random_schools(rng, rng.randint(6, 10)))
        budget = random_budget(rng, frame, rng.random() < 0.5)
        kept = plan(frame, budget, rule, leftover="keep")
        spent = plan(frame, budget, rule, leftover="next")
        check_common(spent, frame, budget)
        s, k = spent.schools.set_index("school_code"), kept.schools.set_index("school_code")
        assert (s["reaches"] == k["reaches"]).all()  # the leftover never changes who reaches the standard
        price = budget.unit_price if budget.in_money else 1
        left = kept.left
        for code in rule_order(needs(frame), rule):
            row = s.loc[code]
            if row["reaches"] or row["no_room"]:
                assert not row["topped_up"]
                continue
            extra = min(int(row["computers_needed"]), left // price)
            assert int(row["allocated"]) == extra, code
            assert bool(row["topped_up"]) == (extra > 0)
            left -= extra * price
        assert spent.left == left
        topped = s[s["topped_up"]]
        assert (topped["computers_needed_after"] == topped["computers_needed"] - topped["allocated"]).all()
        assert (topped["pupils_per_computer_after"] < topped["pupils_per_computer"].fillna(np.inf)).all()


def test_a_school_without_a_room_counts_a_room():
    # TH, class size 40: one room of ceil(40/3) = 14 computers (DOMAIN §7)
    frame = view_rows([{"level": "TH", "it_students": 600, "it_classes": 15, "it_rooms": 0, "it_computers": 0}])
    assert frame.loc[0, "computers_needed"] == 14 and frame.loc[0, "no_room"]
    exact = Budget(money=14 * 15_000_000 + 200_000_000, unit_price=15_000_000, room_cost=200_000_000)
    row = plan(frame, exact, "most_schools").schools.iloc[0]
    assert (row["allocated"], row["rooms"], row["cost"], row["reaches"]) == (14, 1, exact.money, True)
    assert row["it_rooms_after"] == 1 and row["pupils_per_computer_after"] == pytest.approx(40 / 14)
    short = Budget(money=exact.money - 1, unit_price=15_000_000, room_cost=200_000_000)
    for rule in planner.RULES:
        row = plan(frame, short, rule, leftover="next").schools.iloc[0]
        # a school without a room gets the room's worth or nothing: no computers without a room
        assert (row["allocated"], row["rooms"], row["reaches"]) == (0, 0, False)
    # in computers, the room is counted (and listed) but not paid from the budget
    row = plan(frame, Budget(computers=14), "worst_ratio").schools.iloc[0]
    assert (row["allocated"], row["rooms"], row["cost"], row["reaches"]) == (14, 1, 14, True)


def test_domain_worked_examples():
    frame = view_rows([{"level": "THCS", "it_students": 1200, "it_classes": 30, "it_rooms": 2, "it_computers": 36},
                       {"level": "TH", "it_students": 600, "it_classes": 15, "it_rooms": 1, "it_computers": 10}])
    assert list(frame["computers_needed"]) == [4, 4]
    result = plan(frame, Budget(computers=5), "most_pupils", leftover="next").schools
    # the larger school (1,200 pupils) reaches 2 HS/máy with its 4; the last computer goes to the other one
    assert list(result["allocated"]) == [4, 1] and list(result["reaches"]) == [True, False]
    assert result.loc[0, "pupils_per_computer_after"] == pytest.approx(2.0)
    assert result.loc[1, "pupils_per_computer_after"] == pytest.approx(40 / 11)
    assert list(result["computers_needed_after"]) == [0, 3]


def test_the_exact_table_is_only_skipped_where_cheapest_first_is_still_optimal(monkeypatch):
    monkeypatch.setattr(planner, "DP_CELLS", 1)
    rng = random.Random(7)
    for _ in range(20):
        frame = view_rows(random_schools(rng, rng.randint(6, 9)))
        budget = random_budget(rng, frame, True)
        result = plan(frame, budget, "most_schools", leftover="keep")
        assert result.method == "greedy_cheapest"
        best = max(len(codes) for codes, cost, _ in subset_costs(frame, budget) if cost <= budget.total)
        assert int(result.schools["reaches"].sum()) == best


def test_budget_rules():
    with pytest.raises(ValueError):
        Budget(computers=3, money=5)
    with pytest.raises(ValueError):
        Budget(money=5)
    with pytest.raises(ValueError):
        plan(view_rows([]), Budget(computers=1), "random")


def test_before_after_by_ward_adds_up():
    rng = random.Random(3)
    frame = view_rows(random_schools(rng, 10))
    result = plan(frame, Budget(computers=30), "most_schools")
    table = planner.before_after(result, "ward_new")
    assert table["schools"].sum() == len(frame)
    assert table["allocated"].sum() == result.schools["allocated"].sum() <= 30
    assert (table["schools_met_after"] >= table["schools_met"]).all()
    assert (table["schools_met_after"] - table["schools_met"]).sum() == result.schools["reaches"].sum()
    assert table["computers_needed_after"].sum() == table["computers_needed"].sum() - table["allocated"].sum()
