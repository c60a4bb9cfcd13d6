"""Reading deadlines: a case's active ones, each case's next one, what is due soon.

The lookups answer a tap on a phone, so their statements are built once here (with
bound parameters) rather than on every update.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import ASKER_COLUMNS, Asker, asker_of
from bot.deadlines.naming import item_numbers, short_label
from bot.deadlines.planning import ACTIVE
from bot.rules.text import alias_key
from storage.db import Reader
from storage.enums import CaseStatus, DeadlineSource
from storage.models import Case, Deadline, Koordinator


async def active_of(session: AsyncSession, case_id: int) -> list[Deadline]:
    """Open and proposed deadlines of a case, soonest first."""
    return list(
        (
            await session.scalars(
                select(Deadline)
                .where(Deadline.case_id == case_id, Deadline.status.in_(ACTIVE))
                .order_by(Deadline.due, Deadline.id)
            )
        ).all()
    )


async def transitions_of(session: AsyncSession, case_id: int) -> list[Deadline]:
    """A case's active transition deadlines (proposed or confirmed), soonest first."""
    return [d for d in await active_of(session, case_id) if d.source == DeadlineSource.TRANSITION]


class Due(NamedTuple):
    """A deadline as the lookups show it: what a reminder may carry, no content (the
    tiltak's text stays behind; only a label given by hand is shown)."""

    id: int
    case_id: int
    kind: str
    due: date
    status: str
    source: str | None = None
    source_ref: str | None = None
    title: str | None = None

    @classmethod
    def of(cls, d: Deadline) -> Due:
        """The lookup view of a loaded deadline."""
        return cls(d.id, d.case_id, d.kind, d.due, d.status, d.source, d.source_ref, d.title)

    @property
    def numbers(self) -> tuple[int, ...]:
        """Goal and tiltak number of a tiltak deadline («Tiltak 2 · Mål 1»), else ()."""
        return item_numbers(self.source, self.source_ref)

    @property
    def label(self) -> str | None:
        """The short label of a deadline added by hand, else None."""
        return short_label(self.kind, self.source, self.title)


_DUE_COLUMNS = (
    Deadline.id,
    Deadline.case_id,
    Deadline.kind,
    Deadline.due,
    Deadline.status,
    Deadline.source,
    Deadline.source_ref,
    Deadline.title,
)


class CaseLine(NamedTuple):
    """A case as a list line shows it."""

    id: int
    alias: str
    alias_key: str
    level: str
    status: str


def _soonest():  # type: ignore[no-untyped-def]
    # The soonest active deadline per case, picked by a correlated subquery that reads
    # the case's few active rows through the (case_id, status) index.
    return (
        select(Deadline.id)
        .where(Deadline.case_id == Case.id, Deadline.status.in_(ACTIVE))
        .order_by(Deadline.due, Deadline.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


_CASE_COLUMNS = (Case.id, Case.alias, Case.alias_key, Case.level, Case.status)


def _cases_with_next_statement(one_case: bool) -> Select:  # type: ignore[type-arg]
    stmt = (
        select(*_CASE_COLUMNS, *_DUE_COLUMNS)
        .outerjoin(Deadline, Deadline.id == _soonest())
        .where(
            Case.koordinator_id == bindparam("koordinator_id"),
            Case.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(Case.alias_key)
    )
    return stmt.where(Case.id == bindparam("case_id")) if one_case else stmt


_CASES_WITH_NEXT = {one: _cases_with_next_statement(one) for one in (False, True)}


# `status || ''` keeps the status out of index choice: with a plain condition SQLite (no
# statistics) walks the (status, due) index over every open deadline in the municipality
# instead of starting from the koordinator's few cases.
def _upcoming_condition():  # type: ignore[no-untyped-def]
    return and_(
        Deadline.due <= bindparam("until"),
        Deadline.status.concat("").in_(ACTIVE),
    )


_UPCOMING = (
    select(Case.alias, *_DUE_COLUMNS)
    .join(Case, Case.id == Deadline.case_id)
    .where(
        Case.koordinator_id == bindparam("koordinator_id"),
        Case.status == CaseStatus.ACTIVE,
        _upcoming_condition(),
    )
    .order_by(Deadline.due, Deadline.id)
)


async def cases_with_next(
    session: AsyncSession,
    koordinator_id: int,
    statuses: tuple[str, ...] = (CaseStatus.ACTIVE,),
    case_id: int | None = None,
) -> list[tuple[CaseLine, Due | None]]:
    """The koordinator's cases in `statuses` (by alias), each with its soonest active
    deadline, in one statement (/neste, /saker, inline lookups)."""
    params: dict[str, Any] = {"koordinator_id": koordinator_id, "statuses": list(statuses)}
    if case_id is not None:
        params["case_id"] = case_id
    result = await session.execute(_CASES_WITH_NEXT[case_id is not None], params)
    return [
        (CaseLine(*row[:5]), Due(*row[5:]) if row[5] is not None else None) for row in result.all()
    ]


async def upcoming(
    session: AsyncSession, koordinator_id: int, until: date
) -> list[tuple[str, Due]]:
    """(alias, deadline) for every active deadline of the koordinator's active cases due
    on or before `until` (overdue included), soonest first (/frister, weekly digest)."""
    result = await session.execute(_UPCOMING, {"koordinator_id": koordinator_id, "until": until})
    return [(row[0], Due(*row[1:])) for row in result.all()]


AGENDA_DAYS = 30


class Agenda(NamedTuple):
    """/frister: what is overdue, then what falls due in the coming weeks, by week."""

    overdue: list[tuple[str, Due]]
    weeks: list[tuple[str, list[tuple[str, Due]]]]  # (ISO week number, lines)
    days: int


async def agenda(
    session: AsyncSession, koordinator_id: int, today: date, days: int = AGENDA_DAYS
) -> Agenda:
    """Everything of the koordinator's due within `days`, overdue first, by week."""
    return _agenda_of(
        await upcoming(session, koordinator_id, today + timedelta(days=days)), today, days
    )


def _agenda_of(rows: list[tuple[str, Due]], today: date, days: int) -> Agenda:
    weeks: dict[str, list[tuple[str, Due]]] = {}
    for alias, d in rows:
        if d.due >= today:
            weeks.setdefault(f"{d.due.isocalendar().week}", []).append((alias, d))
    overdue = [(alias, d) for alias, d in rows if d.due < today]
    return Agenda(overdue, list(weeks.items()), days)


# ---- the lean reads: the asker's access and the answer in one statement ------------
# The koordinator row is the left side, found by the Telegram id; the answer is joined
# to it only while the koordinator is active (`bot.access.ASKER_COLUMNS`).


def _asked_next_statement(by_alias: bool) -> Select:  # type: ignore[type-arg]
    which = (
        Case.alias_key == bindparam("alias_key") if by_alias else Case.status == CaseStatus.ACTIVE
    )
    return (
        select(*ASKER_COLUMNS, *_CASE_COLUMNS, *_DUE_COLUMNS)
        .select_from(Koordinator)
        .outerjoin(
            Case,
            and_(Case.koordinator_id == Koordinator.id, Koordinator.active.is_(True), which),
        )
        .outerjoin(Deadline, Deadline.id == _soonest())
        .where(Koordinator.telegram_user_id == bindparam("user_id"))
        .order_by(Case.alias_key)
    )


_ASKED_NEXT = {by_alias: _asked_next_statement(by_alias) for by_alias in (False, True)}
# Two plain outer joins (not case JOIN deadline nested under one): SQLite would build
# that nested join for every active case of the municipality before finding hers.
_ASKED_UPCOMING = (
    select(*ASKER_COLUMNS, Case.alias, *_DUE_COLUMNS)
    .select_from(Koordinator)
    .outerjoin(
        Case,
        and_(
            Case.koordinator_id == Koordinator.id,
            Koordinator.active.is_(True),
            Case.status == CaseStatus.ACTIVE,
        ),
    )
    .outerjoin(Deadline, and_(Deadline.case_id == Case.id, _upcoming_condition()))
    .where(Koordinator.telegram_user_id == bindparam("user_id"))
    .order_by(Deadline.due, Deadline.id)
)
_ASKER_WIDTH = len(ASKER_COLUMNS)


class Asked(NamedTuple):
    """A lean read's answer: who asked (None: a stranger) and what they see."""

    asker: Asker | None
    rows: list[Row[Any]]


async def _asked(reader: Reader, statement: Select, params: dict[str, Any]) -> Asked:  # type: ignore[type-arg]
    rows = list((await reader.execute(statement, params)).all())
    return Asked(asker_of(rows[0] if rows else None), rows)


async def asked_next(
    reader: Reader, user_id: int, alias: str | None = None
) -> tuple[Asker | None, list[tuple[CaseLine, Due | None]]]:
    """/neste and inline lookups in one statement: the asker, and their active cases (or
    the one case named by `alias`, whatever its status) with each one's soonest active
    deadline, by alias. An unknown alias gives no cases."""
    key = alias_key(alias) if alias is not None else None
    if key is not None and not 0 < len(key) <= 64:
        key = ""  # matches no case
    params: dict[str, Any] = {"user_id": user_id}
    if key is not None:
        params["alias_key"] = key
    asked = await _asked(reader, _ASKED_NEXT[key is not None], params)
    w = _ASKER_WIDTH
    return asked.asker, [
        (CaseLine(*row[w : w + 5]), Due(*row[w + 5 :]) if row[w + 5] is not None else None)
        for row in asked.rows
        if row[w] is not None
    ]


async def asked_agenda(
    reader: Reader, user_id: int, today: date, days: int = AGENDA_DAYS
) -> tuple[Asker | None, Agenda]:
    """/frister in one statement: the asker, and their agenda (see `agenda`)."""
    asked = await _asked(
        reader, _ASKED_UPCOMING, {"user_id": user_id, "until": today + timedelta(days=days)}
    )
    w = _ASKER_WIDTH
    rows = [(row[w], Due(*row[w + 1 :])) for row in asked.rows if row[w + 1] is not None]
    return asked.asker, _agenda_of(rows, today, days)
