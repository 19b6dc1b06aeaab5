"""Conservation: no client or traject is created or lost, and plekken are a hard cap.

On a scenario with every flow feature (tests/scenarios.py RICH) and on random small scenarios:
- every client in the log is at the horizon in exactly one place, and the place derived from the
  log alone (metrics.client_places) agrees with the model's own state, client by client;
- per calendar year, trajecten in care on 1 January + started - stopped = in care on the next
  1 January, and the KPI table's instroom, uitstroom and caseload follow the same bookkeeping;
- every traject that starts stops exactly once; every wait ends in start_zorg or is still open
  at the horizon (and then the model holds it as waiting);
- no pool (municipality, provider, segment) ever admits a client beyond the plekken of that year.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from simulation.core import events as ev
from simulation.analysis.kpis import kpis
from simulation.analysis.tables import client_places, traject_table, waiting_table
from simulation.core.calendar import year_bounds
from simulation.core.model import Model
from simulation.experiment.runner import build_model
from simulation.config.scenario import scenario_from_dict
from scenarios import rich_scenario

SEED = 424242
REPLICATIONS = 3


def run_model(scenario, seed: int, replication: int) -> tuple[pd.DataFrame, Model]:
    model = build_model(scenario, seed, replication)
    frame = ev.to_frame(model.run(), replication, scenario.start_date, model.labels())
    return frame, model


@pytest.fixture(scope="module")
def rich():
    scenario = rich_scenario()
    runs = [run_model(scenario, SEED, r) for r in range(REPLICATIONS)]
    events = pd.concat([frame for frame, _ in runs], ignore_index=True)
    return scenario, events, [model for _, model in runs]


# -- the checks, shared by the rich scenario and the property test ---------------------------------

def check_places(events: pd.DataFrame, models: list[Model]) -> pd.DataFrame:
    """Log-derived place of every client == the model's own state, as counts and as client sets."""
    places = client_places(events)
    bad = places[places["plaats"].isna()]
    assert bad.empty, f"clients whose last event fits no place: {bad.head().to_dict('records')}"
    assert not places.duplicated(["replication", "client"]).any()
    for model in models:
        rep = model.replication
        mine = places[places["replication"] == rep]
        counts = mine["plaats"].value_counts().to_dict()
        state = model.state_at_horizon()
        assert counts == {
            "in_zorg": state["in_zorg"], "wachtlijst": state["wachtlijst"], "toegang": state["toegang"],
            "voorliggend_veld": state["voorliggend_veld_recidive"] + state["voorliggend_veld"],
            "uitgestroomd": state["uitgestroomd"]}, f"replication {rep}: log {counts} vs model {state}"
        by_place = {p: set(mine.loc[mine["plaats"] == p, "client"]) for p in ("in_zorg", "wachtlijst", "toegang")}
        at_horizon = model.clients_at_horizon()
        assert by_place["in_zorg"] == at_horizon["in_zorg"]
        assert by_place["wachtlijst"] == at_horizon["wachtlijst"]
        assert by_place["toegang"] == at_horizon["toegang"]
        assert at_horizon["voorliggend_veld_recidive"] <= set(mine.loc[mine["plaats"] == "voorliggend_veld", "client"])
        assert len(mine) == sum(state.values()), "every client in the log is somewhere, once"
    return places


def check_trajecten(events: pd.DataFrame, scenario) -> pd.DataFrame:
    """Every traject starts once and stops once, in order, with the doorlooptijd it logs."""
    tr = traject_table(events)   # raises on a started traject without a stop; validates one start, one stop
    horizon = float(scenario.horizon_days)
    stops = events[events["event"] == "stop_zorg"]
    assert not stops.duplicated(["replication", "traject"]).any(), "a traject stopped twice"
    assert len(stops) == len(tr), "a stop_zorg without a start_zorg or beginstand"
    assert (tr["stop"] >= tr["start"]).all()
    assert np.allclose(tr["doorlooptijd"], tr["stop"] - tr["start"])
    assert ((tr["reden"] == "einde_horizon") == (tr["stop"] == horizon)).all()
    assert (tr["stop"] <= horizon).all() and (tr.loc[~tr["beginstand"], "start"] >= 0).all()
    # a continuation (verlenging, step-down) starts exactly when a traject of the same client
    # stops for that reason, at the same provider in the same segment (it keeps the plek)
    key = ["replication", "client", "provider", "segment"]
    cont = tr[tr["voortzetting"]].groupby(key + ["start"], observed=True).size()
    ended = tr[tr["reden"].isin(["verlenging", "step_down"])].groupby(key + ["stop"], observed=True).size()
    cont.index.names = ended.index.names = key + ["day"]
    assert len(cont) > 0 or len(ended) == 0
    pd.testing.assert_series_equal(cont.sort_index(), ended.sort_index(), check_names=False)
    return tr


def check_waits(events: pd.DataFrame, tr: pd.DataFrame, scenario, models: list[Model]) -> None:
    """Every wait ends in start_zorg or is open at the horizon, and then the model holds it."""
    horizon = float(scenario.horizon_days)
    wt = waiting_table(events, tr, horizon)
    started = wt.merge(tr[["replication", "traject", "start"]], on=["replication", "traject"], how="left")
    assert (started["start"].isna() | (started["start"] >= started["since"])).all()
    for model in models:
        open_waits = set(wt.loc[(wt["replication"] == model.replication) & (wt["until"] == horizon)
                                & started["start"].isna().to_numpy(), "traject"])
        assert open_waits == set(model.waiting), f"replication {model.replication}: open waits differ"
    # wacht_dagen on start_zorg = days since the (first) toewijzing of that traject, which for a
    # wait that began in the warm-up is the beginstand's sinds_dag
    assigned = events[events["event"] == "toewijzing"][["replication", "traject", "day"]]
    waiting0 = events[(events["event"] == "beginstand") & (events["reden"] == "wachtlijst")]
    assigned = pd.concat([assigned, pd.DataFrame({"replication": waiting0["replication"], "traject": waiting0["traject"],
                                                  "day": waiting0["sinds_dag"]})])
    first_toewijzing = assigned.groupby(["replication", "traject"])["day"].min()
    new = tr[~tr["beginstand"] & tr["wacht_dagen"].notna()].set_index(["replication", "traject"])
    since = first_toewijzing.reindex(new.index)
    known = since.notna()
    assert np.allclose(new["start"][known] - since[known], new["wacht_dagen"][known])


def check_capacity(tr: pd.DataFrame, scenario) -> int:
    """At every admission into a pool, the clients in care there (including this one) <= plekken of
    that year; on day 0 the initial caseload fits the plekken of the warm-up year. Returns the
    number of admissions checked."""
    checked = 0
    start_date = scenario.start_date
    warmup_year = (start_date - dt.timedelta(days=scenario.warmup.days)).year
    for (_, m, p, s), g in tr.groupby(["replication", "municipality", "provider", "segment"], observed=True):
        if scenario.plekken_in_year(p, m, s, scenario.years[0]) is None:
            continue
        # sweep: +1 at start, -1 at stop; at equal times stops first (a continuation hands over its plek)
        times = np.concatenate([g["start"].to_numpy(), g["stop"].to_numpy()])
        delta = np.concatenate([np.ones(len(g)), -np.ones(len(g))])
        admission = np.concatenate([~g["voortzetting"].to_numpy() & ~g["beginstand"].to_numpy(),
                                    np.zeros(len(g), bool)])
        order = np.lexsort((delta, times))
        level = np.cumsum(delta[order])
        at = times[order]
        at_day0 = level[np.searchsorted(at, 0.0, side="left") - 1] if (at < 0).any() else 0
        assert at_day0 <= scenario.plekken_in_year(p, m, s, warmup_year), f"{m}/{p}/{s}: day-0 caseload {at_day0}"
        for t, n in zip(at[admission[order]], level[admission[order]]):
            year = (start_date + dt.timedelta(days=int(np.floor(t)))).year
            cap = scenario.plekken_in_year(p, m, s, year)
            assert n <= cap, f"{m}/{p}/{s}: {int(n)} in care after an admission on day {t:.2f} > {cap} plekken"
            checked += 1
    return checked


def stock(tr: pd.DataFrame, t: float) -> pd.DataFrame:
    """Trajecten in care just before t: started before t, not stopped before t (at the horizon:
    the trajecten still in care, stop_zorg with reden einde_horizon)."""
    return tr[(tr["start"] < t) & (tr["stop"] >= t)]


# -- the rich scenario -------------------------------------------------------------------------------

def test_rich_scenario_exercises_every_flow(rich):
    """Guard against a vacuous conservation test: every feature actually happens in the log."""
    _, events, _ = rich
    stops = events.loc[events["event"] == "stop_zorg", "reden"].value_counts()
    for reden in ("afschaling", "step_down", "opschaling", "uitval", "verlenging", "einde_horizon"):
        assert stops[reden] > 0, reden
    toew = events.loc[events["event"] == "toewijzing", "reden"].value_counts()
    assert toew["overstap"] > 0
    counts = events["event"].value_counts()
    for e in ("wachtlijst", "recidive", "voorliggend_veld", "beginstand"):
        assert counts[e] > 0, e
    begin = events.loc[events["event"] == "beginstand", "reden"].value_counts()
    for r in ("in_zorg", "wachtlijst", "in_toegang", "in_voorliggend_veld"):
        assert begin[r] > 0, r
    stacked = events[events["event"] == "start_zorg"].groupby(["replication", "client"])["traject"].nunique()
    assert (stacked > 1).any()


def test_every_client_is_in_exactly_one_place_and_the_log_agrees_with_the_model(rich):
    _, events, models = rich
    places = check_places(events, models)
    assert set(places["plaats"].dropna()) == {"in_zorg", "wachtlijst", "toegang", "voorliggend_veld", "uitgestroomd"}
    # every client who reported at the toegang or was there on day 0 is counted
    seen = events.drop_duplicates(["replication", "client"])
    assert len(places) == len(seen)


def test_trajecten_start_once_stop_once(rich):
    scenario, events, _ = rich
    check_trajecten(events, scenario)


def test_every_wait_ends_in_care_or_is_open_at_the_horizon(rich):
    scenario, events, models = rich
    tr = traject_table(events)
    check_waits(events, tr, scenario, models)


def test_plekken_never_exceed_capacity(rich):
    scenario, events, _ = rich
    tr = traject_table(events)
    assert check_capacity(tr, scenario) > 1000


def check_year_balance(events: pd.DataFrame, scenario) -> None:
    """In care 1 Jan Y + started in Y - stopped in Y = in care 1 Jan Y+1, per replication, on trajecten.

    "In care on 1 January" is the stock just before midnight: a traject admitted on 1 January
    (a plek of the new year's capacity) belongs to that year's instroom, not to its beginning
    caseload. The KPI table must keep the same books: its instroom and uitstroom are these flows
    without continuations (verlenging and step-down start and stop at the same moment), and its
    caseload_1jan counts the clients of the same stock.
    """
    tr = traject_table(events)
    horizon = float(scenario.horizon_days)
    table = kpis(events, scenario)
    for rep, g in tr.groupby("replication"):
        for year, lo, hi in year_bounds(scenario):
            started = g[(g["start"] >= lo) & (g["start"] < hi)]
            stopped = g[(g["stop"] >= lo) & (g["stop"] < hi) & (g["reden"] != "einde_horizon")]
            begin, end = stock(g, lo), stock(g, hi)
            if hi == horizon:
                assert len(end) == (g["reden"] == "einde_horizon").sum()
            assert len(begin) + len(started) - len(stopped) == len(end), (rep, year)
            # continuations start and stop together: they cancel in the flows
            assert started["voortzetting"].sum() == stopped["reden"].isin(["verlenging", "step_down"]).sum()
            k = table[(table["replication"] == rep) & (table["year"] == year)]
            assert k["instroom"].sum() == (~started["voortzetting"]).sum(), (rep, year, "instroom")
            assert k["uitstroom"].sum() == (~stopped["reden"].isin(["verlenging", "step_down"])).sum(), (rep, year)
            clients = begin.drop_duplicates(["municipality", "segment", "provider", "client"])
            assert k["caseload_1jan"].sum() == len(clients), (rep, year, "caseload_1jan")


def test_yearly_balance_of_trajecten_and_kpis(rich):
    scenario, events, _ = rich
    check_year_balance(events, scenario)


# -- random small scenarios ----------------------------------------------------------------------

@st.composite
def small_scenarios(draw):
    """Two municipalities, two segments linked by opschaling, one or two providers, random plekken."""
    def outcomes():
        w = [draw(st.integers(0, 4)) for _ in range(5)]
        w[0] += 1
        total = sum(w)
        return dict(zip(("afschaling", "step_down", "opschaling", "uitval", "verlenging"), [x / total for x in w]))

    def dist():
        kind = draw(st.sampled_from(["exponential", "gamma", "lognormal", "fixed"]))
        mean = draw(st.floats(20, 250))
        if kind == "fixed":
            return {"kind": "fixed", "value": mean}
        if kind == "exponential":
            return {"kind": "exponential", "mean": mean}
        return {"kind": kind, "mean": mean, "cv": draw(st.floats(0.2, 1.5))}

    o1, o2 = outcomes(), outcomes()
    o2["uitval"] += o2["opschaling"]   # S2 -> S1 would make a loop; keep it simple
    o2["opschaling"] = 0.0
    seg = {}
    for name, o, other in (("S1", o1, "S2"), ("S2", o2, None)):
        types = {"a": {"share": 0.5, "planned_doorlooptijd": 90, "doorlooptijd": dist(), "outcomes": o,
                       "step_down_to": "b"},
                 "b": {"share": 0.5, "planned_doorlooptijd": 60, "doorlooptijd": dist(),
                       "outcomes": {"afschaling": 0.7, "uitval": 0.3}}}
        if o["opschaling"] > 0:
            types["a"]["opschaling_to"] = {"segment": other, "traject_type": "a"}
        seg[name] = {
            "domain": "jeugd",
            "instroom": {"per_year": draw(st.floats(20, 200)), "base_year": 2023,
                         "growth": draw(st.floats(-0.2, 0.3))},
            "voorliggend_veld_share": draw(st.sampled_from([0.0, 0.3])),
            "stacking_probability": draw(st.sampled_from([0.0, 0.3])),
            "toegang_doorlooptijd": draw(st.sampled_from([{"kind": "fixed", "value": 0},
                                                          {"kind": "exponential", "mean": 20}])),
            "max_wait_days": draw(st.sampled_from([None, 20.0])),
            "recidive": {"probability": draw(st.sampled_from([0.0, 0.5])),
                         "delay": {"kind": "exponential", "mean": 60}},
            "traject_types": types,
        }

    def schedule():
        return {2023: draw(st.integers(0, 12)), 2024: draw(st.integers(0, 12))}

    providers = {"P1": {"segments": {"S1": {}, "S2": {}},
                        "plekken": {"A": {"S1": schedule(), "S2": schedule()}, "B": {"S1": schedule()}}}}
    if draw(st.booleans()):
        providers["P2"] = {"segments": {"S1": {"maatwerk_factor": draw(st.floats(0.5, 2.0))}},
                           "plekken": {"B": {"S1": schedule()}} if draw(st.booleans()) else {}}
    return scenario_from_dict({
        "name": "random", "start_date": "2023-01-01", "horizon_years": 2,
        "warmup": {"initial_caseload": draw(st.booleans()), "days": draw(st.sampled_from([0, 100, 365]))},
        "municipalities": {"A": {"population": 1000}, "B": {"population": 2000}},
        "segments": seg, "providers": providers,
    })


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=small_scenarios(), seed=st.integers(0, 10_000))
def test_conservation_and_capacity_on_random_scenarios(scenario, seed):
    frame, model = run_model(scenario, seed, 0)
    check_places(frame, [model])
    tr = check_trajecten(frame, scenario)
    check_waits(frame, tr, scenario, [model])
    check_capacity(tr, scenario)
    if len(tr):
        check_year_balance(frame, scenario)
    # B's S2 clients can never wait (B buys no S2 plekken and S2 has no opschaling): they run in the
    # numpy cohort; on the shared SimPy clock they must give exactly the same rows
    assert model.private_ok[1][1]
    shared, _ = run_model_shared(scenario, seed)
    columns = list(frame.columns)
    pd.testing.assert_frame_equal(frame.sort_values(columns, ignore_index=True),
                                  shared.sort_values(columns, ignore_index=True), check_exact=True)


def run_model_shared(scenario, seed: int) -> tuple[pd.DataFrame, Model]:
    model = build_model(scenario, seed, 0, private_clocks=False)
    return ev.to_frame(model.run(), 0, scenario.start_date, model.labels()), model


# -- money: every registered variant, on a simulated run -------------------------------------------

def money_contracts() -> dict[str, list[dict]]:
    """At least one contract per registered variant (each at its own provider); a variant registered
    without an entry here fails ``test_money_is_conserved_per_contract_year_for_every_variant``."""
    real = {"basis": "pxq", "unit_price": 80}
    c = lambda variant, provider, **kw: {"municipality": "Venlo", "provider": provider, "segment": "S3",  # noqa: E731
                                         "variant": variant, **kw}
    beloning = {"per_succes": 300}
    bonus = {"measure": "kosten_per_client", "target": 5000, "rate": 0.5}
    return {
        "pxq": [c("pxq", "P1", unit_price=70, beloning=beloning)],
        "traject": [c("traject", "P2", tariffs={"standaard": 6000}, share_at_start=0.4,
                      conversions=[{"date": "2023-07-01", "to": "plekken", "plekken": 3}])],
        "output_monthly": [c("output_monthly", "P3", monthly_tariffs={"standaard": 700}, bonus_malus=bonus)],
        "plekken": [c("plekken", "P4", plekken=4, tariffs={"standaard": 9000})],
        "budget": [c("budget", "P5", budget=40_000, band=0.05, realisation=real, settlement="outside_band")],
        "plafond": [c("plafond", "P6", ceiling=30_000, realisation={"basis": "output_monthly",
                                                                    "monthly_tariffs": {"standaard": 700}})],
        "lumpsum": [c("lumpsum", "P7", amount=25_000, beloning=beloning)],
        "population": [c("population", "P8", per_client=3000, expected_clients=10, band=0.1)],
        "regio_budget": [c("regio_budget", "P10", municipality="regio", municipalities="all", budget=30_000,
                           band=0.05, realisation=real)],
        "resultaat": [c("resultaat", "P9", tariffs={"standaard": 8000}, share_at_start=0.2, share_per_period=0.5,
                        on_failure="payback", bonus_malus=bonus, end="2024-01-01"),
                      c("resultaat", "P9", tariffs={"standaard": 8000}, share_per_period=0.3, periode="vier_weken",
                        result_payment="after_follow_up", result={"follow_up_days": 180, "step_down": True},
                        start="2024-01-01")],
        "beschikbaarheid": [c("beschikbaarheid", "P11", availability=20_000, budget=30_000, tariffs={"standaard": 900},
                              share_at_start=0.5, band=0.05, beloning=beloning)],
        "casusbudget": [c("casusbudget", "P12", unit_price=70, budget_factor=0.9, beloning=beloning)],
        "boeggolf": [c("boeggolf", "P13", tariffs={"standaard": 1500}, share_at_start=0.5, horizon_years=1,
                       min_doelrealisatie=0.7)],
        # takes over P13's perceel when the boeggolf contract (index 13 in the flattened list) ends
        "opvolger": [c("opvolger", "P13", tariffs={"standaard": 1200}, share_at_start=0.5, follows=13)],
    }


def test_money_is_conserved_per_contract_year_for_every_variant():
    """advances + invoices + settlements + paybacks + bonus = final, per replication x contract x year,
    with recidive, uitval, verlenging and trajecten open at the horizon in the log."""
    from simulation import simulate
    from simulation.funding import VARIANTS, compute_payments

    examples = money_contracts()
    assert set(examples) == set(VARIANTS), "add a contract for every registered variant"
    contracts = [x for v in examples.values() for x in v]
    providers = sorted({x["provider"] for x in contracts})
    types = {"standaard": {"share": 1, "weight": 3, "planned_doorlooptijd": 120,
                           "doorlooptijd": {"kind": "gamma", "mean": 120, "cv": 0.7},
                           "outcomes": {"afschaling": 0.6, "uitval": 0.2, "verlenging": 0.2}}}
    raw = {
        "name": "money", "start_date": "2022-01-01", "horizon_years": 3,
        "warmup": {"initial_caseload": True, "days": 365},
        "municipalities": {"Venlo": {"population": 100_000}},
        "segments": {"S3": {"domain": "jeugd", "instroom": {"per_year": 150, "base_year": 2022},
                            "recidive": {"probability": 0.4, "delay": {"kind": "exponential", "mean": 120}},
                            "traject_types": types}},
        "providers": {p: {"segments": {"S3": {}}} for p in providers},
        "funding": {"contracts": contracts},
    }
    res = simulate(raw, seed=11, replications=2)
    stops = res.events.loc[res.events["event"] == "stop_zorg", "reden"].value_counts()
    assert all(stops[r] > 0 for r in ("afschaling", "uitval", "verlenging", "einde_horizon"))
    assert (res.events["event"] == "recidive").sum() > 0
    fund = compute_payments(res.scenario, events=res.events)
    t = fund.per_contract_year()
    assert t["final"].notna().all() and set(t["contract"]) == set(range(len(contracts)))
    np.testing.assert_allclose(t["paid"].fillna(0.0), t["final"], rtol=0, atol=1e-6)
    kinds = set(fund.payments["kind"].astype(str))
    assert {"advance", "invoice", "settlement", "payback", "bonus"} <= kinds
    # the resultaat contracts paid back something (uitval or a return) and paid results
    r = fund.payments[fund.payments["variant"] == "resultaat"]
    assert (r.loc[r["kind"] == "payback", "amount"] < 0).any() and r["amount"].sum() > 0
    # the boeggolf contract ended and its opvolger paid the perceel from then on
    assert fund.payments.loc[fund.payments["variant"] == "opvolger", "amount"].sum() > 0
