"""Resultaatbekostiging (004 annex 1), the outcome reward add-on (004 par. 7.3) and Zwolle's outcome
KPIs (001), by hand on hand-built traject tables and event logs.

The micro scenario (tests/scenarios.py funding_base): Venlo, S3, one traject type with planned
doorlooptijd 365 unless said otherwise, start 1 January 2022; day 365 = 1 January 2023.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.kpis import kpis
from simulation.analysis.results import mark_results
from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.funding.payments import compute_payments
from scenarios import funding_base as base, funding_contract as contract, traject_rows as trajecten

# price 12,000 per result: 25% at the start, 50% in 12 monthly parts of 500 (planned 365 days =
# 12 months), the rest at the result
RESULTAAT = contract("resultaat", tariffs={"standaard": 12_000}, share_at_start=0.25, share_per_period=0.5)

# 1 reaches its result; 2 returns (a new traject on day 200) within 365 days, and that second
# traject reaches its result; 3 uitval; 4 open at the horizon; 5 ends by afschaling on day 500,
# its 365-day follow-up runs past the horizon (day 730): not yet known
ROWS = [(1, 10, 100), (2, 0, 50), (2, 200, 300), (3, 0, 40, "uitval"), (4, 400, 730, "einde_horizon"),
        (5, 380, 500)]


def run(contracts, rows=ROWS, horizon_years=2, **kw):
    sc = scenario_from_dict(base(contracts, horizon_years=horizon_years, **kw))
    return sc, compute_payments(sc, trajecten=trajecten(rows), replications=[0])


def by_month(res, kind=None):
    p = res.payments if kind is None else res.payments[res.payments["kind"] == kind]
    return {(int(y), int(m)): round(a, 6) for (y, m), a in p.groupby(["year", "month"])["amount"].sum().items()
            if abs(a) > 1e-9}


def finals(res):
    return dict(zip(res.finals["year"], res.finals["final"]))


def assert_conserved(res):
    """Per contract-year the payment rows add up to the final amount (a year without rows paid 0)."""
    t = res.per_contract_year()
    assert t["final"].notna().all()
    np.testing.assert_allclose(t["paid"].fillna(0.0), t["final"], rtol=0, atol=1e-6)


def test_result_marker_on_a_hand_built_table():
    tr = trajecten(ROWS)
    marks = mark_results(tr, horizon=730.0)
    assert list(marks["resultaat"].astype(str)) == ["bereikt", "recidive", "bereikt", "uitval", "open", "onbekend"]
    assert marks["terug_dag"].iloc[1] == 200 and marks["terug_dag"].drop(index=1).isna().all()
    # the return is late (day 451 > 50 + 365): the first traject keeps its result
    late = trajecten([(2, 0, 50), (2, 451, 500)])
    assert list(mark_results(late, 900.0)["resultaat"].astype(str)) == ["bereikt", "bereikt"]
    # a shorter follow-up, and step-down counted as a result
    tr2 = trajecten([(1, 0, 100, "step_down"), (2, 0, 50), (2, 200, 300)])
    assert list(mark_results(tr2, 730.0, follow_up_days=100)["resultaat"].astype(str)) == ["geen", "bereikt", "bereikt"]
    assert mark_results(tr2, 730.0, step_down=True)["resultaat"].astype(str).iloc[0] == "bereikt"


def test_resultaat_paid_at_the_end_with_clawback_by_hand():
    """start 3,000 in the month of start_zorg; 500 per month with care (at most 12); at the result
    what is left of 9,000 after the monthly parts; clawed back on a return within 365 days."""
    sc, res = run([RESULTAAT])
    assert by_month(res, "invoice") == {
        # 1: start + Jan..Apr (4 x 500), result 9,000 - 2,000 in April (stop day 100 = 11 April)
        # 2: start + Jan, Feb; result 8,000 in Feb; second traject 20 July - 28 Oct: start + 4 x 500, result 7,000
        # 3: start + Jan, Feb (uitval: nothing more)
        (2022, 1): 3000 + 500 + 3000 + 500 + 3000 + 500, (2022, 2): 500 + 500 + 8000 + 500,
        (2022, 3): 500, (2022, 4): 500 + 7000, (2022, 7): 3000 + 500, (2022, 8): 500, (2022, 9): 500,
        (2022, 10): 500 + 7000,
        # 4: start 5 Feb 2023 + Feb..Dec (11 x 500), open: no result; 5: start 16 Jan 2023, Jan..May, result 6,500
        (2023, 1): 3000 + 500, (2023, 2): 3000 + 500 + 500, (2023, 3): 1000, (2023, 4): 1000,
        (2023, 5): 500 + 500 + 6500, **{(2023, m): 500 for m in range(6, 13)}}
    assert by_month(res, "payback") == {(2022, 7): -8000}      # client 2 returned on 20 July
    # a result is worth the price: 1 earns 12,000, 2's second traject 12,000, 5 (not yet known) 12,000
    assert finals(res) == pytest.approx({2022: 12_000 + 4_000 + 12_000 + 4_000, 2023: 8_500 + 12_000})
    assert_conserved(res)


def test_resultaat_withheld_until_the_follow_up_has_passed():
    c = dict(RESULTAAT, result_payment="after_follow_up")
    sc, res = run([c])
    results = res.payments[(res.payments["kind"] == "invoice") & (res.payments["amount"] >= 6000)]
    # 1: 7,000 on day 465 (11 April 2023); 2's second traject: 7,000 on day 665; 5 not yet known: withheld
    assert sorted(zip(results["year"], results["month"], results["amount"])) == [(2023, 4, 7000), (2023, 10, 7000)]
    assert total_of(res, "payback") == 0
    assert finals(res) == pytest.approx({2022: 5000 + 9000 + 4000, 2023: 7000 + 7000 + 8500 + 5500})
    assert sum(finals(res).values()) == pytest.approx(52_500 - 6_500)   # at_end pays 52,500; 5's result is withheld
    assert_conserved(res)


def test_resultaat_start_and_period_parts_paid_back_on_failure():
    c = dict(RESULTAAT, on_failure="payback")
    sc, res = run([c])
    # 3 (uitval on day 40, February) pays back 3,000 + 2 x 500; 2 (return on day 200, July) its start and
    # period parts 4,000 besides the result part 8,000
    assert by_month(res, "payback") == {(2022, 2): -4000, (2022, 7): -12_000}
    assert finals(res)[2022] == pytest.approx(12_000 + 12_000)
    assert_conserved(res)


def total_of(res, kind):
    return float(res.payments.loc[res.payments["kind"] == kind, "amount"].sum())


@pytest.mark.parametrize("periode, part, expected", [
    # planned 364 days: 12 months (1,300 a month) or 13 four-week periods (1,200 each)
    ("maand", 1300, {"a": 1, "b": 7, "c": 12}),
    ("vier_weken", 1200, {"a": 2, "b": 8, "c": 13}),
])
def test_periods_of_a_month_or_four_weeks(periode, part, expected):
    """Only period parts (share_per_period 1), all uitval so no result: a: days 25-31 (26-31 January:
    one month; four-week periods 1 and 2, from day 0 and day 28); b: days 0-200 (January - 19 July:
    7 months; periods from days 0, 28, ..., 196: 8); c: days 0-700 (24 months, 25 four-week periods)
    capped at the planned number, so the parts never add up to more than the price."""
    c = contract("resultaat", tariffs={"standaard": 15_600}, share_at_start=0.0, share_per_period=1.0, periode=periode)
    for client, rows in (("a", [(1, 25, 31, "uitval")]), ("b", [(1, 0, 200, "uitval")]), ("c", [(1, 0, 700, "uitval")])):
        sc, res = run([c], rows, planned=364.0)
        assert total_of(res, "invoice") == pytest.approx(expected[client] * part), client
        assert_conserved(res)
    if periode == "vier_weken":   # the 13th period of 2022 runs from day 336 (3 December) to 31 December
        sc, res = run([c], [(1, 330, 370, "uitval")], planned=364.0)
        assert by_month(res, "invoice") == {(2022, 11): 1200, (2022, 12): 1200, (2023, 1): 1200}


def test_beginstand_and_continuations_pay_no_start_part():
    """In care since day -100 (a beginstand): periods before day 0 and the start part were paid before the
    horizon, here January - 11 March (3 x 500), then the result: 9,000 - 500 x (4 + 3) = 5,500."""
    sc, res = run([RESULTAAT], [(1, -100, 70)])
    assert total_of(res, "invoice") == pytest.approx(1500 + 5500)
    assert_conserved(res)


def test_bonus_malus_works_on_resultaat():
    """All at the start (share 1), 2 clients: paid 20,000; target 12,000 per client, rate 0.5: bonus
    0.5 x (24,000 - 20,000) = 2,000, exactly the cap of 10% of 20,000."""
    c = contract("resultaat", tariffs={"standaard": 10_000}, share_at_start=1.0,
                 bonus_malus={"measure": "kosten_per_client", "target": 12_000, "rate": 0.5})
    sc, res = run([c], [(1, 10, 100), (2, 20, 200, "uitval")], horizon_years=1)
    assert total_of(res, "bonus") == pytest.approx(2000)
    assert res.finals["final"].sum() == pytest.approx(22_000)
    assert_conserved(res)


def test_beloning_rewards_successful_trajecten_on_any_contract():
    """A traject contract (1,000 at the start) with a reward of 500 per result, paid when the result is
    known (365 days after the stop): 1 (known 11 April 2023) and 2's second traject (known 28 October
    2023); not 2's first (it returned), 3 (uitval), 4 (open), 5 (not yet known)."""
    c = contract("traject", tariffs={"standaard": 1000}, beloning={"per_succes": 500})
    sc, res = run([c])
    assert by_month(res, "bonus") == {(2023, 4): 500, (2023, 10): 500}
    assert finals(res) == pytest.approx({2022: 4000, 2023: 2000 + 1000})
    assert_conserved(res)
    # on pxq too, with a 100-day follow-up and step-down as a result: 1 (day 200), 2's first (day 150,
    # before its return on day 200), 2's second (day 400), 5 (day 600)
    c = contract("pxq", unit_price=1, beloning={"per_succes": {"standaard": 250},
                                               "definition": {"follow_up_days": 100, "step_down": True}})
    sc, res = run([c])
    assert by_month(res, "bonus") == {(2022, 7): 250, (2022, 5): 250, (2023, 2): 250, (2023, 8): 250}
    assert_conserved(res)


def test_bad_resultaat_contracts_name_the_field():
    with pytest.raises(ScenarioError, match="share_at_start \\+ share_per_period moet 1 of minder zijn"):
        scenario_from_dict(base([dict(RESULTAAT, share_at_start=0.6)]))
    with pytest.raises(ScenarioError, match="periode"):
        scenario_from_dict(base([dict(RESULTAAT, periode="week")]))
    with pytest.raises(ScenarioError, match="beloning.per_succes moet één bedrag per trajecttype"):
        scenario_from_dict(base([contract("traject", tariffs={"standaard": 1}, beloning={"per_succes": {"x": 1}})]))


# -- Zwolle's outcome criteria (001) as KPIs, on a hand-built event log -------------------------------

def event_log(rows, recidive=()):
    """rows: (client, start, stop, reden); every traject a new one; recidive: (client, day)."""
    ev = []
    for n, (client, start, stop, reden) in enumerate(rows):
        t = client * 1000 + n
        ev.append(dict(day=float(start), event="start_zorg", client=client, traject=t, reden=None, wacht_dagen=0.0))
        ev.append(dict(day=float(stop), event="stop_zorg", client=client, traject=t, reden=reden,
                       doorlooptijd=float(stop - start)))
    for client, day in recidive:
        ev.append(dict(day=float(day), event="recidive", client=client, traject=-1, reden=None))
    frame = pd.DataFrame(ev).sort_values("day", kind="stable", ignore_index=True)
    frame["replication"] = 0
    for col, value in (("municipality", "Venlo"), ("segment", "S3"), ("traject_type", "standaard"), ("provider", "P1")):
        frame[col] = pd.Categorical([value] * len(frame))
    frame["event"] = pd.Categorical(frame["event"], categories=["beginstand", "aanmelding", "voorliggend_veld",
                                                               "toewijzing", "wachtlijst", "start_zorg", "stop_zorg",
                                                               "recidive"])
    frame["reden"] = pd.Categorical(frame["reden"])
    frame["sinds_dag"] = np.nan
    return frame


def test_zwolle_outcome_kpis_by_hand():
    """2022 of a three-year horizon (days 0-1095): afgesloten in 2022 are a-e (f is a verlenging, g open):
    a afschaling, no return; b afschaling, recidive on day 250 (no new traject); c step-down, no return;
    d uitval; e opschaling, new traject at once; all have 365 days of follow-up in the horizon."""
    rows = [(1, 0, 100, "afschaling"), (2, 0, 150, "afschaling"), (3, 0, 50, "step_down"), (4, 0, 80, "uitval"),
            (5, 0, 60, "opschaling"), (5, 60, 1095, "einde_horizon"), (6, 0, 30, "verlenging"),
            (7, 10, 1095, "einde_horizon")]
    sc = scenario_from_dict(base([], horizon_years=3))
    k = kpis(event_log(rows, recidive=[(2, 250)]), sc, by=[]).set_index("year").loc[2022]
    assert k["afgesloten_trajecten"] == 5
    assert k["doel_behaald"] == pytest.approx(3 / 5)               # a, b, c
    assert k["aandeel_uitval_afgesloten"] == pytest.approx(1 / 5)  # d
    assert k["zonder_hulp_verder"] == pytest.approx(1 / 5)         # a (b returned; c continues with help)
    assert k["geen_nieuwe_start"] == pytest.approx(3 / 5)          # a, c, d (b recidive, e new traject)
    assert k["doelrealisatie"] == pytest.approx(2 / 5)             # a, c
    # follow-up past the horizon: in 2024 the traject closed on day 1000 has no 365 days left
    late = kpis(event_log([(1, 900, 1000, "afschaling")]), sc, by=[]).set_index("year").loc[2024]
    assert late["afgesloten_trajecten"] == 1 and late["doel_behaald"] == 1
    assert np.isnan(late["doelrealisatie"]) and np.isnan(late["geen_nieuwe_start"])


def test_by_default_the_whole_price_is_paid_at_the_result():
    """No shares given: nothing at the start or per period; 12,000 in the month of the result (1: April
    2022; 5: May 2023, not yet known but paid at the end), 12,000 paid back when 2 returns in July."""
    sc, res = run([contract("resultaat", tariffs={"standaard": 12_000})])
    assert by_month(res, "invoice") == {(2022, 2): 12_000, (2022, 4): 12_000, (2022, 10): 12_000, (2023, 5): 12_000}
    assert by_month(res, "payback") == {(2022, 7): -12_000}
    assert_conserved(res)
