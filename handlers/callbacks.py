"""Callback data: short strings built and parsed here, and only here.

Format: `<verb>:<arg>:<arg>`. Verbs:
  f:<token>:<value>      answer to the current dialogue step
  c:<case_id>            open case card
  e:<case_id>            edit menu of a case
  ef:<case_id>:<field>   edit one field
  p:<case_id>            pause case
  r:<case_id>            reopen (resume) case
  l                      list my cases
  d:<choice>             open dialogue: continue / restart
  m:<item>               main menu item
  q:<run>:<token>:<value> answer to the current conversation step
  k:<case>:<kind>:<how>  resume or restart an unfinished conversation
  cv:<case>:<kind>       start a conversation from the case card
  rl:<case>              list the conversations of a case
  s:<run>                summary of a conversation run
  a:<run>:<n>            correct answer number n of a run
  x:<case>               export the case as PDF
  ml:<case>              meetings of a case
  mo:<meeting>:<outcome> record what became of a meeting
  z:<case>               close a case (proposed by an evaluation)
  u:<deadline>           mark a deadline done (from a reminder)
  sn:<deadline>:<how>    snooze: 1d, 1w or pick a date
  tc / tm / tx:<deadline> confirm, move or dismiss a transition proposal
  ts:<case>:<later|earlier> shift school transitions by a year
  pd:<case>              show transition proposals
  nf:<case>              add a deadline or custom transition by hand
  ho:<case> / hk:<case>:<koordinator>  hand over: checklist, then the new koordinator
  cl:<case> / ro:<case>  close (checklist) / reopen
  dl:<case> / dy:<case>  delete: ask / confirmed
  ko kd kr ka ku kc:<koordinator>  admin: detail, deactivate, reactivate, admin on/off,
                         their cases
"""

from __future__ import annotations

from dataclasses import dataclass

# The shape of every verb's arguments: `n` an id or number, `w` a word. Data that does
# not fit its verb's shape exactly is stale or forged, and never reaches a handler.
SHAPES: dict[str, str] = {
    "f": "nw",
    "c": "n",
    "e": "n",
    "ef": "nw",
    "p": "n",
    "r": "n",
    "l": "",
    "d": "w",
    "m": "w",
    "q": "nnw",
    "k": "nww",
    "cv": "nw",
    "rl": "n",
    "s": "n",
    "a": "nn",
    "x": "n",
    "ml": "n",
    "mo": "nw",
    "z": "n",
    "u": "n",
    "sn": "nw",
    "tc": "n",
    "tm": "n",
    "tx": "n",
    "ts": "nw",
    "pd": "n",
    "nf": "n",
    "ho": "n",
    "hk": "nn",
    "cl": "n",
    "ro": "n",
    "dl": "n",
    "dy": "n",
    "ko": "n",
    "kd": "n",
    "kr": "n",
    "ka": "n",
    "ku": "n",
    "kc": "n",
}
VERBS = frozenset(SHAPES)
MAX_BYTES = 64
# Ids are 32-bit signed integers in PostgreSQL; anything larger would raise there.
ID_LIMIT = 2**31


def as_id(value: str) -> int | None:
    """`value` as an id in 1 .. 2^31-1, or None: ASCII digits only (`isdigit` alone
    accepts `²` and `①`), written as we write them (no sign, no leading zero)."""
    if not (0 < len(value) <= 10 and value.isascii() and value.isdigit()) or value[0] == "0":
        return None
    number = int(value)
    return number if number < ID_LIMIT else None


@dataclass(frozen=True)
class Callback:
    verb: str
    args: tuple[str, ...]

    def int_arg(self, index: int = 0) -> int | None:
        """Argument `index` as an id, or None when missing or malformed."""
        try:
            return as_id(self.args[index])
        except IndexError:
            return None


def make(verb: str, *args: object) -> str:
    """Build callback data; refuses anything Telegram would reject or `parse` would not
    read back."""
    if verb not in VERBS:
        raise ValueError(f"unknown callback verb {verb!r}")
    data = ":".join([verb, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    if parse(data) is None:
        raise ValueError(f"callback data does not fit its verb: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Parse callback data; None for anything we did not make (old or forged): an
    unknown verb, the wrong number of arguments, an id that is not one."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    verb, colon, rest = data.partition(":")
    shape = SHAPES.get(verb)
    if shape is None:
        return None
    if not shape:
        return None if colon else Callback(verb, ())
    # The last word may hold a colon; ids never do.
    args = tuple(rest.split(":", len(shape) - 1))
    if not colon or len(args) != len(shape):
        return None
    for kind, value in zip(shape, args, strict=True):
        if not value or (kind == "n" and as_id(value) is None):
            return None
    return Callback(verb, args)
