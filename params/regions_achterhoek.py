"""The Achterhoek scenario (000, 002) for params/derive_regions.py: segments, providers, lump sums."""
from __future__ import annotations

import copy

from derive_regions import (NL, NL_POPULATION, NL_SRC, RATES, ROOT, flow, header, line, municipalities, nl_2019,
                            nl_segment, own_segment)
from simulation.funding.startbudget import StartBudgetInput, indexed, per_provider, start_budget

FIRST_YEAR, YEARS = 2022, 7     # 002: contracts from 1 January 2022, 3 years + 2 x 2 years of extension
# assumption: inhabitants rounded to hundreds from public CBS figures for 2021; the documents 000/002
# give none. They only scale instroom and the lump sums (per inhabitant as in Noord-Limburg).
POPULATION = {"Aalten": 27100, "Berkelland": 44000, "Bronckhorst": 36400, "Doetinchem": 58300,
              "Montferland": 36000, "Oost Gelre": 29800, "Oude IJsselstreek": 39600, "Winterswijk": 29100}
POP_WHY = ("assumption: inhabitants about 2021, rounded (public CBS statistics; 000/002 give no population); "
           "scales instroom and the lump sums")
# 000 par. 3.3 step 5: each municipality estimates the effect of its own policy (e.g. POH-jeugd, a stronger
# voorliggend veld). assumption, illustrative: four municipalities expect 3% fewer clients from it.
LOCAL_POLICY = {"Aalten": -0.03, "Doetinchem": -0.03, "Oost Gelre": -0.03, "Winterswijk": -0.03}
STEP7 = {"indexering": 0.0, "efficiency": 0.0, "ketenafspraken": 0.0}
STEP7_WHY = ("assumption: 0 until agreed (000 par. 3.3 step 7 names them, gives no figure); the model's care "
             "prices do not rise either, so an index on one side only would be a margin")
YOUTH_GROWTH, WMO_GROWTH = 0.05, 0.03   # 004 par. 6 (Noord-Limburg cost growth 2017-2019), carried over
WON_CLIENTS_PER_1000 = 1.2   # assumption: Beschut/Beschermd Wonen clients per 1,000 inhabitants (004 excludes BW)
DYS_PER_1000 = 1.3           # assumption: new dyslexia treatments a year per 1,000 inhabitants
REFUSAL = 0.3                # assumption: the perverse-incentive scenario's refusal chance of a heavy client
# 002: a mid-term evaluation in 2024 "can lead to adjustment". assumption: it re-derives the lump sums from 2025
# on from the realised 2024 care (funding/variants/lumpsum.py), valued at Noord-Limburg's rates
EVALUATION_YEAR, REDERIVED_FROM = 2024, 2025
UNIT = {"S1": "etmaal", "S2": "etmaal", "S4": "uur", "S1a": "uur", "S1b": "uur", "S2a": "uur"}


def evaluation(seg: str) -> dict:
    """The tussenevaluatie of a lump-sum segment: realised care at the rate of its Noord-Limburg segment."""
    if seg == "IO":
        price = {"ontwikkelen": RATES["S1b"], "stabiliseren": RATES["S2a"], "beschermd_thuis": RATES["S1a"]}
        unit = "uur"
    else:
        nl = "S1" if seg == "WON" else FROM_NL[seg][0]
        price, unit = RATES[nl], UNIT[nl]
    return {"jaar": EVALUATION_YEAR, "vanaf": REDERIVED_FROM,
            "realisation": {"basis": "pxq", "unit": unit, "unit_price": price}}

# Achterhoek segment -> the Noord-Limburg segments whose figures stand in for it
FROM_NL = {"IAJ": ["S4"], "GWV": ["S2"], "HCV": ["S1"], "IO": ["S1b", "S2a", "S1a"], "LOG": ["S3b"]}
TYPE_MAP = {("S4", n): ("IAJ", n) for n in ("kortdurend", "middel", "intensief")} | {
    ("S1", "behandelgroep"): ("HCV", "behandelgroep"), ("S1", "kortdurend_verblijf"): ("HCV", "kortdurend_verblijf"),
    ("S2", "gezinshuis"): ("GWV", "gezinshuis"), ("S2", "woongroep"): ("GWV", "woongroep"),
    ("S1b", "kortdurend_basis"): ("IO", "ontwikkelen"), ("S2a", "langdurig_basis"): ("IO", "stabiliseren"),
    ("S1a", "intensief_complex"): ("IO", "beschermd_thuis"), ("S1a", "regulier_complex"): ("IO", "stabiliseren"),
    ("S3b", "logeren"): ("LOG", "logeren")}
PROVIDERS = {   # assumption: representative anonymous providers and their shares of the clients (000 names none)
    "jeugd_iaj_a": ("regionaal", {"IAJ": 0.45}), "jeugd_iaj_b": ("regionaal", {"IAJ": 0.35}),
    "jeugd_iaj_lokaal": ("lokaal", {"IAJ": 0.20}), "jeugd_gwv_a": ("regionaal", {"GWV": 0.6}),
    "jeugd_gwv_b": ("regionaal", {"GWV": 0.4}), "jeugd_hcv": ("regionaal", {"HCV": 1.0}),
    "jeugd_dyslexie": ("regionaal", {"DYS": 1.0}), "wmo_io_a": ("regionaal", {"IO": 0.45}),
    "wmo_io_b": ("regionaal", {"IO": 0.35}), "wmo_io_lokaal": ("lokaal", {"IO": 0.20}),
    "wmo_pv": ("regionaal", {"PV": 1.0}), "wmo_logeren": ("lokaal", {"LOG": 1.0}), "wmo_wonen": ("regionaal", {"WON": 1.0})}
LUMPSUM = ("IAJ", "GWV", "HCV", "IO", "WON")
REFUSING = ("jeugd_iaj_a", "jeugd_iaj_b", "wmo_io_a", "wmo_io_b")
WON_TYPE = {"share": 1.0, "weight": 7, "planned_doorlooptijd": 730,
            "doorlooptijd": {"kind": "lognormal", "mean": 1095, "cv": 0.6},
            "outcomes": {"afschaling": 0.7, "step_down": 0.0, "opschaling": 0.0, "uitval": 0.1, "verlenging": 0.2},
            "verlenging_doorlooptijd": {"kind": "lognormal", "mean": 365, "cv": 0.5}}
DYS_TYPE = {"share": 1.0, "weight": 1, "planned_doorlooptijd": 280,
            "doorlooptijd": {"kind": "lognormal", "mean": 280, "cv": 0.3},
            "outcomes": {"afschaling": 0.9, "step_down": 0.0, "opschaling": 0.0, "uitval": 0.1, "verlenging": 0.0}}
PV_TYPE = {"share": 1.0, "weight": 3, "planned_doorlooptijd": 180,
           "doorlooptijd": {"kind": "lognormal", "mean": 180, "cv": 0.6},
           "outcomes": {"afschaling": 0.8, "step_down": 0.0, "opschaling": 0.0, "uitval": 0.1, "verlenging": 0.1}}


def growth(seg: str) -> float:
    return YOUTH_GROWTH if seg in ("IAJ", "GWV", "HCV", "DYS") else WMO_GROWTH


def won_days() -> float:
    """Mean days in care of a Wonen client, verlenging included (WON_TYPE)."""
    return WON_TYPE["doorlooptijd"]["mean"] + WON_TYPE["outcomes"]["verlenging"] * WON_TYPE["verlenging_doorlooptijd"]["mean"]


def startbudget_input(seg: str) -> StartBudgetInput:
    """The inputs of 000 par. 3.3 for one lump-sum segment (every figure an assumption, see ``files``)."""
    years = FIRST_YEAR - 2019
    if seg == "WON":
        d = won_days()
        per_client = RATES["S1"] * 365 * d / (d + 365)
        clients = {m: WON_CLIENTS_PER_1000 * p / 1000 for m, p in POPULATION.items()}
    else:
        figures = nl_2019()
        spend = sum(figures[s][0] for s in FROM_NL[seg])
        count = sum(figures[s][1] for s in FROM_NL[seg])
        per_client = spend / count
        clients = {m: count / NL_POPULATION * p for m, p in POPULATION.items()}
    development = {m: (1 + growth(seg)) ** years * (1 + LOCAL_POLICY.get(m, 0.0)) - 1 for m in POPULATION}
    return StartBudgetInput(spend_previous=per_client * sum(clients.values()), clients_previous=clients,
                            development=development, **STEP7)


def derivations() -> dict:
    return {seg: start_budget(startbudget_input(seg)) for seg in LUMPSUM}


def segment_lines(seg: str) -> list[str]:
    nl = FROM_NL.get(seg)
    domain = "jeugd" if seg in ("IAJ", "GWV", "HCV", "DYS") else "wmo"
    desc = {"IAJ": "Integrale Ambulante Jeugdhulp", "GWV": "Gezins- en Woonvormen",
            "HCV": "Hoog Complex weinig voorkomend met Verblijf", "DYS": "Dyslexie",
            "IO": "Wmo Integrale Ondersteuning (Ontwikkelen, Stabiliseren, Beschermd Thuis)",
            "PV": "Wmo Persoonlijke Verzorging", "LOG": "Wmo Logeren",
            "WON": "Wmo Wonen (Beschut en Beschermd Wonen)"}[seg]
    out = [f"  {seg}:", f"    domain: {domain}", f"    description: {desc}   # 000 par. 2.2 and 3.1-3.2, 002"]
    if nl:
        rate = sum(NL["segments"][s]["instroom"]["per_year"] for s in nl) / NL_POPULATION
        why = (f"assumption: Noord-Limburg's instroom per inhabitant in {'+'.join(nl)} ({NL_SRC}, derived from "
               f"004 par. 6) x the inhabitants, x (1 + the local policy effect of step 5)")
    else:
        rate = {"DYS": DYS_PER_1000 / 1000, "PV": 0.5 / 1000,
                "WON": WON_CLIENTS_PER_1000 / 1000 / (1 + won_days() / 365)}[seg]
        why = {"DYS": "assumption: DYS_PER_1000 new treatments per 1,000 inhabitants a year",
               "PV": "assumption: 0.5 per 1,000 inhabitants a year (000 par. 3.2: only a small group uses it)",
               "WON": "assumption: WON_CLIENTS_PER_1000 clients per 1,000 inhabitants / (1 + years in care)"}[seg]
    per_year = {m: round(rate * p * (1 + LOCAL_POLICY.get(m, 0.0)), 1) for m, p in POPULATION.items()}
    out += ["    instroom:", line(6, "per_year", per_year, why),
            line(6, "base_year", 2019, "assumption: the Noord-Limburg base year (004 par. 6), carried over"),
            line(6, "growth", growth(seg), "004 par. 6 (Noord-Limburg 2017-2019 cost growth), carried over: "
                 "assumption")]
    if seg == "IO":
        counts = nl_2019()
        total = sum(counts[s][1] for s in nl)
        shares = [round(counts[s][1] / total, 4) for s in nl]
        shares[-1] = round(1 - sum(shares[:-1]), 4)
        types = {"ontwikkelen": ("S1b", "kortdurend_basis", shares[0]), "stabiliseren": ("S2a", "langdurig_basis", shares[1]),
                 "beschermd_thuis": ("S1a", "intensief_complex", shares[2])}
        out += nl_segment("S1b", 4, "000/002", TYPE_MAP, types)
    elif nl:
        out += nl_segment(nl[0], 4, "000/002", TYPE_MAP)
    else:
        t = {"DYS": ("dyslexiezorg", DYS_TYPE), "PV": ("persoonlijke_verzorging", PV_TYPE),
             "WON": ("beschermd_wonen", WON_TYPE)}[seg]
        fields = {"voorliggend_veld_share": 0.0, "toegang_doorlooptijd": {"kind": "gamma", "mean": 28, "cv": 0.4}}
        out += own_segment(4, fields, {t[0]: (t[1], "assumption: the documents give no duration or outcome; "
                                                     "see the constants in params/regions_achterhoek.py")},
                           "assumption: about four weeks for the toegang, no voorliggend veld for this indication")
    return out


def contracts(refusal: float = 0.0) -> list[tuple[dict, str]]:
    """(contract, comment) for every municipality x provider x segment."""
    lumps = {seg: per_provider(t, {p: w[1][seg] for p, w in PROVIDERS.items() if seg in w[1]})
             for seg, t in derivations().items()}
    out = []
    for seg in ("IAJ", "GWV", "HCV", "DYS", "IO", "PV", "LOG", "WON"):
        for m in POPULATION:
            for p, (_, segs) in PROVIDERS.items():
                if seg not in segs:
                    continue
                c = {"municipality": m, "provider": p, "segment": seg}
                if seg in LUMPSUM:
                    lump = lumps[seg]
                    amount = float(lump[(lump["gemeente"] == m) & (lump["aanbieder"] == p)]["lumpsum"].iloc[0])
                    c |= {"variant": "lumpsum", "amount": indexed(amount, FIRST_YEAR, YEARS, growth(seg)),
                          "tussenevaluatie": evaluation(seg)}
                    why = ("lumpsum per organisatie (000 par. 3.1-3.3, 002): het startbudget van 000 par. 3.3 "
                           "(derive_regions.py, elke invoer een aanname) x het aandeel van de aanbieder, groeiend met "
                           "de verwachte cliënten (aanname); tussenevaluatie 2024 (002): vanaf 2025 opnieuw afgeleid "
                           "uit de gerealiseerde zorg van 2024 tegen de tarieven van Noord-Limburg (aanname)")
                    if refusal and p in REFUSING:
                        c["behaviour"] = {"refusal_probability": refusal, "source": (
                            "aanname: de perverse prikkel van 000 par. 3 (aanbieders durven bepaalde cliënten "
                            "mogelijk niet aan te nemen); de omvang ervan is niet bekend")}
                elif seg == "DYS":
                    c |= {"variant": "population", "band": 0.1, "per_inhabitant": dys_per_inhabitant(),
                          "realisation": {"basis": "pxq", "unit": "uur", "unit_price": RATES["S4"]}}
                    why = ("populatiebekostiging (000 par. 3.1, 002); aanname: per inwoner = de verwachte "
                           "realisatie tegen het S4-tarief van Noord-Limburg / inwoners, bandbreedte 10% als in "
                           "004 bijlage 1")
                else:
                    unit, rate = ("uur", RATES["S2a"]) if seg == "PV" else ("etmaal", RATES["S3b"])
                    c |= {"variant": "pxq", "unit": unit, "unit_price": rate}
                    why = (f"p x q op een indicatie per cliënt (000 par. 3.2, 002); aanname: de prijs is het "
                           f"{'S2a' if seg == 'PV' else 'S3b'}-tarief van Noord-Limburg ({NL_SRC})")
                out.append((c, why))
    return out


def dys_per_inhabitant() -> float:
    """Expected yearly realisation of dyslexiezorg (Little: instroom x hours per traject x rate) per inhabitant."""
    hours = DYS_TYPE["weight"] * DYS_TYPE["doorlooptijd"]["mean"] / 7
    return round(DYS_PER_1000 / 1000 * hours * RATES["S4"], 4)


def contract_lines(refusal: float = 0.0) -> list[str]:
    return ["funding:", "  contracts:"] + [f"    - {flow(c)}   # {why}" for c, why in contracts(refusal)]


HEAD = """Achterhoek (8 municipalities), youth care and Wmo as purchased from 2022 (000, 002).
GENERATED by params/derive_regions.py (params/regions_achterhoek.py): do not edit; rerun it.
Sources: 000 = ../../shared/seeds/000_08450acf8832d4dd.txt, 002 = 002_f0ddad7f0cda7cf5.txt.
The documents give the segments, the funding forms and the steps of the lump-sum start budget,
but no spend, client, population or duration figures: every such number here is an assumption,
mostly carried over from Noord-Limburg (params/noord-limburg.yaml, note 004): its doorlooptijden and
outcomes, its instroom and spend per inhabitant (004 par. 6 and 9) and its rates per hour or etmaal
(params/derive_funding.py). The results show the Achterhoek DESIGN on Noord-Limburg-like clients,
not the Achterhoek's own figures.
Lump sums: simulation/funding/startbudget.py (000 par. 3.3 steps 3-7); print the table of each
step with `python params/derive_regions.py`. Neutral behaviour; the perverse-incentive scenario
(providers on a lump sum refusing heavy clients) is params/behaviour/achterhoek-weigering.yaml."""


def files() -> dict:
    lines = header(HEAD) + [
        "name: achterhoek",
        "description: >-",
        "  Achterhoek: Integrale Ambulante Jeugdhulp, Gezins- en Woonvormen and Hoog Complex on a lump sum per",
        "  provider, Dyslexie on population funding; Wmo Integrale Ondersteuning and Wonen on a lump sum,",
        "  Persoonlijke Verzorging and Logeren p x q per client; contracts 3 + 2 + 2 years (000 par. 2.2 and 3.1-3.2; 002: the contract term).",
        "start_date: 2022-01-01   # 002: the new contracts start on 1 January 2022",
        "horizon_years: 7         # 002: 3 years + 2 x 2 years of extension; the mid-term evaluation in 2024 "
        "re-derives the lump sums from 2025 (tussenevaluatie on each lump-sum contract; the rule is an assumption)",
        "warmup:",
        "  initial_caseload: true",
        "  days: 365              # assumption: one year of warm-up, as the Noord-Limburg scenario",
    ] + municipalities(POPULATION, POP_WHY) + ["segments:"]
    for seg in ("IAJ", "GWV", "HCV", "DYS", "IO", "PV", "LOG", "WON"):
        lines += segment_lines(seg)
    lines.append("providers:")
    for p, (perceel, segs) in PROVIDERS.items():
        lines += [f"  {p}:", f"    perceel: {perceel}", "    segments:"]
        lines += [line(6, s, {"weight": w, "maatwerk_factor": 1.0},
                       "assumption: the provider's share of the segment's clients; no maatwerk factor")
                  for s, w in segs.items()]
    overlay = header("""Perverse-incentive scenario for params/achterhoek.yaml (000 par. 3: under a performance-based
fee providers may not dare to accept certain clients). GENERATED by params/derive_regions.py.
assumption: the regional IAJ and IO providers on a lump sum refuse a heavy client (the segment's
heaviest traject type) with a chance of 0.3; the refused client goes to another provider of the
segment. Use: compare("params/achterhoek.yaml", {"neutraal": None, "weigering": this file}).""")
    return {ROOT / "params" / "achterhoek.yaml": lines + contract_lines(),
            ROOT / "params" / "behaviour" / "achterhoek-weigering.yaml": overlay + contract_lines(REFUSAL)}
