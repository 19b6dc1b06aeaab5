"""Duration distributions: the fast samplers agree with the exact inverse CDF and the stated moments."""
import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from simulation.config.distributions import Distribution

ADAPTER = TypeAdapter(Distribution)
U = np.random.default_rng(7).random(20_000)
GRID = (np.arange(200_000) + 0.5) / 200_000   # midpoint rule for moments


def dist(**kw):
    return ADAPTER.validate_python(kw)


@pytest.mark.parametrize("spec", [
    {"kind": "gamma", "mean": 120, "cv": 0.3}, {"kind": "gamma", "mean": 120, "cv": 1.0},
    {"kind": "gamma", "mean": 30, "cv": 2.5}, {"kind": "lognormal", "mean": 200, "cv": 0.2},
    {"kind": "lognormal", "mean": 200, "cv": 1.5}, {"kind": "exponential", "mean": 90},
])
def test_fast_sampler_matches_exact_inverse_cdf(spec):
    d = dist(**spec)
    sample = d.sampler()
    fast = np.array([sample(u) for u in U])
    exact = np.array([d.ppf(u) for u in U])
    assert np.max(np.abs(fast - exact) / exact) < 1e-4


@pytest.mark.parametrize("spec", [
    {"kind": "gamma", "mean": 120, "cv": 0.7}, {"kind": "lognormal", "mean": 200, "cv": 0.6},
    {"kind": "exponential", "mean": 90}, {"kind": "empirical", "values": [10, 20, 30, 100]},
])
def test_mean_cv_and_length_biased_mean(spec):
    d = dist(**spec)
    x = np.array([d.ppf(u) for u in GRID])
    assert x.mean() == pytest.approx(d.mean, rel=2e-3)
    if "cv" in spec:
        assert x.std() / x.mean() == pytest.approx(spec["cv"], rel=2e-2)
    # an initial caseload sees trajecten with probability proportional to their length: E[X^2] / E[X]
    biased = np.array([d.ppf_length_biased(u) for u in GRID[::10]])
    assert biased.mean() == pytest.approx((x ** 2).mean() / x.mean(), rel=1e-2)


@pytest.mark.parametrize("spec, field", [
    ({"kind": "gamma", "mean": 10, "cv": 0}, "cv"), ({"kind": "lognormal", "mean": 10, "cv": -1}, "cv"),
    ({"kind": "exponential", "mean": -1}, "mean"), ({"kind": "fixed", "value": -3}, "value"),
    ({"kind": "empirical", "values": []}, "values"),
])
def test_invalid_parameters_are_refused(spec, field):
    with pytest.raises(ValidationError) as info:
        dist(**spec)
    assert field in str(info.value)
