"""The what-if page (Panel): inputs on the left, the answer against the baseline on the right.

Every input is a number field or a choice from a list; a question becomes a ``Question`` and the
engine answers it. A field error (the CLI's message) is shown under the field it names, and nothing
runs then. Names and number formats come from ``report.labels``.
"""
from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
import pandas as pd
import panel as pn

from simulation.app.engine import BASIS, COLUMNS, WHATIF, Answer, Engine, xlsx_bytes
from simulation.app.question import (ALL, AS_IS, BEHAVIOUR, NEUTRAL, SHARED, Question, defaults, read_number,
                                     shown_number)
from simulation.config.contracts import SCHEMAS
from simulation.report.labels import euro, input_number, name, number, parse_number, percent
from simulation.report.texts import MARGIN_UNKNOWN, NO_BEHAVIOUR

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

NUMBERS = tuple(n for n in SHARED if n != "settlement")   # the shared fields that take a number
EURO = {"uitgaven", "kosten_per_client", "verrekening", "marge_aanbieders"}
SHARE = {"bezettingsgraad"}
ONE_DECIMAL = {"wacht_dagen_gem", "wacht_dagen_p90", "clienten_per_plek", "clienten_equivalent", "wachtlijst_eind",
               "unieke_clienten", "terugbetaalde_plekdagen"}


def fmt(measure: str, x: float) -> str:
    """A value of ``measure`` in Dutch format."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if measure in EURO:
        return euro(x)
    if measure in SHARE:
        return percent(x)
    return number(x, 1 if measure in ONE_DECIMAL else 0)


def answer_table(answer: Answer) -> pd.DataFrame:
    """Per measure x year: baseline mean, what-if mean, paired difference and its 95% interval (raw numbers)."""
    s = answer.summary
    base = s[s["variant"] == BASIS].set_index(["measure", "year"])
    what = s[s["variant"] == WHATIF].set_index(["measure", "year"])
    rows = []
    for measure in COLUMNS:
        for year in sorted(s["year"].unique()):
            b, w = base.loc[(measure, year)], what.loc[(measure, year)]
            rows.append({"measure": measure, "year": int(year), "baseline": b["gem"], "whatif": w["gem"],
                         "difference": w["verschil_gem"], "ci_low": w["verschil_ci_laag"],
                         "ci_high": w["verschil_ci_hoog"]})
    return pd.DataFrame(rows)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The answer table with Dutch names and formats; a provider margin without cost models says it is unknown."""
    unknown = ((table["measure"] == "marge_aanbieders") & table["baseline"].isna() & table["whatif"].isna()).to_numpy()
    out = pd.DataFrame({
        name("column", "measure"): [name("kpi", m) for m in table["measure"]],
        name("column", "year"): table["year"].astype(str),
        name("column", "baseline"): [fmt(m, x) for m, x in zip(table["measure"], table["baseline"])],
        name("column", "whatif"): [fmt(m, x) for m, x in zip(table["measure"], table["whatif"])],
        name("column", "difference"): [fmt(m, x) for m, x in zip(table["measure"], table["difference"])],
        "95%-BI van het verschil": [f"{fmt(m, lo)} tot {fmt(m, hi)}" for m, lo, hi in
                                    zip(table["measure"], table["ci_low"], table["ci_high"])],
    })
    out.iloc[unknown, 2] = MARGIN_UNKNOWN
    out.iloc[unknown, 3:] = MARGIN_UNKNOWN.partition(":")[0]   # 'niet bekend'
    return out


def behaviour_text(assumptions: pd.DataFrame) -> str:
    """The behaviour factors the answer rests on as a Markdown table, or that the scenario has none."""
    if assumptions.empty:
        return NO_BEHAVIOUR
    head = [name("column", c) for c in ("parameter", "value", "source")]
    unique = assumptions[["parameter", "value", "source"]].astype(str).drop_duplicates().index   # one row per value
    rows = [[name("input", p), number(float(v), 2), str(src).replace("|", "/")] for p, v, src in
            assumptions.loc[unique, ["parameter", "value", "source"]].itertuples(index=False)]
    return "\n".join("| " + " | ".join(r) + " |" for r in [head, ["---"] * 3] + rows)


def figure(table: pd.DataFrame):
    """Spend per year (baseline and what-if) and the difference in mean wait, with 95% intervals."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    spend = table[table["measure"] == "uitgaven"]
    x = np.arange(len(spend))
    a.bar(x - 0.2, spend["baseline"] / 1e6, 0.4, label=name("column", "baseline"), color="#9db4c0")
    a.bar(x + 0.2, spend["whatif"] / 1e6, 0.4, label=name("column", "whatif"), color="#1f5f8b")
    a.set_xticks(x, spend["year"].astype(str))
    a.set_xlabel(name("column", "year"))
    a.set_ylabel("€ mln")
    a.set_title(name("kpi", "uitgaven") + " per jaar")
    # below the axes: inside it covered the first year's bars
    a.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    wait = table[table["measure"] == "wacht_dagen_gem"]
    err = np.vstack([wait["difference"] - wait["ci_low"], wait["ci_high"] - wait["difference"]])
    b.errorbar(wait["year"].astype(str), wait["difference"], yerr=np.nan_to_num(err), fmt="o", color="#1f5f8b",
               capsize=4)
    b.axhline(0, color="grey", lw=0.8)
    b.set_title("Verschil in wachttijd (dagen), 95%-BI")
    b.set_xlabel(name("column", "year"))
    b.set_ylabel("wat-als min basis (dagen)")
    fig.tight_layout()
    plt.close(fig)
    return fig


class Page:
    """One browser session's page over a shared engine."""

    def __init__(self, engine: Engine):
        self.engine = engine
        names = engine.scenarios()
        self.scenario = pn.widgets.Select(label=name("input", "scenario"), options=names,
                                          value="noord-limburg.yaml" if "noord-limburg.yaml" in names else names[0])
        self.municipality = pn.widgets.Select(label=name("input", "municipality"), css_classes=["gemeente"])
        self.segment = pn.widgets.Select(label=name("input", "segment"), css_classes=["segment"])
        self.variant = pn.widgets.Select(label=name("input", "variant"), options={
            name("input", AS_IS): AS_IS, **{name("variant", v): v for v in SCHEMAS}}, css_classes=["variant"])
        # text, not FloatInputs: Dutch users type '0,95' (the browser's number field wants a decimal point)
        self.behaviour = {n: pn.widgets.TextInput(label=name("input", n), value=input_number(NEUTRAL[n]),
                                                  css_classes=[f"veld-{n}"]) for n in BEHAVIOUR}
        self.horizon = pn.widgets.IntInput(label=name("input", "horizon_years"), value=4, css_classes=["veld-horizon"])
        self.replications = pn.widgets.IntInput(label=name("input", "replications"), value=10,
                                                css_classes=["veld-replications"])
        self.seed = pn.widgets.IntInput(label=name("input", "seed"), value=1)
        self.button = pn.widgets.Button(label="Bereken", color="primary", css_classes=["bereken"])
        self.errors: dict[str, pn.pane.Alert] = {}
        self.funding = pn.Column()
        self.status = pn.pane.Markdown("Kies een vraag en klik op **Bereken**.", css_classes=["status"])
        self.result = pn.Column()
        self.answer: Answer | None = None
        self.scenario.param.watch(lambda _: self._load_scenario(), "value")
        self.municipality.param.watch(lambda _: self._load_funding(), "value")
        self.segment.param.watch(lambda _: self._load_funding(), "value")
        self.button.on_click(lambda _: self.ask())
        self._load_scenario()

    def _error_pane(self, key: str) -> pn.pane.Alert:
        pane = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=[f"fout-{key.replace(':', '-')}"])
        self.errors[key] = pane
        return pane

    def _field(self, key: str, widget) -> pn.Column:
        return pn.Column(widget, self._error_pane(key), margin=0)

    def _load_scenario(self) -> None:
        raw, _ = self.engine.raw(self.scenario.value)
        self.municipality.options = {name("input", "all"): ALL, **{m: m for m in raw["municipalities"]}}
        self.segment.options = {name("input", "all"): ALL, **{s: s for s in raw["segments"]}}
        self.municipality.value = "Venlo" if "Venlo" in raw["municipalities"] else ALL
        self.segment.value = "S3" if "S3" in raw["segments"] else ALL
        self._load_funding()

    def _load_funding(self) -> None:
        """The funding inputs of the chosen municipality x segment, filled with the scenario's values."""
        q = self._question(funding=False)
        _, base, _ = self.engine.base(q)
        d = defaults(base, q.municipality, q.segment)
        self.defaults = d
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith(("plekken", "tariffs", *SHARED))}
        self.plekken = {p: pn.widgets.IntInput(label=f"{name('input', 'plekken')}: {name('provider', p)}{v['schedule']}",
                                               value=v["plekken"], css_classes=[f"plekken-{p}"])
                        for p, v in d["providers"].items()}
        # text, not a FloatInput: Dutch users type '1.234,56' (the browser's number field wants a decimal point)
        self.tariffs = {t: pn.widgets.TextInput(label=f"{name('input', 'tariffs')}: {t} (€)", value=input_number(v),
                                                css_classes=[f"tarief-{t}"]) for t, v in d["tariffs"].items()}
        self.shared = {n: pn.widgets.TextInput(label=name("input", n), value=shown_number(d[n]),
                                               css_classes=[f"veld-{n}"]) for n in NUMBERS}
        self.shared["settlement"] = pn.widgets.Select(label=name("input", "settlement"), options={
            "–": None, name("input", "whole"): "whole", name("input", "outside_band"): "outside_band"},
            value=d["settlement"])
        if not d["providers"]:
            self.funding[:] = [pn.pane.Markdown("Kies een gemeente en een segment om de bekostiging te wijzigen; "
                                                "de gedragsfactoren gelden voor alle contracten.")]
            return
        contracts = ", ".join(f"{name('provider', p)}: {name('variant', v['variant'])}" for p, v in d["providers"].items())
        self.funding[:] = ([pn.pane.Markdown(f"Contracten nu: {contracts}"), self.variant]
                           + [self._field(f"plekken:{p}", w) for p, w in self.plekken.items()]
                           + [self._field("tariffs", pn.Column(*self.tariffs.values()))]
                           + [self._field(n, w) for n, w in self.shared.items()])

    def _question(self, funding: bool = True) -> Question:
        """The inputs as a Question; a funding field left at the scenario's value is not an override. A number
        field that is no Dutch number counts as left (``_number_errors`` stops the question before it runs)."""
        d = getattr(self, "defaults", None) if funding else None
        changed = (lambda w, default: w.value if w.value != default else None)
        shared, behaviour = self._number_values()[:2]
        return Question(
            scenario=self.scenario.value, municipality=self.municipality.value or ALL, segment=self.segment.value or ALL,
            variant=self.variant.value if d else AS_IS,
            plekken={p: changed(w, d["providers"][p]["plekken"]) for p, w in self.plekken.items()} if d else {},
            tariffs={t: v if v != d["tariffs"][t] else None for t, v in self._tariff_values()[0].items()} if d else {},
            **({n: v if v != d[n] else None for n, v in shared.items()} if d else {}),
            settlement=changed(self.shared["settlement"], d["settlement"]) if d else None,
            **{n: behaviour.get(n, NEUTRAL[n]) for n in BEHAVIOUR},
            horizon_years=self.horizon.value, replications=self.replications.value, seed=self.seed.value)

    def _tariff_values(self) -> tuple[dict[str, float], dict[str, str]]:
        """The tariff fields read in Dutch format: the values, and a Dutch message per field that is no number."""
        values, bad = {}, {}
        for t, w in self.tariffs.items():
            try:
                values[t] = parse_number(w.value)
            except ValueError as exc:
                bad[t] = f"{name('input', 'tariffs')} {t}: {exc}"
        return values, bad

    def _number_values(self) -> tuple[dict[str, float | None], dict[str, float], dict[str, str]]:
        """The band/budget/plafond fields (empty: as in the scenario) and the behaviour factors read in Dutch
        format, and a Dutch message per field that is no number (by the field's error key)."""
        shared, behaviour, bad = {}, {}, {}
        fields = [(n, w, shared, True) for n, w in getattr(self, "shared", {}).items() if n in NUMBERS]
        for n, w, out, empty in fields + [(n, w, behaviour, False) for n, w in self.behaviour.items()]:
            try:
                out[n] = read_number(w.value, empty=empty)
            except ValueError as exc:
                bad[n] = f"{name('input', n)}: {exc}"
        return shared, behaviour, bad

    def _number_errors(self) -> dict[str, str]:
        """A Dutch message per number field that is no number: 'tariffs', 'band', ..., 'doorlooptijd_factor'."""
        bad = self._tariff_values()[1]
        return {**({"tariffs": "\n\n".join(bad.values())} if bad else {}), **self._number_values()[2]}

    def ask(self) -> Answer:
        """Answer the page's question: show the field errors, or the tables, figures and downloads."""
        for pane in self.errors.values():
            pane.visible = False
        self.status.object = "Bezig met rekenen…"
        self.result.loading = True
        try:
            bad = self._number_errors()
            answer = Answer(errors=bad) if bad else self.engine.answer(self._question())
        finally:
            self.result.loading = False
        if answer.errors:
            self.status.object = "**Invoer niet geldig**: zie de melding bij het veld; er is niets gerekend."
            for key, message in answer.errors.items():
                pane = self.errors.get(key) or self.errors[""]
                pane.object, pane.visible = message, True
            self.result[:] = []   # no answer left on the page that these inputs did not give
            return answer
        self.answer = answer
        self._show(answer)
        return answer

    def _show(self, answer: Answer) -> None:
        q = answer.question
        table = answer_table(answer)
        self.table = table
        assumptions = answer.assumptions.rename(columns={c: name("column", c) for c in answer.assumptions})
        behaviour = answer.assumptions[answer.assumptions["value"] != ""]   # the rest: the file's 'assumption:' lines
        self.result[:] = [
            pn.pane.DataFrame(display_table(table), index=False, sizing_mode="stretch_width", css_classes=["antwoord"]),
            pn.pane.Matplotlib(figure(table), dpi=90, tight=True),
            pn.pane.Markdown("### Waar het antwoord op rust\n" + "\n".join(f"- {n}" for n in answer.notes)),
            pn.pane.Markdown("#### Gedragsfactoren\n" + behaviour_text(behaviour), css_classes=["gedrag"],
                             sizing_mode="stretch_width"),
            pn.Card(pn.pane.DataFrame(assumptions[assumptions[name("column", "value")] == ""], index=False,
                                      sizing_mode="stretch_width"),
                    title=f"Aannames in het scenariobestand ({int((assumptions[name('column', 'value')] == '').sum())})",
                    collapsed=True, sizing_mode="stretch_width"),
            pn.Row(pn.widgets.FileDownload(callback=self._xlsx, filename="wat-als.xlsx", label="Tabellen (.xlsx)",
                                           css_classes=["download-xlsx"]),
                   pn.widgets.FileDownload(callback=self._yaml, filename="wat-als-scenario.yaml",
                                           label="Scenario (.yaml)", css_classes=["download-yaml"])),
        ]
        # the status line last: a reader (or the browser test) that sees it sees the new tables
        self.status.object = (f"Antwoord voor {q.municipality if q.municipality != ALL else 'alle gemeenten'}, "
                              f"segment {q.segment}: {q.replications} replicaties, seed {q.seed}, "
                              f"gemeenschappelijke toevalsgetallen; berekend in {number(answer.seconds, 1)} s.")

    def _xlsx(self) -> io.BytesIO:
        a = self.answer
        return io.BytesIO(xlsx_bytes({"antwoord": self.table, "per_replicatie": a.per_replication,
                                      "samenvatting": a.summary, "aannames": a.assumptions}))

    def _yaml(self) -> io.BytesIO:
        return io.BytesIO(self.answer.scenario_yaml().encode("utf-8"))

    def view(self) -> pn.Row:
        inputs = pn.Column(
            self.scenario, self.municipality, self.segment, pn.pane.Markdown("#### Bekostiging"), self.funding,
            pn.pane.Markdown("#### Gedrag"), *[self._field(n, w) for n, w in self.behaviour.items()],
            pn.pane.Markdown("#### Rekenen"), self._field("horizon_years", self.horizon),
            self._field("replications", self.replications), self.seed, self._error_pane(""), self.button, width=330)
        return pn.Row(inputs, pn.Column(pn.pane.Markdown("## Wat als…? Bekostiging en plekken tegen de basis"),
                                        self.status, self.result, sizing_mode="stretch_width"))
