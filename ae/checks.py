"""Checks for what arrives from outside (request bodies, API arguments): every failure a ValueError that says what."""
import json
import math
from typing import Any


def parse_json(text: str, what: str = "body") -> Any:
    """json.loads with every failure as a ValueError, deep nesting (RecursionError) and 400-digit numbers included."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} is not valid JSON: {e}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to be a drawing or a code") from None
    except ValueError as e:  # Python refuses integers of more than 4300 digits
        raise ValueError(f"{what} holds a number too large to read: {str(e)[:80]}") from None


def to_float(v: Any, what: str) -> float:
    """A JSON number as a finite float, or a ValueError naming it (bools, strings, 1e400 and 10**400 included)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{what} must be a number, got {type(v).__name__}")
    try:
        f = float(v)
    except OverflowError:
        raise ValueError(f"{what} is too large") from None
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {v}")
    return f
