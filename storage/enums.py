"""Fixed vocabularies stored as short strings. Labels shown to users live in messages/."""

from enum import StrEnum


class Role(StrEnum):
    KOORDINATOR = "koordinator"
    BARNEKOORDINATOR = "barnekoordinator"
    STAFETTHOLDER = "stafettholder"
    KONTAKTPERSON = "kontaktperson"


class Level(StrEnum):
    BTI = "bti"
    SAMARBEIDSGRUPPE = "samarbeidsgruppe"
    ANSVARSGRUPPE = "ansvarsgruppe"
    IP = "ip"


class Arena(StrEnum):
    BARNEHAGE = "barnehage"
    BARNESKOLE = "barneskole"
    UNGDOMSSKOLE = "ungdomsskole"
    VIDEREGAENDE = "videregaende"
    ARBEID = "arbeid"
    ANNET = "annet"


class Gender(StrEnum):
    KVINNE = "kvinne"
    MANN = "mann"
    ANNET = "annet"


class Tjenestested(StrEnum):
    SKOLE = "skole"
    BARNEHAGE = "barnehage"
    HELSESTASJON = "helsestasjon"
    FYSIO_ERGO = "fysio_ergo"
    HJEMMETJENESTE = "hjemmetjeneste"
    BOA = "boa"
    PSYKISK_HELSE_RUS = "psykisk_helse_rus"
    BARNEVERN = "barnevern"
    NAV = "nav"
    TILDELING = "tildeling"
    ANNET = "annet"


class CaseStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class DeadlineStatus(StrEnum):
    """A deadline's state; `proposed` is a transition not yet confirmed."""

    OPEN = "open"
    PROPOSED = "proposed"
    DONE = "done"
    DISMISSED = "dismissed"


class DeadlineSource(StrEnum):
    """Where a deadline came from."""

    CADENCE = "cadence"
    TRANSITION = "transition"
    SAMTALE = "samtale"  # a dated answer in a conversation
    MOTE = "mote"  # around a planned meeting
    MANUAL = "manual"  # added by hand


class ReminderStatus(StrEnum):
    """A reminder row's state in the outbox."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


class ReminderKind(StrEnum):
    """Ahead of time, on the day, or after the deadline."""

    LEAD = "lead"
    DUE = "due"
    OVERDUE = "overdue"
