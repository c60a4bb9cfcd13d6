"""A synthetic municipality: koordinatorer, cases, deadlines, reminders, runs, answers
and meetings, as plain row tuples ready for a bulk load.

The shape at scale 1: 20,000 koordinatorer with a skewed number of cases each (mean 5,
a few with 30+), 100,000 cases, 1,000,000 deadlines due from 60 days ago to two years
ahead, reminders for what falls due in the next 60 days (and the sent ones of the last
60 days), plus one reminder due this morning for each of 10,000 distinct koordinatorer:
the dispatch set.

Encrypted columns hold real Fernet ciphertext from the bot's own `Cipher`; one token
per column is encrypted once and reused for every row (encrypting a million values
would only make the load slow, and a reader decrypts each row either way).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from bench.config import DUE_TODAY, TODAY, telegram_id
from bot.rules.text import alias_key
from bot.rules.workdays import delivery_instant, previous_working_day
from storage.crypto import Cipher
from storage.enums import Arena, CaseStatus, Gender, Level, Role, Tjenestested
from storage.models import Deadline

Row = tuple[object, ...]
DAY = timedelta(days=1)
DUE_FROM, DUE_TO = -60, 730  # deadlines fall due this many days from today
REMIND_AHEAD = 60  # pending reminders exist for deadlines due within this many days
LETTERS = "ABDEFGHIJKLMNOPRSTUVY"
KE_OVERDUE_DAYS = 30  # the default of KOORDBOT_KE_OVERDUE_DAYS
KE_NOTICES = "ke_notified_at" in Deadline.__table__.c

# (kind, source, weight, titled): the mix of deadline kinds on an ordinary case.
KINDS: tuple[tuple[str, str, int, bool], ...] = (
    ("evaluering", "cadence", 16, False),
    ("ansvarsgruppemote", "cadence", 14, False),
    ("oppstartsamtale", "cadence", 3, False),
    ("tiltak", "answer", 24, True),
    ("innkalling", "mote", 8, False),
    ("mote", "mote", 8, False),
    ("referat", "mote", 8, False),
    ("skolestart", "transition", 3, False),
    ("ungdomsskole_start", "transition", 3, False),
    ("vgs_soknadsfrist_ordinaer", "transition", 3, False),
    ("fyller_18", "transition", 3, False),
    ("manuell", "manual", 7, True),
)


@dataclass(frozen=True)
class Shape:
    """How many of each; `dispatch` is the number of reminders due this morning."""

    koordinatorer: int
    cases: int
    deadlines: int
    dispatch: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        return cls(
            koordinatorer=max(10, round(20_000 * scale)),
            cases=max(50, round(100_000 * scale)),
            deadlines=max(500, round(1_000_000 * scale)),
            dispatch=10_000,
        )


@dataclass(frozen=True)
class Table:
    """Rows for one table, produced lazily in load order."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterator[Row]]


class Municipality:
    """Generates every table of the bot's schema with a realistic shape (seeded)."""

    def __init__(self, shape: Shape, cipher: Cipher, seed: int = 20261124) -> None:
        self.shape = shape
        self.rng = random.Random(seed)
        self.created = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
        self.name_token = cipher.encrypt("Kari Koordinator")
        self.title_token = cipher.encrypt("Logoped to ganger i uka, skolen følger opp")
        self.cursor_token = cipher.encrypt(
            json.dumps({"path": "mal/2", "visited": ["intro", "mal/1"], "draft": None})
        )
        self.value_token = cipher.encrypt(json.dumps("Trenger tilrettelegging i friminuttene"))
        self.note_token = cipher.encrypt("Foreldrene ønsker møte etter jul")
        self.place_token = cipher.encrypt("Rådhuset, møterom 2")
        self.minutes_token = cipher.encrypt("Helsesykepleier")
        n_k = shape.koordinatorer
        self.k_usable = [False] * (n_k + 1)  # active and reachable
        self.case_koordinator = [0] * (shape.cases + 1)
        self.case_active = [False] * (shape.cases + 1)
        self.case_level = [""] * (shape.cases + 1)
        self.case_appointed = [TODAY] * (shape.cases + 1)
        self._dispatch_candidate: dict[int, tuple[int, int]] = {}
        self._reminders: list[Row] = []
        self._run_owner: list[tuple[int, int, datetime]] = []  # (run, koordinator, started)
        self.dispatch_ids: list[int] = []
        self.counts: dict[str, int] = {}

    def tables(self) -> Iterator[Table]:
        """Every table in foreign-key order; later ones use state from earlier ones."""
        yield Table(
            "koordinator",
            (
                "id",
                "telegram_user_id",
                "name",
                "tjenestested",
                "is_admin",
                "active",
                "created_at",
                "unreachable_since",
                "weekly_digest",
            ),
            self._koordinatorer,
        )
        yield Table(
            "case",
            (
                "id",
                "koordinator_id",
                "alias",
                "alias_key",
                "role",
                "level",
                "birth_year",
                "birth_month",
                "gender",
                "arena",
                "tjenestested",
                "appointed_on",
                "school_shift_years",
                "status",
                "close_reason",
                "created_at",
                "updated_at",
                "closed_at",
            ),
            self._cases,
        )
        yield Table(
            "conversation_run",
            (
                "id",
                "case_id",
                "kind",
                "status",
                "cursor",
                "token",
                "started_by_id",
                "started_at",
                "updated_at",
                "finished_at",
            ),
            self._runs,
        )
        yield Table(
            "answer",
            (
                "id",
                "run_id",
                "path",
                "step_id",
                "value",
                "note",
                "skipped",
                "answered_by_id",
                "answered_at",
                "superseded_at",
            ),
            self._answers,
        )
        yield Table(
            "meeting",
            (
                "id",
                "case_id",
                "kind",
                "starts_at",
                "place",
                "minutes_by",
                "status",
                "created_at",
                "updated_at",
            ),
            self._meetings,
        )
        yield Table(
            "deadline",
            (
                "id",
                "case_id",
                "kind",
                "due",
                "source",
                "source_ref",
                "status",
                "title",
                "created_at",
                "done_at",
                "pinned",
                *(("ke_notified_at",) if KE_NOTICES else ()),
            ),
            self._deadlines,
        )
        yield Table(
            "reminder",
            (
                "id",
                "deadline_id",
                "case_id",
                "send_at",
                "kind",
                "status",
                "attempts",
                "sent_at",
                "message_id",
            ),
            self._reminder_rows,
        )

    # ---- people and cases ----------------------------------------------------------
    def _koordinatorer(self) -> Iterator[Row]:
        rng = self.rng
        places = [t.value for t in Tjenestested]
        for kid in range(1, self.shape.koordinatorer + 1):
            active = kid == 1 or rng.random() > 0.005
            unreachable = None if kid == 1 or rng.random() > 0.01 else self.created
            self.k_usable[kid] = active and unreachable is None
            yield (
                kid,
                telegram_id(kid),
                self.name_token,
                rng.choice(places),
                kid == 1,
                active,
                self.created,
                unreachable,
                rng.random() < 0.1,
            )
        self.counts["koordinator"] = self.shape.koordinatorer

    def _cases(self) -> Iterator[Row]:
        rng = self.rng
        n_k, n_c = self.shape.koordinatorer, self.shape.cases
        # Gamma-distributed caseloads: mean 5 cases, most 1-10, a few past 30.
        weights = [rng.gammavariate(2.0, 1.0) for _ in range(n_k)]
        owners = rng.choices(range(1, n_k + 1), weights=weights, k=n_c)
        per_koordinator = [0] * (n_k + 1)
        roles = [r.value for r in Role]
        levels = [lv.value for lv in Level]
        genders = [g.value for g in Gender]
        arenas = [a.value for a in Arena]
        for cid, kid in enumerate(owners, start=1):
            per_koordinator[kid] += 1
            alias = f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}{per_koordinator[kid]}"
            appointed = TODAY - DAY * rng.randint(20, 1500)
            at = datetime(appointed.year, appointed.month, appointed.day, 9, tzinfo=UTC)
            roll = rng.random()
            status = (
                CaseStatus.ACTIVE
                if roll < 0.85
                else CaseStatus.PAUSED
                if roll < 0.93
                else CaseStatus.CLOSED
            )
            closed = status == CaseStatus.CLOSED
            level = rng.choice(levels)
            self.case_koordinator[cid] = kid
            self.case_active[cid] = status == CaseStatus.ACTIVE
            self.case_level[cid] = level
            self.case_appointed[cid] = appointed
            yield (
                cid,
                kid,
                alias,
                alias_key(alias),
                rng.choice(roles),
                level,
                rng.randint(2004, 2023),
                rng.randint(1, 12),
                rng.choice(genders),
                rng.choice(arenas),
                "skole",
                appointed,
                0,
                status.value,
                "mal_naadd" if closed else None,
                at,
                at,
                self._closed_at(rng) if closed else None,
            )
        self.counts["case"] = n_c

    def _closed_at(self, rng: random.Random) -> datetime:
        # Within the retention period: the sweep's purge has already removed older ones.
        day = TODAY - DAY * rng.randint(1, 300)
        return datetime(day.year, day.month, day.day, 13, tzinfo=UTC)

    def _runs(self) -> Iterator[Row]:
        """An oppstart run on most cases, a kartlegging on some (cursor encrypted)."""
        rng = self.rng
        run_id = 0
        for cid in range(1, self.shape.cases + 1):
            kid = self.case_koordinator[cid]
            appointed = self.case_appointed[cid]
            at = datetime(appointed.year, appointed.month, appointed.day, 10, tzinfo=UTC)
            kinds = []
            if appointed < TODAY - 14 * DAY and rng.random() < 0.8:
                kinds.append(("oppstart", "finished"))
            if rng.random() < 0.3:
                kinds.append(("kartlegging", rng.choice(("active", "paused", "finished"))))
            for kind, status in kinds:
                run_id += 1
                self._run_owner.append((run_id, kid, at))
                done = at + timedelta(days=14) if status == "finished" else None
                yield (run_id, cid, kind, status, self.cursor_token, 7, kid, at, at, done)
        self.counts["conversation_run"] = run_id

    def _answers(self) -> Iterator[Row]:
        """Three answers per run (value encrypted, a note on some)."""
        answer_id = 0
        for run_id, kid, at in self._run_owner:
            for step in range(1, 4):
                answer_id += 1
                note = self.note_token if step == 2 else None
                path = f"mal/{step}"
                yield (
                    answer_id,
                    run_id,
                    path,
                    f"q{step}",
                    self.value_token,
                    note,
                    False,
                    kid,
                    at,
                    None,
                )
        self.counts["answer"] = answer_id

    def _meetings(self) -> Iterator[Row]:
        """One or two meetings on ansvarsgruppe/IP cases (place encrypted)."""
        rng = self.rng
        meeting_id = 0
        for cid in range(1, self.shape.cases + 1):
            if self.case_level[cid] not in (Level.ANSVARSGRUPPE, Level.IP):
                continue
            for _ in range(rng.randint(1, 2)):
                meeting_id += 1
                day = TODAY + DAY * rng.randint(-300, 90)
                starts = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
                status = "held" if day < TODAY else "planned"
                yield (
                    meeting_id,
                    cid,
                    "ansvarsgruppemote",
                    starts,
                    self.place_token,
                    self.minutes_token,
                    status,
                    self.created,
                    self.created,
                )
        self.counts["meeting"] = meeting_id

    # ---- deadlines and reminders ---------------------------------------------------
    def _owners(self) -> list[int]:
        """The case of each deadline: 5 to 15 per case, exactly `deadlines` in all, in
        random id order (deadlines of one case are created at different times)."""
        rng = self.rng
        counts = [rng.randint(5, 15) for _ in range(self.shape.cases)]
        excess = sum(counts) - self.shape.deadlines
        while excess:
            i = rng.randrange(len(counts))
            step = 1 if excess > 0 else -1
            if 1 <= counts[i] - step <= 20:
                counts[i] -= step
                excess -= step
        owners = [cid for cid, n in enumerate(counts, start=1) for _ in range(n)]
        rng.shuffle(owners)
        return owners

    def _deadlines(self) -> Iterator[Row]:
        rng = self.rng
        random_ = rng.random
        kinds = [k for k, _, w, _ in KINDS for _ in range(w)]
        meta = {k: (source, titled) for k, source, _, titled in KINDS}
        transitions = {k for k, source, _, _ in KINDS if source == "transition"}
        span = DUE_TO - DUE_FROM + 1
        long_overdue = -DUE_FROM - KE_OVERDUE_DAYS
        days = [TODAY + DAY * (DUE_FROM + i) for i in range(span)]
        done_at = datetime(TODAY.year, TODAY.month, TODAY.day, 6, tzinfo=UTC) - 3 * DAY
        for did, cid in enumerate(self._owners(), start=1):
            offset = int(random_() * span)
            due = days[offset]
            kind = kinds[int(random_() * len(kinds))]
            source, titled = meta[kind]
            roll = random_()
            if due < TODAY:
                status = "done" if roll < 0.7 else "open" if roll < 0.9 else "dismissed"
            elif kind in transitions:
                status = "proposed" if roll < 0.6 else "open" if roll < 0.97 else "dismissed"
            else:
                status = "open" if roll < 0.97 else "dismissed"
            self._plan_reminders(did, cid, due, status)
            # Long overdue and still open: earlier sweeps have told the KE already.
            notified = offset < long_overdue and status in ("open", "proposed")
            yield (
                did,
                cid,
                kind,
                due,
                source,
                f"{source}:{kind}:{did}",
                status,
                self.title_token if titled else None,
                self.created,
                done_at if status == "done" else None,
                False,
                *((done_at if notified else None,) if KE_NOTICES else ()),
            )
        self.counts["deadline"] = self.shape.deadlines

    def _plan_reminders(self, did: int, cid: int, due: date, status: str) -> None:
        days_ahead = (due - TODAY).days
        if 0 < days_ahead <= REMIND_AHEAD:
            if status in ("open", "proposed") and self.case_active[cid]:
                for send_at, kind in _ahead(due):
                    self._reminders.append((did, cid, send_at, kind, "pending", 0, None, None))
        elif -REMIND_AHEAD <= days_ahead <= 0:
            for send_at, kind in _history(due):
                message_id = 1000 + did % 9000
                self._reminders.append((did, cid, send_at, kind, "sent", 1, send_at, message_id))
        elif days_ahead > 8 and status == "open" and self.case_active[cid]:
            kid = self.case_koordinator[cid]
            if self.k_usable[kid] and kid not in self._dispatch_candidate:
                self._dispatch_candidate[kid] = (did, cid)

    def _reminder_rows(self) -> Iterator[Row]:
        """The planned reminders plus this morning's dispatch set, in random id order."""
        rng = self.rng
        candidates = sorted(self._dispatch_candidate.items())
        chosen = rng.sample(candidates, min(self.shape.dispatch, len(candidates)))
        rows = self._reminders
        self._reminders = []
        first_dispatch = len(rows)
        rows.extend(
            (did, cid, DUE_TODAY, "lead", "pending", 0, None, None) for _, (did, cid) in chosen
        )
        order = list(range(len(rows)))
        rng.shuffle(order)
        position = [0] * len(rows)
        for rid, index in enumerate(order, start=1):
            position[index] = rid
        # Dispatch ids in the order they were chosen, so `--dispatch-count N` takes a
        # random N of them.
        self.dispatch_ids = [position[i] for i in range(first_dispatch, len(rows))]
        for rid, index in enumerate(order, start=1):
            yield (rid, *rows[index])
        self.counts["reminder"] = len(rows)


@cache
def _ahead(due: date) -> tuple[tuple[datetime, str], ...]:
    """Pending reminders for `due`: 30 and 7 days ahead and on the day (working days),
    those after today only."""
    on_day = previous_working_day(due)
    planned = {previous_working_day(due - DAY * n) for n in (30, 7, 0)}
    return tuple(
        (delivery_instant(day), "lead" if day < on_day else "due")
        for day in sorted(planned)
        if day > TODAY
    )


@cache
def _history(due: date) -> tuple[tuple[datetime, str], ...]:
    """Reminders already sent for `due` (a week ahead and on the day, before today)."""
    on_day = previous_working_day(due)
    planned = {previous_working_day(due - DAY * n) for n in (7, 0)}
    return tuple(
        (delivery_instant(day), "lead" if day < on_day else "due")
        for day in sorted(planned)
        if day < TODAY
    )
