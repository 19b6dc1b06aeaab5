"""A scenario cut into shards: per shard a scenario of its own municipalities, and the maps back.

The shard's scenario keeps every segment, provider and traject type of the full scenario, in the
same order, so their codes in the event log are the full run's. It keeps only the shard's
municipalities (their instroom as the full scenario's figure per municipality, so a regional figure
split by population gives the same rates), their plekken and the contracts that cover them. Two
things are numbered differently in a shard and mapped back (``ShardPlan.map_rows``): the
municipality codes and the ids that encode them (client id = (municipality x segments + segment +
1) x CLIENTS_PER_STREAM + place in the stream; traject id = client id x 1000 + number), and the
contracts' indices in ``funding.contracts``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from simulation.config.scenario import Scenario, scenario_from_dict
from simulation.core.draws import CLIENTS_PER_STREAM, MAX_TRAJECTEN
from simulation.core.events import COLUMNS
from simulation.experiment.shards.partition import partition

_CLIENT, _TRAJECT, _MUNICIPALITY = COLUMNS.index("client"), COLUMNS.index("traject"), COLUMNS.index("municipality")


@dataclass(frozen=True)
class Shard:
    """One shard: its municipalities, their codes in the full scenario and its contracts' full indices."""

    index: int
    municipalities: tuple[str, ...]
    codes: tuple[int, ...]       # municipality codes in the full scenario, by the shard's own code
    contracts: tuple[int, ...]   # index in the full funding.contracts, by the shard's own index
    raw: dict                    # the shard's scenario as a dict (scenario_from_dict validates it)


class ShardPlan:
    """The shards of ``scenario`` (``partition``) and what a shard run needs to give the full run's rows."""

    def __init__(self, scenario: Scenario, groups: list[tuple[str, ...]] | None = None):
        self.scenario = scenario
        self.mun_names = list(scenario.municipalities)
        self.n_segments = len(scenario.segments)
        groups = partition(scenario) if groups is None else groups
        raw = scenario.model_dump(mode="json")
        contracts = (raw.get("funding") or {}).get("contracts", [])
        covered = [c.covered for c in scenario.funding.contracts] if contracts else []
        by_municipality: dict[str, list[int]] = {}
        for i, muns in enumerate(covered):
            by_municipality.setdefault(muns[0], []).append(i)
        code = {m: i for i, m in enumerate(self.mun_names)}
        self.shards = []
        for k, group in enumerate(groups):
            members = set(group)
            own = sorted(i for m in group for i in by_municipality.get(m, []))
            for i in own:
                if not set(covered[i]) <= members:
                    raise ValueError(f"shard {k} cuts funding.contracts[{i}]: it covers {covered[i]}, "
                                     f"the shard holds {group}")
            self.shards.append(Shard(k, tuple(group), tuple(code[m] for m in group), tuple(own),
                                     _shard_raw(raw, scenario, group, own, covered)))

    def scenario_of(self, shard: Shard) -> Scenario:
        return scenario_from_dict(shard.raw, source=f"{self.scenario.name} shard {shard.index}")

    def labels(self) -> dict[str, list[str]]:
        """The full scenario's names by code (as ``Model.labels``), for ``events.to_frame``."""
        types = [t for s in self.scenario.segments.values() for t in s.traject_types]
        return {"municipality": self.mun_names, "segment": list(self.scenario.segments),
                "traject_type": types, "provider": list(self.scenario.providers)}



def map_rows(rows, codes: tuple[int, ...], n_segments: int) -> np.ndarray:
    """A shard's flat log rows (``Model.run``) as (n, 10) rows with the full run's codes and ids.

    ``codes``: the full scenario's municipality code of each of the shard's municipalities.
    """
    arr = np.array(rows, dtype=np.float64).reshape(-1, len(COLUMNS))   # a copy: the model's array may be reused
    if tuple(codes) == tuple(range(len(codes))):
        return arr   # the shard's numbering is the full one (the first municipalities, in order)
    codes = np.asarray(codes, dtype=np.int64)
    arr[:, _MUNICIPALITY] = codes[arr[:, _MUNICIPALITY].astype(np.int64)]
    arr[:, _CLIENT] = _client_ids(codes, arr[:, _CLIENT].astype(np.int64), n_segments)
    traject = arr[:, _TRAJECT].astype(np.int64)
    has = traject >= 0
    per = MAX_TRAJECTEN + 1
    arr[has, _TRAJECT] = _client_ids(codes, traject[has] // per, n_segments) * per + traject[has] % per
    return arr


def _client_ids(codes: np.ndarray, cid: np.ndarray, n_segments: int) -> np.ndarray:
    stream, place = np.divmod(cid, CLIENTS_PER_STREAM)
    local_mun, segment = np.divmod(stream - 1, n_segments)
    return (codes[local_mun] * n_segments + segment + 1) * CLIENTS_PER_STREAM + place


def _shard_raw(raw: dict, scenario: Scenario, group: tuple[str, ...], own: list[int], covered: list) -> dict:
    """The scenario dict of one shard (see the module docstring)."""
    members = set(group)
    out = {k: v for k, v in raw.items() if k not in ("municipalities", "segments", "providers", "funding")}
    out["municipalities"] = {m: raw["municipalities"][m] for m in group}
    segments = {}
    for name, seg in raw["segments"].items():
        seg = dict(seg, instroom=dict(seg["instroom"]))
        # the full scenario's rate per municipality: a regional figure is split by the region's population
        seg["instroom"]["per_year"] = {m: scenario.instroom_per_year(m, name) for m in group}
        segments[name] = seg
    out["segments"] = segments
    providers = {}
    for name, p in raw["providers"].items():
        p = dict(p, plekken={m: v for m, v in p.get("plekken", {}).items() if m in members})
        if p.get("municipalities") is not None:
            p["municipalities"] = [m for m in p["municipalities"] if m in members]
        providers[name] = p
    out["providers"] = providers
    if raw.get("funding") is not None:
        funding = dict(raw["funding"])
        contracts = []
        for i in own:
            c = dict(raw["funding"]["contracts"][i])
            if "municipalities" in c:
                c["municipalities"] = list(covered[i])   # 'all' meant the full region
            contracts.append(c)
        funding["contracts"] = contracts
        out["funding"] = funding
    return copy.deepcopy(out)
