"""What nbgrader's feedback shows a learner: results and messages, never a hidden test, never a pending 0.

nbgrader's feedback is the autograded notebook rendered as HTML, hidden tests included (its open
problems #917 and #1363): a course whose hidden tests a learner has read cannot be used again. This
preprocessor takes the place of nbgrader's GetGrades in GenerateFeedback. It does what GetGrades does,
then, in each test cell, removes the hidden tests (with nbgrader's own ClearHiddenTests, so the same
delimiters) and shortens an error to its name and message (a traceback quotes the code around the
failing line). An answer still waiting for the instructor is shown as waiting, not as 0 points.

Use it from nbgrader_config.py too, so that formgrader's and `nbgrader generate_feedback`'s feedback
is as honest as `hitpm grade`'s: `c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS`.
"""

from __future__ import annotations

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

HIDDEN_NOTE = "# Hidden tests ran here when your work was graded; they are not shown."
WAITING = "waiting for your instructor"


def waiting_note(points: float) -> str:
    return f"**Score: {WAITING}.** This answer ({points:g} points) has not been graded yet."


class LearnerFeedback(GetGrades):
    """nbgrader's GetGrades, then hidden tests out and pending answers marked as such."""

    def preprocess(self, nb, resources):
        self._pending = 0.0
        nb, resources = super().preprocess(nb, resources)
        if self._pending:
            # The page's heading is "<notebook> (Score: s / m)": say there that part of m is still to come.
            resources["nbgrader"]["notebook"] = (f"{resources['nbgrader']['notebook']}: {self._pending:g} of the "
                                                 f"points {WAITING}")
        return nb, resources

    def _get_score(self, cell, resources) -> None:
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader["pending"] = bool(grade.needs_manual_grade)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code":
            hide_hidden_tests(cell, ClearHiddenTests(parent=self))
        if cell.metadata.get("nbgrader", {}).get("pending"):
            mark_waiting(cell)
            self._pending += float(cell.metadata.nbgrader.get("points") or 0)
        return cell, resources


def hide_hidden_tests(cell, clearer: ClearHiddenTests) -> None:
    """Hidden tests out of a test cell's code and out of its error's traceback; the result stays."""
    if not clearer._remove_hidden_test_region(cell):
        return
    cell.source = cell.source.rstrip("\n") + "\n" + HIDDEN_NOTE
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = f": {output.get('evalue')}" if output.get("evalue") else ""
            output["traceback"] = [f"{output.get('ename', 'Error')}{message}"]


def mark_waiting(cell) -> None:
    """Nothing in nbgrader's template shows a cell's score but as a number: show this cell as an answer
    without a score, with the note in the place of the instructor's comment."""
    meta = cell.metadata.nbgrader
    meta["grade"] = False
    meta["task"] = False
    meta["solution"] = True
    note = waiting_note(float(meta.get("points") or 0))
    meta["comment"] = f"{note}\n\n{meta['comment']}" if meta.get("comment") else note


#: GenerateFeedback's preprocessors with GetGrades replaced: the setting hitpm grade and the course use.
FEEDBACK_PREPROCESSORS = [LearnerFeedback, CSSHTMLHeaderPreprocessor]
