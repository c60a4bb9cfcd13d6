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
  ho:<case> / hk:<case>:<koordinator>:<wish>  hand over: checklist, then the new
                         koordinator (an admin appoints, a koordinator proposes)
  ra / rn:<request>      an admin approves / declines a request to the KE
  cl:<case> / ro:<case>  close (checklist) / reopen
  dl:<case> / dy:<case>  delete: ask / confirmed
  ko kd kr ka ku kc:<koordinator>  admin: detail, deactivate, reactivate, admin on/off,
                         their cases
"""

from __future__ import annotations

from dataclasses import dataclass

VERBS = frozenset(
    "f c e ef p r l d m q k cv rl s a x ml mo z u sn tc tm tx ts pd nf "
    "ho hk ra rn cl ro dl dy ko kd kr ka ku kc".split()
)
MAX_BYTES = 64


@dataclass(frozen=True)
class Callback:
    verb: str
    args: tuple[str, ...]

    def int_arg(self, index: int = 0) -> int | None:
        """Argument `index` as a positive int, or None when missing or malformed."""
        try:
            value = self.args[index]
        except IndexError:
            return None
        if not value.isdigit() or len(value) > 12:
            return None
        return int(value)


def make(verb: str, *args: object) -> str:
    """Build callback data; refuses anything Telegram would reject."""
    if verb not in VERBS:
        raise ValueError(f"unknown callback verb {verb!r}")
    data = ":".join([verb, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Parse callback data; None for anything we did not make (old or forged)."""
    if not data or len(data) > MAX_BYTES:
        return None
    verb, *args = data.split(":")
    if verb not in VERBS:
        return None
    return Callback(verb, tuple(args))
