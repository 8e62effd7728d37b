"""Read request JSON so that no body can crash the app: bounded nesting, finite numbers only.

Python's json recurses per nesting level (a body of 100 000 brackets raises RecursionError, a 500),
accepts the literals NaN and Infinity, and turns 1e400 into infinity. Each of these becomes a
ValueError here, which Flask's `get_json(silent=True)` turns into "not a JSON object": a German 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32
MAX_INT_DIGITS = 30


def nesting_depth(text: str) -> int:
    """Return the deepest bracket nesting outside strings, counted without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("number out of range")
    return int(text)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading request bodies with the limits above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8") if isinstance(s, bytes) else s
        if nesting_depth(text) > MAX_DEPTH:
            raise ValueError("JSON nested too deeply")
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            **kwargs,
        )
