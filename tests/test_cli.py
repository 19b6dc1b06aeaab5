"""The command line: a run writes its four files completely or not at all."""
import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from simulation import cli
from test_scenario_files import BASE


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
