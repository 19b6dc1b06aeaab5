"""The partition of a scenario into shards: groups of municipalities that nothing else couples.

A client's life depends only on its own draws (streams keyed by the names of its municipality and
segment, ``core.streams``) and on what it shares with other clients: the plek pools and the funding
contracts' flow rules. Both are keyed by (municipality, provider, segment) (``core.pools``,
``funding.flow``), so in the engine a municipality is coupled to no other; a pool or contract that
covers several municipalities (a regional contract, ``regio_budget``) ties them together, and the
money of a regional contract is settled on the total of the municipalities it covers. The shards
are the connected groups of that relation (union-find); a shard can be simulated, counted and paid
alone (``shards.run``), and the shards together give the full run's results (docs/shards.md).
"""
from __future__ import annotations

from simulation.config.scenario import Scenario


class UnionFind:
    """Disjoint sets over hashable items (path halving, union by size)."""

    def __init__(self, items):
        self.parent = {x: x for x in items}
        self.size = dict.fromkeys(self.parent, 1)

    def find(self, x):
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]

    def groups(self) -> list[list]:
        """The sets, each in the items' order, ordered by their first item."""
        out: dict = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def couplings(scenario: Scenario) -> list[tuple[str, ...]]:
    """The sets of municipalities that one pool or one contract ties together (only sets of two or more).

    Pools of ``providers.*.plekken`` belong to one municipality each; a contract covers its
    ``covered`` municipalities (one, or a region's list for a regional contract).
    """
    out = []
    for provider in scenario.providers.values():
        for municipality in provider.plekken:   # one municipality per pool: never couples
            out.append((municipality,))
    if scenario.funding is not None:
        out += [tuple(c.covered) for c in scenario.funding.contracts]
    return [group for group in out if len(group) > 1]


def partition(scenario: Scenario) -> list[tuple[str, ...]]:
    """The shards of a scenario: tuples of municipality names, in the scenario's order.

    Every municipality is in exactly one shard; two municipalities are in the same shard when a
    chain of pools or contracts ties them.
    """
    sets = UnionFind(scenario.municipalities)
    for group in couplings(scenario):
        for other in group[1:]:
            sets.union(group[0], other)
    return [tuple(group) for group in sets.groups()]
