"""Honest feedback and exports: no hidden test in what a learner gets, answers waiting for a person
shown as waiting (feedback, LMS file, report), and manual grades reaching the feedback."""

from __future__ import annotations

import csv
import html.parser
import io
import re

import nbformat
import pytest

from ..conftest import REPO
from .classroom import ASSIGNMENT, NOTEBOOK, SOURCE, Classroom, edit_cell, partly, right

PAGE = NOTEBOOK.replace(".ipynb", ".html")
PLAN = "ps01-answer-plan"


class Text(html.parser.HTMLParser):
    """A page's text as a reader sees it: syntax highlighting splits code into many tags."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.feed(page)

    def handle_data(self, data):
        self.parts.append(data)

    def __str__(self) -> str:
        return "".join(self.parts)


def hidden_test_lines(released_notebook) -> list[str]:
    """Every line of every hidden test of the source, but those a learner sees anyway in the release."""
    visible = {line.strip() for cell in released_notebook.cells for line in cell.source.splitlines()}
    lines = []
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip() not in visible and len(line.strip()) >= 8:
                lines.append(line.strip())  # shorter ones ("],", "smap,") are in any page's code or style
    return lines


def lms(room) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO((room.root / "grading" / "lms-gradebook.csv").read_text())))
    assert rows[0] == ["student_id", "last_name", "first_name", "email", f"{ASSIGNMENT} (13 points)",
                       "waiting for manual grading"]
    return {row[0]: row[4:] for row in rows[1:]}


def grade_by_hand(room, student: str, points: float, comment: str) -> None:
    """What formgrader's API does when an instructor grades an answer (its GradeHandler and CommentHandler)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{room.root / 'gradebook.db'}") as gradebook:
        notebook = NOTEBOOK.removesuffix(".ipynb")
        grade = gradebook.find_grade(PLAN, notebook, ASSIGNMENT, student)
        grade.manual_score = points
        grade.needs_manual_grade = False
        gradebook.find_comment(PLAN, notebook, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()


def with_a_plan(answer):
    """The map answered as `answer` does, and an engagement plan written: an answer for the instructor."""
    def write(cell):
        cell.source = "Meet the nurse managers every week before go-live; brief the board each month."

    def hand_in(folder):
        answer(folder)
        edit_cell(folder, PLAN, write)
    return hand_in


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory) -> Classroom:
    room = Classroom.copy_of(released, tmp_path_factory.mktemp("honest") / "course")
    room.hand_in("right", with_a_plan(right))
    room.hand_in("partly", with_a_plan(partly))
    room.hitpm("grade", ASSIGNMENT, "--workers", "2")
    return room


def test_feedback_shows_no_line_of_any_hidden_test_and_keeps_the_visible_tests_and_messages(graded):
    hidden = hidden_test_lines(nbformat.read(graded.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4))
    assert len(hidden) >= 20  # ps01's hidden tests: the reference quadrants of every stakeholder
    for student in ("right", "partly"):
        page = (graded.root / "feedback" / student / ASSIGNMENT / PAGE).read_text(encoding="utf-8")
        text = str(Text(page))
        shown = [line for line in hidden if line in text or line in page]
        assert shown == [], f"{student}'s feedback shows hidden tests"
        assert "BEGIN HIDDEN TESTS" not in text
        assert "check_placed(smap, ['CMIO', 'CNO', 'CFO', 'CEO', 'Board'])" in text  # a visible test, readable
        assert "Hidden tests ran here when your work was graded" in text
    partly_text = str(Text((graded.root / "feedback" / "partly" / ASSIGNMENT / PAGE).read_text(encoding="utf-8")))
    failed = [c for c in graded.graded_notebook("partly").cells
              for o in c.get("outputs", []) if o.get("output_type") == "error" and o.get("evalue")]
    assert failed, "the partly right submission fails some tests"
    for cell in failed:
        message = next(o["evalue"] for o in cell.outputs if o.get("output_type") == "error")
        assert message.splitlines()[0] in partly_text  # what the failed test tells the learner


def test_an_answer_waiting_for_the_instructor_is_shown_as_waiting_everywhere(graded):
    page = (graded.root / "feedback" / "right" / ASSIGNMENT / PAGE).read_text(encoding="utf-8")
    text = str(Text(page))
    assert "waiting for your instructor" in text
    assert not re.search(r"Score: [\d.]+ / 4\.0", text)  # the 4-point plan is not shown as 0 of 4
    assert "4 of the points waiting for your instructor" in text
    rows = lms(graded)
    assert rows["right"] == ["", f"{ASSIGNMENT}: 4 of 13 points"]  # not a final 9/13
    report = str(Text((graded.root / "grading" / f"{ASSIGNMENT}-report.html").read_text(encoding="utf-8")))
    assert "2 of 2 submission(s) have answers waiting for manual grading" in report
    assert "Students: partly, right." in report


def test_a_manual_grade_makes_the_feedback_the_lms_file_and_the_report_current(graded):
    untouched = (graded.root / "feedback" / "partly" / ASSIGNMENT / PAGE).stat().st_mtime_ns
    grade_by_hand(graded, "right", 3, "A clear plan; name who owns each message.")
    result = graded.hitpm("feedback", ASSIGNMENT)
    assert result.stdout.strip() == f"hitpm feedback: {ASSIGNMENT}: feedback made again for 1 submission(s): right"
    text = str(Text((graded.root / "feedback" / "right" / ASSIGNMENT / PAGE).read_text(encoding="utf-8")))
    assert "waiting for your instructor" not in text
    assert "Score: 3.0 / 4.0" in text and "A clear plan; name who owns each message." in text
    assert "Score: 12.0 / 13.0" in text
    assert (graded.root / "feedback" / "partly" / ASSIGNMENT / PAGE).stat().st_mtime_ns == untouched
    again = graded.hitpm("feedback", ASSIGNMENT)
    assert again.stdout.strip() == f"hitpm feedback: {ASSIGNMENT}: feedback made again for 0 submission(s); all " \
                                   "of it is up to date"
    graded.hitpm("grade", ASSIGNMENT, "--workers", "1")  # nothing to grade: the exports and the report again
    rows = lms(graded)
    assert rows["right"] == ["12", ""]
    assert rows["partly"][0] == "" and rows["partly"][1].startswith(f"{ASSIGNMENT}: 4 of 13")
    page = (graded.root / "grading" / f"{ASSIGNMENT}-report.html").read_text(encoding="utf-8")
    # The plan's difficulty counts the one answer graded (3 of 4), not the one still waiting as a 0.
    assert (f"<th scope='row'>{PLAN}</th><td class='n'>4</td><td class='n'>3.00</td><td>75% (easy)</td>"
            "<td class='n'>0</td><td class='n'>0</td><td class='n'>1</td>") in page
    report = str(Text(page))
    assert "Students: partly." in report
    assert "1 of 2 submission(s) have answers waiting for manual grading" in report


def test_stock_nbgrader_feedback_is_as_honest_with_the_readmes_two_lines_in_nbgrader_config(graded):
    """Formgrader's button and `nbgrader generate_feedback` run GenerateFeedback as configured."""
    lines = re.search(r"^(from hitpm_widgets\.grading\.learner_feedback import .*\nc\.GenerateFeedback.*)$",
                      (REPO / "README.md").read_text(encoding="utf-8"), re.M).group(1)
    graded.set_config(lines)
    graded.nbgrader("generate_feedback", ASSIGNMENT, "--force")
    hidden = hidden_test_lines(nbformat.read(graded.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4))
    for student in ("right", "partly"):
        page = (graded.root / "feedback" / student / ASSIGNMENT / PAGE).read_text(encoding="utf-8")
        assert [line for line in hidden if line in str(Text(page))] == []
        assert "Hidden tests ran here when your work was graded" in str(Text(page))
