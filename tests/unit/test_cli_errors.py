"""Every user error in the CLI is one message and exit 2, never a traceback (issue 12, items 4 and 6 of 14)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulation import cli
from scenarios import BASE

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
RECORDS = DATA / "records_2022.csv"


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "klein.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def garbage(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(bytes(range(128, 256)) * 3)
    return path


def _cli(*args, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def _user_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


def _main_error(capsys, argv, *words) -> str:
    code = cli.main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("fout: ")
    for word in words:
        assert word in err, (word, err)
    return err


def test_a_binary_scenario_file_is_named(garbage):
    _user_error(_cli("run", garbage, "--quiet"), str(garbage), "geen tekstbestand")
    _user_error(_cli("validate", garbage), str(garbage), "geen tekstbestand")


def test_a_set_value_that_is_not_yaml(scenario_file, capsys):
    err = _main_error(capsys, ["validate", scenario_file, "--set", "horizon_years=[1"], "horizon_years=[1",
                      "geen geldige YAML", "regel 1")
    assert len(err.splitlines()) == 1
    _user_error(_cli("run", scenario_file, "--set", "horizon_years=[1", "--quiet"), "geen geldige YAML")


def test_a_scenario_path_that_is_a_folder_or_missing(tmp_path, capsys):
    _main_error(capsys, ["run", tmp_path, "--quiet"], str(tmp_path), "is een map")
    _main_error(capsys, ["validate", tmp_path / "nope.yaml"], "nope.yaml", "bestand niet gevonden")
    _main_error(capsys, ["export-records", tmp_path, "--out", tmp_path / "r.csv"], "is een map")


@pytest.mark.parametrize("option,value", [("--replications", "0"), ("--workers", "0"), ("--workers", "-3"),
                                          ("--replications", "twee")])
def test_counts_below_one_are_refused(scenario_file, option, value):
    proc = _cli("run", scenario_file, option, value, "--quiet")
    _user_error(proc, option, value)
    assert "minstens 1" in proc.stderr or "geheel getal" in proc.stderr


def test_sweep_and_warmup_workers_below_one_are_refused(tmp_path):
    _user_error(_cli("sweep", DATA / "sweep_smoke.yaml", "--workers", "0"), "--workers", "minstens 1")
    _user_error(_cli("warmup", DATA / "smoke.yaml", "--replications", "0"), "--replications")


def test_validate_catches_a_start_date_the_run_cannot_reach(scenario_file, capsys, tmp_path):
    args = ["--set", "start_date=9996-01-01"]
    _main_error(capsys, ["validate", scenario_file, *args], "start_date", "2262-04-10", "9996-01-01")
    _main_error(capsys, ["run", scenario_file, *args, "--quiet", "--out", tmp_path / "o"], "start_date")
    assert not (tmp_path / "o").exists()
    assert cli.main(["validate", str(scenario_file), "--out", str(tmp_path / "o"), "--set",
                     "start_date=2200-01-01"]) == 0


def test_validate_checks_the_output_folder(scenario_file, tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("x")
    _main_error(capsys, ["validate", scenario_file, "--out", tmp_path / "mine"], "niet door dit programma geschreven")
    (tmp_path / "file").write_text("x")
    _main_error(capsys, ["validate", scenario_file, "--out", tmp_path / "file" / "run"], "is een bestand")
    assert cli.main(["validate", str(scenario_file), "--out", str(tmp_path / "new")]) == 0
    assert "kan geschreven worden" in capsys.readouterr().out


def test_an_unwritable_output_is_found_before_the_simulation(scenario_file, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    import simulation.cli.run as run_module
    monkeypatch.setattr(run_module, "simulate", lambda *a, **k: pytest.fail("simulated before checking --out"))
    _main_error(capsys, ["run", scenario_file, "--quiet", "--out", blocker / "run"], str(blocker / "run"))
    import simulation.cli.sweep as sweep_module
    monkeypatch.setattr(sweep_module, "run_sweep", lambda *a, **k: pytest.fail("swept before checking --out"))
    _main_error(capsys, ["sweep", DATA / "sweep_smoke.yaml", "--out", blocker / "sweep"], str(blocker))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_refused_before_the_simulation(scenario_file, tmp_path, capsys):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        _main_error(capsys, ["run", scenario_file, "--quiet", "--out", locked / "run"], "geen toestemming")
        _main_error(capsys, ["sweep", DATA / "sweep_smoke.yaml", "--out", locked / "s"], "geen toestemming")
    finally:
        locked.chmod(0o755)


def test_records_commands_name_the_file_they_cannot_read(tmp_path, garbage, capsys):
    bad_parquet = tmp_path / "kapot.parquet"
    bad_parquet.write_bytes(b"not parquet at all")
    for path, words in [(tmp_path / "nope.csv", ["nope.csv"]), (tmp_path, ["is een map"]),
                        (bad_parquet, ["kapot.parquet", "kan niet"])]:
        err = _main_error(capsys, ["check-records", path], *words)
        assert len(err.splitlines()) == 1, err
        _main_error(capsys, ["calibrate", path, "--out", tmp_path / "c.yaml"], *words)
    binary_csv = garbage.rename(garbage.with_suffix(".csv"))
    _user_error(_cli("check-records", binary_csv), "garbage.csv", "kan niet")


def test_records_commands_check_their_outputs_first(tmp_path, capsys, scenario_file):
    (tmp_path / "file").write_text("x")
    _main_error(capsys, ["calibrate", RECORDS, "--out", tmp_path / "file" / "c.yaml"], "c.yaml")
    _main_error(capsys, ["calibrate", RECORDS, "--out", tmp_path], "is een map", "--out")
    _main_error(capsys, ["check-records", RECORDS, "--report", tmp_path], "--report")
    _main_error(capsys, ["export-records", scenario_file, "--out", tmp_path / "file" / "r.csv"], "r.csv")
    proc = _cli("export-records", scenario_file, "--out", tmp_path / "r.csv", "--replication", "-1")
    _user_error(proc, "--replication")


def test_sweep_errors_are_messages(tmp_path, garbage):
    _user_error(_cli("sweep", garbage), str(garbage))
    _user_error(_cli("sweep", tmp_path), "is een map")
    _user_error(_cli("sweep", tmp_path / "nope.yaml", "--check"), "bestand niet gevonden")


def test_a_study_period_that_is_no_period(capsys, tmp_path):
    _user_error(_cli("check-records", RECORDS, "--period", "2022-13-01", "2022-12-31"), "--period", "JJJJ-MM-DD")
    _main_error(capsys, ["check-records", RECORDS, "--period", "2022-12-31", "2022-01-01"], "--period",
                "voor de eerste")
    _main_error(capsys, ["calibrate", RECORDS, "--out", tmp_path / "c.yaml", "--period", "2022-12-31",
                         "2022-01-01"], "voor de eerste")


@pytest.mark.parametrize("args, words", [
    (["run", "--replicaties", "3"], ["onbekende argumenten: --replicaties", "zie --help"]),
    (["run"], ["deze argumenten zijn verplicht: scenario"]),
    (["sweep", "x.yaml", "--executor", "nope"], ["optie --executor: ongeldige keuze: 'nope' (kies uit"]),
    (["run", "x.yaml", "--seed", "een"], ["optie --seed: ongeldige waarde: 'een'"]),
])
def test_usage_errors_are_dutch(args, words):
    proc = _cli(*args)
    _user_error(proc, "gebruik: python -m simulation", "fout: ", *words)
    assert "error:" not in proc.stderr and "usage:" not in proc.stderr, proc.stderr
