"""Clients served by plekken (analysis.plekken): one definition for the plek table and the KPI, on
hand-built trajecten; the numbers are computed by hand in the comments."""
from __future__ import annotations

import pytest

from simulation.analysis.kpis import kpis
from simulation.analysis.plekken import clienten_weights, episode_spans
from simulation.config.scenario import scenario_from_dict
from simulation.funding.payments import compute_payments
from scenarios import back_to_back, event_log, funding_base as base, funding_contract as contract, traject_rows

T = 36_500.0   # tariff at planned doorlooptijd 365: plek-day price 100
PLEKKEN3 = contract("plekken", plekken=3, tariffs={"standaard": T})


def plek_table_and_kpi(rows, horizon_years=1, contracts=(PLEKKEN3,)):
    """(plek table of the payments, KPI table) for the same hand-built trajecten."""
    sc = scenario_from_dict(base(list(contracts), horizon_years=horizon_years))
    fund = compute_payments(sc, trajecten=traject_rows(rows), replications=[0])
    return fund.plekken.set_index("year"), _at_p1(kpis(event_log(rows), sc)).set_index("year")


# -- the note's example (004 par. 8): 3 / 3.5 / 2.5 clients for the same budget -------------------

@pytest.mark.parametrize("d, served", [(365.0, 3.0), (365.0 * 3 / 3.5, 3.5), (365.0 * 3 / 2.5, 2.5)])
def test_note_example_3_35_25_clients_in_the_plek_table_and_the_kpi(d, served):
    # d = 365: three trajecten 0-365, 1 each -> 3.
    # d = 312.86: per plek 0-312.86 (1) + 312.86-625.71 with 52.14 days in 2022 (52.14 / 312.86 = 1/6) -> 3 x 7/6 = 3.5.
    # d = 438: per plek 0-438 with 365 days in 2022: 365 / 438 = 5/6 -> 3 x 5/6 = 2.5.
    pk, kpi = plek_table_and_kpi(back_to_back(d), horizon_years=2)
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(served, rel=1e-12)
    assert kpi.loc[2022, "clienten_per_plek"] == pytest.approx(served / 3, rel=1e-12)
    assert pk.loc[2022, "empty"] == 0


# -- open at the year end, open at the horizon, empty plekken, continuations ---------------------

def test_clients_in_care_at_the_year_end_count_their_share_of_their_own_doorlooptijd():
    # two clients 0-547.5 (1.5 years), one 0-182.5; horizon 2 years.
    # 2022: 2 x 365 / 547.5 + 182.5 / 182.5 = 2.3333; 2023: 2 x 182.5 / 547.5 = 0.6667; together the 3 clients.
    # (the old identity, occupied 912.5 / mean closed doorlooptijd 182.5, gave 5.0 for 2022)
    rows = [(0, 0, 547.5), (1, 0, 547.5), (2, 0, 182.5)]
    pk, kpi = plek_table_and_kpi(rows, horizon_years=2)
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(2 + 1 / 3, rel=1e-12)
    assert pk.loc[2023, "clienten_equivalent"] == pytest.approx(2 / 3, rel=1e-12)
    assert kpi.loc[2022, "clienten_per_plek"] == pytest.approx((2 + 1 / 3) / 3, rel=1e-12)
    assert kpi.loc[2023, "clienten_per_plek"] == pytest.approx((2 / 3) / 3, rel=1e-12)


def test_open_at_the_horizon_counts_at_least_the_mean_closed_doorlooptijd_of_its_pool():
    # one year; two clients still in care at the horizon (365 days so far), one 0-182.5:
    # the open ones count 365 / max(365, 182.5) = 1 each -> 3 (the old identity gave 5.0).
    pk, kpi = plek_table_and_kpi([(0, 0, 365, "einde_horizon"), (1, 0, 365, "einde_horizon"), (2, 0, 182.5)])
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(3.0, rel=1e-12)
    assert kpi.loc[2022, "clienten_per_plek"] == pytest.approx(1.0, rel=1e-12)
    # two years; closed trajecten of 438 days; one started on day 300 is open at the horizon (430 days so far):
    # it lasts max(430, 438) = 438 days: 65 / 438 in 2022, 365 / 438 in 2023.
    rows = [(0, 0, 438), (1, 0, 438), (2, 300, 730, "einde_horizon")]
    first, last = episode_spans(traject_rows(rows))
    assert list(last - first) == [438, 438, 438]
    pk, _ = plek_table_and_kpi(rows, horizon_years=2)
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(2 * 365 / 438 + 65 / 438, rel=1e-12)
    assert pk.loc[2023, "clienten_equivalent"] == pytest.approx(2 * 73 / 438 + 365 / 438, rel=1e-12)


def test_an_empty_plek_serves_nobody_and_is_paid_back():
    # 3 plekken, two clients all year, the third plek empty: 2 clients, 2/3 per plek, 365 plek-days paid back.
    pk, kpi = plek_table_and_kpi([(0, 0, 365), (1, 0, 365)])
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(2.0, rel=1e-12)
    assert pk.loc[2022, "empty"] == pytest.approx(365)
    assert kpi.loc[2022, "clienten_per_plek"] == pytest.approx(2 / 3, rel=1e-12)


def test_a_verlenging_keeps_the_client_it_does_not_add_one():
    # client 0: 0-200 then a verlenging 200-400 (one episode of 400 days): 365 / 400 in 2022;
    # client 1: 0-365. Counting trajecten would give 1 + 165/200 + 1.
    rows = [(0, 0, 200, "verlenging"), (0, 200, 400, "afschaling", True), (1, 0, 365)]
    assert clienten_weights(traject_rows(rows), 0, 365).sum() == pytest.approx(365 / 400 + 1, rel=1e-12)
    pk, kpi = plek_table_and_kpi(rows, horizon_years=2)
    assert pk.loc[2022, "clienten_equivalent"] == pytest.approx(365 / 400 + 1, rel=1e-12)
    assert kpi.loc[2022, "clienten_per_plek"] == pytest.approx((365 / 400 + 1) / 3, rel=1e-12)
    assert pk["clienten_equivalent"].sum() == pytest.approx(2.0, rel=1e-12)    # each client once over the run


def test_a_continuation_without_its_predecessor_in_the_table_opens_its_own_episode():
    rows = [(0, 100, 300, "afschaling", True)]      # predecessor stopped before the log began
    first, last = episode_spans(traject_rows(rows))
    assert (first[0], last[0]) == (100, 300)


def _at_p1(kpi):
    """The rows of the hand-built log's provider (P2 is in the scenario too: its rows are zeros)."""
    return kpi[kpi["provider"] == "P1"]

