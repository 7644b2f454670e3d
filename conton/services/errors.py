"""Errors a service raises; pages turn them into messages in Portuguese."""
from __future__ import annotations


class ServiceError(Exception):
    """Base for errors a person can cause or must be told about."""


class ValidationError(ServiceError):
    """Bad input. `errors` maps a field name to its message (shown next to that field); '' means the whole form."""

    def __init__(self, errors: dict[str, str] | str, field: str = '') -> None:
        self.errors = {field: errors} if isinstance(errors, str) else dict(errors)
        super().__init__('; '.join(self.errors.values()))


class NotFound(ServiceError):
    """The record does not exist, or the actor may not see it (the two are never told apart)."""

    def __init__(self, message: str = 'Registro não encontrado.') -> None:
        super().__init__(message)


class PermissionDenied(ServiceError):
    def __init__(self, message: str = 'Você não tem acesso a esta função.') -> None:
        super().__init__(message)


class AuthExpired(ServiceError):
    """The session is no longer valid (user disabled, password changed, logged out)."""

    def __init__(self, message: str = 'Sua sessão expirou. Entre novamente.') -> None:
        super().__init__(message)


class Throttled(ServiceError):
    pass
