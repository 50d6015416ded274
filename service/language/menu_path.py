"""A path through a product's menus ("Conta > Pagamentos", "espace client › Mes cartes → Contester").

One pattern for every reader: the next-steps guardrail counts a path in a reply as something to act
on, and the note relay removes a note's paths before reading its words (the labels are the
product's, not ours). A label starts and ends with a letter; between labels stands an arrow with
blanks, emoji or invisible format characters around it, never a line break: a line that opens
with ">" is a quoted line, not a path.
"""

from __future__ import annotations

import re

from service.language.invisible import FORMAT_CHARS

ARROWS = ">›→"
_EMOJI = "[\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff]"
# Any run of blanks (not a line break) or emoji between the words and the arrow: the same path
# with two spaces, or with an emoji after its first word, is still a path.
_BEFORE_ARROW = rf"(?:[^\S\n]|{_EMOJI}|[{FORMAT_CHARS}])*"
_AFTER_ARROW = rf"(?:[^\S\n]|[{FORMAT_CHARS}])*"
_LABEL = r"[^\W\d_](?:[\w'’ -]{0,30}[^\W\d_])?"
MENU_PATH = re.compile(rf"(?:{_LABEL}{_BEFORE_ARROW}[{ARROWS}]{_AFTER_ARROW})+{_LABEL}")
