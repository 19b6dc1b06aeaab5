"""The Zwolle/IJsselland scenario (001) for params/derive_regions.py: 36 trajectory tariffs, dagdelen budgets, Diah."""
from __future__ import annotations

from derive_regions import NL, NL_POPULATION, NL_SRC, RATES, ROOT, flow, header, line, municipalities, own_segment
from simulation.funding.tariff_table import Intensity, extra_check, profile_tariffs, traject_type_name

START, YEARS = 2018, 2   # 001: youth contracting 2018 on; Diah contracts 2 years (+ 2 x 1)
POPULATION = {"Zwolle": 126000}   # assumption: inhabitants about 2017, rounded (CBS); 001 gives none
# profile: (hours per week at intensity factor 1, share of the youth trajecten); assumption: 001 describes the
# 12 profiles (annex) but gives no hours or shares
PROFILES = {
    "P01": (1.5, 0.14), "P02": (2.0, 0.16), "P03": (2.0, 0.06), "P04": (3.0, 0.12), "P05": (3.5, 0.04),
    "P06": (2.5, 0.03), "P07": (1.5, 0.05), "P08": (3.0, 0.08), "P09": (3.5, 0.08), "P10": (2.5, 0.04),
    "P11": (6.0, 0.05), "P12": (1.0, 0.15)}
# 001: perspectief short and low, intensief long and high, duurzaam long and low; factors, days and shares:
# assumption
INTENSITIES = {"perspectief": Intensity(1.0, 180), "intensief": Intensity(2.0, 365), "duurzaam": Intensity(0.75, 545)}
INTENSITY_SHARE = {"perspectief": 0.5, "intensief": 0.25, "duurzaam": 0.25}
OUTCOMES = {   # assumption: per intensity; an intensief traject may step down to duurzaam (no charge, 001)
    "perspectief": {"afschaling": 0.7, "uitval": 0.15, "verlenging": 0.15},
    "intensief": {"afschaling": 0.45, "step_down": 0.25, "uitval": 0.15, "verlenging": 0.15},
    "duurzaam": {"afschaling": 0.6, "uitval": 0.1, "verlenging": 0.3}}
YOUTH_PROVIDERS = {"zwolle_jeugd_a": 0.4, "zwolle_jeugd_b": 0.35, "zwolle_jeugd_c": 0.25}   # assumption
DAGBESTEDING_2016, DAGBESTEDING_2015 = 614, 430   # 001 (dagbesteding)
DB_GROWTH = 0.10          # assumption: a tenth a year; the 43% of 2015-2016 (001) is not carried forward
DB_DAGDELEN = 3           # assumption: dagdelen per week
DB_PRICE = round(RATES["S2b"] * 4, 2)   # assumption: Noord-Limburg's S2b rate per hour x 4 hours per dagdeel
DB_VERLENGING = 0.5       # assumption: half of the yearly participations go on for another year
DB_PROVIDERS = {"dagbesteding_a": 0.5, "dagbesteding_b": 0.3, "dagbesteding_c": 0.2}   # 001: > 55; assumption
BAND = 0.10               # 001: settled when the deviation exceeds 10% plus or minus
DIAH = {"HH": 2495, "IB": 1350}   # 001: Diah clients 2016
HH_TYPES = {"HH1": (2.0, 0.5), "HH2": (3.0, 0.35), "HH3": (4.5, 0.15)}   # 001 names HH1-HH3; hours, shares: assumption
IB_TYPES = {f"IB_basis_{k}": (h, 0.14) for k, h in enumerate((1, 2, 3, 4, 6), 1)} | {
    f"IB_gespecialiseerd_{k}": (h, 0.06) for k, h in enumerate((2, 3, 4, 6, 8), 1)}   # 001: 2 x 5 intensities
DIAH_VERLENGING = 0.35    # assumption: a yearly Diah traject is renewed for a third of the clients
DIAH_PROVIDERS = {"diah_groot": 0.97, "diah_klein": 0.03}   # 001: 1/3 of 130 serve 97%, 1/3 under 10 clients


def tariffs() -> dict[str, dict[str, float]]:
    """The 36 youth tariffs: Noord-Limburg's S4 rate per hour x hours x planned days / 7."""
    return profile_tariffs({p: h for p, (h, _) in PROFILES.items()}, INTENSITIES, RATES["S4"])


def youth_types() -> dict:
    out = {}
    for p, (hours, pshare) in PROFILES.items():
        for i, x in INTENSITIES.items():
            t = {"share": round(pshare * INTENSITY_SHARE[i], 6), "weight": round(hours * x.weight_factor, 4),
                 "planned_doorlooptijd": x.planned_doorlooptijd,
                 "doorlooptijd": {"kind": "lognormal", "mean": x.planned_doorlooptijd, "cv": 0.5},
                 "outcomes": {"afschaling": 0.0, "step_down": 0.0, "opschaling": 0.0, "uitval": 0.0, "verlenging": 0.0}
                 | OUTCOMES[i]}
            if i == "intensief":
                t["step_down_to"] = traject_type_name(p, "duurzaam")
            out[traject_type_name(p, i)] = (t, "profile x intensity (001); hours, share, duration, outcomes: "
                                               "assumption (PROFILES, INTENSITIES in params/regions_zwolle.py)")
    return out


def simple_types(table: dict, rate_days: float, verlenging: float, why: str) -> dict:
    return {n: ({"share": s, "weight": h, "planned_doorlooptijd": rate_days,
                 "doorlooptijd": {"kind": "lognormal", "mean": rate_days, "cv": 0.5},
                 "outcomes": {"afschaling": round(0.95 - verlenging, 4), "step_down": 0.0, "opschaling": 0.0,
                              "uitval": 0.05, "verlenging": verlenging}}, why) for n, (h, s) in table.items()}


def db_per_year() -> float:
    """Instroom 2016: 614 clients / (1 + years in care), a yearly participation renewed with DB_VERLENGING."""
    return round(DAGBESTEDING_2016 / (1 + 1 / (1 - DB_VERLENGING)), 1)


def db_budget(year: int) -> float:
    """Expected dagdelen of the year (Little: instroom x days in care x dagdelen / 7) x price; the clients in
    care in a year came in about a year earlier on average (the instroom of year - 1), and an uitval (5%)
    stops halfway."""
    days = 365 * (1 - 0.05 / 2) / (1 - DB_VERLENGING)
    return db_per_year() * (1 + DB_GROWTH) ** (year - 1 - 2016) * days * DB_DAGDELEN / 7 * DB_PRICE


def segments() -> list[str]:
    s4 = NL["segments"]["S4"]
    youth = round(s4["instroom"]["per_year"] / NL_POPULATION * POPULATION["Zwolle"], 1)
    out = ["  JH:", "    domain: jeugd", "    description: Jeugdhulp, 12 ondersteuningsprofielen x 3 intensiteiten   # 001 (Hoofdlijnen contractering Jeugdhulp)",
           "    instroom:",
           line(6, "per_year", youth, f"assumption: Noord-Limburg's S4 instroom per inhabitant ({NL_SRC}) x inhabitants"),
           line(6, "base_year", START, "assumption: the first contract year"),
           line(6, "growth", 0.05, "assumption: Noord-Limburg's youth growth (004 par. 6), carried over")]
    out += own_segment(4, {"voorliggend_veld_share": s4["voorliggend_veld_share"],
                           "toegang_doorlooptijd": s4["toegang_doorlooptijd"]}, youth_types(),
                       f"assumption: as Noord-Limburg S4 ({NL_SRC})")
    out += ["  DB:", "    domain: wmo", "    description: Dagbesteding (algemene voorziening, budgets on dagdelen)   # 001 (dagbesteding)",
            "    instroom:",
            line(6, "per_year", db_per_year(), "001: 614 clients in 2016 / (1 + years in care, assumption)"),
            line(6, "base_year", 2016, "001: the 614 clients are for 2016 (430 in 2015)"),
            line(6, "growth", DB_GROWTH, "assumption: DB_GROWTH (001's 2015-2016 growth of 43% is not carried forward)")]
    out += own_segment(4, {"voorliggend_veld_share": 0.0, "toegang_doorlooptijd": {"kind": "fixed", "value": 0}},
                       simple_types({"dagbesteding": (DB_DAGDELEN, 1.0)}, 365, DB_VERLENGING,
                                    "assumption: yearly participation of DB_DAGDELEN dagdelen a week"),
                       "001: inhabitants report directly to the provider, no indicatie: no toegang time (assumption: 0)")
    for seg, table, desc in (("HH", HH_TYPES, "Diah huishoudelijke hulp (HH1-HH3)"),
                             ("IB", IB_TYPES, "Diah individuele begeleiding (basis, gespecialiseerd; 5 intensiteiten)")):
        out += [f"  {seg}:", "    domain: wmo", f"    description: {desc}   # 001 (Diah)", "    instroom:",
                line(6, "per_year", round(DIAH[seg] / (1 + 1 / (1 - DIAH_VERLENGING)), 1),
                     f"001: {DIAH[seg]} clients in 2016 / (1 + years in care, assumption)"),
                line(6, "base_year", 2016, "001: the Diah counts are for 2016"),
                line(6, "growth", 0.03, "assumption: Noord-Limburg's Wmo growth (004 par. 6), carried over")]
        out += own_segment(4, {"voorliggend_veld_share": 0.1, "toegang_doorlooptijd": {"kind": "gamma", "mean": 35,
                                                                                         "cv": 0.4}},
                           simple_types(table, 365, DIAH_VERLENGING, "Diah traject (001); hours, share and "
                                        "outcomes: assumption (params/regions_zwolle.py)"),
                           "assumption: as Noord-Limburg's Wmo segments (a tenth to the voorliggend veld, 5 weeks)")
    return out


def providers() -> list[str]:
    out = ["providers:"]
    for group, segs in ((YOUTH_PROVIDERS, ("JH",)), (DB_PROVIDERS, ("DB",)), (DIAH_PROVIDERS, ("HH", "IB"))):
        for p, w in group.items():
            out += [f"  {p}:", "    perceel: regionaal", "    segments:"]
            out += [line(6, s, {"weight": w}, "assumption: share of the clients" if group is not DIAH_PROVIDERS else
                         "001: of 130 Diah providers a third serves 97% of the clients, a third has under 10 "
                         "(3% of 3,845 clients is ~2.7 each), a third none (not modelled)") for s in segs]
    return out


def contracts() -> list[str]:
    out = []
    for p in YOUTH_PROVIDERS:
        c = {"municipality": "Zwolle", "provider": p, "segment": "JH", "variant": "traject", "tariffs": tariffs(),
             "verlenging": "inbegrepen", "step_down": "inbegrepen", "behaviour": {"refusal_probability": 0.0,
                                                                                  "source": "001: acceptatieplicht"}}
        out.append(f"    - {flow(c)}   # 001: 36 vaste trajecttarieven, geen vergoeding voor extra werk (verlenging, "
                   f"afschaling), acceptatieplicht, geen budgetplafond; bedragen: aanname, het S4-tarief van "
                   f"Noord-Limburg x uren x geplande dagen / 7 (simulation/funding/tariff_table.py)")
    for p, w in DB_PROVIDERS.items():
        c = {"municipality": "Zwolle", "provider": p, "segment": "DB", "variant": "budget",
             "budget": {y: round(w * db_budget(y), 2) for y in range(START, START + YEARS)}, "band": BAND,
             "settlement": "whole", "realisation": {"basis": "pxq", "unit": "dagdeel", "unit_price": DB_PRICE}}
        out.append(f"    - {flow(c)}   # 001: een budget op dagdelen, verrekend als de afwijking groter is dan 10% "
                   "(plus of min); bedrag: aanname, het aandeel van de aanbieder x de verwachte dagdelen (Little, "
                   "db_budget) x DB_PRICE; aanname: buiten de bandbreedte wordt het hele verschil verrekend")
    for seg, table, rate in (("HH", HH_TYPES, "S3a"), ("IB", IB_TYPES, "S2a")):
        tar = {n: round(RATES[rate] * h * 365 / 7) for n, (h, _) in table.items()}
        for p in DIAH_PROVIDERS:
            c = {"municipality": "Zwolle", "provider": p, "segment": seg, "variant": "traject", "tariffs": tar,
                 "verlenging": "nieuw_traject"}
            out.append(f"    - {flow(c)}   # 001 (Diah): trajecten; bedragen: aanname, het {rate}-tarief van Noord-Limburg "
                       "x uren x 365 / 7; aanname: een verlengd jaartraject wordt opnieuw betaald")
    return ["funding:", "  contracts:"] + out


HEAD = f"""Zwolle (IJsselland): youth on 36 fixed trajectory tariffs, Wmo dagbesteding and Diah (001).
GENERATED by params/derive_regions.py (params/regions_zwolle.py): do not edit; rerun it.
Source: 001 = ../../shared/seeds/001_e04cc30ae63ff9ad.txt (council information on result-oriented
contracting, 2017). 001 gives the 12 profiles x 3 intensities, the contract rules (one responsible
provider, acceptatieplicht, no budgetplafonds, no charge for meerwerk, an extra check above e.g.
EUR 25,000), the outcome criteria, the dagbesteding figures and the Diah provider landscape; no
tariffs, hours or durations: those are assumptions (Noord-Limburg's rates, params/noord-limburg.yaml).
One responsible provider: every traject has one provider (the hoofdaannemer); subcontracting is not modelled.
Extra check above EUR 25,000 (not simulated as a delay; assumption: the check changes no toewijzing):
{", ".join(extra_check(tariffs()))}.
Outcome criteria per closed traject: the KPIs afgesloten_trajecten, doel_behaald,
aandeel_uitval_afgesloten, zonder_hulp_verder, geen_nieuwe_start, doelrealisatie
(simulation/analysis/kpis.py); cliënttevredenheid and afname van de problematiek are not simulated."""


def files() -> dict:
    lines = header(HEAD) + [
        "name: zwolle",
        "description: >-",
        "  Zwolle/IJsselland: youth on 12 support profiles x 3 intensities = 36 fixed trajectory tariffs,",
        "  dagbesteding on dagdelen budgets settled outside +-10%, Diah household help and begeleiding (001).",
        f"start_date: {START}-01-01   # 001: the new youth contracting from 2018",
        f"horizon_years: {YEARS}   # 001: Diah contracts of 2 years (+ 2 x 1)",
        "warmup:", "  initial_caseload: true",
        "  days: 365   # assumption: one year of warm-up, as the Noord-Limburg scenario",
    ] + municipalities(POPULATION, "assumption: inhabitants about 2017, rounded (CBS); 001 gives none")
    lines += ["segments:"] + segments() + providers() + contracts()
    return {ROOT / "params" / "zwolle.yaml": lines}
