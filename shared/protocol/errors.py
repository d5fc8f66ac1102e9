"""Typed protocol errors.

Each error says what went wrong and where (line number in the stream, message
type, field), so a log line alone is enough to find the fault.  Decoders
return these rather than raise them mid-stream, so one bad line never hides
the good lines after it.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """A line that is not a valid protocol message."""

    def __init__(self, problem: str, *, where: str = "", line: int | None = None) -> None:
        self.problem = problem
        self.where = where
        self.line = line
        super().__init__(problem)

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.where:
            parts.append(self.where)
        parts.append(self.problem)
        return ": ".join(parts)

    def at_line(self, line: int) -> ProtocolError:
        """The same error, placed at ``line`` of the stream."""
        self.line = line
        return self


class InvalidJSON(ProtocolError):
    """The line is not a JSON object (bad syntax, bad UTF-8, or not an object)."""


class InvalidMessage(ProtocolError):
    """Valid JSON, but a field is missing, of the wrong type or out of range."""


class LineTooLong(ProtocolError):
    """A line exceeded the decoder's limit; it was skipped up to the next newline."""
