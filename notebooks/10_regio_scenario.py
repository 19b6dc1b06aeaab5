# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (simulation)
#     language: python
#     name: simulation
# ---

# %% [markdown]
# # 10 Regio-scenario: één regio met haar eigen cliënten, aanbieders en bekostiging
#
# **Vraag.** Wat kost de zorg in deze regio per jaar onder haar eigen bekostigingsontwerp, hoe lang
# wachten cliënten, hoeveel wordt afgeschaald naar het voorliggend veld, en wat zeggen de KPI's die het
# document van de regio zelf noemt?
#
# **Opzet.** Het notebook draait één regiobestand (parameter `region_file`; `make run SCENARIO=...`
# verandert het niet) zoals het is (`params/<regio>.yaml`: Achterhoek,
# Meierij, Zwolle of participatie in Noord-Limburg; de bestanden en hun aannames staan in
# `docs/regions.md`). Het rapport draait het eens per regio; elke regio is een eigen pagina. Per regio
# de eigen KPI's: Meierij de KPI's voor het contractgesprek per kwartaal (003 par. 7), Zwolle de
# uitkomstcriteria per afgesloten traject (001), de Achterhoek de afleiding van het lumpsum-startbudget
# (000 par. 3.3), de tussenevaluatie van 2024 en het neutrale gedrag naast weigering van zware cliënten,
# participatie de boeggolf van PW S3 met de opvolger (004 bijlage 1).

# %% tags=["parameters"]
region_file = "params/meierij.yaml"   # het scenario van de regio
replications = 2
seed = 1
horizon_years = 1   # jaren
behaviour_overlay = None   # Achterhoek: "params/behaviour/achterhoek-weigering.yaml" (neutraal naast weigering)
workers = 1   # processen
out_dir = "outputs/scratch/10_regio_scenario"   # make run geeft outputs/10_regio_scenario-<regio>

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulation import simulate
from simulation.report import region_scenario as rs
from simulation.report.labels import euro, name, number, percent
from simulation.report.notebooks import ROOT, expect_outputs, project_path, save_answer, save_figure, save_table
from simulation.report.regions import source_audit
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table, simulation_source

ctx = notebook_context(out_dir, region_file, seed=seed, replications=replications, min_replications=2,
                       why="intervallen over replicaties", horizon_years=horizon_years)
sc = ctx.scenario
region = rs.region_of(sc)
title = rs.TITLES[region]
source = simulation_source(sc.name, replications, seed, rs.REFERENCES[region], "")
print(f"regio {region}: {len(sc.municipalities)} gemeenten, segmenten {', '.join(sc.segments)}, "
      f"{len(sc.providers)} aanbieders, {len(sc.funding.contracts)} contracten; {sc.years[0]}-{sc.years[-1]}")

# %% [markdown]
# ## Het bekostigingsontwerp per segment
#
# Per segment de varianten van zijn contracten en de bron die elke contractregel in het bestand noemt
# (document en paragraaf, of "aanname:").

# %%
design = rs.design_table(sc, project_path(region_file))
save_table(design, out_dir, "ontwerp_per_segment")

# %% [markdown]
# ## Uitgaven per jaar, wachttijd, bezetting en afschaling
#
# Aanname bij de intervallen: waar geen enkele replicatie negatieve uitgaven heeft, is de ondergrens van het
# 95%-interval 0 (een t-interval kan bij weinig replicaties en veel spreiding onder 0 uitkomen).

# %%
res = simulate(sc, seed=seed, replications=replications, workers=workers)
pay = rs.payments(res.scenario, res.events)
spend = rs.spend_per_year(pay, replications)
save_table(spend, out_dir, "uitgaven_per_jaar")
shown = spend.assign(uitgaven=spend["uitgaven_gem"].map(euro),
                     interval=[f"{euro(a)} - {euro(b)}" for a, b in zip(spend["laag"], spend["hoog"])])
dutch_table(shown[["year", "segment", "uitgaven", "interval"]].rename(columns={
    "uitgaven": "Uitgaven (gemiddeld)", "interval": "95%-interval"}))

# %%
segs = [s for s in sc.segments if s in set(spend["segment"])]
years = sorted(spend["year"].unique())
fig, ax = plt.subplots(figsize=(11, 4.8))
width = 0.8 / max(len(segs), 1)
for j, s in enumerate(segs):
    part = spend[spend["segment"] == s].set_index("year").reindex(years)
    err = np.vstack([part["uitgaven_gem"] - part["laag"], part["hoog"] - part["uitgaven_gem"]]) / 1e6
    ax.bar(np.arange(len(years)) + j * width, part["uitgaven_gem"] / 1e6, width, label=s,
           yerr=np.nan_to_num(err), capsize=2)
ax.set_xticks(np.arange(len(years)) + 0.4 - width / 2, [str(y) for y in years])
ax.set_title(f"{title}: uitgaven per jaar en segment (gemiddelde, 95%-interval over {replications} replicaties)")
ax.set_xlabel("jaar")
ax.set_ylabel("uitgaven, EUR mln")
ax.legend(fontsize=8, ncol=4)
save_figure(fig, out_dir, "uitgaven_per_jaar", source, key=True)

# %%
flow = rs.flow_summary(res.events, res.scenario)
save_table(flow, out_dir, "stroom_per_segment")
no_plekken = flow["bezettingsgraad"].isna().all()
print("bezetting: geen plekken ingekocht in deze regio (alle zorg als trajecten of budget)" if no_plekken else "")
dutch_table(flow[["year", "segment", "unieke_clienten", "instroom", "wacht_dagen_gem", "bezettingsgraad",
                  "aandeel_afschaling"]])

# %%
last = flow[flow["year"] == flow["year"].max()].set_index("segment").reindex(segs)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.bar(segs, last["wacht_dagen_gem"].fillna(0))
if not last["wacht_dagen_gem"].fillna(0).any():   # lump sums and trajecten without plekken: nobody waits
    ax1.set_ylim(0, 1)
    ax1.text(0.5, 0.5, "niemand wacht: de regio koopt geen plekken in", ha="center", transform=ax1.transAxes)
ax1.set_title(f"Gemiddelde wachttijd van gestarte trajecten, {int(flow['year'].max())}")
ax1.set_xlabel("segment")
ax1.set_ylabel("dagen")
ax2.bar(segs, last["aandeel_afschaling"].fillna(0))
ax2.set_ylim(0, 1)
ax2.set_title("Aandeel uitstroom afgeschaald naar het voorliggend veld")
ax2.set_xlabel("segment")
ax2.set_ylabel("aandeel van de uitstroom")
save_figure(fig, out_dir, "wachttijd_en_afschaling", source)

# %% [markdown]
# ## De eigen KPI's van de regio

# %%
extra = ""
if region == "meierij":   # 003 par. 7: contract-KPI's per kwartaal
    own = rs.meierij_quarters(res.events, res.scenario)
    save_table(own, out_dir, "contract_kpis_per_kwartaal")
    q = own.groupby(["year", "kwartaal"])[["unieke_clienten", "doorstroom_voorliggend_veld"]].sum()
    extra = (f"Per kwartaal gemiddeld {number(q['unieke_clienten'].mean(), 0)} unieke cliënten en "
             f"{number(q['doorstroom_voorliggend_veld'].mean(), 0)} doorstromers naar het voorliggend veld.")
elif region == "zwolle":   # 001: uitkomstcriteria per afgesloten traject
    own = rs.zwolle_outcomes(res.events, res.scenario)
    save_table(own, out_dir, "uitkomstcriteria")
    jh = own[own["segment"] == "JH"]
    extra = (f"Jeugd (JH): doel behaald bij {percent(jh['doel_behaald'].mean())} van de afgesloten trajecten, "
             f"uitval {percent(jh['aandeel_uitval_afgesloten'].mean())}; doelrealisatie zonder terugkeer vraagt "
             "365 dagen nazorg binnen de horizon. Cliënttevredenheid: niet gesimuleerd.")
elif region == "achterhoek":   # 000 par. 3.3: the derivation of the start budget, step by step
    derivation = rs.achterhoek_derivation(ROOT)
    for seg, table in derivation.items():
        save_table(table, out_dir, f"startbudget_{seg}")
    own = derivation["IAJ"]
    regio = {s: t[t["gemeente"] == "regio"].iloc[0]["startbudget"] for s, t in derivation.items()}
    extra = "Startbudget (000 par. 3.3): " + ", ".join(f"{s} {euro(v)}" for s, v in regio.items()) + "."
elif region == "noord-limburg-participatie":   # 004 annex 1: the boeggolf and its successor
    own = rs.boeggolf_table(res.scenario, res.events)
    save_table(own, out_dir, "boeggolf_einde")
    succ = pay[pay["variant"] == "opvolger"]["amount"].sum() / replications
    extra = (f"PW S3: {percent((own['einde'] < sc.end_date).mean(), 0)} van de boeggolfcontracten eindigt binnen de "
             f"horizon; de opvolgers betalen daarna gemiddeld {euro(succ)} over de hele horizon.")
print(extra)
dutch_table(own)

# %% [markdown]
# Achterhoek: de tussenevaluatie van 2024 (lumpsums vanaf 2025 opnieuw afgeleid; alleen zichtbaar als de
# horizon 2025 bevat) en het neutrale gedrag naast de perverse prikkel (`behaviour_overlay`).

# %%
evaluation, refusal = None, None
if region == "achterhoek" and sc.years[-1] >= 2025:
    evaluation = rs.evaluation_effect(res.scenario, res.events)
    save_table(evaluation, out_dir, "tussenevaluatie")
if region == "achterhoek" and behaviour_overlay is not None:
    base = res.scenario.model_dump(mode="json", exclude_none=True)
    refusal = rs.refusal_comparison(base, project_path(behaviour_overlay), replications, seed, workers)
    save_table(refusal, out_dir, "neutraal_en_weigering")
dutch_table(refusal) if refusal is not None else None

# %% [markdown]
# ## Wat rust op aannames
#
# Per bestand de regels met een getal: met een bron (document en paragraaf), met het label "aanname" (of "assumption"),
# of zonder een van beide (dat laatste laat `tests/validation/test_region_scenarios.py` falen).

# %%
audit = source_audit({region: project_path(region_file)})
save_table(audit, out_dir, "bronnen_en_aannames")
for a in rs.ASSUMPTIONS[region]:
    print("-", a)
dutch_table(audit.assign(aandeel_aanname=audit["aandeel_aanname"].map(percent)))

# %% [markdown]
# ## Antwoord

# %%
total = spend[spend["segment"] == "totaal"].set_index("year")
first = total.iloc[0]
wait = flow.groupby("year")["wacht_dagen_gem"].mean()
afsch = flow.groupby("year")["aandeel_afschaling"].mean()
answer = (f"{title}: {euro(first['uitgaven_gem'])} in {int(total.index[0])} (95%-interval {euro(first['laag'])} - "
          f"{euro(first['hoog'])}); gemiddelde wachttijd {number(wait.iloc[0], 1)} dagen, afschaling "
          f"{percent(afsch.iloc[0])} van de uitstroom; "
          + ("geen plekken ingekocht. " if no_plekken else "")
          + extra)
if evaluation is not None:
    f25 = evaluation[evaluation["year"] == 2025]
    answer += (" Tussenevaluatie: de lumpsums van 2025 worden " + ", ".join(
        f"{s} x {number(v, 2)}" for s, v in zip(f25["segment"], f25["factor"])) + " van de afspraak.")
if refusal is not None:
    r = refusal.groupby("gedrag")[["uitgaven_gem", "weigeringen", "wacht_dagen_gem"]].mean()
    answer += (f" Weigering van zware cliënten: {number(r.loc['weigering', 'weigeringen'], 0)} weigeringen per jaar, "
               f"uitgaven {euro(r.loc['neutraal', 'uitgaven_gem'])} -> {euro(r.loc['weigering', 'uitgaven_gem'])} per jaar"
               f"{' (de lumpsums liggen vast: de gemeente betaalt hetzelfde)' if r['uitgaven_gem'].nunique() == 1 else ''}, "
               f"wachttijd {number(r.loc['neutraal', 'wacht_dagen_gem'], 1)} -> "
               f"{number(r.loc['weigering', 'wacht_dagen_gem'], 1)} dagen.")
answer += f" Aandeel regels met een getal dat een aanname is: {percent(audit['aandeel_aanname'].iloc[0], 0)}."
save_answer(out_dir, f"Wat kost de zorg in {title} onder het eigen ontwerp, en hoe lang wachten cliënten?",
            answer, uncertainty=f"{replications} replicaties van {len(sc.years)} jaar: intervallen zijn grof.",
            assumptions=rs.ASSUMPTIONS[region])
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
expect_outputs(out_dir, ["uitgaven_per_jaar", "wachttijd_en_afschaling"])
