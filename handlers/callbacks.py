"""Callback data: short strings built and parsed here, and only here.

Format: `<verb>:<arg>:<arg>`. `Verb` is the list of verbs; `handlers.router.ROUTES`
says which handler each one reaches and who may press it (a test keeps the two in
step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verb(StrEnum):
    """Every button verb, with the arguments it carries."""

    FORM_ANSWER = "f"  # f:<token>:<value>  answer to the current form step
    CASE = "c"  # c:<case>  open the case card
    CASE_EDIT = "e"  # e:<case>  edit menu of a case
    CASE_EDIT_FIELD = "ef"  # ef:<case>:<field>  edit one field
    CASE_PAUSE = "p"  # p:<case>
    CASE_RESUME = "r"  # r:<case>  resume a paused case
    CASE_LIST = "l"  # l  list my cases
    DIALOG = "d"  # d:<choice>  open form: continue / cancel / restart
    MENU = "m"  # m:<item>  main menu item
    CONVERSATION_ANSWER = "q"  # q:<run>:<token>:<value>  answer to the current step
    CONVERSATION_RESUME = "k"  # k:<case>:<kind>:<how>  resume or restart an unfinished one
    CONVERSATION_START = "cv"  # cv:<case>:<kind>  start a conversation from the case card
    RUN_LIST = "rl"  # rl:<case>  the conversations of a case
    RUN_SUMMARY = "s"  # s:<run>  summary of a conversation run
    ANSWER_CORRECT = "a"  # a:<run>:<n>  correct answer number n of a run
    EXPORT = "x"  # x:<case>  the case as PDF
    MEETING_LIST = "ml"  # ml:<case>
    MEETING_OUTCOME = "mo"  # mo:<meeting>:<outcome>  what became of a meeting
    CLOSE_PROPOSED = "z"  # z:<case>  close a case, as an evaluation proposed
    DEADLINE_DONE = "u"  # u:<deadline>  mark done (from a reminder)
    SNOOZE = "sn"  # sn:<deadline>:<how>  1d, 1w or pick a date
    TRANSITION_CONFIRM = "tc"  # tc:<deadline>
    TRANSITION_MOVE = "tm"  # tm:<deadline>
    TRANSITION_DISMISS = "tx"  # tx:<deadline>
    SCHOOL_SHIFT = "ts"  # ts:<case>:<later|earlier>  shift school transitions a year
    PROPOSALS = "pd"  # pd:<case>  transition proposals (a new screen)
    PROPOSALS_PAGE = "pp"  # pp:<case>:<page>  another page of the same screen
    NEW_DEADLINE = "nf"  # nf:<case>  a deadline or custom transition by hand
    HANDOVER = "ho"  # ho:<case>  hand over: the checklist
    HANDOVER_TO = "hk"  # hk:<case>:<koordinator>:<wish>  hand over: the new koordinator
    # (an admin appoints, a koordinator proposes; the person's wish goes with it)
    REQUEST_APPROVE = "ra"  # ra:<request>  an admin approves a request to the KE
    REQUEST_DECLINE = "rn"  # rn:<request>  an admin declines it
    CLOSE = "cl"  # cl:<case>  close (checklist)
    REOPEN = "ro"  # ro:<case>  reopen a closed case
    DELETE = "dl"  # dl:<case>  delete: ask
    DELETE_CONFIRMED = "dy"  # dy:<case>
    TIDY = "td"  # td:<on|off>  tidy mode, the answer to /ryddig
    KOORDINATOR = "ko"  # ko:<koordinator>  admin: one koordinator
    DEACTIVATE = "kd"  # kd:<koordinator>
    REACTIVATE = "kr"  # kr:<koordinator>
    MAKE_ADMIN = "ka"  # ka:<koordinator>
    UNMAKE_ADMIN = "ku"  # ku:<koordinator>


VERBS = frozenset(Verb)

# The shape of every verb's arguments: `n` an id or number, `w` a word. Data that does
# not fit its verb's shape exactly is stale or forged, and never reaches a handler.
SHAPES: dict[str, str] = {  # keyed by Verb value
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
    "pp": "nn",
    "nf": "n",
    "ho": "n",
    "hk": "nnw",
    "ra": "n",
    "rn": "n",
    "cl": "n",
    "ro": "n",
    "dl": "n",
    "dy": "n",
    "td": "w",
    "ko": "n",
    "kd": "n",
    "kr": "n",
    "ka": "n",
    "ku": "n",
}
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
    verb: Verb
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
        return None if colon else Callback(Verb(verb), ())
    # The last word may hold a colon; ids never do.
    args = tuple(rest.split(":", len(shape) - 1))
    if not colon or len(args) != len(shape):
        return None
    for kind, value in zip(shape, args, strict=True):
        if not value or (kind == "n" and as_id(value) is None):
            return None
    return Callback(Verb(verb), args)
