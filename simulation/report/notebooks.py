"""Notebooks as functions: run them with papermill, collect figures and answers, write the index page.

Every analysis notebook in ``notebooks/`` has a cell tagged ``parameters``
(papermill) and writes its figures, tables and answer into ``out_dir`` with the
helpers below, so the index page can show them without parsing notebooks.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import time
from pathlib import Path
from typing import Any, Optional

from simulation.experiment.store import atomic_folder

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL = "simulation"
SOURCE_LINE = "Source: simulation of {scenario} ({replications} replications, seed {seed}); documents in ../shared/seeds"


class NotebookError(ValueError):
    """A notebook name or parameter that cannot be used."""


# -- helpers used inside the notebooks ----------------------------------------------------------

def project_path(path: str | os.PathLike) -> Path:
    """Resolve a path relative to the project root (notebooks run from different folders)."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def output_dir(out_dir: str | os.PathLike) -> Path:
    d = project_path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_figure(fig, out_dir, name: str, source: str, key: bool = False) -> Path:
    """Save a figure as PNG with its source line; ``key`` marks the figure shown on the index page.

    Refuses a figure without a title or axis labels: users read figures, not code.
    """
    for ax in fig.axes:
        if not ax.get_visible() or not ax.has_data():
            continue
        if not (ax.get_title() or fig._suptitle is not None):
            raise ValueError(f"figure {name!r}: every figure needs a title")
        if not ax.get_xlabel() or not ax.get_ylabel():
            raise ValueError(f"figure {name!r}: axes need labels with units")
    fig.text(0.01, 0.005, source, fontsize=7, color="0.35", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    d = output_dir(out_dir)
    path = d / f"{name}.png"
    fig.savefig(path, dpi=110)
    manifest = _read_json(d / "figures.json", {})
    manifest[name] = {"file": path.name, "key": key, "title": _figure_title(fig)}
    (d / "figures.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def save_table(frame, out_dir, name: str) -> Path:
    path = output_dir(out_dir) / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path


def save_answer(out_dir, question: str, answer: str) -> str:
    """Record the notebook's question and its computed answer (shown on the index page)."""
    d = output_dir(out_dir)
    (d / "answer.json").write_text(json.dumps({"question": question, "answer": answer}, indent=2,
                                              ensure_ascii=False), encoding="utf-8")
    return answer


def expect_outputs(out_dir, figures: list[str]) -> None:
    """Fail the notebook unless it saved the figures it promises, one of them marked key, and an answer."""
    d = output_dir(out_dir)
    saved = _read_json(d / "figures.json", {})
    missing = [f for f in figures if f not in saved or not (d / saved[f]["file"]).exists()]
    if missing:
        raise AssertionError(f"{d}: figures not saved: {missing}")
    if sum(1 for f in saved.values() if f.get("key")) != 1:
        raise AssertionError(f"{d}: exactly one figure must be marked key=True for the index page")
    if not (d / "answer.json").exists():
        raise AssertionError(f"{d}: no answer saved (save_answer)")


def _figure_title(fig) -> str:
    if fig._suptitle is not None:
        return fig._suptitle.get_text()
    return next((ax.get_title() for ax in fig.axes if ax.get_title()), "")


def _read_json(path: Path, default):
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


# -- running notebooks --------------------------------------------------------------------------

def notebooks() -> list[Path]:
    """The analysis notebooks, in order (``notebooks/NN_name.ipynb``)."""
    return sorted(p for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def find_notebook(name: str) -> Path:
    for nb in notebooks():
        if nb.stem == name or nb.stem.split("_", 1)[0] == name.zfill(2) or nb.name == name:
            return nb
    raise NotebookError(f"no notebook {name!r}; available: {[nb.stem for nb in notebooks()]}")


def notebook_parameters(nb: Path) -> dict[str, Any]:
    """The default parameters of a notebook (its cell tagged 'parameters')."""
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(nb)).items()}


def run_notebook(nb: Path, out_root: Path, parameters: Optional[dict[str, Any]] = None,
                 kernel: str = KERNEL, html_export: bool = True) -> Path:
    """Execute one notebook with papermill into ``out_root/<stem>/`` (written atomically).

    Unknown parameter names are refused before anything runs.
    """
    import papermill as pm

    parameters = dict(parameters or {})
    known = notebook_parameters(nb)
    unknown = set(parameters) - set(known)
    if unknown:
        raise NotebookError(f"{nb.name}: unknown parameter(s) {sorted(unknown)}; this notebook takes {sorted(known)}")
    out_root = project_path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / nb.stem
    # a notebook's folder from before the marker existed holds its executed notebook
    with atomic_folder(final, written_by_tool=lambda f: (f / nb.name).exists()) as tmp:
        parameters["out_dir"] = str(tmp)
        executed = tmp / nb.name
        pm.execute_notebook(str(nb), str(executed), parameters=parameters, kernel_name=kernel,
                            cwd=str(ROOT), progress_bar=False, log_output=False)
        if html_export:
            _to_html(executed, tmp / f"{nb.stem}.html")
    return final


def _to_html(ipynb: Path, target: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(str(ipynb), as_version=4))
    target.write_text(body, encoding="utf-8")


def run_all(out_root: str | os.PathLike = "outputs", parameters_file: Optional[str] = None,
            only: Optional[list[str]] = None, kernel: str = KERNEL) -> Path:
    """Run every notebook (or ``only`` these) and write ``out_root/index.html``.

    ``parameters_file``: YAML with a section per notebook stem (and ``all`` for shared values).
    """
    import yaml
    from tqdm.auto import tqdm

    params_by_nb = {}
    if parameters_file:
        params_by_nb = yaml.safe_load(project_path(parameters_file).read_text(encoding="utf-8")) or {}
    selected = [find_notebook(n) for n in only] if only else notebooks()
    out_root = project_path(out_root)
    timings = {}
    bar = tqdm(selected, desc="notebooks", unit="nb")
    for nb in bar:
        bar.set_postfix_str(nb.stem)
        params = {k: v for k, v in (params_by_nb.get("all") or {}).items() if k in notebook_parameters(nb)}
        params.update(params_by_nb.get(nb.stem) or {})
        start = time.perf_counter()
        run_notebook(nb, out_root, params, kernel=kernel)
        timings[nb.stem] = time.perf_counter() - start
    return write_index(out_root, timings)


def write_index(out_root: Path, timings: Optional[dict[str, float]] = None) -> Path:
    """One page linking each executed notebook's HTML, with its key figure and answer."""
    out_root = project_path(out_root)
    cards = []
    for nb in notebooks():
        d = out_root / nb.stem
        if not d.exists():
            continue
        answer = _read_json(d / "answer.json", {"question": "", "answer": "(no answer recorded)"})
        figures = _read_json(d / "figures.json", {})
        key = next((f for f in figures.values() if f.get("key")), next(iter(figures.values()), None))
        img = (f'<a href="{nb.stem}/{key["file"]}"><img src="{nb.stem}/{key["file"]}" alt="{html.escape(key["title"])}"></a>'
               if key else "")
        took = f" &middot; {timings[nb.stem]:.0f} s" if timings and nb.stem in timings else ""
        cards.append(f"""<section>
<h2><a href="{nb.stem}/{nb.stem}.html">{html.escape(nb.stem.replace('_', ' '))}</a></h2>
<p class="q">{html.escape(answer['question'])}</p>
{img}
<p class="a">{html.escape(answer['answer'])}</p>
<p class="links"><a href="{nb.stem}/{nb.stem}.html">notebook</a> &middot; <a href="{nb.stem}/{nb.name}">.ipynb</a>{took}</p>
</section>""")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trajecten en plekken: analyses</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
section{{border-top:1px solid #ccc;padding:1em 0}} img{{max-width:100%}} .q{{font-style:italic}}
.a{{font-weight:bold}} .links{{font-size:90%}}</style></head>
<body><h1>Trajecten en plekken: analyses</h1>
<p>Generated {dt.datetime.now():%Y-%m-%d %H:%M} by <code>make run</code>. Each section links the executed notebook.</p>
{''.join(cards)}
</body></html>
"""
    path = out_root / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
