"""What the instructor gets after grading: the terminal lines, nbgrader's feedback, the CSVs, the report."""

from __future__ import annotations

import base64
import csv
import html.parser
import io

from .classroom import ASSIGNMENT, NOTEBOOK
from .hostile import CLASS_SIZE


class Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("a", "link", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))

    def handle_data(self, data):
        self.text.append(data)


def report(run) -> Page:
    page = Page()
    page.feed((run.room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text(encoding="utf-8"))
    return page


def test_the_terminal_gets_a_progress_bar_on_stderr_and_one_line_per_problem_on_stdout(hostile_run):
    out, err = hostile_run.result.stdout, hostile_run.result.stderr
    assert f"hitpm grade {ASSIGNMENT} [" in err and f"{CLASS_SIZE}/{CLASS_SIZE}" in err
    problems = [line for line in out.splitlines() if line.startswith("hitpm grade: ") and ": " in line[13:]]
    assert any(line.startswith("hitpm grade: crash: failed cell") for line in problems)
    assert any(line.startswith("hitpm grade: tampered-answers: tampering") for line in problems)
    assert "hitpm grade: right:" not in out  # nothing to say about a submission without problems


def test_feedback_is_made_for_every_graded_notebook(hostile_run):
    feedback = hostile_run.room.root / "feedback"
    made = {p.parent.parent.name for p in feedback.glob(f"*/{ASSIGNMENT}/*.html")}
    graded = {p.parent.parent.name for p in (hostile_run.room.root / "autograded").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}")}
    assert made == graded and len(made) == CLASS_SIZE - 2  # the two without a readable notebook have nothing to show
    page = (feedback / "right" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    assert "ps01-test-manage-closely" in page


def test_nbgrader_export_and_the_lms_file_hold_every_learner(hostile_run):
    grading = hostile_run.room.root / "grading"
    exported = list(csv.DictReader(io.StringIO((grading / "grades.csv").read_text())))
    assert {row["student_id"] for row in exported} == set(hostile_run.room.totals())
    lms = list(csv.reader(io.StringIO((grading / "lms-gradebook.csv").read_text())))
    header, rows = lms[0], lms[1:]
    assert header == ["student_id", "last_name", "first_name", "email", f"{ASSIGNMENT} (13 points)"]
    assert dict((row[0], float(row[4])) for row in rows) == hostile_run.room.totals()


def test_the_report_is_one_offline_page_with_charts_that_have_alt_text(hostile_run):
    page = report(hostile_run)
    assert page.links == []  # nothing to fetch: readable offline
    assert len(page.images) == 2
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(image["alt"]) > 40
    assert f"Histogram of the total scores of {CLASS_SIZE} submissions" in page.images[0]["alt"]


def test_the_report_gives_each_questions_mean_and_difficulty(hostile_run):
    text = " ".join(report(hostile_run).text)
    totals = hostile_run.room.totals()
    grades = hostile_run.room.grades()
    scores = [grades[s]["ps01-test-manage-closely"][0] for s in totals]
    mean = sum(scores) / len(scores)
    assert f"{mean:.2f}" in text
    assert f"{mean / 2:.0%}" in text
    assert "ps01-answer-plan" in text and "waiting for a person" in text


def test_the_report_lists_what_needs_a_persons_look_most_serious_first(hostile_run):
    text = " ".join(report(hostile_run).text)
    assert text.index("tampering") < text.index("failed cell") < text.index("Manual grading pending")
    for reason in ("segmentation fault", "did not stop when interrupted", "not in the form the widget writes",
                   "is missing: all its points are 0"):
        assert reason in text
    assert "network cut off: yes" in text
