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
# # 01 Quick start: how do clients flow through the toegang, trajecten and the voorliggend veld?
#
# **Question.** In the default Noord-Limburg scenario, how many clients report at the
# toegang in the first year, how many are helped in the voorliggend veld, how many start
# a traject, how long do they stay and wait, and how do the seven municipalities compare?
#
# The defaults below are small so the notebook runs in seconds (output in outputs/scratch/); `make run` uses
# `params/report/notebooks.yaml` for the full analysis.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
replications = 2
seed = 1
horizon_years = 1
out_dir = "outputs/scratch/01_quick_start"   # make run passes outputs/01_quick_start

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from simulation import simulate
from simulation.analysis.kpis import kpis, summarise
from simulation.analysis.summaries import flow_per_year
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=horizon_years)
sc, source = ctx.scenario, ctx.source
print(f"{sc.name}: {len(sc.municipalities)} municipalities, {len(sc.segments)} segments, "
      f"{len(sc.providers)} providers, {sc.start_date} + {sc.horizon_years} year(s)")

# %%
result = simulate(sc, seed=seed, replications=replications)
ev = result.events
first_year = sc.years[0]
print(result.warmup_description)

# %% [markdown]
# ## The flow in the first year
# Counts per replication (mean over replications), from the event log.

# %%
flow = flow_per_year(ev, first_year)
flow_table = pd.DataFrame({"stap": list(flow), "per_jaar": [round(v, 1) for v in flow.values()]})
save_table(flow_table, out_dir, "flow")
flow_table

# %%
direct = flow["direct naar voorliggend veld"]
colors = ["#4c72b0", "#8172b3", "#4c72b0", "#55a868", "#8172b3", "#c44e52", "#dd8452", "#937860"]
fig, ax = plt.subplots(figsize=(9, 4.8))
steps = list(flow)[::-1]
values = [flow[s] for s in steps]
bars = ax.barh(steps, values, color=colors[::-1])
ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], padding=3)
ax.set_title(f"Client flow, {first_year}: from aanmelding to the end of care (mean per year)")
ax.set_xlabel("clients or trajecten per year")
ax.set_ylabel("step in the client path")
ax.set_xlim(0, max(values) * 1.15)
save_figure(fig, out_dir, "flow", source, key=True)

# %% [markdown]
# ## Headline KPIs per municipality

# %%
k = kpis(ev, sc, by=["municipality"])
k = k[k["year"] == first_year]
summary = summarise(k, ["unieke_clienten", "instroom", "doorlooptijd_gem", "wacht_dagen_gem", "wachtlijst_eind"])
summary["inwoners"] = summary["municipality"].astype(str).map({m: v.population for m, v in sc.municipalities.items()})
summary["clienten_per_1000"] = 1000 * summary["unieke_clienten_gem"] / summary["inwoners"]
save_table(summary, out_dir, "kpis_per_gemeente")
summary[["municipality", "inwoners", "unieke_clienten_gem", "clienten_per_1000", "doorlooptijd_gem_gem",
         "wacht_dagen_gem_gem"]].round(1)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
order = summary.sort_values("clienten_per_1000")
ax1.barh(order["municipality"].astype(str), order["clienten_per_1000"], color="#4c72b0")
ax1.set_title(f"Clients in care per 1,000 inhabitants, {first_year}")
ax1.set_xlabel("clients per 1,000 inhabitants")
ax1.set_ylabel("municipality")
ax2.barh(order["municipality"].astype(str), order["wacht_dagen_gem_gem"],
         xerr=(order["wacht_dagen_gem_ci_hoog"] - order["wacht_dagen_gem_gem"]).fillna(0), color="#dd8452")
ax2.set_title("Mean wait for care (95% CI)")
ax2.set_xlabel("days from toewijzing to start of care")
ax2.set_ylabel("municipality")
save_figure(fig, out_dir, "kpis_per_gemeente", source)

# %% [markdown]
# ## Answer

# %%
top = summary.sort_values("clienten_per_1000").iloc[-1]
low = summary.sort_values("clienten_per_1000").iloc[0]
answer = (
    f"In {first_year} about {flow['aanmeldingen']:,.0f} aanmeldingen reach the toegang; "
    f"{direct / max(flow['aanmeldingen'], 1):.0%} go straight to the voorliggend veld and "
    f"{flow['start zorg (nieuw)']:,.0f} new trajecten start care. "
    f"Use of care ranges from {low['clienten_per_1000']:.0f} clients per 1,000 inhabitants in {low['municipality']} "
    f"to {top['clienten_per_1000']:.0f} in {top['municipality']}; the longest mean wait is "
    f"{summary['wacht_dagen_gem_gem'].max():.0f} days."
)
save_answer(out_dir, "How do clients flow through the toegang, trajecten and voorliggend veld, per municipality?",
            answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["flow", "kpis_per_gemeente"])
