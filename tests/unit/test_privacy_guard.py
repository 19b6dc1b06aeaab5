"""The privacy guard sees a BSN however it is written and in whatever column (issue 12, item 3)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.data.records import PrivacyError, load_table, passes_elfproef, read_records

DATA = Path(__file__).resolve().parents[1] / "data"
PERIOD = ("2022-01-01", "2022-12-31")
BSN = "111222333"     # passes the eleven-test: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11


@pytest.fixture(scope="module")
def valid() -> pd.DataFrame:
    frame, _ = load_table(DATA / "records_2022.csv")
    return frame.head(30).copy()


@pytest.mark.parametrize("written", ["111.222.333", "111 222 333", "111-222-333", " 111222333 ", "111\u00a0222\u00a0333"])
def test_a_formatted_bsn_as_client_key_is_refused_with_row_and_masked_value(valid, written):
    frame = valid.copy()
    frame.loc[4, "client_key"] = written
    with pytest.raises(PrivacyError) as info:
        read_records(frame, study_period=PERIOD, drop_invalid=True)
    text = str(info.value)
    assert "rij 5, kolom client_key, waarde '1112*****'" in text and "elfproef" in text
    assert written.strip() not in text and BSN not in text and "222" not in text.replace("1112*****", "")


def test_passes_elfproef_ignores_separators():
    assert passes_elfproef("111.222.333") and passes_elfproef("111 222 333") and passes_elfproef("111-222-333")
    assert not passes_elfproef("111.222.334") and not passes_elfproef("111.222.333x")


def test_a_bsn_in_another_column_is_refused(valid):
    frame = valid.assign(dossier="")
    frame.loc[7, "dossier"] = BSN
    with pytest.raises(PrivacyError) as info:
        read_records(frame, study_period=PERIOD)
    hits = [p for p in info.value.problems if p.column == "dossier"]
    assert [(p.row, p.value) for p in hits] == [(8, "1112*****")], str(info.value)
    assert "rij 8, kolom dossier" in str(info.value) and BSN not in str(info.value)


def test_a_column_of_bsns_stored_as_integers_is_refused(valid):
    bsns = [n for n in range(100000000, 100010000) if passes_elfproef(str(n))][:len(valid)]
    frame = valid.assign(nummer=np.array(bsns, dtype="int64"))
    with pytest.raises(PrivacyError) as info:
        read_records(frame, study_period=PERIOD)
    assert {p.column for p in info.value.problems} == {"nummer"}
    assert len(info.value.problems) == len(valid)


def test_ordinary_ids_are_accepted(valid):
    rng = np.random.default_rng(5)
    numbers = [str(n) for n in rng.integers(100_000_000, 999_999_999, size=len(valid))]
    assert 0 < sum(passes_elfproef(n) for n in numbers) < len(valid) / 3, "random numbers pass 1 in 11 by chance"
    frame = valid.assign(dossier=numbers, intern=[f"D-{i:05d}" for i in range(len(valid))],
                         lang=["1234567890"] * len(valid), kort=["1234.567"] * len(valid))
    records = read_records(frame, study_period=PERIOD)
    assert len(records) == len(valid)
    frame = valid.copy()
    frame.loc[0, "client_key"] = "111.222.334"         # fails the eleven-test
    assert len(read_records(frame, study_period=PERIOD)) == len(valid)
