"""The built report as a reader sees it, in a real headless Chromium (Debian's /usr/bin/chromium via Playwright).

One small report (notebooks 01 and 04, 2 replications, seed 7, one year, through the ``report`` command as
``make run SEED=7 REPLICATIONS=2`` calls it, after the stored run that ``make run`` writes first) is built
once for the module; screenshots of the
index and one page go to outputs/screenshots/ for people to look at.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from simulation.cli.main import main
from simulation.experiment.store import MARKER

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["01_quick_start", "04_funding_variants"]
CHROMIUM = Path("/usr/bin/chromium")   # Debian's (.ci/run installs it); Playwright's own download cannot be reached
SCREENSHOTS = ROOT / "outputs" / "screenshots"


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    runs = tmp_path_factory.mktemp("runs")
    commit = _head()
    # the stored run make run writes first (here with notebook 01's default horizon), which 01 then reads
    assert main(["run", "params/noord-limburg.yaml", "--seed", "7", "--replications", "2", "--quiet",
                 "--set", "horizon_years=1", "--out", str(runs / "noord-limburg")]) == 0
    code = main(["report", "--only", *[n[:2] for n in NOTEBOOKS], "--set", "seed=7", "--set", "replications=2",
                 "--set", "horizon_years=1", "--set", f"runs_dir={runs}", "--out", str(out)])
    assert code == 0
    (out / "runs_dir").write_text(str(runs))
    (out / "expected_commit").write_text(commit)
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extras)")
    assert CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"],
                                     timeout=90_000)
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        yield page
        chromium.close()


def _open(page, path: Path) -> None:
    page.goto(path.as_uri(), wait_until="load")
    assert page.evaluate("document.readyState") == "complete"


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _check_page(page, path: Path, commit: str) -> str:
    _open(page, path)
    assert page.evaluate("document.documentElement.lang") == "nl", path.name
    text = page.inner_text("body")
    for bad in ("PosixPath", "Traceback", "TqdmWarning", "without encryption"):
        assert bad not in text, f"{path.name} shows {bad!r}"
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-InputPrompt").count()
    assert code == 0, f"{path.name} shows {code} code cells"
    broken = page.evaluate("Array.from(document.images).filter("
                           "i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
    assert not broken, f"{path.name}: images that do not load: {broken}"
    # what a notebook prints is prose: in the page's font, wrapped inside the page, not code
    printed = page.evaluate("""() => {
        const prose = document.querySelector('.jp-RenderedMarkdown p');
        const font = prose ? getComputedStyle(prose).fontFamily : null;
        return Array.from(document.querySelectorAll('.jp-RenderedText[data-mime-type="text/plain"] pre')).map(
            pre => [getComputedStyle(pre).fontFamily === font, pre.scrollWidth <= pre.clientWidth + 1,
                    pre.innerText.slice(0, 40)]);
    }""")
    odd = [text for same_font, fits, text in printed if not (same_font and fits)]
    assert not odd, f"{path.name}: printed text in a code font or past the page's edge: {odd}"
    header = page.inner_text("#herkomst")
    assert commit in header and re.search(r"\bseed 7\b", header, re.I), f"{path.name} header: {header}"
    return text


def test_the_report_reads_in_a_browser(report, browser):
    commit = (report / "expected_commit").read_text()   # HEAD when the report was built
    _check_page(browser, report / "index.html", commit)
    linked = {Path(h).name for h in browser.eval_on_selector_all("a[href$='.html']", "as => as.map(a => a.href)")}
    assert {f"{n}.html" for n in NOTEBOOKS} <= linked, f"index links {linked}"
    index_images = browser.evaluate("document.images.length")
    assert index_images == len(NOTEBOOKS), "one key figure per analysis on the index"
    _screenshot(browser, "index.png")
    for i, stem in enumerate(NOTEBOOKS):
        _check_page(browser, report / stem / f"{stem}.html", commit)
        images = browser.evaluate("Array.from(document.images).map(i => i.src.slice(0, 22))")
        saved = json.loads((report / stem / "figures.json").read_text())
        embedded = [s for s in images if s.startswith("data:image/png")]
        assert len(embedded) >= len(saved), f"{stem}: {len(saved)} figures saved, {len(embedded)} embedded inline"
        assert browser.locator("nav[aria-label='Inhoud'] li").count(), f"{stem}: no contents list"
        if i == 0:
            _screenshot(browser, f"{stem}.png")
    assert (SCREENSHOTS / "index.png").stat().st_size > 10_000


def test_seed_7_reaches_the_manifest_every_notebook_and_its_workbook(report):
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["replications"] == 2 and not manifest["mixed"]
    assert manifest["scenario"]["path"] == "params/noord-limburg.yaml" and len(manifest["scenario"]["sha256"]) == 64
    assert any(p.startswith("pandas==") for p in manifest["packages"])
    assert "report" in manifest["written_by"] and "--set seed=7" in manifest["written_by"]
    assert set(manifest["notebooks"]) == set(NOTEBOOKS)
    for stem, entry in manifest["notebooks"].items():
        assert entry["status"] == "ok" and entry["parameters"]["seed"] == 7, stem
        executed = nbformat.read(report / stem / f"{stem}.ipynb", as_version=4)
        injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert "seed = 7" in injected.source and "replications = 2" in injected.source
        assert "Seed 7" in (report / stem / f"{stem}.html").read_text(encoding="utf-8")
        wb = load_workbook(report / stem / f"{stem}.xlsx")
        assert wb.sheetnames[-1] == "bron" and len(wb.sheetnames) >= 2
        bron = dict(wb["bron"].iter_rows(min_row=2, values_only=True))
        assert bron["Seed"] == "7" and bron["Commit"] == entry["commit"]
        for csv in (report / stem).glob("*.csv"):
            head = csv.read_text(encoding="utf-8-sig").splitlines()[0]
            assert ";" in head or len(head.split(",")) == 1, f"{csv.name}: not semicolon-separated"


def test_notebook_01_reads_the_stored_run_and_the_manifest_says_so(report):
    manifest = json.loads((report / "manifest.json").read_text())
    stored = str(Path((report / "runs_dir").read_text()) / "noord-limburg")
    assert manifest["reused_runs"] == {"01_quick_start": stored}, "04 changes the scenario: it simulates"
    assert manifest["notebooks"]["01_quick_start"]["baseline"]["source"] == "opgeslagen run"
    page = (report / "01_quick_start" / "01_quick_start.html").read_text(encoding="utf-8")
    assert f"uit de opgeslagen run {stored}" in page
    assert "basisrun uit" in (report / "index.html").read_text(encoding="utf-8")


def test_make_run_passes_scenario_seed_and_replications_to_the_report():
    if not shutil.which("make"):
        pytest.skip("make not installed")
    dry = subprocess.run(["make", "-n", "run", "SEED=7", "REPLICATIONS=3"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    report_line = next(line for line in dry.splitlines() if "simulation report" in line)
    assert "--set seed=7" in report_line and "--set replications=3" in report_line
    plain = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PATH": "/usr/bin:/bin"}).stdout
    assert "--set" not in next(line for line in plain.splitlines() if "simulation report" in line)


def test_a_failing_notebook_is_kept_and_shown_and_the_others_still_run(tmp_path, capfd):
    stale = tmp_path / "01_quick_start"   # the folder of an earlier, successful run (written by the tool)
    stale.mkdir()
    (stale / MARKER).write_text("")
    (stale / "flow.png").write_bytes(b"old figure")
    (tmp_path / "notes").mkdir()   # a folder of the user's: left alone
    code = main(["report", "--only", "01", "--set", "horizon_years=-1", "--out", str(tmp_path)])
    assert code == 1
    err = capfd.readouterr().err   # capfd: the kernel's own stderr too
    assert "notebook 01_quick_start mislukt" in err
    assert "without encryption" not in err and "TqdmWarning" not in err
    assert (tmp_path / "failed" / "01.ipynb").exists() and (tmp_path / "failed" / "01.html").exists()
    assert not stale.exists(), "the earlier run's folder is removed: the index links the failed copy"
    assert (tmp_path / "notes").is_dir()
    entry = json.loads((tmp_path / "manifest.json").read_text())["notebooks"]["01_quick_start"]
    assert entry["status"] == "failed" and "horizon_years" in entry["error"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Mislukt" in index and "horizon_years" in index and 'href="failed/01.html"' in index
    assert 'href="01_quick_start/' not in index, "no link to the earlier run's page"
    executed = nbformat.read(tmp_path / "failed" / "01.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))


def test_one_notebook_with_other_parameters_marks_the_index_mixed(report):
    # runs after the checks above (pytest keeps the file's order): it changes the shared report
    assert main(["notebook", "01", "--set", "seed=8", "--out", str(report)]) == 0
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["mixed"] and manifest["seed"] is None
    entry = manifest["notebooks"]["01_quick_start"]
    assert entry["parameters"]["seed"] == 8 and entry["parameters"]["replications"] == 2, "the report's other values"
    assert "Seed 8" in (report / "01_quick_start" / "01_quick_start.html").read_text(encoding="utf-8")
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "gemengd overzicht" in index and "notebook 01 --set seed=8" in index
