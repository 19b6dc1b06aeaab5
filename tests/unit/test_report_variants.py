"""Tables of the variant notebooks (report/variants.py, report/projection.py) on small hand-made inputs."""
import pandas as pd
import pytest

from simulation.report.projection import paired_difference, projection_bands
from simulation.report.variants import per_municipality


def test_per_municipality_sets_both_variants_and_the_paired_difference_side_by_side():
    rows = []
    for variant, spend in (("trajecten", 100.0), ("plekken", 80.0)):
        rows.append({"variant": variant, "municipality": "A", "year": 2022, "measure": "uitgaven", "gem": spend,
                     "verschil_gem": spend - 100, "verschil_ci_laag": spend - 110, "verschil_ci_hoog": spend - 95})
    table = per_municipality(pd.DataFrame(rows), 2022)
    row = table.set_index("municipality").loc["A"]
    assert row["uitgaven_trajecten"] == 100 and row["uitgaven_plekken"] == 80
    assert row["uitgaven_verschil_gem"] == -20 and row["uitgaven_oordeel"].startswith("wint")


def test_projection_bands_and_the_paired_difference():
    per_rep = pd.DataFrame({"variant": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1], "year": 2022,
                            "domain": "total", "uitgaven": [10.0, 12.0, 8.0, 11.0]})
    bands = projection_bands(per_rep).set_index("variant")
    assert bands.loc["a", "gem"] == 11 and bands.loc["b", "min"] == 8
    d = paired_difference(per_rep, "b", "a").set_index("year").loc[2022]
    assert d["gem"] == pytest.approx(-1.5) and d["min"] == -2 and d["max"] == -1
