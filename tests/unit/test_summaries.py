"""Replication summaries of analysis/summaries.py: the client flow of a year and spread bands."""
import numpy as np
import pandas as pd
import pytest

from simulation.analysis.summaries import band, flow_per_year


def test_flow_counts_each_step_per_replication_in_the_year():
    events = pd.DataFrame({
        "replication": [0, 0, 0, 1, 1, 0],
        "date": pd.to_datetime(["2022-01-05", "2022-02-01", "2022-03-01", "2022-01-09", "2022-04-01", "2023-01-02"]),
        "event": ["aanmelding", "toewijzing", "start_zorg", "aanmelding", "stop_zorg", "aanmelding"],
        "reden": [None, None, None, None, "uitval", None]})
    flow = flow_per_year(events, 2022)
    assert flow["aanmeldingen"] == 1.0            # one in each replication; the 2023 one does not count
    assert flow["toewijzingen (nieuw)"] == 0.5
    assert flow["stop: uitval"] == 0.5 and flow["recidive"] == 0.0


def test_band_is_the_t_interval_and_the_range():
    b = band(pd.Series([1.0, 2.0, 3.0]))
    assert b["gem"] == 2.0 and b["min"] == 1.0 and b["max"] == 3.0
    assert b["ci_hoog"] - b["gem"] == pytest.approx(4.303 * 1.0 / np.sqrt(3), rel=1e-3)
    assert np.isnan(band(pd.Series([5.0]))["ci_laag"])
