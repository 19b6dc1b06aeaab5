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
# # 08 Evaluatie leerjaar 2022: plekken of trajecten, wat deed het per gemeente?
#
# **Vraag.** Wat gebeurde er in 2022 in elke gemeente (instroom, doorlooptijd, wachttijd, cliënten
# per plek, uitgaven); verschillen gemeenten die met **plekken** bekostigden van gemeenten die met
# **trajecten** bekostigden; wat had elke gemeente gezien onder de *andere* keuze? En welke van
# deze conclusies dragen de registraties van één jaar echt?
#
# > **⚠ Synthetische gegevens.** Standaard draait deze pagina op het kleine, kunstmatige
# > registratiebestand `tests/data/records_2022` (twee gemeenten, gemaakt door
# > `tests/data/make_records.py` uit het testscenario `tests/data/records_scenario.yaml`). De
# > uitkomsten tonen hoe de evaluatie werkt; het zijn **geen bevindingen** over Venlo of Beesel.
# > Dit is een ander scenario dan pagina 01 (het standaardscenario Noord-Limburg): daarom wacht
# > men hier weken en daar vrijwel niet.
#
# **Aanpak** (alles uit de gerealiseerde registraties):
# 1. **2022 beschrijven** per gemeente. De doorlooptijd houdt rekening met censurering
#    (Kaplan-Meier met vertraagde instap, en de gecensureerde meest-aannemelijke schatting van de
#    kalibratie); de uitgaven passen de bekostigingsregels van `simulation.funding` toe op de
#    gerealiseerde trajecten met een gedocumenteerd tarief.
# 2. **Vergelijken** van gemeenten naar hun bekostigingskeuze (kolom `bekostiging`).
# 3. **Tegenfeitelijk**: het model kalibreren op de registraties, dan de keuze van elke gemeente
#    omdraaien (plekken <-> trajecten) en beide draaien op **gemeenschappelijke toevalsgetallen**:
#    dezelfde cliënten komen met dezelfde zorgvraag, dus verschillen zijn gepaard; 95%-betrouwbaarheids-
#    intervallen over de replicaties.
# 4. **Wat de gegevens wel en niet dragen**, berekend uit de intervallen.
#
# Woorden: *traject* = één toewijzing van zorg, betaald met een tarief; *plek* = een ingekochte
# plaats die de gemeente zelf vult (lege plekdagen worden terugbetaald); *instroom* = nieuwe
# cliënten; *doorlooptijd* = dagen in zorg; *bekostiging* = bekostigingsvorm.
#
# **Waar dit op rust**
# - de registraties (standaard synthetisch, zie boven) en het basisscenario voor wat registraties
#   niet tonen (inwoners, geplande doorlooptijd, ingekochte plekken);
# - tarieven per traject: uitgaven 2019 per telling in Noord-Limburg (004 Inkoopnota Noord-Limburg,
#   par. 6 en 7.2);
# - aanname: de bekostiging verandert het gedrag van aanbieders niet (één jaar registraties kan dat
#   niet tonen);
# - aanname bij omzetting naar plekken: `plekken_bij_omzetting` (budgetneutraal of naar bezetting).
#
# De standaardparameters zijn klein, zodat de pagina in seconden draait.

# %% tags=["parameters"]
records = "tests/data/records_2022.parquet"       # gerealiseerde registraties (CSV of Parquet, docs/records.md)
base_scenario = "tests/data/records_scenario.yaml"  # wat registraties niet tonen (inwoners, geplande doorlooptijd, plekken)
scenario = None              # gegeven via make run SCENARIO of --set scenario: het basisscenario, als de registraties erbij passen
municipalities = []          # gemeenten om te tonen en om te zetten; leeg betekent alle gemeenten in de registraties
# Tarief per traject (euro) per segment: uitgaven 2019 per telling in Noord-Limburg (004 par. 6 en 7.2,
# params/data/noord_limburg_2019_segments.csv). Binnen een segment schaalt het tarief van een type met
# zijn geplande doorlooptijd, zodat het naar aandeel gewogen gemiddelde het segmentcijfer is.
tarieven = {"S1": 23827, "S2": 13227, "S3": 8646, "S4": 3985, "S1a": 8426, "S1b": 3743, "S2a": 4860,
            "S2b": 5121, "S3a": 2384, "S3b": 2222}
plekken_bij_omzetting = "budgetneutraal"  # trajecten naar plekken, "budgetneutraal" (tariefgeld 2022 gedeeld door de prijs per plekjaar) of "bezetting" (gemiddeld in zorg)
replications = 3
seed = 1
bootstrap = 200              # bootstraptrekkingen voor de intervallen van de Kaplan-Meier-mediaan
out_dir = "outputs/scratch/08_evaluatie_2022"   # make run geeft outputs/08_evaluatie_2022

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
from simulation.report.figures import SurvivalGroup, day_ticks, km_panel
from simulation.report.labels import euro, name, number
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.texts import SYNTHETIC_BANNER, cite, dutch_table, with_banner

recs = evaluation.evaluation_context(records, base_scenario, municipalities, tarieven, plekken_bij_omzetting,
                                    replications, out_dir, scenario=scenario)
rec, gemeenten, year, days = recs.frame, recs.gemeenten, recs.year, recs.days
p0, p1 = recs.period
banner = SYNTHETIC_BANNER if recs.synthetic else ""
print(banner)
print(recs.base_note)
print(f"{number(len(rec))} registraties uit {recs.path.name}, periode {p0:%d-%m-%Y} t/m {p1:%d-%m-%Y}; "
      f"gemeenten: {', '.join(gemeenten)}; basisscenario: {recs.base_path.name if recs.base_path else 'geen'}")

# %% [markdown]
# ## Kalibratie
# Het gekalibreerde scenario is het model van 2022 waarmee het tegenfeitelijke scenario rekent. De
# schatting van de doorlooptijd houdt rekening met censurering: trajecten die aan het eind van de
# periode nog lopen zijn rechts gecensureerd, trajecten die ervoor begonnen links afgekapt
# (docs/records.md).

# %%
cal_scenario, cal_report = calibrate(rec, base_scenario=recs.base_path)
print("\n".join(cal_report.notes_nl))
durations = cal_report.durations[["segment", "traject_type", "family", "mean", "cv", "uitval", "n", "closed",
                                  "open", "left_truncated"]]
save_table(durations, out_dir, "kalibratie_doorlooptijd")
dutch_table(durations.round(3))

# %% [markdown]
# ## Welke gemeente bekostigde hoe
# Eén contract per gemeente x aanbieder x segment; de registraties zeggen `plek` waar de gemeente
# bij die aanbieder plekken inkocht. Een gemeente telt als **plekkengemeente** als ze ergens plekken
# inkocht, anders als **trajectengemeente**.

# %%
choice = evaluation.funding_choice(rec)
if choice.mixed:
    print("Let op: gemengde bekostiging binnen", choice.mixed, "- de meest voorkomende telt")
keuze, switch_pairs = choice.keuze, choice.switch_pairs
print(f"Omzetting voor (aanbieder, segment): {', '.join(f'{p_} {s_}' for p_, s_ in switch_pairs)} "
      f"({'waar een gemeente plekken inkocht' if choice.plek_pairs else 'geen plekken in de registraties: elk paar'})")
funding_table = evaluation.funding_table(choice)
save_table(funding_table, out_dir, "bekostiging_per_gemeente")
dutch_table(funding_table)

# %% [markdown]
# ## 2022 per gemeente, uit de registraties
# Definities (dezelfde als de KPI's van het model, zodat waargenomen en gesimuleerde cijfers
# vergelijkbaar zijn):
# - **instroom**: nieuwe episodes (nieuwe toewijzingen van een cliënt in één segment op één dag;
#   geen verlenging, afschaling of opschaling) toegewezen in de periode, 95%-Poisson-interval;
# - **doorlooptijd**: Kaplan-Meier-mediaan met vertraagde instap per gemeente x segment (lopende
#   trajecten gecensureerd, eerdere starts links afgekapt), bootstrap-95%-interval; ernaast het
#   gemiddelde van het gekalibreerde model voor de mix van trajecttypen en aanbieders van de
#   gemeente. Het naïeve gemiddelde van de afgesloten trajecten staat er alleen om te tonen hoe
#   censurering het omlaag trekt;
# - **wachttijd**: dagen van toewijzing tot start van de zorg voor trajecten gestart in de periode
#   (geen voortzettingen), en de toewijzingen die aan het eind nog wachten (hun wachttijd is
#   gecensureerd);
# - **cliënten per plek**: cliënten in zorg in de periode bij een plekkencontract / ingekochte plekken;
# - **uitgaven**: de bekostigingsregels (`compute_payments`) op de gerealiseerde trajecten:
#   traject = tarief bij de start van de zorg, plekken = bezette plekdagen (ten hoogste de
#   ingekochte) x prijs per plekdag; tarieven uit `tarieven` (zie de parameters).

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
print("Tarief per traject: " + "; ".join(f"{s_} " + ", ".join(f"{t} {euro(v)}" for t, v in ts.items())
                                         for s_, ts in tariffs.items()) + ".")

rng = np.random.default_rng(seed)
survival = evaluation.ModelSurvival(cal_report)
population = {m: v["population"] for m, v in cal_scenario["municipalities"].items()}
have_pop = all(population.get(m, 1) > 1 for m in gemeenten)
spend = fin.groupby("municipality")["final"].sum()
desc, dur = evaluation.describe(recs, r, st, keuze, plekken_bought, population, spend, survival, rng, bootstrap)
save_table(desc, out_dir, "beschrijving_2022")
save_table(dur, out_dir, "doorlooptijd_2022")
dutch_table(desc[["municipality", "keuze", "instroom", "instroom_per_1000", "unieke_clienten", "wacht_dagen_gem",
      "wachtend_eind", "plekken", "clienten_per_plek", "uitgaven", "kosten_per_client"]].round(1))

# %%
dutch_table(dur.round(1))

# %%
colors = {"plekken": "#dd8452", "trajecten": "#4c72b0"}
segs = sorted(dur["segment"].unique())
fig, axes = plt.subplots(2, 2, figsize=(14, 9))
y = np.arange(len(desc))
col = [colors[k] for k in desc["keuze"]]
ax = axes[0, 0]
if have_pop:
    v, lo_, hi_ = desc["instroom_per_1000"], desc["instroom_per_1000_ci_laag"], desc["instroom_per_1000_ci_hoog"]
    ax.set_xlabel("nieuwe episodes per 1.000 inwoners in de periode (95%-Poisson-BI)")
else:
    v, lo_, hi_ = desc["instroom"], desc["instroom_ci_laag"], desc["instroom_ci_hoog"]
    ax.set_xlabel("nieuwe episodes in de periode (95%-Poisson-BI)")
ax.barh(y, v, xerr=[v - lo_, hi_ - v], color=col, capsize=3)
ax.set_yticks(y, [f"{m}\n({number(n)} episodes)" for m, n in zip(desc["municipality"], desc["instroom"])])
ax.set_ylabel("gemeente")
ax.set_title(f"Instroom {year}")
ax = axes[0, 1]
d = dur.sort_values(["municipality", "segment"], ascending=False).reset_index(drop=True)
yd = np.arange(len(d))
err_lo = (d["km_mediaan"] - d["km_ci_laag"]).clip(lower=0).fillna(0)
err_hi = (d["km_ci_hoog"] - d["km_mediaan"]).clip(lower=0).fillna(0)
ax.barh(yd, d["km_mediaan"], xerr=[err_lo, err_hi], color=[colors[k] for k in d["keuze"]], capsize=3)
ax.scatter(d["model_mediaan"], yd, marker="D", s=30, color="black", zorder=3, label="mediaan gekalibreerd model")
ax.set_yticks(yd, [f"{m} / {s_}\n({r_.gesloten} afgesloten, {r_.open_eind} lopend)"
                   for m, s_, r_ in zip(d["municipality"], d["segment"], d.itertuples())], fontsize=8)
ax.set_ylabel("gemeente / segment")
ax.set_xlabel("dagen in zorg: Kaplan-Meier-mediaan met vertraagde instap\n(bootstrap-95%-BI)")
ax.set_title("Doorlooptijd, rekening houdend met censurering")
ax.legend(fontsize=8, loc="lower right")
ax = axes[1, 0]
ax.barh(y, desc["wacht_dagen_gem"], xerr=[(desc["wacht_dagen_gem"] - desc["wacht_ci_laag"]).fillna(0),
                                           (desc["wacht_ci_hoog"] - desc["wacht_dagen_gem"]).fillna(0)],
        color=col, capsize=3)
wait_labels = []
for r_ in desc.itertuples():
    txt = f"{r_.municipality}\n({number(r_.wacht_dagen_gem)} dagen, {number(r_.gestart)} gestart"
    if r_.wachtend_eind:
        txt += f";\n{number(r_.wachtend_eind)} wachten nog op {p1:%d-%m-%Y}, gem. {number(r_.wachtend_eind_dagen_gem)} dagen"
    wait_labels.append(txt + ")")
ax.set_yticks(y, wait_labels, fontsize=8)
ax.set_ylabel("gemeente")
ax.set_xlabel("dagen van toewijzing tot start van de zorg,\ntrajecten gestart in de periode (95%-BI)")
ax.set_title("Wachttijd")
ax = axes[1, 1]
ax.barh(y, desc["uitgaven"] / 1e6, color=col)
for yi, r_ in zip(y, desc.itertuples()):
    txt = f"{euro(r_.uitgaven, million=True, decimals=2)}; {euro(r_.kosten_per_client)} per cliënt"
    if np.isfinite(r_.clienten_per_plek):
        txt += f";\n{number(r_.clienten_per_plek, 2)} cliënten per plek ({number(r_.plekken)} plekken)"
    ax.annotate(txt, (r_.uitgaven / 1e6, yi), xytext=(4, 0), textcoords="offset points", fontsize=8, va="center")
ax.set_xlim(0, float(desc["uitgaven"].max()) / 1e6 * 1.9)
ax.set_yticks(y, [f"{m}\n({number(n)} cliënten)" for m, n in zip(desc["municipality"], desc["unieke_clienten"])])
ax.set_ylabel("gemeente")
ax.set_xlabel("uitgaven in de periode, € mln\n(bekostigingsregels x gedocumenteerd tarief)")
ax.set_title("Uitgaven")
fig.suptitle(f"{year} per gemeente uit de registraties (oranje: bekostigd met plekken, blauw: met trajecten)"
             + (" - synthetische gegevens" if recs.synthetic else ""))
save_figure(fig, out_dir, "beschrijving_2022", recs.source)

# %% [markdown]
# Kaplan-Meier-curven met vertraagde instap (trappen) tonen de gerealiseerde doorlooptijd, met een
# 95%-band (Greenwood, op de log(-log)-schaal); de dunne grijze lijn is het gekalibreerde model voor
# dezelfde mix. Onder de as staat per gemeente hoeveel trajecten op dat moment nog onder observatie
# zijn (het aantal 'at risk'): waar het klein wordt, is de curve onzeker. Veel trajecten lopen aan
# het eind van de periode nog, dus het gemiddelde van alleen de afgesloten trajecten zou te kort zijn.

# %%
fig, axes = plt.subplots(1, len(segs), figsize=(6 * len(segs), 5.2), squeeze=False)
for ax, s in zip(axes[0], segs):
    groups = []
    for m in gemeenten:
        g = st[(st["municipality"] == m) & (st["segment"] == s)]
        if len(g) >= 2:
            groups.append(SurvivalGroup(f"{m} ({keuze[m]}, n = {len(g)})", colors[keuze[m]],
                                        "-" if gemeenten.index(m) % 2 == 0 else "--",
                                        g["d"].to_numpy(), g["event"].to_numpy(), g["entry"].to_numpy()))
    g = st[(st["segment"] == s) & st["municipality"].isin(gemeenten)]
    end = float(g["d"].max()) if len(g) else 365.0
    km_panel(ax, groups, day_ticks(end))
    ms = survival.curve(g, s)
    keep = survival.grid <= end
    ax.plot(survival.grid[keep], ms[keep], color="0.4", linewidth=1, label="gekalibreerd model (alle)")
    ax.set_title(f"Segment {s}: aandeel nog in zorg")
    ax.set_xlabel("dagen sinds start van de zorg")
    ax.set_ylabel("aandeel nog in zorg (95%-band)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
fig.suptitle("Doorlooptijd per gemeente, gecensureerd aan het eind van de periode en links afgekapt"
             + (" - synthetische gegevens" if recs.synthetic else ""))
save_figure(fig, out_dir, "doorlooptijd_km", recs.source)

# %% [markdown]
# ## Plekkengemeenten tegen trajectengemeenten
# Dit is een vergelijking *tussen* gemeenten, die elk hun eigen bekostiging kozen. De tabel noemt de
# gemeenten per keuze; hun aantal bepaalt of een statistische vergelijking tussen de groepen
# überhaupt mogelijk is (zie de conclusies).

# %%
group = evaluation.group_comparison(desc)
# the one contrast that holds provider and segment fixed: the same (provider, segment) under both forms
same_pair = evaluation.same_provider_contrast(st, switch_pairs, gemeenten, rng, bootstrap)
save_table(group, out_dir, "vergelijking_keuze")
save_table(same_pair, out_dir, "doorlooptijd_zelfde_aanbieder")
display(dutch_table(group.round(1)))
dutch_table(same_pair.round(1))

# %% [markdown]
# ## Tegenfeitelijk: elke gemeente onder de andere keuze
# Per gemeente worden de contracten in de omzetting (de paren aanbieder x segment waar plekken zijn
# ingekocht) omgedraaid: plekken worden trajecten tegen hetzelfde tarief; trajecten worden plekken,
# zoveel als `plekken_bij_omzetting` zegt (**budgetneutraal**: het tariefgeld van die trajecten in
# 2022 / de prijs per plekjaar = tarief x 365 / geplande doorlooptijd, de omrekening van
# Noord-Limburg; **bezetting**: het gemiddelde aantal in zorg in 2022, naar boven afgerond). Al het
# andere blijft zoals gekalibreerd; het gedrag van aanbieders is neutraal (de bekostiging verandert
# de doorlooptijd in het model niet, omdat één jaar registraties niet kan tonen dat ze dat doet).
# Alle varianten draaien op dezelfde seed en replicatienummers (gemeenschappelijke toevalsgetallen)
# met `compare()`; verschillen zijn gepaard.

# %%
n_plekken = functools.partial(counterfactual.plekken_after_switch, rule=plekken_bij_omzetting, finals=fin, st=st,
                              days=days, tariffs=tariffs, scenario=sc_factual)
variants, switched, notes = counterfactual.switch_variants(factual, choice.combos, gemeenten, switch_pairs,
                                                           plekken_bought, tariffs, n_plekken)
print("\n".join(notes))
save_table(switched, out_dir, "omzettingen")
cmp = compare(base, variants, replications=replications, seed=seed, reference="feitelijk", keep_events=True)
print(f"{len(variants)} varianten x {replications} replicaties, seed {seed}; inloop "
      f"{number(sc_factual.warmup.days)} dagen vanaf {'een beginbestand' if sc_factual.warmup.initial_caseload else 'leeg'}")
dutch_table(switched)

# %% [markdown]
# `compare()` rapporteert per gemeente; de wachttijd in het omgezette segment zelf (niet verdund door
# de andere segmenten van de gemeente) vraagt de KPI's per segment: `kpis(by=municipality, segment)`
# op de gebeurtenissenlogs die `compare(..., keep_events=True)` bewaarde.
#
# Aanname in de tabel: uitgaven, kosten per cliënt, cliënten, wachtdagen en de wachtlijst zijn nooit
# negatief. Waar geen enkele replicatie onder 0 komt, is de ondergrens van het 95%-interval van de
# feitelijke waarde daarom 0 (een t-interval kan bij weinig replicaties en veel spreiding onder 0
# uitkomen). Het verschil tussen de keuzes mag negatief zijn: dat houdt het gewone t-interval.

# %%
seg_k = counterfactual.segment_kpis(cmp, year)
pr = cmp.per_replication[cmp.per_replication["year"] == year]
cf = counterfactual.counterfactual_table(pr, seg_k, variants, switched, keuze)
save_table(cf, out_dir, "tegenfeitelijk")
dutch_table(cf.round(1))

# %%
PANELS = [("uitgaven", "Uitgaven", 1000, "duizend € per jaar"), ("kosten", "Uitgaven per cliënt", 1, "€ per cliënt"),
          ("wachten", "Wachttijd", 1, "dagen"), ("aantallen", "Cliënten en wachtlijst", 1, "cliënten of trajecten")]
cf["paneel"] = ["uitgaven" if m_.startswith("uitgaven") else "kosten" if m_.startswith("kosten") else
                "wachten" if m_.startswith("wachtdagen") else "aantallen" for m_ in cf["maat"]]
n_max = max(int((cf["paneel"] == p_).sum()) for p_, *_ in PANELS)
fig, axes = plt.subplots(2, 2, figsize=(14, max(6.0, 2 * (0.5 * n_max + 1.6))))
for ax, (key, title, scale, unit) in zip(axes.flat, PANELS):
    part = cf[cf["paneel"] == key]
    short = {"uitgaven": " duizend €", "kosten": " €", "wachten": " dagen", "aantallen": ""}[key]
    labels = [f"{r.municipality} -> {r.omgezet_naar}: {r.maat.replace(' (EUR)', '')}\n(feitelijk "
              f"{number(r.feitelijk / scale)}{short})" for r in part.itertuples()]
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
    ax.set_xlabel(f"andere keuze - feitelijke keuze ({unit}), 95%-BI")
    ax.set_ylabel("gemeente -> omgezet naar: maat")
    ax.set_title(title)
fig.suptitle(f"Tegenfeitelijk {year}: elke gemeente onder de andere bekostigingskeuze, gepaarde verschillen "
             "(rood: 95%-BI sluit 0 uit)" + (" - synthetische gegevens" if recs.synthetic else ""))
src_sim = (f"Bron: model gekalibreerd op {'synthetisch bestand ' if recs.synthetic else ''}{recs.path.name}, "
           f"{replications} replicaties, seed {seed}, gemeenschappelijke toevalsgetallen; tarieven: uitgaven 2019 "
           f"per telling, {cite('004', 'par. 6 en 7.2')}")
save_figure(fig, out_dir, "tegenfeitelijk", src_sim, key=True)

# %% [markdown]
# ## Reproduceert het gekalibreerde model 2022?
# Voordat een tegenfeitelijk scenario vertrouwen verdient, moet het model met de feitelijke keuzes
# van 2022 reproduceren wat de registraties tonen. Het bereik is een 95%-voorspellingsinterval voor
# één jaar over de replicaties (gemiddelde +/- t x sd x wortel(1 + 1/n)), net als de andere intervallen
# niet onder 0 waar geen enkele replicatie onder 0 komt; met weinig replicaties is het breed.

# %%
check = counterfactual.model_check(pr, seg_k, desc, gemeenten)
save_table(check, out_dir, "modelcontrole")
dutch_table(check.assign(maat=check["maat"].map(lambda m_: name("kpi", m_))).round(2))

# %%
n_panels = len(counterfactual.OBSERVED) + 1
fig, axes = plt.subplots(1, n_panels, figsize=(3.2 * n_panels, 3.8))
units = {"uitgaven": "€ mln", "unieke_clienten": "cliënten", "wacht_dagen_gem": "dagen",
         "clienten_per_plek": "cliënten per plek", "wachtlijst_eind": "wachtende trajecten"}
for ax, key in zip(axes, list(counterfactual.OBSERVED) + ["wachtlijst_eind"]):
    part = check[check["maat"] == key]
    scale = 1e6 if key == "uitgaven" else 1
    xx = np.arange(len(part))
    ax.errorbar(xx, part["model_gem"] / scale, yerr=[(part["model_gem"] - part["pi_laag"]) / scale,
                                                     (part["pi_hoog"] - part["model_gem"]) / scale],
                fmt="o", color="#4c72b0", capsize=4, label="model, 95%-voorspellingsinterval")
    ax.scatter(xx, part["waargenomen"] / scale, marker="x", s=60, color="#c44e52", zorder=3, label="registraties")
    ax.set_xticks(xx, part["municipality"])
    ax.set_xlim(-0.6, max(len(part), 1) - 0.4)
    ax.set_title(name("kpi", key), fontsize=10)
    ax.set_xlabel("gemeente")
    ax.set_ylabel(units[key])
axes[0].legend(fontsize=8)
fig.suptitle(f"Modelcontrole: het gekalibreerde model met de feitelijke keuzes tegen de registraties, {year}"
             + (" - synthetische gegevens" if recs.synthetic else ""))
save_figure(fig, out_dir, "modelcontrole", src_sim)

# %% [markdown]
# ## Wat de gegevens dragen, en wat niet
# Berekend uit de tabellen hierboven: een verschil in het model telt als aangetoond als het
# 95%-interval 0 uitsluit; de vergelijking tussen gemeenten hangt af van hoeveel gemeenten elke vorm
# kozen.

# %%
n_by_choice = choice.choice["keuze"].value_counts().reindex(["plekken", "trajecten"], fill_value=0)  # all in the records
supports, cannot = counterfactual.conclusions(cf, check, same_pair, n_by_choice, replications)
conclusions = pd.DataFrame({"conclusie": supports + cannot,
                            "status": ["ondersteund"] * len(supports) + ["niet te concluderen"] * len(cannot)})
save_table(conclusions, out_dir, "conclusies")
print("WAT DE GEGEVENS DRAGEN")
for s in supports:
    print(" -", s)
print("\nWAT ZE NIET DRAGEN")
for s in cannot:
    print(" -", s)

# %% [markdown]
# ## Antwoord

# %%
answer = counterfactual.evaluation_answer(desc, cf, gemeenten, year, replications, n_by_choice)
if banner:
    answer = with_banner(banner, answer)
save_answer(out_dir, "Wat deed bekostigen met plekken of met trajecten per gemeente in 2022, en wat dragen de "
            "gegevens?", answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["beschrijving_2022", "doorlooptijd_km", "tegenfeitelijk", "modelcontrole"])
