"""Lexicon data: well formed, traced to the seed articles, in our own words."""

from __future__ import annotations

import pytest
import yaml

from service.guardrails.engine import _compiled
from service.guardrails.lexicon import PhraseLexicon, Sources, parse, read_lexicon_files, validate_sources
from service.guardrails.normalise import normalise
from service.guardrails.phrases import LexiconError, PhraseMatcher
from tests.support.article_fingerprints import ArticleFingerprints, runs
from tests.support.copy_tokens import lexicon_words


def sources() -> Sources:
    return parse(Sources, "sources.yaml", read_lexicon_files()["sources.yaml"])


def canonical(text: str) -> str:
    return " ".join(normalise(text)[1].text.replace(".", " ").replace(",", " ").split())


def test_every_lexicon_file_is_used_and_versioned() -> None:
    files = read_lexicon_files()
    assert set(files) == {
        "sources.yaml",
        "acknowledgement.yaml",
        "no_blame.yaml",
        "positive_language.yaml",
        "placeholder.yaml",
        "secret.yaml",
        "restates_issue.yaml",
        "no_dismissive.yaml",
        "off_limits_topic.yaml",
        "next_steps.yaml",
        "pii.yaml",
        "prompt_leak.yaml",
        "shouting.yaml",
        "length.yaml",
        "language_match.yaml",
        "signature.yaml",
        "abuse.yaml",
        "unsafe_content.yaml",
        "forms.yaml",  # generated from the vocabularies (build_forms); hashed like the rest
    }
    for name, data in files.items():
        assert yaml.safe_load(data)["version"] >= 1, name


def test_every_entry_cites_a_known_article_and_guideline() -> None:
    known = {(a.title, key) for a in sources().articles for key in a.guidelines}
    for name, data in read_lexicon_files().items():
        if name in ("sources.yaml", "forms.yaml"):
            continue
        parsed = yaml.safe_load(data)
        # Data files of one source (limits, word lists) cite it once; lexicons cite one per entry.
        cited = [(name, parsed["source"])] if "source" in parsed else []
        cited += [(entry["id"], entry["source"]) for entry in parsed.get("entries", [])]
        assert cited, name
        for where, source in cited:
            assert (source["article"], source["guideline"]) in known, (name, where)


def test_an_unknown_source_fails_the_load() -> None:
    bad = PhraseLexicon.model_validate(
        {
            "version": 1,
            "rule": "no-blame",
            "entries": [
                {
                    "id": "x",
                    "kind": "flag",
                    "lang": "en",
                    "phrases": ["your fault"],
                    "source": {"article": "Great Customer Service Takes Empathy", "guideline": "nope"},
                }
            ],
        }
    )
    with pytest.raises(LexiconError, match="unknown guideline"):
        validate_sources(bad, sources(), "test.yaml", "no-blame")


def test_unknown_keys_fail_the_load() -> None:
    with pytest.raises(LexiconError):
        parse(Sources, "sources.yaml", b"version: 1\narticles: []\nextra: true\n")


def test_sources_name_existing_seed_files() -> None:
    known = set(ArticleFingerprints.load().files)
    for article in sources().articles:
        if article.file.endswith(".txt"):
            assert article.file in known, article.file


def test_lexicons_are_in_our_own_words() -> None:
    articles = ArticleFingerprints.load()
    # No phrase of five words or more is lifted from an article (every run of five in it is)...
    for rule in _compiled()[0]:
        for matcher in vars(rule).values():
            if isinstance(matcher, PhraseMatcher):
                for literal in matcher._literals:
                    words = lexicon_words(literal)
                    if len(words) >= 5:
                        assert not all(articles.contains("lexicon", run) for run in runs(words, 5)), literal
    # ...and no guideline summary repeats eight words in a row of one.
    for article in sources().articles:
        for summary in article.guidelines.values():
            assert not any(articles.contains("lexicon", run) for run in runs(lexicon_words(summary), 8)), (
                summary
            )


def test_the_digit_macro_is_exactly_the_decimal_digits_of_the_bmp() -> None:
    import re

    from service.guardrails.lexicon import _decimal_digits

    spelled_out = re.compile(f"[{_decimal_digits()}]")
    for code in range(0x10000):
        char = chr(code)
        assert bool(spelled_out.fullmatch(char)) == bool(re.fullmatch(r"\d", char)), hex(code)
