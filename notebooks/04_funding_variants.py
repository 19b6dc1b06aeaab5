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
# # 04 Bekostigingsvarianten naast elkaar: uitgaven, voorspelbaarheid, verrekening en risico voor de aanbieder
#
# **Vraag.** Hoe verhouden de acht bekostigingsvarianten zich voor één gemeente en segment
# (standaard Venlo, jeugd S3) op de uitgaven per jaar, hun spreiding over replicaties
# (voorspelbaarheid), de kans het budget te overschrijden, de verrekening aan het eind van het jaar,
# en de marge van de aanbieders en het risico daarop?
#
# **Opzet.** Elke variant is het standaardscenario (beperkt tot het segment en de segmenten waar
# zijn cliënten naartoe gaan) met contracten voor de gekozen gemeente bij elke aanbieder van het
# segment; de andere gemeenten houden trajecten zonder contracten (niet meegeteld). Alle varianten
# zien dezelfde cliënten (gemeenschappelijke toevalsgetallen). Bedragen komen uit een proefrun van
# de trajectenvariant op andere toevalsgetallen (5 replicaties), zodat elke variant tegen hetzelfde
# verwachte volume is 'geprijsd':
#
# | variant | parameters (alle aannames, tenzij anders vermeld) |
# |---|---|
# | Trajectfinanciering | tarief per type: dat van het scenario (geplande uren x het uurtarief van het segment, geprijsd op de uitgaven 2019 door params/derive_funding.py), betaald onder de standaardconventies van docs/funding.md |
# | PxQ | dat uurtarief per geleverd uur |
# | Outputgericht maandtarief | tarief / geplande maanden, per cliënt per maand in zorg |
# | Plekken | N = belasting uit de proefrun / `target_bezetting`; prijs per plekjaar = tarief x 365 / geplande doorlooptijd; lege plekdagen terugbetaald |
# | Budgetafspraak | gemiddelde trajectuitgaven uit de proefrun; verrekend op realisatie buiten `budget_band` (004 Inkoopnota Noord-Limburg: bandbreedte 0 in de eerste jaren) |
# | Budgetplafond | plafond = gemiddelde trajectuitgaven uit de proefrun x `plafond_factor`; geen instroom meer boven het plafond |
# | Lumpsum | gemiddelde trajectuitgaven uit de proefrun; nooit verrekend |
# | Populatiebekostiging | per verwachte cliënt (cliënten uit de proefrun) x uitgaven per cliënt uit de proefrun; verrekend buiten `population_band` (004: bijv. 10%) |
#
# Kosten van de aanbieder (aanname): `cost_share` x het uurtarief per geleverd uur. Het budget voor
# de 'kans het budget te overschrijden' is de gemiddelde uitgave onder trajecten (de referentie).
#
# **Waar dit op rust**
# - tarieven: die van het scenario, geprijsd op de uitgaven 2019 (004 Inkoopnota Noord-Limburg,
#   par. 6; params/derive_funding.py); de contractvormen uit 004 par. 7 (bijlage 1);
# - aannames: `cost_share` = 90% van het uurtarief als kosten van de aanbieder, `target_bezetting`
#   95%, de bandbreedtes en het plafond zoals in de parameters;
# - één gemeente: de gemeenten verschillen in het scenario alleen in inwonertal en aanbieders.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
municipality = "Venlo"
segment = "S3"
variants = ["traject", "pxq", "output_monthly", "plekken", "budget", "plafond", "lumpsum", "population"]
replications = 3
seed = 1
horizon_years = 1
target_bezetting = 0.95
budget_band = 0.0
population_band = 0.10
plafond_factor = 1.0
cost_share = 0.9
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/04_funding_variants"   # make run geeft outputs/04_funding_variants

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation import simulate
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.compare import compare
from simulation.report.helpers import contracts_for, focus, scenario_tariffs, without_plekken
from simulation.report.labels import MONTHS, euro, name, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table
from simulation.report.variants import (PILOT_REPLICATIONS, commitments_per_month, pilot_volumes, variant_fields,
                                       variant_summary)

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="spread and CIs", horizon_years=horizon_years, municipality=municipality, segment=segment,
                       variants=variants, data_2019=data_2019, target_bezetting=target_bezetting,
                       plafond_factor=plafond_factor, cost_share=cost_share)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019
vname = {v: name("variant", v) for v in variants}

# %% [markdown]
# ## Elke variant geprijsd tegen hetzelfde verwachte volume

# %%
base = without_plekken(focus(sc.model_dump(mode="json", exclude_none=True), [segment]), segment)
base_sc = scenario_from_dict(base, source="focus")
tariffs = scenario_tariffs(sc, segment)
types = base_sc.segments[segment].traject_types
hourly = {n: tariffs[n] / (t.weight * t.planned_doorlooptijd / 7) for n, t in types.items()}
rate = float(np.mean(list(hourly.values())))          # equal for all types by construction
traject_contracts = contracts_for(base_sc, [municipality], segment, "traject", tariffs=tariffs)
pilot_sc = scenario_from_dict(base, overrides={"funding": {"contracts": traject_contracts}})
pilot = simulate(pilot_sc, seed=seed + 10_000, replications=PILOT_REPLICATIONS, workers=workers)
spend_pp, clients_pp, load = pilot_volumes(pilot_sc, pilot.events, base_sc, municipality, segment)
build = variant_fields(types, tariffs, hourly, sc.years, spend_pp, clients_pp, load, target_bezetting, budget_band,
                       population_band, plafond_factor)
costs = {p: {"cost_per_unit": round(cost_share * rate, 2)} for p in base_sc.providers_for(municipality, segment)}
overlays = {}
for v in variants:
    overlays[v] = {"funding": {"contracts": contracts_for(base_sc, [municipality], segment, v, **build[v]),
                               "provider_costs": costs}}
cmp = compare(base, overlays, replications=replications, seed=seed, reference="traject", workers=workers,
              keep_events="plafond" in variants)   # the plafond's log gives its commitments (below)
print(f"Tarief per traject: {', '.join(f'{t} {euro(v)}' for t, v in tariffs.items())}; uurtarief "
      f"{euro(rate, decimals=2)}; kosten van de aanbieder {euro(cost_share * rate, decimals=2)} per uur "
      f"(aanname: {percent(cost_share, 0)} van het uurtarief).")
pilot_spend = pd.DataFrame([{"provider": p, "uitgaven": euro(v)} for (p, y), v in spend_pp.items() if y == sc.years[0]])
dutch_table(pilot_spend.rename(columns={
    "uitgaven": f"Uitgaven {sc.years[0]} in de proefrun (gemiddelde over {PILOT_REPLICATIONS} replicaties)"}))

# %% [markdown]
# ## Uitkomsten per variant
#
# Per variant en jaar, over de replicaties. Eerste tabel: de gemiddelde uitgaven met hun 95%-interval en
# spreiding (standaardafwijking, en als deel van het gemiddelde) en de kans dat de uitgaven boven het budget
# komen. Tweede tabel: de gemiddelde verrekening (+ de gemeente betaalt bij, - de aanbieder betaalt terug),
# de marge van de aanbieders samen met haar spreiding en de kans op een negatieve marge, en de gemiddelde
# wachttijd van nieuwe trajecten.
#
# Aannames bij de getallen: de kosten van de aanbieder zijn `cost_share` x het uurtarief per geleverd uur
# (de marge rust daarop); het budget is de gemiddelde uitgave onder trajecten; waar geen enkele replicatie
# negatieve uitgaven heeft, is de ondergrens van het 95%-interval 0 (een t-interval kan bij weinig
# replicaties en veel spreiding onder 0 uitkomen).

# %%
pr = cmp.per_replication[cmp.per_replication["municipality"] == municipality]
agg = variant_summary(cmp, municipality, variants)
save_table(agg, out_dir, "variants")
shown = agg.assign(**{
    "Uitgaven (gemiddeld)": agg["uitgaven_gem"].map(euro),
    "95%-interval uitgaven": [f"{euro(lo)} tot {euro(hi)}" for lo, hi in zip(agg["uitgaven_ci_laag"],
                                                                              agg["uitgaven_ci_hoog"])],
    "Spreiding (sd)": agg["uitgaven_sd"].map(euro),
    "Spreiding (% van gemiddelde)": (agg["uitgaven_cv_pct"] / 100).map(percent),
    "Kans boven budget": agg["kans_boven_budget"].map(lambda v: percent(v, 0)),
    "Verrekening (gemiddeld)": agg["verrekening_gem"].map(euro),
    "Marge aanbieders (gemiddeld)": agg["marge_gem"].map(euro),
    "Marge aanbieders (sd)": agg["marge_sd"].map(euro),
    "Kans op negatieve marge": agg["p_marge_negatief"].map(lambda v: percent(v, 0)),
    "Wachttijd (dagen)": agg["wacht_dagen_gem"].map(lambda v: number(v, 1))})
dutch_table(shown[["variant", "year", "Uitgaven (gemiddeld)", "95%-interval uitgaven", "Spreiding (sd)",
                   "Spreiding (% van gemiddelde)", "Kans boven budget"]])

# %%
dutch_table(shown[["variant", "year", "Verrekening (gemiddeld)", "Marge aanbieders (gemiddeld)",
                   "Marge aanbieders (sd)", "Kans op negatieve marge", "Wachttijd (dagen)"]])

# %%
year0 = sc.years[0]
colors = dict(zip(variants, plt.cm.tab10.colors))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1.6, 1]})
x = np.arange(len(variants))
years = sc.years
for j, y in enumerate(years):
    off = (j - (len(years) - 1) / 2) * 0.8 / max(len(years), 1)
    for i, v in enumerate(variants):
        vals = pr[(pr["variant"] == v) & (pr["year"] == y)]["uitgaven"] / 1e3
        ax1.scatter(np.full(len(vals), i + off), vals, s=14, color=colors[v], alpha=0.6)
        ax1.plot([i + off - 0.1, i + off + 0.1], [vals.mean()] * 2, color="k", lw=1.5)
budget0 = agg[(agg["variant"] == "traject") & (agg["year"] == year0)]["budget"].iloc[0]
ax1.axhline(budget0 / 1e3, color="0.4", ls="--", lw=0.8)   # the budget: mean traject spend
ax1.set_xticks(x, [vname[v] for v in variants], rotation=30, ha="right")
span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]} (van links naar rechts)"
ax1.set_title(f"{municipality}, {segment}: uitgaven per replicatie (punten) en gemiddelde (zwarte streep), {span}\n"
              "stippellijn: budget = gemiddelde trajectuitgaven", fontsize=10)
ax1.set_xlabel("bekostigingsvariant")
ax1.set_ylabel("uitgaven, duizend € per jaar")
ax1.annotate(f"budget {year0}", (1, budget0 / 1e3), xycoords=("axes fraction", "data"), xytext=(-4, 3),
             textcoords="offset points", ha="right", fontsize=8, color="0.4")
a0 = agg[agg["year"] == year0]
ax2.barh([vname[v] for v in a0["variant"].astype(str)], a0["kans_boven_budget"],
         color=[colors[v] for v in a0["variant"]])
ax2.invert_yaxis()
ax2.set_xlim(0, 1)
ax2.set_title(f"Kans op uitgaven boven het budget, {year0}")
ax2.set_xlabel(f"aandeel van {replications} replicaties")
ax2.set_ylabel("bekostigingsvariant")
save_figure(fig, out_dir, "spend_and_predictability", source, key=True)

# %%
payback = {v: cmp.payments[v].query("kind == 'payback' and year == @year0")
              .assign(municipality=lambda d: d["municipality"].astype(str))
              .query("municipality == @municipality")["amount"].sum() / replications for v in variants}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
ax1.bar([vname[v] for v in a0["variant"].astype(str)], a0["verrekening_gem"] / 1e3,
        color=[colors[v] for v in a0["variant"]], label="verrekening")
ax1.bar([vname[v] for v in a0["variant"].astype(str)], [payback[v] / 1e3 for v in a0["variant"].astype(str)],
        color="none", edgecolor="k", hatch="//", label="terugbetaling van lege plekdagen")
ax1.axhline(0, color="0.3", lw=0.8)
ax1.set_title(f"Verrekening (gevuld) en terugbetaling van lege plekdagen (gearceerd), {year0}\n(+ gemeente betaalt "
              "bij, - aanbieder betaalt terug)", fontsize=10)
ax1.set_xlabel("bekostigingsvariant")
ax1.set_ylabel("duizend € per jaar\n(gemiddelde over replicaties)")
ax1.tick_params(axis="x", rotation=30)
plt.setp(ax1.get_xticklabels(), ha="right")
m = a0.dropna(subset=["marge_gem"])
ax2.bar([vname[v] for v in m["variant"].astype(str)], m["marge_gem"] / 1e3, yerr=m["marge_sd"].fillna(0) / 1e3,
        capsize=3, color=[colors[v] for v in m["variant"]])
ax2.axhline(0, color="0.3", lw=0.8)
ax2.set_title(f"Marge van de aanbieders (samen), {year0}\ngemiddelde ± sd over replicaties = risico")
ax2.set_xlabel("bekostigingsvariant")
ax2.set_ylabel("duizend € per jaar")
ax2.tick_params(axis="x", rotation=30)
plt.setp(ax2.get_xticklabels(), ha="right")
save_figure(fig, out_dir, "settlements_and_margin", source)

# %% [markdown]
# ## Aangegane verplichtingen onder het budgetplafond
#
# Bij een budgetplafond telt naast de uitgaven het inzicht in wat de gemeente al heeft toegezegd (004,
# bijlage 1): elk toegewezen traject legt bij de toewijzing zijn geplande waarde vast op het plafond van
# zijn jaar, ook als de facturen pas later komen. De tabel geeft per maand, opgeteld over de aanbieders van
# de gemeente en gemiddeld over de replicaties, de verplichtingen tot en met die maand, het plafond, de
# ruimte die overblijft en wat tot dan toe gefactureerd is.
#
# Aannames: de geplande waarde van een traject is zijn tarief (waardering op trajectbasis, zoals de
# realisatie van het plafond); het plafond is de gemiddelde trajectuitgave per aanbieder uit de proefrun x
# `plafond_factor`; trajecten die al liepen bij de start (de beginstand) zijn vóór de periode toegewezen en
# tellen niet als verplichting van dit jaar, hun facturen wel; een voortzetting (verlenging, step-down) is
# een eigen toewijzing en wordt nooit tegengehouden, zodat de ruimte onder 0 kan komen.

# %%
if "plafond" in variants:
    com = commitments_per_month(cmp, municipality, year0)
    save_table(com, out_dir, "plafond_verplichtingen")
    com_year = com.iloc[-1]
    shown_com = pd.DataFrame({
        "maand": [f"{MONTHS[m - 1]} {year0}" for m in com["month"]],
        "Verplichtingen tot en met de maand": com["committed_cum"].map(euro),
        "Plafond": com["ceiling"].map(euro), "Ruimte": com["room"].map(euro),
        "Gefactureerd tot en met de maand": com["spent_cum"].map(euro)})
    display(dutch_table(shown_com))
else:
    com_year = None
    print("Geen budgetplafond onder de varianten van deze pagina: geen verplichtingen te tonen.")

# %% [markdown]
# ## Antwoord

# %%
a = a0.set_index(a0["variant"].astype(str))
steady = a["uitgaven_sd"].idxmin()
volatile = a["uitgaven_sd"].idxmax()
cheapest, dearest = a["uitgaven_gem"].idxmin(), a["uitgaven_gem"].idxmax()
top = a["marge_sd"].max()
risky = " en ".join(vname[v] for v in a.index[a["marge_sd"] >= top - 1]) if a["marge_sd"].notna().any() else "n.v.t."
settle = a["verrekening_gem"].abs().idxmax()
answer = (
    f"Standaardscenario Noord-Limburg. Voor {municipality} {segment} in {year0} lopen de gemiddelde uitgaven van "
    f"{euro(a.loc[cheapest, 'uitgaven_gem'])} ({vname[cheapest]}) tot {euro(a.loc[dearest, 'uitgaven_gem'])} "
    f"({vname[dearest]}); de uitgaven zijn het best voorspelbaar onder {vname[steady]} (sd "
    f"{euro(a.loc[steady, 'uitgaven_sd'])}) en het slechtst onder {vname[volatile]} (sd "
    f"{euro(a.loc[volatile, 'uitgaven_sd'])}, kans boven budget {percent(a.loc[volatile, 'kans_boven_budget'], 0)}; "
    f"budget = de gemiddelde trajectuitgaven). "
    f"De marge van de aanbieder (aanname: kosten {percent(cost_share, 0)} van het uurtarief per geleverd uur) is "
    f"het onzekerst onder {risky} (sd {euro(top)}), en de grootste gemiddelde "
    f"verrekening is {euro(a['verrekening_gem'].abs().max())} ({vname[settle]}); {replications} replicaties, dus "
    f"lees de kansen als ruwe schattingen. De tarieven zijn die van de gefinancierde basis (geprijsd op de uitgaven "
    f"2019, params/derive_funding.py), betaald onder de standaardconventies van docs/funding.md; {municipality} "
    f"verschilt van de andere gemeenten alleen in inwonertal en plekken (de documenten geven geen andere cijfers "
    f"per gemeente)."
)
if com_year is not None:
    answer += (f" Onder het budgetplafond heeft {municipality} eind {year0} gemiddeld {euro(com_year['committed_cum'])} "
               f"aan trajecten toegezegd tegen een plafond van {euro(com_year['ceiling'])} (ruimte "
               f"{euro(com_year['room'])}; toegezegd = geplande waarde bij toewijzing, zonder de beginstand).")
save_answer(out_dir, f"Hoe verhouden de bekostigingsvarianten zich voor {municipality} {segment} op uitgaven, "
            "voorspelbaarheid, verrekening en risico voor de aanbieder?", answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["spend_and_predictability", "settlements_and_margin"])
