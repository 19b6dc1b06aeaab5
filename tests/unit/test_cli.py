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
from simulation.experiment.store import MARKER
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
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "events.parquet", "kpis.csv", "manifest.json",
                                                     "scenario.yaml"]
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


def test_failed_write_leaves_nothing_behind(scenario_file, tmp_path, monkeypatch, capsys):
    out = tmp_path / "runs" / "klein"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--out", str(out), "--quiet"]) == 2
    assert "disk full" in capsys.readouterr().err
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


# -- nothing the tool did not write is deleted (issue 12) --------------------------------------------

def test_out_on_a_folder_the_tool_did_not_write_is_refused_before_simulating(scenario_file, tmp_path, capsys):
    out = tmp_path / "thesis"
    (out / "sub").mkdir(parents=True)
    (out / "precious.txt").write_text("keep me")
    (out / "sub" / "thesis.docx").write_text("and me")
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "niet door dit programma geschreven" in err and "niets verwijderd" in err
    assert (out / "precious.txt").read_text() == "keep me" and (out / "sub" / "thesis.docx").read_text() == "and me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["klein.yaml", "thesis"], "no temporary folder left"


def test_out_dot_is_refused_and_the_current_folder_kept(scenario_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--out", ".", "--quiet"]) == 2
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["klein.yaml", "notes.txt"]


def test_a_run_folder_of_the_tool_is_replaced_also_one_from_before_the_marker(scenario_file, tmp_path):
    out = tmp_path / "runs" / "klein"
    args = ["run", str(scenario_file), "--replications", "1", "--out", str(out), "--quiet"]
    assert cli.main(args) == 0 and cli.main(args + ["--seed", "2"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    (out / MARKER).unlink()                       # as written by an earlier version: only run files
    (out / "events.parquet").unlink()
    assert cli.main(args) == 0 and (out / MARKER).exists()
    (out / MARKER).unlink()
    (out / "mine.txt").write_text("x")            # an earlier run folder with a file of the user's: kept
    assert cli.main(args) == 2 and (out / "mine.txt").exists()


@pytest.mark.parametrize("name", ["''", "../escape", "a/b", ".."])
def test_a_scenario_name_that_is_no_folder_name_needs_out(scenario_file, tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs" / "runs").mkdir(parents=True)
    (tmp_path / "outputs" / "runs" / "earlier.txt").write_text("earlier run")
    code = cli.main(["run", str(scenario_file), "--replications", "1", "--quiet", "--set", f"name={name}"])
    assert code == 2 and "--out" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "outputs" / "runs").iterdir()) == ["earlier.txt"]
    assert not (tmp_path / "escape").exists()


def test_bad_override_exits_2_with_the_field_named(scenario_file):
    proc = subprocess.run([sys.executable, "-m", "simulation", "run", str(scenario_file), "--quiet",
                           "--set", "segments.S3.instroom.growth=-2"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "segments.S3.instroom.growth" in proc.stderr and "groter zijn dan -1" in proc.stderr
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
    assert "631 geldige registraties" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("client_key,municipality\nC1,Venlo\n", encoding="utf-8")
    assert cli.main(["check-records", str(bad)]) == 1
    assert "verplichte kolom ontbreekt" in capsys.readouterr().err
    # a scenario that cannot be read is one error line and exit 2, for every command that reads one
    code = cli.main(["calibrate", str(data / "records_2022.csv"), "--out", str(tmp_path / "c.yaml"),
                     "--base", str(tmp_path / "missing.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("fout: ") and "missing.yaml" in err and len(err.splitlines()) == 1
    assert cli.main(["export-records", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "r.csv")]) == 2
    assert capsys.readouterr().err.startswith("fout: ")


def test_provenance_helpers_stay_importable_from_cli_main():
    from simulation.cli.main import _versions, git_commit, write_run   # older code imports them from here

    assert _versions()["python"] and callable(git_commit) and callable(write_run)
