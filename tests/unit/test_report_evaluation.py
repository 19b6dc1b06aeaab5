"""Notebook 08's library (report/evaluation.py, report/counterfactual.py) on small hand-made tables."""
import numpy as np
import pandas as pd
import pytest

from simulation.analysis.stats import t_interval, t_quantile
from simulation.report import counterfactual as cf
from simulation.report import evaluation


def test_poisson_interval_of_a_count():
    assert evaluation.poisson_ci(0) == (0.0, pytest.approx(3.689, abs=1e-3))
    lo, hi = evaluation.poisson_ci(10)
    assert lo == pytest.approx(4.795, abs=1e-3) and hi == pytest.approx(18.390, abs=1e-3)


def _records():
    return pd.DataFrame({"municipality": ["A", "A", "B", "B"], "provider": ["p", "p", "p", "q"],
                         "segment": ["S", "S", "S", "S"], "bekostiging": ["plek", "plek", "traject", "traject"]})


def test_funding_choice_marks_plekken_municipalities_and_the_switch_scope():
    choice = evaluation.funding_choice(_records())
    assert choice.keuze == {"A": "plekken", "B": "trajecten"}
    assert choice.switch_pairs == [("p", "S")] and not choice.mixed
    table = evaluation.funding_table(choice)
    assert table.set_index("municipality").loc["B", "q/S"] == "traject"


def _started():
    return pd.DataFrame({"started": True, "closed": [True, False, True], "start": [-10.0, 5.0, 20.0],
                         "stop": [30.0, np.nan, 20.0], "toew": [-12.0, 1.0, 15.0], "outcome": ["afschaling", None, "overig"],
                         "client_key": ["c1", "c2", "c3"], "municipality": "A", "segment": "S", "traject_type": "t",
                         "provider": "p", "voortzetting": False})


def test_started_trajecten_have_delayed_entry_censoring_and_events():
    st = evaluation.started_trajecten(_started(), days=100)
    assert st["entry"].tolist() == [9.5, 0.0, 0.0]
    assert st["d"].tolist() == [40.0, 94.5, 0.5]
    assert st["event"].tolist() == [True, False, False]     # open, and closed with outcome 'overig', are censored


def test_records_become_a_traject_table_open_ones_stop_at_the_period_end():
    tr = evaluation.records_traject_table(evaluation.started_trajecten(_started(), 100), days=100)
    assert tr["stop"].tolist() == [30.0, 100.0, 20.0]
    assert tr["reden"].tolist() == ["afschaling", "einde_horizon", "overig"]
    assert tr["beginstand"].tolist() == [True, False, False]
    assert (tr["doorlooptijd"] == tr["stop"] - tr["start"]).all()


def test_km_median_interval_from_the_bootstrap():
    g = pd.DataFrame({"d": np.arange(1.0, 41.0), "event": True, "entry": 0.0})
    med, lo, hi = evaluation.km_median_ci(g, np.random.default_rng(1), 50)
    assert med == pytest.approx(20, abs=1) and lo < med < hi


def test_segment_tariffs_keep_the_share_weighted_mean():
    raw = {"segments": {"S": {"traject_types": {"kort": {"share": 0.5, "planned_doorlooptijd": 100},
                                                "lang": {"share": 0.5, "planned_doorlooptijd": 300}}}}}
    tariffs = cf.segment_tariffs(raw, "S", {"S": 1000})
    assert tariffs == {"kort": 500.0, "lang": 1500.0}
    assert cf.contract("A", "p", "S", "plek", {"S": tariffs}, 3)["plekken"] == 3
    assert cf.contract("A", "p", "S", "traject", {"S": tariffs})["variant"] == "traject"


def test_switch_variants_flip_the_scope_only():
    combos = pd.DataFrame({"municipality": ["A", "B", "B"], "provider": ["p", "p", "q"], "segment": "S",
                           "bekostiging": ["plek", "traject", "traject"]})
    tariffs = {"S": {"t": 1.0}}
    variants, switched, notes = cf.switch_variants([], combos, ["A", "B"], [("p", "S")], {("A", "p", "S"): 4},
                                                   tariffs, lambda m, p, s: 7)
    assert list(variants) == ["feitelijk", "A omgezet", "B omgezet"] and not notes
    b = {c["provider"]: c for c in variants["B omgezet"]["funding"]["contracts"] if c["municipality"] == "B"}
    assert b["p"]["plekken"] == 7 and b["q"]["variant"] == "traject"
    assert switched[["van", "naar"]].values.tolist() == [["plek", "traject"], ["traject", "plek"]]


def test_counterfactual_table_pairs_the_replications():
    pr = pd.DataFrame({"variant": ["feitelijk"] * 3 + ["A omgezet"] * 3, "municipality": "A",
                       "replication": [0, 1, 2] * 2, "uitgaven": [10.0, 12, 14, 20, 22, 25],
                       "kosten_per_client": 1.0, "unieke_clienten": 5.0, "wacht_dagen_gem": 3.0})
    seg_k = pd.DataFrame({"variant": ["feitelijk"] * 3 + ["A omgezet"] * 3, "municipality": "A", "segment": "S",
                          "replication": [0, 1, 2] * 2, "wacht_dagen_gem": [1.0, 2, 3, 1, 2, 3],
                          "wachtlijst_eind": [0, 1, 0, 0, 1, 0]})
    switched = pd.DataFrame({"municipality": ["A"], "segment": ["S"]})
    table = cf.counterfactual_table(pr, seg_k, {"feitelijk": {}, "A omgezet": {}}, switched, {"A": "plekken"})
    spend = table.set_index("maat").loc["uitgaven (EUR)"]
    assert spend["verschil"] == pytest.approx(31 / 3) and spend["ci_sluit_0_uit"]
    assert not table.set_index("maat").loc["wachtdagen S", "ci_sluit_0_uit"]     # no difference at all
    assert set(table["omgezet_naar"]) == {"trajecten"}
    supports, cannot = cf.conclusions(table, pd.DataFrame({"binnen": [True]}), pd.DataFrame(),
                                      pd.Series({"plekken": 1, "trajecten": 1}), 3)
    assert any("uitgaven +€ 10 " in s for s in supports)
    assert any("1 plekken- en 1 trajectengemeente(n)" in s for s in cannot)


def test_fmt_uses_the_unit_of_the_measure():
    assert cf.fmt(1234.4, "uitgaven (EUR)") == "€ 1.234"
    assert cf.fmt(2.25, "wachtdagen S3") == "2,2 dagen"
    assert cf.fmt(2.25, "wachtdagen S3", sign=True) == "+2,2 dagen"


def test_model_check_puts_the_observation_in_the_prediction_interval():
    pr = pd.DataFrame({"variant": "feitelijk", "municipality": "A", "replication": [0, 1, 2],
                       "uitgaven": [9.0, 10, 11], "unieke_clienten": 5.0, "wacht_dagen_gem": 2.0,
                       "clienten_per_plek": float("nan")})
    seg_k = pd.DataFrame({"variant": "feitelijk", "municipality": "A", "replication": [0, 1, 2],
                          "wachtlijst_eind": [1, 2, 3]})
    desc = pd.DataFrame({"municipality": ["A"], "uitgaven": [10.5], "unieke_clienten": [5], "wacht_dagen_gem": [9.0],
                         "clienten_per_plek": [float("nan")], "wachtend_eind": [2]})
    check = cf.model_check(pr, seg_k, desc, ["A"]).set_index("maat")
    assert check.loc["uitgaven", "binnen"] and check.loc["wachtlijst_eind", "binnen"]
    assert "clienten_per_plek" not in check.index         # no observation
    assert check.loc["unieke_clienten", "binnen"]         # sd 0: the interval is the point itself
    assert not check.loc["wacht_dagen_gem", "binnen"]



def test_model_check_interval_is_not_below_zero_unless_a_replication_is():
    """A count with a wide spread: the prediction interval stops at 0, as every interval of the pages
    (stats.interval_not_below_zero); spend with a replication below 0 (a settlement) keeps its plain interval."""
    row = cf._prediction_row("A", "unieke_clienten", 0.0, pd.Series([1.0, 2.0, 30.0]))
    assert row["pi_laag"] == 0.0 and row["binnen"]
    x = pd.Series([-5.0, 2.0, 30.0])
    row = cf._prediction_row("A", "uitgaven", -40.0, x)
    half = t_quantile(0.95, 2) * x.std(ddof=1) * (1 + 1 / 3) ** 0.5
    assert row["pi_laag"] == pytest.approx(x.mean() - half) and row["pi_laag"] < -40 and row["binnen"]

def test_km_curve_band_is_greenwood_and_stays_within_0_and_1():
    """No censoring, no delayed entry: S(t) is the empirical survival and Greenwood's variance of log S at the
    first event (n = 4, d = 1) is 1 / (4 * 3); the log(-log) band holds S and lies within [0, 1]."""
    k = evaluation.km_curve([1.0, 2.0, 3.0, 4.0], [True, True, True, True])
    assert list(k["surv"]) == pytest.approx([1, 0.75, 0.5, 0.25, 0.0])
    assert list(k["at_risk"]) == [4, 4, 3, 2, 1]
    s, var = 0.75, 1 / 12
    half = 1.959964 * np.sqrt(var) / abs(np.log(s))
    assert k["ci_laag"].iloc[1] == pytest.approx(np.exp(-np.exp(np.log(-np.log(s)) + half)), rel=1e-5)
    assert ((k["ci_laag"] <= k["surv"]) & (k["surv"] <= k["ci_hoog"])).all()
    assert k["ci_laag"].min() >= 0 and k["ci_hoog"].max() <= 1
    assert evaluation.at_risk_at([1.0, 2.0, 3.0, 4.0], [0, 0, 0, 2.5], [0, 2, 3]) == [3, 2, 2]


def test_the_synthetic_test_records_are_marked_as_synthetic(tmp_path):
    """Notebook 08's default records (tests/data) carry the synthetic banner; a records file elsewhere does not."""
    rec = evaluation.evaluation_context("tests/data/records_2022.csv", "tests/data/records_scenario.yaml", [],
                                        {"S1": 1.0, "S4": 1.0}, "budgetneutraal", 2, tmp_path / "out")
    assert rec.synthetic and rec.source.startswith("Bron: synthetisch registratiebestand records_2022.csv")
    copy = tmp_path / "records_2022.csv"
    copy.write_bytes((evaluation.ROOT / "tests/data/records_2022.csv").read_bytes())
    rec = evaluation.evaluation_context(str(copy), "tests/data/records_scenario.yaml", [], {"S1": 1.0, "S4": 1.0},
                                        "budgetneutraal", 2, tmp_path / "out2")
    assert not rec.synthetic and "004 Inkoopnota Noord-Limburg, par. 6 en 7.2" in rec.source


def test_counterfactual_actual_interval_is_not_below_0_unless_a_replication_is():
    # cost per client: three small replications and one large, whose plain t-interval reaches below 0
    costs = [10.0, 20.0, 15.0, 3000.0]
    pr = pd.DataFrame({"variant": ["feitelijk"] * 4 + ["A omgezet"] * 4, "municipality": "A",
                       "replication": [0, 1, 2, 3] * 2, "uitgaven": [-50.0, 10, 5, 400] * 2,
                       "kosten_per_client": costs + [c - 100 for c in costs], "unieke_clienten": 5.0,
                       "wacht_dagen_gem": 3.0})
    seg_k = pd.DataFrame({"variant": ["feitelijk"] * 4 + ["A omgezet"] * 4, "municipality": "A", "segment": "S",
                          "replication": [0, 1, 2, 3] * 2, "wacht_dagen_gem": 1.0, "wachtlijst_eind": 0})
    switched = pd.DataFrame({"municipality": ["A"], "segment": ["S"]})
    table = cf.counterfactual_table(pr, seg_k, {"feitelijk": {}, "A omgezet": {}}, switched, {"A": "plekken"})
    table = table.set_index("maat")
    mean, lo, hi = t_interval(costs)
    cost = table.loc["kosten per cliënt (EUR)"]
    assert lo < 0 and cost["feitelijk_ci_laag"] == 0.0 and cost["feitelijk_ci_hoog"] == pytest.approx(hi)
    assert cost["verschil_ci_laag"] == pytest.approx(-100.0)   # a paired difference: the plain interval
    spend = table.loc["uitgaven (EUR)"]   # a replication below 0 (a refund year): the plain t-interval
    plain_low = t_interval([-50.0, 10, 5, 400])[1]
    assert plain_low < 0 and spend["feitelijk_ci_laag"] == pytest.approx(plain_low)
