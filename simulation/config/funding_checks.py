"""The checks of a scenario's funding that need the whole scenario: names, tariffs for every traject
type, periods that do not overlap (an opvolger may take over from its boeggolf contract), plekken in
one place only, conversions and extra capacity. The schemas themselves are in contracts.py."""
from __future__ import annotations

import datetime as dt

from simulation.config.contracts import ContractBase, Funding
from simulation.config.errors import dutch_number


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
            raise ValueError(f"{where}: start {start} moet voor end {end} liggen")
        for key in contract.keys():
            for other_start, other_end, j in periods.get(key, []):
                if start < other_end and other_start < end and not _succeeds(contract, funding.contracts[j], i, j):
                    raise ValueError(
                        f"{where}: periode {start}..{end} overlapt met funding.contracts[{j}] ({other_start}..{other_end}) "
                        f"voor dezelfde gemeente ({key[0]}), aanbieder en segment; één contract tegelijk "
                        f"(gebruik conversions om over te stappen)")
            periods.setdefault(key, []).append((start, end, i))
        types = scenario.segments[contract.segment].traject_types
        for name, pricing in contract.pricings():
            pricing.check_types(types, f"{where}: {name}")
        if contract.beloning is not None:
            contract.beloning.check_types(types, f"{where}: beloning")
        contract.check_scenario(scenario, where)
        heavy = contract.behaviour.heavy_weight
        if heavy is not None and not any(t.weight >= heavy for t in types.values()):
            raise ValueError(f"{where}: behaviour.heavy_weight {dutch_number(heavy)} ligt boven het gewicht (weight) "
                             "van elk trajecttype")
        _check_conversions(contract, start, end, where)
        if contract.plekken_phases(scenario) and \
                contract.segment in providers[contract.provider].plekken.get(contract.municipality, {}):
            raise ValueError(f"{where}: plekken voor deze gemeente en dit segment staan ook in "
                             f"providers.{contract.provider}.plekken; geef ze op één plek")
        _check_extra_capacity(contract, funding, where)
        if contract.extra_capacity and any(p.entry_date for p in providers.values()):
            raise ValueError(f"{where}: extra_capacity met aanbieders die een entry_date hebben kan niet; "
                             "laat een van de twee weg")
    for name, costs in funding.provider_costs.items():
        if name not in providers:
            raise ValueError(f"funding.provider_costs noemt onbekende aanbieder {name!r}; bekend: {sorted(providers)}")
        if isinstance(costs.cost_per_unit, dict):
            missing = set(providers[name].segments) - set(costs.cost_per_unit)
            if missing:
                raise ValueError(f"funding.provider_costs.{name}.cost_per_unit mist segment(en) {sorted(missing)}; voeg ze toe")


def _succeeds(a: ContractBase, b: ContractBase, i: int, j: int) -> bool:
    """True when one of the two is the other's opvolger (it takes over at a boeggolf end, so they may overlap)."""
    return getattr(a, "follows", None) == j or getattr(b, "follows", None) == i


def _check_names(contract: ContractBase, scenario, where: str) -> None:
    municipalities, providers = scenario.municipalities, scenario.providers
    field = "municipalities" if contract.regional else "municipality"
    for m in contract.covered:
        if m not in municipalities:
            raise ValueError(f"{where}: {field}: gemeente {m!r} is onbekend; bekend: {sorted(municipalities)}")
    if contract.provider not in providers:
        raise ValueError(f"{where}: aanbieder {contract.provider!r} is onbekend; bekend: {sorted(providers)}")
    if contract.segment not in scenario.segments:
        raise ValueError(f"{where}: segment {contract.segment!r} is onbekend; bekend: {sorted(scenario.segments)}")
    for m in contract.covered:
        if contract.provider not in scenario.providers_for(m, contract.segment):
            raise ValueError(f"{where}: aanbieder {contract.provider!r} bedient {m!r} niet "
                             f"in segment {contract.segment!r}; kies een aanbieder die dat doet")


def _check_conversions(contract: ContractBase, start: dt.date, end: dt.date, where: str) -> None:
    last = start
    for k, conv in enumerate(getattr(contract, "conversions", ())):
        if not (start < conv.date < end) or conv.date <= last and k:
            raise ValueError(f"{where}: conversions[{k}].date {conv.date} moet binnen de contractperiode "
                             f"{start}..{end} liggen en na de vorige omzetting")
        last = conv.date


def _check_extra_capacity(contract: ContractBase, funding: Funding, where: str) -> None:
    if not contract.extra_capacity:
        return
    if not any(contract.municipality in other.covered and other.segment == contract.segment
               and not other.extra_capacity for other in funding.contracts):
        raise ValueError(f"{where}: extra_capacity vraagt een raamcontract voor dezelfde gemeente en hetzelfde segment")
    if not any(True for _ in contract.pricings()):
        raise ValueError(f"{where}: extra_capacity vraagt een prijs per traject (tariffs, unit_price, monthly_tariffs "
                         "of realisation): het plafond van 10% wordt bij de toewijzing op geplande waarden getoetst")
