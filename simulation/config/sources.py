"""How a scenario file names where a number comes from: an assumption label (English or Dutch) or a document."""
from __future__ import annotations

import re

ASSUMPTION_RE = re.compile(r"assumption|aanname", re.I)
# a reference to one of the documents 000-004 with its place: "004 par. 6", "004 bijlage 1", "001 (Diah)", "002:"
DOCUMENT_RE = re.compile(r"\b00[0-4](?:\s+par\.|\s+annex|\s+bijlage|\s*\(|:)", re.I)
