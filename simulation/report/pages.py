"""The report's pages: each executed notebook as a reader's HTML page, and the index that leads to them.

Tool: nbconvert with a small template (``templates/rapport``) on top of its ``lab`` layout.
nbconvert already comes with papermill and Jupyter, so the report needs nothing more to install
(Quarto or Jupyter Book would add a large download or a second build tool to CI); the template
hides code (``exclude_input``), sets ``lang``, adds the provenance header and a contents list.
Figures are ``image/png`` outputs of the notebooks (``save_figure`` displays them), which
nbconvert embeds as data URIs, so a page is one self-contained file that can be passed on.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Optional

from simulation._lazy import nbformat
from simulation._lazy import nbconvert

from simulation.report.labels import number

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGE = "nl"
TITLE = "Trajecten en plekken: analyses"


def notebook_page(ipynb: Path, target: Path, provenance: list[tuple[str, str]], index_href: str = "../index.html",
                  failed: str = "", language: str = LANGUAGE) -> Path:
    """Write the reader's page of an executed notebook: no code (unless it failed), provenance on top."""
    exporter = nbconvert.HTMLExporter(template_name="rapport", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=not failed, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, language_code=language)
    resources = {"rapport": {"provenance": provenance, "index_href": index_href, "failed": failed}}
    body, _ = exporter.from_notebook_node(nbformat.read(str(ipynb), as_version=4), resources=resources)
    target.write_text(body.replace("<!--INHOUD-->", _contents(body), 1), encoding="utf-8")
    return target


def _contents(body: str) -> str:
    """A contents list of the page's h2 headings (nbconvert gives every heading an id)."""
    items = [(hid, re.sub(r"<[^>]+>", "", text).replace("¶", "").strip())
             for hid, text in re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', body, flags=re.S)]
    if not items:
        return ""
    links = "".join(f'<li><a href="#{hid}">{html.escape(html.unescape(text))}</a></li>' for hid, text in items)
    return f'<nav aria-label="Inhoud"><strong>Inhoud</strong><ol>{links}</ol></nav>'


def provenance_html(manifest: dict[str, Any]) -> str:
    """The short provenance header of the index: commit, scenario and hash, seed, replications, who wrote it."""
    sc = manifest.get("scenario") or {}
    seed, reps = manifest.get("seed"), manifest.get("replications")
    parts = [f"commit {html.escape(', '.join(manifest.get('commits') or ['unknown']))}"]
    if sc:
        parts.append(f"scenario {html.escape(sc['path'])} (sha256 {html.escape(sc['sha256'][:12])})")
    parts.append(f"seed {seed}" if seed is not None else "seed verschilt per notebook")
    parts.append(f"replicaties {reps}" if reps is not None else "replicaties per notebook (zie onder)")
    reused = manifest.get("reused_runs") or {}
    if reused:
        parts.append("basisrun uit " + ", ".join(sorted({html.escape(r) for r in reused.values()}))
                     + f" (notebook {', '.join(sorted(k[:2] for k in reused))})")
    parts.append(f"gemaakt {html.escape(manifest.get('written_at', ''))} met "
                 f"<code>{html.escape(manifest.get('written_by', 'onbekend'))}</code>")
    return ('<p class="herkomst" id="herkomst"><strong>Herkomst:</strong> ' + " &middot; ".join(parts)
            + ' &middot; <a href="manifest.json">manifest.json</a> (parameters per notebook, pakketversies)</p>')


def write_index(out_root: Path, manifest: dict[str, Any], titles: dict[str, str]) -> Path:
    """One Dutch page: provenance, contents, and per analysis (``titles``: notebook stem -> title, in order)
    its question, answer, uncertainty, key figure and assumptions."""
    entries = manifest.get("notebooks", {})
    report_run = manifest.get("run")
    cards, toc, warnings = [], [], []
    for stem, heading in titles.items():
        entry = entries.get(stem)
        folder = out_root / stem
        if entry is None and not folder.exists():
            continue
        title = html.escape(heading)
        toc.append(f'<li><a href="#{stem}">{title}</a></li>')
        if entry is None:
            warnings.append(f"{title}: herkomst onbekend (geschreven voor er een manifest was)")
        elif entry.get("run") != report_run:
            warnings.append(f"{title}: los uitgevoerd met <code>{html.escape(entry.get('written_by', ''))}</code> "
                            f"op {html.escape(entry.get('started', ''))}, parameters: "
                            f"{html.escape(_params_text(entry.get('parameters', {})))}")
        cards.append(_failed_card(stem, title, entry) if entry and entry.get("status") == "failed"
                     else _card(folder, stem, title, entry))
    mixed = ""
    if warnings:
        mixed = ('<div class="gemengd"><strong>Let op: gemengd overzicht.</strong> Niet alle analyses komen uit '
                 'dezelfde run:<ul>' + "".join(f"<li>{w}</li>" for w in warnings) + "</ul></div>")
    page = f"""<!doctype html>
<html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{TITLE}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}}
section{{border-top:1px solid #ccc;padding:1em 0}} img{{max-width:100%}} .q{{font-style:italic}}
.a{{font-weight:bold}} .links,.herkomst{{font-size:90%}}
.herkomst{{color:#444;border-left:4px solid #4c72b0;padding:.3em .8em;background:#f4f6fa}}
.gemengd,.mislukt{{border-left:4px solid #c44e52;background:#fbeeee;padding:.3em .8em}}</style></head>
<body><h1>{TITLE}</h1>
{provenance_html(manifest)}
{mixed}
<nav aria-label="Inhoud"><h2>Inhoud</h2><ol>{''.join(toc)}</ol></nav>
{''.join(cards)}
</body></html>
"""
    path = out_root / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _card(folder: Path, stem: str, title: str, entry: Optional[dict[str, Any]]) -> str:
    answer = _read(folder / "answer.json", {"question": "", "answer": "(geen antwoord vastgelegd)"})
    figures = _read(folder / "figures.json", {})
    key = next((f for f in figures.values() if f.get("key")), next(iter(figures.values()), None))
    img = (f'<figure><a href="{stem}/{key["file"]}"><img src="{stem}/{key["file"]}" '
           f'alt="{html.escape(key["title"])}"></a><figcaption>Kernfiguur: {html.escape(key["title"])}'
           f'</figcaption></figure>' if key else "")
    uncertainty = (f'<p><strong>Onzekerheid.</strong> {html.escape(answer["uncertainty"])}</p>'
                   if answer.get("uncertainty") else "")
    assumptions = [html.escape(a) for a in answer.get("assumptions", [])]
    if entry:
        assumptions.append("Uitgangspunten van deze run: " + html.escape(_params_text(entry.get("parameters", {}))))
    rests = ("<p><strong>Waar het antwoord op rust.</strong></p><ul>"
             + "".join(f"<li>{a}</li>" for a in assumptions) + "</ul>") if assumptions else ""
    took = f" &middot; {number(entry['seconds'])} s" if entry and entry.get("seconds") is not None else ""
    xlsx = f' &middot; <a href="{stem}/{stem}.xlsx">tabellen (.xlsx)</a>' if (folder / f"{stem}.xlsx").exists() else ""
    return f"""<section id="{stem}">
<h2><a href="{stem}/{stem}.html">{title}</a></h2>
<p class="q"><strong>Vraag.</strong> {html.escape(answer['question'])}</p>
<p class="a"><strong>Antwoord.</strong> {html.escape(answer['answer'])}</p>
{uncertainty}{img}{rests}
<p class="links"><a href="{stem}/{stem}.html">volledige analyse</a>{xlsx} &middot; <a href="{stem}/{stem}.ipynb">notebook (.ipynb)</a>{took}</p>
</section>"""


def _failed_card(stem: str, title: str, entry: dict[str, Any]) -> str:
    number_ = stem.split("_", 1)[0]
    return f"""<section id="{stem}">
<h2>{title}</h2>
<p class="mislukt"><strong>Mislukt.</strong> {html.escape(entry.get('error', ''))}</p>
<p class="links">De deels uitgevoerde notebook: <a href="failed/{number_}.html">pagina</a> &middot;
<a href="failed/{number_}.ipynb">.ipynb</a></p>
</section>"""


def _params_text(parameters: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in parameters.items())


def _read(path: Path, default):
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default
