"""Provider margin: a provider without a cost model (funding.provider_costs) has an unknown margin, never its whole
revenue; one such provider makes the municipality's margin in ``compare.measures`` unknown."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simulation.analysis.tables import traject_table
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.compare import measures
from simulation.experiment.runner import simulate
from simulation.funding.costs import margins
from simulation.funding.payments import compute_payments

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "params" / "variants" / "funding-demo.base.yaml").read_text(encoding="utf-8"))
PLEKKEN = yaml.safe_load((ROOT / "params" / "variants" / "plekken-venlo.yaml").read_text(encoding="utf-8"))["funding"]


@pytest.fixture(scope="module")
def events():
    scenario = scenario_from_dict(dict(BASE, horizon_years=1, funding=PLEKKEN))
    return simulate(scenario, seed=1, replications=1).events


def _scenario(costs: dict):
    return scenario_from_dict(dict(BASE, horizon_years=1, funding=dict(PLEKKEN, provider_costs=costs)))


def _margins(scenario, events):
    tr = traject_table(events)
    return margins(scenario, tr, compute_payments(scenario, events=events, trajecten=tr)).set_index("provider")


@pytest.mark.parametrize("costs", [{}, {"P2": {"cost_per_unit": 30}}])
def test_a_provider_with_plekken_but_no_cost_model_has_an_unknown_margin_not_its_revenue(events, costs):
    mg = _margins(_scenario(costs), events)
    assert mg.loc["P1", "revenue"] > 0                 # P1 is paid for its 40 plekken
    assert np.isnan(mg.loc["P1", "cost"]) and np.isnan(mg.loc["P1", "margin"])
    m, _ = measures(_scenario(costs), events)
    assert m["marge_aanbieders"].isna().all() and (m["uitgaven"] > 0).all()


def test_with_every_cost_model_the_margin_is_revenue_minus_cost(events):
    scenario = _scenario(PLEKKEN["provider_costs"])
    mg = _margins(scenario, events)
    assert np.allclose(mg["margin"], mg["revenue"] - mg["cost"]) and (mg["cost"] > 0).all()
    m, _ = measures(scenario, events)
    assert m["marge_aanbieders"].to_numpy() == pytest.approx([mg["margin"].sum()])
