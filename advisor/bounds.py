"""The input boundary: bounded reads, bounded JSON, bounded numbers and clean text.

Every number and string that comes from a file, a flag or a field passes through here before
any arithmetic: sizes are checked on the bytes actually read (``/dev/zero`` has a ``stat`` size
of 0), nesting depth is limited before the parser recurses, integers with thousands of digits
and exponents like ``1e999999`` are refused before ``int()``/``float()`` can spend minutes or
gigabytes on them, and text is valid Unicode without control characters.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from advisor.errors import InputError, Problem

# A number from a user may have at most this many significant digits, and its magnitude must
# lie below 10**MAX_EXPONENT: every figure the engine models (tokens, dollars, watts) is far
# below 10**15, and 40 digits keep Decimal and float arithmetic exact enough and fast.
MAX_DIGITS = 40
MAX_EXPONENT = 15
# Numbers closer to zero than this are not figures anyone means; they are refused rather than
# silently rounded (Decimal would carry a 10**-999999 exponent through every sum).
MIN_EXPONENT = -30
_INT_LIMIT: int = 10**MAX_EXPONENT
MAX_DEPTH = 32
_NUMBER_LITERAL_CHARS = 60  # longest number literal the JSON reader hands to Decimal/int
# C0 and C1 controls, DEL, and the characters str.splitlines() and email treat as line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


class OutOfBounds:
    """A number literal too long or too large to convert; reported against its field later."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return shown(self.text, 24)


def printable(text: str) -> str:
    """``text`` with control characters, line breaks and lone surrogates escaped (``\\x01``).

    Error messages echo what the user typed; a raw escape sequence or newline in them could
    rewrite the terminal or forge a second line of output.
    """
    return _ESCAPE.sub(lambda m: ascii(m.group())[1:-1], text)


def shown(text: str, limit: int = 60) -> str:
    """A short, escaped form of user text for messages."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """Read at most ``limit`` bytes of ``path``; refuse a longer file (checked on the read).

    Raises:
        InputError: missing, a folder, unreadable, or longer than ``limit`` bytes.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(Problem(str(path), "error", "no such file")) from None
    except IsADirectoryError:
        raise InputError(Problem(str(path), "error", f"is a folder, not {what}")) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(Problem(str(path), "error", f"cannot read: {reason}")) from None
    if len(data) > limit:
        raise InputError(
            Problem(
                str(path),
                "error",
                f"is too large to be {what} (at most {limit // 1024:,} KiB)",
            )
        )
    return data


def decode_text(data: bytes, origin: str) -> str:
    """UTF-8 text (a leading BOM dropped), or InputError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(origin, "error", "is not UTF-8 text")) from None


def _nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting outside strings, found without recursion."""
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
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _number(text: str) -> Any:
    if len(text) > _NUMBER_LITERAL_CHARS:
        return OutOfBounds(text)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the JSON grammar only passes numbers
        return OutOfBounds(text)
    if not number_in_bounds(value):
        return OutOfBounds(text)
    return value


def _int(text: str) -> Any:
    value = _number(text)
    return int(value) if isinstance(value, Decimal) else value


def _constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are not JSON; Python's reader accepts them unless told.
    return OutOfBounds(name)


def loads_json(text: str, origin: str, *, floats_as: type = Decimal) -> Any:
    """Parse JSON with bounded depth and bounded numbers.

    Integers come back as ``int`` and decimals as ``Decimal`` (or ``str`` with ``floats_as``),
    both already within :func:`number_in_bounds`; a literal outside it comes back as an
    :class:`OutOfBounds` marker so the caller names the field it sits in.

    Raises:
        InputError: not JSON, or nested deeper than :data:`MAX_DEPTH`.
    """
    if _nesting_depth(text) > MAX_DEPTH:
        raise InputError(
            Problem(origin, "error", f"is nested too deeply (more than {MAX_DEPTH} levels)")
        )

    def parse_float(literal: str) -> Any:
        value = _number(literal)
        if floats_as is str and isinstance(value, Decimal):
            return literal
        return value

    try:
        return json.loads(text, parse_float=parse_float, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(origin, "error", f"not valid JSON (line {exc.lineno}: {exc.msg})")
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputError(Problem(origin, "error", "is nested too deeply")) from None


def number_in_bounds(value: Decimal | int | float) -> bool:
    """True when a number is finite, has at most :data:`MAX_DIGITS` significant digits and a
    magnitude below ``10**MAX_EXPONENT`` (zero, or at least ``10**MIN_EXPONENT``)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        # Compare before converting: str() of a 100,000-digit int is itself slow.
        return -_INT_LIMIT < value < _INT_LIMIT
    if isinstance(value, float):
        return bool(
            value == value
            and abs(value) < 10.0**MAX_EXPONENT
            and (value == 0 or abs(value) >= 10.0**MIN_EXPONENT)
        )
    if not value.is_finite():
        return False
    if value.is_zero():
        return True
    digits = value.as_tuple().digits
    if len(digits) > MAX_DIGITS:
        # Trailing zeros carry no precision ("1.50000" is 1.5); normalize() would round.
        significant = len(digits)
        while significant and digits[significant - 1] == 0:
            significant -= 1
        if significant > MAX_DIGITS:
            return False
    return MIN_EXPONENT <= value.adjusted() < MAX_EXPONENT


def parse_number(text: str, origin: str) -> Decimal:
    """A number typed as text (a flag, a CSV cell), bounded; InputError naming ``origin``."""
    cleaned = text.strip().replace("_", "")
    if len(cleaned) > _NUMBER_LITERAL_CHARS:
        raise InputError(Problem(origin, "error", f"{shown(text, 24)} is too long for a number"))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(Problem(origin, "error", f"{shown(text, 24)} is not a number")) from None
    if not number_in_bounds(value):
        raise InputError(Problem(origin, "error", out_of_bounds_message()))
    return value


def out_of_bounds_message() -> str:
    return f"must be a finite number below 10^{MAX_EXPONENT} with at most {MAX_DIGITS} digits"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be used as a one-line (or multi-line) field, or None when it can."""
    if _SURROGATE.search(text):
        return "contains a character that is not valid Unicode (a lone surrogate)"
    pattern = _CONTROL_EXCEPT_LINES if multiline else _CONTROL
    if pattern.search(text):
        return (
            "contains a control character or line break"
            if not multiline
            else ("contains a control character")
        )
    return None


def escape_surrogates(text: str) -> str:
    """JSON text with any lone surrogate written as a ``\\udXXX`` escape (valid JSON, UTF-8 safe).

    ``json.dumps(..., ensure_ascii=False)`` leaves a lone surrogate raw, which no UTF-8 file can
    hold; inside a JSON string literal the escape reads back as the same character.
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def whole_number_arg(low: int, high: int) -> Any:
    """An argparse ``type`` for a whole number between ``low`` and ``high`` (checked as text
    first, so a 100,000-digit argument costs nothing)."""
    import argparse

    def convert(text: str) -> int:
        cleaned = text.strip().replace("_", "")
        body = cleaned.removeprefix("-").removeprefix("+")
        if not body.isdigit() or not body.isascii():
            raise argparse.ArgumentTypeError(f"{shown(text, 24)!r} is not a whole number")
        negative = cleaned.startswith("-") and body.strip("0")
        if negative and low >= 0:
            raise argparse.ArgumentTypeError(f"{text} must be {low:,} or more")
        if len(body.lstrip("0")) > len(str(high)) + 1:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}")
        value = int(cleaned)
        if value < low:
            raise argparse.ArgumentTypeError(f"{text} must be {low:,} or more")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}")
        return value

    return convert
