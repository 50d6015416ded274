"""cue_alternation shares one word-boundary look-behind between consecutive cues (decision 150):
it must match exactly what one look-behind per cue matched, at the same places, in the same
order of preference, inside the patterns that embed it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from service.language import facts
from service.language.cues import CueSet, _cue_words, cue_alternation, cue_regex, tokens
from service.language.request_table import table


def _flat(cues: Iterable[str]) -> str:
    unique = sorted({c.strip().lower() for c in cues if c.strip()}, key=lambda c: (-len(c), c))
    return "|".join(cue_regex(c) for c in unique)


_CUES = [
    "fed up",
    "fed",
    "frustrat*",
    "not * yet",
    "👏",
    "/s",
    "can't",
    "d'accord",
    "a",
    "ab",
    "-ish",
    "x*",
    "mai",
    "mais",
]
_ALPHABET = "abdefhimnorstux '’-👏/s.\n,ÉéFRUSTRAT"


def test_the_cues_share_one_look_behind() -> None:
    # Longest first: "fed up", then "/sarc" (a symbol: no look-behind), then "angry" and "fed".
    grouped = cue_alternation(["fed up", "fed", "/sarc", "angry"])
    assert grouped == r"(?<!\w)(?:fed[\s\-]+up(?!\w))|/sarc(?!\w)|(?<!\w)(?:angry(?!\w)|fed(?!\w))"
    assert cue_alternation([]) == ""


@settings(max_examples=400, deadline=None)
@given(
    cues=st.lists(st.sampled_from(_CUES), min_size=1, max_size=8),
    text=st.text(alphabet=_ALPHABET, max_size=60),
)
def test_grouped_matches_what_one_look_behind_per_cue_matched(cues: list[str], text: str) -> None:
    for template, flags in (("{}", 0), (r"(?:{})\s+(\w+)", 0), (r"x?(?:{})(?!\w)", re.IGNORECASE)):
        old = re.compile(template.format(_flat(cues)), flags)
        new = re.compile(template.format(cue_alternation(cues)), flags)
        assert [(m.span(), m.groups()) for m in old.finditer(text)] == [
            (m.span(), m.groups()) for m in new.finditer(text)
        ]


def test_the_fact_patterns_find_what_they_found() -> None:
    # The date pattern embeds months, week days and relative words from requests.yaml.
    t = table()
    texts = [
        "Ordered on 3 March, promised by Friday 14:00, still nothing on 2024-05-01 or yesterday.",
        "Lo pedí el lunes 3 de marzo y necesito que llegue antes del viernes, mañana a las 10h.",
        "Bestellt am 1. März, bis spätestens Montag um 9 Uhr, seit drei Wochen, am So. geliefert?",
    ]
    for language in ("en", "es", "de", "fr", "pt"):
        patterns = facts._patterns(language)
        months = _flat(t.months[language] + (t.months["en"] if language != "en" else ()))
        flat_months = re.compile(rf"(?:{months})\.?\s+\d{{1,2}}", re.IGNORECASE)
        grouped_months = re.compile(
            rf"(?:{cue_alternation(t.months[language] + (t.months['en'] if language != 'en' else ()))})"
            r"\.?\s+\d{1,2}",
            re.IGNORECASE,
        )
        for text in texts:
            assert [m.span() for m in flat_months.finditer(text)] == [
                m.span() for m in grouped_months.finditer(text)
            ]
            assert patterns.date.search(text) is not None


def _reference_find(
    cues: list[tuple[str, int]], toks: list[tuple[int, int, str]], elided: list[str]
) -> list[tuple[int, int, int]]:
    """CueSet.find as it was written before decision 150: every candidate's words compared."""
    reference = CueSet(cues, elided=elided)

    def matches(word: str, token: str) -> bool:
        return token.startswith(word[:-1]) if word.endswith("*") else word == token

    entries = [(_cue_words(cue), payload) for cue, payload in cues]
    entries = [(w, p) for w, p in entries if w and w[0] != "*"]
    found: list[tuple[int, int, int]] = []
    words_at = [reference._forms(token) for _, _, token in toks]
    for i, (start, _, _) in enumerate(toks):
        for form in words_at[i]:
            exact = [(w, p) for w, p in entries if not (w[0].endswith("*") and len(w[0]) > 3)]
            prefixed = [(w, p) for w, p in entries if w[0].endswith("*") and len(w[0]) > 3]
            candidates = [(w, p) for w, p in exact if w[0].rstrip("*") == form]
            if len(form) >= 3:
                candidates += [(w, p) for w, p in prefixed if w[0][:3] == form[:3]]
            for words, payload in candidates:
                if i + len(words) > len(toks):
                    continue
                if matches(words[0], form) and all(
                    any(matches(w, f) for f in words_at[i + k]) for k, w in enumerate(words) if k
                ):
                    found.append((start, toks[i + len(words) - 1][1], payload))
    return found


_CUE_WORDS = ["fed", "up", "frustrat*", "*", "ab*", "a", "not", "yet", "incompétent*", "d'accord", "x"]


@settings(max_examples=300, deadline=None)
@given(
    cues=st.lists(
        st.lists(st.sampled_from(_CUE_WORDS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8
    ),
    words=st.lists(
        st.sampled_from(
            ["fed", "up", "frustrated", "frus", "ab", "abc", "a", "not", "yet", "d'incompétents", "l'x", "x"]
        ),
        max_size=12,
    ),
)
def test_cue_set_finds_what_comparing_every_word_found(cues: list[str], words: list[str]) -> None:
    pairs = [(cue, n) for n, cue in enumerate(cues)]
    toks = tokens(" ".join(words))
    assert CueSet(pairs, elided=["d'", "l'"]).find(toks) == _reference_find(pairs, toks, ["d'", "l'"])
