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
# # 08 Evaluatie leerjaar 2022: plekken or trajecten, what did it do per municipality?
#
# **Question.** What happened in 2022 in each municipality (instroom, doorlooptijd, wait,
# clients per plek, spend); do municipalities that funded by **plekken** differ from those
# that funded by **trajecten**; and what would each municipality have seen under the *other*
# choice? And which of these conclusions does one year of records actually support?
#
# How (all from the realised records, default the small synthetic `tests/data/records_2022`):
# 1. **Describe 2022** per municipality from the records. Doorlooptijd is censoring-aware
#    (Kaplan-Meier with delayed entry, and the calibration's censored maximum-likelihood fit);
#    spend applies the funding rules of `simulation.funding` to the realised trajecten with a
#    documented tariff.
# 2. **Compare** municipalities by their funding choice (the records' `bekostiging` column).
# 3. **Counterfactual**: calibrate the model on the records, then switch each municipality's
#    choice (plekken <-> trajecten) and run both on **common random numbers**: the same clients
#    arrive with the same needs, so differences are paired; 95% confidence intervals over
#    replications.
# 4. **What the data supports and what it cannot**, computed from the intervals.
#
# Words: *traject* = one toewijzing of care, paid by a tariff; *plek* = a bought place a
# municipality fills itself (empty plek-days are paid back); *instroom* = new clients;
# *doorlooptijd* = days in care; *bekostiging* = funding form. See README for the glossary.
#
# The defaults are small so the notebook runs in seconds.

# %% tags=["parameters"]
records = "tests/data/records_2022.parquet"       # realised records (CSV or Parquet, docs/records.md)
base_scenario = "tests/data/records_scenario.yaml"  # what records cannot show (population, planned doorlooptijd, plekken)
municipalities = []          # municipalities to report and switch; empty: every municipality in the records
# Tariff per traject (EUR) per segment: Noord-Limburg 2019 spend per count (004 par. 6 and 7.2,
# params/data/noord_limburg_2019_segments.csv). Within a segment a type's tariff is scaled by its
# planned doorlooptijd so that the share-weighted mean equals the segment figure.
tarieven = {"S1": 23827, "S2": 13227, "S3": 8646, "S4": 3985, "S1a": 8426, "S1b": 3743, "S2a": 4860,
            "S2b": 5121, "S3a": 2384, "S3b": 2222}
plekken_bij_omzetting = "budgetneutraal"  # trajecten -> plekken: "budgetneutraal" (2022 tariff money / plek-year price) or "bezetting" (mean in care)
replications = 3
seed = 1
bootstrap = 200              # bootstrap resamples for the Kaplan-Meier median intervals
out_dir = "outputs/scratch/08_evaluatie_2022"   # make run passes outputs/08_evaluatie_2022

# %%
import functools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.config.scenario import scenario_from_dict
from simulation.data.calibration import calibrate, kaplan_meier, prepare
from simulation.experiment.compare import compare
from simulation.report import counterfactual, evaluation
from simulation.report.notebooks import save_answer, save_figure, save_table

recs = evaluation.evaluation_context(records, base_scenario, municipalities, tarieven, plekken_bij_omzetting,
                                    replications, out_dir)
rec, gemeenten, year, days = recs.frame, recs.gemeenten, recs.year, recs.days
p0, p1 = recs.period
print(f"{len(rec)} records from {recs.path.name}, study period {p0}..{p1}; municipalities {gemeenten}")

# %% [markdown]
# ## Calibration
# The calibrated scenario is the model of 2022 used for the counterfactual. The doorlooptijd fit is
# censoring-aware: trajecten still open at the end of the period are right-censored, trajecten that
# started before it are left-truncated (docs/records.md).

# %%
cal_scenario, cal_report = calibrate(rec, base_scenario=recs.base_path)
print("\n".join(cal_report.notes))
durations = cal_report.durations[["segment", "traject_type", "family", "mean", "cv", "uitval", "n", "closed",
                                  "open", "left_truncated"]]
save_table(durations, out_dir, "kalibratie_doorlooptijd")
durations.round(3)

# %% [markdown]
# ## Which municipality funded how
# One contract per municipality x provider x segment; the records say `plek` where the municipality
# bought plekken at that provider. A municipality is counted as a **plekken** municipality when it
# bought plekken anywhere, else as a **trajecten** municipality.

# %%
choice = evaluation.funding_choice(rec)
if choice.mixed:
    print("Note: mixed bekostiging within", choice.mixed, "- the most frequent is used")
keuze, switch_pairs = choice.keuze, choice.switch_pairs
print(f"Switch scope (provider, segment): {switch_pairs} "
      f"({'where some municipality bought plekken' if choice.plek_pairs else 'no plekken in the records: every pair'})")
funding_table = evaluation.funding_table(choice)
save_table(funding_table, out_dir, "bekostiging_per_gemeente")
funding_table

# %% [markdown]
# ## 2022 per municipality, from the records
# Definitions (the same as the model's KPIs, so observed and simulated numbers compare):
# - **instroom**: new episodes (a client's new toewijzingen in one segment on one day; not a
#   verlenging, step-down or opschaling) toegewezen in the period, 95% Poisson interval;
# - **doorlooptijd**: Kaplan-Meier median with delayed entry per municipality x segment (open
#   trajecten censored, earlier starts left-truncated), bootstrap 95% interval; next to it the
#   calibrated model's mean for the municipality's traject-type and provider mix. The naive mean of
#   closed trajecten is shown only to show how censoring biases it downwards;
# - **wait**: days from toewijzing to start of care for trajecten started in the period (not
#   continuations), and the toewijzingen still waiting at the end (their wait is censored);
# - **clients per plek**: clients in care in the period at a plek contract / plekken bought;
# - **spend**: the funding rules (`compute_payments`) applied to the realised trajecten: traject =
#   tariff at the start of care, plekken = occupied plek-days (at most the bought ones) x plek-day
#   price; traject tariffs from `tarieven` (see the parameters).

# %%
r = prepare(rec)
st = evaluation.started_trajecten(r, days)

# contracts of 2022 as the records show them, then the same payment rules on the realised trajecten
base, plekken_bought = counterfactual.without_bought_plekken(cal_scenario, choice.combos)
tariffs = {s: counterfactual.segment_tariffs(base, s, tarieven) for s in base["segments"]}
factual = [counterfactual.contract(m, p, s, b, tariffs, plekken_bought.get((m, p, s)))
           for m, p, s, b in choice.combos.itertuples(index=False)]
sc_factual = scenario_from_dict(base, source="calibrated 2022, funding as in the records",
                                overrides={"funding": {"contracts": factual}})
fin = evaluation.observed_finals(sc_factual, st, days, year)
print("tariffs per traject (EUR):", tariffs)

rng = np.random.default_rng(seed)
survival = evaluation.ModelSurvival(cal_report)
population = {m: v["population"] for m, v in cal_scenario["municipalities"].items()}
have_pop = all(population.get(m, 1) > 1 for m in gemeenten)
spend = fin.groupby("municipality")["final"].sum()
desc, dur = evaluation.describe(recs, r, st, keuze, plekken_bought, population, spend, survival, rng, bootstrap)
save_table(desc, out_dir, "beschrijving_2022")
save_table(dur, out_dir, "doorlooptijd_2022")
desc[["municipality", "keuze", "instroom", "instroom_per_1000", "unieke_clienten", "wacht_dagen_gem",
      "wachtend_eind", "plekken", "clienten_per_plek", "uitgaven", "kosten_per_client"]].round(1)

# %%
dur.round(1)

# %%
colors = {"plekken": "#dd8452", "trajecten": "#4c72b0"}
segs = sorted(dur["segment"].unique())
fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
y = np.arange(len(desc))
col = [colors[k] for k in desc["keuze"]]
ax = axes[0, 0]
if have_pop:
    v, lo_, hi_ = desc["instroom_per_1000"], desc["instroom_per_1000_ci_laag"], desc["instroom_per_1000_ci_hoog"]
    ax.set_xlabel("new episodes per 1,000 inhabitants in the period (95% Poisson CI)")
else:
    v, lo_, hi_ = desc["instroom"], desc["instroom_ci_laag"], desc["instroom_ci_hoog"]
    ax.set_xlabel("new episodes in the period (95% Poisson CI)")
ax.barh(y, v, xerr=[v - lo_, hi_ - v], color=col, capsize=3)
for yi, n in zip(y, desc["instroom"]):
    ax.annotate(f"{n} episodes", (0, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                color="white")
ax.set_yticks(y, desc["municipality"])
ax.set_ylabel("municipality")
ax.set_title(f"Instroom {year}")
ax = axes[0, 1]
d = dur.sort_values(["municipality", "segment"], ascending=False).reset_index(drop=True)
yd = np.arange(len(d))
err_lo = (d["km_mediaan"] - d["km_ci_laag"]).clip(lower=0).fillna(0)
err_hi = (d["km_ci_hoog"] - d["km_mediaan"]).clip(lower=0).fillna(0)
ax.barh(yd, d["km_mediaan"], xerr=[err_lo, err_hi], color=[colors[k] for k in d["keuze"]], capsize=3)
ax.scatter(d["model_mediaan"], yd, marker="D", s=30, color="black", zorder=3, label="calibrated model median")
for yi, r_ in zip(yd, d.itertuples()):
    ax.annotate(f"{r_.gesloten} closed, {r_.open_eind} open", (0, yi), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=8, color="white")
ax.set_yticks(yd, [f"{m} / {s}" for m, s in zip(d["municipality"], d["segment"])])
ax.set_ylabel("municipality / segment")
ax.set_xlabel("days in care: Kaplan-Meier median with delayed entry (bootstrap 95% CI)")
ax.set_title("Doorlooptijd, censoring-aware")
ax.legend(fontsize=8, loc="lower right")
ax = axes[1, 0]
ax.barh(y, desc["wacht_dagen_gem"], xerr=[(desc["wacht_dagen_gem"] - desc["wacht_ci_laag"]).fillna(0),
                                           (desc["wacht_ci_hoog"] - desc["wacht_dagen_gem"]).fillna(0)],
        color=col, capsize=3)
for yi, r_ in zip(y, desc.itertuples()):
    txt = f"{r_.wacht_dagen_gem:.0f} days over {r_.gestart} started"
    if r_.wachtend_eind:
        txt += f"; {r_.wachtend_eind} still waiting at {p1} (mean {r_.wachtend_eind_dagen_gem:.0f} days so far)"
    ax.annotate(txt, (0, yi), xytext=(4, 10), textcoords="offset points", fontsize=8)
ax.set_xlim(0, max(10.0, float(np.nanmax(desc["wacht_ci_hoog"].fillna(0)))) * 1.5)
ax.set_yticks(y, desc["municipality"])
ax.set_ylabel("municipality")
ax.set_xlabel("days from toewijzing to start of care, trajecten started in the period (95% CI)")
ax.set_title("Wait for care")
ax = axes[1, 1]
ax.barh(y, desc["kosten_per_client"] / 1000, color=col)
for yi, r_ in zip(y, desc.itertuples()):
    txt = f"spend EUR {r_.uitgaven / 1e6:.2f} mln, {r_.unieke_clienten} clients"
    if np.isfinite(r_.clienten_per_plek):
        txt += f"; {r_.clienten_per_plek:.2f} clients per plek ({r_.plekken:.0f} plekken)"
    ax.annotate(txt, (0, yi), xytext=(4, 0), textcoords="offset points", fontsize=8, va="center", color="white")
ax.set_yticks(y, desc["municipality"])
ax.set_ylabel("municipality")
ax.set_xlabel("spend per client in care, thousand EUR (funding rules x documented tariff)")
ax.set_title("Spend")
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()]
fig.legend(handles, [f"funded by {k}" for k in colors], loc="upper left", fontsize=8, ncols=2)
fig.suptitle(f"{year} per municipality from the records (colour: funding choice)")
save_figure(fig, out_dir, "beschrijving_2022", recs.source)

# %% [markdown]
# Kaplan-Meier curves with delayed entry (steps) show the realised doorlooptijd; the thin grey line is
# the calibrated model for the same mix. Many trajecten are still open at the end of the period, so
# the mean of the closed ones alone would be too short.

# %%
fig, axes = plt.subplots(1, len(segs), figsize=(5.5 * len(segs), 4.2), squeeze=False)
for ax, s in zip(axes[0], segs):
    for m in gemeenten:
        g = st[(st["municipality"] == m) & (st["segment"] == s)]
        if len(g) < 2:
            continue
        times, surv, _ = kaplan_meier(g["d"], g["event"], g["entry"])
        ax.step(np.r_[0, times], np.r_[1, surv], where="post", color=colors[keuze[m]],
                linestyle="-" if gemeenten.index(m) % 2 == 0 else "--", label=f"{m} ({keuze[m]}, n={len(g)})")
    g = st[(st["segment"] == s) & st["municipality"].isin(gemeenten)]
    ms = survival.curve(g, s)
    keep = survival.grid <= (g["d"].max() if len(g) else 365)
    ax.plot(survival.grid[keep], ms[keep], color="0.4", linewidth=1, label="calibrated model (all)")
    ax.set_title(f"Segment {s}: share still in care")
    ax.set_xlabel("days since start of care")
    ax.set_ylabel("share still in care (Kaplan-Meier)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
fig.suptitle("Doorlooptijd per municipality, censored at the period end and left-truncated")
save_figure(fig, out_dir, "doorlooptijd_km", recs.source)

# %% [markdown]
# ## Plekken municipalities against trajecten municipalities
# This is a comparison *between* municipalities, each of which chose its own funding. The table
# lists the municipalities per choice; how many there are decides whether any statistical
# comparison between the groups is possible at all (see the conclusions).

# %%
group = evaluation.group_comparison(desc)
# the one contrast that holds provider and segment fixed: the same (provider, segment) under both forms
same_pair = evaluation.same_provider_contrast(st, switch_pairs, gemeenten, rng, bootstrap)
save_table(group, out_dir, "vergelijking_keuze")
save_table(same_pair, out_dir, "doorlooptijd_zelfde_aanbieder")
display(group.round(1))
same_pair.round(1)

# %% [markdown]
# ## Counterfactual: each municipality under the other choice
# For each municipality the contracts in the switch scope (the provider x segment pairs where
# plekken were bought) are flipped: plekken become trajecten at the same tariff; trajecten become
# plekken, as many as `plekken_bij_omzetting` says (**budgetneutraal**: the 2022 tariff money of
# those trajecten / the plek-year price = tariff x 365 / planned doorlooptijd, the Noord-Limburg
# conversion; **bezetting**: the mean number in care in 2022, rounded up). Everything else stays as
# calibrated; provider behaviour is neutral (funding does not change doorlooptijd in the model,
# because one year of records cannot show that it does). All variants run on the same seed and
# replication numbers (common random numbers) with `compare()`; differences are paired.

# %%
n_plekken = functools.partial(counterfactual.plekken_after_switch, rule=plekken_bij_omzetting, finals=fin, st=st,
                              days=days, tariffs=tariffs, scenario=sc_factual)
variants, switched, notes = counterfactual.switch_variants(factual, choice.combos, gemeenten, switch_pairs,
                                                           plekken_bought, tariffs, n_plekken)
print("\n".join(notes))
save_table(switched, out_dir, "omzettingen")
cmp = compare(base, variants, replications=replications, seed=seed, reference="feitelijk", keep_events=True)
print(f"{len(variants)} variants x {replications} replications, seed {seed}; warm-up "
      f"{sc_factual.warmup.days:g} days from {'an initial caseload' if sc_factual.warmup.initial_caseload else 'empty'}")
switched

# %% [markdown]
# `compare()` reports per municipality; the wait in the switched segment itself (not diluted by the
# municipality's other segments) needs the KPIs per segment: `kpis(by=municipality, segment)` on the
# event logs that `compare(..., keep_events=True)` kept.

# %%
seg_k = counterfactual.segment_kpis(cmp, year)
pr = cmp.per_replication[cmp.per_replication["year"] == year]
cf = counterfactual.counterfactual_table(pr, seg_k, variants, switched, keuze)
save_table(cf, out_dir, "tegenfeitelijk")
cf.round(1)

# %%
PANELS = [("uitgaven", "Spend", 1000, "thousand EUR per year"), ("kosten", "Spend per client", 1, "EUR per client"),
          ("wachten", "Waiting time", 1, "days"), ("aantallen", "Clients and wachtlijst", 1, "clients or trajecten")]
cf["paneel"] = ["uitgaven" if m_.startswith("uitgaven") else "kosten" if m_.startswith("kosten") else
                "wachten" if m_.startswith("wachtdagen") else "aantallen" for m_ in cf["maat"]]
n_max = max(int((cf["paneel"] == p_).sum()) for p_, *_ in PANELS)
fig, axes = plt.subplots(2, 2, figsize=(14, max(6.0, 2 * (0.5 * n_max + 1.6))))
for ax, (key, title, scale, unit) in zip(axes.flat, PANELS):
    part = cf[cf["paneel"] == key]
    short = {"uitgaven": " thousand EUR", "kosten": " EUR", "wachten": " days", "aantallen": ""}[key]
    labels = [f"{r.municipality} -> {r.omgezet_naar}: {r.maat.replace(' (EUR)', '')}\n(actual {r.feitelijk / scale:,.0f}"
              f"{short})" for r in part.itertuples()]
    yy = np.arange(len(part))[::-1]
    c = ["#c44e52" if s_ else "0.55" for s_ in part["ci_sluit_0_uit"]]
    for yi, r_, ci in zip(yy, part.itertuples(), c):
        ax.errorbar(r_.verschil / scale, yi, xerr=[[np.nan_to_num(r_.verschil - r_.verschil_ci_laag) / scale],
                                                   [np.nan_to_num(r_.verschil_ci_hoog - r_.verschil) / scale]],
                    fmt="none", ecolor=ci, capsize=3)
    ax.scatter(part["verschil"] / scale, yy, color=c, zorder=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(yy, labels, fontsize=8)
    ax.set_ylim(-0.6, max(len(part), 1) - 0.4)
    ax.set_xlabel(f"other choice - actual choice ({unit}), 95% CI")
    ax.set_ylabel("municipality -> switched to: measure")
    ax.set_title(title)
fig.suptitle(f"Counterfactual {year}: each municipality under the other funding choice, paired differences "
             "(red: 95% CI excludes 0)")
src_sim = (f"Source: model calibrated on {recs.path.name}, {replications} replications, seed {seed}, common random "
           "numbers; tariffs 2019 spend per count (004 par. 6)")
save_figure(fig, out_dir, "tegenfeitelijk", src_sim, key=True)

# %% [markdown]
# ## Does the calibrated model reproduce 2022?
# Before trusting a counterfactual, the model with the actual 2022 choices should reproduce what
# the records show. The range is a 95% prediction interval for one year across replications
# (mean +/- t x sd x sqrt(1 + 1/n)); with few replications it is wide.

# %%
check = counterfactual.model_check(pr, seg_k, desc, gemeenten)
save_table(check, out_dir, "modelcontrole")
check.round(2)

# %%
n_panels = len(counterfactual.OBSERVED) + 1
fig, axes = plt.subplots(1, n_panels, figsize=(3.2 * n_panels, 3.8))
units = {"uitgaven": "EUR mln", "unieke_clienten": "clients", "wacht_dagen_gem": "days", "clienten_per_plek": "clients per plek",
         "wachtlijst_eind": "trajecten waiting"}
for ax, key in zip(axes, list(counterfactual.OBSERVED) + ["wachtlijst_eind"]):
    part = check[check["maat"] == key]
    scale = 1e6 if key == "uitgaven" else 1
    xx = np.arange(len(part))
    ax.errorbar(xx, part["model_gem"] / scale, yerr=[(part["model_gem"] - part["pi_laag"]) / scale,
                                                     (part["pi_hoog"] - part["model_gem"]) / scale],
                fmt="o", color="#4c72b0", capsize=4, label="model, 95% PI")
    ax.scatter(xx, part["waargenomen"] / scale, marker="x", s=60, color="#c44e52", zorder=3, label="records")
    ax.set_xticks(xx, part["municipality"])
    ax.set_xlim(-0.6, max(len(part), 1) - 0.4)
    ax.set_title(key, fontsize=10)
    ax.set_xlabel("municipality")
    ax.set_ylabel(units[key])
axes[0].legend(fontsize=8)
fig.suptitle(f"Model check: the calibrated model with the actual choices against the records, {year}")
save_figure(fig, out_dir, "modelcontrole", src_sim)

# %% [markdown]
# ## What the data supports, and what it cannot
# Computed from the tables above: a model difference counts as shown when its 95% interval
# excludes 0; the between-municipality comparison depends on how many municipalities chose each form.

# %%
n_by_choice = choice.choice["keuze"].value_counts().reindex(["plekken", "trajecten"], fill_value=0)  # all in the records
supports, cannot = counterfactual.conclusions(cf, check, same_pair, n_by_choice, replications)
conclusions = pd.DataFrame({"conclusie": supports + cannot,
                            "status": ["ondersteund"] * len(supports) + ["niet te concluderen"] * len(cannot)})
save_table(conclusions, out_dir, "conclusies")
print("WHAT THE DATA SUPPORTS")
for s in supports:
    print(" -", s)
print("\nWHAT IT CANNOT SUPPORT")
for s in cannot:
    print(" -", s)

# %% [markdown]
# ## Answer

# %%
answer = counterfactual.evaluation_answer(desc, cf, gemeenten, year, replications, n_by_choice)
save_answer(out_dir, "What did funding by plekken or by trajecten do per municipality in 2022, and what does the "
            "data support?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["beschrijving_2022", "doorlooptijd_km", "tegenfeitelijk", "modelcontrole"])
