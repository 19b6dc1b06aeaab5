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
# # 02 Kalibratie: klopt het eerste gesimuleerde jaar met de cijfers van 2019?
#
# **Vraag.** Hoe dicht liggen per segment de cliënten en de uitgaven van het eerste gesimuleerde
# jaar van het scenario bij de cijfers van 2019 uit 004 Inkoopnota Noord-Limburg, par. 6, gegroeid
# naar dat jaar met de gedocumenteerde groei (jeugd 5%, Wmo 3% per jaar)?
#
# Het standaardscenario is zo gekalibreerd: `params/derive_instroom.py` zet de instroom zo dat het
# eerste jaar (2022) per segment `telling_2019 x (1 + groei)^3` cliënten bedient. Het doel hier is
# dus de telling en de uitgaven van 2019, gegroeid naar het eerste gesimuleerde jaar.
#
# **Uitgaven** zijn wat de bekostigingsregels betalen (`simulation.funding.payments`) onder de
# contracten van het scenario. Het standaardscenario heeft per segment de contracten van 004
# Inkoopnota Noord-Limburg, par. 7 (trajecten, regionale budgetten verrekend op realisatie, de
# plekken van Venlo, een prijs per etmaal met bonus-malus, budgetplafonds, populatiebekostiging,
# PxQ), geprijsd door `params/derive_funding.py`: één tarief per uur (of etmaal) zorg per segment,
# zo opgelost dat het eerste jaar de uitgaven van 2019 betaalt, gegroeid zoals de tellingen. De
# controle van de uitgaven is dus een controle van die prijzen via de betaalregels, op andere
# toevalsgetallen dan de afleiding gebruikte. Alleen een segment zonder contracten valt terug op
# unieke cliënten x de kosten per telling van 2019; de tabel zegt welke basis elk segment gebruikte.
#
# **Waar dit op rust**
# - tellingen en uitgaven 2019 per segment: 004 Inkoopnota Noord-Limburg, par. 6
#   (`params/data/noord_limburg_2019_segments.csv`);
# - groei 5% (jeugd) en 3% (Wmo) per jaar: 004 Inkoopnota Noord-Limburg, par. 6;
# - de contractvormen per segment: 004 Inkoopnota Noord-Limburg, par. 7; de tarieven zijn daaruit
#   afgeleid (`params/derive_funding.py`), dus een goede overeenkomst is een controle, geen bewijs.

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"
replications = 2
seed = 1
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
runs_dir = "outputs/runs"   # waar make run de opgeslagen runs schrijft
out_dir = "outputs/scratch/02_calibration_2019"   # make run geeft outputs/02_calibration_2019

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from simulation.report.calibration_check import calibration_table
from simulation.report.labels import euro, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.stored_run import baseline
from simulation.report.texts import dutch_table, warmup_text

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=1, data_2019=data_2019,
                       references=[("004", "par. 6 (2019) en 7 (contracten)")])
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019
first_year = sc.years[0]
print(f"Scenario {sc.name}: eerste gesimuleerde jaar {first_year}, {len(sc.segments)} segmenten, "
      f"{'met' if sc.funding and sc.funding.contracts else 'zonder'} bekostigingscontracten")

# %%
run = baseline(scenario, sc, seed, replications, out_dir=out_dir, workers=workers, runs=runs_dir)
result = run.result
print(run.sentence)
print(warmup_text(sc))

# %% [markdown]
# ## Model en doel per segment

# %%
table, contract_segments = calibration_table(sc, result.events, ref)
save_table(table, out_dir, "calibration_per_segment")
dutch_table(table[["segment", "domain", f"clients_target_{first_year}", f"clients_model_{first_year}", "clients_error_pct",
                   f"spend_target_{first_year}_eur", f"spend_model_{first_year}_eur", "spend_error_pct", "spend_basis"]]
            .rename(columns={f"clients_target_{first_year}": f"Cliënten doel {first_year}",
                             f"clients_model_{first_year}": f"Cliënten model {first_year}",
                             f"spend_target_{first_year}_eur": f"Uitgaven doel {first_year} (€)",
                             f"spend_model_{first_year}_eur": f"Uitgaven model {first_year} (€)"}))

# %%
segs = table["segment"].tolist()
x = np.arange(len(segs))
below = {"fontsize": 8, "loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncols": 2, "frameon": False}
fig, axes = plt.subplots(1, 3, figsize=(14, 5.2), gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
ax = axes[0]
ax.bar(x - 0.2, table[f"clients_target_{first_year}"], 0.4, label=f"2019 gegroeid naar {first_year}", color="0.6")
ax.bar(x + 0.2, table[f"clients_model_{first_year}"], 0.4, yerr=table["clients_model_sd"].fillna(0),
       label=f"model {first_year} (± sd)", color="#4c72b0")
ax.set_yscale("log")
ax.set_xticks(x, segs)
ax.set_title("Cliënten per segment")
ax.set_xlabel("segment")
ax.set_ylabel("unieke cliënten per jaar (logaritmische schaal)")
ax.legend(**below)
ax = axes[1]
ax.bar(x - 0.2, table[f"spend_target_{first_year}_eur"] / 1e6, 0.4, label=f"2019 gegroeid naar {first_year}",
       color="0.6")
ax.bar(x + 0.2, table[f"spend_model_{first_year}_eur"] / 1e6, 0.4, label=f"model {first_year}", color="#55a868")
ax.set_xticks(x, segs)
ax.set_title("Uitgaven per segment")
ax.set_xlabel("segment")
ax.set_ylabel("€ mln per jaar\n(nominaal, 2019 gegroeid met 5% / 3% per jaar)")
ax.legend(**below)
ax = axes[2]
ax.axhline(0, color="0.3", lw=0.8)
ax.bar(x - 0.2, table["clients_error_pct"], 0.4, label="cliënten", color="#4c72b0")
ax.bar(x + 0.2, table["spend_error_pct"], 0.4, label="uitgaven", color="#55a868")
ax.set_xticks(x, segs)
ax.set_title("Afwijking: model tegen doel")
ax.set_xlabel("segment")
ax.set_ylabel("afwijking (% van het doel)")
ax.legend(**below)
fig.suptitle(f"Kalibratie: eerste gesimuleerde jaar ({first_year}) tegen 2019, gegroeid met 5% (jeugd) / 3% (Wmo) "
             "per jaar")
save_figure(fig, out_dir, "calibration_per_segment", source, key=True)

# %% [markdown]
# ## Antwoord

# %%
err = table.set_index("segment")["clients_error_pct"]
total_target = table[f"spend_target_{first_year}_eur"].sum()
total_model = table[f"spend_model_{first_year}_eur"].sum()
_, total_lo, total_hi = table.attrs["spend_total_ci"]
basis = ("uit de bekostigingsregels" if contract_segments == set(segs) else
         "uit de terugval (cliënten x kosten per telling 2019)" if not contract_segments else
         "uit de bekostigingsregels waar contracten zijn en elders uit de terugval")
worst = err.abs().idxmax()
answer = (
    f"Over de {len(segs)} segmenten ligt het eerste gesimuleerde jaar ({first_year}) binnen "
    f"{number(err.abs().max(), 1)}% van de tellingen van 2019, gegroeid naar {first_year} (gemiddelde absolute afwijking "
    f"{number(err.abs().mean(), 1)}%; grootste afwijking in {worst}, {'+' if err[worst] > 0 else ''}"
    f"{number(err[worst], 1)}%). De totale uitgaven, {basis}, zijn {euro(total_model, million=True)} "
    f"(95%-BI {euro(total_lo, million=True)} tot {euro(total_hi, million=True)}) tegen een doel van "
    f"{euro(total_target, million=True)} ({'+' if total_model > total_target else ''}"
    f"{percent(total_model / total_target - 1)}), met {replications} replicaties."
)
save_answer(out_dir, f"Klopt het eerste gesimuleerde jaar met de cliënten en uitgaven van 2019 per segment, gegroeid "
            f"naar {first_year}?", answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["calibration_per_segment"])
