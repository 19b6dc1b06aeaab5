"""A regional budget contract (regio_budget) through the model: it acts on the flow of every
municipality it covers, pays what per-municipality budget contracts with the same total budget pay,
and conserves money per contract-year."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from simulation import simulate
from simulation.funding.payments import compute_payments
from simulation.funding.shares import municipality_shares
from scenarios import flow_scenario

POP = {"Venlo": 101_797, "Venray": 43_596, "Beesel": 13_483}   # inhabitants 1-1-2020 (004 par. 9)
REAL = {"basis": "pxq", "unit_price": 80}
TYPES = {"standaard": {"share": 1, "weight": 3, "planned_doorlooptijd": 120,
                       "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.7}}}
BUDGET = 300_000


def region(contracts, **kw):
    raw = flow_scenario(contracts, providers=("P1", "P2"), types=TYPES, per_year=120, **kw)
    raw["municipalities"] = {m: {"population": p} for m, p in POP.items()}
    return raw


def regional(**kw):
    return {"variant": "regio_budget", "provider": "P1", "segment": "S3", "budget": BUDGET, "realisation": REAL,
            "municipalities": "all", **kw}


def own(m, **kw):
    """The municipality's own budget contract with its key share of the regional budget."""
    share = POP[m] / sum(POP.values())
    return {"variant": "budget", "municipality": m, "provider": "P1", "segment": "S3", "budget": BUDGET * share,
            "realisation": REAL, **kw}


def run(contracts, seed=5, replications=2):
    res = simulate(region(contracts), seed=seed, replications=replications)
    return res, compute_payments(res.scenario, events=res.events)


def by(fund, keys):
    p = fund.payments.assign(municipality=fund.payments["municipality"].astype(str))
    return p.groupby(keys, observed=True)["amount"].sum()


def test_regional_budget_pays_what_per_municipality_budgets_pay():
    """Band 0: the regional final is the regional realisation, and each municipality's rows add up to
    its own realisation, exactly what its own budget contract (key share of the budget) pays. The
    flow is the same (a budget has no flow effect), so per replication, municipality, year and kind
    the money is the same up to rounding (advances: w x B either way)."""
    res_r, fund_r = run([regional()])
    res_o, fund_o = run([own(m) for m in POP])
    assert res_r.events.equals(res_o.events)
    keys = ["replication", "municipality", "year", "kind"]
    a, b = by(fund_r, keys), by(fund_o, keys)
    pd.testing.assert_series_equal(a, b, rtol=1e-9)
    total_r = fund_r.finals.groupby(["replication", "year"])["final"].sum()
    total_o = fund_o.finals.groupby(["replication", "year"])["final"].sum()
    pd.testing.assert_series_equal(total_r, total_o, rtol=1e-9)
    assert (total_r > 0).all() and len(fund_r.finals) == 4        # 2 replications x 2 years, one contract
    settlements = by(fund_r, ["municipality", "kind"]).xs("settlement", level="kind")
    assert (settlements.abs() > 1000).all()                       # realisation differs from the key: a real test
    shares = municipality_shares(res_r.scenario, fund_r)
    sums = shares.groupby(["replication", "year"])["verrekening_gemeenten"].sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-6)
    np.testing.assert_allclose(shares.groupby(["replication", "year"])["aandeel_realisatie"].sum().to_numpy(),
                               total_r.to_numpy(), rtol=1e-12)


def test_regional_contract_acts_on_the_flow_of_every_municipality_it_covers():
    """Behaviour on a regional contract (doorlooptijd factor, refusal of heavy clients) changes the
    flow of every covered municipality exactly as the same behaviour on each municipality's own
    contract does; leaving Beesel out of the regional contract leaves Beesel's trajecten as without it."""
    behaviour = {"doorlooptijd_factor": 1.3, "refusal_probability": 0.4, "source": "assumption: test"}
    res_r, _ = run([regional(behaviour=behaviour)])
    res_o, _ = run([own(m, behaviour=behaviour) for m in POP])
    assert res_r.events.equals(res_o.events)
    neutral, _ = run([regional()])
    assert not res_r.events.equals(neutral.events)
    part, _ = run([regional(behaviour=behaviour, municipalities=["Venlo", "Venray"])])
    ev = part.events
    beesel = ev[ev["municipality"].astype(str) == "Beesel"].reset_index(drop=True)
    beesel_neutral = neutral.events[neutral.events["municipality"].astype(str) == "Beesel"].reset_index(drop=True)
    pd.testing.assert_frame_equal(beesel, beesel_neutral)
    assert not ev[ev["municipality"].astype(str) == "Venlo"].reset_index(drop=True).equals(
        neutral.events[neutral.events["municipality"].astype(str) == "Venlo"].reset_index(drop=True))


@pytest.mark.parametrize("band, settlement", [(0.0, "whole"), (0.05, "outside_band"), (0.5, "whole")])
def test_money_conserved_for_the_regional_budget(band, settlement):
    """advances + settlements = final per contract-year, and the rows of the municipalities add up
    to the regional final; with an own traject contract next to it for another provider."""
    contracts = [regional(band=band, settlement=settlement, municipalities=["Venlo", "Beesel"]),
                 {"variant": "traject", "municipality": "Venray", "provider": "P1", "segment": "S3",
                  "tariffs": {"standaard": 4000}},
                 regional(provider="P2", budget=50_000, band=band, settlement=settlement)]
    res, fund = run(contracts, seed=9)
    t = fund.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], atol=1e-6)
    assert set(t["contract"]) == {0, 1, 2}
    fin = fund.finals_by_municipality(res.scenario.funding.contracts)
    np.testing.assert_allclose(fin.groupby(["replication", "contract", "year"])["final"].sum().to_numpy(),
                               fund.finals.sort_values(["replication", "contract", "year"])["final"].to_numpy(),
                               atol=1e-6)
    shares = municipality_shares(res.scenario, fund)
    assert set(shares["municipality"]) == set(POP)
    np.testing.assert_allclose(shares.groupby(["replication", "year"])["verrekening_gemeenten"].sum(), 0.0, atol=1e-6)


def test_per_municipality_spend_of_compare_measures_includes_the_regional_contract():
    """compare's measures attribute a regional contract's final to the municipalities by its rows, so
    per-municipality uitgaven equal those under per-municipality budget contracts."""
    from simulation.experiment.compare import measures
    res_r, _ = run([regional()], replications=1)
    res_o, _ = run([own(m) for m in POP], replications=1)
    a, _ = measures(res_r.scenario, res_r.events)
    b, _ = measures(res_o.scenario, res_o.events)
    cols = ["replication", "municipality", "year", "uitgaven", "verrekening", "unieke_clienten"]
    a = a[cols].sort_values(cols[:3]).reset_index(drop=True)
    b = b[cols].sort_values(cols[:3]).reset_index(drop=True)
    assert set(a["municipality"]) == set(POP)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_regional_budget_is_the_framework_of_an_extra_capacity_contract_by_its_key_share():
    """Venlo has 1 plek at P1 (providers.P1.plekken), always full; P2 outside the raamovereenkomst takes
    Venlo's clients at 1,000 a traject while its extra spend of the year stays within 10% of the
    framework value. The framework is the regional budget, of which Venlo's key share is set to
    30,000: 10% x 30,000 / 1,000 = 3 extra trajecten a year, as with Venlo's own budget contract of
    30,000. Events and payments are the same either way. The payment cap is on the contracted value
    too (004 par. 7), Venlo's key share of the regional budget: P2 is paid its 3 trajecten, 3,000 a
    year, exactly the 10% (under a cap on realised finals it would have been cut to 1,251.43)."""
    w = POP["Venlo"] / sum(POP.values())
    extra = {"variant": "traject", "municipality": "Venlo", "provider": "P2", "segment": "S3",
             "tariffs": {"standaard": 1000}, "extra_capacity": True, "max_extra_share": 0.10}

    def go(framework):
        raw = region(framework + [extra])
        raw["providers"]["P1"]["plekken"] = {"Venlo": {"S3": 1}}
        res = simulate(raw, seed=5, replications=1)
        return res, compute_payments(res.scenario, events=res.events)

    res_r, fund_r = go([regional(budget=30_000 / w)])
    res_o, fund_o = go([own(m, budget=30_000 / w * POP[m] / sum(POP.values())) for m in POP])
    assert res_r.events.equals(res_o.events)
    ev = res_r.events
    toew = ev[(ev["event"] == "toewijzing") & (ev["reden"] == "extra_capaciteit")]
    assert toew.groupby(toew["date"].dt.year).size().to_dict() == {2022: 3, 2023: 3}
    p2_r = fund_r.finals[fund_r.finals["contract"] == 1].set_index("year")["final"]
    p2_o = fund_o.finals[fund_o.finals["contract"] == 3].set_index("year")["final"]
    pd.testing.assert_series_equal(p2_r, p2_o, rtol=1e-9)
    np.testing.assert_allclose(p2_r.to_numpy(), [0.1 * 30_000] * 2, rtol=1e-12)
