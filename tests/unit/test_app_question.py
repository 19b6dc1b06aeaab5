"""The what-if page's questions as data: scope, overrides and the CLI's field errors by input (no simulation)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulation.app.question import (ALL, Question, check, defaults, field_errors, read_number, scope, shown_number,
                                     whatif_overrides)
from simulation.config.scenario import scenario_from_dict
from simulation.report.helpers import scenario_tariffs
from simulation.report.labels import name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load((ROOT / "params" / "noord-limburg.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def venlo_s3(raw):
    scoped, notes = scope(raw, "Venlo", "S3")
    return scoped, scenario_from_dict(scoped), notes


def test_one_municipality_keeps_its_share_of_a_regional_instroom_and_only_its_contracts(raw, venlo_s3):
    scoped, scenario, notes = venlo_s3
    assert list(scoped["municipalities"]) == ["Venlo"] and "alleen Venlo" in notes[-1]
    pops = {m: v["population"] for m, v in raw["municipalities"].items()}
    full = raw["segments"]["S3"]["instroom"]["per_year"]
    expected = full["Venlo"] if isinstance(full, dict) else full * pops["Venlo"] / sum(pops.values())
    assert scenario.instroom_per_year("Venlo", "S3") == pytest.approx(expected, rel=1e-12)
    assert {c.municipality for c in scenario.funding.contracts} == {"Venlo"}


def test_a_municipality_in_a_regio_contract_with_others_keeps_the_municipalities_it_covers(raw):
    scoped, notes = scope(raw, "Beesel", "S3")
    regio = [c for c in raw["funding"]["contracts"] if c["segment"] == "S3" and "municipalities" in c]
    covered = {m for c in regio for m in c["municipalities"]}
    assert "Beesel" in covered and covered != set(raw["municipalities"])   # Venlo has its own S3 contracts
    assert set(scoped["municipalities"]) == covered and "regiocontract" in notes[-1]


def test_plekken_and_behaviour_become_overrides_of_the_contracts_of_the_question_only(venlo_s3):
    scoped, base, _ = venlo_s3
    q = Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_a": 30}, doorlooptijd_factor=0.9)
    overrides, edited = whatif_overrides(scoped, q, base)
    contracts = overrides["funding.contracts"]
    a = next(contracts[i] for i, p in edited.items() if p == "jeugd_regio_a")
    b = next(contracts[i] for i, p in edited.items() if p == "jeugd_regio_b")
    assert a["plekken"] == 30 and b["plekken"] == next(c for c in scoped["funding"]["contracts"]
                                                       if c["provider"] == "jeugd_regio_b" and c["segment"] == "S3")["plekken"]
    assert a["behaviour"]["doorlooptijd_factor"] == 0.9 and "assumption" in a["behaviour"]["source"]
    untouched = [c for i, c in enumerate(contracts) if i not in edited]
    assert untouched == [c for i, c in enumerate(scoped["funding"]["contracts"]) if i not in edited]
    scenario, _, errors = check(scoped, q, base, "noord-limburg.yaml")
    assert not errors and scenario.funding.contracts[next(iter(edited))].segment == "S3"


def test_a_variant_switch_drops_the_fields_the_new_variant_lacks_and_takes_the_scenarios_tariffs(raw):
    scoped, _ = scope(raw, "Venlo", "S2")
    base = scenario_from_dict(scoped)
    q = Question("noord-limburg.yaml", "Venlo", "S2", variant="plekken", plekken={"jeugd_regio_b": 5, "jeugd_regio_c": 6})
    scenario, overrides, errors = check(scoped, q, base, "x")
    assert not errors, errors
    edited = [c for c in overrides["funding.contracts"] if c["municipality"] == "Venlo" and c["segment"] == "S2"]
    assert all(c["variant"] == "plekken" and "unit_price" not in c and c["tariffs"] for c in edited)


def test_a_negative_plek_count_is_the_clis_message_under_its_provider(venlo_s3):
    scoped, base, _ = venlo_s3
    q = Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_b": -2}, horizon_years=0)
    scenario, _, errors = check(scoped, q, base, "noord-limburg.yaml")
    assert scenario is None
    assert "plekken" in errors["plekken:jeugd_regio_b"] and "-2" in errors["plekken:jeugd_regio_b"]
    assert errors["horizon_years"].startswith("- Horizon (jaren): ")


def test_field_errors_put_unknown_lines_under_the_general_key():
    message = "x: 2 problemen in het scenario\n  - funding.contracts.4.band: fout (gevonden: 2)\n  - segments.S3.foo: vreemd (gevonden: 1)"
    errors = field_errors(message, {4: "p"})
    assert errors["band"] == "- p, Bandbreedte (aandeel): fout (gevonden: 2)" and "segments.S3.foo" in errors[""]


def test_a_field_error_names_the_contract_and_the_field_in_the_readers_words_not_the_path(venlo_s3):
    scoped, base, _ = venlo_s3
    _, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_b": -5}), base, "x")
    shown = errors["plekken:jeugd_regio_b"]
    assert shown.startswith(f"- {name('provider', 'jeugd_regio_b')} (Venlo, S3), Plekken per jaar: "), shown
    assert "funding.contracts" not in shown


def test_defaults_show_the_scenarios_plekken_and_tariffs(venlo_s3):
    _, base, _ = venlo_s3
    d = defaults(base, "Venlo", "S3")
    assert d["providers"]["jeugd_regio_a"]["plekken"] == 66 and set(d["tariffs"]) == set(base.segments["S3"].traject_types)
    assert defaults(base, ALL, "S3")["providers"] == {}


def test_a_band_above_one_is_the_clis_message_under_the_band_field_and_nothing_runs(venlo_s3):
    scoped, base, _ = venlo_s3
    q = Question("noord-limburg.yaml", "Venlo", "S3", variant="budget", budget=1e6, band=1.5)
    scenario, _, errors = check(scoped, q, base, "noord-limburg.yaml")
    assert scenario is None and set(errors) == {"band"}, errors
    lines = errors["band"].splitlines()
    assert all("band" in x and "tussen 0 en 1" in x and x.endswith("(gevonden: 1.5)") for x in lines), lines
    assert "variant=" not in errors["band"] and all(x.count("gevonden") == 1 for x in lines)
    q = Question("noord-limburg.yaml", "Venlo", "S3", variant="budget", budget=1e6, band=float("inf"))
    scenario, _, errors = check(scoped, q, base, "noord-limburg.yaml")
    assert not errors and all(c.band == float("inf") for c in scenario.funding.contracts if c.segment == "S3")


def test_a_tariff_of_0_is_the_clis_message_under_the_tariffs_and_nothing_runs(venlo_s3):
    scoped, base, _ = venlo_s3
    first = next(iter(base.segments["S3"].traject_types))
    scenario, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S3", tariffs={first: 0.0}), base, "x")
    assert scenario is None and set(errors) == {"tariffs"}, errors
    assert f"het tarief van {first!r}" in errors["tariffs"] and "boven 0" in errors["tariffs"]


def test_a_negative_plek_count_is_shown_once_without_the_union_tag(venlo_s3):
    scoped, base, _ = venlo_s3
    _, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_b": -5}), base, "x")
    assert errors["plekken:jeugd_regio_b"].endswith("Plekken per jaar: plekken moet een eindig getal van 0 of meer "
                                                    "zijn (of {jaar: waarde}) (gevonden: -5)"), errors
    assert "variant=" not in errors["plekken:jeugd_regio_b"]


def test_an_input_no_contract_of_the_choice_has_is_refused_not_ignored(venlo_s3):
    scoped, base, _ = venlo_s3   # Venlo's S3 contracts buy plekken and trajecten: none has a band
    scenario, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S3", band=0.5), base, "x")
    assert scenario is None and set(errors) == {"band"} and "geen contract" in errors["band"]


def test_a_switch_to_a_settled_variant_values_the_care_at_the_scenarios_tariffs(venlo_s3):
    scoped, base, _ = venlo_s3
    scenario, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S3", variant="budget", budget=1e6,
                                                 band=0.1), base, "x")
    assert not errors, errors
    edited = [c for c in scenario.funding.contracts if c.segment == "S3"]
    assert edited and all(c.realisation.tariffs == scenario_tariffs(base, "S3") for c in edited)


def test_an_opvolger_keeps_naming_its_boeggolf_contract_in_the_scoped_scenario():
    raw = yaml.safe_load((ROOT / "params" / "noord-limburg-participatie.yaml").read_text(encoding="utf-8"))
    scoped, _ = scope(raw, "Venlo", "PW_S3")   # 'follows' is an index into funding.contracts
    contracts = scenario_from_dict(scoped).funding.contracts
    followers = [c for c in contracts if c.variant == "opvolger"]
    assert followers and all(contracts[c.follows].variant == "boeggolf" and contracts[c.follows].provider == c.provider
                             for c in followers)


def test_a_switch_to_plekken_without_a_plek_count_is_a_dutch_message_under_that_provider(raw):
    scoped, _ = scope(raw, "Venlo", "S1")
    base = scenario_from_dict(scoped)
    providers = sorted({c["provider"] for c in scoped["funding"]["contracts"]
                        if c["municipality"] == "Venlo" and c["segment"] == "S1"})
    assert len(providers) >= 2
    given, empty = providers[0], providers[1:]
    scenario, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S1", variant="plekken",
                                                 plekken={given: 30}), base, "x")
    assert scenario is None
    for provider in empty:
        assert "geen aantal" in errors[f"plekken:{provider}"] and "verplicht veld" not in errors[f"plekken:{provider}"]
    assert f"plekken:{given}" not in errors
    scenario, _, errors = check(scoped, Question("noord-limburg.yaml", "Venlo", "S1", variant="plekken",
                                                 plekken={p: 30 for p in providers}), base, "x")
    assert scenario is not None and not errors


@pytest.mark.parametrize("text, value", [("0,95", 0.95), ("1.000.000", 1e6), ("2.500.000,50", 2500000.5),
                                         ("1", 1.0), (" 0,1 ", 0.1), ("oneindig", float("inf")), ("", None)])
def test_number_fields_read_dutch_numbers(text, value):
    assert read_number(text) == value


@pytest.mark.parametrize("text, words", [("0.95", ["'0.95'", "Nederlandse notatie", "'0,95'"]),
                                         ("veel", ["'veel'", "geen getal"]), ("", ["leeg", "vul een getal in"])])
def test_a_number_field_that_is_no_dutch_number_is_a_dutch_message(text, words):
    with pytest.raises(ValueError) as info:
        read_number(text, empty=False)   # a behaviour factor cannot be left empty
    assert all(w in str(info.value) for w in words), str(info.value)


def test_number_fields_show_the_scenarios_value_in_dutch_and_read_it_back():
    for x in (0.1, 650_000.0, 1_234_567.89, float("inf"), 1.0, 0.0):
        assert read_number(shown_number(x)) == x, (x, shown_number(x))
    assert (shown_number(0.1), shown_number(650_000.0), shown_number(None)) == ("0,10", "650.000", "")
