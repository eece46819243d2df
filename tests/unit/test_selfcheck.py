"""`hitpm check` and `hitpm progress`: a learner's ps01 answered right, wrong and not at all, checked with
the hidden tests as the grader will, without a gradebook; the progress file; refusals with clear errors.

The learners' workbooks are made as tests/pipeline makes them: the student version by nbgrader, and
answers written through the model, as the widget writes them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from hitpm_widgets.cli import main
from hitpm_widgets.selfcheck import (
    FAILED,
    MISSING,
    PROGRESS_FILE,
    CheckReport,
    Question,
    failure_message,
    format_report,
    overwrite_from_source,
    read_progress,
    record_progress,
    workspace_of,
)
from hitpm_widgets.workspace import find_workspace, student_versions

from ..conftest import REPO
from ..pipeline.specs.ps01 import (
    PARTLY_LOST,
    POINTS,
    WRONG,
    answer_through_the_model,
    write_engagement_plan,
)

ASSIGNMENT = "ps01-emr-stakeholders"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
LEARNERS = ("right", "wrong", "untouched", "no-source", "forger")
#: One line in the answer cell that makes every later cell `pass` where it runs.
FORGERY = "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"
SCORE_LINE = re.compile(r"^  (?:pass|FAIL)  .*\[(?P<id>[a-z0-9-]+)\]: (?P<points>[\d.]+) of ", re.M)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release") / ASSIGNMENT
    student_versions(REPO, [ASSIGNMENT], folder.parent)
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def gradebooks(folder: Path) -> list[Path]:
    return sorted(folder.rglob("gradebook.db"))


@pytest.fixture(scope="module")
def learners(released, tmp_path_factory):
    """Four learners' workspaces, each checked once by `hitpm check` (run as a command, in parallel)."""
    base = tmp_path_factory.mktemp("learners")
    notebooks = {}
    for name in LEARNERS:
        folder = base / name / "workbooks" / ASSIGNMENT
        shutil.copytree(released, folder)
        notebooks[name] = folder / NOTEBOOK
    answer_through_the_model(notebooks["right"].parent)
    write_engagement_plan(notebooks["right"])
    for name in ("wrong", "no-source"):
        answer_through_the_model(notebooks[name].parent, wrong=WRONG)
    forged = nbformat.read(notebooks["forger"], as_version=4)
    for cell in forged.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ps01-answer-map":
            cell.source = FORGERY
    nbformat.write(forged, notebooks["forger"])
    elsewhere = base / "course-without-ps01"
    (elsewhere / "workbooks").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", elsewhere)

    before = {name: files_of(notebook.parent) for name, notebook in notebooks.items()}
    repo_gradebook = (REPO / "gradebook.db").stat().st_mtime if (REPO / "gradebook.db").exists() else None
    env = {key: value for key, value in os.environ.items() if key != "HITPM_ANSWERS_DIR"}
    runs = {}
    for name, notebook in notebooks.items():
        course = ["--course", str(elsewhere)] if name == "no-source" else []
        command = [sys.executable, "-m", "hitpm_widgets.cli", "check", str(notebook), *course]
        runs[name] = subprocess.Popen(command, env=env, cwd=base, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = {}
    for name, run in runs.items():
        out, err = run.communicate(timeout=300)
        results[name] = (run.returncode, out, err)
    return {"base": base, "notebooks": notebooks, "results": results, "before": before,
            "repo_gradebook": repo_gradebook}


def scores_in(out: str) -> dict[str, float]:
    return {match["id"]: float(match["points"]) for match in SCORE_LINE.finditer(out)}


# -- the three learners, checked with the hidden tests ----------------------------------------------


def test_right_answers_get_every_point_and_exit_0(learners):
    code, out, err = learners["results"]["right"]
    assert code == 0, out + err
    assert "with the hidden tests, as the grader will run them" in out
    assert scores_in(out) == POINTS
    assert "Total: 9 of 9 points checked automatically; 4 more points to be graded by your instructor." in out
    assert ("  ----  Task 2: an engagement plan [ps01-answer-plan]: 4 points, "
            "to be graded by your instructor\n") in out
    assert "Every automatic test passes." in out
    assert err == ""


def test_wrong_placements_lose_exactly_their_points_and_say_why(learners):
    code, out, err = learners["results"]["wrong"]
    assert code == 1 and err == "", out + err
    # The same points nbgrader's autograde gives this submission (tests/pipeline).
    assert scores_in(out) == {cell: 0 if cell in PARTLY_LOST else points for cell, points in POINTS.items()}
    assert "Total: 5 of 9 points checked automatically" in out
    # Each failed test's own message, as the learner sees it in the notebook.
    assert ("        1 of the 5 executive stakeholders are in a quadrant the case's evidence does not "
            "support: CFO. Look again at what each controls (power) and how the change touches them "
            "(interest).") in out
    assert ("external stakeholders are in a quadrant the case's evidence does not support: "
            "Community practices.") in out
    assert "1 stakeholder(s) the go-live cannot succeed without are not managed closely" in out
    assert "(not answered yet)" in out  # the plan was left as released


def test_an_untouched_workbook_scores_nothing_and_says_what_to_do_first(learners):
    code, out, _ = learners["results"]["untouched"]
    assert code == 1
    assert set(scores_in(out).values()) == {0}
    assert "Total: 0 of 9 points checked automatically" in out
    assert "        Place these stakeholders on the power/interest grid first: CMIO, CNO, CFO" in out
    assert "Record the salience attributes of: CMIO" in out


def test_without_the_course_source_only_the_visible_tests_run_and_it_says_so(learners):
    code, out, _ = learners["results"]["no-source"]
    # The same wrong placements pass the visible tests: the hidden ones are what catch them.
    assert code == 0
    assert "(the tests you can see)" in out and "Every automatic test you can see passes." in out
    assert "Hidden tests run when your instructor grades your work" in out and "grade may be lower" in out
    assert "Total: 9 of 9 points" in out


def test_a_check_reads_the_answers_writes_nothing_and_touches_no_gradebook(learners):
    for name, notebook in learners["notebooks"].items():
        assert files_of(notebook.parent) == learners["before"][name], name
    assert gradebooks(learners["base"]) == []
    repo_gradebook = (REPO / "gradebook.db").stat().st_mtime if (REPO / "gradebook.db").exists() else None
    assert repo_gradebook == learners["repo_gradebook"]


# -- progress ---------------------------------------------------------------------------------------


def test_each_check_is_kept_in_the_workspace_progress_file(learners):
    for name, points in (("right", 9), ("wrong", 5), ("untouched", 0)):
        workspace = learners["base"] / name
        entry = read_progress(workspace)[f"workbooks/{ASSIGNMENT}/{NOTEBOOK}"]
        assert (entry["points"], entry["max_points"], entry["manual_points"]) == (points, 9, 4)
        assert entry["hidden_tests"] is True
        # Written atomically: no temporary file is left beside it.
        assert [p.name for p in (workspace / PROGRESS_FILE).parent.iterdir()] == ["progress.json"]
    without = read_progress(learners["base"] / "no-source")[f"workbooks/{ASSIGNMENT}/{NOTEBOOK}"]
    assert without["hidden_tests"] is False


def test_progress_lists_every_workbook_with_its_last_score(learners, tmp_path, capsys):
    workspace = tmp_path / "workspace"
    shutil.copytree(learners["base"] / "wrong", workspace)
    other = workspace / "workbooks" / "ps09-other"
    other.mkdir()
    shutil.copy(SOURCE, other / "ps09-other.ipynb")
    assert main(["progress", "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert (f"  {ASSIGNMENT}/{NOTEBOOK}: 5 of 9 points, 4 more points to be graded by your instructor "
            "(checked ") in out
    assert "  ps09-other/ps09-other.ipynb: not checked yet" in out
    assert "changed since" not in out

    answer = workspace / "workbooks" / ASSIGNMENT / ".hitpm" / "answers" / f"{ASSIGNMENT}.json"
    later = datetime.now(UTC).timestamp() + 120
    os.utime(answer, (later, later))  # the learner moved a marker after the check
    assert main(["progress", "--workspace", str(workspace)]) == 0
    assert "; changed since: check again)" in capsys.readouterr().out


def test_progress_with_no_argument_lists_the_workspace_it_runs_in(tmp_path, monkeypatch, capsys):
    """A learner types `hitpm progress` anywhere in their workspace (a clone's workspace/ or ~/hitpm-workspace)."""
    workspace = tmp_path / "hitpm-workspace"
    (workspace / "course").mkdir(parents=True)
    (workspace / "course" / "00-start-here.ipynb").write_text("{}")
    (workspace / "workbooks" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOURCE, workspace / "workbooks" / ASSIGNMENT / NOTEBOOK)
    monkeypatch.chdir(workspace / "workbooks" / ASSIGNMENT)
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Workbooks in {workspace}:") and f"  {ASSIGNMENT}/{NOTEBOOK}: not checked yet" in out
    assert find_workspace(REPO / "workbooks" / ASSIGNMENT) == REPO / "workspace"  # a course's sources are not one


def test_progress_outside_a_workspace_says_how_to_make_one(tmp_path, capsys):
    assert main(["progress", "--workspace", str(tmp_path)]) == 2
    assert "there is no learner workspace at" in capsys.readouterr().err


def report_of(notebook: Path, points: float, max_points: float = 9) -> CheckReport:
    questions = [Question("t1", "t1", max_points, points, FAILED if points < max_points else "passed")]
    return CheckReport(notebook, questions, source=SOURCE)


def test_recording_progress_keeps_the_other_workbooks_and_mends_a_broken_file(tmp_path):
    workspace = tmp_path / "ws"
    first, second = (workspace / "workbooks" / name / f"{name}.ipynb" for name in ("ps01-a", "ps02-b"))
    (workspace / ".hitpm").mkdir(parents=True)
    (workspace / PROGRESS_FILE).write_text("{not json")
    assert read_progress(workspace) == {}
    record_progress(workspace, report_of(first, 3))
    record_progress(workspace, report_of(second, 9))
    record_progress(workspace, report_of(first, 7))
    progress = read_progress(workspace)
    assert {key: entry["points"] for key, entry in progress.items()} == {
        "workbooks/ps01-a/ps01-a.ipynb": 7, "workbooks/ps02-b/ps02-b.ipynb": 9}
    assert json.loads((workspace / PROGRESS_FILE).read_text())["format"] == 1


def test_the_workspace_of_a_notebook_is_found_and_the_source_folder_is_none(tmp_path):
    notebook = tmp_path / "ws" / "workbooks" / "ps01-a" / "ps01-a.ipynb"
    assert workspace_of(notebook) == tmp_path / "ws"
    assert workspace_of(tmp_path / "loose.ipynb") is None
    assert workspace_of(SOURCE) is None  # the course's source workbooks hold no learner's progress


# -- as nbgrader's OverwriteCells ------------------------------------------------------------------


def cell_with(notebook, grade_id: str):
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def test_the_sources_tests_replace_the_learners_and_missing_ones_are_listed(released):
    learner = nbformat.read(released / NOTEBOOK, as_version=4)
    source = nbformat.read(SOURCE, as_version=4)
    tampered = cell_with(learner, "ps01-test-quadrants-executive")
    tampered.source = "pass  # nothing to see here"
    tampered.metadata["nbgrader"]["points"] = 100
    learner.cells.remove(cell_with(learner, "ps01-test-salience-others"))
    stray = nbformat.v4.new_code_cell("1 / 0", metadata={"nbgrader": {"grade": True, "grade_id": "mine",
                                                                       "points": 5, "locked": True}})
    learner.cells.append(stray)
    answer = cell_with(learner, "ps01-answer-map")
    answer.source = "smap.place('CFO', power=9, interest=3)"

    missing = overwrite_from_source(learner, source)

    assert missing == ["ps01-test-salience-others"]
    assert tampered.source == cell_with(source, "ps01-test-quadrants-executive").source
    assert "### BEGIN HIDDEN TESTS" in tampered.source and "check_quadrants(" in tampered.source
    assert tampered.metadata["nbgrader"]["points"] == 1
    assert "grade_id" not in stray.metadata["nbgrader"] and not stray.metadata["nbgrader"].get("grade")
    assert answer.source == "smap.place('CFO', power=9, interest=3)"  # the learner's answer stays


def test_the_report_names_missing_cells_and_output_on_stderr():
    stderr_cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", name="stderr",
                                                                             text="UserWarning: careful\n")])
    assert failure_message(stderr_cell) == ("the cell wrote to stderr, which the grader scores 0: "
                                     "UserWarning: careful")
    error_cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "error", ename="NameError", evalue="name 'smap' is not defined", traceback=[])])
    assert failure_message(error_cell) == "NameError: name 'smap' is not defined"
    report = CheckReport(Path("/ws/workbooks/a/a.ipynb"), [
        Question("t1", "First test", 2, 2, "passed"),
        Question("t2", "t2", 1, None, MISSING, "this graded cell is missing from your notebook"),
    ], source=None)
    text = format_report(report)
    assert "  pass  First test [t1]: 2 of 2 points" in text
    # As the grader leaves it: not scored automatically, waiting for the instructor; never full marks.
    assert "  ----  t2: 1 point, to be graded by your instructor: this graded cell is missing" in text
    assert "Total: 2 of 2 points checked automatically; 1 more point to be graded by your instructor." in text
    assert not report.full_marks


# -- refusals ---------------------------------------------------------------------------------------


def test_a_notebook_that_cannot_be_checked_is_refused_with_a_clear_error(tmp_path, capsys):
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    nbformat.write(plain, tmp_path / "plain.ipynb")
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "data.ipynb").write_text('{"name": "not a notebook"}')
    (tmp_path / "binary.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    (tmp_path / "folder.ipynb").mkdir()
    cases = {
        "missing.ipynb": "there is no notebook at",
        "folder.ipynb": "is a folder, not a notebook",
        "broken.ipynb": "is not a notebook: it is not valid JSON",
        "binary.ipynb": "is not a notebook: it is not text",
        "data.ipynb": "is not a valid Jupyter notebook",
        "plain.ipynb": "is not a hitpm workbook: it has no graded cells",
    }
    for name, message in cases.items():
        assert main(["check", str(tmp_path / name)]) == 2, name
        captured = capsys.readouterr()
        assert captured.err.startswith("hitpm check: ") and message in captured.err, (name, captured.err)
        assert captured.out == ""
    assert not (tmp_path / ".hitpm").exists()
    assert main(["check", str(SOURCE), "--timeout", "0"]) == 2
    assert "--timeout is the seconds a cell may run, 1 or more; not 0" in capsys.readouterr().err


def test_a_kernel_that_does_not_start_is_said_in_one_line(released, tmp_path, capsys, monkeypatch):
    from nbgrader.preprocessors import Execute

    tries = []

    def too_busy(self, **kwargs):
        tries.append(self.startup_timeout)
        raise RuntimeError(f"Kernel didn't respond in {self.startup_timeout} seconds")

    monkeypatch.setattr(Execute, "start_new_kernel", too_busy)
    shutil.copytree(released, tmp_path / ASSIGNMENT)
    assert main(["check", str(tmp_path / ASSIGNMENT / NOTEBOOK)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "hitpm check: no kernel could be started to check the notebook (Kernel didn't respond in 180 seconds); "
        "if the machine is busy, try again when it is not"]
    assert tries == [180, 180]  # tried once more before giving up


def test_the_hitpm_command_lists_check_and_progress(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "check" in out and "progress" in out
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "the grader" in capsys.readouterr().out


def test_a_check_runs_the_tests_as_the_grader_does_where_the_learners_code_cannot_reach_them(learners):
    """The same two kernels as `hitpm grade`: a blank map whose answer cell empties every later cell scores 0."""
    code, out, _ = learners["results"]["forger"]
    assert code == 1, out
    assert "Total: 0 of 9 points checked automatically" in out
    assert {m["points"] for m in SCORE_LINE.finditer(out)} == {"0"}
