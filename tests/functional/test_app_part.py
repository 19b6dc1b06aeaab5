"""The what-if page simulates only the part of the region a question needs (app/part.py): its rows of
the question's municipality x segment are the full run's, row for row, for the baseline and the what-if."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pandas as pd

from simulation.app.engine import counted_clients, measure_frame, replication_log
from simulation.app.part import needed_part
from simulation.app.question import Question, check, scope
from simulation.config.scenario import read_yaml, scenario_from_dict
from simulation.core.draws import CLIENTS_PER_STREAM, MAX_TRAJECTEN

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def raw():
    return dict(read_yaml(ROOT / "params" / "noord-limburg.yaml"), horizon_years=1)


def log(scenario):
    """One replication's log with the ids as (stream names, place): a part numbers its streams differently."""
    frame = replication_log((scenario.model_dump_json(), 1, 0))
    muns, segs = list(scenario.municipalities), list(scenario.segments)
    stream, place = np.divmod(frame["client"].to_numpy(), CLIENTS_PER_STREAM)
    mun, seg = np.divmod(stream - 1, len(segs))
    frame["client"] = [f"{muns[a]}/{segs[b]}/{p}" for a, b, p in zip(mun, seg, place)]
    traject = frame["traject"].to_numpy()
    frame["traject"] = np.where(traject >= 0, traject % (MAX_TRAJECTEN + 1), -1)
    for col in ("municipality", "segment", "traject_type", "provider"):
        frame[col] = frame[col].astype(str)
    return frame


def rows(frame, municipalities, segment):
    return frame[frame["municipality"].isin(municipalities) & (frame["segment"] == segment)].reset_index(drop=True)


@pytest.fixture(scope="module")
def full(raw):
    return log(scenario_from_dict(raw))


@pytest.mark.parametrize("municipality, segment, simulated", [
    ("Venlo", "S3", {"Venlo"}),        # its own contracts; S2a (where S3 sends clients) runs, without its own instroom
    ("Beesel", "S3", {"Beesel", "Bergen", "Gennep", "Horst aan de Maas", "Peel en Maas", "Venray"}),  # regio contract
])
def test_the_part_gives_the_full_runs_rows_of_the_question(raw, full, municipality, segment, simulated):
    scoped, _ = scope(raw, municipality, segment)
    assert set(scoped["municipalities"]) == simulated
    part = log(scenario_from_dict(scoped))
    assert len(part) < len(full) / 10   # the rest of the region is not simulated again
    for m in simulated:   # under a regio contract every covered municipality's rows are the full run's
        mine = rows(part, [m], segment)
        assert len(mine) and mine.equals(rows(full, [m], segment)), m


def test_a_segment_that_others_send_clients_to_runs_with_them(raw, full):
    # S4 sends clients to S1 by opschaling; its regio contract over all municipalities only pays (S4 is not counted)
    scoped, _ = scope(raw, "Venlo", "S1")
    assert "S4" in scoped["segments"] and set(scoped["municipalities"]) == {"Venlo"}
    part = log(scenario_from_dict(scoped))
    assert rows(part, ["Venlo"], "S1").equals(rows(full, ["Venlo"], "S1"))


def test_the_what_if_on_the_part_gives_the_full_what_ifs_rows(raw):
    q = Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_a": 20}, horizon_years=1)
    scoped, _ = scope(raw, "Venlo", "S3")
    whatif, _, errors = check(scoped, q, scenario_from_dict(scoped), "x")
    full_q = Question("noord-limburg.yaml", "Venlo", "S3", plekken={"jeugd_regio_a": 20}, horizon_years=1)
    full_whatif, _, full_errors = check(raw, full_q, scenario_from_dict(raw), "x")
    assert not errors and not full_errors
    mine, theirs = rows(log(whatif), ["Venlo"], "S3"), rows(log(full_whatif), ["Venlo"], "S3")
    assert (mine["event"] == "wachtlijst").sum() > 0 and mine.equals(theirs)


def test_a_regio_contract_that_acts_on_the_flow_ties_its_municipalities_whatever_is_counted(raw):
    contracts = [dict(c, behaviour={"doorlooptijd_factor": 0.9, "source": "assumption: test"})
                 if c["segment"] == "S4" and c.get("municipalities") == "all" else c for c in raw["funding"]["contracts"]]
    assert contracts != raw["funding"]["contracts"]
    slower = dict(raw, funding=dict(raw["funding"], contracts=contracts))
    part = needed_part(scenario_from_dict(slower), ["Venlo"], ["S1"])   # Venlo's S4 clients reach S1
    assert set(part.municipalities) == set(raw["municipalities"]) and ("Beesel", "S4") in part.exact
    assert needed_part(scenario_from_dict(raw), ["Venlo"], ["S1"]).municipalities == ("Venlo",)


def test_the_counted_clients_rows_give_the_whole_logs_measures(raw):
    # Venlo x S1 runs Venlo's S4 stream (it sends clients to S1): the workers return only the clients seen in S1
    q = Question("noord-limburg.yaml", "Venlo", "S1", variant="plekken",
                 plekken={"jeugd_regio_a": 30, "jeugd_regio_b": 30}, horizon_years=1)
    scoped, _ = scope(raw, "Venlo", "S1")
    whatif, _, errors = check(scoped, q, scenario_from_dict(scoped), "x")
    assert not errors
    for scenario in (scenario_from_dict(scoped), whatif):
        whole = pd.concat([replication_log((scenario.model_dump_json(), 1, r)) for r in range(2)], ignore_index=True)
        counted = pd.concat([replication_log((scenario.model_dump_json(), 1, r, "S1")) for r in range(2)],
                            ignore_index=True)
        assert len(counted) * 5 < len(whole)
        assert counted_clients(whole[whole["replication"] == 0], "S1").equals(counted[counted["replication"] == 0])
        pd.testing.assert_frame_equal(measure_frame(scenario, counted, "S1"), measure_frame(scenario, whole, "S1"),
                                      check_exact=True)
