"""Scenario files: every kind of bad input is refused with file, field path, value and what is allowed."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from simulation.config.scenario import ScenarioError, json_schema, load_scenario, parse_set_option, scenario_from_dict
from scenarios import BASE, ROOT


def refused(mutate, tmp_path) -> str:
    data = copy.deepcopy(BASE)
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message, "the error names the file"
    return message


def test_base_scenario_is_valid():
    scenario = scenario_from_dict(BASE)
    assert scenario.plekken_in_year("Aanbieder A", "Venlo", "S3", 2022) == 10
    assert scenario.plekken_in_year("Aanbieder A", "Beesel", "S3", 2022) is None


@pytest.mark.parametrize("mutate, path, value, allowed", [
    (lambda d: d["segments"]["S3"].update(wachttijd=3), "segments.S3.wachttijd", "3", "onbekend veld"),
    (lambda d: d.update(horizon_years="vier"), "horizon_years", '"vier"', "geheel getal"),
    (lambda d: d["segments"]["S3"]["traject_types"]["licht"].update(share=0.6),
     "segments.S3.traject_types", '"licht": 0.6', "samen 1 zijn"),
    (lambda d: d["segments"]["S3"]["traject_types"]["zwaar"]["outcomes"].update(uitval=0.1),
     "segments.S3.traject_types.zwaar.outcomes", "uitval", "samen 1 zijn"),
    (lambda d: d["segments"]["S3"]["instroom"].update(per_year=-5), "segments.S3.instroom.per_year", "-5",
     "0 of meer"),
    (lambda d: d["segments"]["S3"]["traject_types"]["licht"].update(planned_doorlooptijd=-1),
     "segments.S3.traject_types.licht.planned_doorlooptijd", "-1", "groter zijn dan 0"),
    (lambda d: d["segments"]["S3"]["traject_types"]["licht"]["doorlooptijd"].update(mean=-90),
     "segments.S3.traject_types.licht.doorlooptijd.mean", "-90", "groter zijn dan 0"),
    (lambda d: d["segments"]["S3"]["traject_types"]["licht"]["doorlooptijd"].update(cv=0),
     "segments.S3.traject_types.licht.doorlooptijd.cv", "0", "groter zijn dan 0"),
    (lambda d: d["segments"]["S3"]["traject_types"]["licht"]["doorlooptijd"].update(kind="weibull"),
     "segments.S3.traject_types.licht.doorlooptijd", "weibull", "'lognormal'"),
    (lambda d: d["providers"]["Aanbieder A"]["plekken"].update(Maastricht={"S3": 2}),
     "providers.Aanbieder A.plekken.Maastricht", "Maastricht", "kies uit ['Beesel', 'Venlo']"),
    (lambda d: d["providers"]["Aanbieder A"]["plekken"]["Venlo"].update(S3=-2),
     "providers.Aanbieder A.plekken.Venlo.S3", "-2", "0 of meer"),
    (lambda d: d["segments"]["S3"].update(voorliggend_veld_share=1.5),
     "segments.S3.voorliggend_veld_share", "1.5", "1 of minder"),
])
def test_bad_input_names_file_field_value_and_rule(tmp_path, mutate, path, value, allowed):
    message = refused(mutate, tmp_path)
    line = next((l for l in message.splitlines() if l.strip().startswith(f"- {path}:")), None)
    assert line is not None, f"no line for {path!r} in:\n{message}"
    assert value in line and allowed in line, line


def test_yaml_syntax_error_names_file(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="kapot.yaml: geen geldige YAML"):
        load_scenario(path)


def test_overrides_are_applied_and_validated_like_the_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    key, value = parse_set_option("providers.Aanbieder A.plekken.Venlo.S3=12")
    assert load_scenario(path, {key: value}).plekken_in_year("Aanbieder A", "Venlo", "S3", 2022) == 12
    with pytest.raises(ScenarioError, match=r"segments\.S3\.stacking_probability: .*1 of minder"):
        load_scenario(path, dict([parse_set_option("segments.S3.stacking_probability=2")]))
    with pytest.raises(ScenarioError, match="'segments.S9' bestaat niet"):
        load_scenario(path, {"segments.S9.voorliggend_veld_share": 0.1})


def test_checked_in_json_schema_is_current():
    checked_in = json.loads((ROOT / "params" / "schema.json").read_text(encoding="utf-8"))
    assert checked_in == json_schema(), "params/schema.json is stale: run `make schema`"


def test_every_params_file_is_a_valid_scenario():
    files = sorted((ROOT / "params").glob("*.yaml"))
    assert files, "params/ holds no scenario"
    for path in files:
        load_scenario(path)


def test_every_shipped_yaml_file_reads_the_same_through_libyaml():
    """config.files.load_yaml (libyaml when present) gives exactly yaml.safe_load's data for every shipped file."""
    from pathlib import Path

    from simulation.config.files import load_yaml

    root = Path(__file__).resolve().parents[2]
    files = sorted([*root.glob("params/**/*.yaml"), *root.glob("sweeps/**/*.yaml"), *root.glob("tests/data/*.yaml")])
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path
