"""Budgetplafond commitments (aangegane verplichtingen, 004 annex 1) per month from a hand-built event log."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.config.scenario import scenario_from_dict
from simulation.funding.commitments import plafond_commitments
from scenarios import funding_base as base, funding_contract as contract

REAL = {"basis": "traject", "tariffs": {"standaard": 1000}, "verlenging": "nieuw_traject"}   # a verlenging is paid again


def log(rows):
    """rows: (day, event, client, traject, provider, reden); one municipality, segment and traject type."""
    out = pd.DataFrame(rows, columns=["day", "event", "client", "traject", "provider", "reden"])
    out.insert(0, "replication", 0)
    out["municipality"], out["segment"], out["traject_type"] = "Venlo", "S3", "standaard"
    out["wacht_dagen"] = np.where(out["event"] == "start_zorg", 0.0, np.nan)
    out["doorlooptijd"] = np.nan
    out["sinds_dag"] = np.nan
    return out


def test_commitments_per_month_against_the_ceiling():
    """Ceiling 2,500 a year; planned value (tariff) 1,000.
    A: toegewezen to P1 on day 10 (January), care 10-20.
    B: first P2 on day 40, overstap to P1 the same day (February), care 40-50; its verlenging is a new
       toewijzing on day 50 (February), care 50-60: committed 3,000 by February, room -500 (a continuation
       is never stopped).
    C: toegewezen on day 70 (March), wachtlijst for the budgetplafond, care from 1 January 2023 (day 365):
       committed in January 2023, against the new year's ceiling.
    Invoices (plafond: realisation up to the ceiling): 1,000 in January, 1,500 in February (capped), 1,000 in
    January 2023."""
    sc = scenario_from_dict(base([contract("plafond", ceiling=2_500, realisation=REAL)], horizon_years=2))
    ev = log([
        (10, "toewijzing", 1, 1000, "P1", None), (10, "start_zorg", 1, 1000, "P1", None),
        (20, "stop_zorg", 1, 1000, "P1", "afschaling"),
        (40, "toewijzing", 2, 2000, "P2", None), (40, "toewijzing", 2, 2000, "P1", "overstap"),
        (40, "start_zorg", 2, 2000, "P1", None), (50, "stop_zorg", 2, 2000, "P1", "verlenging"),
        (50, "toewijzing", 2, 2001, "P1", "verlenging"), (50, "start_zorg", 2, 2001, "P1", "verlenging"),
        (60, "stop_zorg", 2, 2001, "P1", "afschaling"),
        (70, "toewijzing", 3, 3000, "P1", None), (70, "wachtlijst", 3, 3000, "P1", "budgetplafond"),
        (365, "start_zorg", 3, 3000, "P1", None), (375, "stop_zorg", 3, 3000, "P1", "afschaling"),
    ])
    t = plafond_commitments(sc, ev).set_index(["year", "month"])
    assert len(t) == 24 and set(t["contract"]) == {0}
    assert t.loc[(2022, 1), "committed"] == 1_000 and t.loc[(2022, 2), "committed"] == 2_000
    assert t.loc[(2022, 3), "committed"] == 0                      # C waits: no commitment yet
    assert t.loc[(2022, 12), "committed_cum"] == 3_000
    assert t.loc[(2022, 1), "room"] == 1_500 and t.loc[(2022, 2), "room"] == -500
    assert t.loc[(2022, 1), "spent_cum"] == 1_000 and t.loc[(2022, 2), "spent_cum"] == pytest.approx(2_500)
    assert t.loc[(2022, 12), "spent_cum"] == pytest.approx(2_500)
    assert (t["ceiling"] == 2_500).all()
    assert t.loc[(2023, 1), "committed"] == 1_000 and t.loc[(2023, 1), "committed_cum"] == 1_000
    assert t.loc[(2023, 1), "spent_cum"] == 1_000 and t.loc[(2023, 12), "room"] == 1_500


def test_ceiling_is_prorated_to_the_contract_days_and_other_contracts_are_left_out():
    """A plafond from 1 July 2022 (184 of 365 days): ceiling 3,650 x 184 / 365 = 1,840 in 2022; only its
    months are reported; a lumpsum contract has no ceiling and no rows."""
    sc = scenario_from_dict(base([contract("plafond", ceiling=3_650, realisation=REAL, start="2022-07-01"),
                                  contract("lumpsum", provider="P2", amount=1_000)]))
    ev = log([(200, "toewijzing", 1, 1000, "P1", None), (200, "start_zorg", 1, 1000, "P1", None),
              (210, "stop_zorg", 1, 1000, "P1", "afschaling"),
              (100, "toewijzing", 2, 2000, "P1", None), (100, "start_zorg", 2, 2000, "P1", None),   # before the contract
              (110, "stop_zorg", 2, 2000, "P1", "afschaling")])
    t = plafond_commitments(sc, ev)
    assert list(t["month"]) == [7, 8, 9, 10, 11, 12]
    assert t["ceiling"].iloc[0] == pytest.approx(1_840)
    assert t["committed"].sum() == 1_000 and t["room"].iloc[-1] == pytest.approx(840)


def test_page_04_sums_the_municipalitys_contracts_and_averages_the_replications():
    """Two plafond contracts (P1 2,500, P2 1,000; B's overstap leaves P2 without commitments) and two
    replications (0: A in January, B and its verlenging in February; 1: only A): the page's month table."""
    from types import SimpleNamespace

    from simulation.report.variants import commitments_per_month

    sc = scenario_from_dict(base([contract("plafond", ceiling=2_500, realisation=REAL),
                                  contract("plafond", provider="P2", ceiling=1_000, realisation=REAL)]))
    a = [(10, "toewijzing", 1, 1000, "P1", None), (10, "start_zorg", 1, 1000, "P1", None),
         (20, "stop_zorg", 1, 1000, "P1", "afschaling")]
    b = [(40, "toewijzing", 2, 2000, "P2", None), (40, "toewijzing", 2, 2000, "P1", "overstap"),
         (40, "start_zorg", 2, 2000, "P1", None), (50, "stop_zorg", 2, 2000, "P1", "verlenging"),
         (50, "toewijzing", 2, 2001, "P1", "verlenging"), (50, "start_zorg", 2, 2001, "P1", "verlenging"),
         (60, "stop_zorg", 2, 2001, "P1", "afschaling")]
    ev = pd.concat([log(a + b), log(a).assign(replication=1)], ignore_index=True)
    t = commitments_per_month(SimpleNamespace(scenarios={"plafond": sc}, events={"plafond": ev}), "Venlo", 2022)
    t = t.set_index("month")
    assert list(t.index) == list(range(1, 13))
    assert t.loc[1, "committed_cum"] == 1_000 and t.loc[2, "committed_cum"] == (3_000 + 1_000) / 2
    assert (t["ceiling"] == 3_500).all() and t.loc[2, "room"] == 3_500 - 2_000
    assert t.loc[12, "spent_cum"] == pytest.approx((2_500 + 1_000) / 2)   # P1 capped at its ceiling in replication 0


def test_a_plafond_contract_without_commitments_has_its_rows_at_zero():
    """B's overstap leaves P2's plafond without any commitment: its months are 0 committed, full room."""
    sc = scenario_from_dict(base([contract("plafond", ceiling=2_500, realisation=REAL),
                                  contract("plafond", provider="P2", ceiling=1_000, realisation=REAL)]))
    ev = log([(40, "toewijzing", 2, 2000, "P2", None), (40, "toewijzing", 2, 2000, "P1", "overstap"),
              (40, "start_zorg", 2, 2000, "P1", None), (50, "stop_zorg", 2, 2000, "P1", "afschaling")])
    p2 = plafond_commitments(sc, ev).query("provider == 'P2'")
    assert len(p2) == 12 and (p2["committed_cum"] == 0).all() and (p2["room"] == 1_000).all()
