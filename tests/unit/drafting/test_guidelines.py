"""The empathy guidelines: complete, traced to the seed articles, and written in our own words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.drafting.prompts import load_guidelines
from tests.support.article_fingerprints import ArticleFingerprints, runs
from tests.support.copy_tokens import prose_words
from tests.unit.drafting.conftest import PROMPTS, REPO

GUIDELINES_YAML = PROMPTS / "guidelines.yaml"
GUIDELINES_MD = REPO / "seeds" / "guidelines.md"
EXPECTED_IDS = {
    "listen-and-restate",
    "acknowledge-feeling",
    "customers-shoes",
    "positive-language",
    "never-blame",
    "off-limits-topics",
    "next-steps",
    "follow-through",
    "patient-present",
    "sincere-not-scripted",
}
# Our own text that must not borrow from the articles.
OUR_TEXTS = [
    GUIDELINES_YAML,
    GUIDELINES_MD,
    *sorted(PROMPTS.glob("*.j2")),
    REPO / "service" / "language" / "empathy.py",
    REPO / "service" / "drafting" / "composer.py",
    *sorted((REPO / "service" / "language" / "data").glob("*.yaml")),
]
COPY_WINDOW = 7  # this many consecutive words in common counts as copying


def _articles() -> list[dict[str, str]]:
    data = yaml.safe_load(GUIDELINES_YAML.read_text(encoding="utf-8"))
    articles: list[dict[str, str]] = data["articles"]
    return articles


def test_all_guidelines_are_there() -> None:
    guidelines = load_guidelines(GUIDELINES_YAML)
    assert {g.id for g in guidelines} == EXPECTED_IDS
    for guideline in guidelines:
        assert guideline.instruction[0].isupper()
        assert guideline.instruction.endswith(".")
        assert guideline.source.idea


def test_every_article_is_declared_once_and_cited() -> None:
    articles = _articles()
    files = [a["file"] for a in articles]
    assert len(files) == len(set(files)) == 5
    cited: set[str] = set()
    for guideline in load_guidelines(GUIDELINES_YAML):
        cited.update(s.article for s in (guideline.source, *guideline.also))
    assert cited == {a["title"] for a in articles}


def test_declared_files_are_the_seed_articles() -> None:
    assert {a["file"] for a in _articles()} == set(ArticleFingerprints.load().files)


def test_human_guide_covers_every_guideline_and_article() -> None:
    guide = GUIDELINES_MD.read_text(encoding="utf-8")
    for guideline_id in EXPECTED_IDS:
        assert f"(`{guideline_id}`)" in guide
    for article in _articles():
        assert article["title"] in guide
        assert article["file"] in guide


@pytest.mark.parametrize("path", OUR_TEXTS, ids=lambda p: p.name)
def test_our_text_does_not_copy_the_articles(path: Path) -> None:
    articles = ArticleFingerprints.load()
    text = " ".join(path.read_text(encoding="utf-8").split())  # titles may wrap across lines
    for declared in _articles():  # citing a title is not copying
        text = text.replace(declared["title"], " ")
    copied = [
        " ".join(run) for run in runs(prose_words(text), COPY_WINDOW) if articles.contains("prose", run)
    ]
    assert not copied, copied[:3]
