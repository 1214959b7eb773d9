"""The operator's use cases on the notification log: list, read, resend."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.notifications.domain import RESENDABLE, Channel, DeliveryStatus
from pasar.notifications.errors import NotificationNotFound, NotificationNotResendable
from pasar.notifications.models import Notification
from pasar.platform.pagination import Page, decode_id_cursor, encode_cursor
from pasar.platform.time import utcnow


async def list_notifications(
    session: AsyncSession,
    *,
    channel: Channel | None = None,
    status: DeliveryStatus | None = None,
    recipient: str | None = None,
    template: str | None = None,
    order_number: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[Notification]:
    """Newest first, keyset-paginated by id."""
    query = select(Notification).order_by(Notification.id.desc()).limit(limit + 1)
    after = decode_id_cursor(cursor)
    if after is not None:
        query = query.where(Notification.id < after)
    if channel is not None:
        query = query.where(Notification.channel == channel.value)
    if status is not None:
        query = query.where(Notification.status == status.value)
    if recipient:
        query = query.where(Notification.recipient == recipient.strip().lower())
    if template:
        query = query.where(Notification.template == template)
    if order_number:
        query = query.where(Notification.order_number == order_number.strip().upper())
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor([rows[-1].id]) if more else None)


async def get_notification(session: AsyncSession, notification_id: int) -> Notification:
    row = await session.get(Notification, notification_id, populate_existing=True)
    if row is None:
        raise NotificationNotFound(f"Notification {notification_id} does not exist.")
    return row


async def resend(session: AsyncSession, notification_id: int) -> Notification:
    """Put a failed or unknown message back in the queue, with fresh attempts. It is sent
    as rendered the first time (the log keeps one text per message)."""
    now = utcnow()
    result = await session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status.in_([s.value for s in RESENDABLE]),
        )
        .values(
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            due_at=now,
            error=None,
            updated_at=now,
        )
    )
    if not getattr(result, "rowcount", 0):
        status = (await get_notification(session, notification_id)).status
        await session.rollback()
        raise NotificationNotResendable(
            f"Notification {notification_id} is {status}: only a failed message, or one "
            "whose delivery is unknown, can be resent."
        )
    await session.commit()
    return await get_notification(session, notification_id)


async def count_notifications(session: AsyncSession, *, statuses: Sequence[DeliveryStatus]) -> int:
    """How many messages of the log are in any of `statuses` (e.g. failed and unknown)."""
    query = select(func.count()).where(Notification.status.in_([s.value for s in statuses]))
    return int(await session.scalar(query) or 0)
