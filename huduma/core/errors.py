"""Errors every face turns into a clear 4xx: the API as JSON naming the field, pages as a message."""


class DomainError(Exception):
    """A refused action. `field` names the input at fault, when there is one."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_json(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
