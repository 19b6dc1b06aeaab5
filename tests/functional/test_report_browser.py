"""The built report as a reader sees it, in a real headless Chromium (Debian's chromium + chromedriver).

One small report (notebooks 01 and 04, 2 replications, seed 7, through the ``report`` command as
``make run SEED=7 REPLICATIONS=2`` calls it) is built once for the module; screenshots of the
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

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["01_quick_start", "04_funding_variants"]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SCREENSHOTS = ROOT / "outputs" / "screenshots"


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    commit = _head()
    code = main(["report", "--only", *[n[:2] for n in NOTEBOOKS], "--set", "seed=7", "--set", "replications=2",
                 "--out", str(out)])
    assert code == 0
    (out / "expected_commit").write_text(commit)
    return out


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (the dev extras)")
    assert CHROMIUM and CHROMEDRIVER, "needs Debian's chromium and chromium-driver (.ci/run installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _open(driver, path: Path) -> None:
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")   # get() waits for the load event
    assert driver.execute_script("return document.readyState") == "complete"


def _screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 12000))
    driver.save_screenshot(str(SCREENSHOTS / name))
    driver.set_window_size(1280, 1000)


def _check_page(driver, path: Path, commit: str) -> str:
    _open(driver, path)
    assert driver.execute_script("return document.documentElement.lang") == "nl", path.name
    text = driver.find_element("tag name", "body").text
    for bad in ("PosixPath", "Traceback", "TqdmWarning", "without encryption"):
        assert bad not in text, f"{path.name} shows {bad!r}"
    code = driver.execute_script("return document.querySelectorAll("
                                 "'.jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-InputPrompt').length")
    assert code == 0, f"{path.name} shows {code} code cells"
    broken = driver.execute_script("return Array.from(document.images).filter("
                                   "i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
    assert not broken, f"{path.name}: images that do not load: {broken}"
    header = driver.find_element("id", "herkomst").text
    assert commit in header and re.search(r"\bseed 7\b", header, re.I), f"{path.name} header: {header}"
    return text


def test_the_report_reads_in_a_browser(report, browser):
    commit = (report / "expected_commit").read_text()   # HEAD when the report was built
    _check_page(browser, report / "index.html", commit)
    linked = {Path(a.get_attribute("href")).name for a in browser.find_elements("css selector", "a[href$='.html']")}
    assert {f"{n}.html" for n in NOTEBOOKS} <= linked, f"index links {linked}"
    index_images = browser.execute_script("return document.images.length")
    assert index_images == len(NOTEBOOKS), "one key figure per analysis on the index"
    _screenshot(browser, "index.png")
    for i, stem in enumerate(NOTEBOOKS):
        _check_page(browser, report / stem / f"{stem}.html", commit)
        images = browser.execute_script("return Array.from(document.images).map(i => i.src.slice(0, 22))")
        saved = json.loads((report / stem / "figures.json").read_text())
        embedded = [s for s in images if s.startswith("data:image/png")]
        assert len(embedded) >= len(saved), f"{stem}: {len(saved)} figures saved, {len(embedded)} embedded inline"
        assert browser.find_elements("css selector", "nav[aria-label='Inhoud'] li"), f"{stem}: no contents list"
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
    code = main(["report", "--only", "01", "--set", "horizon_years=-1", "--out", str(tmp_path)])
    assert code == 1
    err = capfd.readouterr().err   # capfd: the kernel's own stderr too
    assert "notebook 01_quick_start failed" in err
    assert "without encryption" not in err and "TqdmWarning" not in err
    assert (tmp_path / "failed" / "01.ipynb").exists() and (tmp_path / "failed" / "01.html").exists()
    assert not (tmp_path / "01_quick_start").exists()
    entry = json.loads((tmp_path / "manifest.json").read_text())["notebooks"]["01_quick_start"]
    assert entry["status"] == "failed" and "horizon_years" in entry["error"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Mislukt" in index and "horizon_years" in index and 'href="failed/01.html"' in index
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
