"""Notebook 10: one region's own scenario (params/<region>.yaml) with its own design and KPIs.

The notebook runs the region's file as it is (its own municipalities, segments, providers and
contracts), and shows per segment the funding design with the source each contract line names,
spend per year with intervals, wait, bezetting and afschaling, and the KPIs the region's document asks
for. The region is the scenario's ``name``: achterhoek, meierij, zwolle, noord-limburg-participatie.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis, summarise
from simulation.analysis.tables import traject_table
from simulation.core.calendar import Calendar
from simulation.analysis.stats import interval_not_below_zero
from simulation.config.pricing import for_year
from simulation.experiment.compare import compare
from simulation.funding.payments import compute_payments
from simulation.funding.variants.boeggolf import boeggolf_ends
from simulation.report.labels import name

REGIONS = ("achterhoek", "meierij", "zwolle", "noord-limburg-participatie")
TITLES = {"achterhoek": "Achterhoek", "meierij": "Meierij", "zwolle": "Zwolle/IJsselland",
          "noord-limburg-participatie": "participatie in Noord-Limburg"}
# the documents and paragraphs of each region (the figures' source line)
REFERENCES = {"achterhoek": (("000", "par. 3.3"), ("002", "")), "meierij": (("003", "par. 4-7"),),
              "zwolle": (("001", ""),), "noord-limburg-participatie": (("004", "par. 7.3 en bijlage 1"),)}
# what of each region's results rests on assumptions (the file's head names each one)
ASSUMPTIONS = {
    "achterhoek": ["De documenten geven geen uitgaven, inwonertallen of doorlooptijden: instroom, doorlooptijden "
                   "en tarieven zijn die van Noord-Limburg per inwoner (aanname).",
                   "Startbudget: vorige periode = Noord-Limburg 2019 per inwoner, ontwikkeling 5% (jeugd) / 3% (Wmo) "
                   "per jaar, vier gemeenten 3% minder cliënten door lokaal beleid, stap 7 op 0 (aannames).",
                   "Tussenevaluatie 2024: de lumpsums vanaf 2025 opnieuw afgeleid uit de gerealiseerde zorg van 2024 "
                   "tegen Noord-Limburgse tarieven (de regel is een aanname; 002 zegt alleen dat bijstelling kan).",
                   "Perverse prikkel: weigering van een zware cliënt met kans 0,3 (aanname)."],
    "meierij": ["Tarieven, duur en uitkomsten per categorie zijn aannames (Noord-Limburgse tarieven); 003 geeft "
                "de categorieën en de cliëntaantallen van 2017.",
                "Open house: per toelatingsronde (elk half jaar) nieuwe aanbieders met 1% van de nieuwe cliënten "
                "(aanname).",
                "Pilot 's-Hertogenbosch: 9% van de cliënten (003 par. 3.3) met een wijkbudget als lumpsum (aanname)."],
    "zwolle": ["De 36 trajecttarieven = uurtarief x uren per week x geplande dagen (aanname; 001 geeft de structuur, "
               "niet de bedragen).",
               "Cliënttevredenheid en afname van de problematiek worden niet gesimuleerd.",
               "Aanbiedersveld naar Diah (001): een derde bedient 97% van de cliënten."],
    "noord-limburg-participatie": ["004 geeft alleen de uitgaven 2019 van PW S1 (EUR 0,55 mln): volumes, tarieven, "
                                   "doorlooptijden en uitkomsten zijn aannames.",
                                   "Een goed boeggolfjaar: ten minste de helft van de afgesloten trajecten eindigt in "
                                   "afschaling of step-down (aanname).",
                                   "Na het einde van een boeggolfcontract neemt een opvolger het perceel over tegen "
                                   "hetzelfde tarief (aanname)."],
}


def region_of(scenario) -> str:
    if scenario.name not in REGIONS:
        raise ValueError(f"parameter scenario: {scenario.name!r} is geen regioscenario; toegestaan: de bestanden "
                         f"params/<regio>.yaml met regio een van {list(REGIONS)}")
    return scenario.name


def contract_sources(path) -> list[str]:
    """The comment (source or assumption) of every contract line of a generated region file, in order."""
    lines = Path(path).read_text(encoding="utf-8").split("funding:", 1)[-1].splitlines()
    return [line.split("   # ", 1)[1].strip() if "   # " in line else "" for line in lines
            if re.match(r"^\s+- \{", line)]


def design_table(scenario, path) -> pd.DataFrame:
    """Per segment: domain, description, the variants of its contracts, their count and the sources named."""
    sources = contract_sources(path)
    rows = []
    for s, seg in scenario.segments.items():
        idx = [i for i, c in enumerate(scenario.funding.contracts) if c.segment == s]
        variants = sorted({scenario.funding.contracts[i].variant for i in idx})
        named = list(dict.fromkeys(sources[i] for i in idx if i < len(sources)))
        rows.append({"segment": s, "domein": seg.domain, "omschrijving": seg.description,
                     "varianten": ", ".join(name("variant", v) for v in variants), "contracten": len(idx), "bron": " | ".join(named)})
    return pd.DataFrame(rows)


def payments(scenario, events) -> pd.DataFrame:
    """Payment rows with the segment and variant as text."""
    pay = compute_payments(scenario, events=events).payments
    return pay.assign(segment=pay["segment"].astype(str), variant=pay["variant"].astype(str))


def spend_per_year(pay: pd.DataFrame, replications: int, level: float = 0.95) -> pd.DataFrame:
    """Per year x segment (and 'totaal'): mean spend over the replications with its t-interval, whose lower
    bound is 0 where no replication spent below 0 (the page names this)."""
    per = pay.groupby(["replication", "year", "segment"])["amount"].sum()
    per = per.unstack("segment", fill_value=0.0)
    per["totaal"] = per.sum(axis=1)
    per = per.stack().rename("uitgaven").reset_index()
    rows = []
    for (year, seg), g in per.groupby(["year", "segment"], sort=True):
        values = np.zeros(replications)
        values[: len(g)] = g["uitgaven"].to_numpy()   # a replication without payments spent 0
        mean, sd, lo, hi = interval_not_below_zero(values, level)   # bounded at 0 unless a replication is below 0
        rows.append({"year": int(year), "segment": seg, "uitgaven_gem": mean, "laag": lo, "hoog": hi})
    return pd.DataFrame(rows)


FLOW = ("unieke_clienten", "instroom", "wacht_dagen_gem", "bezettingsgraad", "aandeel_afschaling")


def flow_summary(events, scenario) -> pd.DataFrame:
    """Per year x segment: clients, instroom, mean wait, bezetting, afschaling (mean as the KPI's name, and
    its interval ``_ci_laag``/``_ci_hoog``)."""
    return _means(summarise(kpis(events, scenario, by=("segment",)), columns=FLOW), FLOW)


def _means(table: pd.DataFrame, columns) -> pd.DataFrame:
    return table.rename(columns={f"{c}_gem": c for c in columns}).drop(columns=[f"{c}_n" for c in columns])


def meierij_quarters(events, scenario) -> pd.DataFrame:
    """003 par. 7: per quarter x municipality x support form the contract-talk KPIs (means over replications)."""
    k = kpis(events, scenario, by=("municipality", "segment"), period="quarter")
    cols = ["unieke_clienten", "instroom_inwoners", "uitstroom_inwoners", "aandeel_afschaling",
            "doorstroom_voorliggend_veld"]
    return k.groupby(["year", "kwartaal", "municipality", "segment"], observed=True)[cols].mean().reset_index()


ZWOLLE = ("afgesloten_trajecten", "doel_behaald", "aandeel_uitval_afgesloten", "zonder_hulp_verder",
          "geen_nieuwe_start", "doelrealisatie")


def zwolle_outcomes(events, scenario) -> pd.DataFrame:
    """001: the outcome criteria per closed traject, per year x segment (mean and interval)."""
    return _means(summarise(kpis(events, scenario, by=("segment",)), columns=ZWOLLE), ZWOLLE)


def achterhoek_derivation(root) -> dict[str, pd.DataFrame]:
    """The start-budget table of 000 par. 3.3 per lump-sum segment, as params/derive_regions.py computes it."""
    params = str(Path(root) / "params")
    if params not in sys.path:
        sys.path.insert(0, params)   # the derivation scripts import each other by name
    import regions_achterhoek   # a derivation script beside the scenario files, not part of the package
    return regions_achterhoek.derivations()


def refusal_comparison(base: dict, overlay, replications: int, seed: int, workers: int = 1) -> pd.DataFrame:
    """Neutral vs the perverse-incentive overlay on common random numbers: per variant x year the mean spend,
    refusals and mean wait of new trajecten."""
    cmp = compare(base, {"neutraal": None, "weigering": overlay}, replications=replications, seed=seed,
                  workers=workers, keep_events=True)
    rows = []
    for name, ev in cmp.events.items():
        pay = cmp.payments[name]
        spend = pay.groupby(["replication", "year"])["amount"].sum().groupby("year").mean()
        toew = ev[ev["event"] == "toewijzing"]
        refused = toew[toew["reden"].astype(str) == "weigering"]
        n_ref = refused.groupby(refused["date"].dt.year).size() / replications
        k = _means(summarise(kpis(ev, cmp.scenarios[name], by=()), columns=("wacht_dagen_gem",)), ("wacht_dagen_gem",))
        for year in spend.index:
            wait = k.loc[k["year"] == year, "wacht_dagen_gem"]
            rows.append({"gedrag": name, "year": int(year), "uitgaven_gem": spend[year],
                         "weigeringen": float(n_ref.get(year, 0.0)),
                         "wacht_dagen_gem": float(wait.iloc[0]) if len(wait) else np.nan})
    return pd.DataFrame(rows)


def evaluation_effect(scenario, events) -> pd.DataFrame:
    """Per lump-sum segment x year: the agreed schedule and what is paid after the tussenevaluatie (mean)."""
    res = compute_payments(scenario, events=events)
    contracts = scenario.funding.contracts
    fin = res.finals.assign(segment=[contracts[i].segment for i in res.finals["contract"]],
                            variant=[contracts[i].variant for i in res.finals["contract"]])
    fin = fin[fin["variant"] == "lumpsum"]
    fin = fin.assign(afgesproken=[float(for_year(contracts[i].amount, int(y)))
                                  for i, y in zip(fin["contract"], fin["year"])])
    per = fin.groupby(["replication", "segment", "year"])[["afgesproken", "final"]].sum()
    out = per.groupby(["segment", "year"]).mean().reset_index().rename(columns={"final": "betaald"})
    out["factor"] = out["betaald"] / out["afgesproken"]
    return out


def boeggolf_table(scenario, events) -> pd.DataFrame:
    """Per boeggolf contract and replication: the end after the last evaluation, and who pays after it."""
    tr = traject_table(events)
    rows = []
    cal = Calendar.of(scenario)
    for i, c in enumerate(scenario.funding.contracts):
        if c.variant != "boeggolf":
            continue
        sub = tr[(tr["municipality"].astype(str) == c.municipality) & (tr["provider"].astype(str) == c.provider)
                 & (tr["segment"].astype(str) == c.segment)]
        ends = boeggolf_ends(c, sub, cal, np.sort(events["replication"].unique()))
        last = ends.groupby("replication").last().reset_index()
        rows += [{"contract": i, "gemeente": c.municipality, "aanbieder": c.provider, "replication": r.replication,
                  "evaluaties": int((ends["replication"] == r.replication).sum() - 1), "einde": r.einde}
                 for r in last.itertuples()]
    return pd.DataFrame(rows)
