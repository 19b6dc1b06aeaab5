"""Random streams: reproducible runs and common random numbers between scenarios (DESIGN.md section 3).

- the same seed gives a byte-identical event log in one process or in two;
- another seed, or another replication, gives another log;
- two scenarios that differ only in plekken see the same clients: same aanmelding times, same
  toegang decisions, same traject types; with a different maatwerk factor the same trajecten
  last exactly that factor longer;
- adding a segment does not change the clients of the other segments.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from simulation import simulate
from simulation.analysis.tables import traject_table
from scenarios import RICH, rich_scenario

SEED = 31337


def new_clients(events: pd.DataFrame) -> pd.DataFrame:
    """Clients who report at the toegang on or after day 0 (no beginstand row): their first
    aanmelding, whether the toegang sent them to the voorliggend veld, and their first traject."""
    begin = set(events.loc[events["event"] == "beginstand", "client"])
    ev = events[~events["client"].isin(begin)]
    first = ev[ev["event"] == "aanmelding"].drop_duplicates("client")[["client", "day", "municipality", "segment"]]
    vv = ev[(ev["event"] == "voorliggend_veld") & (ev["reden"] == "toegang")].drop_duplicates("client")
    first_vv = first.merge(vv[["client", "day"]], on=["client", "day"], how="left", indicator=True)
    first["naar_voorliggend_veld"] = (first_vv["_merge"] == "both").to_numpy()
    toew = ev[(ev["event"] == "toewijzing") & ev["reden"].isna()]
    first_traject = toew.drop_duplicates("client")[["client", "day", "traject", "traject_type"]]
    out = first.merge(first_traject.rename(columns={"day": "toewijzing_dag"}), on="client", how="left")
    return out.sort_values("client", ignore_index=True)


@pytest.fixture(scope="module")
def scenario():
    return rich_scenario(horizon_years=2)


def test_same_seed_same_log_in_one_or_two_processes(scenario, tmp_path):
    one = simulate(scenario, seed=SEED, replications=3, workers=1)
    two = simulate(scenario, seed=SEED, replications=3, workers=2)
    again = simulate(scenario, seed=SEED, replications=3, workers=1)
    paths = []
    for name, result in (("one", one), ("two", two), ("again", again)):
        path = tmp_path / f"{name}.parquet"
        result.events.to_parquet(path, index=False)
        paths.append(path)
    assert len(one.events) > 10_000
    assert paths[0].read_bytes() == paths[1].read_bytes() == paths[2].read_bytes()
    assert one.events.equals(two.events)
    pd.testing.assert_frame_equal(one.kpis, two.kpis)
    assert one.state_at_horizon == two.state_at_horizon == again.state_at_horizon


def test_another_seed_or_replication_gives_another_log(scenario):
    a = simulate(scenario, seed=SEED, replications=2).events
    b = simulate(scenario, seed=SEED + 1, replications=1).events
    arrivals = [x.loc[x["event"] == "aanmelding", "day"].to_numpy() for x in
                (a[a["replication"] == 0], a[a["replication"] == 1], b)]
    assert all(len(x) > 1000 for x in arrivals)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        n = min(len(arrivals[i]), len(arrivals[j]))
        assert not np.isin(arrivals[i][:n], arrivals[j][:n]).any(), "streams overlap"


def test_plekken_do_not_change_the_clients(scenario):
    """Common random numbers: fewer or more plekken change waits, not who comes and what they need."""
    raw = copy.deepcopy(RICH)
    raw["horizon_years"] = 2
    base = simulate(scenario, seed=SEED, replications=2).events
    raw["providers"]["P1"]["plekken"] = {"B": {"J1": 80, "J2": 3}, "A": {"J2": 1}}   # more here, fewer there
    del raw["providers"]["P2"]["plekken"]
    other = simulate(raw, seed=SEED, replications=2).events
    for rep in (0, 1):
        x = new_clients(base[base["replication"] == rep])
        y = new_clients(other[other["replication"] == rep])
        assert len(x) > 500
        # the same clients, arriving at the same moment, with the same toegang decision
        pd.testing.assert_frame_equal(x[["client", "day", "municipality", "segment", "naar_voorliggend_veld"]],
                                      y[["client", "day", "municipality", "segment", "naar_voorliggend_veld"]])
        # ... and the same first traject (type, id), at the same moment (toegang time is the client's)
        both = x["traject"].notna() & y["traject"].notna()
        assert both.sum() > 400
        pd.testing.assert_frame_equal(x.loc[both, ["traject", "traject_type", "toewijzing_dag"]],
                                      y.loc[both, ["traject", "traject_type", "toewijzing_dag"]])
        # the waits did change (else this test would prove nothing)
        waits = [e.loc[(e["replication"] == rep) & (e["event"] == "start_zorg"), "wacht_dagen"].sum()
                 for e in (base, other)]
        assert waits[0] != pytest.approx(waits[1], rel=0.05)


def test_maatwerk_factor_scales_the_same_trajecten():
    """Without plekken (nothing waits), a provider's maatwerk factor stretches exactly its trajecten."""
    raw = copy.deepcopy(RICH)
    raw["horizon_years"] = 2
    for p in raw["providers"].values():
        p["plekken"] = {}
    raw["providers"]["P2"]["segments"]["J1"]["maatwerk_factor"] = 1.0
    base = simulate(raw, seed=SEED, replications=1).events
    raw["providers"]["P2"]["segments"]["J1"]["maatwerk_factor"] = 1.6
    slow = simulate(raw, seed=SEED, replications=1).events
    x, y = new_clients(base), new_clients(slow)
    pd.testing.assert_frame_equal(x, y)   # same clients, toegang, first traject and provider choice
    tx, ty = traject_table(base).set_index("traject"), traject_table(slow).set_index("traject")
    first = x["traject"].dropna().astype(np.int64)
    closed = first[first.isin(tx.index[tx["reden"] != "einde_horizon"])
                   & first.isin(ty.index[ty["reden"] != "einde_horizon"])]
    a, b = tx.loc[closed], ty.loc[closed]
    assert (a["provider"] == b["provider"]).all() and (a["reden"] == b["reden"]).all()
    assert np.array_equal(a["start"], b["start"])
    at_p2 = (a["provider"] == "P2") & (a["segment"] == "J1")
    assert at_p2.sum() > 50 and (~at_p2).sum() > 50
    assert np.allclose(b.loc[at_p2, "doorlooptijd"], 1.6 * a.loc[at_p2, "doorlooptijd"], rtol=1e-9)
    assert np.allclose(b.loc[~at_p2, "doorlooptijd"], a.loc[~at_p2, "doorlooptijd"], rtol=1e-9)


def test_adding_a_segment_leaves_the_other_segments_alone():
    raw = copy.deepcopy(RICH)
    raw["horizon_years"] = 2
    base = simulate(raw, seed=SEED, replications=2).events
    # a new Wmo segment in the middle of the file, at an existing provider, with its own plekken
    segments = list(raw["segments"].items())
    segments.insert(1, ("HV", {"domain": "wmo", "instroom": {"per_year": 150, "base_year": 2022},
                               "voorliggend_veld_share": 0.4,
                               "traject_types": {"hulp": {"share": 1, "planned_doorlooptijd": 120,
                                                          "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.7}}}}))
    raw["segments"] = dict(segments)
    raw["providers"]["P1"]["segments"]["HV"] = {}
    raw["providers"]["P1"]["plekken"]["B"]["HV"] = 10
    more = simulate(raw, seed=SEED, replications=2).events
    assert (more["segment"] == "HV").sum() > 100
    others = more[more["segment"] != "HV"].reset_index(drop=True)
    # the same events in the same order; client ids may be numbered differently, so compare the
    # rest of each row, then the clients by their arrival
    cols = [c for c in base.columns if c not in ("client", "traject", "segment")]
    pd.testing.assert_frame_equal(base[cols], others[cols], check_categorical=False)
    assert (base["segment"].astype(str) == others["segment"].astype(str)).all()
    for rep in (0, 1):
        x = new_clients(base[base["replication"] == rep]).drop(columns=["client", "traject"])
        y = new_clients(others[others["replication"] == rep]).drop(columns=["client", "traject"])
        pd.testing.assert_frame_equal(x.sort_values("day", ignore_index=True), y.sort_values("day", ignore_index=True),
                                      check_categorical=False)
