"""The project's own error for bad scenario input."""

from __future__ import annotations

from typing import Any


def format_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Render a location inside a document as ``sites[2].opening_hours.thu``.

    Parameters
    ----------
    parts
        Keys (``str``) and list indices (``int``) from the document root.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


class Described:
    """A value shown in an error message by a description instead of its text.

    For values that cannot or should not be printed, such as an integer of 5,000 digits:
    ``ScenarioError("...", path, Described("<a number with about 5000 digits>"))``.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return f"<a number with about {value.bit_length() * 0.30103:.0f} digits>"
    return text if len(text) <= 80 else text[:77] + "..."


class ScenarioError(ValueError):
    """A scenario (or sweep) document is invalid.

    The message names the file, the path inside it, the offending value and what was
    expected, so a user can fix the input without reading a traceback.

    Parameters
    ----------
    message
        What was expected, in plain words.
    path
        Location inside the document (keys and list indices).
    value
        The offending value; omitted from the message when ``...``.
    source
        The file the document came from, or ``None`` for an in-memory document.
    """

    def __init__(
        self,
        message: str,
        path: tuple[str | int, ...] | list[str | int] = (),
        value: Any = ...,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.path = tuple(path)
        self.value = value
        self.source = source
        super().__init__(str(self))

    def with_source(self, source: str) -> ScenarioError:
        """Return a copy of this error that names ``source`` as the file."""
        return ScenarioError(self.message, self.path, self.value, source)

    def with_prefix(self, prefix: tuple[str | int, ...]) -> ScenarioError:
        """Return a copy whose path is placed under ``prefix``."""
        return ScenarioError(self.message, prefix + self.path, self.value, self.source)

    def nested(self) -> str:
        """The message with its path in front, for an error inside a file that another file names
        (e.g. a sweep's base scenario): ``calendar.start: invalid date ...``."""
        return f"{format_path(self.path)}: {self.message}" if self.path else self.message

    def __str__(self) -> str:
        where = self.source or "<scenario>"
        loc = format_path(self.path)
        got = "" if self.value is ... else f" (got {_show(self.value)})"
        return f"{where}: {loc}: {self.message}{got}"
