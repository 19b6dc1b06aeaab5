"""Validation errors as users read them: one line per problem with the field path, what is wrong, the fix and the
value found once (no pydantic union tags in the path)."""
from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError


class FieldProblem(ValueError):
    """A validation problem at ``path`` (relative to the model that raised it), with the bad value."""

    def __init__(self, path: str, message: str, value: Any = None):
        super().__init__(message)
        self.path, self.message, self.value = path, message, value


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: file, field path, what is wrong, the value found."""
    lines = [f"{source}: {exc.error_count()} problem(s) in the scenario"]
    for err in exc.errors():
        loc = err["loc"]
        parts = [str(p) for i, p in enumerate(loc) if not _is_union_tag(p, loc[i - 1] if i else None)]
        value, msg = err.get("input"), err["msg"]
        problem = (err.get("ctx") or {}).get("error")
        if isinstance(problem, FieldProblem):
            parts += [problem.path] if problem.path else []
            value, msg = problem.value, problem.message
        elif err["type"] == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling (allowed fields: see params/schema.json)"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        shown = json.dumps(value, default=str)
        own = _OWN_VALUE.search(msg)
        if own:   # the message names the bad value itself (e.g. one year of a schedule): show that one, once
            msg, shown = msg[:own.start()], own["value"]
        if len(shown) > 100:
            shown = shown[:97] + "..."
        if err["type"] == "missing":
            msg = "Field required; add it (see params/schema.json)"
        # no value for a missing field, nor the whole scenario again for a check across fields
        got = "" if err["type"] == "missing" or (not parts and isinstance(value, dict)) else f" (got {shown})"
        lines.append(f"  - {'.'.join(parts) or '(top level)'}: {msg}{got}")
    return "\n".join(lines)


_OWN_VALUE = re.compile(r",? got (?P<value>[^()]+)$")


def _is_union_tag(part, previous=None) -> bool:
    """Pydantic puts union member tags (e.g. 'lognormal', 'dict[str,float]', 'variant=plekken', a realisation's
    basis) in error paths; users don't write them."""
    return isinstance(part, str) and (part in _DISTRIBUTION_KINDS or part in ("int", "float", "str")
                                      or "[" in part or "=" in part
                                      or (previous == "realisation" and part in _REALISATION_BASES))


_REALISATION_BASES = {"traject", "pxq", "output_monthly"}


_DISTRIBUTION_KINDS = {"fixed", "exponential", "lognormal", "gamma", "empirical"}
