"""KPIs per quarter (kpis(period="quarter")) on a hand-built log: flows over the quarter, stocks at its
ends; the quarters of a flow add up to the year; the yearly table is the default and unchanged."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import simulate
from simulation.analysis.kpis import kpis, summarise
from simulation.config.scenario import scenario_from_dict
from scenarios import event_log, flow_scenario, funding_base as base, funding_contract as contract

# 2022, one year: Q1 days [0, 90), Q2 [90, 181), Q3 [181, 273), Q4 [273, 365)
ROWS = [
    (0, -100, 50),                               # in care on 1 January, leaves in Q1 after 150 days
    (1, 10, 200, "afschaling", False, 5),        # waited 5 days, starts in Q1, leaves in Q3 after 190 days
    (2, 95, 365, "einde_horizon"),               # starts in Q2, still in care at the horizon
    (3, 280, 300, "uitval"),                     # starts and drops out in Q4 (20 days)
    (4, 190, 365, "einde_horizon", False, 20),   # waits from day 170 (over the end of Q2), starts in Q3
]


@pytest.fixture(scope="module")
def tables():
    sc = scenario_from_dict(base([contract("plekken", plekken=3, tariffs={"standaard": 36_500})]))
    ev = event_log(ROWS)
    # the log is P1's; P2, in the scenario too, has rows of zeros (tested in test_zero_activity.py)
    q, y = kpis(ev, sc, period="quarter"), kpis(ev, sc)
    return q[q["provider"] == "P1"].set_index("kwartaal"), y[y["provider"] == "P1"].set_index("year")


def test_quarterly_kpis_by_hand(tables):
    q, _ = tables
    assert list(q.index) == [1, 2, 3, 4] and (q["year"] == 2022).all()
    assert list(q["dagen"]) == [90, 91, 92, 92]
    assert list(q["instroom"]) == [1, 1, 1, 1]                   # clients 1, 2, 4, 3
    assert list(q["uitstroom"]) == [1, 0, 1, 1]                  # clients 0, -, 1, 3
    assert list(q["caseload_1jan"]) == [1, 1, 2, 2]              # in care at the quarter start: 0 | 1 | 1,2 | 2,4
    assert list(q["unieke_clienten"]) == [2, 2, 3, 3]            # 0,1 | 1,2 | 1,2,4 | 2,3,4
    assert list(q["wachtlijst_eind"]) == [0, 1, 0, 0]            # client 4 waits over the end of Q2
    np.testing.assert_array_equal(q["doorlooptijd_gem"], [150, np.nan, 190, 20])
    np.testing.assert_array_equal(q["wacht_dagen_gem"], [5, 0, 20, 0])
    np.testing.assert_array_equal(q["aandeel_uitval"], [0, np.nan, 0, 1])
    # clients served in Q1: client 0 spends 50 of its 150 days in Q1, client 1 80 of its 190; 3 plekken
    assert q.loc[1, "clienten_per_plek"] == pytest.approx((50 / 150 + 80 / 190) / 3, rel=1e-12)
    assert (q["plekken"] == 3).all()


def test_quarters_of_a_flow_add_up_to_the_year(tables):
    q, y = tables
    for col in ("instroom", "uitstroom", "dagen"):
        assert q[col].sum() == y.loc[2022, col]
    assert y.loc[2022, "instroom"] == 4 and y.loc[2022, "uitstroom"] == 3
    # clients served by the plekken split over the quarters without loss
    assert q["clienten_per_plek"].sum() == pytest.approx(y.loc[2022, "clienten_per_plek"], rel=1e-12)
    assert q.loc[1, "caseload_1jan"] == y.loc[2022, "caseload_1jan"]       # the year's stock is Q1's


def test_quarters_add_up_in_a_simulated_run_and_summarise_keeps_the_quarter():
    res = simulate(flow_scenario(per_year=80, d=120), seed=4, replications=2)
    q = kpis(res.events, res.scenario, period="quarter")
    y = kpis(res.events, res.scenario)
    keys = ["replication", "year", "municipality", "segment", "provider"]
    summed = q.groupby(keys, observed=True)[["instroom", "uitstroom", "dagen"]].sum().reset_index()
    pd.testing.assert_frame_equal(summed, y[keys + ["instroom", "uitstroom", "dagen"]], check_dtype=False,
                                  check_categorical=False)
    last = q.sort_values("kwartaal").groupby(keys, observed=True).tail(1).sort_values(keys)
    np.testing.assert_array_equal(last["wachtlijst_eind"], y["wachtlijst_eind"])   # year-end stock = Q4's
    s = summarise(q, ["instroom"])
    assert {"year", "kwartaal", "instroom_gem"} <= set(s.columns) and len(s) == len(q) // 2


def test_an_unknown_period_names_the_choices():
    with pytest.raises(ValueError, match="period"):
        kpis(event_log(ROWS), scenario_from_dict(base()), period="maand")
