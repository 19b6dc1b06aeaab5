"""Backtest: the event logs, KPIs and payments of every golden case equal the recorded ones.

The goldens were recorded by ``tests/golden/record.py``; see tests/golden/cases.py for the cases.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
import cases  # noqa: E402

INDEX = json.loads((cases.GOLDEN / "golden.json").read_text())
SCENARIOS = cases.scenario_cases()
COMPARES = cases.compare_cases()


def _same_table(case: str, seed: int, table: str, frame: pd.DataFrame) -> None:
    expected = pd.read_parquet(cases.table_path(case, seed, table))
    got = cases.plain(frame)
    if len(expected) == 0 and len(got) == 0:
        assert list(expected.columns) == list(got.columns)
        return
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False,
                                  obj=f"{case} seed {seed} {table}")


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("seed", cases.SEEDS)
def test_scenario_outputs_equal_the_golden_ones(name, seed):
    raw, reps = SCENARIOS[name]
    want = INDEX[f"{name}.seed{seed}"]
    got = cases.outputs(name, raw, reps, seed)
    assert got["events_rows"] == want["events_rows"]
    assert got["events_canonical_sha256"] == want["events_canonical_sha256"], "the set of event rows changed"
    assert got["events_sha256"] == want["events_sha256"], "the order of the event rows changed"
    for table, frame in got["tables"].items():
        _same_table(name, seed, table, frame)


@pytest.mark.parametrize("name", list(COMPARES))
@pytest.mark.parametrize("seed", cases.SEEDS)
def test_compare_outputs_equal_the_golden_ones(name, seed):
    raw, variants, reps = COMPARES[name]
    got = cases.compare_outputs(raw, variants, reps, seed)
    for table, frame in got["tables"].items():
        _same_table(name, seed, table, frame)
