"""The default scenario starts in the steady state of its growing instroom (issue 13, item 7).

Unique clients per segment must grow 2022 -> 2025 at the instroom growth (youth 5%, Wmo 3% a
year) within 0.5 point, where the replication CI is narrow enough to tell; S2a is also fed
by doorstroom from youth S2/S3 (growing 5%), so its growth lies between 3% and 5%. The daily
caseload with the growth taken out must show no drift (analysis.warmup.steady_state_check).
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation import simulate
from simulation.analysis.kpis import kpis
from simulation.analysis.warmup import mser, steady_state_check
from scenarios import ROOT

SCENARIO = ROOT / "params" / "noord-limburg.yaml"
SEED, REPLICATIONS = 2025, 8
MAX_GAP = 0.005          # growth of unique clients vs the input growth, a year
FED_BY_YOUTH = {"S2a"}   # opschaling from youth S2 and S3 (5%/yr) next to its own 3%/yr instroom


@pytest.fixture(scope="module")
def run():
    return simulate(SCENARIO, seed=SEED, replications=REPLICATIONS, workers=2)


@pytest.mark.statistical
def test_unique_clients_grow_at_the_input_growth(run):
    k = kpis(run.events, run.scenario, by=("segment",))
    p = k.pivot_table(index=["replication", "segment"], columns="year", values="unieke_clienten", observed=True)
    growth = ((p[2025] / p[2022]) ** (1 / 3) - 1).groupby("segment", observed=True)
    mean, half = growth.mean(), stats.t.ppf(0.975, REPLICATIONS - 1) * growth.std() / np.sqrt(REPLICATIONS)
    lines, problems = [], []
    for segment, value in mean.items():
        target = run.scenario.segments[segment].instroom.growth
        lines.append(f"{segment}: {value:.2%} +- {half[segment]:.2%} (input {target:.0%})")
        if segment in FED_BY_YOUTH:
            if not target - MAX_GAP <= value <= 0.05 + MAX_GAP:
                problems.append(lines[-1])
        elif half[segment] <= MAX_GAP and abs(value - target) > MAX_GAP + half[segment]:
            problems.append(lines[-1])
    print("\n".join(lines))
    assert not problems, "growth of unique clients off the input growth:\n" + "\n".join(problems)


@pytest.mark.statistical
def test_detrended_caseload_is_flat_from_day_0(run):
    """The drift of the detrended daily caseload, per replication: within 1% a year (95% CI), checked
    where the replications pin it down to that precision (the large segments)."""
    per_rep = pd.concat([steady_state_check(ev, run.scenario).set_index("segment")["drift_per_year"]
                         for _, ev in run.events.groupby("replication")], axis=1)
    mean = per_rep.mean(axis=1)
    half = stats.t.ppf(0.975, per_rep.shape[1] - 1) * per_rep.std(axis=1) / np.sqrt(per_rep.shape[1])
    table = pd.DataFrame({"drift_gem": mean, "ci_half": half})
    print(table.to_string())
    tight = table[table["ci_half"] <= MAX_GAP * 2]
    assert len(tight) >= 2, f"too few segments with a drift CI within {MAX_GAP * 2:.1%}: {table}"
    off = tight[tight["drift_gem"].abs() - tight["ci_half"] > MAX_GAP * 2]
    assert off.empty, off


def test_mser_finds_a_start_transient():
    rng = np.random.default_rng(1)
    flat = rng.normal(100, 1, 1000)
    assert mser(flat) < 100
    settling = flat - 30 * np.exp(-np.arange(1000) / 60)
    assert mser(settling) > 150
