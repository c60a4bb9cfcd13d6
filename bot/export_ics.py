"""Deadlines as an iCalendar file (`/kalender [alias]`), for the koordinator's calendar.

The caller turns deadlines and meetings into `CalendarEntry` values (stable UID, a
content-free summary such as "AB: Send innkalling", the date or the meeting time) and
`build_calendar` turns them into the bytes of a `.ics` file. Pure: no clock, no database.

Choices, and why:
- Re-import updates rather than duplicates: calendar apps match on UID and keep the
  copy with the highest SEQUENCE, so the caller gives a stable UID, bumps `sequence`
  when the entry changes, and sends a done or dismissed deadline as STATUS:CANCELLED
  (Outlook and Apple then remove it; Google hides it). METHOD:PUBLISH says "a calendar
  to subscribe to or import", not an invitation that wants an answer.
- Deadlines are all-day events (DTSTART;VALUE=DATE, DTEND the next day, as RFC 5545
  wants for a one-day event), TRANSPARENT so they do not block the day as busy.
- Meetings keep their local wall time: DTSTART;TZID=Europe/Oslo with a VTIMEZONE built
  from the tz database (only for the years used, to keep the file small). Outlook
  needs the VTIMEZONE to understand a TZID, Google and Apple read the Olson name; all
  three then show 14:30 Oslo time and keep it 14:30 if the meeting is moved across a
  daylight-saving change, which a bare UTC time would not. Plain UTC would also be
  read correctly, but loses the meeting's home zone when edited.
- Alarms (VALARM ACTION:DISPLAY, DESCRIPTION = the summary) trigger relative to the
  start. For all-day entries the start is local midnight, so "n days before" means
  08:00 local n days before, the same hour as the bot's own reminders: TRIGGER is
  -n days + 8 hours (1 -> -PT16H, 0 -> PT8H, 14 -> -P13DT16H). For meetings "n days
  before" is the same clock time n days earlier (0 -> at the start). Cancelled entries
  carry no alarms. Google ignores alarms in imported files and uses the calendar's
  default notifications instead; Outlook and Apple honour them.
- Text is kept as given (escaped by RFC 5545: backslash, comma, semicolon, newline;
  icalendar folds long lines), except that control characters other than newline and
  tab, which RFC 5545 forbids and some importers choke on, are dropped; CR and CRLF
  become LF.
- Content-free, like the reminders: no DESCRIPTION, LOCATION, ATTENDEE or URL; only the
  summary the caller gives. CLASS:PRIVATE in case the calendar is shared. No English:
  the caller's texts are Norwegian and the VTIMEZONE's English COMMENT is dropped;
  PRODID stays a technical id.
- Deterministic: DTSTAMP is `generated_at` in UTC, there is no random calendar UID, and
  entries are sorted, so the same input (and tz database) gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vText

PRODID = "-//Koordinatorbot//NO"
ALL_DAY_ALARM_HOUR = 8  # local time, the same hour as the reminders in the chat

Status = Literal["CONFIRMED", "CANCELLED"]

# RFC 5545 TEXT allows no control characters but TAB; a newline travels escaped as \n.
_LINE_BREAK = re.compile(r"\r\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEntry:
    """One deadline (all-day on `day`) or meeting (timed, from `starts_at`).

    For a timed entry `starts_at` must be timezone-aware and fall on `day` in the
    calendar's timezone.
    """

    uid: str
    summary: str
    day: date
    starts_at: datetime | None = None
    duration_minutes: int = 60
    alarm_days_before: tuple[int, ...] = (1,)
    sequence: int = 0
    status: Status = "CONFIRMED"

    @property
    def is_all_day(self) -> bool:
        return self.starts_at is None


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    generated_at: datetime,
    tz: str = "Europe/Oslo",
) -> bytes:
    """Return the `.ics` bytes for `entries`, a calendar called `name`.

    Raises ValueError for entries that would make a broken or ambiguous calendar:
    duplicate or empty UIDs, naive datetimes, a meeting not on its `day`, a
    non-positive duration, negative alarm days, a negative sequence or unknown status.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    zone = ZoneInfo(tz)
    stamp = generated_at.astimezone(UTC)
    given = list(entries)
    _check(given, zone)
    ordered = sorted(given, key=lambda e: (e.day, _sort_start(e, zone), e.uid))

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", _text(name))
    calendar.add("X-WR-TIMEZONE", tz)
    for entry in ordered:
        calendar.add_component(_event(entry, zone, stamp))

    spans = [
        _local_span(e.starts_at, e.duration_minutes, zone)
        for e in ordered
        if e.starts_at is not None
    ]
    if spans:
        # A VTIMEZONE only for the years the meetings use keeps the file small.
        years = [moment.year for span in spans for moment in span]
        calendar.add_missing_timezones(date(min(years), 1, 1), date(max(years) + 1, 1, 1))
        for zone_part in calendar.walk("VTIMEZONE"):
            # icalendar notes the years in English («This timezone only works from …»);
            # the file speaks Norwegian or not at all (issue 13).
            zone_part.pop("COMMENT", None)
    return calendar.to_ical()


def _event(entry: CalendarEntry, zone: ZoneInfo, stamp: datetime) -> Event:
    event = Event()
    event.add("UID", entry.uid)
    event.add("DTSTAMP", stamp)
    if entry.starts_at is None:
        event.add("DTSTART", entry.day)
        event.add("DTEND", entry.day + timedelta(days=1))
        event.add("TRANSP", "TRANSPARENT")
    else:
        start, end = _local_span(entry.starts_at, entry.duration_minutes, zone)
        event.add("DTSTART", start)
        event.add("DTEND", end)
        event.add("TRANSP", "OPAQUE")
    event.add("SUMMARY", _text(entry.summary))
    event.add("SEQUENCE", entry.sequence)
    event.add("STATUS", entry.status)
    event.add("CLASS", "PRIVATE")
    if entry.status != "CANCELLED":
        for days in sorted(set(entry.alarm_days_before), reverse=True):
            event.add_component(_alarm(entry, days))
    return event


def _alarm(entry: CalendarEntry, days_before: int) -> Alarm:
    trigger = timedelta(days=-days_before)
    if entry.is_all_day:
        trigger += timedelta(hours=ALL_DAY_ALARM_HOUR)
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", _text(entry.summary))
    alarm.add("TRIGGER", trigger)
    return alarm


class _Text(vText):
    """TEXT escaped exactly as RFC 5545 says. icalendar's own escaping reads a literal
    backslash + N as a line break, so an alias like "A\\N" would come back changed."""

    def to_ical(self) -> bytes:
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\n", "\\n")
        )
        return escaped.encode(getattr(self, "encoding", "utf-8"))


def _text(value: str) -> _Text:
    """`value` as RFC 5545 TEXT: line breaks as newlines, other control characters and
    byte-order marks dropped (readers strip a BOM at the start of a value)."""
    return _Text(_CONTROL.sub("", _LINE_BREAK.sub("\n", value)).replace("\ufeff", ""))


def _check(entries: list[CalendarEntry], zone: ZoneInfo) -> None:
    seen: set[str] = set()
    for entry in entries:
        if not entry.uid.strip():
            raise ValueError("an entry needs a UID")
        if entry.uid in seen:
            raise ValueError(f"duplicate UID {entry.uid!r}")
        seen.add(entry.uid)
        if entry.status not in ("CONFIRMED", "CANCELLED"):
            raise ValueError(f"unknown status {entry.status!r}")
        if entry.sequence < 0:
            raise ValueError(f"negative sequence for {entry.uid!r}")
        if any(days < 0 for days in entry.alarm_days_before):
            raise ValueError(f"negative alarm days for {entry.uid!r}")
        if entry.starts_at is not None:
            if entry.starts_at.tzinfo is None:
                raise ValueError(f"starts_at must be timezone-aware for {entry.uid!r}")
            if entry.starts_at.astimezone(zone).date() != entry.day:
                raise ValueError(f"starts_at is not on day for {entry.uid!r}")
            if entry.duration_minutes <= 0:
                raise ValueError(f"duration must be positive for {entry.uid!r}")


def _sort_start(entry: CalendarEntry, zone: ZoneInfo) -> time:
    # All-day entries first on their day, then meetings by local start time.
    if entry.starts_at is None:
        return time.min
    return entry.starts_at.astimezone(zone).time()


def _local_span(
    starts_at: datetime, duration_minutes: int, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    # Add the duration in UTC: aware-datetime arithmetic in one zone is wall-clock
    # arithmetic, which would stretch or shrink a meeting across a DST change.
    start = starts_at.astimezone(UTC)
    end = start + timedelta(minutes=duration_minutes)
    return start.astimezone(zone), end.astimezone(zone)
