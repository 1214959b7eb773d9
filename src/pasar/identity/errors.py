"""identity's errors, each with a stable problem code."""

from pasar.platform.errors import Conflict, InvalidInput, NotAuthenticated, NotFound


class InvalidCredentials(NotAuthenticated):
    code = "invalid-credentials"
    title = "Invalid credentials"


class EmailTaken(Conflict):
    code = "email-taken"
    title = "Email already registered"


class UserNotFound(NotFound):
    code = "user-not-found"
    title = "User not found"


class ApiKeyNotFound(NotFound):
    code = "api-key-not-found"
    title = "API key not found"


class WeakPassword(InvalidInput):
    code = "weak-password"
    title = "Password too weak"
