"""Guided dialogue state kept in the database, so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState


async def current(session: AsyncSession, user_id: int) -> DialogState | None:
    """The user's open dialogue, if any."""
    return await session.get(DialogState, user_id)


async def start(
    session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> DialogState:
    """Begin (or replace) the user's dialogue at `step`."""
    state = await session.get(DialogState, user_id)
    if state is None:
        state = DialogState(
            telegram_user_id=user_id, flow=flow, step=step, token=1, data=data, updated_at=now
        )
        session.add(state)
    else:
        state.flow, state.step, state.data, state.updated_at = flow, step, data, now
        state.token = (state.token % 9999) + 1
    await session.flush()
    return state


async def move(
    session: AsyncSession, state: DialogState, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Go to `step` with the updated draft; buttons of the previous step go stale."""
    state.step = step
    # A new dict, so SQLAlchemy sees the change to the (encrypted) JSON column.
    state.data = dict(data)
    state.token = (state.token % 9999) + 1
    state.updated_at = now


async def finish(session: AsyncSession, state: DialogState) -> None:
    """The dialogue is done or cancelled."""
    await session.delete(state)


async def finish_flow(session: AsyncSession, user_id: int, flow: str) -> None:
    """End the user's dialogue if it is of `flow`."""
    state = await current(session, user_id)
    if state is not None and state.flow == flow:
        await session.delete(state)


async def interrupt(session: AsyncSession, user_id: int) -> bool:
    """Another command came in the middle of a dialogue: until the user continues it,
    typed text is no answer to the question (it may be an alias, or anything).
    True when there was a dialogue to interrupt."""
    state = await current(session, user_id)
    if state is None:
        return False
    if not state.data.get("interrupted"):
        # Same token: the buttons under the question stay valid and continue it.
        state.data = {**state.data, "interrupted": True}
    return True


def interrupted(state: DialogState | None) -> bool:
    return state is not None and bool(state.data.get("interrupted"))


async def resume_after_interrupt(session: AsyncSession, user_id: int) -> None:
    """The user went back to the dialogue: typed text answers it again."""
    state = await current(session, user_id)
    if interrupted(state):
        assert state is not None
        state.data = {k: v for k, v in state.data.items() if k != "interrupted"}
