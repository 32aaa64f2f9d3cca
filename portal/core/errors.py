"""Errors that services raise. Pages show ``message``; the API answers problem+json with ``code``."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action with a stable machine code and a message a person can act on."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class RuleViolation(DomainError):
    """The request is well-formed but a business rule forbids it now."""

    status = 409
    code = "rule_violation"


class NotFoundError(DomainError):
    """The object does not exist or the actor may not know that it does."""

    status = 404
    code = "not_found"
