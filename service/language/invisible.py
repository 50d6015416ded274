"""Characters that change no text's meaning: the guardrails' normaliser folds them away, and the
patterns that read the original text (a menu path) let them stand anywhere in a gap."""

# Invisible characters that can hide inside a word ("fa\u200bult") to dodge a lexicon.
FORMAT_CHARS = "\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
