"""Variants as plug-ins: a variant defined only here registers, validates, simulates and pays; an
incomplete variant fails at registration; an unknown variant name fails validation with the field named."""
from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from pydantic import Field

from simulation import simulate
from simulation.analysis.tables import traject_table
from simulation.config.contracts import ContractBase
from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.experiment.compare import measures
from simulation.funding import contracts as old_contracts   # the old path, as notebook 08 imports it
from simulation.funding import VARIANTS, Money, Phase, Variant, compute_payments, register, unregister
from simulation.funding.rows import finals_frame, payment_frame

from scenarios import flow_scenario, funding_base as base, funding_contract as contract, traject_rows as trajecten

BUILT_IN = ("pxq", "traject", "output_monthly", "plekken", "budget", "plafond", "lumpsum", "population",
            "regio_budget", "resultaat", "beschikbaarheid", "casusbudget", "boeggolf", "opvolger")


class PerClientYearContract(ContractBase):
    """A fixed amount per unique client in care in the year, paid after the year."""

    variant: Literal["per_client_year"]
    amount_per_client: float = Field(gt=0)


class PerClientYear(Variant):
    name = "per_client_year"
    schema = PerClientYearContract
    open_ended = True

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0

    def pay(self, phase: Phase) -> Money:
        cal, sub, c = phase.cal, phase.trajecten, phase.contract
        parts = []
        for yr in phase.years["year"]:
            ylo = max(phase.lo, cal.day(dt.date(int(yr), 1, 1)))
            yhi = min(phase.hi, cal.day(dt.date(int(yr) + 1, 1, 1)))
            in_care = sub[(sub["start"] < yhi) & (sub["stop"] > ylo)]
            n = in_care.drop_duplicates(["replication", "client"]).groupby("replication").size()
            parts.append(pd.DataFrame({"replication": n.index, "year": yr, "amount": n.to_numpy() * c.amount_per_client}))
        amounts = pd.concat(parts, ignore_index=True)
        y = amounts.merge(phase.years[["year", "last_k"]], on="year")
        rows = payment_frame(phase.index, c, phase.mode, y["replication"].to_numpy(), y["last_k"], y["amount"],
                             "invoice", cal)
        return Money(rows=[rows], finals=[finals_frame(phase.index, phase.reps, phase.years, amounts)])


@pytest.fixture
def per_client_year():
    register(PerClientYear)
    yield
    unregister("per_client_year")


def test_built_in_variants_are_registered_in_order():
    assert tuple(VARIANTS) == BUILT_IN


def test_new_variant_pays_per_client_per_year_by_hand(per_client_year):
    """2022: clients 1 and 2 in care; 2023: clients 2 and 3 (client 2 crosses the year)."""
    sc = scenario_from_dict(base([contract("per_client_year", amount_per_client=1000.0)], horizon_years=2))
    rows = [(1, 10, 40), (1, 50, 60), (2, 300, 400), (3, 400, 420)]
    res = compute_payments(sc, trajecten=trajecten(rows), replications=[0])
    assert res.payments["kind"].astype(str).tolist() == ["invoice", "invoice"]
    assert res.payments["month"].tolist() == [12, 12]
    assert res.payments["amount"].tolist() == [2000.0, 2000.0]
    assert res.finals["final"].tolist() == [2000.0, 2000.0]


def test_new_variant_through_simulate_and_compare(per_client_year):
    sc = flow_scenario([contract("per_client_year", amount_per_client=500.0)], d=100, per_year=30, warmup=0)
    res = simulate(sc, seed=7, replications=2)
    fund = compute_payments(res.scenario, events=res.events)
    tr = traject_table(res.events)
    expected = {}
    for rep in (0, 1):
        for year, lo, hi in ((2022, 0, 365), (2023, 365, 730)):
            s = tr[(tr["replication"] == rep) & (tr["start"] < hi) & (tr["stop"] > lo)]
            expected[(rep, year)] = 500.0 * s["client"].nunique()
    paid = fund.payments.groupby(["replication", "year"])["amount"].sum().to_dict()
    assert paid == pytest.approx(expected)
    assert min(expected.values()) > 0
    spend = measures(res.scenario, res.events)[0]
    spend = spend.groupby(["replication", "year"])["uitgaven"].sum().to_dict()
    assert spend == pytest.approx(expected)      # compare() sees its spend, never 0
    # the variant has no flow effects: the event log is that of the scenario without contracts
    plain = simulate(flow_scenario([], d=100, per_year=30, warmup=0), seed=7, replications=2)
    pd.testing.assert_frame_equal(res.events, plain.events)


def test_registered_variant_is_in_the_error_message_and_unregisters(per_client_year):
    with pytest.raises(ScenarioError, match="per_client_year"):
        scenario_from_dict(base([contract("barter")]))
    unregister("per_client_year")
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(base([contract("per_client_year", amount_per_client=1.0)]))
    assert f"variant moet een van deze zijn: {', '.join(BUILT_IN)}" in str(err.value)
    assert "population, per_client_year" not in str(err.value)
    register(PerClientYear)   # the fixture unregisters it again


def test_incomplete_variant_fails_at_registration():
    class NoPayments(Variant):
        name = "no_payments"
        schema = PerClientYearContract
        open_ended = True

        def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
            return 0.0

    with pytest.raises(TypeError, match="lacks the rule.*pay"):
        register(NoPayments)

    class NoOpenEnded(PerClientYear):
        open_ended = Variant.open_ended   # the abstract property: not decided

    with pytest.raises(TypeError, match="open_ended"):
        register(NoOpenEnded)
    assert "no_payments" not in VARIANTS and tuple(VARIANTS) == BUILT_IN

    class CeilingWithoutRule(PerClientYear):
        has_ceiling = True

    with pytest.raises(TypeError, match="has_ceiling but lacks the rule ceiling"):
        register(CeilingWithoutRule)
    assert tuple(VARIANTS) == BUILT_IN


def test_schema_must_name_the_variant():
    class Misnamed(PerClientYear):
        name = "other_name"

    with pytest.raises(TypeError, match="Literal"):
        register(Misnamed)
    assert tuple(VARIANTS) == BUILT_IN


def test_registering_twice_fails(per_client_year):
    with pytest.raises(ValueError, match="already registered"):
        register(PerClientYear)


def test_unknown_variant_names_the_field_and_the_known_variants():
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(base([contract("lumpsum", amount=1), contract("barter")]))
    text = str(err.value)
    assert "funding.contracts.1" in text
    assert f"variant moet een van deze zijn: {', '.join(BUILT_IN)}" in text


def test_contracts_say_which_plekken_they_buy_per_phase():
    tariffs = {"standaard": 36_500.0}
    conv = [{"date": "2022-07-01", "to": "plekken", "plekken": {2022: 2, 2023: 3}}]
    sc = scenario_from_dict(base([contract("traject", tariffs=tariffs, conversions=conv)], horizon_years=2))
    (c,) = sc.funding.contracts
    assert [p[2] for p in c.phases(sc)] == ["traject", "plekken"]
    assert c.plekken_phases(sc) == [(dt.date(2022, 7, 1), dt.date(2024, 1, 1), {2022: 2, 2023: 3})]
    assert np.isinf(VARIANTS["traject"].capacity(None, 2022)) and VARIANTS["plekken"].capacity({2022: 2}, 2022) == 2


def test_old_contracts_module_path_still_exports_the_schemas():
    assert old_contracts.PlekkenContract is VARIANTS["plekken"].schema
    assert set(old_contracts.VARIANTS) == set(BUILT_IN)
    sc = scenario_from_dict(base([contract("plekken", plekken=1, tariffs={"standaard": 7300})], planned=73))
    assert old_contracts.plek_day_price(sc.funding.contracts[0], sc) == pytest.approx(100.0)
