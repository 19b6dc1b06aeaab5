"""Occupancy and sensitivity helpers (report/occupancy.py, report/sensitivity.py) on small inputs."""
import numpy as np
import pandas as pd
import pytest

from simulation.analysis.queueing import erlang_wait
from simulation.report.occupancy import occupancy_table
from simulation.report.sensitivity import scaled_raw


def test_occupancy_table_sets_erlang_c_next_to_the_model():
    per_rep = pd.DataFrame({"plekken": [4, 4, 8, 8], "busy": [3.0, 3.2, 3.1, 3.1], "claims": 10,
                            "wait_mean": [5.0, 7.0, 0.0, 0.0], "wait_days_total": [50.0, 70, 0, 0],
                            "share_waited": [0.5, 0.7, 0.0, 0.0], "replication": [0, 1, 0, 1]})
    res = occupancy_table(per_rep, a=3.5, mean_service=100.0).set_index("plekken")
    assert res.loc[4, "bezetting"] == pytest.approx(3.1 / 4) and res.loc[4, "wait_mean"] == 6.0
    assert res.loc[8, "erlang_wait_mean"] == pytest.approx(erlang_wait(8, 3.5, 100.0))
    assert res.loc[4, "erlang_bezetting"] == 3.5 / 4


def test_occupancy_table_has_no_erlang_value_at_or_below_the_load():
    per_rep = pd.DataFrame({"plekken": [3], "busy": [3.0], "claims": 1, "wait_mean": [1.0], "wait_days_total": [1.0],
                            "share_waited": [1.0], "replication": [0]})
    assert np.isnan(occupancy_table(per_rep, a=3.5, mean_service=10.0)["erlang_p_wait"].iloc[0])


def test_scaled_raw_scales_the_mean_of_a_yaml_distribution():
    assert scaled_raw({"kind": "lognormal", "mean": 100, "cv": 0.5}, 1.5)["mean"] == pytest.approx(150)
    assert scaled_raw({"kind": "fixed", "value": 10}, 0.5) == {"kind": "fixed", "value": 5.0}


def test_mmc_check_agrees_with_erlang_c_from_day_0():
    """M/M/N with a = 8 busy, E[S] = 30 days: the model's first-year mean wait from the steady-state
    start lies within its 95% CI of Erlang C's at N = 9 and 11 (both waits are far from zero)."""
    import datetime as dt
    from simulation.report.occupancy import mmc_check
    check = mmc_check(8.0, 30.0, [7, 9, 11], replications=4, seed=3, start_date=dt.date(2022, 1, 1), pools=20)
    assert list(check["plekken"]) == [9, 11]          # N <= a has no steady state
    assert check["binnen_ci"].all() and check["kans_binnen_ci"].all() and check["binnen_familie"].all(), check
    assert (check["ci_hoog"] - check["ci_laag"] < check["wacht_gem_erlang_c"]).all(), check   # the CI says something
