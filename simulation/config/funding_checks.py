"""The checks of a scenario's funding that need the whole scenario: names, tariffs for every traject
type, periods that do not overlap (an opvolger may take over from its boeggolf contract), plekken in
one place only, conversions and extra capacity. The schemas themselves are in contracts.py."""
from __future__ import annotations

import datetime as dt

from simulation.config.contracts import ContractBase, Funding


def validate_funding(funding: Funding, scenario) -> None:
    """Checks that need the scenario: names, tariffs for every traject type, periods, plekken."""
    providers = scenario.providers
    periods: dict[tuple, list[tuple]] = {}
    for contract in funding.contracts:
        contract.resolve(scenario)
    for i, contract in enumerate(funding.contracts):
        where = contract.label(i)
        _check_names(contract, scenario, where)
        start, end = contract.period(scenario)
        if not start < end:
            raise ValueError(f"{where}: start {start} must be before end {end}")
        for key in contract.keys():
            for other_start, other_end, j in periods.get(key, []):
                if start < other_end and other_start < end and not _succeeds(contract, funding.contracts[j], i, j):
                    raise ValueError(
                        f"{where}: period {start}..{end} overlaps funding.contracts[{j}] ({other_start}..{other_end}) "
                        f"for the same municipality ({key[0]}), provider and segment; one contract at a time "
                        f"(use conversions to switch)")
            periods.setdefault(key, []).append((start, end, i))
        types = scenario.segments[contract.segment].traject_types
        for name, pricing in contract.pricings():
            pricing.check_types(types, f"{where}: {name}")
        if contract.beloning is not None:
            contract.beloning.check_types(types, f"{where}: beloning")
        contract.check_scenario(scenario, where)
        heavy = contract.behaviour.heavy_weight
        if heavy is not None and not any(t.weight >= heavy for t in types.values()):
            raise ValueError(f"{where}: behaviour.heavy_weight {heavy} is above every traject type's weight")
        _check_conversions(contract, start, end, where)
        if contract.plekken_phases(scenario) and \
                contract.segment in providers[contract.provider].plekken.get(contract.municipality, {}):
            raise ValueError(f"{where}: plekken for this municipality and segment are also set in "
                             f"providers.{contract.provider}.plekken; give them in one place only")
        _check_extra_capacity(contract, funding, where)
        if contract.extra_capacity and any(p.entry_date for p in providers.values()):
            raise ValueError(f"{where}: extra_capacity with providers that have an entry_date is not supported; "
                             "drop one of the two")
    for name, costs in funding.provider_costs.items():
        if name not in providers:
            raise ValueError(f"funding.provider_costs names unknown provider {name!r}; known: {sorted(providers)}")
        if isinstance(costs.cost_per_unit, dict):
            missing = set(providers[name].segments) - set(costs.cost_per_unit)
            if missing:
                raise ValueError(f"funding.provider_costs.{name}.cost_per_unit lacks segment(s) {sorted(missing)}")


def _succeeds(a: ContractBase, b: ContractBase, i: int, j: int) -> bool:
    """True when one of the two is the other's opvolger (it takes over at a boeggolf end, so they may overlap)."""
    return getattr(a, "follows", None) == j or getattr(b, "follows", None) == i


def _check_names(contract: ContractBase, scenario, where: str) -> None:
    municipalities, providers = scenario.municipalities, scenario.providers
    field = "municipalities" if contract.regional else "municipality"
    for m in contract.covered:
        if m not in municipalities:
            raise ValueError(f"{where}: {field}: municipality {m!r} is unknown; known: {sorted(municipalities)}")
    if contract.provider not in providers:
        raise ValueError(f"{where}: provider {contract.provider!r} is unknown; known: {sorted(providers)}")
    if contract.segment not in scenario.segments:
        raise ValueError(f"{where}: segment {contract.segment!r} is unknown; known: {sorted(scenario.segments)}")
    for m in contract.covered:
        if contract.provider not in scenario.providers_for(m, contract.segment):
            raise ValueError(f"{where}: provider {contract.provider!r} does not serve {m!r} "
                             f"in segment {contract.segment!r}")


def _check_conversions(contract: ContractBase, start: dt.date, end: dt.date, where: str) -> None:
    last = start
    for k, conv in enumerate(getattr(contract, "conversions", ())):
        if not (start < conv.date < end) or conv.date <= last and k:
            raise ValueError(f"{where}: conversions[{k}].date {conv.date} must lie inside the contract period "
                             f"{start}..{end} and after the previous conversion")
        last = conv.date


def _check_extra_capacity(contract: ContractBase, funding: Funding, where: str) -> None:
    if not contract.extra_capacity:
        return
    if not any(contract.municipality in other.covered and other.segment == contract.segment
               and not other.extra_capacity for other in funding.contracts):
        raise ValueError(f"{where}: extra_capacity needs a framework contract for the same municipality and segment")
    if not any(True for _ in contract.pricings()):
        raise ValueError(f"{where}: extra_capacity needs a per-traject price (tariffs, unit_price, monthly_tariffs "
                         "or realisation): the 10% cap is checked at toewijzing on planned values")
