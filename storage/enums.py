"""Fixed vocabularies, defined once and stored as short strings.

Labels shown to users live in `messages/<locale>/labels.yaml`, one group per
vocabulary, keyed by these values (a test keeps the two in step). Never change a
value: it is what the database holds.
"""

from __future__ import annotations

from enum import StrEnum

# ------------------------------------------------------------------ the case


class Role(StrEnum):
    """What the koordinator is for the person (label group `role`)."""

    KOORDINATOR = "koordinator"
    BARNEKOORDINATOR = "barnekoordinator"
    STAFETTHOLDER = "stafettholder"
    KONTAKTPERSON = "kontaktperson"


class Level(StrEnum):
    """How the cooperation is organised (label group `level`)."""

    BTI = "bti"
    SAMARBEIDSGRUPPE = "samarbeidsgruppe"
    ANSVARSGRUPPE = "ansvarsgruppe"
    IP = "ip"


class Arena(StrEnum):
    """Where the person spends the day (label group `arena`); school transitions
    depend on it (`bot.rules.transitions`)."""

    BARNEHAGE = "barnehage"
    BARNESKOLE = "barneskole"
    UNGDOMSSKOLE = "ungdomsskole"
    VIDEREGAENDE = "videregaende"
    ARBEID = "arbeid"
    ANNET = "annet"


class Gender(StrEnum):
    """Label group `gender`."""

    KVINNE = "kvinne"
    MANN = "mann"
    ANNET = "annet"


class Tjenestested(StrEnum):
    """Where a koordinator works; a case keeps its koordinator's (label group
    `tjenestested`)."""

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
    """Label group `status`."""

    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why a case was closed (label group `close_reason`). «Planen trengs ikke lenger»
    is a change of level, not a reason to close (migration 0006 maps it to IKKE_BEHOV)."""

    MAAL_NAADD = "maal_naadd"
    IKKE_BEHOV = "ikke_behov"
    ONSKER_IKKE = "onsker_ikke"
    OVER_18 = "over_18"  # over to adult services
    FLYTTET = "flyttet"
    DOD = "dod"
    ANNET = "annet"


# ---------------------------------------------------- conversations, meetings


class RunStatus(StrEnum):
    """A conversation run (label group `run_status`)."""

    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # started anew instead of continued


class MeetingStatus(StrEnum):
    """What became of a planned meeting (label group `meeting_status`)."""

    PLANNED = "planned"
    HELD = "held"
    NOT_HELD = "not_held"
    MOVED = "moved"


class MeetingKind(StrEnum):
    """Label group `meeting_kind`; the /mote questionnaire offers these."""

    ANSVARSGRUPPEMOTE = "ansvarsgruppemote"
    ARBEIDSMOTE = "arbeidsmote"
    OVERGANGSMOTE = "overgangsmote"
    SAMARBEIDSMOTE = "samarbeidsmote"


# ---------------------------------------------------- deadlines and reminders


class DeadlineStatus(StrEnum):
    """Label group `deadline_status`; `proposed` is a transition not yet confirmed."""

    OPEN = "open"
    PROPOSED = "proposed"
    DONE = "done"
    DISMISSED = "dismissed"


class DeadlineSource(StrEnum):
    """Where a deadline came from."""

    TRANSITION = "transition"
    CADENCE = "cadence"
    SAMTALE = "samtale"
    MANUAL = "manual"
    MOTE = "mote"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"  # given up after the last attempt


class ReminderKind(StrEnum):
    """Ahead of time, on the day, after the day."""

    LEAD = "lead"
    DUE = "due"
    OVERDUE = "overdue"


# ------------------------------------------------------------------- audit


class AuditAction(StrEnum):
    """What an audit entry records. The one open family is `run.started.<kind>`
    (`bot.runs`), one per conversation kind."""

    ADMIN_FROM_CONFIG = "admin.from_config"
    INVITATION_CREATED = "invitation.created"
    INVITATION_UNKNOWN = "invitation.unknown"
    INVITATION_REUSED = "invitation.reused"
    INVITATION_EXPIRED = "invitation.expired"
    INVITATION_USED = "invitation.used"
    KOORDINATOR_REGISTERED = "koordinator.registered"
    KOORDINATOR_ACTIVATED = "koordinator.activated"
    KOORDINATOR_DEACTIVATED = "koordinator.deactivated"
    KOORDINATOR_ADMIN = "koordinator.admin"
    KOORDINATOR_NOT_ADMIN = "koordinator.not_admin"
    KOORDINATOR_UNREACHABLE = "koordinator.unreachable"
    CASE_CREATED = "case.created"
    CASE_DENIED = "case.denied"
    CASE_OPENED = "case.opened"
    CASE_EDITED = "case.edited"
    # A status change is `case.<status>`: pausing and reopening use the first two.
    CASE_ACTIVE = "case.active"
    CASE_PAUSED = "case.paused"
    CASE_CLOSED = "case.closed"
    CASE_ADMIN_ACCESS = "case.admin_access"
    CASE_HANDED_OVER = "case.handed_over"
    CASE_HANDOVER_CHECKLIST = "case.handover_checklist"
    CASE_HANDOVER_PROPOSED = "case.handover_proposed"
    CASE_CLOSE_REQUESTED = "case.close_requested"
    CASE_CLOSE_CHECKLIST = "case.close_checklist"
    CASE_OVERLAP_READ = "case.overlap_read"
    REQUEST_APPROVED = "request.approved"
    REQUEST_DECLINED = "request.declined"
    CASE_EXPORTED = "case.exported"
    CASE_CALENDAR = "case.calendar"
    CASE_DELETED = "case.deleted"
    CASE_PURGED = "case.purged"
    STATISTICS_VIEWED = "statistics.viewed"

    @classmethod
    def case_status(cls, status: CaseStatus) -> AuditAction:
        """The action recording that a case got `status`."""
        return cls(f"case.{status.value}")
