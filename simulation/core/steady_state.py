"""The steady state the warm-up starts from: traffic equations and the initial caseload placement."""
from __future__ import annotations

from typing import Iterator

import numpy as np

from simulation.config.scenario import Scenario
from simulation.core.compiled import CompiledScenario
from simulation.core.draws import BLOCK, CLIENTS_PER_STREAM, INITIAL_CLIENT_OFFSET
from simulation.core.streams import generator


def steady_caseload(scenario: Scenario, tables: CompiledScenario, municipality: int, year: int) -> np.ndarray:
    """Expected trajecten in care per traject type in a steady state (instroom of ``year``).

    Traffic equations: trajecten of a type start from the toegang (instroom x (1 - voorliggend
    veld) x (1 + stacking) x type share), from continuations (verlenging, step-down), from
    opschaling out of another segment and from recidive after afschaling; solved as one
    linear system. Each start then stays its mean doorlooptijd (an extension its own mean,
    an uitval half of a draw on average): Little's law per type.
    """
    n = len(tables.types)
    transfer, entering = np.zeros((n, n)), np.zeros(n)
    for segment_index, segment_name in enumerate(tables.seg_names):
        segment = scenario.segments[segment_name]
        instroom = segment.instroom
        per_day = (scenario.instroom_per_year(tables.mun_names[municipality], segment_name)
                   * (1 + instroom.growth) ** (year - instroom.base_year) / 365.0)
        entry = (1 - segment.voorliggend_veld_share) * (1 + segment.stacking_probability)
        cum = tables.seg_type_cum[segment_index]
        shares = np.diff([0.0] + cum) / cum[-1]
        back = segment.recidive.probability / (1 + segment.stacking_probability)   # recidive is per episode
        kinds = tables.seg_types[segment_index]
        for kind, share in zip(kinds, shares):
            entering[kind] = per_day * entry * share
        for source, name in zip(kinds, segment.traject_types):
            outcomes = segment.traject_types[name].outcomes
            transfer[source, source] += outcomes.verlenging
            if outcomes.step_down:
                transfer[tables.types[source].step_down_to, source] += outcomes.step_down
            if outcomes.opschaling:
                transfer[tables.types[source].opschaling_to[1], source] += outcomes.opschaling
            for kind, share in zip(kinds, shares):
                transfer[kind, source] += outcomes.afschaling * back * entry * share
    rates = np.linalg.solve(np.eye(n) - transfer, entering)
    caseload = np.zeros(n)
    for segment_index, segment_name in enumerate(tables.seg_names):
        segment = scenario.segments[segment_name]
        for kind, name in zip(tables.seg_types[segment_index], segment.traject_types):
            spec = segment.traject_types[name]
            outcomes = spec.outcomes
            verlenging_mean = (spec.verlenging_doorlooptijd or spec.doorlooptijd).mean
            extensions = rates[kind] * outcomes.verlenging          # starts of this type that are extensions
            caseload[kind] = (1 - outcomes.uitval / 2) * ((rates[kind] - extensions) * spec.doorlooptijd.mean
                                                          + extensions * verlenging_mean)
    return caseload


def initial_caseload(scenario: Scenario, tables: CompiledScenario, seed: int, replication: int,
                     t0: float, year: int) -> Iterator[tuple]:
    """The steady-state caseload at the warm-up start, group by group, in the order they are placed.

    Poisson counts per (municipality, segment, traject type, provider); yields
    ``(municipality, segment, kind, provider, factor, first_id, rows)`` with ``rows`` an
    (n, 2 + BLOCK) array of uniforms: the length-biased duration, the fraction of it already
    served, then the client's block. The counts include trajecten that continue a chain
    (verlenging, step-down, opschaling, recidive), so the warm-up starts near the level it
    settles at; each placed traject is the first of its client's new chain.
    """
    for municipality, municipality_name in enumerate(tables.mun_names):
        expected = steady_caseload(scenario, tables, municipality, year)
        for segment, segment_name in enumerate(tables.seg_names):
            rng = generator(seed, replication, "beginstand", municipality_name, segment_name)
            providers, provider_cum = tables.choice[(municipality, segment)]
            provider_shares = np.diff([0.0] + provider_cum)
            first_id = (municipality * len(tables.seg_names) + segment + 1) * CLIENTS_PER_STREAM + INITIAL_CLIENT_OFFSET
            placed = 0
            for kind in tables.seg_types[segment]:
                for provider, provider_share in zip(providers, provider_shares):
                    factor = tables.maatwerk[(provider, segment)]
                    n = rng.poisson(expected[kind] * provider_share * factor)
                    rows = rng.random((n, 2 + BLOCK))
                    yield municipality, segment, kind, provider, factor, first_id + placed, rows
                    placed += n
