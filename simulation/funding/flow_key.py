"""Which scenarios have the same flow: a key that is equal when the event logs must be equal.

The engine reads the funding contracts only through ``funding.flow.FlowRules``: plek pools (phases
whose mode ``has_capacity``), budgetplafonds (a contract whose variant ``has_ceiling``: its prices
give the commitments), the behaviour factors (refusal, doorlooptijd), extra capacity, and which
municipality x provider x segment pools hold a contract at all (those clients run on the shared
clock). Everything else in a contract (tariffs, budgets, bands, bonus-malus, provider costs) is
money: a pure function of the log (``funding.payments``). Two scenarios with the same ``flow_key``
and the same seed and replication give the same event log, so ``compare`` simulates such variants
once (common random numbers make them identical).

The key is conservative: a contract with a ceiling, and every contract of a scenario with extra
capacity (whose cap reads the contracted values), enter it whole.
"""
from __future__ import annotations

import json

from simulation.funding.variant import rule, rules_of


def _contract_key(c, scenario) -> object:
    if rules_of(c).has_ceiling:
        return c.model_dump(mode="json")
    b = c.behaviour
    refusal = [b.refusal_probability, b.heavy_weight] if b.refusal_probability > 0 else [0.0]
    phases = [[str(a), str(e), mode if rule(mode).has_capacity else None,
               json.dumps(count, sort_keys=True, default=str) if rule(mode).has_capacity else None]
              for a, e, mode, count in c.phases(scenario)]
    return [list(c.covered), c.provider, c.segment, [str(d) for d in c.period(scenario)], phases, refusal,
            b.doorlooptijd_factor]


def flow_key(scenario) -> str:
    """A string equal for two scenarios whose simulated flow (event log) is the same."""
    data = scenario.model_dump(mode="json", exclude={"funding", "name"})
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    if any(c.extra_capacity for c in contracts):
        flow = [c.model_dump(mode="json") for c in contracts]
    else:
        flow = [_contract_key(c, scenario) for c in contracts]
    return json.dumps([data, flow], sort_keys=True, default=str)
