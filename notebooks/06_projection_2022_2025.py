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
# # 06 Projection 2022-2025: how fast does spend grow, with and without the measures?
#
# **Question.** With the documents' growth rates (youth 5%, Wmo 3% a year, note 004 par. 6), how
# does spend develop from 2022 to 2025, how much lower is it with the note's measures, and how does
# the model's 2025 total compare with the note's > EUR 140 M without and ~ EUR 134 M with measures?
#
# **Set-up.** *Autonomous*: the scenario as it is. *With measures*: the same scenario with the
# measures the note names (004 par. 6), from 1 January 2023 (the note: costs rise less fast from 2023
# on), as `maatregelen` of the scenario (they change only trajecten that start, or toewijzingen made,
# on or after that date):
# - more ambulant alternatives instead of verblijf (youth S1): a share of the new S1 toewijzingen goes
#   to an ambulant traject type instead;
# - faster outflow from residential treatment to a woonplek (youth S2): S1 trajecten that end in
#   doorstroom to S2 are shorter;
# - shorter doorlooptijden of treatment (several Wmo and youth segments): a doorlooptijd factor.
#
# The documents give none of the sizes: each is a labelled assumption in the parameters cell. The
# two doorlooptijd factors (youth, Wmo) are calibrated by a short loop so that the mean yearly spend
# growth 2022-2025 is `youth_reduction` / `wmo_reduction` lower than without measures (the note's
# 1.5 and 2 points, footnote 3); the ambulant share and the outflow factor are set by hand. Spend is
# what the scenario's funding contracts pay (`compute_payments`), in nominal euros (the contract
# prices of each year; the growth shown is nominal). Both variants run on common random numbers, so
# 2022 is identical in both (checked below) and every difference is paired, with a 95% confidence
# interval over replications.
#
# `segments` picks the segments to simulate (default: a small subset, so the notebook runs in
# under a minute; `make run` uses "all"). The segments a subset's clients move on to (opschaling, the
# ambulant alternative) are simulated too, but receive only part of their inflow: read the subset run
# as a demonstration and the "all" run as the projection.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"   # needs a funding: section (spend comes from the payment rules)
segments = ["S1", "S1a"]
replications = 2
seed = 1
horizon_years = 4
measures_from = "2023-01-01"   # 004 par. 6: with measures costs rise less fast from 2023 on
youth_reduction = 0.015        # 004 par. 6 footnote 3: by 2025 youth costs rise 1.5 points less fast (calibration target)
wmo_reduction = 0.02           # 004 par. 6 footnote 3: by 2025 Wmo costs rise 2 points less fast (calibration target)
ambulant_share = 0.15          # assumption: one in seven new S1 toewijzingen becomes ambulant; the note gives no size
ambulant_to = {"segment": "S4", "traject_type": "intensief"}   # assumption: the intensive ambulant S4 type
outflow_factor = 0.8           # assumption: S1 trajecten ending in doorstroom to a woonplek (S2) 20% shorter
youth_shorter = ["S3", "S4"]   # assumption: the youth treatment segments with shorter doorlooptijden
wmo_shorter = ["S1a", "S1b", "S2a", "S2b"]   # assumption: Wmo begeleiding segments (not huishoudelijke hulp, logeren)
calibration_steps = 5
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/06_projection_2022_2025"   # make run passes outputs/06_projection_2022_2025

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from simulation.report.helpers import focus, measures_builder
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.projection import (calibrate_measures, growth_reduction, paired_difference, projection_bands,
                                          reconciliation, unpaid_segments, yearly_growth)
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="uncertainty bands", horizon_years=horizon_years, segments=segments, data_2019=data_2019,
                       source_note="; 2019 spend and the note's totals: note 004 par. 6", youth_reduction=youth_reduction,
                       wmo_reduction=wmo_reduction)
sc, source, segments = ctx.scenario, ctx.source, ctx.segments
years = sc.years
first_year, last_year = years[0], years[-1]

# %% [markdown]
# ## The two variants and the calibration of the measures

# %%
SOURCE = "assumption: size not in the documents (notebook 06 parameters); doorlooptijd factors calibrated on 004 par. 6 fn. 3"
raw = sc.model_dump(mode="json", exclude_none=True)
sizes = dict(ambulant_share=ambulant_share, ambulant_to=ambulant_to, outflow_factor=outflow_factor,
             youth_segments=youth_shorter, wmo_segments=wmo_shorter, source=SOURCE)
# the segments asked for plus where their clients go (opschaling, the ambulant alternative); no measures yet
base = focus(measures_builder(raw, measures_from, **sizes)({}), segments)
base["maatregelen"] = []
build = measures_builder(base, measures_from, **sizes)   # doorlooptijd factors per domain -> the scenario with measures
included = list(base["segments"])
domains = {s: v["domain"] for s, v in base["segments"].items()}
targets = {d: r for d, r in (("jeugd", youth_reduction), ("wmo", wmo_reduction)) if d in domains.values()}
print(f"segments simulated: {included} (asked: {segments}; the others receive their clients by opschaling or a measure)")
print(f"segments no contract pays (missing from the spend): {unpaid_segments(base) or 'none'}")
factors, per_rep, history = calibrate_measures(base, build, targets, seed, replications, workers, first=first_year,
                                               last=last_year, max_iter=calibration_steps)
save_table(history, out_dir, "calibration_steps")
history

# %%
measures = pd.DataFrame(build(factors)["maatregelen"])
save_table(measures, out_dir, "measures")
measures

# %%
proj = projection_bands(per_rep)
save_table(proj, out_dir, "spend_projection")
d = paired_difference(per_rep, "with measures", "autonomous")   # with measures - autonomous, paired per replication
save_table(d, out_dir, "measures_minus_autonomous")
reduction = growth_reduction(per_rep, "with measures", "autonomous", first_year, last_year)
save_table(reduction, out_dir, "growth_reduction")
growth = yearly_growth(per_rep)
save_table(growth, out_dir, "yearly_growth")
# the warm-up artefact of the earlier projection (2022 dearer with measures) cannot occur: measures
# from 2023 leave 2022 unchanged on common random numbers
first = per_rep[per_rep["year"] == first_year].pivot_table(index=["replication", "domain"], columns="variant",
                                                             values="uitgaven")
assert (first["autonomous"] == first["with measures"]).all(), "2022 differs between the variants"
reduction.round(4)

# %%
growth.pivot_table(index=["domain", "year"], columns="variant", values="growth").map(lambda g: f"{g:+.1%}")

# %%
colors = {"autonomous": "#c44e52", "with measures": "#55a868"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1.4, 1]})
for v, c in colors.items():
    p = proj[(proj["variant"] == v) & (proj["domain"] == "total")]
    ax1.fill_between(p["year"], p["min"] / 1e6, p["max"] / 1e6, color=c, alpha=0.25)
    ax1.plot(p["year"], p["gem"] / 1e6, "o-", color=c, label=f"model, {v} (mean; band: range over replications)")
ax1.axvline(int(measures_from[:4]) - 0.5, color="0.5", lw=0.8, ls=":")
ax1.set_xticks(years)
ax1.set_title(f"Spend {first_year}-{last_year} paid by the contracts, segments {', '.join(included)} (nominal)")
ax1.set_xlabel("year")
ax1.set_ylabel("EUR million per year (nominal)")
ax1.legend(fontsize=8)
ax2.bar(d["year"], d["gem"] / 1e6, color="#55a868",
        yerr=[(d["gem"] - d["ci_laag"]).fillna(0) / 1e6, (d["ci_hoog"] - d["gem"]).fillna(0) / 1e6], capsize=3)
ax2.axhline(0, color="0.3", lw=0.8)
ax2.set_xticks(years)
ax2.set_title("With measures minus autonomous (paired, 95% CI)")
ax2.set_xlabel("year")
ax2.set_ylabel("EUR million per year (nominal)")
save_figure(fig, out_dir, "spend_projection", source, key=True)

# %%
doms = [x for x in ["jeugd", "wmo"] if x in set(proj["domain"])]
fig, axes = plt.subplots(1, len(doms), figsize=(6 * len(doms), 4.3), squeeze=False)
for ax, dom in zip(axes[0], doms):
    for v, c in colors.items():
        p = proj[(proj["variant"] == v) & (proj["domain"] == dom)]
        ax.fill_between(p["year"], 100 * p["min"] / p["gem"].iloc[0], 100 * p["max"] / p["gem"].iloc[0], color=c,
                        alpha=0.2)
        ax.plot(p["year"], 100 * p["gem"] / p["gem"].iloc[0], "o-", color=c, label=v)
    ax.set_xticks(years)
    ax.set_title(f"{dom}: nominal spend index ({first_year} = 100), range over replications")
    ax.set_xlabel("year")
    ax.set_ylabel(f"index ({first_year} = 100)")
    ax.legend(fontsize=8)
save_figure(fig, out_dir, "index_per_domain", source)

# %% [markdown]
# ## Reconciliation with note 004
#
# The note's totals cover youth, Wmo and participatie maatwerk **including PGB and algemene
# voorzieningen** and excluding Beschermd Wonen. The model covers maatwerk in natura only: the youth
# segments S1-S4 and Wmo S1a-S3b it simulates, paid by their contracts. The documents do not give
# the 2019 total of the note's scope, its split into youth, Wmo and participatie, the PGB and
# algemene-voorzieningen amounts, or how the note turned its rates into the 2025 figures (base year,
# whether the reduction applies in 2023 and 2024 too); the one participatie figure is S1 2019 spend
# of EUR 0.55 M (par. 7.3). The middle row applies the note's rates to the 2019 spend of the model's
# segments without lag, as the note does: it shows how much of the gap is scope and how much the
# model's dynamics (lags, the payment rules).

# %%
recon = reconciliation(per_rep, ctx.data_2019, included, last_year)
save_table(recon, out_dir, "reconciliation_note_004")
print(recon.attrs["coverage"])
recon.assign(**{c: (recon[c] / 1e6).round(1) for c in ["without_measures", "with_measures", "difference"]}).round(
    {"difference_pct": 1})

# %% [markdown]
# ## Answer

# %%
t = proj[proj["domain"] == "total"].set_index(["variant", "year"])
auto0, auto1 = t.loc[("autonomous", first_year), "gem"], t.loc[("autonomous", last_year), "gem"]
meas1 = t.loc[("with measures", last_year), "gem"]
n = max(last_year - first_year, 1)
dd = d.set_index("year").loc[last_year]
red = reduction.set_index("domain")
parts = "; ".join(f"{dom} {red.loc[dom, 'reduction_points']:.1f} points (target {100 * targets[dom]:.1f}; doorlooptijd "
                  f"factor {factors[dom]:.2f})" for dom in targets if dom in red.index)
model = recon.set_index("source").loc["model"]
answer = (
    f"For segments {', '.join(included)}, spend paid by the contracts (nominal) goes from EUR {auto0 / 1e6:.2f} M in "
    f"{first_year} to EUR {auto1 / 1e6:.2f} M in {last_year} without measures ({100 * ((auto1 / auto0) ** (1 / n) - 1):.1f}% "
    f"a year) and to EUR {meas1 / 1e6:.2f} M with the measures from {measures_from[:4]} "
    f"({100 * ((meas1 / auto0) ** (1 / n) - 1):.1f}% a year): EUR {-dd['gem'] / 1e6:.2f} M less in {last_year} "
    f"(95% CI {-dd['ci_hoog'] / 1e6:.2f} to {-dd['ci_laag'] / 1e6:.2f} M, paired over {replications} replications). "
    f"Yearly growth {first_year}-{last_year} is lower by {parts}. The note expects > EUR 140 M without and ~ EUR 134 M "
    f"with measures in 2025 ({-100 * 6 / 140:.1f}%) for a wider scope (also PGB, algemene voorzieningen, participatie); "
    f"the model's {model['year']} difference is {model['difference_pct']:.1f}%. {recon.attrs['coverage']}."
)
save_answer(out_dir, f"How does spend grow {first_year}-{last_year} with the documented growth rates, and with the "
            "measures of note 004?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["spend_projection", "index_per_domain"])
