"""Open house over time (003 par. 6.2): a provider with an entry_date has choice weight 0 before it."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from simulation.config.scenario import scenario_from_dict
from simulation.core.compiled import CompiledScenario
from simulation.core import rules
from simulation.experiment.runner import run_replication
from scenarios import SMOKE


def _entry_scenario(entries: dict[str, str]) -> dict:
    raw = copy.deepcopy(SMOKE)   # start 2022-01-01, 365 days of warm-up (the default)
    raw["providers"]["P3"] = {"segments": {"S1": {"weight": 1}}, "entry_date": entries["P3"]}
    raw["providers"]["P4"] = {"segments": {"S1": {"weight": 4}}, "entry_date": entries["P4"]}
    return raw


def test_choice_weights_over_time_by_hand():
    raw = _entry_scenario({"P3": "2022-07-01", "P4": "2023-01-01"})
    tables = CompiledScenario(scenario_from_dict(raw))
    a, b, s1 = 0, 1, 0                     # municipalities A (P1 w 2, P2 w 1) and B (P1 only), segment S1
    p1, p2, p3, p4 = 0, 1, 2, 3
    assert tables.entry_days == [181.0, 365.0]   # 1 Jul 2022 and 1 Jan 2023, days after 1 Jan 2022

    def shares(m, day):
        providers, cum = tables.choice_at(m, s1, day)
        return dict(zip(providers, np.diff([0.0, *cum])))

    # before 1 July 2022 (and in the warm-up, and for the initial caseload): P1 2/3, P2 1/3
    for day in (None, -365.0, 0.0, 180.9):
        assert shares(a, day) == pytest.approx({p1: 2 / 3, p2: 1 / 3})
    # from 1 July 2022: P3 (w 1) in, total 4: 1/2, 1/4, 1/4
    assert shares(a, 181.0) == pytest.approx({p1: 0.5, p2: 0.25, p3: 0.25})
    # from 1 January 2023: P4 (w 4) in, total 8: 2/8, 1/8, 1/8, 4/8
    assert shares(a, 400.0) == pytest.approx({p1: 0.25, p2: 0.125, p3: 0.125, p4: 0.5})
    assert shares(b, 400.0) == pytest.approx({p1: 2 / 7, p3: 1 / 7, p4: 4 / 7})   # no P2 in B
    # the draw: u = 0.6 falls to P2 (2/3 .. 1) before entry, to P3 (3/4 .. 1) between, to P4 after
    u = np.zeros(8)
    u[rules.T_PROVIDER] = 0.6
    assert [rules.provider(tables, a, s1, u, d) for d in (None, 100.0, 200.0, 500.0)] == [p1, p1, p2, p4]
    vt = tables.arrays()
    days = np.array([-np.inf, 100.0, 200.0, 500.0])
    draws = np.tile(u, (4, 1))
    picked = rules.provider_v(vt, np.zeros(4, dtype=int), np.zeros(4, dtype=int), draws, days)
    assert picked.tolist() == [p1, p1, p2, p4]


def test_no_client_goes_to_an_entrant_before_its_entry_date():
    raw = _entry_scenario({"P3": "2022-07-01", "P4": "2023-01-01"})
    raw["horizon_years"] = 2
    log, _ = run_replication(scenario_from_dict(raw), seed=3, replication=0)
    first = log[log["event"] == "toewijzing"].groupby("provider")["date"].min()
    assert str(first["P3"]) >= "2022-07-01" and str(first["P4"]) >= "2023-01-01"
    assert str(first["P1"]) < "2022-02-01"


def test_an_entry_date_before_the_warm_up_changes_nothing():
    base = copy.deepcopy(SMOKE)
    early = copy.deepcopy(SMOKE)
    early["providers"]["P2"]["entry_date"] = "2020-01-01"   # before the warm-up starts on 1 Jan 2021
    one, _ = run_replication(scenario_from_dict(base), seed=1, replication=0)
    two, _ = run_replication(scenario_from_dict(early), seed=1, replication=0)
    assert one.equals(two)


def test_every_provider_with_an_entry_date_is_refused():
    raw = copy.deepcopy(SMOKE)
    for p in raw["providers"].values():
        p["entry_date"] = "2022-07-01"
    with pytest.raises(ValueError, match="entry_date"):
        scenario_from_dict(raw)
