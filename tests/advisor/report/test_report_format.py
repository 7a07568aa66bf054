"""Number formatting: every figure the report prints reads like a price sheet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from advisor.report.format import clip, ms, multiple, num, pct, tokens, tokens_words, usd, usd_short


@pytest.mark.parametrize(
    ("value", "cents", "expected"),
    [
        (Decimal("57670.52"), False, "$57,671"),
        (Decimal("57670.52"), True, "$57,670.52"),
        (Decimal("1.44"), True, "$1.44"),
        (0, False, "$0"),
        (-1234.5, True, "−$1,234.50"),
        (Decimal("999999999.49"), False, "$999,999,999"),
        (2_648_064_078, False, "$2.65bn"),
        (1.2e12, True, "$1.20tn"),
        (9.99e17, False, "$9.99e17"),
        (None, False, "–"),
        (float("nan"), False, "–"),
    ],
)
def test_usd_prints_whole_dollars_with_separators_and_abbreviates_absurd_amounts(
    value: object, cents: bool, expected: str
) -> None:
    assert usd(value, cents=cents) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "short", "words"),
    [
        (1_187_062_500, "1.19bn", "1.19 billion"),
        (752_685_176_030.5, "753bn", "753 billion"),
        (197_800_000, "198M", "198 million"),
        (12_000, "12.0k", "12.0 thousand"),
        (999, "999", "999"),
        (5, "5", "5"),
    ],
)
def test_token_volumes_read_short_in_tables_and_in_words_in_sentences(
    value: float, short: str, words: str
) -> None:
    assert tokens(value) == short
    assert tokens_words(value) == words


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0%"), (0.001, "<1%"), (0.25, "25%"), (0.9999, ">99%"), (1.0, "100%"), (-0.05, "−5%")],
)
def test_shares_print_as_percentages_and_tiny_ones_are_not_rounded_to_zero(
    value: float, expected: str
) -> None:
    assert pct(value) == expected


def test_multiples_latencies_and_plain_numbers() -> None:
    assert [multiple(v) for v in (634.1, 9.2, 0.45, 1)] == ["634x", "9.2x", "0.45x", "1x"]
    assert ms(850.3) == "850 ms"
    assert ms(12_345) == "12.3 s"
    assert ms(1_357_433) == "22.6 min"
    assert num(1_234_567.891, 2) == "1,234,567.89"
    assert usd_short(57_670) == "$57.7k"


def test_clip_shortens_long_text_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    assert clip("x" * 100, 10) == "x" * 9 + "…"
    assert clip("a\n b   c", 10) == "a b c"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (950, "950"), (12_345, "12.3k"), (120_303_000_000, "120G"), (2.5e12, "2.5T"),
     (1_500_000, "1.5M"), (-4_000, "−4k"), (None, "–")],
)  # fmt: skip
def test_si_gives_chart_axes_a_short_count_with_an_si_prefix(value, text) -> None:
    from advisor.report.format import si

    assert si(value) == text
