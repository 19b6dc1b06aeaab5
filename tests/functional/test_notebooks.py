"""Notebooks as functions: papermill parameters reach them, bad ones are refused, the index links resolve.

nbval (``make test`` runs ``pytest notebooks --nbval-lax``) executes every notebook with its
small default parameters; these tests check the papermill path that ``make run`` uses.
"""
import json
import re
from pathlib import Path

import nbformat
import pytest

from simulation.report.notebooks import (NotebookError, find_notebook, notebook_parameters, notebooks, run_notebook,
                               write_index)

ROOT = Path(__file__).resolve().parents[2]


def test_every_notebook_has_a_parameters_cell_with_out_dir_and_no_outputs():
    assert notebooks(), "notebooks/ holds no analysis notebook"
    for nb_path in notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name}: needs exactly one cell tagged 'parameters'"
        assert "out_dir" in notebook_parameters(nb_path), f"{nb_path.name}: needs an out_dir parameter"
        outputs = [c for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not outputs, f"{nb_path.name}: commit notebooks without outputs"


def test_paired_text_files_match_the_notebooks():
    import jupytext

    for nb_path in notebooks():
        text = nb_path.with_suffix(".py")
        assert text.exists(), f"{nb_path.name}: the paired {text.name} (for review) is missing"
        a = [c.source for c in nbformat.read(nb_path, as_version=4).cells]
        b = [c.source for c in jupytext.read(text).cells]
        assert a == b, f"{nb_path.name} and {text.name} differ: run `jupytext --sync {text}`"


def test_papermill_injects_parameters_and_the_index_shows_the_answer(tmp_path):
    out = run_notebook(find_notebook("01"), tmp_path, {"replications": 1, "seed": 11})
    executed = nbformat.read(out / "01_quick_start.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "seed = 11" in injected[0].source
    figures = json.loads((out / "figures.json").read_text())
    assert {"flow", "kpis_per_gemeente"} <= set(figures)
    assert sum(f["key"] for f in figures.values()) == 1
    for f in figures.values():
        assert (out / f["file"]).stat().st_size > 10_000, f"{f['file']} looks empty"
    answer = json.loads((out / "answer.json").read_text())["answer"]
    assert re.search(r"\d", answer), "the answer is computed from results"
    index = write_index(tmp_path)
    page = index.read_text()
    assert answer.split(";")[0] in page
    for link in re.findall(r'(?:href|src)="([^"#][^"]*)"', page):   # not the contents list's #anchors
        assert (tmp_path / link).exists(), f"index links to missing {link}"


def test_unknown_parameter_is_refused_before_running(tmp_path):
    with pytest.raises(NotebookError, match=r"onbekende parameter\(s\) \['municipalty'\]"):
        run_notebook(find_notebook("01"), tmp_path, {"municipalty": "Venlo"})
    assert not any(tmp_path.iterdir()), "nothing half-written is left behind"


def test_bad_scenario_value_stops_in_the_first_cells(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as info:
        run_notebook(find_notebook("01"), tmp_path, {"horizon_years": -1})
    assert "horizon_years" in str(info.value) and "moet groter zijn dan 0" in str(info.value)
    assert info.value.exec_count <= 3
    assert not (tmp_path / "01_quick_start").exists()


def test_unknown_notebook_lists_the_available_ones():
    with pytest.raises(NotebookError, match="beschikbaar: .*01_quick_start"):
        find_notebook("99")


def test_notebooks_define_no_functions_and_set_up_with_one_library_call():
    import ast

    for nb_path in notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and not c.source.startswith("%"))
        tree = ast.parse(code.replace("display(", "print("))
        defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not defined, f"{nb_path.name}: move {defined} into the library (simulation.report / simulation.analysis)"
        assert re.search(r"\b(notebook_context|evaluation_context)\(", code), \
            f"{nb_path.name}: set up with simulation.report.setup.notebook_context"
