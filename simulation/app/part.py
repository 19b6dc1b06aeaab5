"""The part of a region a what-if question must simulate so that the rows it counts are the full run's.

The random streams are keyed by (municipality, segment) names, so a sub-scenario reproduces the
clients of the streams it keeps. The rows of a municipality x segment depend on more than its own
stream, though:

- clients of other segments of the municipality reach it by opschaling or a measure's ambulant
  alternative (``CompiledScenario.reach``): their streams are needed (their rows in that segment
  are counted);
- where a needed client meets a plek pool or a contract's flow rule (``Model.pools``,
  ``FlowRules.acting_keys``), everybody else who meets it shapes its wait: that municipality x
  segment must be exact too, so its feeders are needed as well, and so on;
- a regional contract couples the municipalities it covers (one budget, one ceiling, settled on
  their total; ``experiment.shards.partition`` groups by the same relation): when it acts on the
  flow, an exact municipality x segment under it makes the others under it exact too; when it only
  pays, that holds for the segment the question counts (its money is settled on their total).

``needed_part`` closes the question's municipality x segment pairs under these rules.
``part_raw`` builds the sub-scenario: the part's municipalities and the segments its needed
streams reach, the instroom of the needed streams only (the full scenario's rate per
municipality, so a regional figure split by population stays the same), their plekken and the
contracts inside the part. Its rows of the exact pairs equal the full run's, row for row
(tests/functional/test_app_part.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from simulation.config.scenario import Scenario
from simulation.experiment.runner import build_model
from simulation.report.helpers import focus


@dataclass(frozen=True)
class Part:
    """What a question simulates: municipalities and segments (in the scenario's order), the streams
    whose instroom runs, and the (municipality, segment) pairs whose rows equal the full run's."""

    municipalities: tuple[str, ...]
    segments: tuple[str, ...]
    streams: frozenset
    exact: frozenset


def needed_part(scenario: Scenario, municipalities, segments) -> Part:
    """The closure of the pairs ``municipalities`` x ``segments`` (see the module docstring)."""
    model = build_model(scenario, 1, 0)   # its tables, pools and flow rules only: nothing runs
    mun, seg = list(model.mun_names), list(model.seg_names)
    reach = [model.tables.reach(s) for s in range(len(seg))]
    keys = set(model.pools) | (set(model.flow.acting_keys) if model.flow is not None else set())
    ruled = {(m, s) for m, _, s in keys}
    targets = {(mun.index(m), seg.index(s)) for m in municipalities for s in segments}
    flow_tie: dict[tuple[int, int], set[int]] = {}    # a regional contract that acts on the flow: always
    money_tie: dict[tuple[int, int], set[int]] = {}   # one that only pays: when its segment is counted
    for c in (scenario.funding.contracts if scenario.funding is not None else []):
        if len(c.covered) > 1:
            group = {mun.index(m) for m in c.covered}
            p, s = list(model.prov_names).index(c.provider), seg.index(c.segment)
            ties = flow_tie if any((m, p, s) in keys for m in group) else money_tie
            for m in group:
                ties.setdefault((m, s), set()).update(group)
    feeders = [[z for z in range(len(seg)) if w in reach[z]] for w in range(len(seg))]
    exact, streams = set(), set()
    todo = sorted(targets)
    while todo:
        m, w = todo.pop()
        if (m, w) in exact:
            continue
        exact.add((m, w))
        todo += [(other, w) for other in flow_tie.get((m, w), ())]
        todo += [(other, w) for other in money_tie.get((m, w), ())] if (m, w) in targets else []
        for z in feeders[w]:
            if (m, z) not in streams:
                streams.add((m, z))
                todo += [(m, y) for y in reach[z] if (m, y) in ruled]
    kept_seg = {y for _, z in streams for y in reach[z]}
    return Part(tuple(x for i, x in enumerate(mun) if any(m == i for m, _ in streams)),
                tuple(x for i, x in enumerate(seg) if i in kept_seg),
                frozenset((mun[m], seg[s]) for m, s in streams), frozenset((mun[m], seg[s]) for m, s in exact))


def part_raw(raw: dict, scenario: Scenario, part: Part) -> dict:
    """The sub-scenario of ``part`` as a dict (``raw``: the scenario's dict, ``scenario``: it validated)."""
    members, kept = set(part.municipalities), set(part.segments)
    if raw.get("funding"):
        # a contract reaching outside the part acts on no exact pair (else the part would hold all it covers)
        contracts = raw["funding"].get("contracts", [])
        keep = [i for i, full in enumerate(scenario.funding.contracts)
                if full.segment in kept and set(full.covered) <= members]
        new_index = {old: new for new, old in enumerate(keep)}   # an opvolger names its predecessor by index
        raw = dict(raw, funding=dict(raw["funding"], contracts=[
            dict(contracts[i], **({"municipalities": list(scenario.funding.contracts[i].covered)}
                                  if contracts[i].get("municipalities") else {}),
                 **({"follows": new_index[contracts[i]["follows"]]} if "follows" in contracts[i] else {}))
            for i in keep]))
    out = focus(raw, part.segments)   # exactly these segments: they hold every target of their trajecten
    out["municipalities"] = {m: v for m, v in out["municipalities"].items() if m in members}
    for name, seg in out["segments"].items():
        seg["instroom"]["per_year"] = {m: (scenario.instroom_per_year(m, name) if (m, name) in part.streams else 0.0)
                                       for m in part.municipalities}
    providers = {}
    for name, p in out["providers"].items():
        if p.get("municipalities") is not None:
            p["municipalities"] = [m for m in p["municipalities"] if m in members]
            if not p["municipalities"]:
                continue
        if "plekken" in p:
            p["plekken"] = {m: v for m, v in p["plekken"].items() if m in members}
        providers[name] = p
    out["providers"] = providers
    return out
