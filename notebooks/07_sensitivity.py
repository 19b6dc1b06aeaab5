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
# # 07 Sensitivity: which assumptions drive the trajecten-vs-plekken result?
#
# **Question.** The headline comparison of notebook 03 for one municipality (default Venlo, youth
# S3) is *plekken minus trajecten*: the difference in spend and in mean wait. How much does it
# move when one assumption at a time is changed: the providers' behaviour under plekken
# (doorlooptijd factor), the instroom (+-10%), the doorlooptijd (+-10%) and the number of plekken
# bought (+-10%)?
#
# **Set-up.** As notebook 03, but only the chosen municipality converts: the other municipalities
# keep trajecten without contracts (not counted). Plekken: N = pilot load / `target_bezetting`,
# fixed when instroom or doorlooptijd change (the municipality bought them beforehand). Tariffs:
# the scenario's own (priced on 2019 spend, as in 03). The payment conventions of the traject
# tariff are varied too (a table after the tornado): the base run's trajecten log paid again under
# each convention. Every setting runs both variants on common random
# numbers; each bar is the paired mean difference at the low and the high value, one factor at a
# time, around the base value (vertical line).

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
municipality = "Venlo"
segment = "S3"
replications = 2
seed = 1
horizon_years = 1
target_bezetting = 0.95
delta = 0.10
behaviour_factors = [0.9, 1.1]
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/07_sensitivity"   # make run passes outputs/07_sensitivity

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulation import simulate
from simulation.config.scenario import scenario_from_dict
from simulation.report.helpers import (concurrent_load, contracts_for, focus, plekken_for_load, scenario_tariffs,
                                       without_plekken)
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.sensitivity import PlekkenVsTrajecten
from simulation.report.variants import convention_effects, driving_convention
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="paired differences", horizon_years=horizon_years, municipality=municipality,
                       segment=segment, data_2019=data_2019, target_bezetting=target_bezetting, delta=delta,
                       behaviour_factors=behaviour_factors)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## Base case and the one-at-a-time settings

# %%
base = without_plekken(focus(sc.model_dump(mode="json", exclude_none=True), [segment]), segment)
base_sc = scenario_from_dict(base, source="focus")
tariffs = scenario_tariffs(sc, segment)
traject_contracts = contracts_for(base_sc, [municipality], segment, "traject", tariffs=tariffs)
pilot = simulate(scenario_from_dict(base, overrides={"funding": {"contracts": traject_contracts}}),
                 seed=seed + 10_000, replications=5, workers=workers)
load = concurrent_load(pilot.events, base_sc, segment)
load = load[load["municipality"] == municipality]
n_base = plekken_for_load(load, target_bezetting, by="provider")
year0 = sc.years[0]
comparison = PlekkenVsTrajecten(base, base_sc, municipality, segment, tariffs, traject_contracts, n_base, year0,
                                replications, seed, workers)
lo_b, hi_b = behaviour_factors
factors = {
    f"doorlooptijd factor under plekken ({lo_b:g} / {hi_b:g}; behaviour, aanname)": ("behaviour", lo_b, hi_b),
    f"instroom (-/+{delta:.0%})": ("instroom", 1 - delta, 1 + delta),
    f"doorlooptijd, all trajecten (-/+{delta:.0%})": ("doorlooptijd", 1 - delta, 1 + delta),
    f"plekken bought (-/+{delta:.0%})": ("plekken", 1 - delta, 1 + delta),
}
base_result = comparison.setting()
tornado = comparison.tornado(factors)
save_table(tornado, out_dir, "tornado")
print(f"base: plekken - trajecten spend EUR {base_result['uitgaven_verschil']:,.0f}, wait {base_result['wacht_verschil']:+.1f} days")
tornado[["factor", "uitgaven_verschil_bij_laag", "uitgaven_verschil_bij_hoog", "wacht_verschil_bij_laag", "wacht_verschil_bij_hoog"]].round(1)

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.6))
for ax, key, scale, unit, title in [
        (axes[0], "uitgaven", 1e3, "EUR thousand per year", f"Spend, plekken minus trajecten, {municipality} {segment} {year0}"),
        (axes[1], "wacht", 1.0, "days (mean wait, new trajecten)", "Mean wait, plekken minus trajecten")]:
    t = tornado.sort_values("uitgaven_bereik")          # one order for both panels
    y = np.arange(len(t))
    b = base_result[f"{key}_verschil"] / scale
    lo_v, hi_v = t[f"{key}_verschil_bij_laag"] / scale, t[f"{key}_verschil_bij_hoog"] / scale
    ax.barh(y, lo_v - b, left=b, color="#4c72b0", label="low value")
    ax.barh(y, hi_v - b, left=b, color="#dd8452", label="high value")
    ax.axvline(b, color="k", lw=1)
    ax.set_yticks(y, t["factor"] if key == "uitgaven" else [""] * len(t))
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.set_ylabel("assumption changed" if key == "uitgaven" else "(same order as left)")
    ax.legend(fontsize=8, loc="lower right")
fig.suptitle(f"One-at-a-time sensitivity of the plekken-vs-trajecten comparison (base at the black line)")
save_figure(fig, out_dir, "tornado", source, key=True)

# %% [markdown]
# ## Payment conventions of the traject tariff
#
# The base run's trajecten log paid again under each convention (docs/funding.md, "traject"); the
# plekken variant stays as it is. Paired by replication, 95% CI.

# %%
conventions = convention_effects(comparison.base_comparison, year0)
conventions = conventions[conventions["municipality"] == municipality]
save_table(conventions, out_dir, "payment_conventions")
driver, driver_shift, driver_flips = driving_convention(conventions, municipality)
conventions[["conventie", "verschil_gem", "verschil_ci_laag", "verschil_ci_hoog", "oordeel"]].round(0)

# %% [markdown]
# ## Answer

# %%
top_s = tornado.loc[tornado["uitgaven_bereik"].idxmax()]
top_w = tornado.loc[tornado["wacht_bereik"].idxmax()]
answer = (
    f"For {municipality} {segment} in {year0}, plekken minus trajecten is EUR {base_result['uitgaven_verschil']:,.0f} in spend "
    f"and {base_result['wacht_verschil']:+.1f} days in mean wait in the base case. The spend difference is most sensitive to "
    f"{top_s['factor']} (EUR {top_s['uitgaven_verschil_bij_laag']:,.0f} to {top_s['uitgaven_verschil_bij_hoog']:,.0f}) and the wait "
    f"difference to {top_w['factor']} ({top_w['wacht_verschil_bij_laag']:+.1f} to {top_w['wacht_verschil_bij_hoog']:+.1f} days); "
    f"the sign of the spend difference {'never changes' if (np.sign(tornado[['uitgaven_verschil_bij_laag', 'uitgaven_verschil_bij_hoog']]) == np.sign(base_result['uitgaven_verschil'])).all().all() else 'changes in at least one setting'} "
    f"({replications} replications per setting). Of the payment conventions of the traject tariff that act every "
    f"year, '{driver}' moves the spend difference most: by EUR {driver_shift:+,.0f}"
    f"{' (it turns the sign)' if driver_flips else ''} against the standard conventions (verlenging part of "
    f"the tariff, 001; step-down lighter tariff, uitval start part only, beginstand paid before 2022: assumptions)."
)
save_answer(out_dir, f"Which assumptions drive the plekken-vs-trajecten result for {municipality} {segment}?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["tornado"])
