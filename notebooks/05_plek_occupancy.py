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
# # 05 Plek occupancy: how many plekken should a municipality buy?
#
# **Question.** For one municipality, provider and segment (default Venlo at jeugd_regio_a, youth
# S3), how do bezetting (occupancy) and the wait for a plek change with the number of plekken
# bought, how well does queueing theory (Erlang C) predict that, and which number of plekken
# balances the cost of empty plekken against the cost of waiting?
#
# **Method.** The same clients (common random numbers) are run with N plekken for a range of N;
# the other pools of the scenario stay as they are. The offered load a is estimated from a run with
# ample capacity: a = mean number of plekken busy, lambda = new claims per day, E[S] = a / lambda
# (Little's law; a claim holds its plek through verlenging and step-down). Erlang C gives the
# chance to wait C(N, a) and the mean wait W_q = C(N, a) E[S] / (N - a), and bezetting a / N. The
# model is M/G/N with chains (lognormal doorlooptijden, verlenging, step-down, uitval, a growing
# Poisson instroom), so Erlang C (M/M/N) is an approximation. By default clients wait for the
# provider they chose (`max_wait_days = None`): that is the queue Erlang C describes; set
# `max_wait_days = 42` for the scenario's rule that moves them to a provider with room.
#
# **Cost balance.** An empty plek costs the plek-day price (plek-year price / 365 = tariff /
# planned doorlooptijd; tariffs: the scenario's own, as in notebook 03) whoever bears it (the
# provider after the payback rule, the municipality without it). A day a client waits costs
# `cost_per_waiting_day`: **an assumption (aanname) with no source in the documents**; change it to
# see how the balance moves.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
municipality = "Venlo"
provider = "jeugd_regio_a"
segment = "S3"
replications = 2
seed = 1
horizon_years = 1
n_points = 7
max_factor = 1.4
max_wait_days = None
cost_per_waiting_day = 50.0
mmc_pools = 100         # independent M/M/N systems per replication for the Erlang C check
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/05_plek_occupancy"   # make run passes outputs/05_plek_occupancy

# %%
import functools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.core.calendar import year_bounds
from simulation.analysis.queueing import erlang_wait
from simulation.report.helpers import focus, scenario_tariffs
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report import occupancy
from simulation.report.setup import notebook_context

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=horizon_years,
                       municipality=municipality, segment=segment, provider=provider, data_2019=data_2019,
                       n_points=n_points, max_factor=max_factor, max_wait_days=max_wait_days,
                       cost_per_waiting_day=cost_per_waiting_day)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## Offered load with ample capacity

# %%
base = focus(sc.model_dump(mode="json", exclude_none=True), [segment])
if max_wait_days is None:
    base["segments"][segment].pop("max_wait_days", None)
else:
    base["segments"][segment]["max_wait_days"] = max_wait_days
year0, lo, hi = year_bounds(sc)[0]
days = hi - lo
run = functools.partial(occupancy.occupancy_run, base, municipality, provider, segment, bounds=(lo, hi), seed=seed,
                        replications=replications, workers=workers)    # run(n): per replication, with n plekken
ample = run(100_000)
a = float(ample["busy"].mean())
lam = float(ample["claims"].mean()) / days
es = a / lam
print(f"offered load a = {a:.1f} plekken busy; lambda = {lam * 365:.0f} new claims per year; E[S] = {es:.0f} days")

# %% [markdown]
# ## Bezetting and wait against N, with Erlang C

# %%
ns = sorted({int(round(x)) for x in np.linspace(max(1, 0.85 * a), max_factor * a, n_points)})
rows = []
for n in ns:
    r = run(n).assign(plekken=n)
    rows.append(r)
per_rep = pd.concat(rows, ignore_index=True)
res = occupancy.occupancy_table(per_rep, a, es)

tariffs = scenario_tariffs(sc, segment)
types = sc.segments[segment].traject_types
plek_day_price = occupancy.plek_day_price(types, tariffs)
res["empty_plek_days"] = res["plekken"] * days - res["busy"] * days
res["cost_empty_eur"] = res["empty_plek_days"].clip(lower=0) * plek_day_price
res["cost_waiting_eur"] = res["wait_days_total"] * cost_per_waiting_day
res["cost_total_eur"] = res["cost_empty_eur"] + res["cost_waiting_eur"]
save_table(res, out_dir, "occupancy_vs_plekken")
res.round(2)

# %%
n_grid = np.arange(int(np.floor(a)) + 1, int(np.ceil(max_factor * a)) + 2)
erl_wait = np.array([erlang_wait(n, a, es) for n in n_grid])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12.5, 4.8))
ax1.plot(res["plekken"], 100 * res["bezetting"], "o-", color="#4c72b0", label="model")
ax1.plot(n_grid, 100 * a / n_grid, "--", color="0.4", label="Erlang C: a / N")
ax1.set_title(f"Bezetting, {municipality} at {provider}, {segment} {year0}")
ax1.set_xlabel("plekken bought (N)")
ax1.set_ylabel("bezetting (% of bought plek-days used)")
ax1.legend(fontsize=8)
ax2.errorbar(res["plekken"], res["wait_mean"], yerr=[res["wait_mean"] - res["wait_min"], res["wait_max"] - res["wait_mean"]],
             fmt="o-", color="#dd8452", capsize=3, label="model (mean, range over replications)")
ax2.plot(n_grid, erl_wait, "--", color="0.4", label=f"Erlang C, a = {a:.1f}, E[S] = {es:.0f} d")
ax2.set_yscale("symlog", linthresh=1)
ax2.set_ylim(0, max(res["wait_max"].max(), 1) * 3)
ax2.set_title("Mean wait for a plek (new trajecten)")
ax2.set_xlabel("plekken bought (N)")
ax2.set_ylabel("days from toewijzing to start (symlog)")
ax2.legend(fontsize=8)
save_figure(fig, out_dir, "bezetting_and_wait", source, key=True)

# %%
erl_cost = (n_grid - a) * days * plek_day_price + lam * days * erl_wait * cost_per_waiting_day
best_model = res.loc[res["cost_total_eur"].idxmin()]
best_erlang = int(n_grid[np.argmin(erl_cost)])
fig, ax = plt.subplots(figsize=(8.5, 4.8))
ax.plot(res["plekken"], res["cost_empty_eur"] / 1e3, "s-", color="#8172b3", label="empty plek-days (model)")
ax.plot(res["plekken"], res["cost_waiting_eur"] / 1e3, "^-", color="#dd8452",
        label=f"waiting days x EUR {cost_per_waiting_day:,.0f} (aanname)")
ax.plot(res["plekken"], res["cost_total_eur"] / 1e3, "o-", color="k", label="total (model)")
ax.plot(n_grid, erl_cost / 1e3, "--", color="0.5", label="total (Erlang C)")
ax.axvline(best_model["plekken"], color="k", lw=0.7, ls=":")
ax.set_ylim(0, res["cost_total_eur"].max() / 1e3 * 1.5)
ax.set_title(f"Cost of empty plekken vs waiting, {municipality} at {provider}, {segment} {year0}")
ax.set_xlabel("plekken bought (N)")
ax.set_ylabel("EUR thousand per year")
ax.legend(fontsize=8)
save_figure(fig, out_dir, "cost_balance", source)

# %% [markdown]
# ## Where M/M/N applies: the model against Erlang C
#
# The scenario's trajecten are not M/M/N (lognormal doorlooptijden, verlengingen, step-downs), so the
# comparison above is a benchmark, not a check. Here the same offered load a and E[S] are run as an
# M/M/N system (Poisson claims, exponential doorlooptijd, nothing else), `mmc_pools` independent
# systems per replication, from the steady-state start on day 0 without a warm-up: the model's mean
# wait and share of claims that wait in the first year, with their 95% CIs, next to Erlang C.
# Both are a pool's yearly total divided by the expected number of claims (lambda T): the mean of the
# pools' own mean waits is biased low, because a pool with a queue has every plek busy and so more
# starts to spread its waiting over. With a doorlooptijd of more than a year the queue of one system
# changes slowly, so many systems are needed; at 95% about one N in twenty falls outside by chance.

# %%
mmc = occupancy.mmc_check(a, es, [n for n in ns if n > a], replications, seed, sc.start_date, pools=mmc_pools,
                          workers=workers)
save_table(mmc, out_dir, "mmc_check")
mmc.round(2)

# %% [markdown]
# ## Answer

# %%
stable = res.dropna(subset=["erlang_wait_mean"])
first, last = stable.iloc[0], stable.iloc[-1]
answer = (
    f"With ample capacity {municipality} keeps on average {a:.1f} plekken busy at {provider} in {segment} "
    f"(E[S] = {es:.0f} days per claim). Going from {res['plekken'].iloc[0]} to {res['plekken'].iloc[-1]} plekken lowers "
    f"bezetting from {res['bezetting'].iloc[0]:.0%} to {res['bezetting'].iloc[-1]:.0%} and the mean wait from "
    f"{res['wait_mean'].iloc[0]:.1f} to {res['wait_mean'].iloc[-1]:.1f} days; for N = {int(first['plekken'])} to "
    f"{int(last['plekken'])} Erlang C predicts {first['erlang_wait_mean']:.1f} to {last['erlang_wait_mean']:.1f} days "
    f"against {first['wait_mean']:.1f} to {last['wait_mean']:.1f} in the model (M/M/N steady state vs one year of M/G/N "
    f"with chains from an equilibrium start, so close to N = a the model waits less). "
    f"At an assumed EUR {cost_per_waiting_day:,.0f} per waiting day and EUR {plek_day_price * 365:,.0f} per plek-year, "
    f"{int(best_model['plekken'])} plekken balance empty-plek and waiting cost in the model "
    f"(Erlang C: {best_erlang}). Where M/M/N applies (same a and E[S], exponential doorlooptijd, no chains, from "
    f"the steady-state start on day 0) Erlang C's mean wait lies within the model's 95% CI for "
    f"{int(mmc['binnen_ci'].sum())} of {len(mmc)} values of N, and its chance of waiting for "
    f"{int(mmc['kans_binnen_ci'].sum())} of {len(mmc)} ({replications} replications x {mmc_pools} systems)."
)
save_answer(out_dir, f"How many plekken should {municipality} buy at {provider} in {segment}?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["bezetting_and_wait", "cost_balance"])
