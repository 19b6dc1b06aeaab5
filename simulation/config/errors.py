"""Validation errors as users read them, in Dutch: one line per problem with the field path (the YAML keys), what
is wrong, the fix and the value found once (no pydantic union tags in the path). Pydantic's own errors are
translated by their error type (``PYDANTIC_NL``); a type without a translation keeps pydantic's text."""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError


class FieldProblem(ValueError):
    """A validation problem at ``path`` (relative to the model that raised it), with the bad value."""

    def __init__(self, path: str, message: str, value: Any = None):
        super().__init__(message)
        self.path, self.message, self.value = path, message, value


def dutch_number(x: Any) -> str:
    """A number as users read it in a message: 1234.5 -> '1.234,5', 0.1 -> '0,1', 2.0 -> '2'; .inf -> 'oneindig'.
    Anything that is not a number is returned as text."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if math.isinf(x):
        return "oneindig" if x > 0 else "min oneindig"
    if x != x:
        return "geen getal (NaN)"
    if float(x).is_integer() and abs(x) < 1e15:
        text = f"{int(x):,}"
    elif abs(x) >= 1e5:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:,.6g}" if abs(x) >= 1e-4 else f"{x:.10f}".rstrip("0")
    return _dutch_marks(text)


def fixed_number(x: float, decimals: int = 0) -> str:
    """``x`` with exactly ``decimals`` decimals in Dutch format, rounded half to even on its shortest decimal
    form: 14252.4 -> '14.252', (4.75, 2) -> '4,75', -0.4 -> '0' (no '-0'); ±inf -> '∞', '-∞'. The one
    implementation of the report's and the app's numbers (``report.labels.number`` delegates here).

    >>> fixed_number(1234567.891, 2), fixed_number(-0.4), fixed_number(2.5)
    ('1.234.567,89', '0', '2')
    """
    value = round(float(x), decimals) + 0.0   # + 0.0: no '-0'
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return _dutch_marks(format(Decimal(repr(value if value != 0 else 0.0)), f",.{decimals}f"))


def _dutch_marks(text: str) -> str:
    """A number Python wrote ('1,234.5') with Dutch marks ('1.234,5')."""
    whole, _, frac = text.partition(".")
    return whole.replace(",", ".") + ("," + frac if frac else "")


def dutch_list(items) -> str:
    """'a', 'b' en 'c' (sorted as given)."""
    shown = [repr(i) if isinstance(i, str) else dutch_number(i) for i in items]
    return " en ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)


_NUMBER_HINT = "schrijf in YAML een punt voor decimalen, bijvoorbeeld 0.5"
_DATE_HINT = "schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-01-01"
_SCHEMA = "params/schema.json"
_SCHEMA_HINT = f"zie {_SCHEMA}"

PYDANTIC_NL: dict[str, str] = {
    "missing": f"verplicht veld ontbreekt; voeg het toe ({_SCHEMA_HINT})",
    "extra_forbidden": f"onbekend veld; verwijder het of controleer de spelling (toegestane velden: {_SCHEMA_HINT})",
    "greater_than": "moet groter zijn dan {gt}",
    "greater_than_equal": "moet {ge} of meer zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "less_than_equal": "moet {le} of minder zijn",
    "multiple_of": "moet een veelvoud van {multiple_of} zijn",
    "finite_number": "moet een eindig getal zijn (geen .inf of .nan)",
    "float_type": f"moet een getal zijn; {_NUMBER_HINT}",
    "float_parsing": f"moet een getal zijn; {_NUMBER_HINT}",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn, zonder decimalen",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "string_type": "moet tekst zijn",
    "string_too_short": "moet minstens {min_length} teken(s) lang zijn",
    "string_too_long": "mag hoogstens {max_length} teken(s) lang zijn",
    "string_pattern_mismatch": "moet voldoen aan het patroon '{pattern}'",
    "literal_error": "moet een van deze waarden zijn: {expected}",
    "enum": "moet een van deze waarden zijn: {expected}",
    "too_short": "moet minstens {min_length} waarde(n) hebben, niet {actual_length}",
    "too_long": "mag hoogstens {max_length} waarde(n) hebben, niet {actual_length}",
    "list_type": "moet een lijst zijn (in YAML: [a, b] of regels die met '- ' beginnen)",
    "tuple_type": "moet een lijst zijn (in YAML: [a, b])",
    "set_type": "moet een lijst zijn (in YAML: [a, b])",
    "dict_type": "moet een mapping zijn (in YAML: sleutel: waarde)",
    "mapping_type": "moet een mapping zijn (in YAML: sleutel: waarde)",
    "model_type": f"moet een mapping van velden zijn (in YAML: veld: waarde; {_SCHEMA_HINT})",
    "model_attributes_type": f"moet een mapping van velden zijn (in YAML: veld: waarde; {_SCHEMA_HINT})",
    "none_required": "moet leeg zijn (null)",
    "date_type": f"moet een datum zijn; {_DATE_HINT}",
    "date_parsing": f"moet een datum zijn; {_DATE_HINT}",
    "date_from_datetime_parsing": f"moet een datum zijn; {_DATE_HINT}",
    "date_from_datetime_inexact": f"moet een datum zonder tijd zijn; {_DATE_HINT}",
    "datetime_type": f"moet een datum zijn; {_DATE_HINT}",
    "datetime_parsing": f"moet een datum zijn; {_DATE_HINT}",
    "union_tag_invalid": "onbekende waarde {tag} voor {discriminator}; kies uit {expected_tags}",
    "union_tag_not_found": "{discriminator} ontbreekt; voeg het toe",
    "invalid_key": "sleutels moeten tekst zijn",
}
"""Dutch text per pydantic error type; ``{name}`` takes ``err['ctx'][name]`` (numbers in Dutch format)."""


def pydantic_message(err: dict) -> str:
    """The Dutch text of one pydantic error (``ValidationError.errors()`` item); pydantic's text for a type
    that has none, and our own validators' text (``value_error``, ``assertion_error``) as written."""
    ctx = err.get("ctx") or {}
    if err["type"] in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    template = PYDANTIC_NL.get(err["type"])
    if template is None:
        return err["msg"]
    shown = {k: _ctx_text(k, v) for k, v in ctx.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):   # a pydantic version without that ctx key: its own text is still right
        return err["msg"]


def _ctx_text(key: str, value: Any) -> str:
    if key == "tag":
        return repr(value)
    if key in ("expected", "expected_tags") and isinstance(value, str):
        return re.sub(r" or (?=[^']*'[^']*'?$)", " of ", value)   # pydantic's "'a', 'b' or 'c'"
    return dutch_number(value)


def format_validation_error(exc: ValidationError, source: str, what: str = "het scenario",
                            schema: str = "params/schema.json") -> str:
    """One line per problem: file, field path, what is wrong (and the fix), the value found; ``what`` is the kind
    of file, ``schema`` where its fields are described."""
    count = exc.error_count()
    lines = [f"{source}: {count} {'probleem' if count == 1 else 'problemen'} in {what}"]
    for err in exc.errors():
        loc = err["loc"]
        parts = [str(p) for i, p in enumerate(loc) if not _is_union_tag(p, loc[i - 1] if i else None)]
        value, msg = err.get("input"), pydantic_message(err).replace(_SCHEMA, schema)
        problem = (err.get("ctx") or {}).get("error")
        if isinstance(problem, FieldProblem):
            parts += [problem.path] if problem.path else []
            value, msg = problem.value, problem.message
        shown = json.dumps(value, default=str, ensure_ascii=False)
        own = _OWN_VALUE.search(msg)
        if own:   # the message names the bad value itself (e.g. one year of a schedule): show that one, once
            msg, shown = msg[:own.start()], own["value"]
        if len(shown) > 100:
            shown = shown[:97] + "..."
        # no value for a missing field, nor the whole scenario again for a check across fields
        got = "" if err["type"] == "missing" or (not parts and isinstance(value, dict)) else f" (gevonden: {shown})"
        lines.append(f"  - {'.'.join(parts) or '(bovenste niveau)'}: {msg}{got}")
    return "\n".join(lines)


_OWN_VALUE = re.compile(r",? gevonden:? (?P<value>[^()]+)$")


def _is_union_tag(part, previous=None) -> bool:
    """Pydantic puts union member tags (e.g. 'lognormal', 'dict[str,float]', 'variant=plekken', a realisation's
    basis) in error paths; users don't write them."""
    return isinstance(part, str) and (part in _DISTRIBUTION_KINDS or part in ("int", "float", "str")
                                      or "[" in part or "=" in part
                                      or (previous == "realisation" and part in _REALISATION_BASES))


_REALISATION_BASES = {"traject", "pxq", "output_monthly"}


_DISTRIBUTION_KINDS = {"fixed", "exponential", "lognormal", "gamma", "empirical"}
