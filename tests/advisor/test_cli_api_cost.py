"""`advisor api-cost` says when genai-prices priced a different model than the one asked for."""

from __future__ import annotations

import json

from advisor.cli import main


def test_loose_match_is_reported_on_stderr_and_in_json(capsys):
    assert (
        main(
            [
                "api-cost",
                "--model",
                "gemini-1.5-flash-8b",
                "--input-tokens",
                "1000",
                "--output-tokens",
                "100",
                "--json",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["requested_model"] == "gemini-1.5-flash-8b"
    assert data["model"] != "gemini-1.5-flash-8b"
    assert "is priced as google/" in captured.err


def test_exact_match_prints_no_note(capsys):
    assert (
        main(
            [
                "api-cost",
                "--model",
                "gpt-4o",
                "--provider",
                "openai",
                "--input-tokens",
                "10",
                "--output-tokens",
                "1",
            ]
        )
        == 0
    )
    assert capsys.readouterr().err == ""
