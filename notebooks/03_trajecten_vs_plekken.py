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
# # 03 Trajecten of plekken: wat verandert er als dezelfde cliënten per plek worden bekostigd?
#
# **Vraag.** Als elke gemeente haar trajecten in één segment (standaard jeugd S3,
# dagbesteding/dagbehandeling) als plekken inkoopt, wat gebeurt er dan met de uitgaven, de kosten
# per cliënt, de wachttijd, de bezetting en de terugbetaalde plekdagen; welke gemeenten winnen en
# welke verliezen; en hoe hangt het aantal cliënten per plek af van de doorlooptijd (004
# Inkoopnota Noord-Limburg, par. 8: 3 cliënten, 3,5 bij snellere uitstroom, 2,5 bij tragere)?
#
# **Opzet.** Beide varianten komen uit het standaardscenario Noord-Limburg, beperkt tot het segment
# (en de segmenten waar zijn cliënten bij opschaling naartoe gaan), met dezelfde cliënten op
# gemeenschappelijke toevalsgetallen (`simulation.experiment.compare`):
# - *trajecten*: elke gemeente betaalt elke aanbieder een vast tarief per traject;
# - *plekken*: elke gemeente koopt plekken bij elke aanbieder, N = verwacht aantal gelijktijdige
#   trajecten (gemiddelde van een proefrun van 5 replicaties van de trajectenvariant op andere
#   toevalsgetallen) / `target_bezetting`, naar boven afgerond; prijs per plekjaar = tarief x 365 /
#   geplande doorlooptijd; lege plekdagen worden terugbetaald.
#
# Tarieven: die van het scenario (de gefinancierde basis, `params/derive_funding.py`: één uurtarief
# per segment, zo opgelost dat de betaalregels in het eerste jaar de uitgaven 2019 uit 004 par. 6
# betalen; een tarief is uurtarief x gewicht x geplande doorlooptijd / 7). De trajecten worden
# betaald onder de betaalconventies van docs/funding.md (standaard: een verlenging zit in het
# tarief, 001 Raadsinformatiebrief Zwolle; een afschaling betaalt het lichtere tarief, een uitval
# alleen het startdeel, trajecten die op de startdatum al in zorg zijn werden bij hun start
# betaald: aannames); de paragraaf 'Betaalconventies' hieronder toont het antwoord onder elke
# conventie. De doorlooptijdreeks schaalt de doorlooptijd van elk traject dat onder een
# plekkencontract start (gedrag `doorlooptijd_factor`, een aanname, neutraal = 1).
#
# **Waar dit op rust**
# - het standaardscenario Noord-Limburg en zijn tarieven (uitgaven 2019, 004 Inkoopnota
#   Noord-Limburg, par. 6); de omzetting naar plekken uit 004 par. 7 en 8;
# - aannames: `target_bezetting` 95%, de betaalconventies hierboven, de doorlooptijdfactoren;
# - de gemeenten verschillen alleen in inwonertal en aanbieders: verschillen tussen gemeenten boven
#   de schaal zijn toeval van de simulatie.

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
out_dir = "outputs/scratch/03_trajecten_vs_plekken"   # make run geeft outputs/03_trajecten_vs_plekken

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
from simulation.report.labels import euro, name, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.setup import notebook_context
from simulation.report.texts import POPULATION_BANNER, dutch_table, signed_euro
from simulation.report.variants import convention_effects, driving_convention, per_municipality, plekken_overlay

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="paired confidence intervals", horizon_years=horizon_years, municipality=municipality,
                       segment=segment, data_2019=data_2019, target_bezetting=target_bezetting,
                       doorlooptijd_factors=doorlooptijd_factors, references=[("004", "par. 6 en 8")])
sc, source, ref = ctx.scenario, ctx.source, ctx.data_2019

# %% [markdown]
# ## De varianten

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
print(f"Tarief per traject: {', '.join(f'{t} {euro(v)}' for t, v in tariffs.items())}.")
print(f"Plekken ingekocht in {segment}: {number(plek_table.iloc[:, 2].sum())} in totaal, "
      f"{municipality}: {number(plek_table[plek_table['municipality'] == municipality].iloc[:, 2].sum())}.")

# %% [markdown]
# ## Per gemeente: plekken min trajecten (gepaard, 95%-BI)
#
# > ⚠ Let op: de gemeenten verschillen in het scenario alleen in inwonertal (en in de aanbieders die
# > hen bedienen). Verschillen tussen gemeenten boven de schaal zijn toeval van de simulatie.

# %%
s = cmp.summary
year0 = sc.years[0]
per_mun = per_municipality(s, year0)
save_table(per_mun, out_dir, "per_municipality")
dutch_table(per_mun[["municipality", "uitgaven_trajecten", "uitgaven_plekken", "uitgaven_verschil_gem", "uitgaven_verschil_ci_laag",
         "uitgaven_verschil_ci_hoog", "wacht_dagen_gem_trajecten", "wacht_dagen_gem_plekken", "bezettingsgraad_plekken",
         "terugbetaalde_plekdagen_plekken", "uitgaven_oordeel"]].round(1).rename(columns={
    "uitgaven_trajecten": "Uitgaven onder trajecten (€)", "uitgaven_plekken": "Uitgaven onder plekken (€)",
    "uitgaven_verschil_gem": "Verschil uitgaven (€, gemiddeld)",
    "uitgaven_verschil_ci_laag": "Verschil uitgaven (95%-BI ondergrens)",
    "uitgaven_verschil_ci_hoog": "Verschil uitgaven (95%-BI bovengrens)",
    "wacht_dagen_gem_trajecten": "Wachttijd onder trajecten (dagen)",
    "wacht_dagen_gem_plekken": "Wachttijd onder plekken (dagen)", "bezettingsgraad_plekken": "Bezettingsgraad plekken",
    "terugbetaalde_plekdagen_plekken": "Terugbetaalde plekdagen", "uitgaven_oordeel": "Oordeel uitgaven"}))

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
ax1.set_title(f"Uitgaven, plekken min trajecten, {segment} {year0}\n(groen: wint, rood: verliest; 95%-BI)")
ax1.set_xlabel("duizend € per jaar")
ax1.set_ylabel("gemeente")
w = order["wacht_dagen_gem_verschil_gem"]
ax2.barh(y, w, color="#dd8452")
ax2.errorbar(w, y, xerr=[(w - order["wacht_dagen_gem_verschil_ci_laag"]).fillna(0),
                         (order["wacht_dagen_gem_verschil_ci_hoog"] - w).fillna(0)], fmt="none", ecolor="k", capsize=3)
ax2.axvline(0, color="0.3", lw=0.8)
ax2.set_yticks(y, order["municipality"])
ax2.set_title("Wachttijd, plekken min trajecten (95%-BI)")
ax2.set_xlabel("dagen van toewijzing tot start van de zorg")
ax2.set_ylabel("gemeente")
fig.suptitle("Per gemeente: verschillen tussen gemeenten komen alleen uit inwonertal en aanbieders", fontsize=10)
save_figure(fig, out_dir, "plekken_minus_trajecten", source, key=True)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
o = per_mun.sort_values("municipality")
yy = np.arange(len(o))
ax1.barh(yy - 0.2, o["kosten_per_client_trajecten"], 0.4, label="trajecten", color="0.6")
ax1.barh(yy + 0.2, o["kosten_per_client_plekken"], 0.4, label="plekken", color="#4c72b0")
ax1.set_yticks(yy, o["municipality"])
ax1.set_title(f"Kosten per cliënt, {segment} {year0}")
ax1.set_xlabel("€ per unieke cliënt per jaar")
ax1.set_ylabel("gemeente")
ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False)
ax2.barh(yy, o["terugbetaalde_plekdagen_plekken"], color="#8172b3")
for yi, b in zip(yy, o["bezettingsgraad_plekken"]):
    ax2.annotate(f"bezetting {percent(b, 0)}", (0, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
ax2.set_yticks(yy, o["municipality"])
ax2.set_title("Terugbetaalde (lege) plekdagen onder plekken")
ax2.set_xlabel("plekdagen per jaar")
ax2.set_ylabel("gemeente")
fig.suptitle("Per gemeente: verschillen tussen gemeenten komen alleen uit inwonertal en aanbieders", fontsize=10)
save_figure(fig, out_dir, "cost_and_payback", source)

# %% [markdown]
# ## Betaalconventies: welke bepaalt het antwoord?
#
# De documenten leggen een tarief per traject vast, maar niet wat een verlenging, een afschaling, een
# uitval of een traject dat op 1 januari al in zorg is betaalt. Het gebeurtenissenlog van de
# trajectenvariant wordt onder elke conventie opnieuw betaald (betalingen zijn zuivere functies van
# het log, dus de cliënten blijven dezelfde); de plekkenvariant blijft gelijk. Gepaard per
# replicatie, 95%-BI.

# %%
conventions = convention_effects(cmp, year0)
save_table(conventions, out_dir, "payment_conventions")
conv_region = conventions[conventions["municipality"] == "regio"]
driver, driver_shift, driver_flips = driving_convention(conventions)
dutch_table(conventions[conventions["municipality"].isin(["regio", municipality])].round(0))

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
ax.set_title(f"Uitgaven, plekken min trajecten, alle gemeenten, {segment} {year0}, per betaalconventie van het "
             "trajecttarief (95%-BI)")
ax.set_xlabel("duizend € per jaar")
ax.set_ylabel("betaalconventie van het trajecttarief")
save_figure(fig, out_dir, "payment_conventions", source)

# %% [markdown]
# ## Cliënten per plek tegen doorlooptijd
#
# Links: het voorbeeld van 004 Inkoopnota Noord-Limburg, par. 8, precies nagebouwd (3 plekken,
# tarief € 36.500, geplande doorlooptijd 365 dagen, altijd een cliënt die wacht, dus een vrijgekomen
# plek wordt meteen gevuld): het budget blijft € 109.500 en het aantal geholpen cliënten volgt de
# doorlooptijd. Rechts: dezelfde reeks in het scenario voor de gekozen gemeente, waar de vraag een
# plek niet altijd meteen vult.

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
ex_factors = {"zoals gepland": 1.0, "snellere uitstroom": 3 / 3.5, "tragere uitstroom": 3 / 2.5}
ex = compare(example, {k: {"funding": {"contracts": [dict(ex_contract, behaviour={"doorlooptijd_factor": f})]}}
                       for k, f in ex_factors.items()}, replications=1, seed=seed).per_replication
ex = ex[ex["year"] == year0].set_index("variant").loc[list(ex_factors)]
ex_table = pd.DataFrame({"realised_doorlooptijd_days": [365 * f for f in ex_factors.values()],
                         "paid_eur": ex["uitgaven"].round(0), "clients_served": ex["clienten_equivalent"].round(2),
                         "cost_per_client_eur": (ex["uitgaven"] / ex["clienten_equivalent"]).round(0)}).reset_index()
ex_shown = ex_table.rename(columns={"variant": "uitstroom", "realised_doorlooptijd_days": "gerealiseerde doorlooptijd (dagen)",
                                    "paid_eur": "betaald (€)", "clients_served": "cliënten geholpen",
                                    "cost_per_client_eur": "kosten per cliënt (€)"})
save_table(ex_shown, out_dir, "document_example")
dutch_table(ex_shown)

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
    ax1.annotate(f"{number(r['clients_served'], 1)} cliënten\n{euro(r['cost_per_client_eur'])} per cliënt",
                 (r["realised_doorlooptijd_days"], r["clients_served"]), xytext=(6, 4), textcoords="offset points",
                 fontsize=8)
ax1.set_xlim(280, 520)
ax1.set_ylim(2.2, 3.8)
ax1.set_title("Voorbeeld uit 004 par. 8: 3 plekken, budget € 109.500")
ax1.set_xlabel("gerealiseerde doorlooptijd (dagen; gepland 365)")
ax1.set_ylabel("geholpen cliënten in het jaar (plekdagen / doorlooptijd)")
ax2.plot(sw["factor"], sw["clients_per_plek"], "o-", color="#4c72b0", label="model")
full = sw.loc[sw["factor"] == 1.0, "clients_per_plek"]
if len(full):
    f = np.linspace(sw["factor"].min(), sw["factor"].max(), 50)
    ax2.plot(f, full.iloc[0] / f, "--", color="0.5", label="als elke vrijgekomen plek meteen gevuld werd")
ax2.set_title(f"{municipality}, {segment}: cliënten per plek ({n_mun} plekken)")
ax2.set_xlabel("doorlooptijdfactor onder plekken (1 = zoals in het scenario)")
ax2.set_ylabel("geholpen cliënten per plek per jaar")
ax2.legend(fontsize=8)
save_figure(fig, out_dir, "clients_per_plek_vs_doorlooptijd", source)

# %% [markdown]
# ## Antwoord

# %%
gain = per_mun.loc[per_mun["uitgaven_oordeel"].str.startswith("wint"), "municipality"].tolist()
lose = per_mun.loc[per_mun["uitgaven_oordeel"].str.startswith("verliest"), "municipality"].tolist()
me = per_mun.set_index("municipality").loc[municipality]
ex_fast, ex_slow = ex_table.iloc[1], ex_table.iloc[2]
region = conv_region["verschil_gem"].iloc[0]
one_off = region - conv_region.set_index("conventie")["verschil_gem"].loc["beginstand naar rato betaald (overgang van PxQ)"]


answer = (
    f"Standaardscenario Noord-Limburg. {segment} als plekken inkopen (N = belasting / {percent(target_bezetting, 0)}) "
    f"in plaats van trajecten verandert de uitgaven {year0} van {municipality} met {signed_euro(me['uitgaven_verschil_gem'])} "
    f"(95%-BI {signed_euro(me['uitgaven_verschil_ci_laag'])} tot {signed_euro(me['uitgaven_verschil_ci_hoog'])}) en de gemiddelde "
    f"wachttijd met {'+' if me['wacht_dagen_gem_verschil_gem'] > 0 else ''}{number(me['wacht_dagen_gem_verschil_gem'], 1)} "
    f"dagen, bij {percent(me['bezettingsgraad_plekken'], 0)} bezetting met "
    f"{number(me['terugbetaalde_plekdagen_plekken'])} terugbetaalde plekdagen; gemeenten die minder betalen: "
    f"{', '.join(gain) or 'geen'}; meer: {', '.join(lose) or 'geen'} ({len(municipalities) - len(gain) - len(lose)} "
    f"zonder duidelijk verschil bij {replications} replicaties). Plekken betalen bezette plekdagen tegen tarief / "
    f"geplande doorlooptijd, trajecten het tarief per traject onder de standaardconventies (een verlenging zit in het "
    f"tarief, 001; een afschaling betaalt het lichtere tarief, een uitval alleen het startdeel, trajecten die op "
    f"1 januari in zorg zijn betaald bij hun start: aannames). Voor de regio is het verschil {signed_euro(region)} onder "
    f"deze conventies; van de conventies die elk jaar werken verschuift '{driver}' het het meest "
    f"({signed_euro(driver_shift)}{', en draait het teken om' if driver_flips else ''}): plekken betalen elke bezette "
    f"plekdag, ook van een verlenging, wat een trajecttarief met de verlenging erin niet doet. De trajecten die op "
    f"1 januari in zorg zijn voor hun resterende geplande deel betalen (een overgang van PxQ) is eenmalig in het "
    f"eerste jaar {euro(one_off)} aan de kant van de trajecten. "
    f"Het voorbeeld uit 004 par. 8 komt uit het model: dezelfde {euro(ex_table['paid_eur'].iloc[0])} helpt "
    f"{number(ex_fast['clients_served'], 1)} cliënten bij snellere en {number(ex_slow['clients_served'], 1)} bij "
    f"tragere uitstroom. {POPULATION_BANNER}"
)
save_answer(out_dir, f"Wat verandert er als de gemeenten {segment} als plekken inkopen in plaats van trajecten?", answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["plekken_minus_trajecten", "cost_and_payback", "payment_conventions",
                         "clients_per_plek_vs_doorlooptijd"])
