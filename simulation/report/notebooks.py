"""Notebooks as functions: run them with papermill, collect figures, tables and answers, write the report.

Every analysis notebook in ``notebooks/`` has a cell tagged ``parameters`` (papermill) and
writes its figures, tables and answer into ``out_dir`` with the helpers below, so the index
page can show them without parsing notebooks. ``run_all`` (``python -m simulation report``)
writes ``outputs/<notebook>/`` (executed notebook, reader's page, PNGs, CSVs, workbook),
``outputs/manifest.json`` and ``outputs/index.html``; docs/report.md describes them.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from simulation._lazy import papermill as pm
from simulation.config.files import load_yaml
from simulation._lazy import tqdm, traitlets_config

from simulation.experiment.store import MARKER, OutputFolderError, atomic_folder
from simulation.report import exports, pages, texts
from simulation.report.axes import dutch_ticks
from simulation.report.instances import instance_names, instance_title, split
from simulation.report import manifest as report_manifest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL = "simulation"
FAILED = "failed"   # partly executed copies of failed notebooks, under the output root
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


def save_figure(fig, out_dir, name: str, source: str, key: bool = False) -> None:
    """Save a figure as PNG with its source line and show it in the notebook's output (so the page embeds it).

    Its axes get Dutch numbers (``axes.dutch_ticks``). ``key`` marks the figure of the index page. Refuses a
    figure without a title or axis labels: users read figures, not code. Returns nothing (no path printed).
    """
    for ax in fig.axes:
        if not ax.get_visible() or not ax.has_data():
            continue
        if not (ax.get_title() or fig._suptitle is not None):
            raise ValueError(f"figure {name!r}: every figure needs a title")
        if not ax.get_xlabel() or not ax.get_ylabel():
            raise ValueError(f"figure {name!r}: axes need labels with units")
    dutch_ticks(fig)
    fig.text(0.01, 0.005, source, fontsize=7, color="0.35", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    d = output_dir(out_dir)
    path = d / f"{name}.png"
    fig.savefig(path, dpi=110)
    manifest = _read_json(d / "figures.json", {})
    manifest[name] = {"file": path.name, "key": key, "title": _figure_title(fig)}
    (d / "figures.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _show_inline(path)


def _show_inline(png: Path) -> None:
    """Display the saved PNG as the cell's image/png output when running in a kernel (nbval, papermill, Jupyter)."""
    from IPython import get_ipython
    from IPython.display import Image, display

    if get_ipython() is not None:
        display(Image(filename=str(png)))


def save_table(frame, out_dir, name: str):
    """Write the table as ``name.csv`` for Dutch Excel (';', decimal comma, rounded, Dutch headers) and as a
    sheet of the notebook's workbook (``tabellen.xlsx``; the report names it after the notebook).

    Returns the table as written (rounded, Dutch headers and names), for a notebook to show (no row numbers).
    """
    d = output_dir(out_dir)
    exports.write_csv(frame, d / f"{name}.csv")
    exports.add_sheet(frame, d / exports.WORKBOOK, name)
    return texts.without_row_numbers(exports.dutch_table(frame)[0])


def save_answer(out_dir, question: str, answer: str, *, uncertainty: str = "",
                assumptions: Sequence[str] = ()) -> str:
    """Record the notebook's question, its computed answer, its uncertainty and the assumptions it rests on
    (all shown on the index page)."""
    d = output_dir(out_dir)
    record = {"question": question, "answer": answer, "uncertainty": uncertainty, "assumptions": list(assumptions)}
    (d / "answer.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
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
    """The notebook of a number or name; an instance name (``10_regio_scenario-achterhoek``) names its notebook."""
    name = split(name)[0]
    for nb in notebooks():
        if nb.stem == name or nb.stem.split("_", 1)[0] == name.zfill(2) or nb.name == name:
            return nb
    raise NotebookError(f"geen notebook {name!r}; beschikbaar: {[nb.stem for nb in notebooks()]}")


def notebook_parameters(nb: Path) -> dict[str, Any]:
    """The default parameters of a notebook (its cell tagged 'parameters')."""
    return {name: info["default"] for name, info in pm.inspect_notebook(str(nb)).items()}


def _kernel_config() -> traitlets_config.Config:
    # IPC sockets instead of TCP: the kernel talks to papermill through files only this user can
    # reach, and ipykernel (>= 7) no longer warns "Kernel is running over TCP without encryption".
    config = traitlets_config.Config()
    config.KernelManager.transport = "ipc"
    return config


def run_notebook(nb: Path, out_root: Path, parameters: Optional[dict[str, Any]] = None,
                 kernel: str = KERNEL, html_export: bool = True, entry: Optional[dict[str, Any]] = None,
                 name: Optional[str] = None) -> Path:
    """Execute one notebook with papermill into ``out_root/<name>/`` (written atomically; ``name``: the
    instance, report/instances.py, default the notebook's stem).

    Unknown parameter names are refused before anything runs. ``entry`` is the notebook's manifest
    entry (its provenance, shown on the page and in the workbook's 'bron' sheet); it gets the status,
    the seconds taken and, on failure, the error. A failing notebook is kept, partly executed, as
    ``out_root/failed/NN.ipynb`` and ``NN.html``, its folder of an earlier run removed (it would look
    current), and its error raised.
    """
    parameters = dict(parameters or {})
    known = notebook_parameters(nb)
    unknown = set(parameters) - set(known)
    if unknown:
        raise NotebookError(f"{nb.name}: onbekende parameter(s) {sorted(unknown)}; dit notebook kent {sorted(known)}")
    out_root = project_path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    entry = entry if entry is not None else report_manifest.notebook_entry(
        parameters, ROOT, project_path, run=_run_id(), written_by=report_manifest.command_line())
    name = name or nb.stem
    final = out_root / name
    start = time.perf_counter()
    # a notebook's folder from before the marker existed holds its executed notebook
    with atomic_folder(final, written_by_tool=lambda f: (f / f"{name}.ipynb").exists()) as tmp:
        parameters["out_dir"] = str(tmp)
        executed = tmp / f"{name}.ipynb"   # the index links <name>/<name>.ipynb
        try:
            pm.execute_notebook(str(nb), str(executed), parameters=parameters, kernel_name=kernel,
                                cwd=str(ROOT), progress_bar=False, log_output=False, config=_kernel_config())
        except Exception as exc:
            entry.update(status="failed", error=_error_text(exc), seconds=time.perf_counter() - start)
            _keep_failed(executed, out_root, nb, entry, name)
            _drop_stale(final, nb)
            raise
        entry.update(status="ok", seconds=time.perf_counter() - start)
        entry.pop("error", None)
        baseline = _read_json(tmp / "baseline.json", None)   # written by report.stored_run.baseline
        if baseline is not None:
            entry["baseline"] = baseline
        _finish_exports(tmp, nb, entry, name)
        if html_export:
            pages.notebook_page(executed, tmp / f"{name}.html", report_manifest.provenance_line(entry))
    _readable(final)
    _drop_failed(out_root, nb, name)
    return final


def _readable(folder: Path) -> None:
    """The temporary folder was made 0700; give the notebook's folder the mode the user's umask allows (0755)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _finish_exports(folder: Path, nb: Path, entry: dict[str, Any], name: Optional[str] = None) -> None:
    """Name the notebook's workbook after it (its instance) and write its 'bron' sheet."""
    workbook = folder / exports.WORKBOOK
    if workbook.exists():
        target = workbook.rename(folder / f"{name or nb.stem}.xlsx")
        rows = [("Notebook", nb.name), *report_manifest.provenance_line(entry),
                *((f"Parameter {k}", json.dumps(v, ensure_ascii=False, default=str))
                  for k, v in entry.get("parameters", {}).items())]
        exports.write_source_sheet(target, rows)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, pm.PapermillExecutionError):
        return f"cel {exc.exec_count}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def _failed_paths(out_root: Path, nb: Path, name: Optional[str] = None) -> tuple[Path, Path]:
    suffix = split(name or nb.stem)[1]
    number = nb.stem.split("_", 1)[0] + (f"-{suffix}" if suffix else "")
    return out_root / FAILED / f"{number}.ipynb", out_root / FAILED / f"{number}.html"


def _keep_failed(executed: Path, out_root: Path, nb: Path, entry: dict[str, Any], name: Optional[str] = None) -> None:
    """Keep the partly executed notebook (papermill's convention) and its page, with the code, for debugging."""
    if not executed.exists():
        return
    ipynb, page = _failed_paths(out_root, nb, name)
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    (ipynb.parent / MARKER).touch()
    shutil.copyfile(executed, ipynb)
    pages.notebook_page(ipynb, page, report_manifest.provenance_line(entry), failed=entry.get("error", "failed"))


def _drop_stale(final: Path, nb: Path) -> None:
    """Remove the notebook's folder of an earlier run after it failed now, so the folders agree with the index
    (which links the failed copy). Only a folder the tool wrote (MARKER, or an executed notebook in it) goes."""
    if final.is_dir() and ((final / MARKER).exists() or (final / nb.name).exists()):
        shutil.rmtree(final)


def _drop_failed(out_root: Path, nb: Path, name: Optional[str] = None) -> None:
    for path in _failed_paths(out_root, nb, name):
        path.unlink(missing_ok=True)


def _run_id() -> str:
    return f"{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}"


class ReportFailed(RuntimeError):
    """Some notebooks failed; the index (with their errors) was written all the same."""

    def __init__(self, index: Path, failures: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in failures.items()))
        self.index, self.failures = index, failures


def report_parameters(selected: list[Path], by_notebook: dict[str, Any], overrides: dict[str, Any]) -> dict:
    """Each notebook's (each instance's) parameters: its defaults < the file's ``all`` < its own section
    < ``overrides`` (--set); keyed by instance name (report/instances.py; the stem without instances).

    ``all`` and ``overrides`` reach every notebook that has the parameter; an override that no
    selected notebook takes is refused, and so is an unknown name in a notebook's own section.
    """
    out, used = {}, set()
    for nb, name in _runs(selected, by_notebook):
        known = notebook_parameters(nb)
        params = {k: v for k, v in (by_notebook.get("all") or {}).items() if k in known}
        own = by_notebook.get(name) or {}
        unknown = sorted(set(own) - set(known))
        if unknown:
            raise NotebookError(f"{name}: onbekende parameter(s) {unknown} in het parameterbestand; "
                                f"dit notebook kent {sorted(known)}")
        params.update(own)
        params.update({k: v for k, v in overrides.items() if k in known})
        used |= set(overrides) & set(known)
        out[name] = params
    unused = sorted(set(overrides) - used)
    if unused:
        raise NotebookError(f"--set {unused}: geen gekozen notebook heeft zo'n parameter")
    return out


def run_all(out_root: str | os.PathLike = "outputs", parameters_file: Optional[str] = None,
            only: Optional[list[str]] = None, kernel: str = KERNEL,
            overrides: Optional[dict[str, Any]] = None, command: Optional[str] = None) -> Path:
    """Run every notebook (or ``only`` these) and write ``out_root/index.html`` and ``manifest.json``.

    ``parameters_file``: YAML with a section per notebook stem (and ``all`` for shared values);
    ``overrides`` (``--set``) go to every notebook that has the parameter. A failing notebook does
    not stop the others: the index shows its error, and ReportFailed is raised at the end.
    ``command``: the command line recorded in the manifest (default: this process's).
    """
    by_notebook = {}
    if parameters_file:
        path = project_path(parameters_file)
        if not path.is_file():
            raise NotebookError(f"--parameters {parameters_file}: bestand niet gevonden")
        by_notebook = load_yaml(path.read_text(encoding="utf-8")) or {}
    selected = [find_notebook(n) for n in only] if only else notebooks()
    params = report_parameters(selected, by_notebook, dict(overrides or {}))
    out_root = project_path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    manifest = report_manifest.read_manifest(out_root)
    run = _run_id()
    manifest.update(run=run, written_by=command or report_manifest.command_line(), written_at=report_manifest.now(),
                    parameters_file=parameters_file, overrides=dict(overrides or {}))
    failures = {}
    for nb, name in tqdm.tqdm(_runs(selected, by_notebook), desc="notebooks", unit="nb"):
        entry = report_manifest.notebook_entry(params[name], ROOT, project_path, run, manifest["written_by"])
        manifest["notebooks"][name] = entry
        try:
            run_notebook(nb, out_root, params[name], kernel=kernel, entry=entry, name=name)
        except (NotebookError, OutputFolderError):
            raise
        except Exception:
            failures[name] = entry["error"]
    index = write_index(out_root, manifest)
    if failures:
        raise ReportFailed(index, failures)
    return index


def run_one(name: str, out_root: str | os.PathLike = "outputs", overrides: Optional[dict[str, Any]] = None,
            kernel: str = KERNEL, command: Optional[str] = None) -> Path:
    """Run one notebook with the parameters the report gave it (from the manifest), ``overrides`` on top.

    Without a report, the notebook's own defaults. The index is rewritten; when the parameters or the
    commit differ from the report's, the notebook gets its own run id and the index says it is mixed.
    """
    nb = find_notebook(name)
    key = nb.stem + (f"-{split(name)[1]}" if split(name)[1] else "")   # an instance: report/instances.py
    out_root = project_path(out_root)
    manifest = report_manifest.read_manifest(out_root)
    prior = manifest["notebooks"].get(key)
    params = dict(prior["parameters"]) if prior else {}
    params.update(overrides or {})
    unknown = sorted(set(params) - set(notebook_parameters(nb)))
    if unknown:
        raise NotebookError(f"{nb.name}: onbekende parameter(s) {unknown}; dit notebook kent "
                            f"{sorted(notebook_parameters(nb))}")
    command = command or report_manifest.command_line()
    run = prior["run"] if report_manifest.same_run(prior, params, ROOT) else _run_id()
    if "run" not in manifest:
        manifest.update(run=run, written_by=command, written_at=report_manifest.now())
    entry = report_manifest.notebook_entry(params, ROOT, project_path, run, command)
    manifest["notebooks"][key] = entry
    try:
        final = run_notebook(nb, out_root, params, kernel=kernel, entry=entry, name=key)
    except Exception:
        if entry["status"] != "failed":
            raise
        raise ReportFailed(write_index(out_root, manifest), {key: entry["error"]}) from None
    write_index(out_root, manifest)
    return final


def write_index(out_root: Path, manifest: Optional[dict[str, Any]] = None) -> Path:
    """Write ``manifest.json`` (summary fields, installed packages) and the Dutch index page beside it."""
    out_root = project_path(out_root)
    manifest = manifest if manifest is not None else report_manifest.read_manifest(out_root)
    manifest.setdefault("notebooks", {})
    report_manifest.summary(manifest)
    manifest["packages"] = report_manifest.packages()
    report_manifest.write_manifest(out_root, manifest)
    titles = {name: instance_title(_title(nb), name) for nb in notebooks()
              for name in instance_names(nb.stem, manifest["notebooks"])}
    return pages.write_index(out_root, manifest, titles)


def _runs(selected: list[Path], sections: dict) -> list[tuple[Path, str]]:
    """(notebook, instance name) of every run: a notebook's instance sections, else the notebook itself."""
    return [(nb, name) for nb in selected for name in instance_names(nb.stem, sections)]


def _title(nb: Path) -> str:
    """The notebook's first heading ('# 01 Quick start: ...'), or its name."""
    for cell in json.loads(nb.read_text(encoding="utf-8")).get("cells", []):
        text = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown" and text.startswith("# "):
            return text.splitlines()[0][2:].strip()
    return nb.stem.replace("_", " ")
