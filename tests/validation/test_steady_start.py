"""The default scenario starts in the steady state of its growing instroom (issue 13, item 7).

Unique clients per segment must grow 2022 -> 2025 at the instroom growth (youth 5%, Wmo 3% a
year) within 0.5 point, where the replication CI is narrow enough to tell; S2a is also fed
by doorstroom from youth S2/S3 (growing 5%), so its growth lies between 3% and 5%. The daily
caseload with the growth taken out must show no drift (analysis.warmup.steady_state_check).
"""
import numpy as np
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
    check = steady_state_check(run.events, run.scenario)
    print(check.to_string())
    big = check[check["caseload_day_0"] > 500]       # enough trajecten for a daily series that says something
    assert (big["drift_per_year"].abs() < MAX_GAP * 2).all(), big


def test_mser_finds_a_start_transient():
    rng = np.random.default_rng(1)
    flat = rng.normal(100, 1, 1000)
    assert mser(flat) < 100
    settling = flat - 30 * np.exp(-np.arange(1000) / 60)
    assert mser(settling) > 150
