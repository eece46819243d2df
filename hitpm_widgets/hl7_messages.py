"""Reading HL7 v2 messages kept as text: one segment a line in a log or a case table.

HL7 v2 separates segments with a carriage return; logs, files and case tables usually keep one segment a
line. `as_hl7` gives a parser (hl7apy's `parse_message`) what it expects. `unescape` and `escape` undo and
make the escape sequences of the default encoding characters (``|^~\\&``): hl7apy keeps a value read as
text escaped, and takes a value set as text as written.

These are reading aids only: whether a message is valid, and what to answer it, is the learner's work
(with hl7apy and the interface specification), not this module's.
"""

from __future__ import annotations

import re

#: The escape sequences of HL7 v2's default encoding characters: \\F\\ is a | inside a value, and so on.
ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}
_SEQUENCE = re.compile(r"\\([FSTRE])\\")


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__}")
    return value


def as_hl7(logged_text: str) -> str:
    """The message with its segments separated by carriage returns, whatever line ends it was kept with.

    Blank lines are dropped (a table's cell or a file may end with one); nothing else is changed, so a
    message that is wrong stays wrong for the parser to find.
    """
    lines = _text(logged_text, "a logged message").splitlines()
    return "\r".join(line for line in lines if line.strip())


def segments(logged_text: str) -> list[str]:
    """The message's segments, one string each, in order."""
    return as_hl7(logged_text).split("\r") if as_hl7(logged_text) else []


def unescape(value: str) -> str:
    """A value as a person reads it: ``\\T\\`` back to ``&``, and so on for F, S, R and E.

    One pass, so that an escaped escape character (``\\E\\``) cannot start a new sequence.
    """
    return _SEQUENCE.sub(lambda match: ESCAPES[match.group(1)], _text(value, "a value"))


def escape(value: str) -> str:
    """A value made safe to put in a field: ``&`` to ``\\T\\``, and so on. The inverse of `unescape`."""
    text = _text(value, "a value")
    # The escape character first, or the backslashes of the new sequences would be escaped again.
    for code in "EFSTR":
        text = text.replace(ESCAPES[code], f"\\{code}\\")
    return text
