"""compare() on any scenario: without funding contracts (the default scenario has none) and on
flow-only variants (more plekken): the flow measures (wait, clients, bezetting) are compared even
where no money measure exists, with the KPI table's definitions."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from simulation import compare
from simulation.analysis.kpis import kpis
from simulation.experiment.compare import MEASURES, measures
from scenarios import flow_scenario, funding_contract as contract

FLOW = ("unieke_clienten", "wacht_dagen_gem", "bezettingsgraad", "clienten_per_plek", "clienten_equivalent")
MONEY = ("uitgaven", "kosten_per_client", "verrekening", "marge_aanbieders", "terugbetaalde_plekdagen")
MORE_PLEKKEN = {"providers.P1.plekken.Venlo.S3": 22}     # Venlo buys 10% more plekken at P1


def _no_contracts():
    raw = flow_scenario(per_year=70, d=200, providers=("P1", "P2"))
    raw["providers"]["P1"]["plekken"] = {"Venlo": {"S3": 20}}
    raw.pop("funding")
    return raw


@pytest.fixture(scope="module")
def plain():
    return compare(_no_contracts(), {"basis": None, "meer_plekken": MORE_PLEKKEN}, replications=3, seed=2,
                   keep_events=True)


def test_compare_without_contracts_measures_the_flow(plain):
    per_rep = plain.per_replication
    assert len(per_rep) == 2 * 3 * 2                      # variants x replications x years (one municipality)
    assert per_rep[list(FLOW)].notna().all().all()
    assert per_rep[list(MONEY)].isna().all().all()        # no contracts: no money, not zero money
    s = plain.summary
    assert set(s["measure"]) == set(MEASURES)
    diff = s[(s["variant"] == "meer_plekken") & s["measure"].isin(["wacht_dagen_gem", "bezettingsgraad"])]
    assert diff["verschil_gem"].notna().all() and (diff["verschil_gem"] != 0).any()
    assert plain.predictability["kans_boven_budget"].isna().all()


def test_flow_measures_without_contracts_are_the_kpi_tables(plain):
    for name in ("basis", "meer_plekken"):
        k = kpis(plain.events[name], plain.scenarios[name], by=["municipality"]).set_index(["replication", "year"])
        m = plain.per_replication[plain.per_replication["variant"] == name].set_index(["replication", "year"])
        for col in ("unieke_clienten", "wacht_dagen_gem", "bezettingsgraad", "clienten_per_plek"):
            np.testing.assert_allclose(m[col].to_numpy(float), k.loc[m.index, col].to_numpy(float), rtol=1e-12,
                                       err_msg=col)
    bought = plain.per_replication.groupby("variant")["clienten_equivalent"].mean()
    assert bought["basis"] > 0


def test_more_plekken_leaves_the_clients_and_lowers_the_bezetting(plain):
    per_rep = plain.per_replication.set_index(["variant", "replication", "year"])
    base, more = per_rep.loc["basis"], per_rep.loc["meer_plekken"]
    # common random numbers: the same clients come; with 10% more plekken bezetting is lower
    assert (more["bezettingsgraad"] < base["bezettingsgraad"]).all()
    assert (more["wacht_dagen_gem"] <= base["wacht_dagen_gem"] + 1e-9).mean() >= 0.5


def test_a_flow_only_variant_of_a_funded_scenario_keeps_its_money_measures():
    raw = flow_scenario([contract("pxq", unit_price=60.0)], per_year=70, d=200, providers=("P1", "P2"))
    raw["providers"]["P1"]["plekken"] = {"Venlo": {"S3": 20}}
    c = compare(raw, {"basis": None, "meer_plekken": MORE_PLEKKEN}, replications=2, seed=2)
    per_rep = c.per_replication
    assert (per_rep["uitgaven"] > 0).all() and per_rep["wacht_dagen_gem"].notna().all()
    assert set(c.summary["variant"]) == {"basis", "meer_plekken"}


def test_a_variant_without_contracts_is_measured_on_the_pools_the_others_buy():
    funded = flow_scenario([contract("pxq", unit_price=60.0)], per_year=70, d=200, providers=("P1", "P2"))
    unfunded = copy.deepcopy(funded)
    unfunded.pop("funding")
    c = compare(unfunded, {"zonder": None, "pxq": {"funding": funded["funding"]}}, replications=2, seed=2,
                keep_events=True)
    per_rep = c.per_replication.set_index(["variant", "replication", "year"]).sort_index()
    # pxq changes no flow: the same clients at P1 (the contract's pool) in both variants, not all of Venlo's
    np.testing.assert_array_equal(per_rep.loc["zonder", "unieke_clienten"], per_rep.loc["pxq", "unieke_clienten"])
    alone, _ = measures(c.scenarios["zonder"], c.events["zonder"], replications=2)
    alone = alone.sort_values(["replication", "year"])
    assert (alone["unieke_clienten"].to_numpy() > per_rep.loc["zonder", "unieke_clienten"].to_numpy()).all()
