"""Payment rules on hand-built traject tables: every variant by hand, the Noord-Limburg example,
equivalences that must hold exactly, money conservation and clear errors for bad contracts."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from simulation.funding.payments import compute_payments, settle
from simulation.funding.variants.plekken import plek_day_price
from simulation.config.scenario import ScenarioError, scenario_from_dict
from scenarios import back_to_back, funding_base as base, funding_contract as contract, traject_rows as trajecten

T = 36_500.0   # traject tariff; planned doorlooptijd 365 -> plek-day price 100


def run(contracts, rows, **kw):
    sc = scenario_from_dict(base(contracts, **{k: v for k, v in kw.items() if k != "provider"}))
    res = compute_payments(sc, trajecten=trajecten(rows, kw.get("provider", "P1")), replications=[0])
    return sc, res


def total(res, kind=None, contract=None):
    p = res.payments
    if kind is not None:
        p = p[p["kind"] == kind]
    if contract is not None:
        p = p[p["contract"] == contract]
    return float(p["amount"].sum())


def assert_conserved(res):
    t = res.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], rtol=0, atol=1e-6)


# -- Noord-Limburg example (004_070bb43b6d600216.txt, par. 8) ---------------------------------

PLEKKEN3 = contract("plekken", plekken=3, tariffs={"standaard": T})


@pytest.mark.parametrize("d, served", [(365.0, 3.0), (365.0 * 3 / 3.5, 3.5), (365.0 * 3 / 2.5, 2.5)])
def test_noord_limburg_same_budget_serves_3_5_or_2_5_clients(d, served):
    sc, res = run([PLEKKEN3], back_to_back(d), horizon_years=2)
    y = res.plekken[res.plekken["year"] == 2022].iloc[0]
    assert y["empty"] == 0 and y["occupied"] == 3 * 365
    assert y["clienten_equivalent"] == pytest.approx(served, rel=1e-12)
    finals = res.finals[res.finals["year"] == 2022]["final"]
    assert finals.iloc[0] == pytest.approx(3 * T)          # the same budget whatever the doorlooptijd
    assert total(res, "payback") == 0
    assert_conserved(res)


def test_noord_limburg_unfilled_plek_is_paid_back():
    rows = [(0, 0, 365, "einde_horizon"), (1, 0, 365, "einde_horizon"), (2, 0, 182.5)]  # third plek half empty
    sc, res = run([PLEKKEN3], rows)
    assert total(res, "advance") == pytest.approx(3 * T)
    assert total(res, "payback") == pytest.approx(-182.5 * 100)
    assert res.finals["final"].sum() == pytest.approx(3 * T - 18_250)
    assert res.plekken["empty"].iloc[0] == pytest.approx(182.5)
    assert_conserved(res)


def test_plek_price_is_tariff_times_365_over_planned_doorlooptijd():
    sc = scenario_from_dict(base([contract("plekken", plekken=1, tariffs={"standaard": 7300})], planned=73))
    assert plek_day_price(sc.funding.contracts[0], sc) * 365 == pytest.approx(7300 * 365 / 73)


# -- every variant by hand ---------------------------------------------------------------------

def test_pxq_units_times_price_per_month():
    # 2 hours a week x 70 days = 20 hours x EUR 50; Jan 31 days, Feb 28, Mar 11
    sc, res = run([contract("pxq", unit_price=50)], [(0, 0, 70)])
    by_month = res.payments.groupby("month")["amount"].sum()
    assert by_month[1] == pytest.approx(2 * 31 / 7 * 50)
    assert by_month[2] == pytest.approx(400)
    assert total(res) == pytest.approx(1000)
    assert_conserved(res)


def test_traject_tariff_split_between_start_and_end():
    rows = [(0, 10, 100), (1, 200, 365, "einde_horizon")]
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, share_at_start=0.4)], rows)
    by_month = res.payments.groupby("month")["amount"].sum()
    assert by_month[1] == pytest.approx(400) and by_month[4] == pytest.approx(600)
    assert by_month[7] == pytest.approx(400)        # still open at the horizon: only the start part
    assert total(res) == pytest.approx(1400)
    assert_conserved(res)


# -- payment conventions of the traject tariff (docs/funding.md, "traject") --------------------

TWO_TYPES = {"zwaar": {"share": 0.5, "weight": 4, "planned_doorlooptijd": 200, "doorlooptijd": {"kind": "fixed", "value": 200},
                       "outcomes": {"afschaling": 0.5, "step_down": 0.5}, "step_down_to": "licht"},
             "licht": {"share": 0.5, "weight": 1, "planned_doorlooptijd": 100, "doorlooptijd": {"kind": "fixed", "value": 100}}}
TWO_TARIFFS = {"zwaar": 2000, "licht": 500}


def run_types(tariffs, rows, **conventions):
    sc = scenario_from_dict(base([contract("traject", tariffs=tariffs, **conventions)], types=TWO_TYPES))
    return compute_payments(sc, trajecten=trajecten(rows), replications=[0])


# client 0: zwaar from day 10 to 200, verlengd to 300, then stepped down to licht until 350
CHAIN = [(0, 10, 200, "verlenging", {"traject_type": "zwaar"}),
         (0, 200, 300, "step_down", {"traject_type": "zwaar", "start_reden": "verlenging"}),
         (0, 300, 350, "afschaling", {"traject_type": "licht", "start_reden": "step_down"})]


@pytest.mark.parametrize("verlenging, step_down, expected", [
    ("inbegrepen", "lichter_tarief", 2000 + 500),        # the defaults: the verlenging is in the tariff
    ("nieuw_traject", "lichter_tarief", 2000 + 2000 + 500),
    ("inbegrepen", "inbegrepen", 2000),
    ("nieuw_traject", "inbegrepen", 4000)])
def test_verlenging_and_step_down_conventions(verlenging, step_down, expected):
    res = run_types(TWO_TARIFFS, CHAIN, verlenging=verlenging, step_down=step_down)
    assert total(res) == pytest.approx(expected)
    assert_conserved(res)


def test_default_conventions_follow_zwolle_no_charge_on_top_of_a_tariff():
    res = run_types(TWO_TARIFFS, CHAIN)
    assert total(res) == pytest.approx(2500)


# zwaar: tariff 2000, planned 200 days; 40% at the start; an uitval after 50 days
UITVAL = [(0, 0, 50, "uitval", {"traject_type": "zwaar"}), (1, 0, 200, "afschaling", {"traject_type": "zwaar"})]


@pytest.mark.parametrize("uitval, paid_for_uitval", [
    ("alleen_start", 800.0),                  # 0.4 x 2000, the end part is for a completed traject
    ("naar_rato", 2000 * 50 / 200),           # 500: the start part 800 then a credit of 300 at the stop
    ("volledig", 2000.0)])
def test_uitval_conventions(uitval, paid_for_uitval):
    res = run_types(TWO_TARIFFS, UITVAL, share_at_start=0.4, uitval=uitval)
    assert total(res) == pytest.approx(paid_for_uitval + 2000)   # the completed traject pays its full tariff
    assert_conserved(res)
    if uitval == "naar_rato":
        by_month = res.payments.groupby("month")["amount"].sum()
        assert by_month[2] == pytest.approx(-300)    # day 50 is in February


def test_uitval_paid_pro_rata_never_above_the_tariff():
    res = run_types(TWO_TARIFFS, [(0, 0, 300, "uitval", {"traject_type": "zwaar"})], uitval="naar_rato")
    assert total(res) == pytest.approx(2000)


# in care on the start date since day -30 (tariff 1000, planned 365), plus a new traject from day 5
IN_CARE = [(0, -30, 40), (1, 5, 40)]


@pytest.mark.parametrize("beginstand, expected", [
    ("naar_rato", 1000 * (1 - 30 / 365) + 1000),      # the remaining 335 of 365 planned days
    ("niet", 1000),                                   # paid at its start, before the horizon
    ("volledig", 2000)])
def test_beginstand_conventions(beginstand, expected):
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, beginstand=beginstand)], IN_CARE)
    assert total(res) == pytest.approx(expected)
    assert_conserved(res)


def test_beginstand_beyond_its_planned_doorlooptijd_pays_nothing_more():
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, beginstand="naar_rato")], [(0, -400, 40)])
    assert total(res) == 0


def test_default_beginstand_keeps_a_steady_year_at_the_cost_of_a_year_of_care():
    """Steady state: a traject of 365 days starts every 365/3 days (3 in care at any time), tariff 1,000. Paid at
    the start, a year of new trajecten pays 3,000, as 3 plekken at 1,000 x 365 / 365 a year do; the three
    trajecten in care on 1 January were paid at their start (default ``niet``). ``naar_rato`` adds the rest of
    them once: 1,000 x (2/3 + 1/3) = 1,000 more in the first year, the cost of a switch from paying delivered care."""
    rows = [(0, -243.33, 121.67), (1, -121.67, 243.33), (2, 0, 365, "einde_horizon"), (3, 121.67, 365, "einde_horizon"),
            (4, 243.33, 365, "einde_horizon")]
    sc, res = run([contract("traject", tariffs={"standaard": 1000})], rows)
    assert total(res) == pytest.approx(3000)
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, beginstand="naar_rato")], rows)
    assert total(res) == pytest.approx(3000 + 1000 * (121.67 + 243.33) / 365)


def test_beginstand_split_tariff_pays_the_remaining_part_at_start_and_end():
    # remaining 335/365 of 1000; 40% of that in January, 60% at the stop on day 40 (February)
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, share_at_start=0.4, beginstand="naar_rato")],
                  [(0, -30, 40)])
    by_month = res.payments.groupby("month")["amount"].sum()
    assert by_month[1] == pytest.approx(0.4 * 1000 * 335 / 365)
    assert by_month[2] == pytest.approx(0.6 * 1000 * 335 / 365)


def test_output_monthly_per_client_per_category_per_month():
    # client 0 in care Jan-Mar; client 1 two trajecten in January: paid once
    rows = [(0, 0, 70), (1, 0, 10), (1, 12, 20)]
    sc, res = run([contract("output_monthly", monthly_tariffs={"basis": 800}, categories={"standaard": "basis"})], rows)
    assert total(res) == pytest.approx(4 * 800)
    assert_conserved(res)


def test_budget_settlement_whole_or_outside_band():
    rows = [(c, 10 + c, 50 + c) for c in range(100)]          # realisation 100 x 1000
    real = {"basis": "traject", "tariffs": {"standaard": 1000}}
    whole = contract("budget", budget=120_000, band=0.1, realisation=real)
    part = contract("budget", budget=120_000, band=0.1, realisation=real, settlement="outside_band")
    sc, res = run([whole], rows)
    assert total(res, "advance") == pytest.approx(120_000)
    assert total(res, "advance") and res.payments[res.payments["kind"] == "advance"]["amount"].iloc[0] == \
        pytest.approx(120_000 * 31 / 365)
    assert total(res, "settlement") == pytest.approx(-20_000)
    sc, res2 = run([part], rows)
    assert total(res2, "settlement") == pytest.approx(-8_000)
    sc, res3 = run([whole], rows[:97] + [(c, 10, 20) for c in range(200, 213)])  # 110,000: inside the band
    assert total(res3, "settlement") == 0
    for r in (res, res2, res3):
        assert_conserved(r)


def test_band_zero_settles_every_euro():
    np.testing.assert_allclose(settle([90, 100, 111], [100, 100, 100], 0.0, "whole"), [-10, 0, 11])
    np.testing.assert_allclose(settle([85, 95, 111], [100, 100, 100], 0.1, "outside_band"), [-5, 0, 1])


def test_plafond_pays_realisation_up_to_the_ceiling():
    rows = [(c, 15 + 31 * c, 20 + 31 * c) for c in range(8)]   # one traject a month
    sc, res = run([contract("plafond", ceiling=5_500, realisation={"basis": "traject", "tariffs": {"standaard": 1000}})], rows)
    by_month = res.payments.groupby("month")["amount"].sum()
    assert list(by_month.round(6)) == [1000] * 5 + [500, 0, 0]
    assert total(res, "advance") == 0
    assert_conserved(res)


def test_lumpsum_fixed_amount_no_settlement():
    sc, res = run([contract("lumpsum", amount=50_000)], [(c, 0, 300) for c in range(40)])
    assert total(res) == pytest.approx(50_000)
    assert set(res.payments["kind"].astype(str)) == {"advance"}
    assert_conserved(res)


def test_population_per_inhabitant_and_per_client():
    sc, res = run([contract("population", per_inhabitant=100, band=0.1,
                            realisation={"basis": "traject", "tariffs": {"standaard": 1000}})],
                  [(c, 5, 20) for c in range(95)], population=1000)
    assert total(res, "advance") == pytest.approx(100_000)
    assert total(res, "settlement") == 0                       # 95,000 is inside +/-10%
    sc, res = run([contract("population", per_client=2_000, expected_clients=50, band=0.1)],
                  [(c, 5, 20) for c in range(60)])
    assert total(res, "settlement") == pytest.approx(20_000)   # 60 clients instead of 50: outside the band
    assert_conserved(res)


def test_population_default_band_is_ten_percent_budget_stays_zero():
    """004 annex 1: populatiebekostiging changes the budget only outside a band (e.g. > +-10%); budgetafspraken
    keep band 0 (004 proposes 0 in the first years). Same realisation 95,000 against 100,000 under both."""
    realisation = {"basis": "traject", "tariffs": {"standaard": 1000}}
    rows = [(c, 5, 20) for c in range(95)]
    sc, res = run([contract("population", per_inhabitant=100, realisation=realisation)], rows, population=1000)
    assert sc.funding.contracts[0].band == 0.10
    assert total(res, "settlement") == 0                       # -5% is inside the default band
    sc, res = run([contract("population", per_inhabitant=100, realisation=realisation)],
                  [(c, 5, 20) for c in range(89)], population=1000)
    assert total(res, "settlement") == pytest.approx(-11_000)  # -11%: outside, the whole difference
    sc, res = run([contract("budget", budget=100_000, realisation=realisation)], rows)
    assert sc.funding.contracts[0].band == 0.0
    assert total(res, "settlement") == pytest.approx(-5_000)   # band 0: every euro
    assert_conserved(res)


def test_bonus_malus_on_cost_per_client():
    bm = {"measure": "kosten_per_client", "target": 1200, "rate": 0.5, "cap": 1.0}
    sc, res = run([contract("traject", tariffs={"standaard": 1000}, bonus_malus=bm)], [(c, 5, 20) for c in range(10)])
    assert total(res, "bonus") == pytest.approx(0.5 * (1200 * 10 - 10_000))
    assert_conserved(res)


def test_extra_capacity_capped_at_share_of_framework():
    framework = contract("traject", tariffs={"standaard": 1000})
    extra = contract("traject", provider="P2", tariffs={"standaard": 1000}, extra_capacity=True)
    sc = scenario_from_dict(base([framework, extra]))
    tr = pd.concat([trajecten([(c, 5, 20) for c in range(20)]),
                    trajecten([(100 + c, 5, 20) for c in range(5)], provider="P2")], ignore_index=True)
    res = compute_payments(sc, trajecten=tr, replications=[0])
    assert total(res, contract=1) == pytest.approx(0.10 * 20_000)
    assert_conserved(res)


def test_extra_capacity_cap_is_on_the_contracted_value_not_the_realisation():
    """004 par. 7: extra capacity never more than 10% of the gecontracteerde waarde. Framework budget 100,000
    (band 0) realises only 20 trajecten x 1,000 = 20,000: the cap is 10% x 100,000 = 10,000, so the extra
    invoices of 5 x 1,000 are paid in full (on the realised finals they would be cut to 2,000)."""
    real = {"basis": "traject", "tariffs": {"standaard": 1000}}
    framework = contract("budget", budget=100_000, band=0.0, realisation=real)
    extra = contract("traject", provider="P2", tariffs={"standaard": 1000}, extra_capacity=True)
    sc = scenario_from_dict(base([framework, extra]))
    tr = pd.concat([trajecten([(c, 5, 20) for c in range(20)]),
                    trajecten([(100 + c, 5, 20) for c in range(5)], provider="P2")], ignore_index=True)
    res = compute_payments(sc, trajecten=tr, replications=[0])
    assert res.finals.set_index("contract")["final"].to_dict() == {0: 20_000, 1: 5_000}
    assert total(res, "settlement", contract=1) == 0
    # 12 extra trajecten: 12,000 > 10,000, the excess 2,000 is paid back
    tr12 = pd.concat([trajecten([(c, 5, 20) for c in range(20)]),
                      trajecten([(100 + c, 5, 20) for c in range(12)], provider="P2")], ignore_index=True)
    res = compute_payments(sc, trajecten=tr12, replications=[0])
    assert total(res, "settlement", contract=1) == pytest.approx(-2_000)
    assert total(res, contract=1) == pytest.approx(10_000)
    assert_conserved(res)


def test_extra_capacity_cap_on_open_ended_framework_uses_planned_values_of_toewijzingen():
    """An open-ended framework (traject, half the tariff at the start, half at the end) has no yearly value:
    as in the flow, the planned values of its toewijzingen in the year count (the full tariff, 1,000 each).
    10 trajecten start on day 5 and run past the horizon: realised 10 x 500 = 5,000, planned 10,000, so the
    cap is 1,000 (not 500). A traject toegewezen on day 360 of 2021 that waited 10 days counts for 2021:
    it is not in the 2022 value. Extra: 3 trajecten of 400 = 1,200, paid 1,000."""
    framework = contract("traject", tariffs={"standaard": 1000}, share_at_start=0.5)
    extra = contract("traject", provider="P2", tariffs={"standaard": 400}, extra_capacity=True)
    sc = scenario_from_dict(base([framework, extra], horizon_years=1))
    fw = trajecten([(c, 5, 365, "einde_horizon") for c in range(10)])
    late = trajecten([(50, 5, 365, "einde_horizon")])
    late["wacht_dagen"] = 10.0   # toegewezen on day -5, in 2021
    tr = pd.concat([fw, late, trajecten([(100 + c, 5, 20) for c in range(3)], provider="P2")], ignore_index=True)
    res = compute_payments(sc, trajecten=tr, replications=[0])
    assert res.finals.set_index("contract")["final"].to_dict() == {0: 5_500, 1: 1_000}
    assert_conserved(res)


# -- equivalences that must hold exactly ------------------------------------------------------

def test_plekken_full_at_planned_doorlooptijd_equal_trajecten():
    rows = back_to_back(73.0, plekken=2, until=365)
    tariffs = {"standaard": 7300.0}
    _, a = run([contract("plekken", plekken=2, tariffs=tariffs)], rows, planned=73)
    _, b = run([contract("traject", tariffs=tariffs)], rows, planned=73)
    assert total(a) == total(b) == 10 * 7300


def test_budget_with_infinite_band_equals_lumpsum():
    rows = [(c, 5, 200) for c in range(30)]
    _, a = run([contract("budget", budget=70_000, band=float("inf"),
                         realisation={"basis": "traject", "tariffs": {"standaard": 1000}})], rows)
    _, b = run([contract("lumpsum", amount=70_000)], rows)
    cols = ["year", "month", "kind", "amount"]
    pd.testing.assert_frame_equal(a.payments[cols], b.payments[cols])


def test_output_monthly_one_month_trajecten_equal_traject_tariff():
    month_start = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    rows = [(c, month_start[c % 12] + 1, month_start[c % 12] + 25) for c in range(40)]   # each inside one month
    _, a = run([contract("output_monthly", monthly_tariffs={"standaard": 950})], rows)
    _, b = run([contract("traject", tariffs={"standaard": 950})], rows)
    pd.testing.assert_series_equal(a.payments.groupby("month")["amount"].sum(), b.payments.groupby("month")["amount"].sum())


# -- conversion between trajecten and plekken (step 3) -----------------------------------------

def test_conversion_to_plekken_mid_year():
    c = contract("traject", tariffs={"standaard": T}, conversions=[{"date": "2022-07-01", "to": "plekken", "plekken": 2}])
    rows = [(0, 10, 100), (1, 181, 365, "einde_horizon"), (2, 181, 365, "einde_horizon")]
    sc, res = run([c], rows)
    modes = res.payments.groupby("mode")["amount"].sum()
    assert modes["traject"] == pytest.approx(T)           # the one traject started in the first half
    assert modes["plekken"] == pytest.approx(2 * 184 * 100)   # 1 Jul - 31 Dec fully occupied
    assert_conserved(res)


# -- bad contracts ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, words", [
    (contract("traject"), ["tariffs", "verplicht veld ontbreekt"]),
    (contract("plekken", tariffs={"standaard": 1}), ["plekken", "verplicht veld ontbreekt"]),
    (contract("budget", budget=1000, band=-0.1), ["band", "0 of meer"]),
    (contract("traject", tariffs={"standaard": 1}, conversions=[{"date": "2022-06-01", "to": "plekken"}]),
     ["conversions", "plekken", "aantal plekken"]),
    (contract("traject", tariffs={"zwaar": 1}), ["tariffs", "ontbreekt: ['standaard']"]),
    (contract("budget", budget=1000, band=0.1), ["realisation is nodig"]),
    (contract("barter"), ["variant moet een van deze zijn"]),
    (contract("lumpsum", amount=1, municipality="Horst"), ["gemeente 'Horst' is onbekend"]),
])
def test_bad_contracts_name_the_field(bad, words):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(base([bad]))
    for w in words:
        assert w in str(err.value), str(err.value)


def test_overlapping_contract_periods_rejected():
    a = contract("lumpsum", amount=1, end="2022-07-01")
    b = contract("traject", tariffs={"standaard": 1}, start="2022-06-01")
    with pytest.raises(ScenarioError, match=r"contracts\[1\].*overlapt met funding.contracts\[0\]"):
        scenario_from_dict(base([a, b]))
    b["start"] = "2022-07-01"
    scenario_from_dict(base([a, b]))   # adjacent periods are fine
