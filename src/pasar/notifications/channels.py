"""The ways out: SMTP for email, an SMS provider behind a small interface.

Both are adapters: they know nothing of the log, they take a message and say what
happened. A transient failure (server down, timeout, 4xx) is retried later; a permanent
one (5xx, refused recipient) is not.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

import aiosmtplib

from pasar.platform.settings import Settings

#: Seconds an SMTP server gets to answer each command.
SMTP_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None
    message_id: str
    locale: str


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    error: str | None = None
    permanent: bool = False


def new_message_id(mail_from: str) -> str:
    """A Message-ID in our own domain (the mail log's key into the mail server's logs)."""
    _, address = parseaddr(mail_from)
    domain = address.rpartition("@")[2] or "pasar.invalid"
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)


def build_email(email: Email, *, mail_from: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML as the richer alternative."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text, subtype="plain", charset="utf-8")
    if email.html:
        message.add_alternative(email.html, subtype="html", charset="utf-8")
    message["Content-Language"] = email.locale  # after the content: set_content clears it
    return message


class SmtpMailer:
    """Sends a batch over one SMTP connection (aiosmtplib)."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.username = settings.smtp_username
        self.password = (
            settings.smtp_password.get_secret_value() if settings.smtp_password else None
        )
        self.security = settings.smtp_security
        self.mail_from = settings.mail_from

    def _client(self) -> aiosmtplib.SMTP:
        tls = self.security == "tls"
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=tls,
            start_tls=self.security == "starttls",
            tls_context=ssl.create_default_context() if self.security != "none" else None,
            timeout=SMTP_TIMEOUT,
        )

    async def send(self, emails: Sequence[Email]) -> list[Outcome]:
        """One outcome per email, in order. If the connection fails, every email not yet
        accepted gets the same transient failure."""
        outcomes: list[Outcome] = []
        client = self._client()
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            return [_failure(error)] * len(emails)
        try:
            for email in emails:
                message = build_email(email, mail_from=self.mail_from)
                try:
                    await client.send_message(message)
                except aiosmtplib.SMTPServerDisconnected as error:
                    outcomes.extend([_failure(error)] * (len(emails) - len(outcomes)))
                    break
                except (aiosmtplib.SMTPException, OSError) as error:
                    outcomes.append(_failure(error))
                else:
                    outcomes.append(Outcome(ok=True))
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        return outcomes


def _failure(error: BaseException) -> Outcome:
    code = getattr(error, "code", None)
    permanent = isinstance(code, int) and 500 <= code < 600
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [getattr(r, "code", 0) for r in error.recipients]
        permanent = bool(codes) and all(500 <= c < 600 for c in codes)
    detail = f"{type(error).__name__}: {error}"
    return Outcome(ok=False, error=detail[:2000], permanent=permanent)


class SmsProvider(Protocol):
    """A text-message gateway. `send` returns the provider's message id or raises
    `SmsError`; `delivers` is False for providers that only record (the mail log's twin)."""

    name: str
    delivers: bool

    async def send(self, to: str, text: str) -> str: ...


class SmsError(Exception):
    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent


class LogSmsProvider:
    """The default: nothing leaves the platform; the log keeps the text, under a made-up id."""

    name = "log"
    delivers = False

    async def send(self, to: str, text: str) -> str:
        return f"log-{uuid.uuid4().hex}"


def sms_provider_for(settings: Settings) -> SmsProvider:
    if settings.sms_provider == "log":
        return LogSmsProvider()
    raise ValueError(f"unknown SMS provider {settings.sms_provider!r} (PASAR_SMS_PROVIDER)")
