"""Calibration: censored fits, the round trip simulate -> records -> calibrate, the YAML and the CLI."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulation import simulate
from simulation.cli.main import main
from simulation.data.calibration import calibrate, kaplan_meier, mixture_survival, to_commented_yaml
from simulation.data.calibration.instroom import seasonality_factors
from simulation.data.records import export_records, read_records
from simulation.config.scenario import scenario_from_dict

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = 1

TRUTH = {
    "name": "roundtrip", "start_date": "2022-01-01", "horizon_years": 1,
    "municipalities": {"A": {"population": 1000}, "B": {"population": 3000}},
    "segments": {
        "S3": {"domain": "jeugd", "instroom": {"per_year": {"A": 3000, "B": 3000}, "base_year": 2022},
               "traject_types": {
                   "licht": {"share": 0.6, "planned_doorlooptijd": 120,
                             "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.8},
                             "outcomes": {"afschaling": 0.6, "uitval": 0.15, "verlenging": 0.1, "opschaling": 0.15},
                             "opschaling_to": {"segment": "S1", "traject_type": "zwaar"}},
                   "midden": {"share": 0.4, "planned_doorlooptijd": 200,
                              "doorlooptijd": {"kind": "lognormal", "mean": 200, "cv": 0.6},
                              "outcomes": {"afschaling": 0.6, "step_down": 0.25, "uitval": 0.15},
                              "step_down_to": "licht"}}},
        "S1": {"domain": "jeugd", "instroom": {"per_year": {"A": 2500, "B": 2500}, "base_year": 2022},
               "traject_types": {"zwaar": {"share": 1, "planned_doorlooptijd": 300,
                                           "doorlooptijd": {"kind": "exponential", "mean": 300},
                                           "outcomes": {"afschaling": 0.9, "uitval": 0.1}}}}},
    "providers": {
        "P1": {"segments": {"S3": {"weight": 2}, "S1": {}}, "plekken": {"B": {"S1": 2500}}},
        "P2": {"perceel": "lokaal", "municipalities": ["A"], "segments": {"S3": {"maatwerk_factor": 1.25}}}},
}


@pytest.fixture(scope="module")
def round_trip():
    result = simulate(TRUTH, seed=SEED)
    records = export_records(result.events, result.scenario, study_period=("2022-01-01", "2022-12-31"))
    checked = read_records(records, scenario=TRUTH, study_period=("2022-01-01", "2022-12-31"))
    scenario, report = calibrate(checked, base_scenario=TRUTH)
    return result, records, scenario, report


def test_round_trip_has_a_realistic_share_open(round_trip):
    _, records, _, report = round_trip
    started = records[records["begindatum"].notna()]
    assert 0.25 < started["einddatum"].isna().mean() < 0.6
    assert (report.durations["left_truncated"] > 0).all()


def test_round_trip_instroom_within_5_percent(round_trip):
    result, _, scenario, _ = round_trip
    ev = result.events
    simulated = ev[ev["event"] == "aanmelding"].groupby(["segment", "municipality"], observed=True).size()
    for s, seg in TRUTH["segments"].items():
        for m, true in seg["instroom"]["per_year"].items():
            got = scenario["segments"][s]["instroom"]["per_year"][m]
            assert abs(got / true - 1) < 0.05, (s, m, got, true)
            # the estimator itself is exact: what is left is the Poisson noise of one simulated year
            # (sd 1/sqrt(2500) = 2% for the smallest cell); per_year is per 365.25 days
            assert abs(got - simulated[(s, m)] * 365.25 / 365) < 0.01


def test_round_trip_doorlooptijd_within_5_percent(round_trip):
    _, _, scenario, report = round_trip
    for s, seg in TRUTH["segments"].items():
        for t, spec in seg["traject_types"].items():
            got = scenario["segments"][s]["traject_types"][t]["doorlooptijd"]
            assert abs(got["mean"] / spec["doorlooptijd"]["mean"] - 1) < 0.05, (s, t, got)
            if got["kind"] != spec["doorlooptijd"]["kind"]:   # only a nested, equivalent family is acceptable
                assert (spec["doorlooptijd"]["kind"], got["kind"]) == ("exponential", "gamma"), (s, t, got)
                assert abs(got["cv"] - 1) < 0.05
    assert abs(scenario["providers"]["P2"]["segments"]["S3"]["maatwerk_factor"] / 1.25 - 1) < 0.05
    assert (report.durations["km_distance"] < 0.05).all()


def test_round_trip_outcomes_within_3_points(round_trip):
    _, _, scenario, _ = round_trip
    for s, seg in TRUTH["segments"].items():
        for t, spec in seg["traject_types"].items():
            got = scenario["segments"][s]["traject_types"][t]["outcomes"]
            for o in ("afschaling", "step_down", "opschaling", "uitval", "verlenging"):
                assert abs(got[o] - spec["outcomes"].get(o, 0.0)) < 0.03, (s, t, o, got)
    licht = scenario["segments"]["S3"]["traject_types"]["licht"]
    assert licht["opschaling_to"] == {"segment": "S1", "traject_type": "zwaar"}
    assert scenario["segments"]["S3"]["traject_types"]["midden"]["step_down_to"] == "licht"


def test_naive_mean_of_closed_trajecten_is_biased(round_trip):
    """Why censoring matters: the mean of closed trajecten alone is far too short."""
    _, records, scenario, _ = round_trip
    closed = records[records["einddatum"].notna() & (records["begindatum"] >= "2022-01-01")
                     & (records["traject_type"] == "zwaar")]
    naive = (closed["einddatum"].astype("datetime64[s]") - closed["begindatum"].astype("datetime64[s]")).dt.days.mean()
    assert naive < 0.6 * 300
    assert abs(scenario["segments"]["S1"]["traject_types"]["zwaar"]["doorlooptijd"]["mean"] / 300 - 1) < 0.05


def test_calibrated_scenario_is_valid_and_runs(round_trip):
    _, _, scenario, _ = round_trip
    small = scenario_from_dict(scenario, overrides={"segments.S3.instroom.per_year": {"A": 50, "B": 50},
                                                    "segments.S1.instroom.per_year": {"A": 20, "B": 20}})
    assert len(simulate(small, seed=1).events) > 0


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    d = np.array([1.0, 2, 2, 3, 5])
    times, surv, _ = kaplan_meier(d, np.ones(5, bool))
    assert list(times) == [1, 2, 3, 5]
    np.testing.assert_allclose(surv, [0.8, 0.4, 0.2, 0.0])


def test_mixture_survival_matches_monte_carlo():
    rng = np.random.default_rng(1)
    k, mean, q = 1 / 0.8**2, 100.0, 0.2
    draws = rng.gamma(k, mean / k, 200_000)
    draws = np.where(rng.random(draws.size) < q, draws * rng.random(draws.size), draws)
    for t in (20.0, 80.0, 200.0):
        expected = (draws > t).mean()
        got = mixture_survival("gamma", np.array([t]), np.array([mean]), np.array([0.8]), q)[0]
        assert abs(got - expected) < 0.005
    # cv > 1 (shape < 1) goes through the other branch of the incomplete gamma function
    k = 1 / 1.5**2
    draws = rng.gamma(k, mean / k, 200_000)
    draws = np.where(rng.random(draws.size) < q, draws * rng.random(draws.size), draws)
    got = mixture_survival("gamma", np.array([50.0]), np.array([mean]), np.array([1.5]), q)[0]
    assert abs(got - (draws > 50).mean()) < 0.005


def test_yaml_has_a_comment_on_every_fitted_number(round_trip):
    _, _, scenario, report = round_trip
    text = to_commented_yaml(scenario, report.comments)
    assert yaml.safe_load(text) == scenario
    leaves = [line for line in text.splitlines()
              if any(line.strip().startswith(k) for k in ("mean:", "cv:", "afschaling:", "uitval:", "share:",
                                                          "maatwerk_factor:", "stacking_probability:", "A:", "B:"))
              and line.split(":", 1)[1].split("#")[0].strip()]
    assert len(leaves) > 20
    for line in leaves:
        assert "  # " in line, line
    assert "right-censored" in text and "left-truncated" in text


def test_cli_on_the_shipped_dataset(tmp_path, capsys):
    out = tmp_path / "params" / "calibrated.yaml"
    code = main(["calibrate", str(DATA / "records_2022.parquet"), "--out", str(out),
                 "--base", str(DATA / "records_scenario.yaml")])
    assert code == 0, capsys.readouterr().err
    calibrated = scenario_from_dict(yaml.safe_load(out.read_text()))
    assert set(calibrated.segments) == {"S4", "S1"}
    assert "Kaplan-Meier" in out.with_suffix(".report.md").read_text()
    # without a base scenario the records alone still give a valid scenario
    code = main(["calibrate", str(DATA / "records_2022.csv"), "--out", str(tmp_path / "bare.yaml"),
                 "--period", "2022-01-01", "2022-12-31"])
    assert code == 0
    bare = scenario_from_dict(yaml.safe_load((tmp_path / "bare.yaml").read_text()))
    assert bare.providers["Lokaal"].perceel == "lokaal"
    assert math.isclose(sum(t.share for t in bare.segments["S4"].traject_types.values()), 1.0)


def test_a_month_without_episodes_gets_a_small_positive_seasonality_factor():
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    counts = [2, 1, 4, 2, 10, 2, 4, 1, 5, 0, 4, 1]   # one year of a small segment (logeren): October empty
    factors = seasonality_factors(counts, days)
    assert len(factors) == 12 and min(factors) > 0 and abs(np.mean(factors) - 1) < 0.01
    assert factors[9] == min(factors) and factors[4] == max(factors), "the order of the months is kept"
    assert all(f == 1.0 for f in seasonality_factors([30] * 12, [30] * 12)), "a flat year stays flat"
    sc = scenario_from_dict(TRUTH, overrides={"segments.S1.instroom.seasonality": factors})
    assert sc.segments["S1"].instroom.seasonality[9] > 0
