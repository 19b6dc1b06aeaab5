"""The rules of a client's life (simulation/core/rules.py): the vector form gives exactly the scalar one.

The SimPy generator uses the scalar rules, the numpy cohort the vector rules; the event logs of
the two agree (tests/test_private_clocks.py) because each rule gives the same codes and floats
in both forms, which is checked here rule by rule on every traject type of a rich scenario.
"""
from __future__ import annotations

import numpy as np
import pytest

from simulation.config.scenario import Outcomes
from simulation.core import events as ev
from simulation.core import rules
from simulation.core.compiled import NO, CompiledScenario
from simulation.core.draws import MAX_TRAJECTEN
from scenarios import rich_scenario

N = 4000


@pytest.fixture(scope="module")
def tables():
    scalar = CompiledScenario(rich_scenario())
    return scalar, scalar.arrays()


@pytest.fixture(scope="module")
def uniforms():
    return np.random.default_rng(7).random((N, 5))


def test_outcome_routes_come_in_the_order_of_the_outcomes_schema():
    assert [ev.REDENEN[code] for code in ev.OUTCOMES] == list(Outcomes.model_fields)
    assert rules.LAST_OUTCOME == len(Outcomes.model_fields) - 1


def test_episode_rules(tables, uniforms):
    scalar, vector = tables
    segment = np.random.default_rng(1).integers(0, len(scalar.seg_names), N)
    pairs = [(rules.to_voorliggend_veld, rules.to_voorliggend_veld_v), (rules.stacked, rules.stacked_v),
             (rules.toegang_days, rules.toegang_days_v)]
    for scalar_rule, vector_rule in pairs:
        expected = [scalar_rule(scalar, s, u) for s, u in zip(segment.tolist(), uniforms.tolist())]
        assert vector_rule(vector, segment, uniforms).tolist() == expected, scalar_rule.__name__
    delays = [rules.recidive_delay(scalar, s, u) for s, u in zip(segment.tolist(), uniforms.tolist())]
    stays = rules.stays_v(vector, segment, uniforms)
    assert stays.tolist() == [d is None for d in delays]
    assert rules.recidive_delay_v(vector, segment[~stays], uniforms[~stays]).tolist() == [d for d in delays if d is not None]


def test_traject_rules(tables, uniforms):
    scalar, vector = tables
    rng = np.random.default_rng(2)
    municipality = rng.integers(0, len(scalar.mun_names), N)
    segment = rng.integers(0, len(scalar.seg_names), N)
    rows = uniforms.tolist()
    kinds = [rules.traject_type(scalar, s, u) for s, u in zip(segment.tolist(), rows)]
    assert rules.traject_type_v(vector, segment, uniforms).tolist() == kinds
    providers = [rules.provider(scalar, m, s, u) for m, s, u in zip(municipality.tolist(), segment.tolist(), rows)]
    assert rules.provider_v(vector, municipality, segment, uniforms).tolist() == providers
    kind = rng.integers(0, len(scalar.types), N)
    routes = [rules.outcome(scalar.types[k], u) for k, u in zip(kind.tolist(), rows)]
    assert rules.outcome_v(vector, kind, uniforms).tolist() == routes
    assert set(routes) <= set(ev.OUTCOMES) and ev.UITVAL in routes
    verlenging = rng.random(N) < 0.3
    maatwerk = rng.choice([1.0, 1.25], N)
    days = [rules.doorlooptijd(scalar.types[k].sample_verlenging if v else scalar.types[k].sample, f, r, u)
            for k, v, f, r, u in zip(kind.tolist(), verlenging.tolist(), maatwerk.tolist(), routes, rows)]
    assert rules.doorlooptijd_v(vector, kind, verlenging, maatwerk, np.array(routes), uniforms).tolist() == days


def test_what_follows_a_traject(tables):
    scalar, vector = tables
    rng = np.random.default_rng(3)
    kind = rng.integers(0, len(scalar.types), N)
    route = rng.choice(np.array(ev.OUTCOMES), N)
    count = rng.choice([1, MAX_TRAJECTEN - 1, MAX_TRAJECTEN], N)
    steps = [rules.next_step(scalar.types[k], r, c) for k, r, c in zip(kind.tolist(), route.tolist(), count.tolist())]
    continues, moves_up, outcome = rules.next_step_v(vector, kind, route, count)
    assert continues.tolist() == [s == rules.CONTINUE for s, _ in steps]
    assert moves_up.tolist() == [s == rules.MOVE_UP for s, _ in steps]
    assert outcome.tolist() == [o for _, o in steps]
    assert {s for s, _ in steps} == {rules.END, rules.CONTINUE, rules.MOVE_UP}
    assert all(o == ev.AFSCHALING for (s, o), c, r in zip(steps, count.tolist(), route.tolist())
               if c >= MAX_TRAJECTEN and r in (ev.VERLENGING, ev.OPSCHALING))
    go = continues
    next_kinds = [rules.continuation(scalar, k, r)[0] for k, r in zip(kind[go].tolist(), outcome[go].tolist())]
    assert rules.continuation_type_v(vector, kind[go], outcome[go]).tolist() == next_kinds
    assert NO not in next_kinds
