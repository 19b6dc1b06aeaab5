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
# # 05 Bezetting van plekken: hoeveel plekken moet een gemeente inkopen?
#
# **Vraag.** Hoe veranderen voor één gemeente, aanbieder en segment (standaard Venlo bij Jeugd
# regionaal A, jeugd S3) de bezetting en de wachttijd op een plek met het aantal ingekochte
# plekken, hoe goed voorspelt de wachtrijtheorie (Erlang C) dat, en bij welk aantal plekken zijn de
# kosten van lege plekken en van wachten in evenwicht?
#
# **Methode.** Dezelfde cliënten (gemeenschappelijke toevalsgetallen) draaien met N plekken voor een
# reeks N; de andere pools van het scenario blijven zoals ze zijn. De aangeboden belasting a komt uit
# een run met ruim voldoende capaciteit: a = gemiddeld aantal bezette plekken, lambda = nieuwe claims
# per dag, E[S] = a / lambda (wet van Little; een claim houdt zijn plek via verlenging en
# afschaling). Erlang C geeft de kans op wachten C(N, a), de gemiddelde wachttijd
# W_q = C(N, a) E[S] / (N - a) en de bezetting a / N. Het model is M/G/N met ketens (lognormale
# doorlooptijden, verlenging, afschaling, uitval, een groeiende Poisson-instroom), dus Erlang C
# (M/M/N) is een benadering. Standaard wachten cliënten op de aanbieder die ze kozen
# (`max_wait_days = None`): dat is de wachtrij die Erlang C beschrijft; zet `max_wait_days = 42` voor
# de regel van het scenario die hen naar een aanbieder met ruimte verplaatst.
#
# **Kostenevenwicht.** Een lege plek kost de prijs per plekdag (prijs per plekjaar / 365 = tarief /
# geplande doorlooptijd; tarieven: die van het scenario zelf, zoals in pagina 03), wie hem ook
# draagt (de aanbieder na de terugbetaalregel, de gemeente zonder). Een dag wachten kost
# `cost_per_waiting_day`: **een aanname zonder bron in de documenten**; verander hem om te zien hoe
# het evenwicht verschuift.
#
# **Waar dit op rust**
# - het standaardscenario Noord-Limburg (instroom uit 004 Inkoopnota Noord-Limburg, par. 6);
# - tarieven: die van het scenario (`params/derive_funding.py`, uitgaven 2019 uit 004 par. 6);
# - aanname: € 50 per wachtdag (`cost_per_waiting_day`);
# - aanname: cliënten wachten op hun eigen aanbieder (`max_wait_days = None`).

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
mmc_pools = 100         # onafhankelijke M/M/N-systemen per replicatie voor de controle met Erlang C
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/05_plek_occupancy"   # make run geeft outputs/05_plek_occupancy

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
from simulation.report.labels import euro, name, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report import occupancy
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, horizon_years=horizon_years,
                       municipality=municipality, segment=segment, provider=provider, data_2019=data_2019,
                       n_points=n_points, max_factor=max_factor, max_wait_days=max_wait_days,
                       cost_per_waiting_day=cost_per_waiting_day)
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019
who = f"{municipality} bij {name('provider', provider)}, {segment}"

# %% [markdown]
# ## Aangeboden belasting bij ruime capaciteit

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
print(f"aangeboden belasting a = {number(a, 1)} bezette plekken; lambda = {number(lam * 365)} nieuwe claims per jaar; "
      f"E[S] = {number(es)} dagen")

# %% [markdown]
# ## Bezetting en wachttijd tegen N, met Erlang C
#
# De wachttijd staat op een lineaire as. Dicht bij N = a loopt Erlang C naar oneindig; waar de lijn
# boven de as uitkomt, valt hij buiten beeld.

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
dutch_table(res.round(2))

# %%
n_grid = np.arange(int(np.floor(a)) + 1, int(np.ceil(max_factor * a)) + 2)
erl_wait = np.array([erlang_wait(n, a, es) for n in n_grid])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12.5, 4.8))
ax1.plot(res["plekken"], 100 * res["bezetting"], "o-", color="#4c72b0", label="model")
ax1.plot(n_grid, 100 * a / n_grid, "--", color="0.4", label="Erlang C: a / N")
ax1.set_title(f"Bezetting, {who} {year0}")
ax1.set_xlabel("ingekochte plekken (N)")
ax1.set_ylabel("bezetting (% van de ingekochte plekdagen gebruikt)")
ax1.legend(fontsize=8)
ax2.errorbar(res["plekken"], res["wait_mean"], yerr=[res["wait_mean"] - res["wait_min"], res["wait_max"] - res["wait_mean"]],
             fmt="o-", color="#dd8452", capsize=3, label="model (gemiddelde, bereik over replicaties)")
ax2.plot(n_grid, erl_wait, "--", color="0.4", label=f"Erlang C, a = {number(a, 1)}, E[S] = {number(es)} dagen")
top = max(float(res["wait_max"].max()), 1.0) * 1.3
ax2.set_ylim(0, top)
if (erl_wait > top).any():
    ax2.text(0.98, 0.97, "Erlang C loopt dicht bij N = a\nboven de as uit (buiten beeld)", transform=ax2.transAxes,
             ha="right", va="top", fontsize=8, color="0.4")
ax2.set_title("Gemiddelde wachttijd op een plek (nieuwe trajecten)")
ax2.set_xlabel("ingekochte plekken (N)")
ax2.set_ylabel("dagen van toewijzing tot start (lineaire as)")
ax2.legend(fontsize=8)
save_figure(fig, out_dir, "bezetting_and_wait", source, key=True)

# %%
erl_cost = (n_grid - a) * days * plek_day_price + lam * days * erl_wait * cost_per_waiting_day
best_model = res.loc[res["cost_total_eur"].idxmin()]
best_erlang = int(n_grid[np.argmin(erl_cost)])
fig, ax = plt.subplots(figsize=(8.5, 4.8))
ax.plot(res["plekken"], res["cost_empty_eur"] / 1e3, "s-", color="#8172b3", label="lege plekdagen (model)")
ax.plot(res["plekken"], res["cost_waiting_eur"] / 1e3, "^-", color="#dd8452",
        label=f"wachtdagen x {euro(cost_per_waiting_day)} (aanname)")
ax.plot(res["plekken"], res["cost_total_eur"] / 1e3, "o-", color="k", label="totaal (model)")
ax.plot(n_grid, erl_cost / 1e3, "--", color="0.5", label="totaal (Erlang C)")
ax.axvline(best_model["plekken"], color="k", lw=0.7, ls=":")
ax.set_ylim(0, res["cost_total_eur"].max() / 1e3 * 1.5)
ax.set_title(f"Kosten van lege plekken tegen wachten, {who} {year0}")
ax.set_xlabel("ingekochte plekken (N)")
ax.set_ylabel("duizend € per jaar")
ax.legend(fontsize=8)
save_figure(fig, out_dir, "cost_balance", source)

# %% [markdown]
# ## Waar M/M/N geldt: het model tegen Erlang C
#
# De trajecten van het scenario zijn geen M/M/N (lognormale doorlooptijden, verlengingen,
# afschalingen), dus de vergelijking hierboven is een maatstaf, geen controle. Hier draaien dezelfde
# belasting a en E[S] als een M/M/N-systeem (Poisson-claims, exponentiële doorlooptijd, verder
# niets), `mmc_pools` onafhankelijke systemen per replicatie, vanuit de evenwichtsstart op dag 0
# zonder inloop: de gemiddelde wachttijd van het model en het aandeel claims dat wacht in het eerste
# jaar, met hun 95%-BI, naast Erlang C. Beide zijn het jaartotaal van een pool gedeeld door het
# verwachte aantal claims (lambda T): het gemiddelde van de eigen gemiddelde wachttijden van de
# pools is te laag, omdat een pool met een wachtrij al zijn plekken bezet heeft en dus meer starts
# heeft om zijn wachten over te verdelen. Met een doorlooptijd van meer dan een jaar verandert de
# wachtrij van één systeem langzaam, dus zijn veel systemen nodig; bij 95% valt ongeveer één N op
# de twintig toevallig buiten het interval. De waarden van N delen hun toevalsgetallen: één
# ongelukkige set systemen trekt alle N dezelfde kant op. Daarom oordeelt `binnen_familie` zoals de
# validatietests (tests/validation): Erlang C binnen de intervallen op een familieniveau van 1% over
# alle vergelijkingen samen (Bonferroni).

# %%
mmc = occupancy.mmc_check(a, es, [n for n in ns if n > a], replications, seed, sc.start_date, pools=mmc_pools,
                          workers=workers)
save_table(mmc, out_dir, "mmc_check")
dutch_table(mmc.round(2))

# %% [markdown]
# ## Antwoord

# %%
stable = res.dropna(subset=["erlang_wait_mean"])
first, last = stable.iloc[0], stable.iloc[-1]
answer = (
    f"Standaardscenario Noord-Limburg. Bij ruime capaciteit houdt {municipality} gemiddeld {number(a, 1)} plekken "
    f"bezet bij {name('provider', provider)} in {segment} (E[S] = {number(es)} dagen per claim). Van "
    f"{res['plekken'].iloc[0]} naar {res['plekken'].iloc[-1]} plekken daalt de bezetting van "
    f"{percent(res['bezetting'].iloc[0], 0)} naar {percent(res['bezetting'].iloc[-1], 0)} en de gemiddelde wachttijd "
    f"van {number(res['wait_mean'].iloc[0], 1)} naar {number(res['wait_mean'].iloc[-1], 1)} dagen (bereik over "
    f"{replications} replicaties {number(res['wait_min'].iloc[0], 1)} tot {number(res['wait_max'].iloc[0], 1)} "
    f"dagen bij {res['plekken'].iloc[0]} plekken); voor N = {int(first['plekken'])} tot {int(last['plekken'])} "
    f"voorspelt Erlang C {number(first['erlang_wait_mean'], 1)} tot {number(last['erlang_wait_mean'], 1)} dagen tegen "
    f"{number(first['wait_mean'], 1)} tot {number(last['wait_mean'], 1)} in het model (M/M/N in evenwicht tegen één "
    f"jaar M/G/N met ketens vanuit een evenwichtsstart, dus dicht bij N = a wacht het model korter). "
    f"Bij een aangenomen {euro(cost_per_waiting_day)} per wachtdag en {euro(plek_day_price * 365)} per plekjaar "
    f"brengen {int(best_model['plekken'])} plekken de kosten van lege plekken en van wachten in evenwicht in het model "
    f"(Erlang C: {best_erlang}). Waar M/M/N geldt (zelfde a en E[S], exponentiële doorlooptijd, geen ketens, vanuit "
    f"de evenwichtsstart op dag 0) ligt de gemiddelde wachttijd van Erlang C binnen het 95%-BI van het model voor "
    f"{int(mmc['binnen_ci'].sum())} van de {len(mmc)} waarden van N, en de kans op wachten voor "
    f"{int(mmc['kans_binnen_ci'].sum())} van de {len(mmc)} ({replications} replicaties x {mmc_pools} systemen); "
    f"op het familieniveau van 1% van de validatietests (Bonferroni over alle N samen, die hun toevalsgetallen delen) "
    f"stemmen beide overeen voor {int(mmc['binnen_familie'].sum())} van de {len(mmc)}."
)
save_answer(out_dir, f"Hoeveel plekken moet {municipality} inkopen bij {name('provider', provider)} in {segment}?",
            answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["bezetting_and_wait", "cost_balance"])
