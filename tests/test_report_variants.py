"""Tables of the variant notebooks (report/variants.py, report/projection.py) on small hand-made inputs."""
import pandas as pd
import pytest

from simulation.report.projection import paired_difference, projection_bands
from simulation.report.variants import per_municipality


def test_per_municipality_sets_both_variants_and_the_paired_difference_side_by_side():
    rows = []
    for variant, spend in (("trajecten", 100.0), ("plekken", 80.0)):
        rows.append({"variant": variant, "municipality": "A", "year": 2022, "measure": "spend", "mean": spend,
                     "diff_vs_reference": spend - 100, "diff_ci_low": spend - 110, "diff_ci_high": spend - 95})
    table = per_municipality(pd.DataFrame(rows), 2022)
    row = table.set_index("municipality").loc["A"]
    assert row["spend_trajecten"] == 100 and row["spend_plekken"] == 80
    assert row["spend_diff_vs_reference"] == -20 and row["spend_verdict"].startswith("gains")


def test_projection_bands_and_the_paired_difference():
    per_rep = pd.DataFrame({"variant": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1], "year": 2022,
                            "domain": "total", "spend": [10.0, 12.0, 8.0, 11.0]})
    bands = projection_bands(per_rep).set_index("variant")
    assert bands.loc["a", "mean"] == 11 and bands.loc["b", "min"] == 8
    d = paired_difference(per_rep, "b", "a").set_index("year").loc[2022]
    assert d["mean"] == pytest.approx(-1.5) and d["min"] == -2 and d["max"] == -1
