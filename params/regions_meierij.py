"""The Meierij scenario (003) for params/derive_regions.py: specialist Wmo support on monthly output tariffs."""
from __future__ import annotations

import datetime as dt

from derive_regions import NL_SRC, RATES, ROOT, flow, header, line, municipalities, own_segment
from simulation.funding.open_house import admission_rounds, entrant_share, round_weight

START, YEARS = dt.date(2020, 1, 1), 2      # 003 par. 1.5 and 5.5: the agreement runs 2020-2021
END = dt.date(START.year + YEARS, 1, 1)
CLIENTS_2017 = {"'s-Hertogenbosch": 1751, "Meierijstad": 693, "Vught": 318}   # 003 par. 4.1
# assumption: inhabitants about 2017, rounded (public CBS statistics; 003 gives none); they do not change
# the flow (instroom is given per municipality), only a per-inhabitant reading of the results
POPULATION = {"'s-Hertogenbosch": 154000, "Meierijstad": 81000, "Vught": 26500}
FORMS = {"IB": 0.65, "DB": 0.30, "KDV": 0.05}   # assumption: split of the clients over the three support forms
VOORLIGGEND = 0.10        # assumption: the toegang serves one request in ten in a voorliggende voorziening (003 par. 5.1)
GROWTH = 0.03             # assumption: Noord-Limburg's Wmo growth 2017-2019 (004 par. 6), carried over
SHARE_PER_ROUND = 0.01    # assumption: each half-yearly admission round adds providers taking 1% of new clients
PILOT = 0.09              # 003 par. 3.3: 8-10% of 's-Hertogenbosch's clients outside the regional contracts
PILOT_IN_CARE = 0.75      # assumption: a client counted in a year is in care 9 of its 12 months on average
# category: (traject type, segment, share, hours or etmalen per week, planned days, outcomes, step_down_to);
# every value an assumption (003 par. 5.1 names the categories, not their content)
CATEGORIES = {
    "IB-Waakvlam": ("waakvlam", "IB", 0.25, 0.5, 365, {"afschaling": 0.5, "uitval": 0.1, "verlenging": 0.4}, None),
    "IB-Basis": ("basis", "IB", 0.55, 2, 270, {"afschaling": 0.6, "step_down": 0.15, "uitval": 0.1, "verlenging": 0.15},
                 "waakvlam"),
    "IB-Extra": ("extra", "IB", 0.20, 4, 240, {"afschaling": 0.4, "step_down": 0.35, "uitval": 0.1, "verlenging": 0.15},
                 "basis"),
    "DB-Basis": ("basis", "DB", 0.7, 8, 365, {"afschaling": 0.5, "uitval": 0.1, "verlenging": 0.4}, None),
    "DB-Extra": ("extra", "DB", 0.3, 16, 365, {"afschaling": 0.3, "step_down": 0.3, "uitval": 0.1, "verlenging": 0.3},
                 "basis"),
    "KDV-Basis": ("basis", "KDV", 0.7, 1, 90, {"afschaling": 0.7, "uitval": 0.1, "verlenging": 0.2}, None),
    "KDV-Extra": ("extra", "KDV", 0.3, 2, 90, {"afschaling": 0.5, "step_down": 0.2, "uitval": 0.1, "verlenging": 0.2},
                  "basis"),
}
RATE = {"IB": ("S2a", "uur"), "DB": ("S2b", "uur"), "KDV": ("S3b", "etmaal")}   # assumption: Noord-Limburg's rates
DESCRIPTION = {"IB": "Individuele begeleiding", "DB": "Dagbesteding", "KDV": "Kortdurend verblijf"}
PROVIDERS = {   # assumption: representative providers (003 par. 4.1: 30 contracted, 28/22/19 active per municipality)
    "meierij_breed_a": {"IB": 0.4, "DB": 0.4, "KDV": 0.6},
    "meierij_breed_b": {"IB": 0.3, "DB": 0.35, "KDV": 0.4},
    "meierij_klein": {"IB": 0.3, "DB": 0.25},
}
ENTRANTS, PILOT_PROVIDER = "meierij_toetreders", "den_bosch_wijkpilot"


def monthly_tariff(category: str) -> float:
    """EUR per client per month: the rate x the category's units per week x weeks per month (assumption:
    the average over the category's clients, 003 par. 5.2; 003 gives no amounts)."""
    _, seg, _, weight, *_ = CATEGORIES[category]
    return round(RATES[RATE[seg][0]] * weight * 365.25 / 12 / 7)


def years_in_care(seg: str) -> float:
    """Mean years in care per instroom, a verlenging repeating with its probability (geometric)."""
    return sum(share * planned / (1 - out["verlenging"]) for _, s, share, _, planned, out, _ in CATEGORIES.values()
               if s == seg) / 365


def per_year(seg: str) -> dict:
    """Aanmeldingen in 2017: clients x form share / (1 + years in care) / (1 - voorliggend veld)."""
    return {m: round(n * FORMS[seg] / (1 + years_in_care(seg)) / (1 - VOORLIGGEND), 1) for m, n in CLIENTS_2017.items()}


def entrants() -> dict[str, dt.date]:
    """One provider per admission round (003 par. 6.2), named after the round: meierij_toetreders_2020_07, ..."""
    return {f"{ENTRANTS}_{d:%Y_%m}": d for d in admission_rounds(START, END)}


def entrant_weight() -> float:
    """The time-averaged weight of all entrants together (for the pilot's share)."""
    e = entrant_share(START, END, SHARE_PER_ROUND)
    return round(e / (1 - e), 4)


def pilot_weight() -> float:
    return round(PILOT / (1 - PILOT) * (1 + entrant_weight()), 4)


def pilot_amount() -> float:
    """The pilot's yearly lump sum: 9% of 's-Hertogenbosch's clients (grown to 2020) x the IB/DB mean monthly
    tariff x 12 x PILOT_IN_CARE."""
    mean = sum(FORMS[s] * share * monthly_tariff(c) for c, (_, s, share, *_) in CATEGORIES.items() if s != "KDV")
    mean /= FORMS["IB"] + FORMS["DB"]
    clients = CLIENTS_2017["'s-Hertogenbosch"] * (1 + GROWTH) ** (START.year - 2017)
    return round(PILOT * clients * mean * 12 * PILOT_IN_CARE, 2)


def segment_lines(seg: str) -> list[str]:
    out = [f"  {seg}:", "    domain: wmo", f"    description: {DESCRIPTION[seg]}   # 003 par. 5.1 (table 3)",
           "    instroom:",
           line(6, "per_year", per_year(seg), "assumption: the 2017 clients (003 par. 4.1) x FORMS / (1 + years in "
                "care) / (1 - VOORLIGGEND), params/regions_meierij.py"),
           line(6, "base_year", 2017, "003 par. 4.1: the client counts are for 2017"),
           line(6, "growth", GROWTH, "assumption: Noord-Limburg's Wmo growth (004 par. 6), carried over")]
    types = {}
    for cat, (name, s, share, weight, planned, outcomes, step) in CATEGORIES.items():
        if s != seg:
            continue
        t = {"share": share, "weight": weight, "planned_doorlooptijd": planned,
             "doorlooptijd": {"kind": "lognormal", "mean": planned, "cv": 0.5},
             "outcomes": {"afschaling": 0.0, "step_down": 0.0, "opschaling": 0.0, "uitval": 0.0, "verlenging": 0.0}
             | outcomes}
        if step:
            t["step_down_to"] = step
        types[name] = (t, f"category {cat} (003 par. 5.1); share, units per week, duration and outcomes: assumption "
                          "(003 gives none)")
    fields = {"voorliggend_veld_share": VOORLIGGEND, "toegang_doorlooptijd": {"kind": "gamma", "mean": 35, "cv": 0.4}}
    return out + own_segment(4, fields, types, "assumption: VOORLIGGEND; 5 weeks for the toegang (Wmo: 6 + 2 weeks "
                                               "at most)")


def contracts() -> list[str]:
    out = []
    for seg in FORMS:
        cats = {n: c for c, (n, s, *_) in CATEGORIES.items() if s == seg}
        tariffs = {c: monthly_tariff(c) for c in cats.values()}
        for m in CLIENTS_2017:
            for p in [*PROVIDERS, *entrants()]:
                if seg not in PROVIDERS.get(p, {"IB": 1, "DB": 1}):
                    continue
                c = {"municipality": m, "provider": p, "segment": seg, "variant": "output_monthly",
                     "monthly_tariffs": tariffs, "categories": cats}
                out.append(f"    - {flow(c)}   # outputgericht maandtarief per cliënt per categorie (003 par. 5.1-5.2), "
                           f"geen volume-, plafond- of omzetgarantie (003 par. 1.5); bedragen: aanname, het "
                           f"{RATE[seg][0]}-tarief van Noord-Limburg x eenheden per week x 365,25/12/7 ({NL_SRC})")
            if m == "'s-Hertogenbosch" and seg != "KDV":
                c = {"municipality": m, "provider": PILOT_PROVIDER, "segment": seg, "variant": "lumpsum",
                     "amount": round(pilot_amount() * FORMS[seg] / (FORMS["IB"] + FORMS["DB"]), 2)}
                out.append(f"    - {flow(c)}   # de pilot buiten de regionale contracten (003 par. 3.3); aanname: een "
                           "wijkbudget (lumpsum) = 9% van de cliënten x gemiddeld maandtarief x 12 x PILOT_IN_CARE")
    return ["funding:", "  contracts:"] + out


HEAD = """Meierij ('s-Hertogenbosch, Meierijstad, Vught): specialist Wmo support 2020-2021 (003).
GENERATED by params/derive_regions.py (params/regions_meierij.py): do not edit; rerun it.
Source: 003 = ../../shared/seeds/003_3cfde33dea7a9dca.txt. 003 gives the 2017 client counts, the
output-oriented monthly tariff per client per category (7 categories), the open house with
half-yearly entry, no volume or ceiling, the 's-Hertogenbosch pilot (8-10% of its clients outside
the regional contracts) and the quarterly contract-management KPIs; no tariffs, durations or
shares: those are assumptions (Noord-Limburg's rates, params/noord-limburg.yaml).
Open house: the providers admitted every half year ({rounds}) are one provider per round,
{entrants}_<year>_<month>, who takes clients from its entry_date on (weight 0 before it), each
round {per_round:.0%} of the new clients (assumption; simulation/funding/open_house.round_weight).
Contract KPIs per quarter: `python -m simulation run params/meierij.yaml --period kwartaal`
writes kpis_kwartaal.csv: unieke_clienten per municipality x segment (support form),
instroom_inwoners, uitstroom_inwoners, aandeel_afschaling, doorstroom_voorliggend_veld.
Complaints (klachten) are not simulated."""


def files() -> dict:
    head = HEAD.format(rounds=", ".join(d.isoformat() for d in admission_rounds(START, END)), entrants=ENTRANTS,
                       per_round=SHARE_PER_ROUND)
    lines = header(head) + [
        "name: meierij",
        "description: >-",
        "  Meierij, specialist Wmo support (individuele begeleiding, dagbesteding, kortdurend verblijf) on an",
        "  output-oriented monthly tariff per client per category, open house (003).",
        f"start_date: {START.isoformat()}   # 003 par. 5.5: the agreement starts in 2020",
        f"horizon_years: {YEARS}   # 003 par. 5.5: 2020 and 2021, extended tacitly every year",
        "warmup:", "  initial_caseload: true",
        "  days: 365   # assumption: one year of warm-up, as the Noord-Limburg scenario",
    ] + municipalities(POPULATION, "assumption: inhabitants about 2017, rounded (CBS); 003 gives none") + ["segments:"]
    for seg in FORMS:
        lines += segment_lines(seg)
    lines.append("providers:")
    for p, segs in PROVIDERS.items():
        lines += [f"  {p}:", "    perceel: regionaal", "    segments:"]
        lines += [line(6, s, {"weight": w}, "assumption: share of the segment's clients") for s, w in segs.items()]
    for name, day in entrants().items():
        lines += [f"  {name}:", "    perceel: regionaal",
                  line(4, "entry_date", day.isoformat(), "open house: admission round every half year (003 par. 6.2)"),
                  "    segments:"]
        lines += [line(6, s, {"weight": round(round_weight(SHARE_PER_ROUND), 4)}, "assumption: each round's entrants "
                       "take SHARE_PER_ROUND of the new clients (funding/open_house.round_weight)") for s in ("IB", "DB")]
    lines += [f"  {PILOT_PROVIDER}:", "    perceel: lokaal", "    municipalities: [\"'s-Hertogenbosch\"]", "    segments:"]
    lines += [line(6, s, {"weight": pilot_weight()}, "003 par. 3.3: 9% (8-10%) of 's-Hertogenbosch's clients; "
                   "assumption: IB and DB only") for s in ("IB", "DB")]
    return {ROOT / "params" / "meierij.yaml": lines + contracts()}
