"""The scenario check speaks Dutch: pydantic's errors by type from one table (limits in Dutch number format, an
unknown type keeps pydantic's text), and a bad scenario through the CLI names file, field and fix in Dutch."""
from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core._pydantic_core import list_all_errors

from simulation.config.errors import PYDANTIC_NL, dutch_number, format_validation_error, pydantic_message
from scenarios import BASE

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = re.compile(r"\b(Input should|Field required|problem\(s\)|must|got|unknown|expected|Traceback|error:)\b")


def test_every_translation_uses_only_what_pydantic_gives_for_its_type():
    templates = {e["type"]: e["message_template_python"] for e in list_all_errors()}
    for kind, text in PYDANTIC_NL.items():
        assert kind in templates, kind
        ours = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        theirs = {f for _, f, _, _ in string.Formatter().parse(templates[kind]) if f}
        assert ours <= theirs, (kind, ours - theirs)


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(0.5, ge=0, le=1)
    amount: float = Field(1.0, gt=1234.5)


@pytest.mark.parametrize("data, words", [
    ({"share": 1.5}, ["moet 1 of minder zijn"]), ({"share": -0.1}, ["moet 0 of meer zijn"]),
    ({"amount": 1000}, ["moet groter zijn dan 1.234,5"]),
    ({"share": "0,5"}, ["moet een getal zijn", "punt voor decimalen"]),
    ({"prijs": 3}, ["onbekend veld", "verwijder het"]),
])
def test_pydantic_errors_are_dutch_by_type_with_dutch_limits(data, words):
    with pytest.raises(ValidationError) as info:
        _Limits.model_validate(data)
    text = format_validation_error(info.value, "x.yaml")
    assert text.startswith("x.yaml: 1 probleem in het scenario") and not ENGLISH.search(text), text
    assert all(w in text for w in words), text


def test_an_error_type_without_translation_keeps_pydantics_text():
    err = {"type": "url_parsing", "msg": "Input should be a valid URL, empty host", "ctx": {"error": "empty host"}}
    assert pydantic_message(err) == err["msg"]


def test_dutch_number():
    assert [dutch_number(x) for x in (0.1, 1234.5, 2.0, 12_345_678.9, -1, float("inf"))] == [
        "0,1", "1.234,5", "2", "12.345.678,9", "-1", "oneindig"]


def _venlo_contract(**fields) -> dict:
    return {"funding": {"contracts": [{"municipality": "Venlo", "provider": "Aanbieder A", "segment": "S3", **fields}]}}


@pytest.mark.parametrize("change, field, fix", [
    (lambda d: d.pop("start_date"), "start_date", "voeg het toe"),
    (lambda d: d["segments"]["S3"].update(wachttijd=3), "segments.S3.wachttijd", "verwijder het"),
    (lambda d: d["segments"]["S3"]["instroom"].update(growth="0,05"), "segments.S3.instroom.growth",
     "schrijf in YAML een punt voor decimalen"),
    (lambda d: d.update(_venlo_contract(variant="budget", budget=650_000, band=1.5)), "funding.contracts.0.band",
     "tussen 0 en 1"),
    (lambda d: d.update(_venlo_contract(variant="traject", tariffs={"licht": 0, "zwaar": 9000})),
     "funding.contracts.0.tariffs", "geef de prijs"),
])
def test_a_bad_scenario_through_the_cli_is_dutch_and_names_file_field_and_fix(tmp_path, change, field, fix):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    change(data)
    path = tmp_path / "wat-als.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for command in (["validate", path], ["run", path, "--quiet", "--out", tmp_path / "uit"]):
        proc = subprocess.run([sys.executable, "-m", "simulation", *map(str, command)], capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
        err = proc.stderr
        assert proc.returncode == 2 and err.startswith(f"fout: {path}: 1 probleem in het scenario"), err
        line = next(x for x in err.splitlines() if x.startswith(f"  - {field}: "))
        assert fix in line and not ENGLISH.search(err), err
    assert not (tmp_path / "uit").exists()
