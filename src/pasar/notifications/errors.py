"""notifications' errors (problem+json via the platform's tree).

NotFound  ── NotificationNotFound       404  notification-not-found
Conflict  ── NotificationNotResendable  409  notification-not-resendable
"""

from __future__ import annotations

from pasar.platform.errors import Conflict, NotFound


class NotificationNotFound(NotFound):
    code = "notification-not-found"
    title = "Notification not found"


class NotificationNotResendable(Conflict):
    """Only a failed message, or one whose fate is unknown, may be sent again: anything
    else is waiting, going, or gone."""

    code = "notification-not-resendable"
    title = "Notification cannot be resent"
