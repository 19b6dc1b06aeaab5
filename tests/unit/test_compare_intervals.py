"""compare's summary: a spend interval is not below 0 where no replication spent below 0; a measure that can be
negative (a refund year, a settlement) and every paired difference keep the plain t-interval."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.stats import t_interval
from simulation.experiment.compare import summarise

T_975_3 = 3.182446305284263   # t(0.975, 3): four replications


def _per_rep() -> pd.DataFrame:
    # Venlo: 3 replications with little spend and one large (its t-interval reaches below 0); Venray: a refund year
    spend = {("a", "Venlo"): [0.0, 10.0, 5.0, 400.0], ("b", "Venlo"): [20.0, 30.0, 25.0, 900.0],
             ("a", "Venray"): [-50.0, 10.0, 5.0, 400.0], ("b", "Venray"): [-40.0, 30.0, 25.0, 900.0]}
    rows = [{"variant": v, "municipality": m, "year": 2022, "replication": r, "uitgaven": x,
             "kosten_per_client": x / 10, "verrekening": x - 100.0}
            for (v, m), xs in spend.items() for r, x in enumerate(xs)]
    return pd.DataFrame(rows)


def test_spend_interval_is_bounded_at_0_only_where_no_replication_spent_below_0():
    per_rep = _per_rep()
    s = summarise(per_rep, "a", columns=("uitgaven", "kosten_per_client", "verrekening"))
    s = s.set_index(["variant", "municipality", "measure"])
    venlo = s.loc[("a", "Venlo", "uitgaven")]
    half = T_975_3 * np.std([0.0, 10.0, 5.0, 400.0], ddof=1) / 2
    assert venlo["gem"] - half < 0 and venlo["ci_laag"] == 0.0   # the plain t-interval would reach below 0
    assert venlo["ci_hoog"] == pytest.approx(venlo["gem"] + half)
    assert s.loc[("a", "Venlo", "kosten_per_client"), "ci_laag"] == 0.0
    # a replication below 0 (Venray's refund year) or a settlement: the plain t-interval
    for key in [("a", "Venray", "uitgaven"), ("a", "Venray", "kosten_per_client"), ("a", "Venlo", "verrekening")]:
        values = per_rep[(per_rep["variant"] == key[0]) & (per_rep["municipality"] == key[1])][key[2]]
        mean, lo, hi = t_interval(values)
        assert lo < 0 and s.loc[key, "ci_laag"] == pytest.approx(lo) and s.loc[key, "ci_hoog"] == pytest.approx(hi)
    # a paired difference (common random numbers) can be negative: the plain t-interval
    diff = np.array([20.0, 20.0, 20.0, 500.0])   # b - a per replication (common random numbers)
    mean, lo, hi = t_interval(diff)
    b = s.loc[("b", "Venlo", "uitgaven")]
    assert lo < 0 and b["verschil_ci_laag"] == pytest.approx(lo) and b["verschil_ci_hoog"] == pytest.approx(hi)
