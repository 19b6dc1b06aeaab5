"""funding.flow_key: equal exactly when no contract field the flow reads differs."""
from __future__ import annotations

import copy

from simulation.config.scenario import scenario_from_dict
from simulation.funding.flow_key import flow_key
from scenarios import flow_scenario, funding_contract as contract


def _key(*contracts, **changes):
    raw = flow_scenario(list(contracts), providers=("P1", "P2"))
    raw.update(changes)
    return flow_key(scenario_from_dict(copy.deepcopy(raw), source="test"))


def test_money_fields_leave_the_key():
    base = _key(contract("pxq", unit_price=60.0))
    assert _key(contract("pxq", unit_price=75.0)) == base
    assert _key(contract("traject", tariffs={"standaard": 9000})) == base
    assert _key(contract("lumpsum", amount=500000)) == base
    assert _key(contract("pxq", unit_price=60.0), name="other") == base


def test_flow_fields_change_the_key():
    base = _key(contract("pxq", unit_price=60.0))
    assert _key() != base                                               # no contract: no flow hook at all
    assert _key(contract("pxq", unit_price=60.0, provider="P2")) != base  # another pool on the shared clock
    assert _key(contract("plekken", plekken=10, tariffs={"standaard": 9000})) != base
    assert _key(contract("plekken", plekken=10, tariffs={"standaard": 9000})) != \
        _key(contract("plekken", plekken=11, tariffs={"standaard": 9000}))
    assert _key(contract("pxq", unit_price=60.0, behaviour={"refusal_probability": 0.2})) != base
    assert _key(contract("pxq", unit_price=60.0, behaviour={"doorlooptijd_factor": 1.1})) != base
    assert _key(contract("pxq", unit_price=60.0), horizon_years=1) != base


def test_a_ceiling_contract_enters_whole():
    def plafond(price):
        return contract("plafond", ceiling=100000, realisation={"basis": "pxq", "unit_price": price})
    assert _key(plafond(60.0)) != _key(plafond(61.0))    # its prices are the commitments against the ceiling
