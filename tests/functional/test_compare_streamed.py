"""compare streams replications: variants that differ only in money share one simulation per
replication, and the traject tables of single replications put together are the table of the whole log."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from simulation import simulate
from simulation.analysis.tables import traject_table
from simulation.experiment.compare import variant_specs
from simulation.experiment.compare_runs import flow_groups, traject_tables
from simulation.experiment.runner import run_replication
from simulation.funding.flow_key import flow_key

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "params" / "variants"


def _specs():
    base = {**yaml.safe_load((DEMO / "funding-demo.base.yaml").read_text(encoding="utf-8")), "horizon_years": 1}
    return variant_specs(base, {v: DEMO / f"{v}-venlo.yaml" for v in ("trajecten", "budget", "plekken")})


def test_a_money_only_variant_reuses_a_log_equal_to_its_own_simulation():
    trajecten, budget, plekken = (spec.scenario for spec in _specs())
    assert flow_key(trajecten) == flow_key(budget)       # a budget instead of a tariff: money only
    assert flow_key(plekken) != flow_key(trajecten)      # plekken cap the flow
    assert flow_groups([trajecten, budget, plekken]) == [[0, 1], [2]]
    reused, _ = run_replication(trajecten, 1, 1)
    own, _ = run_replication(budget, 1, 1)
    assert len(own) > 500
    pd.testing.assert_frame_equal(own, reused, check_exact=True)


def test_traject_tables_of_single_replications_are_the_table_of_the_whole_log():
    scenario = _specs()[2].scenario
    events = simulate(scenario, seed=3, replications=3).events
    whole = traject_table(events)
    parts = [traject_table(events[events["replication"] == r].reset_index(drop=True)) for r in range(3)]
    assert whole["beginstand"].any() and (~whole["beginstand"]).any()
    pd.testing.assert_frame_equal(traject_tables(parts), whole, check_exact=True)
