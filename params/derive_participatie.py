"""Write params/noord-limburg-participatie.yaml: the participatie segments PW S1-S3 of Noord-Limburg
(004 par. 6 and 7.3, annex 1) for the seven municipalities of the default scenario.

Only the PW segments, not the default plus them: participatie is paid from the Participatiewet
budgets, not from the Jeugdwet / Wmo budgets the default scenario is calibrated on; 004 gives no
client flow between participatie and youth or Wmo, so nothing in the default changes by leaving
them out, the default keeps its derived instroom and goldens, and this scenario runs in seconds.

Every amount is derived here from the constants below, each with its source or its assumption:
the 2019 spend of PW S1 (EUR 550,000, 004 par. 6) grown to 2022 is split into an availability
part and a traject part; the traject part over the traject tariff gives the trajecten (and so the
aanmeldingen) of 2022. PW S2 and S3 are new segments without figures (004 par. 6): their volumes and
rates are labelled assumptions.

Usage:
    python params/derive_participatie.py            # print the scenario
    python params/derive_participatie.py --write    # write it
"""
from __future__ import annotations

import argparse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "params" / "noord-limburg.yaml"
TARGET = ROOT / "params" / "noord-limburg-participatie.yaml"
FIRST_YEAR = 2022

S1_SPEND_2019 = 550_000     # 004 par. 6 (Participatie, segment 1, 2019)
GROWTH = 0.03               # assumption: 004 gives no participatie growth; Wmo's 3%/yr 2017-2019 (004 par. 6 note 2), the closest domain (begeleiding)
AVAILABILITY_SHARE = 0.40   # assumption: the basisvoorziening (availability without purchase obligation) takes 40% of S1, the trajecten 60%
S1_RATE = 40.0              # assumption: EUR per hour of collective begeleiding (one begeleider for a group); 004 gives no tariffs
S1_HOURS, S1_PLANNED = 6, 180   # assumption: two dagdelen of 3 hours a week for half a year (the plan van aanpak)
S1_VV_SHARE = 0.10          # assumption: the casusregisseur sends one aanmelding in ten to the voorliggend veld
REWARD_SHARE = 0.10         # assumption: the reward per successful traject is 10% of its tariff (004 par. 7.3 names a reward, no amount)
S2_RATE = 65.0              # assumption: a reëel uurtarief for individual begeleiding (004 par. 7.3: hourly rate fixed in advance; no amount)
S2_PER_YEAR = 60            # assumption: new segment without figures (004 par. 6); about one aanmelding per 4,600 inhabitants a year
S3_TARIFF = 2_000           # assumption: fixed rate per werkgeverstraject (makelaarsfunctie; 004 par. 7.3: a reëel tarief, no amount)
S3_PER_YEAR = 40            # assumption: new segment without figures (004 par. 6)
PROVIDER_WEIGHTS = {"regio": 0.6, "lokaal": 0.4}   # assumption: circa 15 regional and local ondernemers (004 par. 7.3) as two groups


def spend_2022() -> float:
    return S1_SPEND_2019 * (1 + GROWTH) ** (FIRST_YEAR - 2019)


def s1_tariff() -> float:
    return round(S1_RATE * S1_HOURS * S1_PLANNED / 7, 2)


def s1_aanmeldingen_2022() -> float:
    """Trajecten of 2022 = the traject part / tariff; aanmeldingen = trajecten / (1 - voorliggend veld share)."""
    return spend_2022() * (1 - AVAILABILITY_SHARE) / s1_tariff() / (1 - S1_VV_SHARE)


def derivation() -> dict[str, float]:
    """The derivation's steps (for the report and the test)."""
    total = spend_2022()
    return {"spend_2019": S1_SPEND_2019, "spend_2022": total, "availability": total * AVAILABILITY_SHARE,
            "traject_budget": total * (1 - AVAILABILITY_SHARE), "tariff": s1_tariff(),
            "trajecten_2022": total * (1 - AVAILABILITY_SHARE) / s1_tariff(), "aanmeldingen_2022": s1_aanmeldingen_2022()}


def _municipalities() -> dict[str, dict]:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))["municipalities"]


def _contract(m, p, s, fields: str, note: str) -> str:
    return f"    - {{municipality: {m}, provider: {p}, segment: {s}, {fields}}}   # {note}"


def contracts(muns: dict) -> list[str]:
    total_pop = sum(v["population"] for v in muns.values())
    d = derivation()
    out = []
    for m, v in muns.items():
        share = v["population"] / total_pop
        for group, w in PROVIDER_WEIGHTS.items():
            avail, budget = round(d["availability"] * share * w, 2), round(d["traject_budget"] * share * w, 2)
            out.append(_contract(m, f"pw_s1_{group}", "PW_S1",
                                 f"variant: beschikbaarheid, availability: {avail}, budget: {budget}, "
                                 f"tariffs: {{groepstraject: {d['tariff']}}}, review_month: 7, review_band: 0.1, "
                                 f"band: 0.05, beloning: {{per_succes: {round(REWARD_SHARE * d['tariff'], 2)}}}",
                                 "PW S1 (004 par. 7.3); amounts: population share x provider weight of the derivation "
                                 "in derive_participatie.py; review in July, review_band and band: assumptions"))
        for group in PROVIDER_WEIGHTS:
            out.append(_contract(m, f"pw_s2_{group}", "PW_S2", f"variant: casusbudget, unit_price: {S2_RATE}, "
                                 "budget_factor: 1.0", "PW S2 (004 par. 7.3): hourly rate, case budget = the plan's "
                                 "hours (budget_factor 1: assumption)"))
        for group in PROVIDER_WEIGHTS:
            out.append(_contract(m, f"pw_s3_{group}", "PW_S3", f"variant: boeggolf, tariffs: {{plaatsing: {S3_TARIFF}}}, "
                                 "share_at_start: 0.5, horizon_years: 3, max_years: 9, min_doelrealisatie: 0.5",
                                 "PW S3 (004 par. 7.3, annex 1): 3+3+3 with the boeggolf; half at start "
                                 "and min_doelrealisatie 0.5: assumptions"))
    # when a boeggolf contract ends, a successor takes the perceel over (funding/variants/boeggolf.py)
    for i, text in enumerate(list(out)):
        if "variant: boeggolf" in text:
            m, p = text.split("municipality: ", 1)[1].split(",")[0], text.split("provider: ", 1)[1].split(",")[0]
            out.append(_contract(m, p, "PW_S3", f"variant: opvolger, follows: {i}, tariffs: {{plaatsing: {S3_TARIFF}}}, "
                                 "share_at_start: 0.5", f"successor of contracts[{i}] at its end (boeggolf, 004 annex 1); "
                                 "assumption: a new tender at the same reëel tarief"))
    return out


TEMPLATE = """\
# Participatie in Noord-Limburg: the segments PW S1-S3 of 004 par. 7.3 for the seven municipalities.
# Written by `python params/derive_participatie.py --write`; edit the constants there (each has its
# source or its assumption), not this file. 004 = ../../shared/seeds/004_070bb43b6d600216.txt.
# 004 par. 6 gives only the 2019 spend of PW S1 (EUR 550,000); S2 and S3 are new (not bought before)
# and 004 footnote 4 says no client counts exist for participatie: every volume, rate, doorlooptijd
# and outcome below is an assumption. Derivation of PW S1 (derive_participatie.py):
#   spend 2022 = 550,000 x 1.03^3 = {spend_2022:,.0f}; availability 40% = {availability:,.0f};
#   trajecten 60% = {traject_budget:,.0f}; tariff 40 x 6 h x 180 / 7 = {tariff:,.2f};
#   trajecten 2022 = {trajecten_2022:.1f}; aanmeldingen = trajecten / 0.9 = {aanmeldingen_2022:.1f}.

name: noord-limburg-participatie
description: >-
  Noord-Limburg participatie (Participatiewet) segments PW S1 begeleiding collectief (availability
  provision plus trajecten and a reward, budget with interim adjustment), PW S2 begeleiding individueel
  (hourly PxQ within a budget per case) and PW S3 werkgeversondersteuning (fixed rate, boeggolf contract),
  2022-2025.
start_date: 2022-01-01      # 004 par. 8: the new contracts start 1 January 2022
horizon_years: 4            # 2022-2025, as the default scenario (004 par. 6 projects to 2025)
warmup:
  initial_caseload: true    # start with an equilibrium caseload, as the default scenario
  days: 365                 # one year, as the default scenario

municipalities:
{municipalities}

segments:
  PW_S1:
    domain: participatie
    description: Begeleiding collectief
    instroom:
      per_year: {s1_per_year}     # derived above from the 2019 spend (004 par. 6) and the assumptions of derive_participatie.py
      base_year: 2022         # per_year is for 2022, the first contract year (004 par. 8)
      growth: {growth}            # assumption: Wmo's 2017-2019 growth (004 par. 6 note 2); no participatie figure
    voorliggend_veld_share: {vv}  # assumption: the casusregisseur sends one aanmelding in ten to the voorliggend veld
    toegang_doorlooptijd: {{kind: gamma, mean: 14, cv: 0.5}}   # assumption: two weeks for triage and the plan van aanpak (004 par. 7.3)
    recidive:
      probability: 0.15           # assumption: some return to the casusregisseur later (004 par. 7.3 steers on recidive)
      delay: {{kind: lognormal, mean: 365, cv: 0.6}}   # assumption: about a year later
    traject_types:
      groepstraject:
        share: 1                  # one type: collective begeleiding
        weight: {s1_hours}                 # assumption: hours a week, two dagdelen of 3 hours
        planned_doorlooptijd: {s1_planned}  # assumption: half a year
        doorlooptijd: {{kind: lognormal, mean: 180, cv: 0.5}}   # assumption: as planned on average
        outcomes:
          afschaling: 0.55        # assumption: uitstroom to work, volunteering or the voorliggend veld (004 par. 7.3 steers on uitstroom)
          uitval: 0.25            # assumption: early stop
          verlenging: 0.20        # assumption: one in five continues
        verlenging_doorlooptijd: {{kind: lognormal, mean: 90, cv: 0.5}}   # assumption: three more months

  PW_S2:
    domain: participatie
    description: Begeleiding individueel
    instroom:
      per_year: {s2_per_year}     # assumption: a new segment without figures (004 par. 6)
      base_year: 2022         # per_year is for 2022, the first contract year (004 par. 8)
      growth: {growth}            # assumption: as PW S1
    voorliggend_veld_share: 0.05  # assumption: few individual requests are solved in the voorliggend veld
    toegang_doorlooptijd: {{kind: gamma, mean: 14, cv: 0.5}}   # assumption: as PW S1
    recidive:
      probability: 0.15           # assumption: as PW S1
      delay: {{kind: lognormal, mean: 365, cv: 0.6}}   # assumption: as PW S1
    traject_types:
      individueel:
        share: 1                  # one type
        weight: 3                 # assumption: three hours a week of individual begeleiding
        planned_doorlooptijd: 180 # assumption: half a year (the plan van aanpak sets the case budget)
        doorlooptijd: {{kind: lognormal, mean: 200, cv: 0.6}}   # assumption: cases run somewhat longer than planned, so the case budget binds for some
        outcomes:
          afschaling: 0.60        # assumption
          uitval: 0.20            # assumption
          verlenging: 0.20        # assumption: a new case with its own budget
        verlenging_doorlooptijd: {{kind: lognormal, mean: 90, cv: 0.5}}   # assumption

  PW_S3:
    domain: participatie
    description: Werkgeversondersteuning
    instroom:
      per_year: {s3_per_year}     # assumption: a new segment without figures (004 par. 6)
      base_year: 2022         # per_year is for 2022, the first contract year (004 par. 8)
      growth: {growth}            # assumption: as PW S1
    toegang_doorlooptijd: {{kind: gamma, mean: 7, cv: 0.5}}    # assumption: an employer's request is taken up within a week
    traject_types:
      plaatsing:
        share: 1                  # one type: support of an employer around a placement
        weight: 2                 # assumption: two hours a week
        planned_doorlooptijd: 120 # assumption: four months
        doorlooptijd: {{kind: gamma, mean: 120, cv: 0.5}}   # assumption: as planned on average
        outcomes:
          afschaling: 0.65        # assumption: a lasting placement, no further support
          uitval: 0.35            # assumption: the placement ends early

providers:
  pw_s1_regio:
    segments: {{PW_S1: {{weight: {w_regio}}}}}   # assumption: the regional ondernemers of the circa 15 (004 par. 7.3)
  pw_s1_lokaal:
    perceel: lokaal
    segments: {{PW_S1: {{weight: {w_lokaal}}}}}  # assumption: the local ondernemers
  pw_s2_regio:
    segments: {{PW_S2: {{weight: {w_regio}}}}}   # assumption: a large, varied supply (004 par. 7.3) as two groups
  pw_s2_lokaal:
    perceel: lokaal
    segments: {{PW_S2: {{weight: {w_lokaal}}}}}  # assumption
  pw_s3_regio:
    segments: {{PW_S3: {{weight: {w_regio}}}}}   # assumption: a pool of at most four (004 par. 7.3), partly regional
  pw_s3_lokaal:
    perceel: lokaal
    segments: {{PW_S3: {{weight: {w_lokaal}}}}}  # assumption: partly local

funding:
  contracts:
{contracts}
"""


def render() -> str:
    muns = _municipalities()
    d = derivation()
    lines = [f"  {m}: {{population: {v['population']}, source: \"{v.get('source', '004 par. 9')}\"}}" for m, v in muns.items()]
    return TEMPLATE.format(**{k: v for k, v in d.items()}, municipalities="\n".join(lines),
                           s1_per_year=round(d["aanmeldingen_2022"], 1), growth=GROWTH, vv=S1_VV_SHARE,
                           s1_hours=S1_HOURS, s1_planned=S1_PLANNED, s2_per_year=S2_PER_YEAR, s3_per_year=S3_PER_YEAR,
                           w_regio=PROVIDER_WEIGHTS["regio"], w_lokaal=PROVIDER_WEIGHTS["lokaal"],
                           contracts="\n".join(contracts(muns)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {TARGET.name}")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        TARGET.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
