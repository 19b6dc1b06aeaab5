"""The partition of a scenario into shards, the synthetic copies and the id map of a shard's log."""
import copy
from pathlib import Path

import numpy as np
import pytest

from simulation.config.scenario import load_scenario, scenario_from_dict
from simulation.core.draws import CLIENTS_PER_STREAM
from simulation.experiment.shards.partition import UnionFind, partition
from simulation.experiment.shards.plan import ShardPlan, map_rows
from simulation.experiment.shards.synthetic import replicate

ROOT = Path(__file__).resolve().parents[2]


def test_union_find_groups():
    sets = UnionFind("abcdef")
    sets.union("a", "c")
    sets.union("e", "c")
    sets.union("d", "f")
    assert sets.groups() == [["a", "c", "e"], ["b"], ["d", "f"]]


def test_regional_contract_ties_its_municipalities():
    raw = load_scenario(ROOT / "params/noord-limburg.yaml").model_dump(mode="json")
    scenario = scenario_from_dict(copy.deepcopy(raw))
    assert partition(scenario) == [tuple(scenario.municipalities)]   # a contract covers 'all'
    # without regional contracts every municipality is a shard (pools are per municipality)
    raw["funding"]["contracts"] = [c for c in raw["funding"]["contracts"] if c.get("municipalities") is None]
    alone = scenario_from_dict(raw)
    assert partition(alone) == [(m,) for m in alone.municipalities]
    # a regional contract over two municipalities joins just those two
    pair = ["Beesel", "Venlo"]
    raw["funding"]["contracts"] = [c for c in raw["funding"]["contracts"] if not (
        c["municipality"] in pair and c["provider"] == "jeugd_regio_a" and c["segment"] == "S3")]
    raw["funding"]["contracts"].append({"municipality": "regio", "municipalities": pair, "provider": "jeugd_regio_a",
                                        "segment": "S3", "variant": "regio_budget", "budget": 1000.0, "band": 0.0,
                                        "realisation": {"basis": "traject", "tariffs": {
                                            "dagbehandeling": 1.0, "dagbesteding": 1.0}}})
    groups = partition(scenario_from_dict(raw))
    assert tuple(pair) in groups and len(groups) == len(alone.municipalities) - 1


def test_synthetic_copies_are_shards_of_their_own():
    raw = load_scenario(ROOT / "params/noord-limburg.yaml").model_dump(mode="json")
    big = scenario_from_dict(replicate(raw, 3))
    assert "synthetisch" in big.name and len(big.municipalities) == 3 * len(raw["municipalities"])
    groups = partition(big)
    assert len(groups) == 3 and groups[2][0] == "Beesel #2"
    base = scenario_from_dict(copy.deepcopy(raw))
    assert big.instroom_per_year("Venlo #2", "S3") == base.instroom_per_year("Venlo", "S3")
    assert len(big.funding.contracts) == 3 * len(base.funding.contracts)


def test_a_shard_may_not_cut_a_contract():
    raw = load_scenario(ROOT / "params/noord-limburg.yaml").model_dump(mode="json")
    scenario = scenario_from_dict(raw)
    muns = list(scenario.municipalities)
    with pytest.raises(ValueError, match="cuts funding.contracts"):
        ShardPlan(scenario, groups=[tuple(muns[:3]), tuple(muns[3:])])


def test_map_rows_gives_full_codes_and_ids():
    """Shard municipality 1 is full municipality 4: its codes, client and traject ids move with it."""
    segments = 3
    local = (1 * segments + 2 + 1) * CLIENTS_PER_STREAM + 17          # municipality 1, segment 2, place 17
    row = [5.0, 6, local, local * 1000 + 3, 1, 2, 0, 0, -1, 0.0]
    none = [5.0, 1, local, -1, 1, 2, -1, -1, -1, 0.0]
    out = map_rows(np.array(row + none), (0, 4), segments)
    full = (4 * segments + 2 + 1) * CLIENTS_PER_STREAM + 17
    assert out[:, 2].tolist() == [full, full]
    assert out[:, 3].tolist() == [full * 1000 + 3, -1]
    assert out[:, 4].tolist() == [4, 4]
