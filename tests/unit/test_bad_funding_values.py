"""A band above 1 and a tariff or price of 0 are refused when the scenario loads (CLI and app share this):
one line naming the file, the field and the fix, the bad value shown once, no pydantic union tag."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from simulation import cli

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "params" / "variants" / "funding-demo.base.yaml").read_text(encoding="utf-8"))
VENLO = {"municipality": "Venlo", "segment": "S3"}
TRAJECT = {**VENLO, "provider": "P2", "variant": "traject", "tariffs": {"standaard": 8646}}


def _file(tmp_path, contract: dict) -> Path:
    raw = dict(BASE, funding={"contracts": [{**VENLO, "provider": "P1", **contract}, TRAJECT]})
    path = tmp_path / "wat-als.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _refused(capsys, path: Path, field: str, *words: str) -> str:
    code = cli.main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and str(path) in err
    line = next(x for x in err.splitlines() if x.strip().startswith(f"- {field}:"))
    assert "variant=" not in err, err               # the union tag is no field a user writes
    assert len(re.findall(r"\bgevonden\b", line)) == 1, line
    for word in words:
        assert word in line, (word, line)
    return line


BUDGET = {"variant": "budget", "budget": 650000, "realisation": {"basis": "traject", "tariffs": {"standaard": 8646}}}


@pytest.mark.parametrize("band", [1.5, 2, 10])
def test_a_band_above_one_is_refused_with_the_field_and_the_fix(tmp_path, capsys, band):
    line = _refused(capsys, _file(tmp_path, {**BUDGET, "band": band}), "funding.contracts.0.band",
                    "tussen 0 en 1", ".inf")
    assert line.endswith(f"(gevonden: {band})")   # the value as written


@pytest.mark.parametrize("band", [0, 0.1, 1, float("inf")])
def test_a_band_from_0_to_1_or_inf_loads(tmp_path, capsys, band):
    assert cli.main(["validate", str(_file(tmp_path, {**BUDGET, "band": band}))]) == 0, capsys.readouterr().err


def test_a_band_above_one_is_refused_in_every_variant_with_a_band(tmp_path, capsys):
    population = {"variant": "population", "per_inhabitant": 10.0, "band": 1.2}
    _refused(capsys, _file(tmp_path, population), "funding.contracts.0.band", "tussen 0 en 1")
    beschikbaarheid = {"variant": "beschikbaarheid", "tariffs": {"standaard": 8646}, "availability": 1000,
                       "budget": 650000, "band": 3}
    _refused(capsys, _file(tmp_path, beschikbaarheid), "funding.contracts.0.band", "tussen 0 en 1")


@pytest.mark.parametrize("contract,field,words", [
    ({"variant": "traject", "tariffs": {"standaard": 0}}, "funding.contracts.0.tariffs", ("'standaard'", "boven 0")),
    ({"variant": "plekken", "plekken": 5, "tariffs": {"standaard": 0.0}}, "funding.contracts.0.tariffs", ("boven 0",)),
    ({"variant": "pxq", "unit_price": 0}, "funding.contracts.0.unit_price", ("unit_price", "boven 0")),
    ({"variant": "pxq", "unit_price": {"standaard": 0}}, "funding.contracts.0.unit_price", ("unit_price[standaard]",)),
    ({"variant": "output_monthly", "monthly_tariffs": {"standaard": 0}}, "funding.contracts.0.monthly_tariffs",
     ("'standaard'", "boven 0")),
    ({**BUDGET, "realisation": {"basis": "traject", "tariffs": {"standaard": 0}}},
     "funding.contracts.0.realisation.tariffs", ("boven 0",)),
    ({"variant": "population", "per_inhabitant": 0}, "funding.contracts.0.per_inhabitant", ("groter zijn dan 0",)),
])
def test_a_tariff_or_price_of_0_where_it_pays_is_refused(tmp_path, capsys, contract, field, words):
    line = _refused(capsys, _file(tmp_path, contract), field, *words)
    assert line.endswith(("(gevonden: 0)", "(gevonden: 0.0)")), line


def test_a_negative_schedule_value_shows_the_value_once_without_the_union_tag(tmp_path, capsys):
    line = _refused(capsys, _file(tmp_path, {"variant": "plekken", "plekken": -5, "tariffs": {"standaard": 8646}}),
                    "funding.contracts.0.plekken", "0 of meer")
    assert line.endswith("(gevonden: -5)"), line
    # one year of a schedule: the message's own value (the bad year's), not the whole mapping
    line = _refused(capsys, _file(tmp_path, {"variant": "plekken", "plekken": {2024: 5, 2025: -2},
                                             "tariffs": {"standaard": 8646}}), "funding.contracts.0.plekken", "0 of meer")
    assert line.endswith("(gevonden: -2)"), line
