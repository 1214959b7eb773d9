"""Helpers for the notification tests: a real SMTP server, delivering events, reading the log.

No tests here. Mail goes over real SMTP to an aiosmtpd server on 127.0.0.1, and is read
back with the standard `email` package, as a mail client would.

    inbox = smtp                                   # fixture: a running server
    await deliver_events(database, settings)       # relay the outbox to the consumers
    await send(database, with_smtp(settings, inbox))
    [message] = inbox.take()
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from pasar.app import consumers
from pasar.notifications.models import Notification
from pasar.notifications.sending import send_due
from pasar.platform.db import Database
from pasar.platform.relay import drain
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow


@dataclass
class Inbox:
    """What the SMTP server accepted: one parsed message per recipient envelope."""

    host: str
    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), cast(EmailMessage, parsed)))
        return "250 Message accepted for delivery"

    def take(self) -> list[EmailMessage]:
        """The messages received since the last take, oldest first."""
        with self.lock:
            taken = [message for _, message in self.received]
            self.received.clear()
        return taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server on a free port of 127.0.0.1, for the length of one test."""
    inbox = Inbox("127.0.0.1", free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def with_smtp(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(update={"smtp_host": inbox.host, "smtp_port": inbox.port})


async def deliver_events(database: Database, settings: Settings) -> int:
    """Relay every pending outbox event to every module's consumers."""
    return await drain(database, consumers(settings))


async def send(database: Database, settings: Settings, *, now: datetime | None = None) -> int:
    """Run the sender until it has nothing due (at `now`)."""
    total = 0
    while handled := await send_due(database, settings, now=now or utcnow()):
        total += handled
    return total


async def log_rows(database: Database, **where: Any) -> list[Notification]:
    async with database.sessionmaker() as session:
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list((await session.scalars(query)).all())


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a multipart/alternative message (both required)."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None, "no text/plain part"
    assert html is not None, "no text/html part"
    return str(cast(EmailMessage, text).get_content()), str(cast(EmailMessage, html).get_content())
