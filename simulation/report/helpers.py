"""Building blocks of the analysis notebooks: variants built from a scenario itself.

The notebooks compare funding variants for one segment on the same clients; these
helpers cut a scenario down to that segment (and where its clients go by opschaling),
take the tariffs from the scenario's own contracts, size plekken from a pilot run and write one
contract per municipality x provider.
"""
from __future__ import annotations

import copy

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.tables import traject_table
from simulation.core.calendar import year_bounds


def focus(raw: dict, segments) -> dict:
    """The scenario restricted to `segments` plus every segment they send clients to by opschaling or by a
    measure's ambulant alternative; measures and contracts keep only those segments."""
    shifts = {s: m["ambulant_in_plaats_van_verblijf"]["to"]["segment"] for m in raw.get("maatregelen", [])
              if m.get("ambulant_in_plaats_van_verblijf") for s in m["segments"]}
    keep, todo = set(), list(segments)
    while todo:
        s = todo.pop()
        if s not in keep:
            keep.add(s)
            todo += [t["opschaling_to"]["segment"] for t in raw["segments"][s]["traject_types"].values()
                     if t.get("opschaling_to") and t.get("outcomes", {}).get("opschaling", 0) > 0]
            todo += [shifts[s]] if s in shifts else []
    out = copy.deepcopy(raw)
    out["segments"] = {s: v for s, v in out["segments"].items() if s in keep}
    measures = [dict(m, segments=[s for s in m["segments"] if s in keep]) for m in out.get("maatregelen", [])]
    if "maatregelen" in out:
        out["maatregelen"] = [m for m in measures if m["segments"]]
    if out.get("funding"):
        out["funding"]["contracts"] = [c for c in out["funding"].get("contracts", []) if c["segment"] in keep]
    providers = {}
    for p, v in out["providers"].items():
        v["segments"] = {s: x for s, x in v["segments"].items() if s in keep}
        plekken = {m: {s: n for s, n in ps.items() if s in keep} for m, ps in v.get("plekken", {}).items()}
        v["plekken"] = {m: ps for m, ps in plekken.items() if ps}
        if v["segments"]:
            providers[p] = v
    out["providers"] = providers
    if out.get("funding"):
        out["funding"]["contracts"] = [c for c in out["funding"].get("contracts", []) if c["segment"] in keep]
    return out


def without_plekken(raw: dict, segment: str) -> dict:
    """Remove the plekken every municipality buys in `segment` (contracts set them instead)."""
    out = copy.deepcopy(raw)
    for v in out["providers"].values():
        for m in list(v.get("plekken", {})):
            v["plekken"][m].pop(segment, None)
            if not v["plekken"][m]:
                del v["plekken"][m]
    return out


def scenario_tariffs(sc, segment: str) -> dict:
    """The traject tariffs of the scenario's own contracts in ``segment`` (for the default scenario: the
    funded baseline that params/derive_funding.py prices on 2019 spend): the tariffs of a traject or
    plekken contract or of a traject realisation; from a pxq price, unit price x weight x planned
    doorlooptijd / 7."""
    types = sc.segments[segment].traject_types
    for c in (sc.funding.contracts if sc.funding is not None else []):
        if c.segment != segment:
            continue
        for _, pricing in c.pricings():
            if getattr(pricing, "tariffs", None):
                return dict(pricing.tariffs)
            price = getattr(pricing, "unit_price", None)
            if price is not None:
                return {n: round((price[n] if isinstance(price, dict) else price) * t.weight * t.planned_doorlooptijd
                                 / 7, 2) for n, t in types.items()}
    raise ValueError(f"scenario {sc.name!r} has no contract with a price for segment {segment}: the notebooks price "
                     "their variants from the scenario's own funding.contracts (run `python params/derive_funding.py "
                     "--write` for the default scenario)")


def concurrent_load(events: pd.DataFrame, sc, segment: str) -> pd.DataFrame:
    """Mean trajecten in care at once per municipality x provider x year (mean over replications)."""
    tr = traject_table(events)
    tr = tr[tr["segment"].astype(str) == segment]
    rows = []
    for year, lo, hi in year_bounds(sc):
        days = (np.minimum(tr["stop"], hi) - np.maximum(tr["start"], lo)).clip(lower=0)
        g = days.groupby([tr["replication"], tr["municipality"].astype(str), tr["provider"].astype(str)]).sum()
        g = (g / (hi - lo)).groupby(level=[1, 2]).sum() / events["replication"].nunique()
        rows.append(g.rename("load").reset_index().assign(year=year))
    return pd.concat(rows, ignore_index=True).rename(columns={"level_0": "municipality", "level_1": "provider"})


def contracts_for(sc, municipalities, segment: str, variant: str, **fields) -> list:
    """One contract per municipality x provider serving it in `segment`; `fields` may be callables
    f(municipality, provider) for values that differ per pair."""
    out = []
    for m in municipalities:
        for p in sc.providers_for(m, segment):
            c = {"municipality": m, "provider": p, "segment": segment, "variant": variant}
            c.update({k: (v(m, p) if callable(v) else copy.deepcopy(v)) for k, v in fields.items()})
            out.append(c)
    return out


def plekken_for_load(load: pd.DataFrame, target_bezetting: float, by="provider") -> dict:
    """Plekken to buy per ``by`` group and year: concurrent load / target bezetting, rounded up, at least 1."""
    return {key: {int(y): max(1, int(np.ceil(v / target_bezetting))) for y, v in g.set_index("year")["load"].items()}
            for key, g in load.groupby(by)}


def spend_verdict(diff_ci_low: float, diff_ci_high: float) -> str:
    """Whether a municipality gains or loses (spend difference and its 95% CI) or shows no clear difference."""
    if diff_ci_high < 0:
        return "wint (betaalt minder)"
    if diff_ci_low > 0:
        return "verliest (betaalt meer)"
    return "geen duidelijk verschil"


def with_lower_growth(raw: dict, first_year: int, youth_reduction: float, wmo_reduction: float) -> dict:
    """The scenario with the instroom of ``first_year`` as base, growing by the reductions less a year from then."""
    out = copy.deepcopy(raw)
    for seg in out["segments"].values():
        ins = seg["instroom"]
        level = (1 + ins.get("growth", 0.0)) ** (first_year - ins["base_year"])
        ins["per_year"] = ({m: v * level for m, v in ins["per_year"].items()} if isinstance(ins["per_year"], dict)
                           else ins["per_year"] * level)
        ins["base_year"] = first_year
        cut = youth_reduction if seg["domain"] == "jeugd" else wmo_reduction
        ins["growth"] = ins.get("growth", 0.0) - cut
    return out



def with_measures(raw: dict, vanaf: str, *, ambulant_share: float, ambulant_to: dict, outflow_factor: float,
                  youth_factor: float, youth_segments, wmo_factor: float, wmo_segments, source: str) -> dict:
    """The scenario with note 004 par. 6's measures from ``vanaf`` (``maatregelen``), for the segments it has:

    - youth S1: ``ambulant_share`` of the new toewijzingen to the ambulant ``ambulant_to`` (segment, type)
      instead of verblijf;
    - youth S1 -> S2: trajecten that end in doorstroom to a woonplek (opschaling) last ``outflow_factor``
      as long (faster outflow from residential treatment to a woonplek);
    - shorter doorlooptijden: ``youth_factor`` / ``wmo_factor`` on the trajecten of ``youth_segments`` /
      ``wmo_segments``.
    ``source`` labels the sizes (assumptions)."""
    out = copy.deepcopy(raw)
    have = set(out["segments"])
    measures = []
    if "S1" in have and ambulant_share > 0 and ambulant_to["segment"] in have:
        measures.append({"naam": "meer ambulant in plaats van verblijf (jeugd S1)", "vanaf": vanaf, "segments": ["S1"],
                         "ambulant_in_plaats_van_verblijf": {"share": ambulant_share, "to": dict(ambulant_to)},
                         "source": source})
    if "S1" in have and outflow_factor != 1.0:
        measures.append({"naam": "snellere uitstroom naar een woonplek (jeugd S1 -> S2)", "vanaf": vanaf,
                         "segments": ["S1"], "uitkomsten": ["opschaling"], "doorlooptijd_factor": outflow_factor,
                         "source": source})
    for name, factor, segments in (("jeugd", youth_factor, youth_segments), ("wmo", wmo_factor, wmo_segments)):
        segments = [s for s in segments if s in have]
        if segments and factor != 1.0:
            measures.append({"naam": f"kortere doorlooptijden ({name})", "vanaf": vanaf, "segments": segments,
                             "doorlooptijd_factor": factor, "source": source})
    out["maatregelen"] = list(out.get("maatregelen", [])) + measures
    return out


def measures_builder(base: dict, vanaf: str, *, ambulant_share: float, ambulant_to: dict, outflow_factor: float,
                     youth_segments, wmo_segments, source: str):
    """``factors -> scenario``: ``with_measures`` on ``base`` with the doorlooptijd factors per domain
    ({"jeugd": f, "wmo": f}; 1 where absent), as ``report.projection.calibrate_measures`` needs it."""
    return lambda factors: with_measures(
        base, vanaf, ambulant_share=ambulant_share, ambulant_to=ambulant_to, outflow_factor=outflow_factor,
        youth_factor=factors.get("jeugd", 1.0), youth_segments=youth_segments, wmo_factor=factors.get("wmo", 1.0),
        wmo_segments=wmo_segments, source=source)
