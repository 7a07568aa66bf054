"""`advisor compare`: text, JSON and PDF on shipped examples; bad input exits 2 in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from advisor.cli import main
from advisor.paths import bundled_path

EXAMPLES = bundled_path("resources") / "examples"
RETAILER = EXAMPLES / "online-retailer-chatbot.json"
BANK = EXAMPLES / "bank-on-premises.json"


def test_compare_prints_both_answers_and_the_inputs_that_differ(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["compare", str(RETAILER), str(BANK), "--draws", "200"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The answer changes: ")
    assert "online-retailer-chatbot (Customer support chatbot)" in out
    assert "workload.data_residency" in out and "any | on_premises" in out


def test_compare_json_and_pdf_on_two_examples(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "compare.pdf"
    code = main(["compare", str(RETAILER), str(BANK), "--json", "--draws", "200", "-o", str(pdf)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in data["scenarios"]] == ["api", "owned"]
    assert data["same_answer"] is False
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "Scenarios compared: online-retailer-chatbot vs bank-on-premises" in text
    for s in data["scenarios"]:
        assert s["summary"][:40] in text
    assert "workload.data_residency" in text


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["compare", str(RETAILER)], "at least two"),
        (["compare", str(RETAILER), "/nonexistent/b.json"], "b.json"),
        (["compare", str(RETAILER), str(BANK), "-o", str(RETAILER)], "scenario file itself"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
