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
# # 09 Regio's vergeleken: dezelfde cliënten onder de bekostiging van elke regio
#
# **Vraag.** Wat zouden dezelfde cliënten kosten, en hoe lang zouden ze wachten, onder het
# bekostigingsontwerp van elke regio? Hoe voorspelbaar zijn de uitgaven (spreiding per jaar, kans
# boven het budget), wat betekent het voor de marge en het risico van aanbieders, voor de bezetting
# en voor de afschaling naar het voorliggend veld; welk ontwerp past bij welk segment; en welke
# uitkomsten rusten op aannames in plaats van op cijfers uit de documenten?
#
# **Opzet.** De cliëntenpopulatie is die van Noord-Limburg (`params/noord-limburg.yaml`, ingekort tot
# de gekozen segmenten en de segmenten waar hun cliënten naar doorstromen). Elk ontwerp is een
# bekostigingsoverlay in `params/designs/*.yaml` die het ontwerp van een regio toepast op de
# cliënten van Noord-Limburg; het notebook neemt elk bestand dat in die map staat, plus de eigen
# bekostiging van Noord-Limburg als referentie. Alle ontwerpen zien dezelfde cliënten (common random
# numbers: zelfde seed, zelfde replicaties). Het budget voor "kans boven budget" is de gemiddelde
# uitgave onder de referentie. Kosten van aanbieders (aanname, voor alle ontwerpen gelijk):
# `cost_share` x het tarief per eenheid zorg van het segment per geleverde eenheid.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"   # de cliënten van Noord-Limburg onder elk ontwerp
designs_dir = "params/designs"   # de bekostigingsontwerpen van de regio's
segments = ["S3b", "S2b"]   # de gesimuleerde segmenten
replications = 2
seed = 1
horizon_years = 1   # jaren
cost_share = 0.9   # kosten van aanbieders als deel van het tarief per eenheid zorg (aanname)
workers = 1   # processen
out_dir = "outputs/scratch/09_regio_vergelijking"   # make run geeft outputs/09_regio_vergelijking

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml

from simulation.config.scenario import scenario_from_dict
from simulation.report.figures import wrapped
from simulation.report.helpers import focus
from simulation.report.labels import euro, name, number, percent
from simulation.report.notebooks import expect_outputs, project_path, save_answer, save_figure, save_table
from simulation.report.regions import (REFERENCE, design_files, design_overlays, per_segment, provider_costs,
                                       region_summary, run_designs, segment_summary, source_audit, suits)
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="spreiding en kans boven budget", horizon_years=horizon_years, segments=segments,
                       cost_share=cost_share)
sc, source = ctx.scenario, ctx.source
base = focus(sc.model_dump(mode="json", exclude_none=True), ctx.segments)
base_sc = scenario_from_dict(base, source="focus")
designs = design_files(project_path(designs_dir))
overlays, covered = design_overlays(base, designs, provider_costs(base_sc, cost_share))
save_table(covered, out_dir, "ontwerpen")
print(f"segmenten: {', '.join(base_sc.segments)}; ontwerpen in {designs_dir}: {', '.join(designs) or 'geen'}")
dutch_table(covered)

# %% [markdown]
# ## Alle ontwerpen op dezelfde cliënten

# %%
cmp = run_designs(base, overlays, replications=replications, seed=seed, workers=workers)
seg = per_segment(cmp)
region = region_summary(cmp, seg)
save_table(region, out_dir, "regio_per_ontwerp")
shown = region.assign(**{
    "uitgaven": region["uitgaven_gem"].map(euro), "spreiding per jaar (sd)": region["uitgaven_sd"].map(euro),
    "kans boven budget": region["kans_boven_budget"].map(lambda v: percent(v, 0)),
    "marge aanbieders": region["marge_gem"].map(euro), "spreiding marge (sd)": region["marge_sd"].map(euro),
    "wachttijd (dagen)": region["wacht_dagen_gem"].map(lambda v: number(v, 1)),
    "bezetting": region["bezettingsgraad"].map(percent),
    "afschaling": region["aandeel_afschaling"].map(percent)})
dutch_table(shown[["ontwerp", "year", "uitgaven", "spreiding per jaar (sd)", "kans boven budget", "marge aanbieders",
                   "spreiding marge (sd)",
       "wachttijd (dagen)", "bezetting", "afschaling"]].rename(columns={"ontwerp": "Ontwerp", "year": name("column", "year")}))

# %%
names = list(overlays)
colors = dict(zip(names, plt.cm.tab10.colors))
ticks = [wrapped(n, 10) for n in names]   # horizontal, on short lines: rotated labels ran into each other
year0 = sc.years[0]
r0 = region[region["year"] == year0].set_index("ontwerp").reindex(names)
per_rep = seg[seg["year"] == year0].groupby(["ontwerp", "replication"])["uitgaven"].sum()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
for i, n in enumerate(names):
    vals = per_rep.loc[n] / 1e3 if n in per_rep.index.get_level_values(0) else pd.Series(dtype=float)
    ax1.scatter(np.full(len(vals), i), vals, s=16, color=colors[n], alpha=0.7)
    ax1.plot([i - 0.2, i + 0.2], [vals.mean()] * 2, color="k", lw=1.5)
ax1.axhline(r0.loc[REFERENCE, "budget"] / 1e3, color="0.4", ls="--", lw=0.8, label="budget (gemiddelde referentie)")
ax1.set_xticks(range(len(names)), ticks, fontsize=9)
ax1.set_title(f"Uitgaven {year0} per replicatie (punten) en gemiddeld (lijn)")
ax1.set_xlabel("bekostigingsontwerp")
ax1.set_ylabel("uitgaven, EUR duizend per jaar")
ax1.legend(fontsize=8)
ax2.bar(ticks, r0["wacht_dagen_gem"].fillna(0), color=[colors[n] for n in names])
ax2.set_title(f"Gemiddelde wachttijd van nieuwe trajecten, {year0}")
ax2.set_xlabel("bekostigingsontwerp")
ax2.set_ylabel("dagen")
ax2.tick_params(axis="x", labelsize=9)
save_figure(fig, out_dir, "uitgaven_en_wachttijd", source, key=True)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
ax1.bar(ticks, r0["marge_gem"].fillna(0) / 1e3, yerr=r0["marge_sd"].fillna(0) / 1e3, capsize=3,
        color=[colors[n] for n in names])
ax1.axhline(0, color="0.3", lw=0.8)
ax1.set_title(f"Marge van alle aanbieders samen, {year0}\n(gemiddelde +- sd over replicaties = risico)")
ax1.set_xlabel("bekostigingsontwerp")
ax1.set_ylabel("EUR duizend per jaar")
ax1.tick_params(axis="x", labelsize=9)
ax2.bar(ticks, r0["aandeel_afschaling"].fillna(0), color=[colors[n] for n in names])
ax2.set_ylim(0, 1)
ax2.set_title(wrapped(f"Aandeel afgesloten trajecten afgeschaald naar het voorliggend veld, {year0}", 50))
ax2.set_xlabel("bekostigingsontwerp")
ax2.set_ylabel("aandeel van de afgesloten trajecten")
ax2.tick_params(axis="x", labelsize=9)
save_figure(fig, out_dir, "marge_en_afschaling", source)

# %% [markdown]
# ## Welk ontwerp past bij welk segment
#
# Per segment het ontwerp met de kleinste spreiding van de uitgaven (variatiecoëfficiënt over
# replicatie-jaren) onder de ontwerpen waarvan de gemiddelde wachttijd hooguit 5 dagen (of 10%)
# boven de kortste ligt; bij gelijke spreiding de laagste uitgaven. Een regel, geen oordeel: de
# documenten wegen voorspelbaarheid, wachttijd en sturing elk anders.

# %%
segs = segment_summary(seg)
save_table(segs, out_dir, "segment_per_ontwerp")
fit = suits(segs)
save_table(fit, out_dir, "ontwerp_per_segment")
dutch_table(fit.assign(**{"uitgaven": fit["uitgaven_gem"].map(euro),
                         "spreiding (% van gemiddelde)": fit["uitgaven_cv"].map(percent),
                         "wachttijd (dagen)": fit["wacht_dagen_gem"].map(lambda v: number(v, 1))})[
    ["segment", "ontwerp", "uitgaven", "spreiding (% van gemiddelde)", "wachttijd (dagen)", "kortste_wacht",
     "laagste_uitgaven"]])

# %% [markdown]
# ## Wat rust op aannames
#
# Per bestand de regels met een getal: met een bron in de documenten (document en paragraaf, of een prijs
# afgeleid van de referentie), met het label "assumption", of zonder een van beide. De cliëntenstroom
# zelf (doorlooptijden, uitkomsten, marktaandelen) is voor alle ontwerpen die van Noord-Limburg en
# grotendeels aanname (zie de kop van `params/noord-limburg.yaml`); verschillen tussen ontwerpen komen
# uit de bekostiging, en wegen zo zwaar als de bedragen in het ontwerp onderbouwd zijn.

# %%
audit = source_audit({REFERENCE: project_path(scenario), **designs})
save_table(audit, out_dir, "bronnen_en_aannames")
dutch_table(audit.assign(aandeel_aanname=audit["aandeel_aanname"].map(percent)))

# %% [markdown]
# ## Antwoord

# %%
r = r0.dropna(subset=["uitgaven_gem"])
cheap, dear = r["uitgaven_gem"].idxmin(), r["uitgaven_gem"].idxmax()
steady, wait_best = r["uitgaven_sd"].idxmin(), r["wacht_dagen_gem"].idxmin()
assumed = audit.set_index("ontwerp")["aandeel_aanname"]
per_seg = "; ".join(f"{s}: {d}" for s, d in zip(fit["segment"], fit["ontwerp"]))
answer = (
    f"Voor dezelfde cliënten van Noord-Limburg ({', '.join(base_sc.segments)}, {year0}) lopen de gemiddelde uitgaven "
    f"uiteen van {euro(r.loc[cheap, 'uitgaven_gem'])} ({cheap}) tot {euro(r.loc[dear, 'uitgaven_gem'])} ({dear}); "
    f"het meest voorspelbaar is {steady} (sd {euro(r.loc[steady, 'uitgaven_sd'])} per jaar), de kortste wachttijd "
    f"heeft {wait_best} ({number(r.loc[wait_best, 'wacht_dagen_gem'], 1)} dagen). Per segment past volgens de "
    f"regel hierboven: {per_seg}. Aandeel regels met een getal dat een aanname is: "
    + ", ".join(f"{k} {percent(v, 0)}" for k, v in assumed.items())
    + f". {replications} replicaties: lees kansen en spreiding als grove indicatie."
)
save_answer(out_dir, "Wat kosten dezelfde cliënten, en hoe lang wachten ze, onder het bekostigingsontwerp van elke "
            "regio?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
expect_outputs(out_dir, ["uitgaven_en_wachttijd", "marge_en_afschaling"])
