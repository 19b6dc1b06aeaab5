"""Erlang B/C of simulation.analysis.queueing against closed forms."""
import math

import pytest

from simulation.analysis.queueing import erlang_b, erlang_c, erlang_wait


def test_erlang_b_of_one_server():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)            # a / (1 + a)


def test_erlang_c_matches_the_factorial_formula():
    n, a = 7, 5.3
    top = a ** n / math.factorial(n) * n / (n - a)
    direct = top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)
    assert erlang_c(n, a) == pytest.approx(direct, rel=1e-12)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)


def test_erlang_wait_of_mm1():
    # M/M/1 with rho 0.5 and E[S] 10: W_q = rho E[S] / (1 - rho) = 10
    assert erlang_wait(1, 0.5, 10.0) == pytest.approx(10.0)


def test_erlang_c_refuses_an_unstable_queue():
    with pytest.raises(ValueError, match="a < n"):
        erlang_c(3, 3.0)
