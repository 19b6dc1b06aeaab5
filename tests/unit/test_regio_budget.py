"""The regional budget contract (regio_budget) and the municipalities' shares, on hand-built trajecten.

Region of three municipalities, one provider P1, segment S3: A 20,000 inhabitants, B 30,000,
C 50,000, so the population key (004 par. 9) is w = 0.2, 0.3, 0.5. Realisation is valued at 1,000
per traject started in the year (basis traject). Every number below is worked out by hand.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.funding.payments import compute_payments
from simulation.funding.shares import municipality_shares
from scenarios import funding_base, traject_rows

REAL = {"basis": "traject", "tariffs": {"standaard": 1000}}
POP = {"A": 20_000, "B": 30_000, "C": 50_000}


def regio(**kw):
    return {"variant": "regio_budget", "provider": "P1", "segment": "S3", "budget": 100_000, "realisation": REAL, **kw}


def region(contracts):
    raw = funding_base(contracts)
    raw["municipalities"] = {m: {"population": p} for m, p in POP.items()}
    return raw


def trajecten(counts: dict[str, int]) -> pd.DataFrame:
    """``counts[m]`` trajecten of municipality m, each from day 10 to day 50 (one tariff each)."""
    parts = []
    for n, (m, k) in enumerate(counts.items()):
        t = traject_rows([(1000 * n + c, 10, 50) for c in range(k)])
        parts.append(t.assign(municipality=m))
    return pd.concat(parts, ignore_index=True)


def run(contracts, counts):
    sc = scenario_from_dict(region(contracts))
    return sc, compute_payments(sc, trajecten=trajecten(counts), replications=[0])


def per_municipality(res, kind):
    p = res.payments[res.payments["kind"] == kind]
    return p.groupby(p["municipality"].astype(str))["amount"].sum().to_dict()


def assert_conserved(res):
    t = res.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], rtol=0, atol=1e-6)


def test_regional_budget_advances_by_key_settled_on_realisation_per_municipality():
    """Budget B = 100,000 for the region, band 0 (004 par. 7.2: band 0 at first).

    Realisation: A 30 trajecten = 30,000; B 20 = 20,000; C 70 = 70,000; R = 120,000.
    voorschotten by the key: A 0.2 x 100,000 = 20,000, B 30,000, C 50,000 (January: 100,000 x
    31/365 = 8,493.15 in all, of which A 1,698.63). The provider is settled on the regional total:
    final F = R = 120,000, settlement +20,000. Per municipality the settlement moves the advances
    to the realisation share r_m x F (r = 0.25, 1/6, 7/12): A 30,000 - 20,000 = +10,000,
    B 20,000 - 30,000 = -10,000, C 70,000 - 50,000 = +20,000.
    """
    sc, res = run([regio()], {"A": 30, "B": 20, "C": 70})
    assert sc.funding.contracts[0].municipalities == ["A", "B", "C"]   # "all" resolved in scenario order
    adv = per_municipality(res, "advance")
    assert adv == pytest.approx({"A": 20_000, "B": 30_000, "C": 50_000})
    jan = res.payments[(res.payments["kind"] == "advance") & (res.payments["month"] == 1)]
    assert jan["amount"].sum() == pytest.approx(100_000 * 31 / 365)
    assert jan.loc[jan["municipality"] == "A", "amount"].iloc[0] == pytest.approx(20_000 * 31 / 365)
    assert per_municipality(res, "settlement") == pytest.approx({"A": 10_000, "B": -10_000, "C": 20_000})
    assert res.finals["final"].tolist() == pytest.approx([120_000])
    settle_rows = res.payments[res.payments["kind"] == "settlement"]
    assert set(settle_rows["month"]) == {12} and set(settle_rows["provider"]) == {"P1"}
    assert_conserved(res)


def test_municipality_shares_by_key_and_by_realisation_settle_to_zero():
    """Same run: the region paid 120,000. By the key A bears 0.2 x 120,000 = 24,000, B 36,000,
    C 60,000; by realisation A 30,000, B 20,000, C 70,000. Verrekening among the municipalities
    (key - realisation): A -6,000 (pays the others), B +16,000 (gets back), C -10,000 (pays); sum 0."""
    sc, res = run([regio()], {"A": 30, "B": 20, "C": 70})
    t = municipality_shares(sc, res)
    assert list(t["municipality"]) == ["A", "B", "C"] and set(t["year"]) == {2022}
    assert list(t["inwoners"]) == [20_000, 30_000, 50_000]
    np.testing.assert_allclose(t["verdeelsleutel"], [0.2, 0.3, 0.5])
    np.testing.assert_allclose(t["regio_uitgaven"], [120_000] * 3)
    np.testing.assert_allclose(t["aandeel_inwoners"], [24_000, 36_000, 60_000])
    np.testing.assert_allclose(t["aandeel_realisatie"], [30_000, 20_000, 70_000])
    np.testing.assert_allclose(t["verrekening_gemeenten"], [-6_000, 16_000, -10_000])
    assert t["verrekening_gemeenten"].sum() == pytest.approx(0, abs=1e-6)
    mean = municipality_shares(sc, res, mean=True)
    assert "replication" not in mean and mean["aandeel_inwoners"].tolist() == pytest.approx([24_000, 36_000, 60_000])


def test_within_the_band_the_provider_keeps_the_budget_and_the_rows_follow_realisation():
    """Band 0.25: R = 120,000 lies within 100,000 +- 25,000, so F = B = 100,000 and the regional
    settlement is 0. Per municipality the rows still move to the realisation share of F:
    A 0.25 x 100,000 - 20,000 = +5,000; B 100,000/6 - 30,000 = -13,333.33; C 700,000/12 - 50,000
    = +8,333.33 (sum 0). Shares: by key 20,000 / 30,000 / 50,000, by realisation 25,000 /
    16,666.67 / 58,333.33, verrekening -5,000 / +13,333.33 / -8,333.33."""
    sc, res = run([regio(band=0.25)], {"A": 30, "B": 20, "C": 70})
    assert res.finals["final"].tolist() == pytest.approx([100_000])
    s = per_municipality(res, "settlement")
    assert s == pytest.approx({"A": 5_000, "B": 100_000 / 6 - 30_000, "C": 700_000 / 12 - 50_000})
    assert sum(s.values()) == pytest.approx(0, abs=1e-6)
    t = municipality_shares(sc, res)
    np.testing.assert_allclose(t["aandeel_inwoners"], [20_000, 30_000, 50_000])
    np.testing.assert_allclose(t["aandeel_realisatie"], [25_000, 100_000 / 6, 700_000 / 12])
    np.testing.assert_allclose(t["verrekening_gemeenten"], [-5_000, 30_000 - 100_000 / 6, 50_000 - 700_000 / 12])
    assert_conserved(res)


def test_outside_band_settles_only_the_part_outside_and_no_care_falls_back_to_the_key():
    """settlement outside_band, band 0.1, only B has care: 20 trajecten = 20,000 against 100,000:
    the provider pays back 100,000 - 20,000 - 10,000 = 70,000, F = 30,000, all attributed to B
    (r_B = 1): B 30,000 - 30,000 = 0, A 0 - 20,000 = -20,000, C 0 - 50,000 = -50,000.
    A year without any care (R = 0, band 0) puts F = 0 and each municipality back to 0."""
    sc, res = run([regio(band=0.1, settlement="outside_band")], {"B": 20})
    assert res.finals["final"].tolist() == pytest.approx([30_000])
    assert per_municipality(res, "settlement") == pytest.approx({"A": -20_000, "B": 0, "C": -50_000})
    assert_conserved(res)
    sc = scenario_from_dict(region([regio()]))
    res = compute_payments(sc, trajecten=trajecten({"A": 1}).iloc[:0], replications=[0])
    assert res.finals["final"].tolist() == pytest.approx([0])
    assert per_municipality(res, "settlement") == pytest.approx({"A": -20_000, "B": -30_000, "C": -50_000})
    assert_conserved(res)


def test_regional_contract_over_some_municipalities_next_to_own_contracts():
    """A regional contract for A and B (key 0.4 / 0.6, budget 50,000) and C's own budget contract
    (60,000, band 0). Realisation A 10,000, B 40,000, C 70,000. Regional: F = 50,000, advances
    20,000 / 30,000, settlements 10,000 - 20,000 = -10,000 and 40,000 - 30,000 = +10,000; C settles
    +10,000 on its own. The shares table covers only A and B: key 20,000 / 30,000, realisation
    10,000 / 40,000, verrekening +10,000 / -10,000. The trajecten of C do not reach the regional
    contract, and finals_by_municipality splits only the regional final."""
    own_c = {"municipality": "C", "provider": "P1", "segment": "S3", "variant": "budget", "budget": 60_000,
             "realisation": REAL}
    sc, res = run([regio(municipalities=["A", "B"], budget=50_000), own_c], {"A": 10, "B": 40, "C": 70})
    assert per_municipality(res, "advance") == pytest.approx({"A": 20_000, "B": 30_000, "C": 60_000})
    assert per_municipality(res, "settlement") == pytest.approx({"A": -10_000, "B": 10_000, "C": 10_000})
    t = municipality_shares(sc, res)
    assert list(t["municipality"]) == ["A", "B"]
    np.testing.assert_allclose(t["aandeel_inwoners"], [20_000, 30_000])
    np.testing.assert_allclose(t["aandeel_realisatie"], [10_000, 40_000])
    np.testing.assert_allclose(t["verrekening_gemeenten"], [10_000, -10_000])
    fin = res.finals_by_municipality(sc.funding.contracts)
    got = fin.groupby(["contract", "municipality"])["final"].sum().to_dict()
    assert got == pytest.approx({(0, "A"): 10_000, (0, "B"): 40_000, (1, "C"): 70_000})
    assert_conserved(res)


def test_no_regional_contract_gives_an_empty_shares_table():
    own = {"municipality": "A", "provider": "P1", "segment": "S3", "variant": "budget", "budget": 1, "realisation": REAL}
    sc, res = run([own], {"A": 1})
    assert municipality_shares(sc, res).empty
    fin = res.finals_by_municipality(sc.funding.contracts)
    assert fin.equals(res.finals.assign(municipality=["A"]))


@pytest.mark.parametrize("change, words", [
    ({"municipality": "A"}, ["municipality", "'A' is een gemeente", "noem de regio"]),
    ({"municipalities": ["A", "X"]}, ["municipalities", "'X' is onbekend"]),
    ({"municipalities": []}, ["municipalities", "minstens één"]),
    ({"municipalities": ["A", "A"]}, ["municipalities", "twee keer"]),
    ({"bonus_malus": {"measure": "doorlooptijd", "target": 10, "rate": 1}}, ["bonus_malus", "regionaal"]),
    ({"extra_capacity": True}, ["extra_capacity", "regionaal"]),
    ({"realisation": None}, ["realisation is nodig"]),
    ({"budget": -1}, ["budget"]),
])
def test_bad_regional_contracts_name_the_field(change, words):
    c = regio(**change)
    c = {k: v for k, v in c.items() if v is not None}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(region([c]))
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_regional_and_own_contract_for_the_same_municipality_overlap():
    own = {"municipality": "B", "provider": "P1", "segment": "S3", "variant": "budget", "budget": 1, "realisation": REAL}
    with pytest.raises(ScenarioError, match=r"overlapt met funding.contracts\[0\].*gemeente \(B\)"):
        scenario_from_dict(region([regio(), own]))


def test_provider_must_serve_every_covered_municipality():
    raw = region([regio()])
    raw["providers"]["P1"]["municipalities"] = ["A", "B"]
    with pytest.raises(ScenarioError, match="bedient 'C' niet"):
        scenario_from_dict(raw)
    raw["funding"]["contracts"][0]["municipalities"] = ["A", "B"]
    assert scenario_from_dict(copy.deepcopy(raw)).funding.contracts[0].covered == ("A", "B")
