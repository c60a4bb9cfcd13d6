"""Every vocabulary is defined once (storage/enums.py) and labelled once
(messages/nb/labels.yaml): the two hold the same codes."""

from __future__ import annotations

from enum import StrEnum

import pytest

from handlers.commands import Section
from messages import Texts
from storage.enums import (
    Arena,
    CaseStatus,
    CloseReason,
    DeadlineStatus,
    Gender,
    Level,
    MeetingKind,
    MeetingStatus,
    Role,
    RunStatus,
    Tjenestested,
)

LABELLED: list[tuple[type[StrEnum], str]] = [
    (Role, "role"),
    (Level, "level"),
    (Arena, "arena"),
    (Gender, "gender"),
    (Tjenestested, "tjenestested"),
    (CaseStatus, "status"),
    (CloseReason, "close_reason"),
    (RunStatus, "run_status"),
    (MeetingStatus, "meeting_status"),
    (MeetingKind, "meeting_kind"),
    (DeadlineStatus, "deadline_status"),
    (Section, "help_section"),
]


@pytest.mark.parametrize(("vocabulary", "group"), LABELLED, ids=[g for _, g in LABELLED])
def test_every_code_has_a_label_and_every_label_a_code(vocabulary, group):
    labels = [code for code, _ in Texts().labels(group)]
    assert sorted(labels) == sorted(v.value for v in vocabulary)
