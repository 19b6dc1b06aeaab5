"""Maatwerktrajecten (004 par. 8 step 2) and opslagen (step 1): their price flows into the traject payment,
the planned value committed at toewijzing, and the plek-day price of a conversion to plekken (step 3)."""
from __future__ import annotations

import pandas as pd
import pytest

from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.funding import VARIANTS
from simulation.funding.payments import compute_payments
from simulation.funding.valuation import planned_doorlooptijd_for, tariff_for
from simulation.funding.variants.plekken import plek_day_price
from scenarios import funding_base as base, funding_contract as contract, traject_rows as trajecten

MAATWERK = {"standaard": {"planned_doorlooptijd_factor": 1.5, "intensity_factor": 1.2, "source": "test"}}


def scenario(contracts, p1=None, p2=None, **kw):
    raw = base(contracts, **kw)
    raw["providers"]["P1"]["segments"]["S3"] = p1 or {}
    raw["providers"]["P2"]["segments"]["S3"] = p2 or {}
    return scenario_from_dict(raw)


def paid(sc, rows_p1=(), rows_p2=()):
    tr = pd.concat([trajecten(list(rows_p1)), trajecten(list(rows_p2), provider="P2")], ignore_index=True)
    res = compute_payments(sc, trajecten=tr, replications=[0])
    return res.payments.groupby("contract")["amount"].sum().to_dict()


def test_maatwerk_price_scales_the_same_tariff_by_planned_duration_and_intensity():
    """Tariff 1,000 for the standard traject (planned 365 days). P1's maatwerktraject: 1.5 x the planned
    doorlooptijd and 1.2 x the intensity: 1,000 x 1.5 x 1.2 = 1,800 per traject, planned 547.5 days.
    P2 has no maatwerk: 1,000. Three trajecten at each: 5,400 and 3,000; the commitment at toewijzing
    (planned value) is the same price."""
    tariffs = {"standaard": 1000}
    sc = scenario([contract("traject", tariffs=tariffs), contract("traject", provider="P2", tariffs=tariffs)],
                  p1={"maatwerk": MAATWERK})
    c1, c2 = sc.funding.contracts
    assert tariff_for(c1, sc, "S3", "P1", "standaard") == pytest.approx(1_800)
    assert tariff_for(c2, sc, "S3", "P2", "standaard") == 1_000
    assert planned_doorlooptijd_for(sc, "S3", "P1", "standaard") == pytest.approx(547.5)
    assert planned_doorlooptijd_for(sc, "S3", "P2", "standaard") == 365
    assert VARIANTS["traject"].planned_value(c1, sc, "S3", "standaard") == pytest.approx(1_800)
    got = paid(sc, [(c, 5, 20) for c in range(3)], [(10 + c, 5, 20) for c in range(3)])
    assert got == pytest.approx({0: 5_400, 1: 3_000})


def test_opslag_of_the_provider_and_of_the_contract():
    """Provider opslag 5%: 1,000 -> 1,050; a contract's own opslag (10%) replaces the provider's: 1,100.
    On a maatwerktraject the opslag comes on top: 1,800 x 1.05 = 1,890. A budgetplafond's commitment and its
    realisation (2 trajecten) use the same price."""
    tariffs = {"standaard": 1000}
    sc = scenario([contract("traject", tariffs=tariffs), contract("traject", provider="P2", tariffs=tariffs, opslag=0.10)],
                  p1={"opslag": 0.05}, p2={"opslag": 0.05})
    assert paid(sc, [(0, 5, 20)], [(1, 5, 20)]) == pytest.approx({0: 1_050, 1: 1_100})
    real = {"basis": "traject", "tariffs": tariffs}
    sc = scenario([contract("plafond", ceiling=10_000, realisation=real)], p1={"opslag": 0.05, "maatwerk": MAATWERK})
    c = sc.funding.contracts[0]
    assert VARIANTS["plafond"].planned_value(c, sc, "S3", "standaard") == pytest.approx(1_890)
    assert paid(sc, [(0, 5, 20), (1, 5, 20)]) == pytest.approx({0: 3_780})


def test_plek_price_derived_from_the_maatwerktraject():
    """Tariff 36,500 over 365 planned days (plek-day price 100 for the standard traject). P1's maatwerktraject:
    planned doorlooptijd x 1.2 (438 days), intensity x 1.5, opslag 10%: tariff 36,500 x 1.8 x 1.1 = 72,270,
    plek-day price 72,270 / 438 = 165 (a longer planned duration alone does not change the daily price;
    the intensity and the opslag do). 2 plekken in 2022: advances 2 x 365 x 165 = 120,450; one plek
    occupied all year, the other empty: 365 x 165 = 60,225 paid back."""
    mw = {"standaard": {"planned_doorlooptijd_factor": 1.2, "intensity_factor": 1.5}}
    sc = scenario([contract("plekken", plekken=2, tariffs={"standaard": 36_500}, opslag=0.10),
                   contract("plekken", provider="P2", plekken=2, tariffs={"standaard": 36_500})],
                  p1={"maatwerk": mw})
    c1, c2 = sc.funding.contracts
    assert plek_day_price(c1, sc) == pytest.approx(165.0)
    assert plek_day_price(c2, sc) == pytest.approx(100.0)
    tr = pd.concat([trajecten([(0, 0, 365, "einde_horizon")]), trajecten([(1, 0, 365, "einde_horizon")], provider="P2")],
                   ignore_index=True)
    res = compute_payments(sc, trajecten=tr, replications=[0])
    by = res.payments.groupby(["contract", "kind"], observed=True)["amount"].sum()
    assert by[(0, "advance")] == pytest.approx(120_450) and by[(0, "payback")] == pytest.approx(-60_225)
    assert by[(1, "advance")] == pytest.approx(73_000) and by[(1, "payback")] == pytest.approx(-36_500)
    # only the planned duration: the daily price stays 100 (tariff 1.2 x, days 1.2 x)
    sc = scenario([contract("plekken", plekken=2, tariffs={"standaard": 36_500})],
                  p1={"maatwerk": {"standaard": {"planned_doorlooptijd_factor": 1.2}}})
    assert plek_day_price(sc.funding.contracts[0], sc) == pytest.approx(100.0)


def test_maatwerk_for_an_unknown_traject_type_names_the_field():
    with pytest.raises(ScenarioError, match=r"providers\.P1\.segments\.S3\.maatwerk.*onbekend trajecttype"):
        scenario([], p1={"maatwerk": {"zwaar": {"intensity_factor": 2}}})
    with pytest.raises(ScenarioError, match="opslag"):
        scenario([], p1={"opslag": -0.1})
