"""Clients who can never wait run on private clocks; the event log must be exactly the shared-clock one."""
import copy

import pandas as pd
import pytest

from simulation import events as ev
from simulation.model import Model
from simulation.scenario import scenario_from_dict
from test_scenario_files import BASE

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
    model = Model(scenario, seed, 0, private_clocks=private)
    frame = ev.to_frame(model.run(), 0, scenario.start_date, model.labels())
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True), model


@pytest.mark.parametrize("plekken_in_venlo, warmup_days", [(True, 365), (False, 365), (True, 0)])
def test_private_clocks_give_exactly_the_shared_clock_log(plekken_in_venlo, warmup_days):
    raw = copy.deepcopy(RICH)
    raw["warmup"] = {"initial_caseload": True, "days": warmup_days}
    if not plekken_in_venlo:
        raw["providers"]["Aanbieder A"]["plekken"] = {}
    scenario = scenario_from_dict(raw)
    shared, m_shared = log_of(scenario, private=False)
    private, m_private = log_of(scenario, private=True)
    assert sum(m_private.private_ok) == (1 if plekken_in_venlo else 2), "Beesel (no plekken) runs privately"
    assert len(m_private.private_clients) > 0
    pd.testing.assert_frame_equal(shared, private)
    assert m_shared.state_at_horizon() == m_private.state_at_horizon()
    assert (private["event"] == "beginstand").sum() > 0


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
