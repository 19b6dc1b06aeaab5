"""Clients who can never wait run on private clocks; the event log must be exactly the shared-clock one."""
import copy

import pandas as pd
import pytest

from simulation.core import events as ev
from simulation.experiment.runner import build_model
from simulation.config.scenario import scenario_from_dict
from scenarios import BASE

RICH = copy.deepcopy(BASE)
RICH["horizon_years"] = 2
RICH["segments"]["S3"].update({
    "voorliggend_veld_share": 0.2, "stacking_probability": 0.3, "max_wait_days": 30,
    "toegang_doorlooptijd": {"kind": "exponential", "mean": 10},
    "recidive": {"probability": 0.4, "delay": {"kind": "gamma", "mean": 120, "cv": 0.5}},
    "instroom": {"per_year": 600, "base_year": 2021, "growth": 0.05},
})
RICH["segments"]["S3"]["traject_types"]["licht"]["outcomes"] = {
    "afschaling": 0.5, "uitval": 0.1, "verlenging": 0.2, "opschaling": 0.2}
RICH["segments"]["S3"]["traject_types"]["licht"]["opschaling_to"] = {"segment": "S4", "traject_type": "verblijf"}
RICH["segments"]["S4"] = {"domain": "jeugd", "instroom": {"per_year": 40, "base_year": 2022},
                          "traject_types": {"verblijf": {"share": 1, "planned_doorlooptijd": 300,
                                                         "doorlooptijd": {"kind": "lognormal", "mean": 300, "cv": 0.4}}}}
RICH["providers"]["Aanbieder A"]["segments"]["S4"] = {}
RICH["providers"]["Aanbieder B"] = {"segments": {"S3": {"weight": 0.5, "maatwerk_factor": 1.3}}}


def log_of(scenario, private: bool, seed: int = 5) -> tuple[pd.DataFrame, dict]:
    model = build_model(scenario, seed, 0, private_clocks=private)
    frame = ev.to_frame(model.run(), 0, scenario.start_date, model.labels())
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True), model


def long_lives(raw: dict) -> None:
    """Many recidives and long chains: draws beyond the client's pre-drawn block (fallback streams)."""
    raw["segments"]["S3"]["recidive"] = {"probability": 0.8, "delay": {"kind": "exponential", "mean": 20}}
    raw["segments"]["S3"]["traject_types"]["licht"]["outcomes"] = {
        "afschaling": 0.3, "verlenging": 0.6, "opschaling": 0.1}


def fixed_times(raw: dict) -> None:
    """Fixed durations: many events of one client fall on the same moment (ties)."""
    raw["segments"]["S3"]["toegang_doorlooptijd"] = {"kind": "fixed", "value": 0}
    raw["segments"]["S3"]["traject_types"]["licht"]["doorlooptijd"] = {"kind": "fixed", "value": 90}
    raw["segments"]["S3"]["traject_types"]["licht"]["verlenging_doorlooptijd"] = {"kind": "fixed", "value": 45}


@pytest.mark.parametrize("plekken_in_venlo, warmup_days, change", [
    (True, 365, None), (False, 365, None), (True, 0, None), (True, 365, long_lives), (False, 365, fixed_times)])
def test_private_clocks_give_exactly_the_shared_clock_log(plekken_in_venlo, warmup_days, change):
    raw = copy.deepcopy(RICH)
    raw["warmup"] = {"initial_caseload": True, "days": warmup_days}
    if not plekken_in_venlo:
        raw["providers"]["Aanbieder A"]["plekken"] = {}
    if change is not None:
        change(raw)
    scenario = scenario_from_dict(raw)
    shared, m_shared = log_of(scenario, private=False)
    private, m_private = log_of(scenario, private=True)
    # Venlo buys plekken in S3 only: its S4 clients (who cannot reach S3) and all of Beesel's need no queue
    assert m_private.mun_names == ["Venlo", "Beesel"] and m_private.seg_names == ["S3", "S4"]
    assert m_private.private_ok == ([[False, True], [True, True]] if plekken_in_venlo else [[True, True]] * 2)
    assert m_private.cohort.n_clients > 0
    assert len(m_private.private_clients) > 0, "stacked episodes are handed to private clocks"
    pd.testing.assert_frame_equal(shared, private, check_exact=True)
    assert m_shared.state_at_horizon() == m_private.state_at_horizon()
    assert m_shared.clients_at_horizon() == m_private.clients_at_horizon()
    assert m_shared.n_trajecten == m_private.n_trajecten
    assert (private["event"] == "beginstand").sum() > 0
    if change is long_lives:   # the case is there: lives that outrun the pre-drawn block
        beesel = private[private["municipality"] == "Beesel"]   # all of Beesel is in the cohort
        assert beesel[beesel["event"] == "recidive"].groupby("client").size().max() >= 4
        assert (beesel.loc[beesel["traject"] >= 0, "traject"] % 1000).max() >= 10


def test_two_segments_may_use_the_same_traject_type_name():
    raw = copy.deepcopy(RICH)
    raw["segments"]["S4"]["traject_types"] = {"licht": raw["segments"]["S4"]["traject_types"]["verblijf"]}
    raw["segments"]["S3"]["traject_types"]["licht"]["opschaling_to"] = {"segment": "S4", "traject_type": "licht"}
    scenario = scenario_from_dict(raw)
    frame, _ = log_of(scenario, private=True)
    starts = frame[frame["event"] == "start_zorg"]
    assert set(starts["traject_type"].cat.categories) == {"licht", "zwaar"}
    assert set(starts.loc[starts["segment"] == "S4", "traject_type"]) == {"licht"}
    assert {"licht", "zwaar"} == set(starts.loc[starts["segment"] == "S3", "traject_type"])


@pytest.mark.parametrize("segment", ["S3", "S4"])
def test_funding_rules_keep_only_their_own_municipality_and_segment_on_the_shared_clock(segment):
    """Contracts with every flow rule for Venlo in one segment: Beesel (and Venlo's S4 when the
    contracts are in S3, which S4 cannot reach) run in the cohort, with exactly the shared-clock log."""
    raw = copy.deepcopy(RICH)
    raw["warmup"] = {"initial_caseload": True, "days": 365}
    raw["providers"]["Aanbieder A"]["plekken"] = {}
    raw["providers"]["Aanbieder B"]["segments"][segment] = {"weight": 0.5}
    raw["providers"]["Aanbieder C"] = {"segments": {segment: {"weight": 0.5}}}   # where refused clients go
    raw["segments"][segment]["traject_types"][next(iter(raw["segments"][segment]["traject_types"]))]["weight"] = 6
    tariffs = {name: 2000 for name in raw["segments"][segment]["traject_types"]}
    venlo = {"municipality": "Venlo", "segment": segment}
    raw["funding"] = {"contracts": [
        {**venlo, "provider": "Aanbieder A", "variant": "plafond", "ceiling": 40_000,
         "realisation": {"basis": "traject", "tariffs": tariffs},
         "behaviour": {"refusal_probability": 0.5, "doorlooptijd_factor": 1.2, "source": "test"}},
        {**venlo, "provider": "Aanbieder B", "variant": "traject", "tariffs": tariffs, "extra_capacity": True}]}
    scenario = scenario_from_dict(raw)
    shared, m_shared = log_of(scenario, private=False)
    private, m_private = log_of(scenario, private=True)
    assert m_private.private_ok == ([[False, True], [True, True]] if segment == "S3" else [[False, False], [True, True]])
    assert m_private.cohort.n_clients > 0
    for reden in ("overstap", "weigering"):   # the plafond and the refusal did act on Venlo's clients
        assert (private["reden"] == reden).any(), reden
    pd.testing.assert_frame_equal(shared, private, check_exact=True)
    assert m_shared.clients_at_horizon() == m_private.clients_at_horizon()
