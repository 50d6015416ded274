"""simplemma's dictionaries, inverted for the words we list: the one reader of simplemma.

Both generated form tables start here: ``language/data/lemma_forms.yaml`` (the feeling cues'
forms, ``python -m service.language.lemma_forms``) and ``guardrails/lexicons/forms.yaml`` (the
lexicon vocabularies' forms, ``python -m service.guardrails.build_forms``). They differ only in
which forms each keeps. A build step, never imported while serving: simplemma's dictionaries for
our five languages take 1.7 s and about 470 MB to load.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import cache

from simplemma.strategies import DefaultDictionaryFactory

LANGUAGES = ("en", "es", "de", "fr", "pt")


@cache
def _factory() -> DefaultDictionaryFactory:
    return DefaultDictionaryFactory()


def dictionary(language: str) -> Mapping[str, str]:
    """simplemma's form -> lemma dictionary for ``language`` (loaded once per process)."""
    return _factory().get_dictionary(language)


def lemma_of(word: str, language: str, *, other_case: bool = False) -> str | None:
    """The lemma simplemma's dictionary gives ``word``; with ``other_case``, as simplemma's own
    ``DictionaryLookupStrategy`` does, also the word capitalised (or lower-cased, if it is not)."""
    table = dictionary(language)
    if found := table.get(word):
        return found
    if not other_case or not word:
        return None
    return table.get(word.lower() if word[0].isupper() else word.capitalize())


def forms_by_lemma(
    language: str, lemmas: Collection[str], fold: Callable[[str], str] = str
) -> dict[str, set[str]]:
    """lemma -> every form the dictionary maps to it, for the ``lemmas`` asked (compared after
    ``fold``), in one pass over the dictionary; a lemma without forms is left out."""
    wanted = set(lemmas)
    out: dict[str, set[str]] = {}
    for form, lemma in dictionary(language).items():
        key = fold(lemma)
        if key in wanted:
            out.setdefault(key, set()).add(form)
    return out
