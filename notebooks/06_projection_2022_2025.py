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
# # 06 Raming 2022-2025: hoe snel groeien de uitgaven, met en zonder de maatregelen?
#
# **Vraag.** Hoe ontwikkelen de uitgaven zich van 2022 tot 2025 bij de groei uit de documenten
# (jeugd 5%, Wmo 3% per jaar, 004 Inkoopnota Noord-Limburg, par. 6), hoeveel lager zijn ze met de
# maatregelen van de nota, en hoe verhoudt het totaal van het model in 2025 zich tot de ruim € 140 mln
# zonder en circa € 134 mln met maatregelen uit de nota?
#
# **Opzet.** *Autonoom*: het scenario zoals het is. *Met maatregelen*: hetzelfde scenario met de
# maatregelen die de nota noemt (004 par. 6), vanaf 1 januari 2023 (de nota: de kosten stijgen
# vanaf 2023 minder snel), als `maatregelen` van het scenario (ze veranderen alleen trajecten die op
# of na die datum starten, of toewijzingen die dan worden gedaan):
# - meer ambulante alternatieven in plaats van verblijf (jeugd S1): een deel van de nieuwe
#   S1-toewijzingen gaat naar een ambulant trajecttype;
# - snellere uitstroom van behandeling met verblijf naar een woonplek (jeugd S2): S1-trajecten die
#   eindigen in doorstroom naar S2 zijn korter;
# - kortere doorlooptijden van behandeling (enkele Wmo- en jeugdsegmenten): een doorlooptijdfactor.
#
# De documenten geven geen van de groottes: elk is een benoemde aanname in de parametercel. De twee
# doorlooptijdfactoren (jeugd, Wmo) worden met een korte lus zo gekalibreerd dat de gemiddelde
# jaarlijkse groei van de uitgaven 2022-2025 `youth_reduction` / `wmo_reduction` lager is dan zonder
# maatregelen (de 1,5 en 2 procentpunt van de nota, voetnoot 3); het ambulante aandeel en de
# uitstroomfactor zijn met de hand gezet. Uitgaven zijn wat de bekostigingscontracten van het
# scenario betalen (`compute_payments`), in nominale euro's (de contractprijzen van elk jaar; de
# getoonde groei is nominaal). Beide varianten draaien op gemeenschappelijke toevalsgetallen, dus
# 2022 is in beide gelijk (hieronder gecontroleerd) en elk verschil is gepaard, met een
# 95%-betrouwbaarheidsinterval over de replicaties.
#
# `segments` kiest de segmenten om te simuleren (standaard een klein deel, zodat de pagina in minder
# dan een minuut draait; `make run` gebruikt "all"). De segmenten waar de cliënten van een deel
# naartoe gaan (opschaling, het ambulante alternatief) worden ook gesimuleerd, maar krijgen maar een
# deel van hun instroom: lees een run op een deel als demonstratie en de run op "all" als de raming.
#
# **Waar dit op rust**
# - groei 5% (jeugd) en 3% (Wmo) per jaar en de verwachte afremming (1,5 en 2 procentpunt vanaf
#   2023): 004 Inkoopnota Noord-Limburg, par. 6 en voetnoot 3;
# - uitgaven 2019 per segment en de totalen van de nota voor 2025: 004 par. 6;
# - aannames: het ambulante aandeel (15%), het doel-trajecttype, de uitstroomfactor (0,8) en de
#   segmenten met kortere doorlooptijden (zie de parameters).

# %% tags=["parameters"]
scenario = "params/noord-limburg.yaml"   # met een funding-sectie (de uitgaven volgen uit de betaalregels)
segments = ["S1", "S1a"]
replications = 2
seed = 1
horizon_years = 4
measures_from = "2023-01-01"   # 004 par. 6, met maatregelen stijgen de kosten vanaf 2023 minder snel
youth_reduction = 0.015        # 004 par. 6 voetnoot 3, in 2025 stijgen de jeugdkosten 1,5 procentpunt minder snel (kalibratiedoel)
wmo_reduction = 0.02           # 004 par. 6 voetnoot 3, in 2025 stijgen de Wmo-kosten 2 procentpunt minder snel (kalibratiedoel)
ambulant_share = 0.15          # aanname, een op de zeven nieuwe S1-toewijzingen wordt ambulant; de nota noemt geen omvang
ambulant_to = {"segment": "S4", "traject_type": "intensief"}   # aanname, het intensieve ambulante S4-type
outflow_factor = 0.8           # aanname, S1-trajecten met doorstroom naar een woonplek (S2) 20% korter
youth_shorter = ["S3", "S4"]   # aanname, de jeugdsegmenten met behandeling en kortere doorlooptijden
wmo_shorter = ["S1a", "S1b", "S2a", "S2b"]   # aanname, de Wmo-segmenten begeleiding (niet huishoudelijke hulp, logeren)
calibration_steps = 5
workers = 1
data_2019 = "params/data/noord_limburg_2019_segments.csv"
out_dir = "outputs/scratch/06_projection_2022_2025"   # make run geeft outputs/06_projection_2022_2025

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from simulation.report.helpers import focus, measures_builder
from simulation.report.labels import euro, number, percent
from simulation.report.notebooks import save_answer, save_figure, save_table
from simulation.report.projection import (calibrate_measures, growth_reduction, paired_difference, projection_bands,
                                          reconciliation, unpaid_segments, yearly_growth)
from simulation.report.setup import notebook_context
from simulation.report.texts import dutch_table, subset_banner, with_banner

ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                       why="uncertainty bands", horizon_years=horizon_years, segments=segments, data_2019=data_2019,
                       references=[("004", "par. 6 (uitgaven 2019, groei en totalen 2025)")], youth_reduction=youth_reduction,
                       wmo_reduction=wmo_reduction)
sc, source, segments = ctx.scenario, ctx.source, ctx.segments
years = sc.years
first_year, last_year = years[0], years[-1]

# %% [markdown]
# ## De twee varianten en de kalibratie van de maatregelen

# %%
SOURCE = ("aanname: grootte niet in de documenten (parameters van pagina 06); doorlooptijdfactoren gekalibreerd op "
          "004 par. 6 vn. 3")
raw = sc.model_dump(mode="json", exclude_none=True)
sizes = dict(ambulant_share=ambulant_share, ambulant_to=ambulant_to, outflow_factor=outflow_factor,
             youth_segments=youth_shorter, wmo_segments=wmo_shorter, source=SOURCE)
# the segments asked for plus where their clients go (opschaling, the ambulant alternative); no measures yet
base = focus(measures_builder(raw, measures_from, **sizes)({}), segments)
base["maatregelen"] = []
build = measures_builder(base, measures_from, **sizes)   # doorlooptijd factors per domain -> the scenario with measures
included = list(base["segments"])
domains = {s: v["domain"] for s, v in base["segments"].items()}
targets = {d: r for d, r in (("jeugd", youth_reduction), ("wmo", wmo_reduction)) if d in domains.values()}
print(f"Gesimuleerde segmenten: {', '.join(included)} (gevraagd: {', '.join(segments)}; de andere krijgen hun "
      "cliënten door opschaling of een maatregel).")
print(f"Segmenten die geen contract betaalt (ontbreken in de uitgaven): {', '.join(unpaid_segments(base)) or 'geen'}.")
banner = subset_banner(segments, sc.segments)
print(banner)
factors, per_rep, history = calibrate_measures(base, build, targets, seed, replications, workers, first=first_year,
                                               last=last_year, max_iter=calibration_steps)
save_table(history, out_dir, "calibration_steps")
dutch_table(history)

# %%
measures = pd.DataFrame(build(factors)["maatregelen"])
save_table(measures, out_dir, "measures")
shift = measures.get("ambulant_in_plaats_van_verblijf", pd.Series(index=measures.index, dtype=object))
dutch_table(measures.assign(ambulant_in_plaats_van_verblijf=[
    f"{percent(v['share'], 0)} naar {v['to']['segment']} ({v['to'].get('traject_type', '')})" if isinstance(v, dict)
    else "–" for v in shift]))

# %%
proj = projection_bands(per_rep)
save_table(proj, out_dir, "spend_projection")
d = paired_difference(per_rep, "with measures", "autonomous")   # with measures - autonomous, paired per replication
save_table(d, out_dir, "measures_minus_autonomous")
reduction = growth_reduction(per_rep, "with measures", "autonomous", first_year, last_year)
save_table(reduction, out_dir, "growth_reduction")
growth = yearly_growth(per_rep)
save_table(growth, out_dir, "yearly_growth")
# the warm-up artefact of the earlier projection (2022 dearer with measures) cannot occur: measures
# from 2023 leave 2022 unchanged on common random numbers
first = per_rep[per_rep["year"] == first_year].pivot_table(index=["replication", "domain"], columns="variant",
                                                             values="uitgaven")
assert (first["autonomous"] == first["with measures"]).all(), "2022 differs between the variants"
dutch_table(reduction.assign(**{c: reduction[c].map(percent) for c in ["growth_autonomous", "growth_with measures"]},
                             domain=reduction["domain"].replace({"total": "totaal"})).round(2))

# %%
dutch_table(growth.assign(domain=growth["domain"].replace({"total": "totaal"})).pivot_table(
    index=["domain", "year"], columns="variant", values="growth").map(
    lambda g: ("+" if g > 0 else "") + percent(g)))

# %%
colors = {"autonomous": "#c44e52", "with measures": "#55a868"}
shown = {"autonomous": "autonoom", "with measures": "met maatregelen"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1.4, 1]})
for v, c in colors.items():
    p = proj[(proj["variant"] == v) & (proj["domain"] == "total")]
    ax1.fill_between(p["year"], p["min"] / 1e6, p["max"] / 1e6, color=c, alpha=0.25)
    ax1.plot(p["year"], p["gem"] / 1e6, "o-", color=c, label=f"model, {shown[v]} (gemiddelde; band: bereik over "
             "replicaties)")
ax1.axvline(int(measures_from[:4]) - 0.5, color="0.5", lw=0.8, ls=":")
ax1.set_xticks(years)
ax1.set_title(f"Uitgaven {first_year}-{last_year} betaald door de contracten, segmenten {', '.join(included)} "
              "(nominaal)", fontsize=10)
ax1.set_xlabel("jaar")
ax1.set_ylabel("€ mln per jaar (nominaal)")
ax1.legend(fontsize=8)
ax2.bar(d["year"], d["gem"] / 1e6, color="#55a868",
        yerr=[(d["gem"] - d["ci_laag"]).fillna(0) / 1e6, (d["ci_hoog"] - d["gem"]).fillna(0) / 1e6], capsize=3)
ax2.axhline(0, color="0.3", lw=0.8)
ax2.set_xticks(years)
ax2.set_title("Met maatregelen min autonoom (gepaard, 95%-BI)")
ax2.set_xlabel("jaar")
ax2.set_ylabel("€ mln per jaar (nominaal)")
if banner:
    fig.suptitle("Demonstratie op een deel van de segmenten (kleine standaardinstellingen)", fontsize=10, color="#c44e52")
save_figure(fig, out_dir, "spend_projection", source, key=True)

# %%
doms = [x for x in ["jeugd", "wmo"] if x in set(proj["domain"])]
fig, axes = plt.subplots(1, len(doms), figsize=(6 * len(doms), 4.3), squeeze=False)
for ax, dom in zip(axes[0], doms):
    for v, c in colors.items():
        p = proj[(proj["variant"] == v) & (proj["domain"] == dom)]
        ax.fill_between(p["year"], 100 * p["min"] / p["gem"].iloc[0], 100 * p["max"] / p["gem"].iloc[0], color=c,
                        alpha=0.2)
        ax.plot(p["year"], 100 * p["gem"] / p["gem"].iloc[0], "o-", color=c, label=shown[v])
    ax.set_xticks(years)
    ax.set_title(f"{'Jeugd' if dom == 'jeugd' else 'Wmo'}: index nominale uitgaven ({first_year} = 100), bereik over "
                 "replicaties", fontsize=10)
    ax.set_xlabel("jaar")
    ax.set_ylabel(f"index ({first_year} = 100)")
    ax.legend(fontsize=8)
save_figure(fig, out_dir, "index_per_domain", source)

# %% [markdown]
# ## Aansluiting met nota 004
#
# De totalen van de nota omvatten maatwerk jeugd, Wmo en participatie **inclusief PGB en algemene
# voorzieningen** en exclusief Beschermd Wonen. Het model omvat alleen maatwerk in natura: de
# jeugdsegmenten S1-S4 en Wmo S1a-S3b die het simuleert, betaald door hun contracten. De documenten
# geven niet het totaal over 2019 van de reikwijdte van de nota, de verdeling over jeugd, Wmo en
# participatie, de bedragen voor PGB en algemene voorzieningen, of hoe de nota haar percentages in
# de cijfers voor 2025 omzette (basisjaar, of de afremming ook in 2023 en 2024 geldt); het enige
# cijfer voor participatie zijn de uitgaven S1 in 2019 van € 0,55 mln (004 par. 7.3). De middelste
# rij past de percentages van de nota toe op de uitgaven 2019 van de segmenten van het model, zonder
# vertraging, zoals de nota doet: zo is te zien hoeveel van het verschil reikwijdte is en hoeveel de
# dynamiek van het model (vertraging, de betaalregels).

# %%
recon = reconciliation(per_rep, ctx.data_2019, included, last_year)
save_table(recon, out_dir, "reconciliation_note_004")
print(recon.attrs["coverage"])
dutch_table(recon.assign(**{c: (recon[c] / 1e6).round(1) for c in ["without_measures", "with_measures", "difference"]}).round(
    {"difference_pct": 1}).rename(columns={"without_measures": "zonder maatregelen (€ mln)",
                                           "with_measures": "met maatregelen (€ mln)", "difference": "verschil (€ mln)"}))

# %% [markdown]
# ## Antwoord

# %%
t = proj[proj["domain"] == "total"].set_index(["variant", "year"])
auto0, auto1 = t.loc[("autonomous", first_year), "gem"], t.loc[("autonomous", last_year), "gem"]
meas1 = t.loc[("with measures", last_year), "gem"]
n = max(last_year - first_year, 1)
dd = d.set_index("year").loc[last_year]
red = reduction.set_index("domain")
parts = "; ".join(f"{dom} {number(red.loc[dom, 'reduction_points'], 1)} procentpunt (doel {number(100 * targets[dom], 1)}; "
                  f"doorlooptijdfactor {number(factors[dom], 2)})" for dom in targets if dom in red.index)
model = recon.set_index("source").loc["model"]
mln = {"million": True, "decimals": 2}
answer = (
    f"Standaardscenario Noord-Limburg. Voor de segmenten {', '.join(included)} gaan de uitgaven die de contracten "
    f"betalen (nominaal) van {euro(auto0, **mln)} in {first_year} naar {euro(auto1, **mln)} in {last_year} zonder "
    f"maatregelen ({percent((auto1 / auto0) ** (1 / n) - 1)} per jaar) en naar {euro(meas1, **mln)} met de "
    f"maatregelen vanaf {measures_from[:4]} ({percent((meas1 / auto0) ** (1 / n) - 1)} per jaar): "
    f"{euro(-dd['gem'], **mln)} minder in {last_year} (95%-BI {euro(-dd['ci_hoog'], **mln)} tot "
    f"{euro(-dd['ci_laag'], **mln)}, gepaard over {replications} replicaties). De jaarlijkse groei "
    f"{first_year}-{last_year} is lager met {parts}. De nota verwacht in 2025 ruim € 140 mln zonder en circa "
    f"€ 134 mln met maatregelen ({percent(-6 / 140)}) voor een bredere reikwijdte (ook PGB, algemene voorzieningen, "
    f"participatie); het verschil van het model in {model['year']} is {number(model['difference_pct'], 1)}%. "
    f"{recon.attrs['coverage']}."
)
if banner:
    answer = with_banner(banner, answer)
save_answer(out_dir, f"Hoe groeien de uitgaven {first_year}-{last_year} bij de groei uit de documenten, en met de "
            "maatregelen van nota 004?", answer)
print(answer)

# %%
# de figuren die deze pagina belooft (gecontroleerd bij het draaien, ook onder nbval)
from simulation.report.notebooks import expect_outputs

expect_outputs(out_dir, ["spend_projection", "index_per_domain"])
