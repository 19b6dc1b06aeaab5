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
# # 01 Snelle start: hoe stromen cliënten door de toegang, de trajecten en het voorliggend veld?
#
# **Vraag.** Hoeveel cliënten melden zich in het eerste jaar bij de toegang, hoeveel worden in het
# voorliggend veld geholpen, hoeveel beginnen een traject, hoe lang blijven en wachten ze, en hoe
# verhouden de zeven gemeenten zich?
#
# **Scenario.** Deze pagina rekent met het standaardscenario Noord-Limburg
# (`params/noord-limburg.yaml`), niet met de synthetische evaluatiegegevens van pagina 08. In dit
# scenario is er in de meeste segmenten bijna altijd een plek vrij, dus de gemiddelde wachttijd is
# vrijwel nul; pagina 08 toont wel weken wachttijd, maar die komt uit een klein kunstmatig testbestand
# met een eigen scenario.
#
# **Waar dit op rust**
# - de instroom per segment: de tellingen van 2019 uit 004 Inkoopnota Noord-Limburg, par. 6,
#   gegroeid met 5% (jeugd) en 3% (Wmo) per jaar (`params/derive_instroom.py`);
# - de inwoners per gemeente uit 004 Inkoopnota Noord-Limburg; de gemeenten verschillen in het
#   scenario verder alleen in de aanbieders die hen bedienen (aanname: de documenten geven geen
#   instroom of trajectmix per gemeente);
# - doorlooptijden en uitkomsten van trajecten: aannames in het scenario (docs/doorlooptijden.md).
#
# De standaardwaarden hieronder zijn klein, zodat de pagina in seconden draait (uitvoer in
# outputs/scratch/); `make run` gebruikt `params/report/notebooks.yaml` voor de volledige analyse.
# Staat in `outputs/runs/` een run met hetzelfde scenariobestand, dezelfde seed, replicaties en horizon
# (`make run` schrijft die eerst), dan leest deze pagina die in plaats van opnieuw te simuleren; de
# pagina zegt welke van de twee.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
replications = 2
seed = 1
horizon_years = 1   # jaren; None: de horizon van het scenario (zoals de opgeslagen run van make run)
runs_dir = "outputs/runs"   # waar make run de opgeslagen runs schrijft
out_dir = "outputs/scratch/01_quick_start"   # make run geeft outputs/01_quick_start

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from simulation.analysis.kpis import kpis, summarise
from simulation.analysis.summaries import flow_per_year
from simulation.report.labels import number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.stored_run import baseline
from simulation.report.texts import POPULATION_BANNER, dutch_table, warmup_text

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=horizon_years,
                       references=[("004", "par. 6")])
sc, source = ctx.scenario, ctx.source
print(f"Scenario {sc.name}: {len(sc.municipalities)} gemeenten, {len(sc.segments)} segmenten, "
      f"{len(sc.providers)} aanbieders, vanaf {sc.start_date:%d-%m-%Y}, {number(sc.horizon_years, 1)} jaar")

# %%
run = baseline(scenario, sc, seed, replications, out_dir=out_dir, runs=runs_dir)
result = run.result
ev = result.events
first_year = sc.years[0]
print(run.sentence)
print(warmup_text(sc))

# %% [markdown]
# ## De stroom in het eerste jaar
# Aantallen per replicatie (gemiddelde over de replicaties), uit het gebeurtenissenlog.

# %%
flow = flow_per_year(ev, first_year)
flow_table = pd.DataFrame({"stap": list(flow), "per_jaar": [round(v, 1) for v in flow.values()]})
save_table(flow_table, out_dir, "flow")
dutch_table(flow_table)

# %%
direct = flow["direct naar voorliggend veld"]
colors = ["#4c72b0", "#8172b3", "#4c72b0", "#55a868", "#8172b3", "#c44e52", "#dd8452", "#937860"]
fig, ax = plt.subplots(figsize=(9, 4.8))
steps = list(flow)[::-1]
values = [flow[s] for s in steps]
bars = ax.barh(steps, values, color=colors[::-1])
ax.bar_label(bars, labels=[number(v) for v in values], padding=3)
ax.set_title(f"Cliëntenstroom {first_year}: van aanmelding tot einde zorg (gemiddelde per jaar)")
ax.set_xlabel("cliënten of trajecten per jaar")
ax.set_ylabel("stap in het cliëntpad")
ax.set_xlim(0, max(values) * 1.15)
save_figure(fig, out_dir, "flow", source, key=True)

# %% [markdown]
# ## Kerncijfers per gemeente
#
# > ⚠ Let op: de gemeenten verschillen in dit scenario alleen in inwonertal (en in de aanbieders die
# > hen bedienen). Verschillen tussen gemeenten boven de schaal zijn toeval van de simulatie.

# %%
k = kpis(ev, sc, by=["municipality"])
k = k[k["year"] == first_year]
summary = summarise(k, ["unieke_clienten", "instroom", "doorlooptijd_gem", "wacht_dagen_gem", "wachtlijst_eind"])
summary["inwoners"] = summary["municipality"].astype(str).map({m: v.population for m, v in sc.municipalities.items()})
summary["clienten_per_1000"] = 1000 * summary["unieke_clienten_gem"] / summary["inwoners"]
save_table(summary, out_dir, "kpis_per_gemeente")
dutch_table(summary[["municipality", "inwoners", "unieke_clienten_gem", "clienten_per_1000", "doorlooptijd_gem_gem",
                     "wacht_dagen_gem_gem"]].round(1))

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
order = summary.sort_values("clienten_per_1000")
ax1.barh(order["municipality"].astype(str), order["clienten_per_1000"], color="#4c72b0")
ax1.set_title(f"Cliënten in zorg per 1.000 inwoners, {first_year}")
ax1.set_xlabel("cliënten per 1.000 inwoners")
ax1.set_ylabel("gemeente")
ax2.barh(order["municipality"].astype(str), order["wacht_dagen_gem_gem"],
         xerr=[(order["wacht_dagen_gem_gem"] - order["wacht_dagen_gem_ci_laag"].clip(lower=0)).fillna(0),
               (order["wacht_dagen_gem_ci_hoog"] - order["wacht_dagen_gem_gem"]).fillna(0)], color="#dd8452")
ax2.set_xlim(left=0)   # a wait is never negative: the interval is cut at 0
ax2.set_title("Gemiddelde wachttijd op zorg (95%-BI, afgekapt bij 0)")
ax2.set_xlabel("dagen van toewijzing tot start van de zorg")
ax2.set_ylabel("gemeente")
fig.suptitle("Per gemeente: verschillen komen alleen uit het inwonertal (en de aanbieders)", fontsize=10)
save_figure(fig, out_dir, "kpis_per_gemeente", source)

# %% [markdown]
# ## Antwoord

# %%
top = summary.sort_values("clienten_per_1000").iloc[-1]
low = summary.sort_values("clienten_per_1000").iloc[0]
wait = summary["wacht_dagen_gem_gem"].max()
answer = (
    f"Standaardscenario Noord-Limburg ({replications} replicaties, seed {seed}). "
    f"In {first_year} komen ongeveer {number(flow['aanmeldingen'])} aanmeldingen bij de toegang; "
    f"{percent(direct / max(flow['aanmeldingen'], 1), 0)} gaat direct naar het voorliggend veld en "
    f"{number(flow['start zorg (nieuw)'])} nieuwe trajecten starten met zorg. "
    f"Het zorggebruik loopt van {number(low['clienten_per_1000'])} cliënten per 1.000 inwoners in {low['municipality']} "
    f"tot {number(top['clienten_per_1000'])} in {top['municipality']}; de langste gemiddelde wachttijd is "
    f"{number(wait)} {'dag' if number(wait) == '1' else 'dagen'} (in dit scenario is er bijna altijd een plek vrij; "
    f"de wachttijden van weken op pagina 08 komen uit synthetische evaluatiegegevens, een ander scenario). "
    f"{POPULATION_BANNER}"
)
save_answer(out_dir, "Hoe stromen cliënten door de toegang, de trajecten en het voorliggend veld, per gemeente?",
            answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["flow", "kpis_per_gemeente"])
