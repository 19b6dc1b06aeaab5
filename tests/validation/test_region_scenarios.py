"""The region scenarios (Achterhoek, Meierij, Zwolle) and the design overlays: as generated, every number
sourced or labelled an assumption, and their document rules computed by hand.

Hand figures: 004 par. 6 (Noord-Limburg 2019 spend and counts) and 004 par. 9 (inhabitants) for the
Achterhoek derivation; the rates per hour come from params/noord-limburg.yaml (derive_funding.py).
"""
import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml

from simulation.config.scenario import load_scenario
from simulation.experiment.compare import load_variant
from simulation.funding.payments import compute_payments
from scenarios import ROOT, traject_rows, unlabelled_numbers

sys.path.insert(0, str(ROOT / "params"))
import derive_designs  # noqa: E402
import derive_regions  # noqa: E402

PARAMS = ROOT / "params"
REGIONS = ("achterhoek", "meierij", "zwolle")
STRICT = sorted([PARAMS / f"{r}.yaml" for r in REGIONS] + list((PARAMS / "designs").glob("*.yaml"))
                + list((PARAMS / "behaviour").glob("*.yaml")))


def contracts_of(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["funding"]["contracts"]


def test_region_files_are_as_generated():
    for path, text in derive_regions.render_all().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `python params/derive_regions.py --write`"
    for name in derive_designs.DESIGNS:
        assert (PARAMS / "designs" / f"{name}.yaml").read_text(encoding="utf-8") == derive_designs.render(name), \
            f"designs/{name}.yaml is stale: run `python params/derive_designs.py --write`"


def test_every_shipped_number_names_a_document_or_is_an_assumption():
    assert len(STRICT) >= 7
    problems = {p.relative_to(PARAMS).as_posix(): unlabelled_numbers(p, strict=True) for p in STRICT}
    assert len(problems) == len(STRICT), "two strict files under one key"
    problems["noord-limburg.yaml"] = unlabelled_numbers(PARAMS / "noord-limburg.yaml", strict=False)
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


def test_the_number_check_fails_on_an_unlabelled_number(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: 5\nb: 6   # hours per week\nc: 7   # assumption: a guess\nd: 8   # 004 par. 6\n"
                 "e: {x: 1, source: \"003 par. 4.1\"}\n# f: 9\ng: 10   # aanname: een schatting\nh: 11   # 004 bijlage 1\n"
                 "i: 12   # 002 and 000\n", encoding="utf-8")
    assert [n for n, _ in unlabelled_numbers(f, strict=True)] == [1, 2, 9]
    assert [n for n, _ in unlabelled_numbers(f, strict=False)] == [1]


def test_the_designs_and_the_behaviour_overlay_validate_on_their_base():
    for name in REGIONS:
        scenario = load_scenario(PARAMS / "noord-limburg.yaml", load_variant(PARAMS / "designs" / f"{name}.yaml"))
        keys = [k for c in scenario.funding.contracts for k in c.keys()]
        served = [(m, p, s) for s in scenario.segments for m in scenario.municipalities
                  for p in scenario.providers_for(m, s)]
        assert sorted(keys) == sorted(served), f"{name}: one contract per municipality x provider x segment"
    neutral = contracts_of(PARAMS / "achterhoek.yaml")
    refusing = contracts_of(PARAMS / "behaviour" / "achterhoek-weigering.yaml")
    assert [{k: v for k, v in c.items() if k != "behaviour"} for c in refusing] == neutral
    changed = {(c["provider"], c["segment"]) for c in refusing if "behaviour" in c}
    assert changed == {(p, s) for p in ("jeugd_iaj_a", "jeugd_iaj_b") for s in ["IAJ"]} | \
        {(p, "IO") for p in ("wmo_io_a", "wmo_io_b")}
    assert all(c["behaviour"]["source"].startswith("aanname") for c in refusing if "behaviour" in c)
    load_scenario(PARAMS / "achterhoek.yaml", load_variant(PARAMS / "behaviour" / "achterhoek-weigering.yaml"))


# -- Achterhoek: the lump sum of 000 par. 3.3 by hand ---------------------------------------------

def test_achterhoek_lump_sum_follows_the_steps_by_hand():
    c = next(c for c in contracts_of(PARAMS / "achterhoek.yaml")
             if (c["municipality"], c["provider"], c["segment"]) == ("Aalten", "jeugd_iaj_a", "IAJ"))
    per_client = 32_883_213 / 8251                 # step 4: Noord-Limburg S4 2019 spend / count (004 par. 6)
    clients = 8251 / 274_733 * 27_100              # assumption: the count per inhabitant x Aalten's inhabitants
    development = 1.05 ** 3 * (1 - 0.03)           # steps 3/5: 5% a year to 2022 (004 par. 6), local policy -3%
    budget = clients * development * per_client    # steps 4 and 6; step 7: factors 1
    assert c["variant"] == "lumpsum"
    assert c["amount"][2022] == pytest.approx(0.45 * budget, abs=0.01)        # the provider's share 0.45
    assert c["amount"][2023] == pytest.approx(0.45 * budget * 1.05, abs=0.02)
    assert len(c["amount"]) == 7                                                # 3 + 2 + 2 years (002)


# -- Meierij: the 7 categories, a month's payment, open-house entry, the pilot ---------------------

def test_meierij_categories_and_the_monthly_payment_by_hand():
    scenario = load_scenario(PARAMS / "meierij.yaml")
    cats = set()
    for c in scenario.funding.contracts:
        if c.variant == "output_monthly":
            cats |= set(c.categories.values())
    assert cats == {"IB-Waakvlam", "IB-Basis", "IB-Extra", "DB-Basis", "DB-Extra", "KDV-Basis", "KDV-Extra"}
    i = next(i for i, c in enumerate(scenario.funding.contracts)
             if (c.municipality, c.provider, c.segment) == ("Vught", "meierij_breed_a", "IB"))
    tariff = round(52.92 * 2 * 365.25 / 12 / 7)          # IB Basis: 2 hours a week at S2a's EUR 52.92 = 460
    assert tariff == 460 and scenario.funding.contracts[i].monthly_tariffs["IB-Basis"] == tariff
    rows = traject_rows([(0, 0, 70)], provider="meierij_breed_a").assign(
        municipality="Vught", segment="IB", traject_type="basis")   # in care in January, February and March
    pay = compute_payments(scenario, trajecten=rows, replications=[0]).payments
    assert pay[pay["contract"] == i]["amount"].sum() == pytest.approx(3 * 460)


def test_meierij_open_house_entry_and_pilot_weights_by_hand():
    scenario = load_scenario(PARAMS / "meierij.yaml")
    # a provider per admission round (1 Jul 2020, 1 Jan and 1 Jul 2021), each 1% of the new clients beside
    # incumbents of weight 1: w / (1 + w) = 0.01, w = 0.0101
    entrants = {p: v for p, v in scenario.providers.items() if p.startswith("meierij_toetreders")}
    assert sorted(v.entry_date for v in entrants.values()) == [dt.date(2020, 7, 1), dt.date(2021, 1, 1),
                                                                dt.date(2021, 7, 1)]
    assert all(v.segments["IB"].weight == pytest.approx(0.0101) for v in entrants.values())
    incumbents = sum(v.segments["IB"].weight for p, v in scenario.providers.items()
                     if v.entry_date is None and v.perceel == "regionaal" and "IB" in v.segments)
    assert incumbents == pytest.approx(1.0)
    # the pilot: 9% of 's-Hertogenbosch's clients on average over 2020-2021; rounds in: 0 for 182 days,
    # 1 for 184, 2 for 181, 3 for 184 of 731
    rounds_in = (0 * 182 + 1 * 184 + 2 * 181 + 3 * 184) / 731
    pilot = scenario.providers["den_bosch_wijkpilot"].segments["IB"].weight
    assert pilot / (1 + rounds_in * 0.0101 + pilot) == pytest.approx(0.09, abs=0.001)   # 003 par. 3.3: 8-10%
    assert scenario.providers["den_bosch_wijkpilot"].municipalities == ["'s-Hertogenbosch"]
    assert scenario.start_date == dt.date(2020, 1, 1) and scenario.horizon_years == 2


# -- Zwolle: the 36 tariffs, the extra check and the +-10% settlement ----------------------------

def test_zwolle_36_tariffs_by_hand():
    scenario = load_scenario(PARAMS / "zwolle.yaml")
    assert derive_regions.RATES["S4"] == 52.36, "Noord-Limburg's S4 rate changed: update the hand figures"
    youth = [c for c in scenario.funding.contracts if c.segment == "JH"]
    assert len(youth) == 3 and all(c.variant == "traject" for c in youth)
    for c in youth:
        assert len(c.tariffs) == 36 and set(c.tariffs) == set(scenario.segments["JH"].traject_types)
        assert c.verlenging == "inbegrepen" and c.step_down == "inbegrepen" and c.behaviour.refusal_probability == 0
        assert c.tariffs["P01/perspectief"] == 2020     # 52.36 x 1.5 hours x 1.0 x 180 days / 7 = 2019.6
        assert c.tariffs["P11/intensief"] == 32762      # 52.36 x 6 x 2.0 x 365 / 7 = 32762.4
        assert c.tariffs["P12/duurzaam"] == 3057        # 52.36 x 1.0 x 0.75 x 545 / 7 = 3057.4
        above = sorted(t for t, x in c.tariffs.items() if x > 25_000)
        assert above == ["P11/intensief"]                # the only combination with the extra check
    assert "Extra check above EUR 25,000" in (PARAMS / "zwolle.yaml").read_text() and \
        "P11/intensief." in (PARAMS / "zwolle.yaml").read_text()
    assert not any(c.variant == "plafond" for c in scenario.funding.contracts)   # no budgetplafonds


@pytest.mark.parametrize("factor, settled", [(1.05, 0.0), (0.95, 0.0), (1.15, 0.15), (0.85, -0.15)])
def test_zwolle_dagdelen_budget_settles_only_outside_10_percent(factor, settled):
    scenario = load_scenario(PARAMS / "zwolle.yaml")
    i, c = next((i, c) for i, c in enumerate(scenario.funding.contracts) if c.provider == "dagbesteding_a")
    budget, price = c.budget[2018], c.realisation.unit_price
    days = factor * budget * 7 / (3 * price * 400)    # 400 clients, 3 dagdelen a week each, within 2018
    rows = traject_rows([(k, 0, days) for k in range(400)], provider="dagbesteding_a").assign(
        municipality="Zwolle", segment="DB", traject_type="dagbesteding")
    pay = compute_payments(scenario, trajecten=rows, replications=[0]).payments
    assert days < 365
    s = pay[(pay["contract"] == i) & (pay["kind"] == "settlement") & (pay["year"] == 2018)]["amount"].sum()
    assert s == pytest.approx(settled * budget, rel=1e-6, abs=0.01)
