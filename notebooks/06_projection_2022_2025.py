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
# does spend develop from 2022 to 2025, how much lower is it with the measures (growth 1.5 points
# lower for youth and 2 points lower for Wmo), and how uncertain is that?
#
# **Set-up.** *Autonomous*: the default scenario as it is (instroom grows 5% / 3% a year).
# *With measures*: the same 2022 instroom, growing from 2022 on by 1.5 (youth) and 2 (Wmo) points
# less a year; the note gives the size of the reduction "by 2025", here (an assumption) it applies
# fully from 2022. Both run on common random numbers. Spend is the documented fallback (the
# default scenario has no contracts): unique clients per segment x the segment's 2019 cost per
# count, in 2019 prices, so it grows with the clients in care, which follow the instroom with a
# lag (doorlooptijden of months to years). Bands: the range over replications (the spread of a
# year's spend); the difference between the variants is paired, with a 95% confidence interval.
#
# `segments` picks the segments to simulate (default: a small subset, so the notebook runs in
# seconds; `make run` uses "all"). The segments that a subset's clients move on to by opschaling are
# simulated too, but then receive only part of their inflow, so their growth is not representative:
# read the subset run as a demonstration and the "all" run as the projection.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
segments = ["S3", "S3b"]
replications = 2
seed = 1
horizon_years = 4
youth_reduction = 0.015
wmo_reduction = 0.02
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/06_projection_2022_2025"   # make run passes outputs/06_projection_2022_2025

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.report.helpers import focus, with_lower_growth
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.projection import fallback_spend, paired_difference, projection_bands
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="uncertainty bands", horizon_years=horizon_years, segments=segments, data_2019=data_2019,
                       source_note="; 2019 costs: note 004 par. 6", youth_reduction=youth_reduction,
                       wmo_reduction=wmo_reduction)
sc, source, segments = ctx.scenario, ctx.source, ctx.segments
ref = ctx.data_2019.set_index("segment")

# %% [markdown]
# ## The two variants

# %%
base = focus(sc.model_dump(mode="json", exclude_none=True), segments)
included = list(base["segments"])
first_year = sc.years[0]
measures = with_lower_growth(base, first_year, youth_reduction, wmo_reduction)
growth = pd.DataFrame({"autonomous": {s: v["instroom"].get("growth", 0.0) for s, v in base["segments"].items()},
                       "with measures": {s: v["instroom"]["growth"] for s, v in measures["segments"].items()}})
print(f"segments simulated: {included} (asked: {segments}; the others receive their clients by opschaling)")
growth.map(lambda g: f"{g:.1%}")

# %%
per_rep = fallback_spend({"autonomous": base, "with measures": measures}, ref, seed, replications, workers)
proj = projection_bands(per_rep)
save_table(proj, out_dir, "spend_projection")
# paired difference (with measures - autonomous) per year, on common random numbers
d = paired_difference(per_rep, "with measures", "autonomous")
save_table(d, out_dir, "measures_minus_autonomous")
proj[proj["domain"] == "total"].round(0)

# %%
years = sc.years
ref_total = ref.loc[included, "cost_eur_2019"]
g_doc = pd.Series({s: base["segments"][s]["instroom"].get("growth", 0.0) for s in included})
doc_line = [float((ref_total * (1 + g_doc) ** (y - 2019)).sum()) for y in years]
colors = {"autonomous": "#c44e52", "with measures": "#55a868"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1.4, 1]})
for v, c in colors.items():
    p = proj[(proj["variant"] == v) & (proj["domain"] == "total")]
    ax1.fill_between(p["year"], p["min"] / 1e6, p["max"] / 1e6, color=c, alpha=0.25)
    ax1.plot(p["year"], p["gem"] / 1e6, "o-", color=c, label=f"model, {v} (mean; band: range over replications)")
ax1.plot(years, np.array(doc_line) / 1e6, "k--", lw=1, label="2019 spend x documented growth (no lag)")
ax1.set_xticks(years)
ax1.set_title(f"Spend {years[0]}-{years[-1]}, segments {', '.join(included)} (2019 prices)")
ax1.set_xlabel("year")
ax1.set_ylabel("EUR million per year")
ax1.legend(fontsize=8)
ax2.bar(d["year"], d["gem"] / 1e6, color="#55a868",
        yerr=[(d["gem"] - d["ci_laag"]).fillna(0) / 1e6, (d["ci_hoog"] - d["gem"]).fillna(0) / 1e6], capsize=3)
ax2.axhline(0, color="0.3", lw=0.8)
ax2.set_xticks(years)
ax2.set_title("With measures minus autonomous (paired, 95% CI)")
ax2.set_xlabel("year")
ax2.set_ylabel("EUR million per year")
save_figure(fig, out_dir, "spend_projection", source, key=True)

# %%
doms = [x for x in ["jeugd", "wmo"] if x in set(proj["domain"])]
fig, axes = plt.subplots(1, len(doms), figsize=(6 * len(doms), 4.3), squeeze=False)
for ax, dom in zip(axes[0], doms):
    for v, c in colors.items():
        p = proj[(proj["variant"] == v) & (proj["domain"] == dom)]
        idx = 100 * p["gem"] / p["gem"].iloc[0]
        ax.fill_between(p["year"], 100 * p["min"] / p["gem"].iloc[0], 100 * p["max"] / p["gem"].iloc[0], color=c,
                        alpha=0.2)
        ax.plot(p["year"], idx, "o-", color=c, label=v)
    ax.set_xticks(years)
    ax.set_title(f"{dom}: spend index ({years[0]} = 100), range over replications")
    ax.set_xlabel("year")
    ax.set_ylabel(f"index ({years[0]} = 100)")
    ax.legend(fontsize=8)
save_figure(fig, out_dir, "index_per_domain", source)

# %% [markdown]
# ## Answer

# %%
t = proj[proj["domain"] == "total"].set_index(["variant", "year"])
y0, y1 = years[0], years[-1]
auto0, auto1 = t.loc[("autonomous", y0), "gem"], t.loc[("autonomous", y1), "gem"]
meas1 = t.loc[("with measures", y1), "gem"]
n = max(y1 - y0, 1)
dd = d.set_index("year").loc[y1]
answer = (
    f"For segments {', '.join(included)}, spend (2019 prices) goes from EUR {auto0 / 1e6:.2f} M in {y0} to "
    f"EUR {auto1 / 1e6:.2f} M in {y1} without measures ({100 * ((auto1 / auto0) ** (1 / n) - 1):.1f}% a year) and to "
    f"EUR {meas1 / 1e6:.2f} M with the measures ({100 * ((meas1 / auto0) ** (1 / n) - 1):.1f}% a year). "
    f"The measures save EUR {-dd['gem'] / 1e6:.2f} M in {y1} (95% CI {-dd['ci_hoog'] / 1e6:.2f} to "
    f"{-dd['ci_laag'] / 1e6:.2f} M, paired over {replications} replications); spend follows the instroom with a lag, "
    f"so early-year savings are smaller than the growth rates alone suggest."
)
save_answer(out_dir, f"How does spend grow {y0}-{y1} with the documented growth rates, and with the measures?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["spend_projection", "index_per_domain"])
