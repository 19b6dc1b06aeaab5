"""Statistics over replications (analysis/stats.py): t-intervals, paired differences, long summary, precision."""
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from simulation.analysis import stats
from simulation.analysis.kpi_registry import KPIS
from simulation.analysis.kpis import summarise


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


# -- bounded KPIs: intervals inside the possible range (stats.bounded_interval) ------------------

def test_share_interval_is_the_logit_delta_interval_and_stays_in_0_1():
    x = np.array([0.97, 1.0, 0.9, 1.0, 0.95])
    mean, sd, n = x.mean(), x.std(ddof=1), len(x)
    lo, hi = stats.bounded_interval(mean, sd, n, 0.95, stats.SHARE)
    plain_hi = mean + scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    assert plain_hi > 1 and 0 < lo < mean < hi < 1          # the plain t-interval leaves [0, 1]; this one does not
    # by hand: logit(mean) -/+ t se / (p (1 - p)), back through the logistic function
    half = scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) / (mean * (1 - mean))
    logit = math.log(mean / (1 - mean))
    assert (lo, hi) == pytest.approx((1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half)))),
                                     rel=1e-12)


def test_share_interval_far_from_the_bounds_is_close_to_the_t_interval():
    rng = np.random.default_rng(5)
    x = rng.uniform(0.45, 0.55, 50)
    mean, sd = x.mean(), x.std(ddof=1)
    lo, hi = stats.bounded_interval(mean, sd, 50, 0.95, stats.SHARE)
    half = stats.t_half_width(sd, 50, 0.95)
    assert (lo, hi) == pytest.approx((mean - half, mean + half), abs=half * 0.01)


def test_a_share_at_its_bound_in_every_replication_is_that_point():
    lo, hi = stats.bounded_interval(np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([4, 4]), 0.95, stats.SHARE)
    np.testing.assert_array_equal(lo, [0.0, 1.0])
    np.testing.assert_array_equal(hi, [0.0, 1.0])
    lo, hi = stats.bounded_interval(0.5, np.nan, 1, 0.95, stats.SHARE)    # one replication: no interval
    assert np.isnan(lo) and np.isnan(hi)


def test_a_count_interval_is_clipped_at_zero_and_otherwise_the_t_interval():
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 6.0])                  # a rare event: the t-interval goes below 0
    mean, sd = x.mean(), x.std(ddof=1)
    half = stats.t_half_width(sd, 6, 0.95)
    lo, hi = stats.bounded_interval(mean, sd, 6, 0.95, stats.NON_NEGATIVE)
    assert mean - half < 0 and lo == 0.0 and hi == pytest.approx(mean + half, rel=1e-15)
    lo, hi = stats.bounded_interval(10.0, 1.0, 6, 0.95, stats.NON_NEGATIVE)
    assert (lo, hi) == pytest.approx((10 - stats.t_half_width(1.0, 6, 0.95), 10 + stats.t_half_width(1.0, 6, 0.95)))


def test_clipping_and_the_logit_interval_keep_their_coverage():
    # shares near 1 and rare counts, 4000 experiments of 5 replications: the interval covers the true mean
    # at least as often as it should (clipping never loses coverage; the logit interval is near nominal)
    rng = np.random.default_rng(11)
    share = rng.beta(40, 2, size=(4000, 5))                         # true mean 40 / 42
    lo, hi = stats.bounded_interval(share.mean(1), share.std(1, ddof=1), 5, 0.95, stats.SHARE)
    assert ((lo >= 0) & (hi <= 1)).all()
    assert ((lo <= 40 / 42) & (40 / 42 <= hi)).mean() > 0.92
    counts = rng.poisson(0.8, size=(4000, 5)).astype(float)
    lo, hi = stats.bounded_interval(counts.mean(1), counts.std(1, ddof=1), 5, 0.95, stats.NON_NEGATIVE)
    plain = stats.t_half_width(counts.std(1, ddof=1), 5, 0.95)
    covered_plain = (counts.mean(1) - plain <= 0.8) & (0.8 <= counts.mean(1) + plain)
    covered = (lo <= 0.8) & (0.8 <= hi)
    assert (lo >= 0).all() and (covered >= covered_plain).all()


def test_summarise_keeps_every_kpi_interval_in_range_and_reports_n():
    kpi = pd.DataFrame({"replication": range(5), "year": 2024, "instroom": [0, 0, 0, 0, 3],
                        "aandeel_uitval": [1.0, 0.9, 1.0, 1.0, 0.8], "wacht_dagen_gem": [np.nan, 2.0, 0.0, 0.0, 9.0]})
    s = summarise(kpi, ["instroom", "aandeel_uitval", "wacht_dagen_gem"]).iloc[0]
    assert s["instroom_ci_laag"] == 0 and s["instroom_gem"] == 0.6 and s["instroom_n"] == 5
    assert 0 < s["aandeel_uitval_ci_laag"] < s["aandeel_uitval_ci_hoog"] < 1
    assert s["wacht_dagen_gem_n"] == 4 and s["wacht_dagen_gem_ci_laag"] == 0
    assert s["wacht_dagen_gem_gem"] == pytest.approx(11 / 4)


def test_every_share_kpi_is_bounded_by_0_and_1():
    shares = {name for name, k in KPIS.items() if k.bounds == stats.SHARE}
    assert {name for name in KPIS if name.startswith("aandeel_")} <= shares
    assert {"recidive_365", "doelrealisatie", "doel_behaald"} <= shares
    assert all(k.bounds == stats.NON_NEGATIVE for name, k in KPIS.items() if name not in shares)


def test_interval_not_below_zero_clips_only_where_no_value_is_below_zero():
    from simulation.analysis.stats import interval_not_below_zero, mean_sd_interval

    spread = [10.0, 900.0, 5.0, float("nan")]            # the t-interval of 3 values reaches below 0
    plain = mean_sd_interval(spread)
    assert plain[2] < 0
    mean, sd, low, high = interval_not_below_zero(spread)
    assert (mean, sd, high) == (plain[0], plain[1], plain[3]) and low == 0.0
    refund = [10.0, 900.0, -5.0]                         # a replication below 0: the plain interval
    assert interval_not_below_zero(refund) == mean_sd_interval(refund)
