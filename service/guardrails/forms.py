"""The inflected forms of every lemma the lexicons list, generated with simplemma.

``python -m service.guardrails.build_forms`` reads every lexicon file's `vocabulary` section (kind ->
language -> words), lemmatises each word with simplemma's dictionaries, collects every form those
dictionaries map to that lemma, and writes `lexicons/forms.yaml`. The serving process only reads
that file (see words.py for why), and a unit test fails when a lexicon lists a word forms.yaml
does not cover, so the file cannot silently fall behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from service.guardrails.lexicon import LEXICON_DIR, PACKAGE
from service.guardrails.phrases import LexiconError
from service.yaml_data import load_yaml

FORMS_FILE = "forms.yaml"

Vocab = dict[str, dict[str, list[str]]]  # kind -> language -> words


def vocabulary_sections(files: Mapping[str, bytes]) -> dict[str, Vocab]:
    """file name -> its `vocabulary` section, for every lexicon file that has one."""
    out: dict[str, Vocab] = {}
    for name, data in files.items():
        if name == FORMS_FILE:
            continue
        raw = load_yaml(data)
        if isinstance(raw, dict) and isinstance(raw.get("vocabulary"), dict):
            out[name] = raw["vocabulary"]
    return out


def wanted_words(files: Mapping[str, bytes]) -> dict[str, set[str]]:
    """language -> every word listed in any vocabulary (folded), closed word classes left out."""
    out: dict[str, set[str]] = {}
    for name, vocab in vocabulary_sections(files).items():
        closed = set(load_yaml(files[name]).get("closed") or ())
        for kind, by_language in vocab.items():
            if kind in closed:
                continue
            for language, words in by_language.items():
                out.setdefault(language, set()).update(str(w).casefold() for w in words)
    return out


@lru_cache(maxsize=1)
def load_forms() -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> word -> its forms, from the packaged forms.yaml (read once per process)."""
    data = resources.files(PACKAGE).joinpath(LEXICON_DIR, FORMS_FILE).read_bytes()
    raw = load_yaml(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("forms"), dict):
        raise LexiconError(f"{FORMS_FILE}: expected a `forms` mapping")
    return {
        str(language): {str(word): tuple(str(forms).split()) for word, forms in (table or {}).items()}
        for language, table in raw["forms"].items()
    }
