"""The what-if page's downloads: the scenario YAML reproduces the page's numbers through the CLI, and
bad input gets the CLI's field message under the field it names, with nothing simulated."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("panel")

from simulation.app.engine import COLUMNS, WHATIF, Engine, measure_frame  # noqa: E402
from simulation.app.page import Page  # noqa: E402
from simulation.config.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page():
    engine = Engine(ROOT / "params", workers=1)
    page = Page(engine)
    page.view()
    page.horizon.value, page.replications.value = 1, 2
    yield page
    engine.close()


def test_the_downloaded_yaml_reproduces_the_answer_through_the_cli(page, tmp_path):
    page.plekken["jeugd_regio_a"].value = 30
    answer = page.ask()
    assert not answer.errors, answer.errors
    path = tmp_path / "wat-als-scenario.yaml"
    path.write_bytes(page._yaml().getvalue())
    assert "python -m simulation run" in path.read_text(encoding="utf-8").splitlines()[1]
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "simulation", "run", str(path), "--seed", "1", "--replications", "2",
                           "--out", str(out), "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    events = pd.read_parquet(out / "events.parquet")
    again = measure_frame(load_scenario(path), events).sort_values(["replication", "year"]).reset_index(drop=True)
    shown = answer.per_replication[answer.per_replication["variant"] == WHATIF]
    shown = shown.sort_values(["replication", "year"]).reset_index(drop=True)
    assert len(shown) == 2
    np.testing.assert_array_equal(again[list(COLUMNS)].to_numpy(float), shown[list(COLUMNS)].to_numpy(float))
    base = answer.per_replication[answer.per_replication["variant"] != WHATIF]
    assert not np.allclose(base["uitgaven"].to_numpy(), shown["uitgaven"].to_numpy())   # the plekken mattered


def test_a_negative_plek_count_gets_the_cli_message_under_its_field_and_nothing_runs(page):
    before = page.answer
    page.plekken["jeugd_regio_a"].value = -3
    answer = page.ask()
    message = answer.errors["plekken:jeugd_regio_a"]
    assert "funding.contracts" in message and "plekken" in message and "-3" in message
    assert page.errors["plekken:jeugd_regio_a"].visible and page.errors["plekken:jeugd_regio_a"].object == message
    assert answer.per_replication is None and page.answer is before
