"""Measures from a date (scenario.maatregelen): shorter doorlooptijden and ambulant instead of verblijf.

A measure changes only the trajecten that start (or are toegewezen) on or after its date, draws
nothing (common random numbers: every other traject keeps its draws), and the cohort (private
clocks) applies it exactly as the SimPy processes do.
"""
import copy

import numpy as np
import pandas as pd
import pytest

from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.core import events as ev
from simulation.experiment.runner import build_model
from scenarios import BASE

JULY = 181.0   # 2022-07-01 as a model day (start 2022-01-01)


def fixed_scenario(maatregelen=(), horizon_years=1, **s3):
    """S3 only, fixed doorlooptijden (licht 100 d, zwaar 200 d), S4 as an ambulant alternative (50 d), no plekken."""
    raw = copy.deepcopy(BASE)
    raw["horizon_years"] = horizon_years
    raw["warmup"] = {"initial_caseload": True, "days": 200}
    raw["providers"]["Aanbieder A"]["plekken"] = {}
    raw["providers"]["Aanbieder A"]["segments"]["S4"] = {}
    seg = raw["segments"]["S3"]
    seg["instroom"]["per_year"] = 2000
    seg["traject_types"]["licht"]["doorlooptijd"] = {"kind": "fixed", "value": 100}
    seg["traject_types"]["zwaar"]["doorlooptijd"] = {"kind": "fixed", "value": 200}
    seg.update(s3)
    raw["segments"]["S4"] = {"domain": "jeugd", "instroom": {"per_year": 0, "base_year": 2022},
                             "traject_types": {"intensief": {"share": 1, "planned_doorlooptijd": 50,
                                                             "doorlooptijd": {"kind": "fixed", "value": 50}}}}
    raw["maatregelen"] = list(maatregelen)
    return raw


def log_of(raw, private=True, seed=3):
    scenario = scenario_from_dict(raw)
    model = build_model(scenario, seed, 0, private_clocks=private)
    frame = ev.to_frame(model.run(), 0, scenario.start_date, model.labels())
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True), model


def closed(frame):
    """Trajecten that start and stop inside the horizon: start day, duration, segment, type per traject id."""
    starts = frame[frame["event"] == "start_zorg"].set_index("traject")
    stops = frame[(frame["event"] == "stop_zorg") & (frame["reden"] != "einde_horizon")].set_index("traject")
    both = starts.index.intersection(stops.index)
    return pd.DataFrame({"start": starts.loc[both, "day"], "days": stops.loc[both, "doorlooptijd"],
                         "segment": starts.loc[both, "segment"].astype(str),
                         "type": starts.loc[both, "traject_type"].astype(str)})


SHORTER = {"naam": "kortere doorlooptijd", "vanaf": "2022-07-01", "segments": ["S3"], "doorlooptijd_factor": 0.5,
           "traject_types": ["zwaar"], "source": "assumption: test"}
AMBULANT = {"naam": "ambulant", "vanaf": "2022-07-01", "segments": ["S3"], "traject_types": ["zwaar"],
            "ambulant_in_plaats_van_verblijf": {"share": 0.4, "to": {"segment": "S4", "traject_type": "intensief"}},
            "source": "assumption: test"}


def test_a_doorlooptijd_factor_changes_only_trajecten_that_start_on_or_after_its_date():
    base, _ = log_of(fixed_scenario())
    measured, _ = log_of(fixed_scenario([SHORTER]))
    b, m = closed(base), closed(measured)
    # hand-checkable: zwaar lasts 200 days before 1 July and 100 from then; licht stays 100
    zwaar = m[m["type"] == "zwaar"]
    assert np.allclose(zwaar.loc[zwaar["start"] < JULY, "days"], 200) and (zwaar["start"] < JULY).sum() > 50
    assert np.allclose(zwaar.loc[zwaar["start"] >= JULY, "days"], 100) and (zwaar["start"] >= JULY).sum() > 50
    assert np.allclose(m.loc[m["type"] == "licht", "days"], 100)
    # the same trajecten (ids, start days, types) as without the measure: nobody's draws moved
    early_b = base[base["day"] < JULY]
    early_m = measured[measured["day"] < JULY]
    pd.testing.assert_frame_equal(early_b.reset_index(drop=True), early_m.reset_index(drop=True), check_exact=True)
    # every new toewijzing (not a continuation, whose start moves with the shorter traject before it) stays
    starts = lambda f: f[(f["event"] == "start_zorg") & f["reden"].isna()][["client", "traject", "day", "traject_type"]]
    pd.testing.assert_frame_equal(starts(base).reset_index(drop=True), starts(measured).reset_index(drop=True),
                                  check_exact=True)


def test_ambulant_instead_of_verblijf_shifts_a_share_of_new_toewijzingen_from_the_date():
    base, _ = log_of(fixed_scenario())
    measured, _ = log_of(fixed_scenario([AMBULANT]))
    toew = measured[measured["event"] == "toewijzing"].set_index("traject")
    tb = base[base["event"] == "toewijzing"].set_index("traject")
    assert toew.index.equals(tb.index) and (toew["day"] == tb["day"]).all()   # the same toewijzingen, same days
    changed = toew["segment"].astype(str) != tb["segment"].astype(str)
    # only zwaar toewijzingen on or after 1 July, all to S4 intensief
    assert (tb.loc[changed, "traject_type"].astype(str) == "zwaar").all()
    assert (tb.loc[changed, "day"] >= JULY).all()
    assert (toew.loc[changed, "segment"].astype(str) == "S4").all()
    assert (toew.loc[changed, "traject_type"].astype(str) == "intensief").all()
    eligible = (tb["traject_type"].astype(str) == "zwaar") & (tb["day"] >= JULY) & tb["reden"].isna()
    share = changed.sum() / eligible.sum()
    assert eligible.sum() > 250 and abs(share - 0.4) < 0.1, share   # 3.5 standard errors
    # the shifted trajecten take the S4 doorlooptijd; all others are unchanged
    m = closed(measured)
    assert np.allclose(m.loc[m["segment"] == "S4", "days"], 50) and (m["segment"] == "S4").sum() > 50
    same = toew.index[~changed]
    before = closed(base)
    kept = m.index.intersection(before.index).intersection(same)
    pd.testing.assert_frame_equal(m.loc[kept], before.loc[kept], check_exact=True)


def rich_with_measures(plekken: bool) -> dict:
    raw = fixed_scenario()
    raw = copy.deepcopy(raw)
    seg = raw["segments"]["S3"]
    seg.update({"voorliggend_veld_share": 0.2, "stacking_probability": 0.3,
                "toegang_doorlooptijd": {"kind": "exponential", "mean": 10},
                "recidive": {"probability": 0.4, "delay": {"kind": "gamma", "mean": 120, "cv": 0.5}}})
    seg["instroom"] = {"per_year": 500, "base_year": 2021, "growth": 0.05}
    seg["traject_types"]["licht"]["doorlooptijd"] = {"kind": "lognormal", "mean": 90, "cv": 0.5}
    seg["traject_types"]["zwaar"]["doorlooptijd"] = {"kind": "gamma", "mean": 180, "cv": 0.7}
    seg["traject_types"]["zwaar"]["outcomes"] = {"afschaling": 0.5, "step_down": 0.2, "verlenging": 0.2,
                                                 "uitval": 0.1}
    raw["horizon_years"] = 2
    raw["warmup"] = {"initial_caseload": True, "days": 365}
    raw["providers"]["Aanbieder B"] = {"segments": {"S3": {"weight": 0.5, "maatwerk_factor": 1.3}, "S4": {}}}
    if plekken:   # Venlo's S4 plekken keep its S3 clients (who can be shifted there) on the shared clock
        raw["providers"]["Aanbieder A"]["plekken"] = {"Venlo": {"S4": 3}}
    shorter = dict(SHORTER, traject_types=None, uitkomsten=["afschaling", "verlenging"], doorlooptijd_factor=0.7)
    later = dict(SHORTER, vanaf="2023-03-01", segments=["S3", "S4"], traject_types=None, doorlooptijd_factor=0.9)
    raw["maatregelen"] = [shorter, AMBULANT, later]
    return raw


@pytest.mark.parametrize("plekken", [False, True])
def test_the_cohort_and_the_simpy_processes_give_the_same_log_with_measures(plekken):
    raw = rich_with_measures(plekken)
    shared, m_shared = log_of(raw, private=False)
    private, m_private = log_of(raw, private=True)
    assert m_private.cohort.n_clients > 0 and len(m_private.private_clients) > 0
    # a client who can be shifted to S4 can meet Venlo's S4 plekken: it must stay on the shared clock
    assert m_private.private_ok[0][0] is (not plekken)
    assert (private["segment"].astype(str) == "S4").any()
    pd.testing.assert_frame_equal(shared, private, check_exact=True)
    assert m_shared.clients_at_horizon() == m_private.clients_at_horizon()
    again, _ = log_of(raw, private=True)   # same seed, same result
    pd.testing.assert_frame_equal(again, private, check_exact=True)


def test_measures_from_2023_leave_2022_exactly_as_without_them():
    """The warm-up artefact of the old projection (2022 dearer with measures) cannot occur: on common
    random numbers every 2022 row of the log is the same with and without measures from 2023."""
    raw = rich_with_measures(plekken=True)
    without = copy.deepcopy(raw)
    without["maatregelen"] = []
    for m in raw["maatregelen"]:
        m["vanaf"] = "2023-01-01"
    a, _ = log_of(without)
    b, _ = log_of(raw)
    y2023 = 365.0
    pd.testing.assert_frame_equal(a[a["day"] < y2023].reset_index(drop=True),
                                  b[b["day"] < y2023].reset_index(drop=True), check_exact=True)
    assert not a[a["day"] >= y2023].reset_index(drop=True).equals(b[b["day"] >= y2023].reset_index(drop=True))


def test_no_measures_and_a_neutral_measure_change_nothing():
    raw = rich_with_measures(plekken=False)
    none = copy.deepcopy(raw)
    del none["maatregelen"]
    neutral = copy.deepcopy(raw)
    neutral["maatregelen"] = [dict(SHORTER, doorlooptijd_factor=1.0)]
    a, _ = log_of(none)
    b, _ = log_of(neutral)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("change, field", [
    (dict(segments=["S9"]), "maatregelen.0.segments"),
    (dict(traject_types=["geen"]), "maatregelen.0.traject_types"),
    (dict(ambulant_in_plaats_van_verblijf={"share": 0.2, "to": {"segment": "S3", "traject_type": "licht"}}),
     "maatregelen.0.ambulant_in_plaats_van_verblijf.to"),
    (dict(doorlooptijd_factor=0), "maatregelen.0.doorlooptijd_factor"),
])
def test_a_bad_measure_is_a_field_error(change, field):
    raw = fixed_scenario([dict(SHORTER, **change)])
    with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
        scenario_from_dict(raw)
