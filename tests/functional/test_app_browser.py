"""The what-if page in a real headless browser (Debian's Chromium through Playwright).

Starts ``python -m simulation.app`` on a free port, asks the Venlo S3 question as in the scenario
(difference 0), changes the plekken of a provider and sees the answer change with its 95% interval,
enters a negative plek count and sees the CLI's field message next to the field (and no new answer),
downloads the .xlsx, types a tariff in Dutch format ('12.345,60') that changes the answer, and a behaviour
factor with a decimal point ('1.1': a Dutch message under the field) and then the Dutch way ('1,1').
Screenshots go to outputs/app/ for people to look at.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "outputs" / "app"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS / "server.log", "w")   # a file, not a pipe nobody reads (a full pipe would block the server)
    proc = subprocess.Popen([sys.executable, "-m", "simulation.app", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert proc.poll() is None, (SHOTS / "server.log").read_text()
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()   # the app closes its pool on SIGTERM
        try:
            proc.wait(timeout=30)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # and whatever of its group is left
            except ProcessLookupError:
                pass
            log.close()


def launch(p):
    """Debian's Chromium (Playwright's own browser download cannot be reached); one retry on a loaded machine."""
    try:
        return p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], timeout=90_000)
    except sync_api.TimeoutError:
        return p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], timeout=90_000)


def set_number(page, selector: str, value) -> None:
    box = page.locator(f"{selector} input")
    box.fill(str(value))
    box.press("Enter")


def answer_rows(page) -> pd.DataFrame:
    cells = page.locator(".antwoord table").first.evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim()))")
    assert cells and "Maat" in cells[0], cells[:2]
    return pd.DataFrame(cells[1:], columns=cells[0])


def text(page, selector: str) -> str:
    """The text a pane shows (inside its shadow root: Playwright's CSS selectors pierce it)."""
    found = page.locator(f"{selector} p")
    return " ".join(found.all_inner_texts())


def wait_answer(page, previous: str | None, timeout=150_000) -> str:
    """Wait until the status line names a new answer; return it."""
    deadline = time.time() + timeout / 1000
    while time.time() < deadline:
        shown = text(page, ".status")
        if shown.startswith("Antwoord") and shown != previous:
            return shown
        page.wait_for_timeout(300)
    raise AssertionError(f"no answer within {timeout / 1000:.0f} s; status: {shown!r}")


def spend_row(rows: pd.DataFrame, year: str) -> pd.Series:
    return rows[(rows["Maat"] == "Uitgaven") & (rows["Jaar"] == year)].iloc[0]


def test_plekken_for_venlo_s3_change_the_answer_a_bad_value_shows_the_message_and_the_xlsx_downloads(app_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(120_000)   # a loaded 2-core machine is slow; the assertions below do the checking
        page.goto(app_url)
        page.locator(".bereken button").wait_for(timeout=60_000)
        assert page.locator(".gemeente select").input_value() == "Venlo"
        set_number(page, ".veld-horizon", 2)
        set_number(page, ".veld-replications", 4)
        page.locator(".bereken button").click()
        first = wait_answer(page, None)
        same = spend_row(answer_rows(page), "2022")
        assert same["Verschil"] == "€ 0", same      # the scenario against itself: no difference

        set_number(page, ".plekken-jeugd_regio_a", 30)   # Venlo buys 30 plekken at regional provider A, not 66
        page.locator(".bereken button").click()
        wait_answer(page, first)
        rows = answer_rows(page)
        changed = spend_row(rows, "2022")
        page.screenshot(path=str(SHOTS / "antwoord.png"))
        assert changed["Basis"] == same["Basis"]            # common random numbers: the same baseline
        assert changed["Wat-als"] != same["Wat-als"] and changed["Verschil"] != "€ 0"
        low, _, high = changed["95%-BI van het verschil"].partition(" tot ")
        assert low.startswith("€") and high.startswith("€"), changed
        wait = rows[(rows["Maat"] == "Wachttijd, gemiddeld (dagen)") & (rows["Jaar"] == "2022")].iloc[0]
        assert " tot " in wait["95%-BI van het verschil"]

        with page.expect_download(timeout=60_000) as download:
            page.locator(".download-xlsx button, .download-xlsx a").first.click()
        workbook = pd.read_excel(download.value.path(), sheet_name=None)
        assert {"antwoord", "per_replicatie", "samenvatting", "aannames"} <= set(workbook)
        sheet = workbook["antwoord"]
        spend = sheet[(sheet["measure"] == "uitgaven") & (sheet["year"] == 2022)].iloc[0]
        assert spend["whatif"] != spend["baseline"]

        status = text(page, ".status")
        set_number(page, ".plekken-jeugd_regio_a", -5)
        page.locator(".bereken button").click()
        message = page.locator(".fout-plekken-jeugd_regio_a")
        shown = message.get_by_text("plekken").first
        shown.wait_for(timeout=60_000)
        shown = shown.inner_text()
        assert "-5" in shown and "plekken" in shown, shown
        assert "funding.contracts" not in shown and "Plekken per jaar" in shown, shown   # the reader's words, no path
        page.locator(".status").get_by_text("niets gerekend").wait_for(timeout=60_000)   # the status follows the field
        assert status.startswith("Antwoord")
        page.screenshot(path=str(SHOTS / "foutmelding.png"), full_page=True)

        set_number(page, ".plekken-jeugd_regio_a", 30)
        assert page.locator(".tarief-dagbehandeling input").input_value() == "11.205,65"   # Dutch, as in the scenario
        set_number(page, ".tarief-dagbehandeling", "12.345,60")   # typed the Dutch way: comma decimal, dot thousands
        page.locator(".bereken button").click()
        wait_answer(page, None)   # the status showed the field error until now: the next 'Antwoord' is new
        dearer = spend_row(answer_rows(page), "2022")
        assert dearer["Basis"] == same["Basis"] and dearer["Wat-als"] != changed["Wat-als"], (dearer, changed)

        assert page.locator(".veld-intensity_factor input").input_value() == "1"
        set_number(page, ".veld-intensity_factor", "1.1")   # a decimal point: a Dutch message under the field
        page.locator(".bereken button").click()
        factor = page.locator(".fout-intensity_factor").get_by_text("Nederlandse notatie").first
        factor.wait_for(timeout=60_000)
        assert "'1,1'" in factor.inner_text(), factor.inner_text()
        page.locator(".status").get_by_text("niets gerekend").wait_for(timeout=60_000)
        set_number(page, ".veld-intensity_factor", "1,1")   # typed the Dutch way: the answer rests on it
        page.locator(".bereken button").click()
        wait_answer(page, None)
        assert "1,10" in page.locator(".gedrag td").all_inner_texts(), page.locator(".gedrag td").all_inner_texts()
        assert not page.locator(".fout-intensity_factor").get_by_text("Nederlandse notatie").first.is_visible()
        browser.close()
