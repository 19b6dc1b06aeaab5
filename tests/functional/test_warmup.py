"""Welch's moving average to justify the warm-up length."""
import numpy as np
import pandas as pd
import pytest
import yaml
from pathlib import Path

from simulation.analysis.warmup import daily_caseload, suggest_warmup, welch_moving_average
from simulation.experiment.warmup import welch

SMOKE = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "smoke.yaml").read_text(encoding="utf-8"))


def test_welch_moving_average_by_hand():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7])
    out = welch_moving_average(y, 2)
    # i=0: y0; i=1: mean(y0..y2); i>=2: mean(y[i-2..i+2]); last 2 undefined
    np.testing.assert_allclose(out[:5], [1, 2, 3, 4, 5])
    assert np.isnan(out[5:]).all()
    out = welch_moving_average(np.array([0.0, 10, 0, 10, 0, 10, 0, 10]), 1)
    np.testing.assert_allclose(out[:7], [0, 10 / 3, 20 / 3, 10 / 3, 20 / 3, 10 / 3, 20 / 3])
    with pytest.raises(ValueError, match="window"):
        welch_moving_average(y, 4)


def test_suggest_warmup_finds_where_a_ramp_levels_off():
    y = np.concatenate([np.linspace(0, 100, 101), np.full(400, 100.0)])
    day = suggest_warmup(y, tolerance=0.02)
    assert 95 <= day <= 100
    assert suggest_warmup(np.linspace(0, 100, 500)) is None, "still rising at the end"


def test_welch_from_an_empty_start_and_its_figure(tmp_path):
    stationary = {"segments.S1.instroom.growth": 0, "providers.P1.plekken": {}}
    result = welch(SMOKE, seed=3, replications=4, window=30, horizon_years=5, overrides=stationary)
    d = result.daily
    assert len(d) == result.scenario.horizon_days and list(d.columns[:2]) == ["day", "date"]
    assert d[0].iloc[0] == 0, "starts from an empty system"
    assert d["welch_beginstand"].iloc[0] > 100, "the comparison starts from the initial caseload"
    smoothed = d["welch"].dropna()
    level = smoothed.iloc[len(smoothed) // 2:].mean()
    # from empty, chains and recidive (return after ~200 days) take years to fill: not before 300 days
    assert result.suggested_days is not None and 300 < result.suggested_days < result.scenario.horizon_days - 60
    assert abs(d["welch"].iloc[result.suggested_days] / level - 1) <= 0.05
    assert result.scenario.warmup.days == 365, "the figure shows the scenario's own warm-up"
    fig = result.figure()
    ax = fig.axes[0]
    assert "Welch" in ax.get_title() and "(days)" in ax.get_xlabel() and "(number)" in ax.get_ylabel()
    assert any("Source:" in t.get_text() for t in fig.texts)
    fig.savefig(tmp_path / "w.png")
    assert (tmp_path / "w.png").stat().st_size > 1000


def test_daily_caseload_counts_trajecten_in_care():
    ev = pd.DataFrame({
        "replication": [0] * 4, "traject": [1, 1, 2, 2], "client": [1, 1, 2, 2],
        "event": ["start_zorg", "stop_zorg", "start_zorg", "stop_zorg"], "day": [0.5, 3.0, 1.0, 2.5],
        "reden": [None, "afschaling", None, "afschaling"], "wacht_dagen": [0.0, np.nan, 0.0, np.nan],
        "doorlooptijd": [np.nan, 2.5, np.nan, 1.5], "sinds_dag": np.nan,
        "municipality": "A", "segment": "S", "traject_type": "t", "provider": "P"})
    counts = daily_caseload(ev, 5)[0].tolist()
    assert counts == [0, 2, 2, 0, 0]   # in care when start <= day < stop
