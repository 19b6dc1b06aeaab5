"""report/regions.py (notebook 09): design overlays fitted to a cut scenario, the design per segment, the
count of sourced and assumed numbers, and the region summary, on hand-built inputs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.report.region_scenario import spend_per_year
from simulation.report.regions import REFERENCE, design_files, fit_overlay, source_audit, suits

BASE = {"municipalities": {"Venlo": {}, "Venray": {}},
        "segments": {"S3": {}, "S1a": {}},
        "providers": {"P1": {"segments": {"S3": {}}}, "P2": {"segments": {"S1a": {}}}}}


def c(m, p, s, **kw):
    return {"municipality": m, "provider": p, "segment": s, "variant": "traject", **kw}


def test_fit_overlay_keeps_only_contracts_that_fit_the_cut_scenario():
    overlay = {"funding": {"contracts": [c("Venlo", "P1", "S3"), c("Venlo", "P1", "S4"),      # S4 cut away
                                         c("Gennep", "P1", "S3"), c("Venlo", "P2", "S3"),    # unknown / not served
                                         c("regio", "P2", "S1a", municipalities="all"),
                                         c("regio", "P2", "S1a", municipalities=["Venlo", "Bergen"])],
                           "provider_costs": {"P1": {"cost_per_unit": 1}, "P9": {"cost_per_unit": 1}}},
               "horizon_years": 2}
    fitted = fit_overlay(overlay, BASE)
    assert fitted["funding"]["contracts"] == [c("Venlo", "P1", "S3"), c("regio", "P2", "S1a", municipalities="all")]
    assert fitted["funding"]["provider_costs"] == {"P1": {"cost_per_unit": 1}}
    assert fitted["horizon_years"] == 2


def test_suits_picks_the_steadiest_design_among_those_that_wait_little():
    t = pd.DataFrame({"ontwerp": ["a", "b", "c", "a", "b"], "segment": ["S3", "S3", "S3", "S1a", "S1a"],
                      "uitgaven_gem": [100, 90, 80, 50, 60], "uitgaven_cv": [0.10, 0.05, 0.01, 0.2, 0.2],
                      "wacht_dagen_gem": [10, 14, 30, 0, 0]})
    fit = suits(t).set_index("segment")
    # S3: c waits 30 > 10 + max(5, 1) days, so b (cv 0.05) beats a (cv 0.10); S1a: equal cv, a is cheaper
    assert fit.loc["S3", "ontwerp"] == "b" and fit.loc["S3", "kortste_wacht"] == "a"
    assert fit.loc["S3", "laagste_uitgaven"] == "c"
    assert fit.loc["S1a", "ontwerp"] == "a"


def test_source_audit_counts_sourced_assumed_and_bare_numbers(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("# header 123\nfunding:\n  contracts:\n"
                 "    - {municipality: A, provider: P, segment: S, variant: lumpsum, amount: 5}   # assumption: why\n"
                 "    - {municipality: A, provider: Q, segment: S, variant: lumpsum, amount: 6}   # 003 par. 4\n"
                 "    - {municipality: A, provider: R, segment: S, variant: lumpsum, amount: 7}\n"
                 "horizon_years: 3\n", encoding="utf-8")
    row = source_audit({"x": f}).iloc[0]
    assert (row["regels_met_getal"], row["bron"], row["aanname"], row["geen"]) == (4, 1, 1, 2)
    assert row["aandeel_aanname"] == pytest.approx(0.25)


def test_the_development_designs_are_found_and_fit_the_default():
    import yaml
    from simulation.report.notebooks import project_path
    files = design_files(project_path("params/designs"))
    assert {"noord-limburg-traject", "noord-limburg-pxq"} <= set(files)
    base = yaml.safe_load(project_path("params/noord-limburg.yaml").read_text(encoding="utf-8"))
    for name in ("noord-limburg-traject", "noord-limburg-pxq"):
        overlay = yaml.safe_load(files[name].read_text(encoding="utf-8"))
        assert len(fit_overlay(overlay, base)["funding"]["contracts"]) == len(overlay["funding"]["contracts"])
        assert source_audit({name: files[name]}).iloc[0]["geen"] == 0
    assert REFERENCE.startswith("noord-limburg")


def test_region_summary_by_hand():
    """Two designs x two replications, one year, one segment: budget = the reference's mean spend (100);
    design b spends 90 and 130: mean 110, sd 28.28, P(> 100) 0.5; waits 2 x 10 + 0 over 3 new trajecten."""
    from types import SimpleNamespace
    from simulation.report.regions import region_summary
    seg = pd.DataFrame({"ontwerp": [REFERENCE, REFERENCE, "b", "b"], "replication": [0, 1, 0, 1], "year": 2022,
                        "segment": "S3", "uitgaven": [80.0, 120.0, 90.0, 130.0], "wacht_som": [0, 0, 20.0, 0],
                        "nieuw": [2, 2, 2, 1], "afgesloten": [4, 4, 4, 2], "afschalingen": [2, 2, 1, 2]})
    pr = pd.DataFrame({"variant": [REFERENCE, REFERENCE, "b", "b"], "replication": [0, 1, 0, 1], "year": 2022,
                       "municipality": "Venlo", "marge_aanbieders": [5.0, 5.0, -10.0, 30.0],
                       "bezettingsgraad": [np.nan, np.nan, 0.8, 0.9]})
    out = region_summary(SimpleNamespace(per_replication=pr), seg).set_index("ontwerp")
    assert out.loc["b", "uitgaven_gem"] == 110 and out.loc["b", "uitgaven_sd"] == pytest.approx(np.sqrt(800))
    assert out.loc["b", "kans_boven_budget"] == 0.5 and out.loc[REFERENCE, "kans_boven_budget"] == 0.5
    assert out.loc["b", "budget"] == 100
    assert out.loc["b", "marge_gem"] == 10 and out.loc["b", "p_marge_negatief"] == 0.5
    assert out.loc["b", "wacht_dagen_gem"] == pytest.approx((10 + 0) / 2)   # mean over replications of 20/2 and 0/1
    assert out.loc["b", "aandeel_afschaling"] == pytest.approx((0.25 + 1.0) / 2)
    assert out.loc["b", "bezettingsgraad"] == pytest.approx(0.85) and np.isnan(out.loc[REFERENCE, "bezettingsgraad"])


def test_spend_interval_is_not_below_0_where_no_replication_spent_below_0():
    # LOG: 4 replications with little spend and one large (the t-interval reaches below 0); PV: a refund year
    pay = pd.DataFrame({"replication": [0, 1, 2, 3, 0, 1, 2, 3], "year": 2022,
                        "segment": ["LOG"] * 4 + ["PV"] * 4, "amount": [0.0, 10.0, 5.0, 400.0, -50.0, 10.0, 5.0, 400.0]})
    spend = spend_per_year(pay, 4).set_index("segment")
    half = 3.182446305284263 * pay["amount"][:4].std() / 2   # t(0.975, 3) x sd / sqrt(4)
    assert spend.loc["LOG", "uitgaven_gem"] - half < 0 and spend.loc["LOG", "laag"] == 0.0
    assert spend.loc["LOG", "hoog"] == pytest.approx(spend.loc["LOG", "uitgaven_gem"] + half)
    assert spend.loc["PV", "laag"] < 0   # a replication below 0: the plain t-interval
