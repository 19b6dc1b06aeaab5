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
# # 04 Funding variants side by side: spend, predictability, settlements and provider risk
#
# **Question.** For one municipality and segment (default Venlo, youth S3), how do the eight
# bekostiging variants compare on spend per year, its spread across replications
# (predictability), the probability of exceeding the budget, the year-end settlements, and the
# providers' margin and its risk?
#
# **Set-up.** Every variant is the default scenario (cut to the segment and the segments its clients
# move on to) with contracts for the chosen municipality at every provider of the segment; the
# other municipalities keep trajecten without contracts (not counted). All variants see the same
# clients (common random numbers). Amounts are set from a pilot run of the trajecten variant on
# other random numbers (5 replications), so every variant is "priced" at the same expected volume:
#
# | variant | parameters (all assumptions unless stated) |
# |---|---|
# | traject | tariff per type: the scenario's own (planned hours x the segment's rate, priced on 2019 spend by params/derive_funding.py), paid under the standard conventions of docs/funding.md |
# | pxq | that hourly rate per delivered hour |
# | output_monthly | tariff / planned months, per client per month in care |
# | plekken | N = pilot load / `target_bezetting`; plek-year price = tariff x 365 / planned doorlooptijd; empty plek-days paid back |
# | budget | pilot mean traject spend; settled on realisation outside `budget_band` (note 004: band 0 in the first years) |
# | plafond | ceiling = pilot mean traject spend x `plafond_factor`; admissions stop at the ceiling |
# | lumpsum | pilot mean traject spend; never settled |
# | population | per expected client (pilot clients) x pilot spend per client; settled outside `population_band` (004: e.g. 10%) |
#
# Provider cost (assumption): `cost_share` x the hourly rate per delivered hour. The budget for
# "probability of exceeding the budget" is the mean spend under trajecten (the reference).

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
out_dir = "outputs/scratch/04_funding_variants"   # make run passes outputs/04_funding_variants

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
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.variants import PILOT_REPLICATIONS, pilot_volumes, variant_fields, variant_summary

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="spread and CIs", horizon_years=horizon_years, municipality=municipality, segment=segment,
                       variants=variants, data_2019=data_2019, target_bezetting=target_bezetting,
                       plafond_factor=plafond_factor, cost_share=cost_share)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## Pricing every variant at the same expected volume

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
cmp = compare(base, overlays, replications=replications, seed=seed, reference="traject", workers=workers)
print(f"tariffs {tariffs}; hourly rate EUR {rate:,.2f}; provider cost EUR {cost_share * rate:,.2f} per hour")
print(pd.Series({p: v for (p, y), v in spend_pp.items() if y == sc.years[0]}, name="pilot spend per provider").round(0))

# %% [markdown]
# ## Results per variant

# %%
pr = cmp.per_replication[cmp.per_replication["municipality"] == municipality]
agg = variant_summary(cmp, municipality, variants)
save_table(agg, out_dir, "variants")
agg[["variant", "year", "uitgaven_gem", "uitgaven_sd", "uitgaven_cv_pct", "kans_boven_budget", "verrekening_gem", "marge_gem",
     "marge_sd", "p_marge_negatief", "wacht_dagen_gem"]].round(2)

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
ax1.axhline(budget0 / 1e3, color="0.4", ls="--", lw=0.8, label=f"budget {year0} (mean traject spend)")
ax1.set_xticks(x, variants, rotation=30, ha="right")
span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]} (left to right)"
ax1.set_title(f"{municipality}, {segment}: spend per replication (dots) and mean (black line), {span}")
ax1.set_xlabel("bekostiging variant")
ax1.set_ylabel("spend, EUR thousand per year")
ax1.legend(fontsize=8)
a0 = agg[agg["year"] == year0]
ax2.barh(a0["variant"].astype(str), a0["kans_boven_budget"], color=[colors[v] for v in a0["variant"]])
ax2.invert_yaxis()
ax2.set_xlim(0, 1)
ax2.set_title(f"Probability spend exceeds the budget, {year0}")
ax2.set_xlabel(f"share of {replications} replications")
ax2.set_ylabel("bekostiging variant")
save_figure(fig, out_dir, "spend_and_predictability", source, key=True)

# %%
payback = {v: cmp.payments[v].query("kind == 'payback' and year == @year0")
              .assign(municipality=lambda d: d["municipality"].astype(str))
              .query("municipality == @municipality")["amount"].sum() / replications for v in variants}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
ax1.bar(a0["variant"].astype(str), a0["verrekening_gem"] / 1e3, color=[colors[v] for v in a0["variant"]],
        label="verrekening (settlement)")
ax1.bar(a0["variant"].astype(str), [payback[v] / 1e3 for v in a0["variant"].astype(str)], color="none",
        edgecolor="k", hatch="//", label="terugbetaling of empty plek-days")
ax1.legend(fontsize=8)
ax1.axhline(0, color="0.3", lw=0.8)
ax1.set_title(f"Year-end settlement and payback, {year0}\n(+ municipality pays extra, - provider pays back)")
ax1.set_xlabel("bekostiging variant")
ax1.set_ylabel("EUR thousand per year (mean over replications)")
ax1.tick_params(axis="x", rotation=30)
m = a0.dropna(subset=["marge_gem"])
ax2.bar(m["variant"].astype(str), m["marge_gem"] / 1e3, yerr=m["marge_sd"].fillna(0) / 1e3, capsize=3,
        color=[colors[v] for v in m["variant"]])
ax2.axhline(0, color="0.3", lw=0.8)
ax2.set_title(f"Provider margin (all providers together), {year0}\nmean +- sd across replications = risk")
ax2.set_xlabel("bekostiging variant")
ax2.set_ylabel("EUR thousand per year")
ax2.tick_params(axis="x", rotation=30)
save_figure(fig, out_dir, "settlements_and_margin", source)

# %% [markdown]
# ## Answer

# %%
a = a0.set_index(a0["variant"].astype(str))
steady = a["uitgaven_sd"].idxmin()
volatile = a["uitgaven_sd"].idxmax()
cheapest, dearest = a["uitgaven_gem"].idxmin(), a["uitgaven_gem"].idxmax()
top = a["marge_sd"].max()
risky = " and ".join(a.index[a["marge_sd"] >= top - 1]) if a["marge_sd"].notna().any() else "n/a"
answer = (
    f"For {municipality} {segment} in {year0}, mean spend ranges from EUR {a.loc[cheapest, 'uitgaven_gem']:,.0f} "
    f"({cheapest}) to EUR {a.loc[dearest, 'uitgaven_gem']:,.0f} ({dearest}); spend is most predictable under "
    f"{steady} (sd EUR {a.loc[steady, 'uitgaven_sd']:,.0f}) and least under {volatile} (sd EUR "
    f"{a.loc[volatile, 'uitgaven_sd']:,.0f}, P(over budget) {a.loc[volatile, 'kans_boven_budget']:.0%}). "
    f"The provider's margin is most uncertain under {risky} (sd EUR {top:,.0f}), "
    f"and the largest mean settlement is EUR {a['verrekening_gem'].abs().max():,.0f} "
    f"({a['verrekening_gem'].abs().idxmax()}); {replications} replications, so treat probabilities as rough. "
    f"Tariffs are the funded baseline's (priced on 2019 spend, params/derive_funding.py), paid under the standard "
    f"conventions of docs/funding.md; {municipality} differs from the other municipalities only by population and "
    f"its plekken (the documents give no other per-municipality figures)."
)
save_answer(out_dir, f"How do the funding variants compare for {municipality} {segment} on spend, predictability, "
            "settlements and provider risk?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["spend_and_predictability", "settlements_and_margin"])
