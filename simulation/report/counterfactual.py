"""Counterfactual of notebook 08: each municipality under the other funding choice, on common random numbers.

Contracts as the records show them, the switched variants, the paired differences, the check that the
calibrated model reproduces the records, and what the data does and does not support.
"""
from __future__ import annotations

import copy

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.stats import interval_not_below_zero, t_interval
from simulation.funding.variants.plekken import PlekkenContract, plek_day_price
from simulation.report.labels import euro, name, number
from simulation.report.texts import cite


def segment_tariffs(raw: dict, segment: str, tarieven: dict) -> dict:
    """EUR per traject type: the segment tariff scaled by planned doorlooptijd (share-weighted mean = tarieven)."""
    tt = raw["segments"][segment]["traject_types"]
    mean_planned = sum(v["share"] * v["planned_doorlooptijd"] for v in tt.values())
    return {t: round(tarieven[segment] * v["planned_doorlooptijd"] / mean_planned, 2) for t, v in tt.items()}


def without_bought_plekken(cal_scenario: dict, combos: pd.DataFrame) -> tuple[dict, dict]:
    """The calibrated scenario without plekken (contracts set them) and the plekken bought per (m, p, s)."""
    base = copy.deepcopy(cal_scenario)
    bought = {}
    for p, prov in base["providers"].items():
        for m, segs in prov.pop("plekken", {}).items():
            for s, n in segs.items():
                bought[(m, p, s)] = n
    missing = [(m, p, s) for m, p, s, b in combos.itertuples(index=False) if b == "plek" and (m, p, s) not in bought]
    if missing:
        raise ValueError(f"no plek count for {missing}: give them in the base scenario (providers.<p>.plekken)")
    return base, bought


def contract(m: str, p: str, s: str, form: str, tariffs: dict, n=None) -> dict:
    """A plekken contract (``form`` 'plek', ``n`` plekken) or a traject contract at the segment's tariffs."""
    c = {"municipality": m, "provider": p, "segment": s, "tariffs": tariffs[s]}
    return c | ({"variant": "plekken", "plekken": int(n)} if form == "plek" else {"variant": "traject"})


def plekken_after_switch(m: str, p: str, s: str, *, rule, finals: pd.DataFrame, st: pd.DataFrame, days: int,
                         tariffs: dict, scenario) -> int:
    """Plekken bought when trajecten become plekken: a number, ``budgetneutraal`` (the year's tariff money /
    plek-year price) or ``bezetting`` (mean number in care, rounded up)."""
    if isinstance(rule, int):
        return rule
    if rule == "budgetneutraal":
        mine = (finals["municipality"] == m) & (finals["provider"] == p) & (finals["segment"] == s)
        money = finals[mine]["final"].sum()
        one_plek = PlekkenContract(municipality=m, provider=p, segment=s, variant="plekken",
                                                     plekken=1, tariffs=tariffs[s])
        year_price = plek_day_price(one_plek, scenario) * 365
        return max(1, int(round(money / year_price)))
    g = st[(st["municipality"] == m) & (st["provider"] == p) & (st["segment"] == s)]
    stop = np.minimum(np.where(g["closed"], g["stop"], days), days)
    occupied = (stop - np.maximum(g["start"], 0)).clip(lower=0).sum()
    return max(1, int(np.ceil(occupied / days)))


def switch_variants(factual: list, combos: pd.DataFrame, gemeenten: list, switch_pairs: list, bought: dict,
                    tariffs: dict, n_plekken) -> tuple[dict, pd.DataFrame, list[str]]:
    """The variants for ``compare``: 'feitelijk' and '<m> omgezet' per municipality with a contract in the switch
    scope; the table of switched contracts; and a note per municipality without one.
    ``n_plekken(m, p, s)``: the plekken bought when trajecten become plekken."""
    variants = {"feitelijk": {"funding": {"contracts": factual}}}
    switched, notes = [], []
    for m in gemeenten:
        cs, flips = [], []
        for mm, p, s, b in combos.itertuples(index=False):
            if mm == m and (p, s) in switch_pairs:
                new = "traject" if b == "plek" else "plek"
                n = n_plekken(m, p, s) if new == "plek" else None
                cs.append(contract(mm, p, s, new, tariffs, n))
                flips.append({"municipality": m, "provider": p, "segment": s, "van": b, "naar": new,
                              "plekken_voor": bought.get((m, p, s)), "plekken_na": n})
            else:
                cs.append(contract(mm, p, s, b, tariffs, bought.get((mm, p, s))))
        if flips:
            variants[f"{m} omgezet"] = {"funding": {"contracts": cs}}
            switched += flips
        else:
            notes.append(f"{m}: geen contract in de omzetting {switch_pairs}; geen tegenfeitelijk scenario")
    return variants, pd.DataFrame(switched), notes


def segment_kpis(comparison, year: int) -> pd.DataFrame:
    """KPIs per municipality x segment of every variant of ``comparison`` in ``year``, from the event logs
    that ``compare(..., keep_events=True)`` kept (``compare`` itself reports per municipality)."""
    rows = []
    for name, events in comparison.events.items():
        k = kpis(events, comparison.scenarios[name], by=["municipality", "segment"])
        k = k[k["year"] == year].assign(variant=name)
        rows.append(k[["variant", "replication", "municipality", "segment", "wacht_dagen_gem", "wachtlijst_eind",
                       "unieke_clienten"]])
    seg_k = pd.concat(rows, ignore_index=True)
    seg_k[["municipality", "segment"]] = seg_k[["municipality", "segment"]].astype(str)
    return seg_k


MEASURES = {"uitgaven": "uitgaven (EUR)", "kosten_per_client": "kosten per cliënt (EUR)",
            "unieke_clienten": "unieke cliënten", "wacht_dagen_gem": "wachtdagen, hele gemeente"}


def counterfactual_table(pr: pd.DataFrame, seg_k: pd.DataFrame, variants: dict, switched: pd.DataFrame,
                         keuze: dict) -> pd.DataFrame:
    """Per switched municipality and measure: actual and switched mean with the paired difference and its 95% CI
    (``pr``: compare's per_replication of the year; the wait and wachtlijst of the switched segments from seg_k).

    The actual value's interval is not below 0 where no replication is (``actual_interval``); the paired
    difference keeps the plain t-interval (common random numbers: it can be negative)."""
    rows = []
    for name in variants:
        if name == "feitelijk":
            continue
        m = name.removesuffix(" omgezet")
        ref = pr[(pr["variant"] == "feitelijk") & (pr["municipality"] == m)].set_index("replication")
        alt = pr[(pr["variant"] == name) & (pr["municipality"] == m)].set_index("replication")
        series = {MEASURES[k]: (ref[k], alt[k]) for k in MEASURES}
        for s in sorted(switched.loc[switched["municipality"] == m, "segment"].unique()):
            for col, label in (("wacht_dagen_gem", f"wachtdagen {s}"), ("wachtlijst_eind", f"wachtlijst eind {s}")):
                a = seg_k[(seg_k["variant"] == "feitelijk") & (seg_k["municipality"] == m) & (seg_k["segment"] == s)]
                b = seg_k[(seg_k["variant"] == name) & (seg_k["municipality"] == m) & (seg_k["segment"] == s)]
                series[label] = (a.set_index("replication")[col], b.set_index("replication")[col])
        for label, (a, b) in series.items():
            am, alo, ahi = actual_interval(a)
            bm, _, _ = t_interval(b)
            dm, dlo, dhi = t_interval((b - a.reindex(b.index)))
            rows.append({"municipality": m, "keuze_2022": keuze[m],
                         "omgezet_naar": "trajecten" if keuze[m] == "plekken" else "plekken",
                         "maat": label, "feitelijk": am, "feitelijk_ci_laag": alo, "feitelijk_ci_hoog": ahi,
                         "omgezet": bm, "verschil": dm, "verschil_ci_laag": dlo, "verschil_ci_hoog": dhi})
    cf = pd.DataFrame(rows)
    cf["ci_sluit_0_uit"] = (cf["verschil_ci_laag"] > 0) | (cf["verschil_ci_hoog"] < 0)
    cf["ci_sluit_0_uit"] &= cf["verschil_ci_laag"].notna()
    return cf


def actual_interval(values: pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of one variant's replications: clipped at 0 (``stats.interval_not_below_zero``) where no
    replication is below 0, as compare's summary does for spend; the plain t-interval otherwise (a refund)."""
    mean, _, low, high = interval_not_below_zero(values, level)
    return mean, low, high


OBSERVED = {"uitgaven": "uitgaven", "unieke_clienten": "unieke_clienten", "wacht_dagen_gem": "wacht_dagen_gem",
            "clienten_per_plek": "clienten_per_plek"}


def _prediction_row(m: str, key: str, observed: float, x: pd.Series) -> dict:
    """Observed value against the 95% prediction interval of one year, mean +/- t sd sqrt(1 + 1/n), not below 0
    where no replication is (``stats.interval_not_below_zero``); 'binnen' against the interval as shown."""
    mean, _, low, high = interval_not_below_zero(x, 0.95, prediction=True)
    return {"municipality": m, "maat": key, "waargenomen": observed, "model_gem": mean, "pi_laag": low,
            "pi_hoog": high, "binnen": bool(low - 1e-9 <= observed <= high + 1e-9)}


def model_check(pr: pd.DataFrame, seg_k: pd.DataFrame, desc: pd.DataFrame, gemeenten: list) -> pd.DataFrame:
    """Does the calibrated model with the actual choices reproduce the records? One row per municipality x measure."""
    rows = []
    ref_pr = pr[pr["variant"] == "feitelijk"]
    observed = desc.set_index("municipality")
    for m in gemeenten:
        obs = observed.loc[m]
        for key, ocol in OBSERVED.items():
            x = ref_pr.loc[ref_pr["municipality"] == m, key].dropna()
            if np.isfinite(obs[ocol]) and len(x) >= 2:
                rows.append(_prediction_row(m, key, obs[ocol], x))
        wl = seg_k[(seg_k["variant"] == "feitelijk") & (seg_k["municipality"] == m)].groupby(
            "replication")["wachtlijst_eind"].sum()
        rows.append(_prediction_row(m, "wachtlijst_eind", obs["wachtend_eind"], wl))
    return pd.DataFrame(rows)


def fmt(v: float, maat: str, sign: bool = False) -> str:
    """A difference in the unit of its measure, in Dutch format ('€ 12.345', '4,2 dagen')."""
    plus = "+" if sign and v > 0 else ""
    if "EUR" in maat:
        return plus + euro(v)
    return plus + number(v, 1) + (" dagen" if maat.startswith("wachtdagen") else "")


def measure_name(maat: str) -> str:
    return maat.replace(" (EUR)", "")


def _choice(k: str) -> str:
    return {"plekken": "plekken", "trajecten": "trajecten"}.get(k, k)


def conclusions(cf: pd.DataFrame, check: pd.DataFrame, same_pair: pd.DataFrame, n_by_choice: pd.Series,
                replications: int) -> tuple[list[str], list[str]]:
    """What the data supports and what it cannot, computed from the intervals of the tables above (in Dutch)."""
    supports, cannot = [], []
    for r_ in cf[cf["ci_sluit_0_uit"]].itertuples():
        supports.append(f"Binnen het gekalibreerde model: {r_.municipality} met {_choice(r_.omgezet_naar)} in plaats van "
                        f"{_choice(r_.keuze_2022)}: {measure_name(r_.maat)} {fmt(r_.verschil, r_.maat, True)} "
                        f"(95%-BI {fmt(r_.verschil_ci_laag, r_.maat)} tot {fmt(r_.verschil_ci_hoog, r_.maat)}).")
    not_shown = cf[~cf["ci_sluit_0_uit"]]
    if len(not_shown):
        cannot.append("Geen verschil aangetoond (het 95%-BI bevat 0, of te weinig replicaties) voor: "
                      + "; ".join(f"{r_.municipality} {measure_name(r_.maat)}" for r_ in not_shown.itertuples()) + ".")
    outside = check[~check["binnen"]]
    if len(outside):
        cannot.append("Het model reproduceert niet elk cijfer van 2022: "
                      + "; ".join(f"{r_.municipality} {name('kpi', r_.maat)} waargenomen {number(r_.waargenomen, 1)}, "
                                  f"model {number(r_.pi_laag, 1)} tot {number(r_.pi_hoog, 1)}"
                                  for r_ in outside.itertuples())
                      + ". Tegenfeitelijke uitkomsten voor die maten leunen meer op het model dan op de gegevens.")
    else:
        supports.append(f"Het gekalibreerde model met de feitelijke keuzes reproduceert de {len(check)} gecontroleerde "
                        "cijfers van 2022 (elk binnen het 95%-voorspellingsinterval van het model"
                        + (f"; een zwakke controle met {replications} replicaties, met brede intervallen)."
                           if replications < 10 else ")."))
    if min(n_by_choice) < 2:
        cannot.append(f"Een statistische vergelijking tussen plekken- en trajectengemeenten: er zijn "
                      f"{n_by_choice['plekken']} plekken- en {n_by_choice['trajecten']} trajectengemeente(n), dus "
                      "elk verschil tussen de groepen is ook een verschil tussen juist die gemeenten (omvang, "
                      "inwoners, aanbieders, zorgzwaarte).")
    else:
        cannot.append(f"Een causale vergelijking tussen de groepen ({n_by_choice['plekken']} plekken- tegen "
                      f"{n_by_choice['trajecten']} trajectengemeenten) zonder correctie: te weinig eenheden om voor "
                      "omvang, aanbieders en zorgzwaarte te corrigeren.")
    cannot.append("Dat de bekostigingskeuze de verschillen tussen gemeenten veroorzaakte: gemeenten kozen hun "
                  "bekostiging zelf (selectie); een gemeente met een stabiele, grote vraag in een segment is "
                  "bijvoorbeeld juist de gemeente die daar plekken inkoopt.")
    for r_ in same_pair.itertuples():
        excl = np.isfinite(r_.verschil_ci_laag) and np.isfinite(r_.verschil_ci_hoog) and \
            (r_.verschil_ci_laag > 0 or r_.verschil_ci_hoog < 0)
        txt = (f"Bij {name('provider', r_.provider)}/{r_.segment} (zelfde aanbieder en segment) is de "
               f"Kaplan-Meier-mediaan van de doorlooptijd {number(r_.km_mediaan_plek)} dagen onder plekken "
               f"({r_.gemeenten_plek}, n = {r_.n_plek}) en {number(r_.km_mediaan_traject)} dagen onder trajecten "
               f"({r_.gemeenten_traject}, n = {r_.n_traject}); 95%-BI van het verschil {number(r_.verschil_ci_laag)} "
               f"tot {number(r_.verschil_ci_hoog)} dagen")
        (supports if excl else cannot).append(
            txt + (": een verschil, maar nog steeds vermengd met de gemeente." if excl else
                   ": één jaar registraties laat niet zien dat plekken de doorlooptijd veranderen."))
    cannot.append("Effecten van de bekostiging op het gedrag van aanbieders (snellere uitstroom, zware cliënten "
                  "weigeren): het model houdt het gedrag neutraal, dus het tegenfeitelijke scenario toont alleen de "
                  "mechanische effecten (het plafond van de plekken op de stroom, en de betaalregels).")
    cannot.append(f"Uitgaven in euro's hangen af van het gedocumenteerde tarief (uitgaven 2019 per telling, "
                  f"{cite('004', 'par. 6')}), niet van werkelijke facturen, die de registraties niet bevatten.")
    return supports, cannot


def evaluation_answer(desc: pd.DataFrame, cf: pd.DataFrame, gemeenten: list, year: int, replications: int,
                      n_by_choice: pd.Series) -> str:
    """The notebook's answer (in Dutch): 2022 per municipality, the counterfactual differences shown, what cannot
    be said."""
    parts = []
    for m in gemeenten:
        d = desc.set_index("municipality").loc[m]
        parts.append(f"{m} ({_choice(d['keuze'])}): {number(d['instroom'])} nieuwe episodes, wachttijd "
                     f"{number(d['wacht_dagen_gem'])} dagen"
                     + (f", met {number(d['wachtend_eind'])} nog wachtend aan het eind van het jaar"
                        if d["wachtend_eind"] else "")
                     + (f", {number(d['clienten_per_plek'], 1)} cliënten per plek"
                        if np.isfinite(d["clienten_per_plek"]) else "")
                     + f", uitgaven {euro(d['uitgaven'], million=True, decimals=2)}")
    cf_parts = []
    for m in cf["municipality"].unique():
        c = cf[(cf["municipality"] == m) & cf["ci_sluit_0_uit"]]
        to = _choice(cf.loc[cf["municipality"] == m, "omgezet_naar"].iloc[0])
        if len(c):
            cf_parts.append(f"{m} met {to}: " + ", ".join(
                f"{measure_name(r_.maat)} {fmt(r_.verschil, r_.maat, True)} "
                f"(95%-BI {fmt(r_.verschil_ci_laag, r_.maat)} tot {fmt(r_.verschil_ci_hoog, r_.maat)})"
                for r_ in c.itertuples()))
        else:
            cf_parts.append(f"{m} met {to}: geen verschil aangetoond")
    return (f"{year}: " + "; ".join(parts) + ". "
            f"Tegenfeitelijk, op gemeenschappelijke toevalsgetallen ({replications} replicaties, 95%-BI): "
            + "; ".join(cf_parts)
            + ". De gegevens dragen geen causale vergelijking tussen gemeenten "
            f"({n_by_choice['plekken']} plekken- tegen {n_by_choice['trajecten']} trajectengemeente(n), die hun "
            "bekostiging zelf kozen), en geen effect van de bekostiging op de doorlooptijd; het tegenfeitelijke "
            "scenario toont het mechanische effect van het plekkenplafond en de betaalregels binnen het "
            "gekalibreerde model.")
