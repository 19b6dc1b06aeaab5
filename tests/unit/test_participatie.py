"""Participatie in Noord-Limburg (004 par. 7.3, annex 1): the variants beschikbaarheid (PW S1),
casusbudget (PW S2) and boeggolf (PW S3), and the outcome reward on a PW S1 contract, by hand.

The micro scenario (tests/scenarios.py funding_base): Venlo, S3, one traject type, start 1 January
2022; day 181 = 1 July 2022, day 365 = 1 January 2023, day 1096 = 1 January 2025.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.core.calendar import Calendar
from simulation.funding.payments import compute_payments
from simulation.funding.variants.beschikbaarheid import adjusted_budget
from simulation.funding.variants.boeggolf import boeggolf_ends, rolled_end
from simulation.funding.variants.casusbudget import capped_invoices
from scenarios import funding_base as base, funding_contract as contract, traject_rows as trajecten

# ten trajecten start in January-June (days 0, 10, ..., 90), five in July-December (days 200-240),
# each 30 days, ending by afschaling; at 1,810 per traject the first half realises 18,100
ROWS = [(n, 10 * n, 10 * n + 30) for n in range(10)] + [(10 + n, 200 + 10 * n, 230 + 10 * n) for n in range(5)]
TARIFF = {"standaard": 1810}


def run(contracts, rows=ROWS, horizon_years=2, **kw):
    sc = scenario_from_dict(base(contracts, horizon_years=horizon_years, **kw))
    return sc, compute_payments(sc, trajecten=trajecten(rows), replications=[0])


def by_month(res, kind=None, year=None):
    p = res.payments if kind is None else res.payments[res.payments["kind"] == kind]
    p = p if year is None else p[p["year"] == year]
    return {(int(y), int(m)): round(a, 6) for (y, m), a in p.groupby(["year", "month"])["amount"].sum().items()
            if abs(a) > 1e-9}


def finals(res):
    return {int(y): round(f, 6) for y, f in zip(res.finals["year"], res.finals["final"])}


def assert_conserved(res):
    t = res.per_contract_year()
    np.testing.assert_allclose(t["paid"].fillna(0.0), t["final"], rtol=0, atol=1e-6)


# -- PW S1: availability + trajecten within a budget with an interim adjustment ----------------

def test_adjusted_budget_by_hand():
    # projection 18,100 x 365 / 181 = 36,500: 50% below 73,000 -> adjusted; 1.4% above 36,000 -> kept
    np.testing.assert_allclose(adjusted_budget([73_000, 36_000], [18_100, 18_100], 181, 365, 0.1), [36_500, 36_000])
    np.testing.assert_allclose(adjusted_budget([73_000], [18_100], 0, 365, 0.1), [73_000])   # nothing elapsed


def test_beschikbaarheid_budget_adjusted_in_july_and_settled_within_the_band():
    """availability 36,500 (100 a day); budget 73,000 (200 a day) advanced January-June: 36,200; the July
    review projects 36,500 (> 10% off): the rest of the year advances 36,500 - 36,200 = 300 over 184 days;
    realisation 15 x 1,810 = 27,150 is within 50% of 36,500: the traject part is 36,500."""
    c = contract("beschikbaarheid", availability=36_500, budget=73_000, tariffs=TARIFF, band=0.5)
    _, res = run([c])
    adv = by_month(res, "advance", 2022)
    assert adv[(2022, 1)] == pytest.approx(100 * 31 + 200 * 31)
    assert adv[(2022, 6)] == pytest.approx(100 * 30 + 200 * 30)
    assert adv[(2022, 7)] == pytest.approx(100 * 31 + 300 * 31 / 184)
    assert sum(adv.values()) == pytest.approx(36_500 + 36_200 + 300)
    assert by_month(res, "settlement", 2022) == {}   # the advances were the final amount
    assert finals(res)[2022] == pytest.approx(36_500 + 36_500)
    assert_conserved(res)


def test_beschikbaarheid_settled_on_realisation_without_band():
    """band 0: the traject part is the realisation 27,150; settlement 63,650 - 73,000 = -9,350 in December."""
    c = contract("beschikbaarheid", availability=36_500, budget=73_000, tariffs=TARIFF)
    _, res = run([c])
    assert finals(res)[2022] == pytest.approx(36_500 + 27_150)
    assert by_month(res, "settlement", 2022) == {(2022, 12): pytest.approx(-9_350)}
    # 2023 has no trajecten: the review projects 0, the budget drops to 0; availability is still paid
    assert finals(res)[2023] == pytest.approx(36_500)
    assert_conserved(res)


def test_beschikbaarheid_budget_kept_when_the_projection_is_close():
    """budget 36,000, projection 36,500 (1.4% off): voorschotten stay 36,000 / 365 a day all year."""
    c = contract("beschikbaarheid", availability=0, budget=36_000, tariffs=TARIFF, band=0.5)
    _, res = run([c], horizon_years=1)
    adv = by_month(res, "advance")
    assert adv[(2022, 7)] == pytest.approx(36_000 * 31 / 365)
    assert finals(res)[2022] == pytest.approx(36_000)   # 27,150 lies within 50% of 36,000


def test_participatie_reward_on_successful_trajecten():
    """beloning 500 per result (afschaling without a return within 365 days), paid when known: the 15
    trajecten stop on days 30-120 and 230-270, so every result is known in 2023; client 20 of a second
    contract year returns on day 400 after an afschaling on day 60: no reward for that one."""
    c = contract("beschikbaarheid", availability=0, budget=0, tariffs=TARIFF, review_band=np.inf,
                 beloning={"per_succes": 500})
    _, res = run([c])
    bonus = res.payments[res.payments["kind"] == "bonus"]
    assert bonus["amount"].sum() == pytest.approx(15 * 500) and set(bonus["year"]) == {2023}
    # the first result: stop day 30 + 365 = day 395 = 31 January 2023
    assert by_month(res, "bonus")[(2023, 1)] == pytest.approx(500)
    rows = ROWS[:1] + [(20, 20, 60), (20, 400, 420)]
    _, res2 = run([c], rows=rows)
    # client 0 (known day 395, January 2023) is rewarded; client 20's first traject is not (a return),
    # its second stops on day 420: known day 785, after the two-year horizon (day 730)
    assert by_month(res2, "bonus") == {(2023, 1): 500}
    assert_conserved(res2)


# -- PW S2: PxQ at an hourly rate within a budget per case ------------------------------------

def test_capped_invoices_by_hand():
    np.testing.assert_allclose(capped_invoices([620, 560, 620, 600], [1, 1, 1, 1], 0.0, 1400), [620, 560, 220, 0])
    np.testing.assert_allclose(capped_invoices([620, 180], [2, 2], 600.0, 1400), [620, 180])


def test_casusbudget_caps_each_case_at_its_planned_hours():
    """weight 2 h/week, planned 70 days: 20 planned hours x 70 = 1,400 per case (20 a day). A: days 0-50,
    1,000; B: days 0-100, 2,000 capped at 1,400 (Jan 620, Feb 560, Mar 220); C: in care since day -30
    (600 delivered before), to day 40: Jan 620 and Feb 180 fill its 1,400."""
    c = contract("casusbudget", unit_price=70)
    rows = [(1, 0, 50), (2, 0, 100), (3, -30, 40)]
    _, res = run([c], rows=rows, horizon_years=1, planned=70.0, weight=2.0)
    assert by_month(res, "invoice") == {(2022, 1): pytest.approx(1860), (2022, 2): pytest.approx(380 + 560 + 180),
                                        (2022, 3): pytest.approx(220)}
    # a case budget of 1.5 x the plan (2,100): B is paid in full (2,000)
    _, res = run([contract("casusbudget", unit_price=70, budget_factor=1.5)], rows=rows[1:2], horizon_years=1,
                 planned=70.0, weight=2.0)
    assert finals(res) == {2022: pytest.approx(2000)}
    assert_conserved(res)


# -- PW S3: fixed rate under the boeggolf principle -------------------------------------------

def test_rolled_end_by_hand():
    start = dt.date(2022, 1, 1)
    ends = [(w.isoformat(), g, e.isoformat()) for w, g, e in rolled_end(start, 3, [True, False, True])]
    assert ends == [("2022-01-01", True, "2025-01-01"), ("2023-01-01", True, "2026-01-01"),
                    ("2024-01-01", False, "2026-01-01"), ("2025-01-01", True, "2027-01-01")]
    # two poor years: the horizon runs out on 1 January 2025, before the third evaluation
    assert rolled_end(start, 3, [False, False, True, True])[-1][2] == dt.date(2025, 1, 1)
    assert len(rolled_end(start, 3, [False, False, True, True])) == 3
    # never past the longest term
    assert rolled_end(start, 3, [True, True, True], max_end=dt.date(2026, 1, 1))[-1][2] == dt.date(2026, 1, 1)


BOEG_ROWS = [(1, 10, 100, "uitval"), (2, 20, 200, "uitval"), (3, 400, 500, "uitval"), (4, 420, 520, "uitval"),
             (5, 1000, 1200), (6, 1150, 1300)]


def test_boeggolf_two_poor_years_end_the_contract_and_what_runs_is_paid_under_it():
    """tariff 1,000, half at the start; 2022 and 2023 close only uitval (doelrealisatie 0 < 0.5): the end
    stays 1 January 2025. Traject 5 (start 27 September 2024) runs past it: its end part (500, 15 April
    2025) is paid under the contract; traject 6 starts after the end: not paid. Uitval pays the start only."""
    c = contract("boeggolf", tariffs={"standaard": 1000}, share_at_start=0.5)
    sc, res = run([c], rows=BOEG_ROWS, horizon_years=4)
    assert by_month(res) == {(2022, 1): 1000, (2023, 2): 1000, (2024, 9): 500, (2025, 4): 500}
    ends = boeggolf_ends(sc.funding.contracts[0], trajecten(BOEG_ROWS), Calendar.of(sc), [0])
    assert list(ends["einde"].astype(str)) == ["2025-01-01", "2025-01-01", "2025-01-01"]
    assert list(ends["goed"]) == [True, False, False]
    assert_conserved(res)


def test_boeggolf_a_good_first_year_keeps_the_contract_running():
    """2022 ends by afschaling (doelrealisatie 1): the end moves to 2026; traject 6 (24 February - 24 July 2025)
    is paid under the contract."""
    rows = [(1, 10, 100), (2, 20, 200)] + BOEG_ROWS[2:]
    _, res = run([contract("boeggolf", tariffs={"standaard": 1000}, share_at_start=0.5)], rows=rows, horizon_years=4)
    months = by_month(res)
    assert months[(2025, 2)] == 500 and months[(2025, 7)] == 500
    assert sum(months.values()) == pytest.approx(2 * 1000 + 2 * 500 + 2 * 1000)


def test_participatie_contracts_name_the_missing_field():
    with pytest.raises(ScenarioError, match="budget"):
        scenario_from_dict(base([contract("beschikbaarheid", availability=1000, tariffs=TARIFF)]))
    with pytest.raises(ScenarioError, match="budget_factor"):
        scenario_from_dict(base([contract("casusbudget", unit_price=70, budget_factor=0)]))


def test_participatie_is_a_domain():
    raw = base([])
    raw["segments"]["S3"]["domain"] = "participatie"
    assert scenario_from_dict(raw).segments["S3"].domain == "participatie"
    raw["segments"]["S3"]["domain"] = "werk"
    with pytest.raises(ScenarioError, match="domain"):
        scenario_from_dict(raw)


def test_boeggolf_successor_takes_over_at_the_end_by_hand():
    """As above (end 1 January 2025), now with an opvolger at tariff 1,200, half at the start: traject 5, in
    care on 1 January 2025, continues under the successor (its end part 600 on 15 April 2025; the
    predecessor pays only its start part 500); traject 6 (24 February - 24 July 2025) is the successor's:
    600 in February and 600 in July. Money before the end is unchanged."""
    c = contract("boeggolf", tariffs={"standaard": 1000}, share_at_start=0.5)
    succ = contract("opvolger", tariffs={"standaard": 1200}, share_at_start=0.5, follows=0)
    sc, res = run([c, succ], rows=BOEG_ROWS, horizon_years=4)
    pay = res.payments
    assert by_month(type(res)(pay[pay["contract"] == 0], res.finals, res.plekken)) == {
        (2022, 1): 1000, (2023, 2): 1000, (2024, 9): 500}
    assert by_month(type(res)(pay[pay["contract"] == 1], res.finals, res.plekken)) == {
        (2025, 2): 600, (2025, 4): 600, (2025, 7): 600}
    assert finals(type(res)(pay, res.finals[res.finals["contract"] == 1], res.plekken)) == {
        2022: 0, 2023: 0, 2024: 0, 2025: 1800}
    assert_conserved(res)


def test_an_opvolger_must_follow_a_boeggolf_contract_of_the_same_perceel():
    c, other = contract("boeggolf", tariffs={"standaard": 1000}), contract("traject", "P2", tariffs={"standaard": 1})
    for bad in (contract("opvolger", "P2", tariffs={"standaard": 1}, follows=5),    # no such contract
                contract("opvolger", "P2", tariffs={"standaard": 1}, follows=0),    # another perceel
                contract("opvolger", "P2", tariffs={"standaard": 1}, follows=1)):   # not a boeggolf contract
        with pytest.raises(ScenarioError, match="follows"):
            scenario_from_dict(base([c, other, bad] if bad["follows"] == 1 else [c, bad], horizon_years=2))
    with pytest.raises(ScenarioError, match="overlapt"):   # a second contract of the perceel is still refused
        scenario_from_dict(base([c, contract("traject", tariffs={"standaard": 1})], horizon_years=2))
