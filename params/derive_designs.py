"""Write the funding-design overlays params/designs/<region>.yaml: each region's design on Noord-Limburg's clients.

    python params/derive_designs.py --write

Each file is a ``funding:`` override for params/noord-limburg.yaml (the format of params/variants/*.yaml),
so that ``simulation.experiment.compare.compare("params/noord-limburg.yaml", {name: path, ...})`` runs the
same clients (common random numbers) under every design. Noord-Limburg's segments are mapped onto the
segments of each region (the mapping is written at the top of every file). Prices rest on Noord-Limburg's
underlying rates per hour or etmaal (params/derive_funding.py, solved from the 2019 spend of 004 par. 6),
so the designs differ in how they pay, not in the price level. GENERATED: rerun after changing
params/noord-limburg.yaml; tests/validation/test_region_scenarios.py fails while a file and this script disagree.
"""
from __future__ import annotations

import argparse
import copy
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "params"))

from derive_regions import NL, NL_POPULATION, NL_SRC, RATES, flow, header, nl_2019  # noqa: E402
from simulation.funding.startbudget import StartBudgetInput, indexed, per_provider, start_budget  # noqa: E402

FOLDER = ROOT / "params" / "designs"
FIRST_YEAR, YEARS = 2022, NL["horizon_years"]
YOUTH = ("S1", "S2", "S3", "S4")
UNIT = {"S1": "etmaal", "S2": "etmaal", "S3b": "etmaal"}   # the rest in hours (params/derive_funding.py)


def growth(seg: str) -> float:
    return NL["segments"][seg]["instroom"]["growth"]   # 004 par. 6


def weights(seg: str) -> dict[str, float]:
    return {p: v["segments"][seg]["weight"] for p, v in NL["providers"].items() if seg in v["segments"]}


def own(seg: str) -> list[tuple[dict, str]]:
    """Noord-Limburg's own contracts of a segment the design leaves as it is."""
    return [(c, f"Noord-Limburg's own contract ({NL_SRC}, 004 par. 7.1): outside this design's scope")
            for c in NL["funding"]["contracts"] if c["segment"] == seg]


def each(seg: str, make) -> list[tuple[dict, str]]:
    return [make(m, p) for m in NL["municipalities"] for p in weights(seg)]


# -- Achterhoek (000, 002): lump sums derived in the steps of 000 par. 3.3 ---------------------------

def achterhoek_budget(seg: str):
    cost, count = nl_2019()[seg]
    pops = {m: v["population"] for m, v in NL["municipalities"].items()}
    inp = StartBudgetInput(spend_previous=cost, clients_previous={m: count * p / NL_POPULATION for m, p in pops.items()},
                           development={m: (1 + growth(seg)) ** (FIRST_YEAR - 2019) - 1 for m in pops})
    return per_provider(start_budget(inp), weights(seg)).set_index(["gemeente", "aanbieder"])["lumpsum"]


def achterhoek() -> list[tuple[dict, str]]:
    out = []
    for seg in (*YOUTH, "S1a", "S1b", "S2a", "S2b"):
        lump = achterhoek_budget(seg)
        why = ("lump sum per organisation (000 par. 3.1-3.3): start budget = 2019 spend / count (004 par. 6) x "
               "expected clients (count x population key, 004 par. 9, grown at 004 par. 6's rate to 2022); "
               "step 7 factors 0 (assumption); growing with the expected clients (assumption)")
        out += each(seg, lambda m, p: ({"municipality": m, "provider": p, "segment": seg, "variant": "lumpsum",
                                        "amount": indexed(float(lump[(m, p)]), FIRST_YEAR, YEARS, growth(seg))}, why))
    return out + own("S3a") + own("S3b")


# -- Meierij (003): a monthly tariff per client per category --------------------------------------

def category(seg: str, name: str, weight: float) -> str:
    """assumption: Noord-Limburg's traject types in Meierij's 7 categories (003 par. 5.1) by form and weight."""
    if seg in ("S1", "S2"):
        return "KDV-Extra"
    if seg == "S3b":
        return "KDV-Basis"
    if seg == "S3" or name.startswith("dagbesteding"):
        return "DB-Basis" if weight <= 9 else "DB-Extra"
    return "IB-Waakvlam" if weight <= 1.5 else ("IB-Basis" if weight <= 2.5 else "IB-Extra")


def meierij() -> list[tuple[dict, str]]:
    out = []
    for seg in (*YOUTH, "S1a", "S1b", "S2a", "S2b", "S3b"):
        types = NL["segments"][seg]["traject_types"]
        cats = {n: category(seg, n, t["weight"]) for n, t in types.items()}
        tariffs = {}
        for cat in sorted(set(cats.values())):
            ws = [types[n]["weight"] for n in cats if cats[n] == cat]
            tariffs[cat] = round(RATES[seg] * sum(ws) / len(ws) * 365.25 / 12 / 7, 2)
        why = (f"output-oriented monthly tariff per client per category (003 par. 5.1-5.2); assumption: the "
               f"category's mean units per week x Noord-Limburg's {seg} rate x 365.25/12/7")
        out += each(seg, lambda m, p: ({"municipality": m, "provider": p, "segment": seg, "variant": "output_monthly",
                                        "monthly_tariffs": tariffs, "categories": cats}, why))
    return out + own("S3a")


# -- Zwolle (001): fixed trajectory tariffs, the average cost of the whole traject ----------------

@lru_cache(maxsize=None)
def whole_traject_cost(seg: str, name: str) -> float:
    """Expected cost of a traject of this type with its verlengingen and step-down at the segment's rate
    (uitval stops halfway on average; maatwerk factors ignored): 001's tariff = the average over the profile."""
    t = NL["segments"][seg]["traject_types"][name]
    out = t["outcomes"]
    per_day = RATES[seg] * t["weight"] / 7
    half = 1 - out.get("uitval", 0) / 2
    down = out.get("step_down", 0) * (whole_traject_cost(seg, t["step_down_to"]) if out.get("step_down") else 0.0)
    first = per_day * t["doorlooptijd"]["mean"] * half
    verl = t.get("verlenging_doorlooptijd", t["doorlooptijd"])["mean"]
    continued = (per_day * verl * half + down) / (1 - out.get("verlenging", 0))
    return first + down + out.get("verlenging", 0) * continued


def zwolle() -> list[tuple[dict, str]]:
    out = []
    for seg in YOUTH:
        tariffs = {n: round(whole_traject_cost(seg, n), 2) for n in NL["segments"][seg]["traject_types"]}
        why = ("001: a fixed tariff for the whole traject, no charge for extra work (verlenging and step-down "
               "included), no budgetplafond; assumption: the expected cost of the traject with its continuations "
               f"at Noord-Limburg's {seg} rate (params/derive_designs.py whole_traject_cost)")
        out += each(seg, lambda m, p: ({"municipality": m, "provider": p, "segment": seg, "variant": "traject",
                                        "tariffs": tariffs, "verlenging": "inbegrepen", "step_down": "inbegrepen"}, why))
    for seg in ("S1a", "S1b", "S2a", "S3a"):
        types = NL["segments"][seg]["traject_types"]
        tariffs = {n: round(RATES[seg] * t["weight"] * t["planned_doorlooptijd"] / 7, 2) for n, t in types.items()}
        why = (f"001 (Diah): trajecten per indication; assumption: Noord-Limburg's {seg} rate x weight x planned "
               "days / 7, a renewed indication paid again")
        out += each(seg, lambda m, p: ({"municipality": m, "provider": p, "segment": seg, "variant": "traject",
                                        "tariffs": tariffs, "verlenging": "nieuw_traject"}, why))
    population = {(c["municipality"], c["provider"]): c["per_inhabitant"] for c in NL["funding"]["contracts"]
                  if c["segment"] == "S2b"}
    why = ("001 (dagbesteding): a budget settled when the deviation exceeds +-10%; assumption: the budget is "
           f"Noord-Limburg's expected 2022 realisation (its S2b population amount, {NL_SRC}), growing 3% a year "
           "(004 par. 6); the whole difference is settled")
    out += each("S2b", lambda m, p: ({"municipality": m, "provider": p, "segment": "S2b", "variant": "budget",
                                      "budget": indexed(population[(m, p)] * NL["municipalities"][m]["population"],
                                                        FIRST_YEAR, YEARS, growth("S2b")),
                                      "band": 0.1, "settlement": "whole",
                                      "realisation": {"basis": "pxq", "unit": "uur", "unit_price": RATES["S2b"]}}, why))
    return out + own("S3b")


MAPPING = {
    "achterhoek": """Achterhoek's design (000, 002) on Noord-Limburg's clients. Segments mapped (assumption):
youth S4 ambulant and S3 dag -> Integrale Ambulante Jeugdhulp, S2 wonen -> Gezins- en Woonvormen,
S1 verblijf met behandeling -> Hoog Complex met Verblijf: a lump sum per provider; Wmo S1a, S1b, S2a,
S2b (begeleiding) -> Integrale Ondersteuning: a lump sum; S3b logeren: p x q (as in the Achterhoek);
S3a hulp bij huishouden is outside the Achterhoek's regional purchase: Noord-Limburg's own contracts.
Dyslexie and Wonen have no Noord-Limburg segment. Venlo's plekken do not exist under this design.""",
    "meierij": """Meierij's design (003) on Noord-Limburg's clients: an output-oriented monthly tariff per client per
category for every segment but S3a. Traject types mapped to the 7 categories (assumption):
begeleiding-like types (S4, S1a, S1b, S2a, begeleiding_ouderen) to IB Waakvlam (<= 1.5 hours a
week) / Basis (<= 2.5) / Extra; day care (S3, dagbesteding_ouderen) to DB Basis (<= 9 hours) /
Extra; S3b logeren to KDV Basis; youth verblijf and wonen (S1, S2) to KDV Extra (Meierij buys no
youth care: the design is extended to it). S3a hulp bij huishouden is not specialist support:
Noord-Limburg's own contracts. No open house or pilot: the providers are Noord-Limburg's.""",
    "zwolle": """Zwolle/IJsselland's design (001) on Noord-Limburg's clients. Youth S1-S4: a fixed tariff for the
whole traject per traject type (Noord-Limburg's traject types stand in for the 36 profile x
intensity combinations), verlenging and step-down included, no ceilings. Wmo S1a, S1b, S2a and S3a
hulp bij huishouden: Diah-like trajecten per indication. S2b (begeleiding and dagbesteding
ouderen): a budget settled outside +-10%, as 001's dagbesteding. S3b logeren: Noord-Limburg's own.""",
}
DESIGNS = {"achterhoek": achterhoek, "meierij": meierij, "zwolle": zwolle}


def render(name: str) -> str:
    lines = header(MAPPING[name] + "\nGENERATED by params/derive_designs.py; a funding override for params/noord-limburg.yaml.")
    lines += ["funding:", "  contracts:"] + [f"    - {flow(c)}   # {why}" for c, why in DESIGNS[name]()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    for name in DESIGNS:
        text = render(name)
        if args.write:
            FOLDER.mkdir(exist_ok=True)
            (FOLDER / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"{name}: {text.count(chr(10) + '    - ')} contracts" + (" written" if args.write else ""))


if __name__ == "__main__":
    main()
