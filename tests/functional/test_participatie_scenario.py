"""params/noord-limburg-participatie.yaml (004 par. 6 and 7.3): written by params/derive_participatie.py,
derived by hand, every number sourced or an assumption, and it runs from the command line."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import cli, simulate
from simulation.funding import compute_payments

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "params"))
import derive_participatie  # noqa: E402

SCENARIO = ROOT / "params" / "noord-limburg-participatie.yaml"


def test_the_file_is_what_the_generator_writes():
    assert SCENARIO.read_text(encoding="utf-8") == derive_participatie.render(), \
        "rerun `python params/derive_participatie.py --write`"


def test_pw_s1_derivation_by_hand():
    d = derive_participatie.derivation()
    assert d["spend_2022"] == pytest.approx(550_000 * 1.03 ** 3)          # 550,000 x 1.092727 = 600,999.85
    assert d["availability"] == pytest.approx(240_399.94, abs=0.01)
    assert d["traject_budget"] == pytest.approx(360_599.91, abs=0.01)
    assert d["tariff"] == 6171.43                                          # 40 x 6 x 180 / 7
    assert d["trajecten_2022"] == pytest.approx(58.43, abs=0.01)
    assert d["aanmeldingen_2022"] == pytest.approx(64.92, abs=0.01)


def test_every_number_has_a_source_or_an_assumption():
    """Each line of the scenario with a number (outside the header) names 004 or says 'assumption' or
    points to the derivation."""
    body = SCENARIO.read_text(encoding="utf-8").split("\nname:", 1)[1]
    bare = [ln for ln in body.splitlines() if re.search(r":\s*-?\d", ln) and not ln.lstrip().startswith("#")
            and not re.search(r"004|assumption|derive_participatie|as the default|one type", ln)]
    assert not bare, bare


def test_cli_run_with_two_replications(tmp_path):
    out = tmp_path / "part"
    assert cli.main(["run", str(SCENARIO), "--replications", "2", "--out", str(out), "--quiet"]) == 0
    kpis = pd.read_csv(out / "kpis.csv")
    assert set(kpis["year"]) == {2022, 2023, 2024, 2025}


def test_the_first_year_pays_about_the_derived_pw_s1_spend():
    """PW S1 in 2022: availability + trajecten (+ the reward, known a year after the stop) near 601,000;
    PW S2 and S3 are paid; money is conserved."""
    res = simulate(SCENARIO, seed=5, replications=2)
    fund = compute_payments(res.scenario, events=res.events)
    t = fund.per_contract_year()
    np.testing.assert_allclose(t["paid"].fillna(0.0), t["final"], atol=1e-6)
    seg = t["contract"].map({i: c.segment for i, c in enumerate(res.scenario.funding.contracts)})
    y = t[t["year"] == 2022].groupby(seg)["final"].sum() / 2
    assert 0.85 * 601_000 < y["PW_S1"] < 1.15 * 601_000, y
    assert y["PW_S2"] > 0 and y["PW_S3"] > 0
    assert {"participatie"} == {s.domain for s in res.scenario.segments.values()}


def test_records_export_refuses_participatie_with_one_line(tmp_path, capsys):
    """iJw / iWmo records have no reason list for participatie: one error line, no traceback."""
    code = cli.main(["export-records", str(SCENARIO), "--out", str(tmp_path / "r.csv")])
    assert code != 0
    assert "domain 'participatie'" in capsys.readouterr().err
