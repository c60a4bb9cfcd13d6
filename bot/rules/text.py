"""Rules for text people type: aliases, names and free-text answers.

Pure functions returning codes; the handlers turn codes into Norwegian messages.
Every `check_*` refuses a fødselsnummer (code `fnr`) in the very text it would return
for storing: the second line of defence behind the edge's guard, which runs the same
check on the same normal form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.fnr import contains_fnr
from bot.rules.normalise import normalise

ALIAS_MAX = 32
NAME_MAX = 80
# Letters of any script, digits, space and a few separators used in journal references.
_ALIAS_OK = re.compile(r"^[\w .\-/#]+$", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """The stored form of typed text: NFKC, invisible characters dropped, spaces folded
    (see `bot.rules.normalise`)."""
    return normalise(text, keep_newlines=keep_newlines)


@dataclass(frozen=True)
class AliasCheck:
    """A cleaned alias, or an error code; `looks_like_name` asks for a confirmation."""

    alias: str | None = None
    error: str | None = None
    looks_like_name: bool = False


def check_alias(text: str) -> AliasCheck:
    """Validate a case alias: short, no full name, no odd characters.

    Error codes: `empty`, `too_long`, `bad_chars`, `fnr`.
    """
    alias = clean(text)
    if not alias:
        return AliasCheck(error="empty")
    if contains_fnr(alias):
        return AliasCheck(error="fnr")
    if len(alias) > ALIAS_MAX:
        return AliasCheck(error="too_long")
    if not _ALIAS_OK.match(alias) or ("_" in alias and not alias.replace("_", "").strip()):
        return AliasCheck(error="bad_chars")
    return AliasCheck(alias=alias, looks_like_name=looks_like_full_name(alias))


def alias_key(alias: str) -> str:
    """The form used for uniqueness and lookup: case-folded, single spaces."""
    return clean(alias).casefold()


def looks_like_full_name(text: str) -> bool:
    """Two or more capitalised words of letters, like 'Ola Nordmann'."""
    words = clean(text).split(" ")
    if len(words) < 2:
        return False
    capitalised = [w for w in words if _WORD.fullmatch(w) and w[0].isupper() and not w.isupper()]
    return len(capitalised) >= 2


def check_name(text: str) -> tuple[str | None, str | None]:
    """A koordinator's own name: (name, None) or (None, `empty`/`too_long`/`fnr`)."""
    name = clean(text)
    if not name:
        return None, "empty"
    if contains_fnr(name):
        return None, "fnr"
    if len(name) > NAME_MAX:
        return None, "too_long"
    return name, None


def check_free_text(text: str, max_length: int) -> tuple[str | None, str | None]:
    """A free-text answer or note: (text, None) or (None, `empty`/`too_long`/`fnr`)."""
    value = clean(text, keep_newlines=True)
    if not value:
        return None, "empty"
    if contains_fnr(value):
        return None, "fnr"
    if len(value) > max_length:
        return None, "too_long"
    return value, None


def check_label(text: str, max_length: int) -> tuple[str | None, str | None]:
    """A short label the koordinator gives a deadline of their own (one line): (label,
    None) or (None, `empty`/`too_long`/`fnr`)."""
    return check_free_text(clean(text), max_length)
