"""Groups in which nothing happens count as zero: every (replication, year, group) the scenario defines
has a KPI row, summarise averages over every replication and says over how many, and the means equal
the counts taken straight from the event log. A run in which nothing happens says so."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from simulation import simulate
from simulation.analysis.kpis import kpis, summarise
from simulation.experiment.runner import NothingHappened
from scenarios import flow_scenario

REPS = 6


def _small():
    """Little instroom over 3 years at two providers, plekken bought at a third that few clients choose."""
    raw = flow_scenario(per_year=1.5, d=200, providers=("P1", "P2", "P3"), horizon_years=3, warmup=0)
    raw["providers"]["P3"]["segments"]["S3"] = {"weight": 0.01}
    raw["providers"]["P3"]["plekken"] = {"Venlo": {"S3": 2}}
    return raw


@pytest.fixture(scope="module")
def small():
    return simulate(_small(), seed=3, replications=REPS)


def _new_starts(events: pd.DataFrame) -> pd.DataFrame:
    """New trajecten starting care, counted from the log: start_zorg without a continuation reden."""
    e = events[(events["event"] == "start_zorg") & events["reden"].isna()]
    return e.assign(year=e["date"].dt.year, provider=e["provider"].astype(str))


def test_every_replication_year_and_pool_has_a_row(small):
    k = small.kpis
    assert len(k) == REPS * 3 * 3
    full = pd.MultiIndex.from_product([range(REPS), [2022, 2023, 2024], ["P1", "P2", "P3"]])
    got = pd.MultiIndex.from_arrays([k["replication"], k["year"], k["provider"].astype(str)])
    assert set(got) == set(full)
    # some replication-year-pools had no new client at all: they are rows of zeros, not missing
    assert (k["instroom"] == 0).any()


def test_means_over_all_replications_equal_the_logs_counts(small):
    starts = _new_starts(small.events)
    counted = starts.groupby(["year", "provider"]).size()
    s = summarise(small.kpis, ["instroom", "wacht_dagen_gem"]).assign(provider=lambda f: f["provider"].astype(str))
    for row in s.itertuples():
        assert row.instroom_n == REPS
        assert row.instroom_gem == pytest.approx(counted.get((row.year, row.provider), 0) / REPS, abs=1e-12)
    # per replication too: the KPI's count is the log's count, zero included
    per_rep = starts.groupby(["replication", "year", "provider"]).size()
    for row in small.kpis.assign(provider=small.kpis["provider"].astype(str)).itertuples():
        assert row.instroom == per_rep.get((row.replication, row.year, row.provider), 0)


def test_nan_only_where_a_kpi_is_undefined(small):
    k = small.kpis
    # a mean wait is undefined exactly where no traject started
    np.testing.assert_array_equal(k["wacht_dagen_gem"].isna(), k["instroom"] == 0)
    for col in ("instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "wachtlijst_eind",
                "afgesloten_trajecten"):
        assert k[col].notna().all(), col
    s = summarise(k, ["wacht_dagen_gem"])
    defined = k.groupby(["year", "provider"], observed=True)["wacht_dagen_gem"].count().to_numpy()
    np.testing.assert_array_equal(s["wacht_dagen_gem_n"], defined)       # n: the replications with starts


def test_plekken_bought_get_bezetting_rows_without_activity(small):
    k = small.kpis
    p3 = k[k["provider"] == "P3"]
    assert len(p3) == REPS * 3 and (p3["plekken"] == 2).all()
    assert p3["bezettingsgraad"].notna().all() and (p3["bezettingsgraad"] >= 0).all()
    idle = p3[p3["unieke_clienten"] == 0]
    assert len(idle) and (idle["bezettingsgraad"] == 0).all() and (idle["clienten_per_plek"] == 0).all()
    # pools without plekken have no bezettingsgraad: undefined, not zero
    assert k.loc[k["provider"] != "P3", "bezettingsgraad"].isna().all()


def test_a_replication_without_events_keeps_its_rows():
    res = simulate(_small(), seed=3, replications=2)
    only_first = res.events[res.events["replication"] == 0]
    k = kpis(only_first, res.scenario, replications=2)
    second = k[k["replication"] == 1]
    assert len(second) == 3 * 3 and (second["instroom"] == 0).all() and (second["unieke_clienten"] == 0).all()


def test_a_scenario_in_which_nothing_happens_says_so():
    raw = flow_scenario(per_year=0.0, providers=("P1", "P2"), warmup=0)
    with pytest.warns(NothingHappened, match="er gebeurde niets"):
        res = simulate(raw, seed=1, replications=3)
    assert len(res.events) == 0 and res.notes and "instroom is 0" in res.notes[0]
    assert len(res.kpis) == 3 * 2 * 2 and (res.kpis["instroom"] == 0).all()
    s = summarise(res.kpis, ["instroom"])
    assert (s["instroom_n"] == 3).all() and (s["instroom_gem"] == 0).all()


def test_a_run_with_instroom_has_no_note(small):
    assert small.notes == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", NothingHappened)
        simulate(_small(), seed=3, replications=1)
