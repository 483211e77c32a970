"""The one error type services raise for input a person can fix; views show its message."""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A rule of the forum refused the request; the message is translated and meant for people."""
