"""The run-size estimate (experiment/size.py): expected clients by hand, the estimate's arithmetic, and a
run that would not fit stops with the estimate and what to change, in simulate and the CLI, unless forced."""
from __future__ import annotations

import math

import pytest
import yaml

from simulation import cli, simulate
from simulation.config.scenario import scenario_from_dict
from simulation.experiment import size
from scenarios import flow_scenario, sweep_dict


def test_expected_clients_by_hand_without_growth():
    # 50 a year over 365 warm-up days and 2 years, plus the caseload at the warm-up's start: 50 x 365 / 365.25
    sc = scenario_from_dict(flow_scenario(per_year=50, d=365, horizon_years=2, warmup=365))
    expected = 50 * (2 + 365 / 365.25) + 50 * 365 / 365.25
    assert size.expected_clients(sc) == pytest.approx(expected, rel=1e-12)


def test_expected_clients_with_growth_integrate_the_rate():
    raw = flow_scenario(per_year=100, d=100, horizon_years=3, warmup=0)
    raw["segments"]["S3"]["instroom"]["growth"] = 0.1          # base year 2022 = start: 100 x 1.1^t
    sc = scenario_from_dict(raw)
    assert size.expected_clients(sc) == pytest.approx(100 * (1.1 ** 3 - 1) / math.log(1.1), rel=1e-12)


def test_the_estimate_is_linear_in_clients_and_replications_and_time_splits_over_workers():
    sc = scenario_from_dict(flow_scenario(per_year=1000, horizon_years=2))
    one, five = size.estimate(sc, 1, available_bytes=None), size.estimate(sc, 5, workers=5, available_bytes=None)
    clients = size.expected_clients(sc)
    assert one.peak_bytes == pytest.approx(size.BASE_BYTES + size.BYTES_PER_CLIENT * clients)
    assert five.peak_bytes - size.BASE_BYTES == pytest.approx(5 * (one.peak_bytes - size.BASE_BYTES))
    assert five.seconds == pytest.approx(one.seconds) and one.fits       # unknown memory: not refused


def test_a_run_that_does_not_fit_says_what_to_change():
    sc = scenario_from_dict(flow_scenario(per_year=1000, horizon_years=2))
    need = size.estimate(sc, 10, available_bytes=None).peak_bytes
    small = size.estimate(sc, 10, available_bytes=need)                  # 80% headroom: does not fit
    assert not small.fits and size.estimate(sc, 10, available_bytes=need / size.HEADROOM).fits
    message = str(size.RunTooLarge(small))
    assert "past niet" in message and "--replications" in message and "horizon_years" in message
    assert "--force-size" in message and ("GB" in message or "MB" in message)


@pytest.fixture
def little_memory(monkeypatch):
    """A machine with 1 MB available: every run is too large."""
    monkeypatch.setattr(size, "available_memory", lambda: 1e6)


def test_simulate_stops_a_run_that_does_not_fit_unless_forced(little_memory):
    raw = flow_scenario(per_year=20, horizon_years=1, warmup=0)
    with pytest.raises(size.RunTooLarge, match="past niet"):
        simulate(raw, replications=2)
    assert len(simulate(raw, replications=1, force_size=True).kpis) == 1   # one pool, one year


def test_cli_run_stops_with_the_estimate_and_exit_2_unless_forced(little_memory, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(flow_scenario(per_year=20, horizon_years=1, warmup=0)), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--replications", "2", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fout: de run past niet") and "Traceback" not in err and not out.exists()
    assert cli.main(["run", str(path), "--replications", "1", "--out", str(out), "--quiet", "--force-size"]) == 0
    assert "toch uitgevoerd" in capsys.readouterr().err and (out / "kpis.csv").exists()


def test_cli_run_prints_the_estimate_and_that_nothing_happened(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(flow_scenario(per_year=0, horizon_years=1, warmup=0)), encoding="utf-8")
    assert cli.main(["run", str(path), "--replications", "1", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "schatting: ongeveer 0 cliënten" in captured.out
    assert "waarschuwing: er gebeurde niets" in captured.err


def test_cli_sweep_stops_when_its_workers_would_not_fit(little_memory, tmp_path, capsys):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep_dict()), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--executor", "sequential", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("fout: de run past niet") and not out.exists()
    assert cli.main(["sweep", str(path), "--out", str(out), "--executor", "sequential", "--quiet",
                     "--force-size"]) == 0
