"""Computer purchase planner (issue 14): share a budget of computers (or of money) among the schools that miss the
Informatics ratio, by one of four priority rules. Pure: no Streamlit, no database; it reads rows of the
`informatics_computers` view (DOMAIN §7) and never recomputes the need — `computers_needed` is the view's, and a
school with pupils studying Informatics but no room (`no_room`) needs one room and a room's worth of computers.

Funding a school "to the standard" means giving it all of its `computers_needed` (and its room when `no_room`):
then computers per room is ceil(class size / target), so the pupils per computer in a lesson are within the target.

Rules
- most_schools: the most schools brought to the standard within the budget, exactly (a 0/1 knapsack over the
  schools solved by dynamic programming over the budget; ties go to more pupils, then to the cheaper set).
- most_pupils: the most pupils studying Informatics in schools brought to the standard (same knapsack, value =
  pupils; ties go to more schools, then to the cheaper set).
- worst_ratio: schools in order of pupils per computer in a lesson, worst first (no room / no computer first);
  each gets its whole need if it fits what is left, otherwise it is passed over for the next.
- no_room_first: schools with pupils but no room first (more pupils first), then the others worst ratio first;
  same walk.
Leftover: `leftover="keep"` leaves it unspent; `leftover="next"` gives it, as computers, to the schools not brought
to the standard in the rule's order (a school with a room only: a school without one needs the whole room's
worth), which brings them closer without reaching it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

RULES = ("most_schools", "most_pupils", "worst_ratio", "no_room_first")
LEFTOVER = ("next", "keep")
DP_CELLS = 40_000_000  # past this the exact table would not fit the page's time; see _knapsack

# the columns of informatics_computers the planner reads
COLUMNS = ("school_code", "level", "ward_new", "it_students", "it_rooms", "it_computers", "class_size",
           "pupils_per_computer", "target", "target_met", "computers_needed", "no_room", "room_without_computers",
           "missing_data")


@dataclass(frozen=True)
class Budget:
    """A number of computers (`computers`), or an amount of money (`money`) with the price of one computer and of
    one new room (0: rooms cost nothing here, e.g. paid from another line). Whole numbers (đồng)."""
    computers: int | None = None
    money: int | None = None
    unit_price: int = 0
    room_cost: int = 0

    def __post_init__(self):
        if (self.computers is None) == (self.money is None):
            raise ValueError("a budget is a number of computers or an amount of money, not both")
        if self.money is not None and self.unit_price <= 0:
            raise ValueError("a money budget needs the price of one computer")
        if min(self.computers or 0, self.money or 0, self.unit_price, self.room_cost) < 0:
            raise ValueError("negative budget or price")

    @property
    def in_money(self) -> bool:
        return self.money is not None

    @property
    def total(self) -> int:
        return int(self.money if self.in_money else self.computers)

    def cost(self, computers, rooms):
        """What `computers` computers and `rooms` rooms take from the budget (rooms are free in computers)."""
        if not self.in_money:
            return computers
        return computers * self.unit_price + rooms * self.room_cost


@dataclass
class Plan:
    schools: pd.DataFrame  # every school of the input, with the allocation and the figures after it
    budget: Budget
    rule: str
    leftover: str
    spent: int  # in the budget's unit (computers or đồng)
    method: str  # 'dp' (exact), 'greedy_cheapest' (exact for most_schools) or 'greedy_density', or 'order'

    @property
    def left(self) -> int:
        return self.budget.total - self.spent

    @property
    def funded(self) -> pd.DataFrame:
        return self.schools[self.schools["allocated"] > 0]


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].fillna(False).astype(bool).to_numpy()


def needs(frame: pd.DataFrame) -> pd.DataFrame:
    """The schools that can be planned: a target, data, pupils, and computers needed (> 0)."""
    need = pd.to_numeric(frame["computers_needed"], errors="coerce").fillna(0)
    keep = frame["target"].notna() & ~_flag(frame, "missing_data") & (need > 0)
    return frame[keep.to_numpy()]


def rule_order(frame: pd.DataFrame, rule: str) -> list:
    """School codes of `frame` in the order the rule walks them (and gives leftover computers)."""
    f = frame.assign(
        _cost=frame["computers_needed"].astype(float),
        _pupils=frame["it_students"].fillna(0).astype(float),
        _no_ratio=(_flag(frame, "no_room") | _flag(frame, "room_without_computers")).astype(int),
        _ratio=frame["pupils_per_computer"].astype(float).fillna(math.inf),
        _no_room=_flag(frame, "no_room").astype(int))
    keys = {"most_schools": (["_cost", "_pupils"], [True, False]),
            "most_pupils": (["_pupils", "_cost"], [False, True]),
            "worst_ratio": (["_no_ratio", "_ratio", "_pupils"], [False, False, False]),
            "no_room_first": (["_no_room", "_no_ratio", "_ratio", "_pupils"], [False, False, False, False])}
    by, ascending = keys[rule]
    return list(f.sort_values(by + ["school_code"], ascending=ascending + [True], kind="mergesort")["school_code"])


def _knapsack(comp: np.ndarray, rooms: np.ndarray, value: np.ndarray, budget: Budget) -> np.ndarray | None:
    """The subset (boolean mask) of greatest total `value` whose cost fits the budget, by dynamic programming
    over (rooms bought, computers bought): exact for any prices, and the table is as large as the need, not the
    money. Among sets of the same value, the cheapest. None when the table would be too large."""
    n = len(comp)
    if budget.in_money:
        max_computers = budget.money // budget.unit_price
        room_axis = budget.room_cost > 0
    else:
        max_computers, room_axis = budget.computers, False
    cap_c = int(min(comp.sum(), max_computers))
    cap_r = int(rooms.sum()) if room_axis else 0
    if n * (cap_r + 1) * (cap_c + 1) > DP_CELLS:
        return None
    best = np.zeros((cap_r + 1, cap_c + 1), dtype=np.int64)
    keep = np.zeros((n, cap_r + 1, cap_c + 1), dtype=bool)
    for i in range(n):
        c, r = int(comp[i]), int(rooms[i]) if room_axis else 0
        if c > cap_c or r > cap_r:
            continue
        candidate = best[:cap_r + 1 - r, :cap_c + 1 - c] + value[i]
        target = best[r:, c:]
        take = candidate > target
        # one item at a time: read the table before this item (candidate is a copy) and write the improved cells
        target[take] = candidate[take]
        keep[i, r:, c:] = take
    # the cell with the best value that the budget affords, the cheapest of them
    r_idx, c_idx = np.meshgrid(np.arange(cap_r + 1), np.arange(cap_c + 1), indexing="ij")
    cost = c_idx * (budget.unit_price if budget.in_money else 1) + (r_idx * budget.room_cost if room_axis else 0)
    affordable = cost <= budget.total
    top = best[affordable].max()
    cells = np.argwhere(affordable & (best == top))
    r_at, c_at = min(cells, key=lambda rc: (cost[rc[0], rc[1]], rc[1]))
    chosen = np.zeros(n, dtype=bool)
    for i in range(n - 1, -1, -1):
        if keep[i, r_at, c_at]:
            chosen[i] = True
            r_at -= int(rooms[i]) if room_axis else 0
            c_at -= int(comp[i])
    return chosen


def plan(frame: pd.DataFrame, budget: Budget, rule: str, leftover: str = "next") -> Plan:
    """Allocate `budget` over the schools of `frame` (rows of informatics_computers for one period) by `rule`.
    Returns every row of `frame` with: allocated (computers), rooms (new rooms), cost, reaches (brought to the
    standard by this plan), topped_up (leftover computers without reaching it), order (the rule's rank, 1 = first),
    and the figures after the purchase (it_rooms_after, it_computers_after, computers_needed_after,
    pupils_per_computer_after, target_met_after)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if leftover not in LEFTOVER:
        raise ValueError(f"unknown leftover {leftover!r}")
    out = frame.reset_index(drop=True).copy()
    cand = needs(out)
    codes = list(cand["school_code"])
    order = rule_order(cand, rule)
    rank = {code: i + 1 for i, code in enumerate(order)}
    comp = cand["computers_needed"].astype(int).to_numpy()
    rooms = _flag(cand, "no_room").astype(int)
    pupils = cand["it_students"].fillna(0).astype(np.int64).to_numpy()
    costs = np.array([budget.cost(int(c), int(r)) for c, r in zip(comp, rooms)], dtype=np.int64)
    chosen, method = np.zeros(len(cand), dtype=bool), "order"
    if rule in ("most_schools", "most_pupils") and len(cand):
        n, total_pupils = len(cand), int(pupils.sum())
        value = (np.ones(n, dtype=np.int64) * (total_pupils + 1) + pupils if rule == "most_schools"
                 else pupils * (n + 1) + 1)
        exact = _knapsack(comp, rooms, value, budget)
        if exact is not None:
            chosen, method = exact, "dp"
        else:  # too large for the table: cheapest first is still the most schools (exchange argument)
            density = costs if rule == "most_schools" else -pupils / np.maximum(costs, 1)
            method = "greedy_cheapest" if rule == "most_schools" else "greedy_density"
            left = budget.total
            for i in np.argsort(density, kind="stable"):
                if costs[i] <= left:
                    chosen[i], left = True, left - costs[i]
    elif len(cand):
        left = budget.total
        position = {code: i for i, code in enumerate(codes)}
        for code in order:
            i = position[code]
            if costs[i] <= left:
                chosen[i], left = True, left - costs[i]
    spent = int(costs[chosen].sum())
    if method != "order":  # the chosen schools first, then the others (who may get the leftover), each by the rule
        picked = set(np.array(codes, dtype=object)[chosen])
        order = [c for c in order if c in picked] + [c for c in order if c not in picked]
        rank = {code: i + 1 for i, code in enumerate(order)}
    allocated = dict(zip(codes, np.where(chosen, comp, 0)))
    new_rooms = dict(zip(codes, np.where(chosen, rooms, 0)))
    topped = {}
    if leftover == "next":
        price = budget.unit_price if budget.in_money else 1
        left = budget.total - spent
        index = dict(zip(codes, range(len(codes))))
        for code in order:
            i = index[code]
            if chosen[i] or rooms[i] or left < price:
                continue
            extra = int(min(comp[i], left // price))
            if extra:
                allocated[code], left, topped[code] = extra, left - extra * price, True
                spent += extra * price
    out["allocated"] = out["school_code"].map(allocated).fillna(0).astype(int)
    out["rooms"] = out["school_code"].map(new_rooms).fillna(0).astype(int)
    out["cost"] = [budget.cost(c, r) for c, r in zip(out["allocated"], out["rooms"])]
    # brought to the standard: the whole need (and its room) given, by the rule or by the leftover
    full = {code: bool(allocated[code] == comp[i] and new_rooms[code] == rooms[i]) for i, code in enumerate(codes)}
    topped = {code: on for code, on in topped.items() if not full[code]}
    out["reaches"] = [full.get(code, False) for code in out["school_code"]]
    out["topped_up"] = [topped.get(code, False) for code in out["school_code"]]
    out["order"] = out["school_code"].map(rank).astype("Int64")
    return Plan(_after(out), budget, rule, leftover, int(spent), method)


def _after(out: pd.DataFrame) -> pd.DataFrame:
    """The view's figures after the purchase, by the same definitions (DOMAIN §7)."""
    rooms_after = out["it_rooms"].astype("Int64") + out["rooms"]
    computers_after = out["it_computers"].astype("Int64") + out["allocated"]
    out["it_rooms_after"] = rooms_after
    out["it_computers_after"] = computers_after
    per_room = (computers_after / rooms_after.where(rooms_after > 0)).where(computers_after > 0)
    out["pupils_per_computer_after"] = (out["class_size"].astype("Float64") / per_room).astype(float)
    needed = out["computers_needed"].astype("Int64")
    out["computers_needed_after"] = (needed - out["allocated"]).where(~out["reaches"], 0)
    met = out["target_met"].astype("boolean")
    out["target_met_after"] = met.where(~out["reaches"], True)
    return out


def before_after(plan_: Plan, by: str) -> pd.DataFrame:
    """Per `by` (ward_new or level): schools, those meeting the ratio before and after, computers before and
    after, computers needed before and after, computers and rooms bought, cost."""
    s = plan_.schools
    grouped = s.assign(met_before=s["target_met"].fillna(False).astype(bool),
                       met_after=s["target_met_after"].fillna(False).astype(bool)).groupby(by, dropna=False)
    return grouped.agg(schools=("school_code", "count"), schools_met=("met_before", "sum"),
                       schools_met_after=("met_after", "sum"), computers=("it_computers", "sum"),
                       computers_after=("it_computers_after", "sum"), computers_needed=("computers_needed", "sum"),
                       computers_needed_after=("computers_needed_after", "sum"), allocated=("allocated", "sum"),
                       rooms=("rooms", "sum"), cost=("cost", "sum")).reset_index()
