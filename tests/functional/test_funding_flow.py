"""Flow effects of contracts in the model: plekken pools, budgetplafond, refusal, doorlooptijd factor,
and the Noord-Limburg example coming out of the model itself."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from simulation import compare, simulate
from scenarios import flow_scenario as scenario, funding_contract as contract
from simulation.funding.commitments import plafond_commitments
from simulation.funding.payments import compute_payments
from simulation.analysis.kpis import kpis
from simulation.analysis.tables import traject_table

T = 36_500.0


@pytest.mark.parametrize("d, served", [(365.0, 3.0), (365.0 * 3 / 3.5, 3.5), (365.0 * 3 / 2.5, 2.5)])
def test_noord_limburg_example_from_the_model(d, served):
    """3 plekken always in demand: the budget stays 3 x tariff, the clients served follow the doorlooptijd."""
    sc = scenario([contract("plekken", plekken=3, tariffs={"standaard": T})], d=d)
    res = simulate(sc, seed=3, replications=1)
    tr = traject_table(res.events)
    in_2022 = tr[(tr["start"] < 365) & (tr["stop"] > 0)]
    overlap = np.minimum(in_2022["stop"], 365) - np.maximum(in_2022["start"], 0)
    assert overlap.sum() == pytest.approx(3 * 365)                  # the plekken never stand empty
    fund = compute_payments(res.scenario, events=res.events)
    y = fund.plekken[fund.plekken["year"] == 2022].iloc[0]
    assert y["empty"] == pytest.approx(0, abs=1e-9)
    assert y["clienten_equivalent"] == pytest.approx(served, rel=1e-9)
    kpi = kpis(res.events, res.scenario)                            # the KPI: the same clients, per plek
    assert kpi.loc[kpi["year"] == 2022, "clienten_per_plek"].iloc[0] == pytest.approx(served / 3, rel=1e-9)
    assert fund.finals[fund.finals["year"] == 2022]["final"].iloc[0] == pytest.approx(3 * T)
    waits = res.events[res.events["event"] == "wachtlijst"]
    assert len(waits) > 0                                           # the cap acts on the flow


def test_plafond_stops_admissions_until_next_year():
    real = {"basis": "traject", "tariffs": {"standaard": 1000}}
    sc = scenario([contract("plafond", ceiling=5000, realisation=real)], d=30, per_year=20, warmup=0)
    res = simulate(sc, seed=5, replications=1)
    ev = res.events
    starts = ev[ev["event"] == "start_zorg"]
    per_year = starts.groupby(starts["date"].dt.year).size()
    assert per_year[2022] == 5 and per_year[2023] == 5
    blocked = ev[(ev["event"] == "wachtlijst") & (ev["reden"] == "budgetplafond")]
    assert len(blocked) > 5
    assert (starts[starts["date"].dt.year == 2023]["day"].iloc[:5] == 365).all()   # admitted on 1 January
    fund = compute_payments(res.scenario, events=ev)
    assert fund.finals.set_index("year")["final"].to_dict() == {2022: 5000, 2023: 5000}


def test_plafond_sends_clients_to_a_provider_with_room():
    real = {"basis": "traject", "tariffs": {"standaard": 1000}}
    sc = scenario([contract("plafond", ceiling=5000, realisation=real)], d=30, per_year=40, warmup=0,
                  providers=("P1", "P2"))
    ev = simulate(sc, seed=5, replications=1).events
    assert not ((ev["event"] == "wachtlijst") & (ev["reden"] == "budgetplafond")).any()
    starts = ev[ev["event"] == "start_zorg"]
    p1 = starts[starts["provider"] == "P1"].groupby(starts["date"].dt.year).size()
    assert (p1 <= 5).all()
    assert (ev["reden"] == "overstap").sum() > 0


def test_refusal_of_heavy_clients_with_common_random_numbers():
    types = {"licht": {"share": 0.5, "weight": 1, "planned_doorlooptijd": 60, "doorlooptijd": {"kind": "fixed", "value": 60}},
             "zwaar": {"share": 0.5, "weight": 6, "planned_doorlooptijd": 60, "doorlooptijd": {"kind": "fixed", "value": 60}}}
    tariffs = {"licht": 1000, "zwaar": 6000}
    def run(p):
        lump = contract("lumpsum", amount=100_000, behaviour={"refusal_probability": p, "source": "test"})
        sc = scenario([lump], providers=("P1", "P2"), types=types, per_year=200, warmup=0, horizon_years=1)
        return simulate(sc, seed=11, replications=1).events
    base, none, half, all_ = run(0.0), None, run(0.5), run(1.0)
    toew = lambda e: e[(e["event"] == "toewijzing") & e["reden"].isna()]
    pd_cols = ["day", "client", "traject_type"]
    assert toew(base)[pd_cols].reset_index(drop=True).equals(toew(half)[pd_cols].reset_index(drop=True))  # same clients
    starts = all_[all_["event"] == "start_zorg"]
    assert not ((starts["provider"] == "P1") & (starts["traject_type"] == "zwaar")).any()
    assert ((starts["provider"] == "P1") & (starts["traject_type"] == "licht")).any()
    refused = (half["reden"] == "weigering").sum()
    heavy_p1 = ((toew(half)["provider"] == "P1") & (toew(half)["traject_type"] == "zwaar")).sum()
    assert 0 < refused < heavy_p1


def test_doorlooptijd_factor_changes_only_that_providers_trajecten():
    c = contract("traject", tariffs={"standaard": 1000}, behaviour={"doorlooptijd_factor": 1.5, "source": "test"})
    ev = simulate(scenario([c], d=100, providers=("P1", "P2"), warmup=0), seed=2).events
    stops = ev[(ev["event"] == "stop_zorg") & (ev["reden"] == "afschaling")]
    assert set(stops[stops["provider"] == "P1"]["doorlooptijd"].round(9)) == {150.0}
    assert set(stops[stops["provider"] == "P2"]["doorlooptijd"].round(9)) == {100.0}


def test_conversion_to_plekken_caps_the_flow_from_that_date():
    c = contract("traject", tariffs={"standaard": T}, conversions=[{"date": "2022-07-01", "to": "plekken", "plekken": 2}])
    ev = simulate(scenario([c], d=40, per_year=100, horizon_years=1), seed=4).events
    waits = ev[ev["event"] == "wachtlijst"]
    assert len(waits) > 0 and waits["day"].min() >= 181


def test_money_conserved_on_a_random_run_for_every_variant():
    real = {"basis": "pxq", "unit_price": 80}
    contracts = [
        contract("plekken", plekken=4, tariffs={"standaard": 9000}, end="2023-01-01"),
        contract("budget", budget=40_000, band=0.05, realisation=real, settlement="outside_band", start="2023-01-01"),
        contract("plafond", provider="P2", ceiling=30_000, realisation={"basis": "output_monthly", "monthly_tariffs": {"standaard": 700}}),
    ]
    types = {"standaard": {"share": 1, "weight": 3, "planned_doorlooptijd": 120,
                           "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.7}}}
    res = simulate(scenario(contracts, providers=("P1", "P2"), types=types, per_year=40), seed=8, replications=2)
    fund = compute_payments(res.scenario, events=res.events)
    t = fund.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], atol=1e-6)
    assert set(t["contract"]) == {0, 1, 2} and set(t["replication"]) == {0, 1}


def test_no_contracts_leaves_the_model_unchanged():
    sc = scenario(d=100)
    sc.pop("funding")
    a = simulate(sc, seed=1).events
    sc["funding"] = {"contracts": [contract("traject", tariffs={"standaard": 1})]}
    b = simulate(sc, seed=1).events
    assert a.drop(columns=[]).equals(b)


def test_compare_paired_differences_on_common_random_numbers():
    types = {"standaard": {"share": 1, "weight": 3, "planned_doorlooptijd": 120,
                           "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.7}}}
    base = scenario(providers=("P1", "P2"), types=types, per_year=30, horizon_years=2)
    base.pop("funding")
    tariffs = {"standaard": 4000}
    costs = {"P1": {"cost_per_unit": 70, "fixed_per_plek_year": 500}, "P2": {"cost_per_unit": 75}}
    both = lambda c1, c2: {"funding": {"contracts": [c1, c2], "provider_costs": costs}}
    variants = {
        "trajecten": both(contract("traject", tariffs=tariffs), contract("traject", "P2", tariffs=tariffs)),
        "budget_inf": both(contract("budget", budget=60_000, band=float("inf")), contract("traject", "P2", tariffs=tariffs)),
        "plekken": both(contract("plekken", plekken=4, tariffs=tariffs), contract("traject", "P2", tariffs=tariffs)),
    }
    cmp = compare(base, variants, replications=4, seed=3)
    s = cmp.summary.set_index(["variant", "year", "measure"])
    # no flow effect: the same clients, so the paired difference in clients is exactly 0
    assert s.loc[("budget_inf", 2022, "unieke_clienten"), "verschil_gem"] == 0
    assert s.loc[("budget_inf", 2022, "unieke_clienten"), "verschil_ci_laag"] == 0
    # predictability: one spread and one exceedance probability per variant and year. (Whether a
    # fixed P1 amount makes total spend steadier is NOT a law: clients split between P1 and P2,
    # so their spends are negatively correlated and P1 + P2 can vary less than P2 alone.)
    p = cmp.predictability.set_index(["variant", "year"])
    assert (p["uitgaven_sd"] > 0).all()
    assert 0 <= p.loc[("plekken", 2022), "kans_boven_budget"] <= 1
    assert s.loc[("plekken", 2022, "bezettingsgraad"), "gem"] > 0
    assert np.isfinite(s.loc[("trajecten", 2022, "marge_aanbieders"), "gem"])
    assert set(cmp.per_replication["variant"]) == set(variants)


def test_shipped_variant_overlays_validate_and_run():
    from pathlib import Path

    import yaml

    from simulation.experiment.compare import load_variant
    from simulation.config.scenario import scenario_from_dict
    folder = Path(__file__).resolve().parents[2] / "params" / "variants"
    base = yaml.safe_load((folder / "funding-demo.base.yaml").read_text())
    base["horizon_years"] = 1
    files = sorted(folder.glob("*-venlo.yaml"))
    assert files
    for f in files:
        scenario_from_dict(base, source=str(f), overrides=load_variant(f))
    cmp = compare(base, {f.stem: f for f in files[:2]}, replications=2, seed=1)
    assert len(cmp.summary)


def test_kpis_see_plekken_bought_through_contracts_and_agree_with_the_payments():
    """Bezetting in the KPIs (event log) and occupied / bought plek-days in the payments are one figure."""
    from simulation.analysis.kpis import kpis

    sc = scenario([contract("plekken", plekken={2022: 4, 2023: 6}, tariffs={"standaard": T})], d=200, per_year=12)
    res = simulate(sc, seed=8, replications=2)
    k = kpis(res.events, res.scenario).set_index(["replication", "year"])
    fund = compute_payments(res.scenario, events=res.events).plekken.set_index(["replication", "year"])
    for (rep, year), row in fund.iterrows():
        assert k.loc[(rep, year), "plekken"] == {2022: 4, 2023: 6}[year]
        assert k.loc[(rep, year), "bezettingsgraad"] == pytest.approx(row["occupied"] / row["bought"], rel=1e-9)


def test_plafond_counts_continuations_but_never_stops_them():
    """Hand count: every client gets 1 day 'standaard' (1,000) and then a step-down to 1 day 'licht' (500).
    Ceiling 5,000. In 2022 clients arrive ~18 days apart, so each step-down is committed before the next
    arrival: 1,500 per client, the 4th client (4,500 + 1,000 > 5,000) waits. On 1 January 2023 the
    waiting clients are checked in FIFO order at once: 5 x 1,000 fit, and their 5 step-downs still go
    ahead the next day (committed 7,500, over the ceiling; paid up to 5,000)."""
    types = {"standaard": {"share": 1, "weight": 2, "planned_doorlooptijd": 1,
                           "doorlooptijd": {"kind": "fixed", "value": 1},
                           "outcomes": {"afschaling": 0, "step_down": 1}, "step_down_to": "licht"},
             "licht": {"share": 0, "weight": 1, "planned_doorlooptijd": 1, "doorlooptijd": {"kind": "fixed", "value": 1}}}
    real = {"basis": "traject", "tariffs": {"standaard": 1000, "licht": 500}}
    sc = scenario([contract("plafond", ceiling=5000, realisation=real)], types=types, per_year=20, warmup=0)
    res = simulate(sc, seed=5, replications=1)
    ev = res.events
    new = ev[(ev["event"] == "start_zorg") & (ev["traject_type"] == "standaard")]
    down = ev[(ev["event"] == "start_zorg") & (ev["traject_type"] == "licht")]
    first = ev[(ev["event"] == "toewijzing") & ev["reden"].isna()]["day"].iloc[:4]
    assert (first.diff().dropna() > 1).all()   # the hand-count premise: the first 4 arrive > 1 day apart
    assert new.groupby(new["date"].dt.year).size().to_dict() == {2022: 3, 2023: 5}
    assert down.groupby(down["date"].dt.year).size().to_dict() == {2022: 3, 2023: 5}   # never refused
    assert (new[new["date"].dt.year == 2023]["day"] == 365).all()
    assert (down[down["date"].dt.year == 2023]["day"] == 366).all()
    fund = compute_payments(res.scenario, events=ev)
    assert fund.finals.set_index("year")["final"].to_dict() == {2022: 4500, 2023: 5000}
    # the commitments rebuilt from the log are the flow's: 4,500 in 2022, 7,500 in 2023 (room -2,500)
    com = plafond_commitments(res.scenario, ev).groupby("year").last()
    assert com["committed_cum"].to_dict() == {2022: 4500, 2023: 7500}
    assert com["room"].to_dict() == {2022: 500, 2023: -2500}
    assert com["spent_cum"].to_dict() == {2022: 4500, 2023: 5000}


def _extra_run(share, framework, extra_tariff, d, per_year=20):
    extra = contract("traject", provider="P2", tariffs={"standaard": extra_tariff}, extra_capacity=True,
                     max_extra_share=share)
    sc = scenario([framework, extra], d=d, per_year=per_year, warmup=0, providers=("P1", "P2"))
    return simulate(sc, seed=5, replications=1)


def _starts(ev, provider):
    s = ev[(ev["event"] == "start_zorg") & (ev["provider"] == provider)]
    return s.groupby(s["date"].dt.year).size().to_dict()


@pytest.mark.parametrize("share, extra_per_year", [(0.10, 2), (0.20, 5)])
def test_extra_capacity_takes_clients_the_plafond_framework_cannot(share, extra_per_year):
    """Hand count: framework P1 has a ceiling of 5,000 (trajecten of 1,000): 5 clients a year. The 6th
    client would wait; P2 outside the framework takes trajecten of 200 while its year's extra spend
    stays within share x 5,000: 10% -> 2 (400; a 3rd makes 600 > 500), 20% -> 5 (1,000). Later clients
    wait for 1 January (budgetplafond). P2 is never chosen directly."""
    real = {"basis": "traject", "tariffs": {"standaard": 1000}}
    res = _extra_run(share, contract("plafond", ceiling=5000, realisation=real), 200, d=30)
    ev = res.events
    assert _starts(ev, "P1") == {2022: 5, 2023: 5}
    assert _starts(ev, "P2") == {2022: extra_per_year, 2023: extra_per_year}
    toew = ev[ev["event"] == "toewijzing"]
    assert not ((toew["provider"] == "P2") & toew["reden"].isna()).any()          # outside the framework
    extra = toew[toew["reden"] == "extra_capaciteit"]
    assert len(extra) == 2 * extra_per_year and (extra["provider"] == "P2").all()
    assert ((ev["event"] == "wachtlijst") & (ev["reden"] == "budgetplafond")).any()   # the cap binds
    fund = compute_payments(res.scenario, events=ev)
    p2 = fund.finals[fund.finals["contract"] == 1].set_index("year")["final"].to_dict()
    assert p2 == {2022: 200 * extra_per_year, 2023: 200 * extra_per_year}


def test_extra_capacity_when_framework_plekken_are_full():
    """Hand count: P1 has 1 plek (tariff 36,500 over 365 days: framework value 36,500 a year); every
    traject lasts 200 days. The first client takes the plek on arrival; from then on the plek is never
    free (the queue refills it), so P2 takes trajecten of 1,000 up to 10% x 36,500 = 3,650 a year:
    3 a year; later clients queue for the plek, which starts a client every 200 days."""
    res = _extra_run(0.10, contract("plekken", plekken=1, tariffs={"standaard": T}), 1000, d=200)
    ev = res.events
    assert _starts(ev, "P2") == {2022: 3, 2023: 3}
    first = ev[(ev["event"] == "start_zorg") & (ev["provider"] == "P1")]["day"].min()
    p1 = [first + 200 * k for k in range(4) if first + 200 * k < 730]
    assert _starts(ev, "P1") == {2022: sum(d < 365 for d in p1), 2023: sum(d >= 365 for d in p1)}
    assert ((ev["event"] == "wachtlijst") & (ev["provider"] == "P1")).any()
    fund = compute_payments(res.scenario, events=ev)
    # the payment cap is the flow's: 10% of the contracted 36,500 = 3,650 a year, so 3,000 is paid
    assert first < 65
    assert fund.finals[fund.finals["contract"] == 1].set_index("year")["final"].to_dict() == {2022: 3000, 2023: 3000}


def test_extra_capacity_needs_a_per_traject_price():
    from simulation.config.scenario import scenario_from_dict
    bad = scenario([contract("traject", tariffs={"standaard": 1}),
                    contract("lumpsum", provider="P2", amount=1000, extra_capacity=True)], providers=("P1", "P2"))
    with pytest.raises(Exception, match="extra_capacity vraagt een prijs per traject"):
        scenario_from_dict(bad)


def test_kpis_of_a_year_in_which_no_traject_ends():
    """One plek, one-year trajecten, no warm-up: 2022 has no stop, the KPIs still say what happened."""
    from simulation.analysis.kpis import kpis

    res = simulate(scenario([contract("plekken", plekken=1, tariffs={"standaard": T})], d=365, warmup=0, per_year=3),
                   seed=1, replications=1)
    k = kpis(res.events, res.scenario).set_index("year")
    assert k.loc[2022, "uitstroom"] == 0 and k.loc[2022, "instroom"] == 1
    assert k.loc[2022, "bezettingsgraad"] < 1 and k.loc[2023, "uitstroom"] == 1


def test_compare_without_contracts_compares_the_flow_not_the_money():
    # issue 12: compare() used to refuse (or crash on) a scenario without contracts
    per_rep = compare(scenario(), {"basis": None}, replications=2).per_replication
    assert per_rep["uitgaven"].isna().all() and (per_rep["unieke_clienten"] > 0).all()
