"""Notebook 06's projection: spend through the payment rules, the measures from 2023 calibrated on the
note's lower growth, 2022 untouched by them, and the reconciliation with note 004's 2025 totals."""
import copy

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.tables import traject_table
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.runner import simulate
from simulation.report.helpers import focus, measures_builder
from simulation.report.projection import (NOTE_ROW, RATES_ROW, ProjectionError, calibrate_measures, growth_reduction,
                                          payment_spend, reconciliation)
from scenarios import ROOT, projection_scenario

REF = pd.read_csv(ROOT / "params" / "data" / "noord_limburg_2019_segments.csv")


def build_for(base):
    return measures_builder(base, "2023-01-01", ambulant_share=0.2,
                            ambulant_to={"segment": "S4", "traject_type": "intensief"}, outflow_factor=0.8,
                            youth_segments=["S4"], wmo_segments=["S1a"], source="assumption: test")


def test_spend_comes_from_the_payment_rules_and_a_scenario_without_contracts_is_refused():
    raw = projection_scenario(horizon_years=2)
    per_rep = payment_spend({"a": raw}, seed=2, replications=1)
    # pxq at EUR 60 an hour: spend = 60 x weight x days in care in the year / 7, summed over trajecten
    scenario = scenario_from_dict(raw)
    tr = traject_table(simulate(scenario, seed=2, replications=1).events)
    weight = {(s, n): t.weight for s, seg in scenario.segments.items() for n, t in seg.traject_types.items()}
    w = np.array([weight[(str(s), str(n))] for s, n in zip(tr["segment"], tr["traject_type"])])
    domain = tr["segment"].astype(str).map({s: v.domain for s, v in scenario.segments.items()})
    for year, lo, hi in ((2022, 0.0, 365.0), (2023, 365.0, 730.0)):
        days = (np.minimum(tr["stop"], hi) - np.maximum(tr["start"], lo)).clip(lower=0)
        want = (60 * w * days / 7).groupby(domain).sum()
        got = per_rep[per_rep["year"] == year].set_index("domain")["uitgaven"]
        for d in ("jeugd", "wmo"):
            assert got[d] == pytest.approx(want[d], rel=1e-9), (year, d)
        assert got["total"] == pytest.approx(want.sum(), rel=1e-9)
    bare = copy.deepcopy(raw)
    del bare["funding"]
    with pytest.raises(ProjectionError, match="no funding contracts"):
        payment_spend({"bare": bare}, seed=2, replications=1)


def test_measures_from_2023_leave_2022_spend_identical_and_lower_later_spend():
    base = projection_scenario()
    measured = build_for(base)({"jeugd": 0.8, "wmo": 0.8})
    per_rep = payment_spend({"autonomous": base, "with measures": measured}, seed=4, replications=2)
    w = per_rep.pivot_table(index=["replication", "year", "domain"], columns="variant", values="uitgaven")
    y2022 = w.xs(2022, level="year")
    assert (y2022["autonomous"] == y2022["with measures"]).all()   # exactly: common random numbers
    y2025 = w.xs(2025, level="year")
    assert (y2025["with measures"] < y2025["autonomous"]).all()


def test_the_calibration_loop_reaches_the_notes_reductions():
    base = projection_scenario()
    targets = {"jeugd": 0.015, "wmo": 0.02}
    factors, per_rep, history = calibrate_measures(base, build_for(base), targets, seed=1, replications=2,
                                                   first=2022, last=2025, tol=0.1)
    red = growth_reduction(per_rep, "with measures", "autonomous", 2022, 2025).set_index("domain")
    last = history[history["step"] == history["step"].max()].set_index("domain")
    for d, target in targets.items():
        assert last.loc[d, "doorlooptijd_factor"] == factors[d]
        assert red.loc[d, "reduction_points"] == pytest.approx(last.loc[d, "reduction_points"])
        if factors[d] < 1.0:   # calibrated (not held at the bound by the fixed measures alone)
            assert abs(red.loc[d, "reduction_points"] - 100 * target) <= 0.1
        else:   # the ambulant shift and the faster outflow already give more than the target
            assert red.loc[d, "reduction_points"] >= 100 * target
    assert factors["wmo"] < 1.0   # Wmo has only the doorlooptijd measure: the loop must have moved it


def test_the_reconciliation_puts_the_notes_rates_on_the_models_2019_segments():
    per_rep = pd.DataFrame({"variant": ["autonomous", "with measures"], "replication": 0, "year": 2025,
                            "domain": "total", "uitgaven": [80e6, 76e6]})
    table = reconciliation(per_rep, REF, ["S1", "S1a"], 2025).set_index("source")
    without = 10_674_408 * 1.05 ** 6 + 5_300_000 * 1.03 ** 6
    with_ = 10_674_408 * 1.05 ** 4 * 1.035 ** 2 + 5_300_000 * 1.03 ** 4 * 1.01 ** 2
    rates = table.loc[RATES_ROW]
    assert rates["without_measures"] == pytest.approx(without)
    assert rates["with_measures"] == pytest.approx(with_)
    assert table.loc[NOTE_ROW, ["without_measures", "with_measures"]].tolist() == [140e6, 134e6]
    assert table.loc["model", "difference_pct"] == pytest.approx(-5.0)
    assert "PGB" in table.loc[NOTE_ROW, "covers"] and "niet gegeven" in table.attrs["coverage"]


def test_focus_follows_a_measures_ambulant_alternative_and_drops_other_segments_contracts():
    base = build_for(projection_scenario())({"jeugd": 0.9, "wmo": 0.9})
    out = focus(base, ["S1"])
    assert set(out["segments"]) == {"S1", "S2", "S4"}   # S2 by opschaling, S4 as the ambulant alternative
    assert {c["segment"] for c in out["funding"]["contracts"]} == {"S1", "S2", "S4"}
    assert all(set(m["segments"]) <= {"S1", "S2", "S4"} for m in out["maatregelen"])
    scenario_from_dict(out)   # valid
