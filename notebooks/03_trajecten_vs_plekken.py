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
# # 03 Trajecten vs plekken: what changes when the same clients are funded per plek?
#
# **Question.** If every municipality buys its trajecten in one segment (default: youth S3,
# dagbesteding/dagbehandeling) as plekken instead, what happens to spend, cost per client, wait,
# bezetting and paid-back plek-days, which municipalities gain and which lose, and how does the
# number of clients a plek serves depend on the doorlooptijd (note 004 par. 8: 3 clients, 3.5 with
# faster outflow, 2.5 with slower)?
#
# **Set-up.** Both variants are built from the default scenario, cut to the segment (and the
# segments its clients move on to by opschaling), with the same clients on common random numbers
# (`simulation.experiment.compare`):
# - *trajecten*: every municipality pays each provider a fixed tariff per traject;
# - *plekken*: every municipality buys plekken at each provider, N = expected concurrent trajecten
#   (mean of a 5-replication pilot run of the trajecten variant on other random numbers) /
#   `target_bezetting`, rounded up;
#   plek-year price = tariff x 365 / planned doorlooptijd; empty plek-days are paid back.
#
# Tariffs: the scenario's own (the funded baseline, `params/derive_funding.py`: one rate per hour
# of care per segment, solved so that the payment rules pay the 2019 spend of note 004 par. 6 in
# the first year; a tariff is rate x weight x planned doorlooptijd / 7). The trajecten are paid
# under the payment conventions of docs/funding.md (defaults: a verlenging is part of the tariff,
# 001; a step-down pays the lighter tariff, an uitval only the start part, trajecten in care on the
# start date were paid at their start: assumptions); section "Payment conventions" below
# shows the answer under each. The doorlooptijd sweep scales
# the doorlooptijd of every traject that starts under a plekken contract (behaviour
# `doorlooptijd_factor`, an assumption, neutral = 1).

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
municipality = "Venlo"
segment = "S3"
replications = 3
seed = 1
horizon_years = 1
target_bezetting = 0.95
doorlooptijd_factors = [0.857, 1.2]
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/03_trajecten_vs_plekken"   # make run passes outputs/03_trajecten_vs_plekken

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation import simulate
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.compare import compare
from simulation.report.helpers import (concurrent_load, contracts_for, focus, plekken_for_load, scenario_tariffs,
                                       without_plekken)
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.variants import convention_effects, driving_convention, per_municipality, plekken_overlay

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="paired confidence intervals", horizon_years=horizon_years, municipality=municipality,
                       segment=segment, data_2019=data_2019, target_bezetting=target_bezetting,
                       doorlooptijd_factors=doorlooptijd_factors)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## The variants

# %%
base = without_plekken(focus(sc.model_dump(mode="json", exclude_none=True), [segment]), segment)
base_sc = scenario_from_dict(base, source="focus")
municipalities = list(base_sc.municipalities)
tariffs = scenario_tariffs(sc, segment)
traject_contracts = contracts_for(base_sc, municipalities, segment, "traject", tariffs=tariffs)
pilot = simulate(scenario_from_dict(base, overrides={"funding": {"contracts": traject_contracts}}),
                 seed=seed + 10_000, replications=5, workers=workers)
load = concurrent_load(pilot.events, base_sc, segment)
n_plekken = plekken_for_load(load, target_bezetting, by=["municipality", "provider"])
default_plekken = {sc.years[0]: 1}
variants = {"trajecten": {"funding": {"contracts": traject_contracts}},
            "plekken": plekken_overlay(base_sc, municipalities, segment, tariffs, n_plekken, default_plekken)}
for f in doorlooptijd_factors:
    if f != 1:
        variants[f"plekken x{f:g}"] = plekken_overlay(base_sc, municipalities, segment, tariffs, n_plekken,
                                                      default_plekken, factor=f)
cmp = compare(base, variants, replications=replications, seed=seed, reference="trajecten", workers=workers,
              keep_events=True)
plek_table = pd.DataFrame([{"municipality": m, "provider": p, **{f"plekken_{y}": n for y, n in ys.items()}}
                           for (m, p), ys in n_plekken.items()])
save_table(plek_table, out_dir, "plekken_bought")
print(f"tariffs (EUR per traject): {tariffs}")
print(f"plekken bought in {segment}: {int(plek_table.iloc[:, 2].sum())} in total, "
      f"{municipality}: {int(plek_table[plek_table['municipality'] == municipality].iloc[:, 2].sum())}")

# %% [markdown]
# ## Per municipality: plekken minus trajecten (paired, 95% CI)

# %%
s = cmp.summary
year0 = sc.years[0]
per_mun = per_municipality(s, year0)
save_table(per_mun, out_dir, "per_municipality")
per_mun[["municipality", "uitgaven_trajecten", "uitgaven_plekken", "uitgaven_verschil_gem", "uitgaven_verschil_ci_laag",
         "uitgaven_verschil_ci_hoog", "wacht_dagen_gem_trajecten", "wacht_dagen_gem_plekken", "bezettingsgraad_plekken",
         "terugbetaalde_plekdagen_plekken", "uitgaven_oordeel"]].round(1)

# %%
order = per_mun.sort_values("uitgaven_verschil_gem")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
y = np.arange(len(order))
d = order["uitgaven_verschil_gem"] / 1e3
ax1.barh(y, d, color=np.where(order["uitgaven_verschil_ci_hoog"] < 0, "#55a868",
                              np.where(order["uitgaven_verschil_ci_laag"] > 0, "#c44e52", "0.6")))
ax1.errorbar(d, y, xerr=[d - order["uitgaven_verschil_ci_laag"] / 1e3, order["uitgaven_verschil_ci_hoog"] / 1e3 - d],
             fmt="none", ecolor="k", capsize=3)
ax1.axvline(0, color="0.3", lw=0.8)
ax1.set_yticks(y, order["municipality"])
ax1.set_title(f"Spend, plekken minus trajecten, {segment} {year0}\n(green: gains, red: loses; 95% CI)")
ax1.set_xlabel("EUR thousand per year")
ax1.set_ylabel("municipality")
w = order["wacht_dagen_gem_verschil_gem"]
ax2.barh(y, w, color="#dd8452")
ax2.errorbar(w, y, xerr=[(w - order["wacht_dagen_gem_verschil_ci_laag"]).fillna(0),
                         (order["wacht_dagen_gem_verschil_ci_hoog"] - w).fillna(0)], fmt="none", ecolor="k", capsize=3)
ax2.axvline(0, color="0.3", lw=0.8)
ax2.set_yticks(y, order["municipality"])
ax2.set_title(f"Mean wait, plekken minus trajecten (95% CI)")
ax2.set_xlabel("days from toewijzing to start of care")
ax2.set_ylabel("municipality")
save_figure(fig, out_dir, "plekken_minus_trajecten", source, key=True)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
o = per_mun.sort_values("municipality")
yy = np.arange(len(o))
ax1.barh(yy - 0.2, o["kosten_per_client_trajecten"], 0.4, label="trajecten", color="0.6")
ax1.barh(yy + 0.2, o["kosten_per_client_plekken"], 0.4, label="plekken", color="#4c72b0")
ax1.set_yticks(yy, o["municipality"])
ax1.set_title(f"Cost per client, {segment} {year0}")
ax1.set_xlabel("EUR per unique client per year")
ax1.set_ylabel("municipality")
ax1.legend(fontsize=8)
ax2.barh(yy, o["terugbetaalde_plekdagen_plekken"], color="#8172b3")
for yi, b in zip(yy, o["bezettingsgraad_plekken"]):
    ax2.annotate(f"bezetting {b:.0%}", (0, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
ax2.set_yticks(yy, o["municipality"])
ax2.set_title("Paid-back (empty) plek-days under plekken")
ax2.set_xlabel("plek-days per year")
ax2.set_ylabel("municipality")
save_figure(fig, out_dir, "cost_and_payback", source)

# %% [markdown]
# ## Payment conventions: which one drives the answer?
#
# The documents fix a tariff per traject but not what a verlenging, a step-down, an uitval or a
# traject already in care on 1 January pays. The trajecten variant's event log is paid again under
# each convention (payments are pure functions of the log, so the clients stay the same); the
# plekken variant is unchanged. Paired by replication, 95% CI.

# %%
conventions = convention_effects(cmp, year0)
save_table(conventions, out_dir, "payment_conventions")
conv_region = conventions[conventions["municipality"] == "regio"]
driver, driver_shift, driver_flips = driving_convention(conventions)
conventions[conventions["municipality"].isin(["regio", municipality])].round(0)

# %%
fig, ax = plt.subplots(figsize=(11, 4.2))
yy = np.arange(len(conv_region))
dd = conv_region["verschil_gem"] / 1e3
ax.barh(yy, dd, color=np.where(conv_region["verschil_ci_hoog"] < 0, "#55a868",
                               np.where(conv_region["verschil_ci_laag"] > 0, "#c44e52", "0.6")))
ax.errorbar(dd, yy, xerr=[dd - conv_region["verschil_ci_laag"] / 1e3, conv_region["verschil_ci_hoog"] / 1e3 - dd],
            fmt="none", ecolor="k", capsize=3)
ax.axvline(0, color="0.3", lw=0.8)
ax.set_yticks(yy, conv_region["conventie"].astype(str), fontsize=8)
ax.invert_yaxis()
ax.set_title(f"Spend, plekken minus trajecten, all municipalities, {segment} {year0}, per payment convention of the "
             "traject tariff (95% CI)")
ax.set_xlabel("EUR thousand per year")
ax.set_ylabel("payment convention of the traject tariff")
save_figure(fig, out_dir, "payment_conventions", source)

# %% [markdown]
# ## Clients per plek against doorlooptijd
#
# Left: the documents' example set up exactly (3 plekken, tariff EUR 36,500, planned doorlooptijd
# 365 days, always a client waiting, so a freed plek is refilled at once): the budget stays
# EUR 109,500 and the clients served follow the doorlooptijd. Right: the same sweep in the
# scenario for the chosen municipality, where demand does not always refill a plek.

# %%
example = {
    "name": "004-example", "start_date": f"{year0}-01-01", "horizon_years": 1,
    "warmup": {"initial_caseload": True, "days": 365},
    "municipalities": {"X": {"population": 100_000}},
    "segments": {"S": {"domain": "jeugd", "instroom": {"per_year": 50, "base_year": year0},
                       "traject_types": {"standaard": {"share": 1, "weight": 2, "planned_doorlooptijd": 365,
                                                       "doorlooptijd": {"kind": "fixed", "value": 365}}}}},
    "providers": {"provider_X": {"segments": {"S": {}}}},
}
ex_contract = {"municipality": "X", "provider": "provider_X", "segment": "S", "variant": "plekken", "plekken": 3,
               "tariffs": {"standaard": 36_500}}
ex_factors = {"as planned": 1.0, "faster outflow": 3 / 3.5, "slower outflow": 3 / 2.5}
ex = compare(example, {k: {"funding": {"contracts": [dict(ex_contract, behaviour={"doorlooptijd_factor": f})]}}
                       for k, f in ex_factors.items()}, replications=1, seed=seed).per_replication
ex = ex[ex["year"] == year0].set_index("variant").loc[list(ex_factors)]
ex_table = pd.DataFrame({"realised_doorlooptijd_days": [365 * f for f in ex_factors.values()],
                         "paid_eur": ex["uitgaven"].round(0), "clients_served": ex["clienten_equivalent"].round(2),
                         "cost_per_client_eur": (ex["uitgaven"] / ex["clienten_equivalent"]).round(0)}).reset_index()
save_table(ex_table, out_dir, "document_example")
ex_table

# %%
factor_of = {"plekken": 1.0, **{f"plekken x{f:g}": f for f in doorlooptijd_factors if f != 1}}
pr = cmp.per_replication
sweep = pr[(pr["municipality"] == municipality) & (pr["year"] == year0) & pr["variant"].isin(factor_of)].copy()
sweep["factor"] = sweep["variant"].map(factor_of)
n_mun = sum(v[year0] for (m, p), v in n_plekken.items() if m == municipality)
sweep["clients_per_plek"] = sweep["clienten_equivalent"] / n_mun
sweep["cost_per_client"] = sweep["uitgaven"] / sweep["clienten_equivalent"]
sw = sweep.groupby("factor")[["clients_per_plek", "cost_per_client", "bezettingsgraad", "wacht_dagen_gem",
                              "uitgaven"]].mean().reset_index()
save_table(sw, out_dir, f"doorlooptijd_sweep_{municipality}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
ex_sorted = ex_table.sort_values("realised_doorlooptijd_days")
ax1.plot(ex_sorted["realised_doorlooptijd_days"], ex_sorted["clients_served"], "o-", color="#4c72b0")
for _, r in ex_table.iterrows():
    ax1.annotate(f"{r['clients_served']:.1f} clients\nEUR {r['cost_per_client_eur']:,.0f}/client",
                 (r["realised_doorlooptijd_days"], r["clients_served"]), xytext=(6, 4), textcoords="offset points",
                 fontsize=8)
ax1.set_xlim(280, 520)
ax1.set_ylim(2.2, 3.8)
ax1.set_title("Note 004 example: 3 plekken, budget EUR 109,500")
ax1.set_xlabel("realised doorlooptijd (days; planned 365)")
ax1.set_ylabel("clients served in the year (plek-days / doorlooptijd)")
ax2.plot(sw["factor"], sw["clients_per_plek"], "o-", color="#4c72b0", label="model")
full = sw.loc[sw["factor"] == 1.0, "clients_per_plek"]
if len(full):
    f = np.linspace(sw["factor"].min(), sw["factor"].max(), 50)
    ax2.plot(f, full.iloc[0] / f, "--", color="0.5", label="if every freed plek were refilled at once")
ax2.set_title(f"{municipality}, {segment}: clients per plek ({n_mun} plekken)")
ax2.set_xlabel("doorlooptijd factor under plekken (1 = as in the scenario)")
ax2.set_ylabel("clients served per plek per year")
ax2.legend(fontsize=8)
save_figure(fig, out_dir, "clients_per_plek_vs_doorlooptijd", source)

# %% [markdown]
# ## Answer

# %%
gain = per_mun.loc[per_mun["uitgaven_oordeel"].str.startswith("gains"), "municipality"].tolist()
lose = per_mun.loc[per_mun["uitgaven_oordeel"].str.startswith("loses"), "municipality"].tolist()
me = per_mun.set_index("municipality").loc[municipality]
ex_fast, ex_slow = ex_table.iloc[1], ex_table.iloc[2]
answer = (
    f"Buying {segment} as plekken (N = load / {target_bezetting:.0%}) instead of trajecten changes {municipality}'s "
    f"{year0} spend by EUR {me['uitgaven_verschil_gem']:+,.0f} (95% CI {me['uitgaven_verschil_ci_laag']:+,.0f} to "
    f"{me['uitgaven_verschil_ci_hoog']:+,.0f}) and its mean wait by {me['wacht_dagen_gem_verschil_gem']:+.1f} days, "
    f"at {me['bezettingsgraad_plekken']:.0%} bezetting with {me['terugbetaalde_plekdagen_plekken']:,.0f} plek-days paid back; "
    f"municipalities that pay less: {', '.join(gain) or 'none'}; pay more: {', '.join(lose) or 'none'} "
    f"({len(municipalities) - len(gain) - len(lose)} show no clear difference with {replications} replications); "
    f"plekken pay occupied plek-days at tariff / planned doorlooptijd, trajecten the tariff per traject under "
    f"the standard conventions (a verlenging is part of the tariff, 001; a step-down pays the lighter tariff, an "
    f"uitval only the start part, trajecten in care on 1 January paid at their start: assumptions). "
    f"For the region the difference is EUR {conv_region['verschil_gem'].iloc[0]:+,.0f} under these conventions; of "
    f"the conventions that act every year, '{driver}' moves it most (EUR {driver_shift:+,.0f}"
    f"{', and turns its sign' if driver_flips else ''}): plekken pay every occupied plek-day, also of a verlenging, "
    f"which a traject tariff that includes the verlenging does not. Paying the trajecten in care on 1 January "
    f"for their remaining planned part (a switch from PxQ) is a one-off first-year cost of EUR "
    f"{conv_region['verschil_gem'].iloc[0] - conv_region.set_index('conventie')['verschil_gem'].loc['beginstand naar rato betaald (overgang van PxQ)']:,.0f} "
    f"on the trajecten side. "
    f"The note's example comes out of the model: the same EUR {ex_table['paid_eur'].iloc[0]:,.0f} serves "
    f"{ex_fast['clients_served']:.1f} clients with faster and {ex_slow['clients_served']:.1f} with slower outflow. "
    f"The municipalities differ in the scenario only by population and by the providers that serve them (the "
    f"documents give no instroom rates, traject mixes or provider choices per municipality; docs/doorlooptijden.md): "
    f"differences between them beyond scale are simulation noise."
)
save_answer(out_dir, f"What changes when the municipalities buy {segment} as plekken instead of trajecten?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["plekken_minus_trajecten", "cost_and_payback", "payment_conventions",
                         "clients_per_plek_vs_doorlooptijd"])
