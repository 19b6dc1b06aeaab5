"""The fast paths of the payment rules give exactly what the pandas formulations they replace give:
group sums on one code, cross joins and finals lookups in numpy, category codes instead of string
casts, coded payment rows named once at the end (issue 16; the goldens check whole runs)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulation.core.calendar import Calendar
from simulation.funding.grouped import sum_by, sum_by_part
from simulation.funding.rows import KINDS, PAYMENT_COLUMNS, finals_frame, label_payments, payment_frame, per_rep
from simulation.funding.valuation import equals, lookup, names_codes

RNG = np.random.default_rng(16)


def month_rows(n: int, reps: int = 3) -> pd.DataFrame:
    """Unsorted (replication, k) rows with many ties and amounts of very different size (rounding matters)."""
    return pd.DataFrame({"replication": RNG.integers(0, reps, n).astype(np.int32), "k": RNG.integers(0, 40, n),
                         "amount": RNG.random(n) * 10.0 ** RNG.integers(-3, 7, n), "units": RNG.random(n)})


@pytest.mark.parametrize("n", [0, 1, 7, 5000, 50_000])
def test_sum_by_is_the_groupby_sum_bit_for_bit(n):
    rows = month_rows(n)
    if n > 10:   # a missing amount is skipped, an infinite one propagates, as pandas does
        rows.loc[3, "amount"], rows.loc[5, "units"] = np.nan, np.inf
    expected = rows.groupby(["replication", "k"], as_index=False)[["amount", "units"]].sum()
    pd.testing.assert_frame_equal(sum_by(rows, ["replication", "k"], ["amount", "units"]), expected, check_exact=True)
    one = rows.assign(year=rows["k"] // 12 + 2024)
    pd.testing.assert_frame_equal(sum_by(one, ["replication", "year"], ["amount"]),
                                  one.groupby(["replication", "year"], as_index=False)["amount"].sum(), check_exact=True)


def test_per_rep_is_the_cross_merge():
    table = pd.DataFrame({"k": np.arange(5), "amount": RNG.random(5), "year": np.arange(5) + 2020})
    reps = np.array([0, 2, 3], dtype=np.int32)
    expected = pd.DataFrame({"replication": reps}).merge(table[["k", "amount"]], how="cross")
    pd.testing.assert_frame_equal(per_rep(reps, table, ["k", "amount"]), expected, check_exact=True)


def test_finals_frame_is_the_left_merge_with_zeros():
    years = pd.DataFrame({"year": np.array([2024, 2025, 2026])})
    reps = np.array([0, 1], dtype=np.int32)
    amounts = pd.DataFrame({"replication": np.array([1, 0, 1], dtype=np.int32), "year": [2024, 2025, 2026],
                            "amount": [1.5, np.nan, 3.25]})
    y = pd.DataFrame({"replication": reps}).merge(years[["year"]], how="cross").merge(
        amounts, on=["replication", "year"], how="left")
    expected = pd.DataFrame({"replication": y["replication"], "contract": 4, "year": y["year"],
                             "final": y["amount"].fillna(0.0)})
    pd.testing.assert_frame_equal(finals_frame(4, reps, years, amounts), expected, check_exact=True)


@pytest.mark.parametrize("categorical", [True, False])
def test_codes_give_what_string_casts_give(categorical):
    values = pd.Series(["a", "b", None, "c", "a", "b"], dtype="category" if categorical else object)
    codes, names = names_codes(values)
    assert [names[c] if c >= 0 else None for c in codes] == [None if v is None or v != v else v for v in values]
    mapping = {"a": 1.0, "b": 2.5}
    np.testing.assert_array_equal(lookup(values, mapping), values.astype(str).map(mapping).to_numpy(float))
    for name in ("a", "c", "z"):
        np.testing.assert_array_equal(equals(values, name), (values.astype(str) == name).to_numpy())


def named_frame(i, contract, mode, reps, k, amount, kind, cal, municipality=None):
    """The payment rows as they were built before the coded rows: every name per row."""
    k = np.asarray(k, dtype=int)
    return pd.DataFrame({"replication": reps, "contract": i, "municipality": municipality or contract.municipality,
                         "provider": contract.provider, "segment": contract.segment, "variant": contract.variant,
                         "mode": mode, "year": cal.year[k], "month": cal.month[k], "kind": kind,
                         "amount": np.asarray(amount, float)})


def test_coded_rows_named_once_equal_rows_named_each_time():
    cal = Calendar(pd.Timestamp("2024-01-01").date(), 3 * 365.0)
    own = SimpleNamespace(municipality="Venlo", covered=("Venlo",), provider="P1", segment="S1", variant="pxq")
    regio = SimpleNamespace(municipality="Regio", covered=("Venlo", "Venray"), provider="P2", segment="S3",
                            variant="regio_budget")
    reps = np.array([0, 0, 1], dtype=np.int32)
    calls = [(0, own, "pxq", reps, [0, 5, 30], [1.0, 2.0, 3.0], "invoice", None),
             (1, regio, "regio_budget", reps, [1, 2, 3], [4.0, 5.0, 6.0], "advance", "Venray"),
             (1, regio, "regio_budget", reps[:1], [11], [-7.0], "settlement", "Venlo"),
             (0, own, "plekken", reps, [3, 3, 3], [8.0, 9.0, 1.0], "bonus", None)]
    coded = pd.concat([payment_frame(*c[:7], cal, municipality=c[7]) for c in calls], ignore_index=True)
    named = pd.concat([named_frame(*c[:7], cal, municipality=c[7]) for c in calls], ignore_index=True)
    named["kind"] = pd.Categorical(named["kind"], categories=list(KINDS))
    pd.testing.assert_frame_equal(label_payments(coded, [own, regio]), named[PAYMENT_COLUMNS], check_exact=True)


@pytest.mark.parametrize("how", ["sum", "mean"])
def test_sum_by_part_sums_each_part_as_its_own_table(how):
    """pandas sums a table with sorted group ids by reduceat, else compensated: part 0 alone is sorted,
    part 1 is not, part 2 is sorted but has a NaN; each part keeps the bits it has alone."""
    rng = np.random.default_rng(7)
    sorted_values = rng.random(400) * 10.0 ** rng.integers(-3, 8, 400)
    parts = [pd.DataFrame({"replication": 0, "k": np.repeat(np.arange(40), 10), "amount": sorted_values}),
             pd.DataFrame({"replication": [1, 0, 1], "k": [3, 0, 3], "amount": [1e16, 1.0, 1.0]}),
             pd.DataFrame({"replication": 0, "k": [0, 0, 0, 2], "amount": [1e16, 1.0, 1.0, np.nan]}),
             month_rows(300)[["replication", "k", "amount"]]]
    frame = pd.concat([p.assign(phase=n) for n, p in enumerate(parts)], ignore_index=True)
    frame = frame[["phase", "replication", "k", "amount"]]
    alone = pd.concat([sum_by(p, ["replication", "k"], ["amount"], how).assign(phase=n) for n, p in enumerate(parts)],
                      ignore_index=True)
    got = sum_by_part(frame, ["phase", "replication", "k"], ["amount"], how)
    pd.testing.assert_frame_equal(got, alone[got.columns].astype(got.dtypes.to_dict()), check_exact=True)
    whole = sum_by(frame, ["phase", "replication", "k"], ["amount"], how)
    assert not whole["amount"].equals(got["amount"])   # one table for all would change part 0's bits


def test_cost_sums_on_categorical_names_equal_the_text_keys_bit_for_bit():
    """costs._sum_by_names groups categorical names (categories not in text order) as text keys would."""
    from simulation.funding import costs

    rng = np.random.default_rng(5)
    n = 5000
    names = {"municipality": ["Venlo", "Beesel", "Horst"], "provider": ["zeta", "alfa"], "segment": ["S4", "S1"]}
    x = pd.DataFrame({"replication": rng.integers(0, 3, n).astype(np.int32),
                      **{c: pd.Categorical(rng.choice(v, n), categories=v) for c, v in names.items()},
                      "year": rng.integers(2022, 2024, n), "units": rng.random(n) * 1e3})
    text = x.assign(**{c: x[c].astype(str) for c in names}).groupby(costs.KEYS, as_index=False)["units"].sum()
    got = costs._sum_by_names(x, "units")
    pd.testing.assert_frame_equal(got, text, check_exact=True)


def test_cost_weights_on_codes_equal_the_text_lookup():
    """costs._weights on categorical columns (with a missing name and an unknown type) equals the text-key lookup."""
    from simulation.funding import costs

    t = SimpleNamespace
    scenario = t(segments={"S1": t(traject_types={"licht": t(weight=2.5), "zwaar": t(weight=7.0)}),
                           "S4": t(traject_types={"licht": t(weight=1.25)})})
    seg = pd.Series(pd.Categorical(["S4", "S1", None, "S1", "S4"], categories=["S4", "S1"]))
    typ = pd.Series(pd.Categorical(["licht", "zwaar", "licht", "onbekend", "zwaar"],
                                   categories=["zwaar", "licht", "onbekend"]))
    got = costs._weights(scenario, seg, typ)
    np.testing.assert_array_equal(got, [1.25, 7.0, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(got, costs._weights(scenario, seg.astype(object), typ.astype(object)))
