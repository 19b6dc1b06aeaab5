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
# # 07 Gevoeligheid: welke aannames bepalen de uitkomst trajecten tegen plekken?
#
# **Vraag.** De kernvergelijking van pagina 03 voor één gemeente (standaard Venlo, jeugd S3) is
# *plekken min trajecten*: het verschil in uitgaven en in gemiddelde wachttijd. Hoeveel verschuift
# die als telkens één aanname verandert: het gedrag van aanbieders onder plekken
# (doorlooptijdfactor), de instroom (+/-10%), de doorlooptijd (+/-10%) en het aantal ingekochte
# plekken (+/-10%)?
#
# **Opzet.** Zoals pagina 03, maar alleen de gekozen gemeente zet om: de andere gemeenten houden
# trajecten zonder contracten (niet meegeteld). Plekken: N = belasting uit de proefrun /
# `target_bezetting`, vast als instroom of doorlooptijd veranderen (de gemeente kocht ze vooraf in).
# Tarieven: die van het scenario (geprijsd op de uitgaven 2019, zoals in 03). Ook de betaalconventies
# van het trajecttarief variëren (een tabel na het tornadodiagram): het trajectenlog van de basisrun
# opnieuw betaald onder elke conventie. Elke instelling draait beide varianten op
# gemeenschappelijke toevalsgetallen; elke balk is het gepaarde gemiddelde verschil bij de lage en
# de hoge waarde, één factor tegelijk, rond de basiswaarde (verticale lijn).
#
# **Waar dit op rust**
# - het standaardscenario Noord-Limburg en zijn tarieven (uitgaven 2019, 004 Inkoopnota
#   Noord-Limburg, par. 6);
# - aannames: de variatiebreedte (`delta` = 10%), de gedragsfactoren (0,9 / 1,1),
#   `target_bezetting` 95%, de standaardbetaalconventies (docs/funding.md).

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
out_dir = "outputs/scratch/07_sensitivity"   # make run geeft outputs/07_sensitivity

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulation import simulate
from simulation.config.scenario import scenario_from_dict
from simulation.report.helpers import (concurrent_load, contracts_for, focus, plekken_for_load, scenario_tariffs,
                                       without_plekken)
from simulation.report.labels import euro, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.sensitivity import PlekkenVsTrajecten
from simulation.report.variants import convention_effects, driving_convention
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table, signed_number

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="paired differences", horizon_years=horizon_years, municipality=municipality,
                       segment=segment, data_2019=data_2019, target_bezetting=target_bezetting, delta=delta,
                       behaviour_factors=behaviour_factors)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## Basisgeval en de instellingen, één tegelijk

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
    f"doorlooptijdfactor onder plekken ({number(lo_b, 1)} / {number(hi_b, 1)}; gedrag, aanname)": ("behaviour", lo_b,
                                                                                                 hi_b),
    f"instroom (-/+{percent(delta, 0)})": ("instroom", 1 - delta, 1 + delta),
    f"doorlooptijd, alle trajecten (-/+{percent(delta, 0)})": ("doorlooptijd", 1 - delta, 1 + delta),
    f"ingekochte plekken (-/+{percent(delta, 0)})": ("plekken", 1 - delta, 1 + delta),
}
base_result = comparison.setting()
tornado = comparison.tornado(factors)
save_table(tornado, out_dir, "tornado")
print(f"basis: plekken - trajecten, uitgaven {euro(base_result['uitgaven_verschil'])}, wachttijd "
      f"{number(base_result['wacht_verschil'], 1)} dagen")
dutch_table(tornado[["factor", "uitgaven_verschil_bij_laag", "uitgaven_verschil_bij_hoog", "wacht_verschil_bij_laag", "wacht_verschil_bij_hoog"]].round(1))

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.6))
for ax, key, scale, unit, title in [
        (axes[0], "uitgaven", 1e3, "duizend € per jaar", f"Uitgaven, plekken min trajecten, {municipality} {segment} {year0}"),
        (axes[1], "wacht", 1.0, "dagen (gemiddelde wachttijd, nieuwe trajecten)", "Gemiddelde wachttijd, plekken min "
         "trajecten")]:
    t = tornado.sort_values("uitgaven_bereik")          # one order for both panels
    y = np.arange(len(t))
    b = base_result[f"{key}_verschil"] / scale
    lo_v, hi_v = t[f"{key}_verschil_bij_laag"] / scale, t[f"{key}_verschil_bij_hoog"] / scale
    ax.barh(y, lo_v - b, left=b, color="#4c72b0", label="lage waarde")
    ax.barh(y, hi_v - b, left=b, color="#dd8452", label="hoge waarde")
    ax.axvline(b, color="k", lw=1)
    ax.set_yticks(y, t["factor"] if key == "uitgaven" else [""] * len(t))
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.set_ylabel("gewijzigde aanname" if key == "uitgaven" else "(zelfde volgorde als links)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False)
fig.suptitle("Gevoeligheid van de vergelijking plekken tegen trajecten, één aanname tegelijk (basis bij de zwarte lijn)")
save_figure(fig, out_dir, "tornado", source, key=True)

# %% [markdown]
# ## Betaalconventies van het trajecttarief
#
# Het trajectenlog van de basisrun opnieuw betaald onder elke conventie (docs/funding.md,
# "traject"); de plekkenvariant blijft zoals hij is. Gepaard per replicatie, 95%-BI.

# %%
conventions = convention_effects(comparison.base_comparison, year0)
conventions = conventions[conventions["municipality"] == municipality]
save_table(conventions, out_dir, "payment_conventions")
driver, driver_shift, driver_flips = driving_convention(conventions, municipality)
dutch_table(conventions[["conventie", "verschil_gem", "verschil_ci_laag", "verschil_ci_hoog", "oordeel"]].round(0))

# %% [markdown]
# ## Antwoord

# %%
top_s = tornado.loc[tornado["uitgaven_bereik"].idxmax()]
top_w = tornado.loc[tornado["wacht_bereik"].idxmax()]
same_sign = (np.sign(tornado[["uitgaven_verschil_bij_laag", "uitgaven_verschil_bij_hoog"]])
             == np.sign(base_result["uitgaven_verschil"])).all().all()


answer = (
    f"Standaardscenario Noord-Limburg. Voor {municipality} {segment} in {year0} is plekken min trajecten in het "
    f"basisgeval {euro(base_result['uitgaven_verschil'])} aan uitgaven (95%-BI "
    f"{euro(base_result['uitgaven_verschil_ci_laag'])} tot {euro(base_result['uitgaven_verschil_ci_hoog'])}) en "
    f"{signed_number(base_result['wacht_verschil'], 1)} dagen gemiddelde wachttijd. Het verschil in uitgaven is het gevoeligst "
    f"voor {top_s['factor']} ({euro(top_s['uitgaven_verschil_bij_laag'])} tot "
    f"{euro(top_s['uitgaven_verschil_bij_hoog'])}) en het verschil in wachttijd voor {top_w['factor']} "
    f"({signed_number(top_w['wacht_verschil_bij_laag'], 1)} tot {signed_number(top_w['wacht_verschil_bij_hoog'], 1)} dagen); het teken van "
    f"het verschil in uitgaven {'verandert nooit' if same_sign else 'verandert in minstens één instelling'} "
    f"({replications} replicaties per instelling). Van de betaalconventies van het trajecttarief die elk jaar werken "
    f"verschuift '{driver}' het verschil in uitgaven het meest: met {'+' if driver_shift > 0 else ''}"
    f"{euro(driver_shift)}{' (het teken draait om)' if driver_flips else ''} tegen de standaardconventies "
    f"(verlenging in het tarief, 001; afschaling lichter tarief, uitval alleen het startdeel, beginstand betaald "
    f"vóór 2022: aannames)."
)
save_answer(out_dir, f"Welke aannames bepalen de uitkomst plekken tegen trajecten voor {municipality} {segment}?",
            answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["tornado"])
