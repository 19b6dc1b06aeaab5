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
# 2019 cost per count (assumption, as in 03). Every setting runs both variants on common random
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
import copy

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation import load_scenario, simulate
from simulation.experiment.compare import compare
from simulation.analysis.tables import traject_table
from simulation.core.calendar import year_bounds
from simulation.report.notebooks import SOURCE_LINE, project_path, save_answer, save_figure, save_table
from simulation.config.scenario import scenario_from_dict

sc = load_scenario(project_path(scenario), overrides={"horizon_years": horizon_years})
if municipality not in sc.municipalities:
    raise ValueError(f"parameter municipality={municipality!r}: unknown; allowed: {sorted(sc.municipalities)}")
if segment not in sc.segments:
    raise ValueError(f"parameter segment={segment!r}: unknown; allowed: {sorted(sc.segments)}")
if not 0 < delta < 1:
    raise ValueError(f"parameter delta={delta!r}: a relative change in (0, 1), e.g. 0.10")
if len(behaviour_factors) != 2 or not all(f > 0 for f in behaviour_factors):
    raise ValueError(f"parameter behaviour_factors={behaviour_factors!r}: two doorlooptijd factors > 0 (low, high)")
if not (isinstance(replications, int) and replications >= 2):
    raise ValueError(f"parameter replications={replications!r}: paired differences need >= 2")
data_path = project_path(data_2019)
if not data_path.exists():
    raise ValueError(f"parameter data_2019={data_2019!r}: file not found at {data_path}")
ref = pd.read_csv(data_path)
source = SOURCE_LINE.format(scenario=sc.name, replications=replications, seed=seed)
# %%
# Helpers shared by the analysis notebooks (simulation/analysis.py).
from simulation.report.helpers import concurrent_load, contracts_for, focus, tariffs_2019, without_plekken

# %% [markdown]
# ## Base case and the one-at-a-time settings

# %%
base = without_plekken(focus(sc.model_dump(mode="json", exclude_none=True), [segment]), segment)
base_sc = scenario_from_dict(base, source="focus")
tariffs = tariffs_2019(base_sc, segment, ref)
traject_contracts = contracts_for(base_sc, [municipality], segment, "traject", tariffs=tariffs)
pilot = simulate(scenario_from_dict(base, overrides={"funding": {"contracts": traject_contracts}}),
                 seed=seed + 10_000, replications=5, workers=workers)
load = concurrent_load(pilot.events, base_sc, segment)
load = load[load["municipality"] == municipality]
n_base = {p: {int(y): max(1, int(np.ceil(v / target_bezetting))) for y, v in g.set_index("year")["load"].items()}
          for p, g in load.groupby("provider")}
year0 = sc.years[0]


def scaled_dist(d: dict, f: float) -> dict:
    d = dict(d)
    if "mean" in d:
        d["mean"] = d["mean"] * f
    elif "value" in d:
        d["value"] = d["value"] * f
    else:
        raise ValueError(f"cannot scale a doorlooptijd of kind {d.get('kind')!r}")
    return d


def setting(instroom=1.0, doorlooptijd=1.0, plekken=1.0, behaviour=1.0) -> dict:
    raw = copy.deepcopy(base)
    seg = raw["segments"][segment]
    ins = seg["instroom"]
    ins["per_year"] = ({m: v * instroom for m, v in ins["per_year"].items()} if isinstance(ins["per_year"], dict)
                       else ins["per_year"] * instroom)
    for t in seg["traject_types"].values():
        t["doorlooptijd"] = scaled_dist(t["doorlooptijd"], doorlooptijd)
        if "verlenging_doorlooptijd" in t:
            t["verlenging_doorlooptijd"] = scaled_dist(t["verlenging_doorlooptijd"], doorlooptijd)
    extra = {"behaviour": {"doorlooptijd_factor": behaviour, "source": "aanname: sensitivity"}} if behaviour != 1 else {}
    pk = contracts_for(base_sc, [municipality], segment, "plekken", tariffs=tariffs, **extra,
                       plekken=lambda m, p: {y: max(1, int(round(n * plekken))) for y, n in n_base.get(p, {year0: 1}).items()})
    c = compare(raw, {"trajecten": {"funding": {"contracts": traject_contracts}}, "plekken": {"funding": {"contracts": pk}}},
                replications=replications, seed=seed, reference="trajecten", workers=workers)
    s = c.summary
    s = s[(s["variant"] == "plekken") & (s["municipality"] == municipality) & (s["year"] == year0)].set_index("measure")
    return {"spend_diff": s.loc["spend", "diff_vs_reference"], "spend_diff_ci_low": s.loc["spend", "diff_ci_low"],
            "spend_diff_ci_high": s.loc["spend", "diff_ci_high"],
            "wait_diff": s.loc["wacht_dagen_gem", "diff_vs_reference"],
            "wait_diff_ci_low": s.loc["wacht_dagen_gem", "diff_ci_low"],
            "wait_diff_ci_high": s.loc["wacht_dagen_gem", "diff_ci_high"]}


lo_b, hi_b = behaviour_factors
factors = {
    f"doorlooptijd factor under plekken ({lo_b:g} / {hi_b:g}; behaviour, aanname)": ("behaviour", lo_b, hi_b),
    f"instroom (-/+{delta:.0%})": ("instroom", 1 - delta, 1 + delta),
    f"doorlooptijd, all trajecten (-/+{delta:.0%})": ("doorlooptijd", 1 - delta, 1 + delta),
    f"plekken bought (-/+{delta:.0%})": ("plekken", 1 - delta, 1 + delta),
}
base_result = setting()
rows = []
for label, (name, lo, hi) in factors.items():
    r_lo, r_hi = setting(**{name: lo}), setting(**{name: hi})
    rows.append({"factor": label, "low": lo, "high": hi,
                 **{f"{k}_at_low": v for k, v in r_lo.items()}, **{f"{k}_at_high": v for k, v in r_hi.items()}})
tornado = pd.DataFrame(rows)
tornado["spend_range"] = (tornado["spend_diff_at_high"] - tornado["spend_diff_at_low"]).abs()
tornado["wait_range"] = (tornado["wait_diff_at_high"] - tornado["wait_diff_at_low"]).abs()
save_table(tornado, out_dir, "tornado")
print(f"base: plekken - trajecten spend EUR {base_result['spend_diff']:,.0f}, wait {base_result['wait_diff']:+.1f} days")
tornado[["factor", "spend_diff_at_low", "spend_diff_at_high", "wait_diff_at_low", "wait_diff_at_high"]].round(1)

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.6))
for ax, key, scale, unit, title in [
        (axes[0], "spend", 1e3, "EUR thousand per year", f"Spend, plekken minus trajecten, {municipality} {segment} {year0}"),
        (axes[1], "wait", 1.0, "days (mean wait, new trajecten)", "Mean wait, plekken minus trajecten")]:
    t = tornado.sort_values("spend_range")          # one order for both panels
    y = np.arange(len(t))
    b = base_result[f"{key}_diff"] / scale
    lo_v, hi_v = t[f"{key}_diff_at_low"] / scale, t[f"{key}_diff_at_high"] / scale
    ax.barh(y, lo_v - b, left=b, color="#4c72b0", label="low value")
    ax.barh(y, hi_v - b, left=b, color="#dd8452", label="high value")
    ax.axvline(b, color="k", lw=1)
    ax.set_yticks(y, t["factor"] if key == "spend" else [""] * len(t))
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.set_ylabel("assumption changed" if key == "spend" else "(same order as left)")
    ax.legend(fontsize=8, loc="lower right")
fig.suptitle(f"One-at-a-time sensitivity of the plekken-vs-trajecten comparison (base at the black line)")
save_figure(fig, out_dir, "tornado", source, key=True)

# %% [markdown]
# ## Answer

# %%
top_s = tornado.loc[tornado["spend_range"].idxmax()]
top_w = tornado.loc[tornado["wait_range"].idxmax()]
answer = (
    f"For {municipality} {segment} in {year0}, plekken minus trajecten is EUR {base_result['spend_diff']:,.0f} in spend "
    f"and {base_result['wait_diff']:+.1f} days in mean wait in the base case. The spend difference is most sensitive to "
    f"{top_s['factor']} (EUR {top_s['spend_diff_at_low']:,.0f} to {top_s['spend_diff_at_high']:,.0f}) and the wait "
    f"difference to {top_w['factor']} ({top_w['wait_diff_at_low']:+.1f} to {top_w['wait_diff_at_high']:+.1f} days); "
    f"the sign of the spend difference {'never changes' if (np.sign(tornado[['spend_diff_at_low', 'spend_diff_at_high']]) == np.sign(base_result['spend_diff'])).all().all() else 'changes in at least one setting'} "
    f"({replications} replications per setting)."
)
save_answer(out_dir, f"Which assumptions drive the plekken-vs-trajecten result for {municipality} {segment}?", answer)
print(answer)

# %%
# the figures this notebook promises (checked when it runs, also under nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["tornado"])
