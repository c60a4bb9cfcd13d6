"""The schema: SQLAlchemy 2 typed declarative models.

Free text that can hold personal information uses `EncryptedText`/`EncryptedJSON`;
instants use `UTCDateTime`. Every change here needs an Alembic migration
(`storage/migrations/versions`); a test checks that models and migrations agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import EncryptedJSON, EncryptedText, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Koordinator(Base):
    """A registered user: a koordinator, and possibly an admin in the KE."""

    __tablename__ = "koordinator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    tjenestested: Mapped[str | None] = mapped_column(String(32))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Tidy mode: delete a finished conversation's questions and answers from the chat.
    tidy_mode: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    @property
    def registered(self) -> bool:
        """True once name and tjenestested are given."""
        return self.profile_complete(self.name, self.tjenestested)

    @staticmethod
    def profile_complete(name: str | None, tjenestested: str | None) -> bool:
        """Whether a name and a tjenestested make a registered koordinator."""
        return bool(name) and bool(tjenestested)


class Invitation(Base):
    """A one-time registration code. Only a hash of the code is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("koordinator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("koordinator.id"))


class Case(Base):
    """A person who receives coordinated services, known only by an alias."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("koordinator_id", "alias_key", name="uq_case_koordinator_alias"),
        Index("ix_case_koordinator_status", "koordinator_id", "status"),
        # The retention purge looks for cases closed before a day.
        Index("ix_case_status_closed_at", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    koordinator_id: Mapped[int] = mapped_column(ForeignKey("koordinator.id"))
    alias: Mapped[str] = mapped_column(String(32))
    # Case-folded alias, so "AB" and "ab" are the same case for one koordinator.
    alias_key: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(10))
    arena: Mapped[str | None] = mapped_column(String(20))
    tjenestested: Mapped[str | None] = mapped_column(String(32))
    appointed_on: Mapped[date] = mapped_column(Date)
    # A child who started school late (or repeated a year) shifts school transitions.
    school_shift_years: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Per-case overrides of the municipality's cadences (None = the setting).
    evaluation_months: Mapped[int | None] = mapped_column(Integer)
    meeting_interval_months: Mapped[int | None] = mapped_column(Integer)
    # Years of upper secondary (3, 4 for 2+2 yrkesfag, more with extra years; None = 3).
    vgs_years: Mapped[int | None] = mapped_column(Integer)
    # The day the current koordinator took over (None = `appointed_on`).
    koordinator_since: Mapped[date | None] = mapped_column(Date)
    # After a handover the outgoing koordinator can still read the case until this day.
    previous_koordinator_id: Mapped[int | None] = mapped_column(Integer)
    previous_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    close_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    koordinator: Mapped[Koordinator] = relationship(lazy="raise")


class CaseRequest(Base):
    """Something a koordinator asks the KE to decide: a handover to a proposed
    successor, or closing a case the person has not agreed to close. No content: codes
    and ids only, so the notice about it may go to a KE group chat."""

    __tablename__ = "case_request"
    __table_args__ = (Index("ix_case_request_case_status", "case_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    # handover | close
    kind: Mapped[str] = mapped_column(String(12))
    # open | approved | declined | withdrawn
    status: Mapped[str] = mapped_column(String(12), default="open")
    requested_by_id: Mapped[int] = mapped_column(Integer)
    proposed_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(40))
    # The person's wish about the new koordinator: ja | nei | ikke_spurt.
    wish: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(Integer)


class DialogState(Base):
    """Where a user is in a guided dialogue, so a restart loses nothing.

    One row per Telegram user; `token` changes with every step so buttons from an
    earlier step are recognised as stale.
    """

    __tablename__ = "dialog_state"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    token: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to which case, and when. Never content."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)
    koordinator_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(200))


class ConversationRun(Base):
    """One run of a guided conversation on a case (oppstart, kartlegging, ...).

    `cursor` holds the position (current step path, the steps visited for going
    back, a half-given answer) so a run resumes exactly where it stopped.
    """

    __tablename__ = "conversation_run"
    __table_args__ = (Index("ix_conversation_run_case", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="active")
    cursor: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    token: Mapped[int] = mapped_column(Integer, default=1)
    started_by_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(Base):
    """One answer to one step of a run. A correction adds a row and marks the old
    one superseded, so the history stays."""

    __tablename__ = "answer"
    __table_args__ = (Index("ix_answer_run_path", "run_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("conversation_run.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(120))
    step_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Any] = mapped_column(EncryptedJSON, nullable=True)
    note: Mapped[str | None] = mapped_column(EncryptedText)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_id: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Deadline(Base):
    """Something due on a case: from a cadence, a transition, a tiltak, a meeting or
    added by hand. Reminders are computed from these rows."""

    __tablename__ = "deadline"
    __table_args__ = (
        Index("ix_deadline_case_status", "case_id", "status"),
        Index("ix_deadline_status_due", "status", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    due: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(120))
    # open, done, dismissed; `proposed` for transitions not yet confirmed.
    status: Mapped[str] = mapped_column(String(12), default="open")
    title: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it was done or dismissed (a reopened case restores what its closing ended).
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Days before `due` that reminders go out, e.g. "365,182,30" (None = by kind).
    lead_days: Mapped[str | None] = mapped_column(String(40))
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    # True once the koordinator moved it by hand: recomputing transitions leaves it.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # When the KE was told this deadline is long overdue (one notice per deadline).
    ke_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the KE was asked to take up the case's Vg1 transition (a Vg1 start deadline;
    # one notice per deadline, `bot.rules.transitions.vg1_ke_day`).
    ke_brought_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Meeting(Base):
    """A planned ansvarsgruppe or work meeting and what became of it."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(EncryptedText)
    minutes_by: Mapped[str | None] = mapped_column(EncryptedText)
    # planned, held, not_held, moved
    status: Mapped[str] = mapped_column(String(12), default="planned")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """One message to send about a deadline at one instant. The sweep claims due rows,
    sends them and marks them sent; the row is the only record, nothing lives in memory.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("deadline_id", "send_at", name="uq_reminder_deadline_send_at"),
        Index("ix_reminder_status_send_at", "status", "send_at"),
        # The press paths (done, dismiss, snooze, move, close) find a deadline's pending
        # reminders by these two; without it SQLite walks every pending reminder.
        Index("ix_reminder_deadline_status", "deadline_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(Integer)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # lead (ahead of time), due (on the day), overdue (after)
    kind: Mapped[str] = mapped_column(String(10))
    # pending, claimed, sent, cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))


class DigestLog(Base):
    """A weekly digest sent (or being sent) to a koordinator; the unique key makes the
    week's digest go out once even with several bot processes. While it is being sent
    the row is a lease (`claimed_by` until `claimed_until`); sent: `claimed_until` None.
    """

    __tablename__ = "digest_log"
    __table_args__ = (UniqueConstraint("koordinator_id", "week", name="uq_digest_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    koordinator_id: Mapped[int] = mapped_column(Integer)
    week: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OpsMark(Base):
    """When a recurring piece of work last completed, e.g. the reminder sweep; read by
    `koordbot health`. One row per name, written by whichever process did the work."""

    __tablename__ = "ops_mark"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
