"""Fingerprints of the seed articles, so copy checks run inside the repository without their text.

The five articles on empathy in support are not ours to publish, yet the tests must prove that our
guidelines, prompts, phrase tables and lexicons do not copy them. `seeds/articles.fingerprints.json`
holds, per article, its file name and title-free sha256, and the set of salted, truncated hashes of
every run of N consecutive words (for the N the copy checks use). A hash cannot be read back into
words, and a test that hashes our own runs the same way finds any run shared with an article.

Regenerate after the articles change (the maintainers have them beside the repository):

    python -m tests.support.article_fingerprints ../shared/seeds
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

FINGERPRINTS = Path(__file__).resolve().parents[2] / "seeds" / "articles.fingerprints.json"
SALT = b"tactful-articles-v1\0"
DIGEST_HEX = 12  # 48 bits: a false match among ~10^4 runs is about 10^-10


def run_hash(words: Sequence[str]) -> str:
    return hashlib.sha256(SALT + " ".join(words).encode()).hexdigest()[:DIGEST_HEX]


def runs(words: Sequence[str], size: int) -> Iterable[tuple[str, ...]]:
    return (tuple(words[i : i + size]) for i in range(len(words) - size + 1))


class ArticleFingerprints:
    def __init__(self, data: dict[str, object]) -> None:
        self.files: list[str] = list(data["files"])  # type: ignore[call-overload]
        self._sets = {key: frozenset(values) for key, values in data["runs"].items()}  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: Path = FINGERPRINTS) -> ArticleFingerprints:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def contains(self, scheme: str, words: Sequence[str]) -> bool:
        """Whether this run of words (tokenised by `scheme`) occurs in an article."""
        return run_hash(words) in self._sets[f"{scheme}/{len(words)}"]


Schemes = dict[str, tuple[Callable[[str], list[str]], tuple[int, ...]]]  # name -> (tokeniser, run sizes)


def build(articles: Path, schemes: Schemes) -> dict[str, object]:
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(articles.glob("*.txt"))}
    out: dict[str, list[str]] = {}
    for scheme, (tokenise, sizes) in schemes.items():
        for size in sizes:
            hashes = {run_hash(run) for text in texts.values() for run in runs(tokenise(text), size)}
            out[f"{scheme}/{size}"] = sorted(hashes)
    return {"files": sorted(texts), "runs": out}


def schemes() -> Schemes:
    # The tokenisers of the two copy checks: prose (guidelines, prompts, phrase tables) and
    # lexicon literals (normalised the way the guardrails read text).
    from tests.support.copy_tokens import lexicon_words, prose_words

    return {"prose": (prose_words, (7,)), "lexicon": (lexicon_words, (5, 8))}


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/seeds")
    data = build(folder, schemes())
    FINGERPRINTS.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {FINGERPRINTS} from {len(data['files'])} articles\n")  # type: ignore[arg-type]
