"""The one normal form of typed text: what is checked is exactly what is stored.

Both the fødselsnummer check (`bot.rules.fnr`) and the text rules that clean what is
stored (`bot.rules.text`) start from `normalise`, so a number cannot hide in a
difference between the two.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that are not format characters (Cf) and so survive a category
# filter: the combining grapheme joiner, Hangul and Khmer fillers, Mongolian free
# variation selectors. (Emoji variation selectors FE00-FE0F stay: they shape emoji and
# the fødselsnummer check reads them as separators anyway.)
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u3164\uffa0")
# Control characters, line and paragraph separators: read as a space (or a line break).
_AS_SPACE = frozenset(("Cc", "Zl", "Zp"))
# Format (zero-width space, soft hyphen, word joiner, BOM, bidi controls), surrogates,
# private use and unassigned code points: dropped.
_DROPPED = frozenset(("Cf", "Cs", "Co", "Cn"))


def normalise(text: str, *, keep_newlines: bool = False) -> str:
    """NFKC (full-width and other compatibility forms folded: `１２` -> `12`, every
    kind of space -> a plain one), invisible characters removed, runs of whitespace
    folded to one space; with `keep_newlines`, line breaks stay (at most one empty
    line in a row)."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in _AS_SPACE:
            out.append(" ")
        elif cat in _DROPPED or ch in _INVISIBLE:
            continue
        else:
            out.append(ch)
    cleaned = "".join(out)
    if not unicodedata.is_normalized("NFKC", cleaned):
        # A dropped character sat between a letter and its accent: compose again.
        cleaned = unicodedata.normalize("NFKC", cleaned)
    if keep_newlines:
        lines = [" ".join(line.split()) for line in cleaned.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(cleaned.split())
