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
# # 02 Calibration: does the first simulated year match the 2019 figures?
#
# **Question.** Per segment, how close are the clients and the spend of the scenario's first
# simulated year to the 2019 figures of note 004 par. 6, grown to that year by the documented
# growth rates (youth 5%, Wmo 3% a year)?
#
# The default scenario is calibrated that way: `params/derive_instroom.py` sets the instroom so
# that the first year (2022) serves `count_2019 x (1 + growth)^3` clients per segment. So the
# target here is the 2019 count and spend grown to the first simulated year.
#
# **Spend.** Spend is what the funding rules pay (`simulation.funding.payments`) under the
# scenario's contracts. The default scenario carries the contracts of note 004 par. 7 per segment
# (trajecten, regional budgets settled on realisation, Venlo's plekken, a price per etmaal with
# bonus-malus, budgetplafonds, population funding, PxQ), priced by `params/derive_funding.py`:
# one rate per hour (or etmaal) of care per segment, solved so that the first year pays the 2019
# spend grown like the counts. The spend check is therefore a check of that pricing through the
# payment rules, on other random numbers than the derivation used. Only a segment without
# contracts falls back to unique clients x the 2019 cost per count; the table says which basis
# each segment used.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
replications = 2
seed = 1
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/02_calibration_2019"   # make run passes outputs/02_calibration_2019

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulation import simulate
from simulation.report.calibration_check import calibration_table
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=1, data_2019=data_2019,
                       source_note="; 2019: note 004 par. 6")
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019
first_year = sc.years[0]
print(f"{sc.name}: first simulated year {first_year}, {len(sc.segments)} segments, "
      f"{'with' if sc.funding and sc.funding.contracts else 'without'} funding contracts")

# %%
result = simulate(sc, seed=seed, replications=replications, workers=workers)
print(result.warmup_description)

# %% [markdown]
# ## Model and target per segment

# %%
table, contract_segments = calibration_table(sc, result.events, ref)
save_table(table, out_dir, "calibration_per_segment")
table[["segment", "domain", f"clients_target_{first_year}", f"clients_model_{first_year}", "clients_error_pct",
       f"spend_target_{first_year}_eur", f"spend_model_{first_year}_eur", "spend_error_pct", "spend_basis"]]

# %%
segs = table["segment"].tolist()
x = np.arange(len(segs))
fig, axes = plt.subplots(1, 3, figsize=(14, 4.8), gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
ax = axes[0]
ax.bar(x - 0.2, table[f"clients_target_{first_year}"], 0.4, label=f"2019 grown to {first_year}", color="0.6")
ax.bar(x + 0.2, table[f"clients_model_{first_year}"], 0.4, yerr=table["clients_model_sd"].fillna(0),
       label=f"model {first_year}", color="#4c72b0")
ax.set_yscale("log")
ax.set_xticks(x, segs)
ax.set_title("Clients per segment")
ax.set_xlabel("segment")
ax.set_ylabel("unique clients per year (log scale)")
ax.legend(fontsize=8)
ax = axes[1]
ax.bar(x - 0.2, table[f"spend_target_{first_year}_eur"] / 1e6, 0.4, label=f"2019 grown to {first_year}", color="0.6")
ax.bar(x + 0.2, table[f"spend_model_{first_year}_eur"] / 1e6, 0.4, label=f"model {first_year}", color="#55a868")
ax.set_xticks(x, segs)
ax.set_title("Spend per segment")
ax.set_xlabel("segment")
ax.set_ylabel("EUR million per year (nominal, 2019 grown by 5% / 3% a year)")
ax.legend(fontsize=8)
ax = axes[2]
ax.axhline(0, color="0.3", lw=0.8)
ax.bar(x - 0.2, table["clients_error_pct"], 0.4, label="clients", color="#4c72b0")
ax.bar(x + 0.2, table["spend_error_pct"], 0.4, label="spend", color="#55a868")
ax.set_xticks(x, segs)
ax.set_title("Error: model vs target")
ax.set_xlabel("segment")
ax.set_ylabel("error (% of target)")
ax.legend(fontsize=8)
fig.suptitle(f"Calibration: first simulated year ({first_year}) against 2019 grown by 5% (youth) / 3% (Wmo) a year")
save_figure(fig, out_dir, "calibration_per_segment", source, key=True)

# %% [markdown]
# ## Answer

# %%
err = table.set_index("segment")["clients_error_pct"]
total_target = table[f"spend_target_{first_year}_eur"].sum()
total_model = table[f"spend_model_{first_year}_eur"].sum()
basis = ("from the funding rules" if contract_segments == set(segs) else
         "from the fallback (clients x 2019 cost per count)" if not contract_segments else
         "from the funding rules where contracts exist and the fallback elsewhere")
answer = (
    f"Over the {len(segs)} segments the first simulated year ({first_year}) is within "
    f"{err.abs().max():.1f}% of the 2019 client counts grown to {first_year} (mean absolute error "
    f"{err.abs().mean():.1f}%; largest deviation in {err.abs().idxmax()}, {err[err.abs().idxmax()]:+.1f}%). "
    f"Total spend, {basis}, is EUR {total_model / 1e6:.1f} M against a target of EUR {total_target / 1e6:.1f} M "
    f"({100 * (total_model / total_target - 1):+.1f}%), with {replications} replications."
)
save_answer(out_dir, f"Does the first simulated year match the 2019 clients and spend per segment, grown to {first_year}?",
            answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["calibration_per_segment"])
