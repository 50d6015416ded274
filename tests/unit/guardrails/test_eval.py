"""`tactful eval`: the labelled replies are read, scored per rule, and meet the measured floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import DEFAULT_EVAL_DIR, main
from service.guardrails import Guardrails
from service.guardrails.evaluation import EvalError, EvalResult, RuleScore, evaluate, load_cases

# Floors measured on seeds/replies (see docs and notes); the figures themselves are printed by
# `tactful eval`. Acknowledgement, placeholder and secret carry the issue's own targets.
ACK_PRECISION, ACK_RECALL = 0.95, 0.90
MIN_PRECISION = 0.85  # every rule
MIN_RECALL = 0.80  # every rule with labelled positives
ALWAYS_FOUND = ("placeholder", "secret")


@pytest.fixture(scope="module")
def result(guardrails: Guardrails) -> EvalResult:
    return evaluate(guardrails, load_cases(DEFAULT_EVAL_DIR))


def test_the_labelled_set_is_big_and_multilingual(result: EvalResult) -> None:
    assert result.cases >= 200
    assert {"en", "es", "de", "fr", "pt"} <= set(result.languages)
    # Rules added after this set was labelled (abuse, unsafe-content) are out of its files' scope:
    # they are measured on the development corpus (seeds/replies-dev) instead.
    for rule in result.scored:
        score = result.scores[rule]
        assert score.tp + score.fn >= 4, f"{rule}: too few labelled positives to measure"


def test_the_eval_meets_its_floors(result: EvalResult) -> None:
    ack = result.scores["acknowledgement"]
    assert ack.precision is not None
    assert ack.recall is not None
    assert ack.precision >= ACK_PRECISION
    assert ack.recall >= ACK_RECALL
    for rule in ALWAYS_FOUND:
        assert result.scores[rule].recall == 1.0, rule
    for rule in result.scored:
        score = result.scores[rule]
        assert score.precision is not None, rule
        assert score.precision >= MIN_PRECISION, (rule, score)
        assert score.recall is not None, rule
        assert score.recall >= MIN_RECALL, (rule, score)


def test_scores() -> None:
    score = RuleScore(tp=8, fp=2, fn=2)
    assert score.precision == 0.8
    assert score.recall == 0.8
    assert score.f1 == pytest.approx(0.8)
    assert RuleScore().precision is None


def test_bad_files_are_named_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("cases:\n  - id: x\n    lang: en\n    reply: secret-text\n")
    with pytest.raises(EvalError, match=r"a\.yaml case 0: customer") as info:
        load_cases(tmp_path)
    assert "secret-text" not in str(info.value)
    (tmp_path / "a.yaml").write_text("just text")
    with pytest.raises(EvalError, match="cases"):
        load_cases(tmp_path)
    with pytest.raises(EvalError, match="no"):
        load_cases(tmp_path / "empty")


def test_unknown_rules_in_labels_fail(tmp_path: Path, guardrails: Guardrails) -> None:
    (tmp_path / "a.yaml").write_text(
        "cases:\n  - {id: x, lang: en, customer: hi, reply: hello there, expect: [no-such-rule]}\n"
    )
    with pytest.raises(EvalError, match="no-such-rule"):
        evaluate(guardrails, load_cases(tmp_path))


def test_cli_prints_a_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "acknowledgement" in out
    assert "precision" in out
    assert main(["eval", str(DEFAULT_EVAL_DIR), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cases"] >= 200
    assert set(data["rules"]) >= {"acknowledgement", "signature"}


def test_cli_rejects_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path / "nope")])
    assert exit_info.value.code == 64
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["replies-holdout", "replies-holdout-2"])
def test_held_out_sets_are_valid_and_kept_apart_from_the_tuned_set(name: str) -> None:
    held_out = load_cases(DEFAULT_EVAL_DIR.parent / name)
    assert len(held_out) >= 30
    assert {"en", "es", "de", "fr", "pt"} <= {case.lang for case in held_out}
    # Held-out figures only mean something while no held-out text is tuned on (docs/decisions.md 33).
    tuned = load_cases(DEFAULT_EVAL_DIR)
    assert not {" ".join(c.reply.split()) for c in held_out} & {" ".join(c.reply.split()) for c in tuned}
    assert len({c.id for c in held_out} | {c.id for c in tuned}) == len(held_out) + len(tuned)


DEV_DIR = DEFAULT_EVAL_DIR.parent / "replies-dev"
# Issue 12's targets, held on the development corpus the rules were tuned on (in-sample: the blind
# sets are measured by the integrator). Rules below a block target ship as warn (README).
DEV_FLOORS = {
    "acknowledgement": (0.95, 0.90),
    "abuse": (0.95, 0.95),
    "unsafe-content": (0.95, 0.95),
    "secret": (0.95, 1.0),
    "placeholder": (0.95, 1.0),
    "off-limits-topic": (0.90, 0.90),
    "prompt-leak": (0.90, 0.90),
}


def test_the_development_corpus_meets_the_issue_12_targets(guardrails: Guardrails) -> None:
    result = evaluate(guardrails, load_cases(DEV_DIR))
    assert result.cases >= 1_500
    for language in ("en", "es", "de", "fr", "pt"):
        assert result.languages[language] >= 200
    for rule, (precision, recall) in DEV_FLOORS.items():
        score = result.scores[rule]
        assert score.precision is not None
        assert score.precision >= precision, (rule, score)
        assert score.recall is not None
        assert score.recall >= recall, (rule, score)
    assert result.scores["abuse"].fp == 0  # no block on a tricky clean case
    assert result.scores["unsafe-content"].fp == 0
