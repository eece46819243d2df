"""Reading HL7 v2 messages kept one segment a line: line ends, segments, escape sequences."""

import pytest

from hitpm_widgets.hl7_messages import as_hl7, escape, segments, unescape

LOGGED = "MSH|^~\\&|LIS|KBCH|ONECHART|KBCH|20251110093015||ORU^R01^ORU_R01|X1|T|2.5.1\nPID|1||KB1^^^KBCH^MR\n"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_any_line_end_becomes_a_carriage_return_between_segments(ending):
    text = LOGGED.replace("\n", ending)
    assert as_hl7(text) == LOGGED.rstrip("\n").replace("\n", "\r")
    assert segments(text) == LOGGED.splitlines()


def test_blank_lines_are_dropped_and_nothing_else_changes():
    broken = "PID|1||\n\n  \nOBX|1|NM|HGB||<0.01\n"  # no MSH: still the parser's to refuse
    assert as_hl7(broken) == "PID|1||\rOBX|1|NM|HGB||<0.01"
    assert segments("") == []


def test_hl7apy_parses_what_as_hl7_gives():
    from hl7apy.parser import parse_message

    message = parse_message(as_hl7(LOGGED), find_groups=False)
    assert [segment.name for segment in message.children] == ["MSH", "PID"]
    assert message.msh.msh_10.to_er7() == "X1"


def test_escape_sequences_are_undone_and_made():
    assert unescape("Haemolysed \\T\\ repeated") == "Haemolysed & repeated"
    assert unescape("a\\F\\b\\S\\c\\R\\d\\E\\e") == "a|b^c~d\\e"
    assert escape("MDM^T02 | A & B ~ C \\ D") == "MDM\\S\\T02 \\F\\ A \\T\\ B \\R\\ C \\E\\ D"


@pytest.mark.parametrize("text", ["plain", "A & B", "x|y^z~w\\v", "\\T\\ literally", "\\E\\T\\E\\"])
def test_unescape_undoes_escape(text):
    assert unescape(escape(text)) == text


def test_an_escaped_escape_character_does_not_start_a_new_sequence():
    # \E\T\E\ is "\" then "T\E\": read in one pass it is the text \T\, not an &.
    assert unescape("\\E\\T\\E\\") == "\\T\\"


def test_text_is_required():
    with pytest.raises(ValueError, match="must be text"):
        as_hl7(None)
    with pytest.raises(ValueError, match="must be text"):
        unescape(12)
