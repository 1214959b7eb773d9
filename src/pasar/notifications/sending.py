"""Sending: the drain that takes due messages from the log to SMTP or the SMS provider.

At most once, even with many workers and crashes:

1. Claim (one short transaction): lock due `pending` rows with SKIP LOCKED, render those
   not rendered yet, mark them `sending` with a lease and commit. Only then talk to the
   outside world, so no two workers ever hold the same row.
2. Send, outside any transaction (one SMTP connection per batch).
3. Record (one short transaction): `sent` (or `logged`, when there is no SMTP server or
   the SMS provider only records), back to `pending` with backoff on a transient failure,
   `failed` on a permanent one or after `MAX_ATTEMPTS`.

A row still `sending` when its lease runs out belongs to a worker that died mid-send: the
message may or may not have gone, so it becomes `unknown` and is never resent by itself;
the operator decides (`POST /api/v1/admin/notifications/{id}/resend`). The lease's expiry
is also the claim's token: a late outcome from a worker whose claim was taken over
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import fulfillment, orders
from pasar.notifications.channels import (
    Email,
    Outcome,
    SmsError,
    SmsProvider,
    SmtpMailer,
    new_message_id,
    sms_provider_for,
)
from pasar.notifications.domain import (
    LEASE,
    RETRY_BASE_SECONDS,
    RETRY_MAX_SECONDS,
    Channel,
    DeliveryStatus,
    Template,
    after_failure,
)
from pasar.notifications.models import Notification
from pasar.notifications.rendering import Links, render_email, render_sms
from pasar.platform.backoff import backoff_delay
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow

log = structlog.get_logger("pasar.notifications")

#: Messages claimed per round: small, so a slow SMTP server never outlives the lease.
BATCH = 20
#: The provider recorded for emails kept in the mail log only (no SMTP server configured).
MAIL_LOG = "mail_log"


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    channel: Channel
    recipient: str
    locale: str
    subject: str | None
    text: str
    html: str | None
    message_id: str | None
    attempts: int
    lease: datetime


async def send_due(
    database: Database,
    settings: Settings,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    sms: SmsProvider | None = None,
) -> int:
    """One round: expire dead leases, claim, send, record. Returns rows handled (0: idle)."""
    now = now or utcnow()
    expired = await expire_leases(database, now=now)
    claims = await claim(database, settings, now=now, batch=batch)
    if claims:
        await deliver(database, settings, claims, sms=sms or sms_provider_for(settings))
    return expired + len(claims)


async def expire_leases(database: Database, *, now: datetime) -> int:
    """`sending` past its lease → `unknown`: maybe sent, so never sent again by itself."""
    async with database.sessionmaker() as session, session.begin():
        result = await session.execute(
            update(Notification)
            .where(
                Notification.status == DeliveryStatus.SENDING.value,
                Notification.due_at <= now,
            )
            .values(
                status=DeliveryStatus.UNKNOWN.value,
                error="the sender stopped while sending; it may or may not have gone out",
                updated_at=now,
            )
        )
    count = max(int(getattr(result, "rowcount", 0) or 0), 0)
    if count:
        log.warning("notifications left in an unknown state", count=count)
    return count


async def claim(
    database: Database, settings: Settings, *, now: datetime, batch: int
) -> list[Claim]:
    """Lock, render and lease due messages; committed before anything is sent."""
    async with database.sessionmaker() as session, session.begin():
        rows = (
            await session.scalars(
                select(Notification)
                .where(
                    Notification.status == DeliveryStatus.PENDING.value,
                    Notification.due_at <= now,
                )
                .order_by(Notification.due_at, Notification.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        claims: list[Claim] = []
        lease = now + LEASE
        for row in rows:
            if row.body_text is None and not _render(row, settings):
                row.status, row.due_at, row.updated_at = DeliveryStatus.FAILED.value, None, now
                continue
            assert row.body_text is not None
            channel = Channel(row.channel)
            row.status = DeliveryStatus.SENDING.value
            row.attempts += 1
            row.due_at = lease
            row.updated_at = now
            row.error = None
            if channel is Channel.EMAIL:
                row.provider = "smtp" if settings.smtp_host else MAIL_LOG
                row.provider_message_id = new_message_id(settings.mail_from)
            else:
                row.provider = settings.sms_provider
                row.provider_message_id = None
            claims.append(
                Claim(
                    id=row.id,
                    channel=channel,
                    recipient=row.recipient,
                    locale=row.locale,
                    subject=row.subject,
                    text=row.body_text,
                    html=row.body_html,
                    message_id=row.provider_message_id,
                    attempts=row.attempts,
                    lease=lease,
                )
            )
    return claims


def _render(row: Notification, settings: Settings) -> bool:
    """Fill in subject and bodies from the stored facts; False (and the error) if it fails."""
    try:
        template = Template(row.template)
        links = links_for(settings, row.order_number)
        if Channel(row.channel) is Channel.EMAIL:
            rendered = render_email(template, row.locale, row.context, links)
            row.subject, row.body_text, row.body_html = (
                rendered.subject,
                rendered.text,
                rendered.html,
            )
        else:
            row.body_text = render_sms(template, row.locale, row.context, links)
    except Exception as error:  # a broken template or fact must not stop the queue
        log.exception("notification could not be rendered", notification_id=row.id)
        row.error = f"could not render: {type(error).__name__}: {error}"[:2000]
        return False
    return True


def links_for(settings: Settings, order_number: str | None) -> Links:
    base = settings.public_address.rstrip("/")
    order_url = None
    if order_number:
        order_url = base + orders.access_for(settings.secret, order_number).url
    return Links(
        public_address=base,
        order_url=order_url,
        carrier_names=carrier_names(settings.carriers_file),
    )


@lru_cache(maxsize=8)
def carrier_names(path: Path | None) -> dict[str, str]:
    carriers = fulfillment.load_carriers(path)
    return {code: carriers[code].name for code in carriers}


async def deliver(
    database: Database, settings: Settings, claims: Sequence[Claim], *, sms: SmsProvider
) -> None:
    """Send outside any transaction, then record every outcome in one short one."""
    emails = [c for c in claims if c.channel is Channel.EMAIL]
    texts = [c for c in claims if c.channel is Channel.SMS]
    results: list[tuple[Claim, Outcome, DeliveryStatus, str | None]] = []
    if emails:
        if settings.smtp_host:
            sent = await SmtpMailer(settings).send([_email(c) for c in emails])
            results.extend(
                (c, o, DeliveryStatus.SENT, c.message_id) for c, o in zip(emails, sent, strict=True)
            )
        else:
            results.extend(
                (c, Outcome(ok=True), DeliveryStatus.LOGGED, c.message_id) for c in emails
            )
    for text in texts:
        try:
            sms_id = await sms.send(text.recipient, text.text)
        except SmsError as error:
            outcome = Outcome(ok=False, error=str(error)[:2000], permanent=error.permanent)
            results.append((text, outcome, DeliveryStatus.SENT, None))
        else:
            done = DeliveryStatus.SENT if sms.delivers else DeliveryStatus.LOGGED
            results.append((text, Outcome(ok=True), done, sms_id))
    now = utcnow()
    async with database.sessionmaker() as session, session.begin():
        for claimed, outcome, status, message_id in results:
            await _record(session, claimed, outcome, status, message_id, now=now)


async def _record(
    session: AsyncSession,
    claimed: Claim,
    outcome: Outcome,
    done: DeliveryStatus,
    message_id: str | None,
    *,
    now: datetime,
) -> None:
    values: dict[str, Any]
    if outcome.ok:
        values = {
            "status": done.value,
            "sent_at": now,
            "due_at": None,
            "error": None,
            "provider_message_id": message_id,
        }
    elif after_failure(claimed.attempts, permanent=outcome.permanent).give_up:
        values = {"status": DeliveryStatus.FAILED.value, "due_at": None, "error": outcome.error}
        log.error("notification failed", notification_id=claimed.id, error=outcome.error)
    else:
        wait = backoff_delay(
            claimed.attempts, base_seconds=RETRY_BASE_SECONDS, max_seconds=RETRY_MAX_SECONDS
        )
        values = {
            "status": DeliveryStatus.PENDING.value,
            "due_at": now + wait,
            "error": outcome.error,
        }
        log.warning("notification will be retried", notification_id=claimed.id, wait=str(wait))
    await session.execute(
        update(Notification)
        .where(
            Notification.id == claimed.id,
            Notification.status.in_([DeliveryStatus.SENDING.value, DeliveryStatus.UNKNOWN.value]),
            Notification.due_at == claimed.lease,
        )
        .values(**values, updated_at=now)
    )


def _email(claimed: Claim) -> Email:
    assert claimed.subject is not None
    assert claimed.message_id is not None
    return Email(
        to=claimed.recipient,
        subject=claimed.subject,
        text=claimed.text,
        html=claimed.html,
        message_id=claimed.message_id,
        locale=claimed.locale,
    )
