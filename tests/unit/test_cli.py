"""The command line: a run writes its four files completely or not at all."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulation import cli
from simulation.cli.main import COMMANDS
from scenarios import BASE


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "klein.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    return path


def test_run_writes_events_kpis_scenario_and_manifest(scenario_file, tmp_path):
    out = tmp_path / "runs" / "klein"
    code = cli.main(["run", str(scenario_file), "--seed", "3", "--replications", "2", "--out", str(out),
                     "--set", "horizon_years=2", "--quiet"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["events.parquet", "kpis.csv", "manifest.json", "scenario.yaml"]
    events = pd.read_parquet(out / "events.parquet")
    assert set(events["replication"]) == {0, 1}
    assert {"aanmelding", "toewijzing", "start_zorg", "stop_zorg"} <= set(events["event"].astype(str))
    kpis = pd.read_csv(out / "kpis.csv")
    assert set(kpis["year"]) == {2022, 2023}, "the --set override reached the model"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["replications"] == 2
    assert "warm-up of 365 days" in manifest["warmup"]
    assert manifest["versions"]["simpy"] and manifest["wall_seconds"] > 0
    assert yaml.safe_load((out / "scenario.yaml").read_text())["horizon_years"] == 2
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_run_with_period_kwartaal_also_writes_the_kpis_per_quarter(scenario_file, tmp_path):
    out = tmp_path / "runs" / "klein"
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--out", str(out), "--period", "kwartaal",
                     "--quiet"]) == 0
    yearly, quarterly = pd.read_csv(out / "kpis.csv"), pd.read_csv(out / "kpis_kwartaal.csv")
    assert "kwartaal" not in yearly and set(quarterly["kwartaal"]) == {1, 2, 3, 4}
    assert quarterly["instroom"].sum() == yearly["instroom"].sum()


def test_failed_write_leaves_nothing_behind(scenario_file, tmp_path, monkeypatch):
    out = tmp_path / "runs" / "klein"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        cli.main(["run", str(scenario_file), "--replications", "1", "--out", str(out), "--quiet"])
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_bad_override_exits_2_with_the_field_named(scenario_file):
    proc = subprocess.run([sys.executable, "-m", "simulation", "run", str(scenario_file), "--quiet",
                           "--set", "segments.S3.instroom.growth=-2"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "segments.S3.instroom.growth" in proc.stderr and "greater than -1" in proc.stderr
    assert str(scenario_file) in proc.stderr


def test_schema_command_prints_the_json_schema(capsys):
    assert cli.main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "segments" in schema["properties"]


COMMAND_NAMES = ["run", "validate", "schema", "notebook", "report", "sweep", "warmup", "calibrate",
                 "export-records", "check-records"]


def test_one_parser_lists_every_command():
    proc = subprocess.run([sys.executable, "-m", "simulation", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for name in COMMAND_NAMES:
        assert f"\n    {name} " in proc.stdout, name
    assert [c.NAME for c in COMMANDS] == COMMAND_NAMES


def test_every_command_module_has_the_same_interface():
    for command in COMMANDS:
        assert callable(command.add_parser) and callable(command.run), command.__name__
        assert command.__name__ == "simulation.cli." + command.NAME.replace("-", "_")


def test_records_commands_keep_their_options_and_exit_codes(tmp_path, capsys):
    data = Path(__file__).resolve().parents[1] / "data"
    assert cli.main(["check-records", str(data / "records_2022.csv"), "--period", "2022-01-01", "2022-12-31"]) == 0
    assert "631 valid records" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("client_key,municipality\nC1,Venlo\n", encoding="utf-8")
    assert cli.main(["check-records", str(bad)]) == 1
    assert "required column is missing" in capsys.readouterr().err
    # a scenario that cannot be read is one error line and exit 2, for every command that reads one
    code = cli.main(["calibrate", str(data / "records_2022.csv"), "--out", str(tmp_path / "c.yaml"),
                     "--base", str(tmp_path / "missing.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "missing.yaml" in err and len(err.splitlines()) == 1
    assert cli.main(["export-records", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "r.csv")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_provenance_helpers_stay_importable_from_cli_main():
    from simulation.cli.main import _versions, git_commit, write_run   # older code imports them from here

    assert _versions()["python"] and callable(git_commit) and callable(write_run)
