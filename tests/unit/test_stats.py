"""Statistics over replications (analysis/stats.py): t-intervals, paired differences, long summary, precision."""
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from simulation.analysis import stats


def test_mean_sd_interval_matches_pandas_and_scipy():
    x = pd.Series([3.0, np.nan, 5.5, 4.25, 7.0])
    mean, sd, lo, hi = stats.mean_sd_interval(x, 0.9)
    values = x.dropna()
    assert mean == values.mean() and sd == values.std(ddof=1)
    half = scipy_stats.t.ppf(0.95, 3) * values.std(ddof=1) / math.sqrt(4)
    assert (lo, hi) == pytest.approx((mean - half, mean + half), rel=1e-15)
    one = stats.mean_sd_interval([2.0], 0.95)
    assert one[0] == 2.0 and all(np.isnan(one[1:]))
    assert all(np.isnan(stats.mean_sd_interval([], 0.95)))


def _kpis():
    # two scenarios, three replications, two years; "b" is "a" plus a known shift per replication
    rows = []
    for r, shift in enumerate([1.0, 2.0, 4.0]):
        for year in (2022, 2023):
            a = 10.0 + r + (year - 2022)
            rows += [{"scenario": "a", "replication": r, "year": year, "instroom": a, "wacht": np.nan},
                     {"scenario": "b", "replication": r, "year": year, "instroom": a + shift, "wacht": 1.0}]
    return pd.DataFrame(rows)


def test_paired_differences_frame_per_replication_keeps_the_variants_order():
    frame = _kpis().iloc[::-1]
    diffs = stats.paired_differences_frame(frame, "a", ["instroom"], ["replication", "year"],
                                           include_baseline=True)
    assert list(diffs["scenario"].unique()) == ["b", "a"]
    b = diffs[diffs["scenario"] == "b"]
    assert b["instroom"].tolist() == [4.0, 4.0, 2.0, 2.0, 1.0, 1.0]
    assert (diffs.loc[diffs["scenario"] == "a", "instroom"] == 0).all()
    without = stats.paired_differences_frame(frame, "a", ["instroom"], ["replication", "year"])
    assert set(without["scenario"]) == {"b"}
    with pytest.raises(ValueError, match="no runs of baseline scenario 'c'"):
        stats.paired_differences_frame(frame, "c", ["instroom"], ["replication", "year"])


def test_paired_differences_summary_is_the_t_interval_of_the_differences():
    out = stats.paired_differences(_kpis(), "a", ["instroom", "wacht"])
    assert set(out["kpi"]) == {"instroom"}, "a KPI without values in the baseline gives no differences"
    row = out[out["year"] == 2022].iloc[0]
    mean, lo, hi = stats.t_interval([1.0, 2.0, 4.0])
    assert row["verschil_gem"] == pytest.approx(mean) and row["n"] == 3 and row["basis"] == "a"
    assert (row["ci_laag"], row["ci_hoog"]) == pytest.approx((lo, hi))


def test_summarise_long_and_precision():
    kpi = _kpis()
    out = stats.summarise_long(kpi, keys=("scenario", "year"), columns=["wacht", "instroom"])
    assert list(out.columns) == ["scenario", "year", "kpi", "n", "gem", "sd", "ci_laag", "ci_hoog",
                                 "halve_breedte", "rel_halve_breedte"]
    assert out[out["scenario"] == "a"]["kpi"].tolist() == ["instroom", "instroom"], "NaN-only KPIs are left out"
    assert out[out["scenario"] == "b"]["kpi"].tolist() == ["wacht", "instroom", "wacht", "instroom"]
    constant = out[(out["scenario"] == "b") & (out["kpi"] == "wacht")].iloc[0]
    assert constant["halve_breedte"] == 0 and constant["rel_halve_breedte"] == 0
    a = kpi[kpi["scenario"] == "a"]
    met, worst = stats.precision_reached(a, SimpleNamespace(kpis=["instroom"], relative_half_width=0.5))
    assert met and 0 < worst < 0.5
    met, _ = stats.precision_reached(a, SimpleNamespace(kpis=["instroom"], relative_half_width=0.01))
    assert not met
    assert stats.precision_reached(a.iloc[:0], SimpleNamespace(kpis=["instroom"], relative_half_width=0.5)) == \
        (False, math.inf)
