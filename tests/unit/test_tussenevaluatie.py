"""The Achterhoek's mid-term evaluation (002: 2024) on a lump-sum contract, by hand: from ``vanaf`` on the
lump sums are re-derived from the realised spend of the evaluation year (000 par. 3.3's steps)."""
from __future__ import annotations

import numpy as np
import pytest

from simulation.config.scenario import ScenarioError, scenario_from_dict
from simulation.funding.payments import compute_payments
from scenarios import funding_base as base, funding_contract as contract, traject_rows as trajecten

AMOUNT = {2022: 10_000, 2023: 11_000, 2024: 12_100}   # the schedule grows 10% a year (expected clients)
EVALUATION = {"jaar": 2022, "vanaf": 2023, "realisation": {"basis": "pxq", "unit": "uur", "unit_price": 50}}
# 2 hours a week (the micro scenario's weight): days 0-350 = 50 weeks = 100 hours = 5,000; days 7-77 = 10 weeks
# = 20 hours = 1,000; realised 2022 R = 6,000. The traject of 2023 does not count.
ROWS = [(1, 0, 350), (2, 7, 77), (3, 400, 700)]


def finals(res):
    return {int(y): round(f, 6) for y, f in zip(res.finals["year"], res.finals["final"])}


def test_lump_sums_from_vanaf_are_rederived_from_the_evaluation_year_by_hand():
    sc = scenario_from_dict(base([contract("lumpsum", amount=AMOUNT, tussenevaluatie=EVALUATION)], horizon_years=3))
    res = compute_payments(sc, trajecten=trajecten(ROWS), replications=[0])
    # R / amount(2022) = 0.6: 2023 = 11,000 x 0.6 = 6,600; 2024 = 12,100 x 0.6 = 7,260; 2022 as agreed
    assert finals(res) == {2022: 10_000, 2023: 6_600, 2024: 7_260}
    paid = res.payments.groupby("year")["amount"].sum()
    np.testing.assert_allclose(paid.to_numpy(), [10_000, 6_600, 7_260])
    jan_2023 = res.payments[(res.payments["year"] == 2023) & (res.payments["month"] == 1)]["amount"].sum()
    assert jan_2023 == pytest.approx(6_600 * 31 / 365)


def test_without_an_evaluation_the_schedule_is_paid():
    sc = scenario_from_dict(base([contract("lumpsum", amount=AMOUNT)], horizon_years=3))
    assert finals(compute_payments(sc, trajecten=trajecten(ROWS), replications=[0])) == AMOUNT


def test_vanaf_must_follow_the_evaluation_year_and_an_evaluation_after_the_horizon_changes_nothing():
    with pytest.raises(ScenarioError, match="tussenevaluatie"):
        scenario_from_dict(base([contract("lumpsum", amount=AMOUNT, tussenevaluatie={**EVALUATION, "vanaf": 2022})],
                                horizon_years=3))
    later = {**EVALUATION, "jaar": 2024, "vanaf": 2025}   # the horizon ends with 2024
    sc = scenario_from_dict(base([contract("lumpsum", amount=AMOUNT, tussenevaluatie=later)], horizon_years=3))
    assert finals(compute_payments(sc, trajecten=trajecten(ROWS), replications=[0])) == AMOUNT
