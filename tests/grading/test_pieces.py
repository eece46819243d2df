"""The small parts of `hitpm grade`, without kernels: options, answer-file checks, findings, progress,
the LMS file, the fences, the command line's errors."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from hitpm_widgets.answers import AnswerStore
from hitpm_widgets.grading.answer_files import check_answer_files
from hitpm_widgets.grading.cli import problem_lines
from hitpm_widgets.grading.findings import Finding, by_severity
from hitpm_widgets.grading.isolation import fence
from hitpm_widgets.grading.progress import Progress, clock
from hitpm_widgets.grading.report import Question, band_of, render
from hitpm_widgets.grading.runner import describe_exit

from ..conftest import REPO
from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, Classroom, right


def saved_answer(folder, exercise_id="ps01-emr-stakeholders"):
    store = AnswerStore(exercise_id, "StakeholderMap", folder)
    assert store.save({"stakeholders": {"CFO": {"power": 9, "interest": 7}}})
    return store.path


def test_an_answer_file_written_by_the_widget_before_hand_in_raises_nothing(tmp_path):
    saved_answer(tmp_path)
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=1)
    assert check_answer_files("ann", tmp_path, later) == []


def test_an_answer_file_saved_after_hand_in_is_flagged(tmp_path):
    saved_answer(tmp_path)
    earlier = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    (finding,) = check_answer_files("ann", tmp_path, earlier)
    assert finding.kind == "tampering" and "after the submission" in finding.reason


@pytest.mark.parametrize(("change", "kind", "reason"), [
    (lambda text: "not json {", "answer file", "unreadable"),
    (lambda text: json.dumps({"kind": "StakeholderMap"}), "answer file", "holds no answer model"),
    (lambda text: text.replace('"exercise_id": "ps01-emr-stakeholders"', '"exercise_id": "other"'), "tampering",
     "not of 'ps01-emr-stakeholders'"),
    (lambda text: json.dumps(json.loads(text)), "tampering", "not in the form the widget writes"),
    (lambda text: text.replace('"format": 1', '"format": 7'), "tampering", "answer format 7"),
])
def test_a_broken_or_edited_answer_file_is_flagged_with_its_reason(tmp_path, change, kind, reason):
    path = saved_answer(tmp_path)
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    (finding,) = check_answer_files("ann", tmp_path, None)
    assert finding.kind == kind and reason in finding.reason


def test_a_link_instead_of_an_answer_file_is_left_out_and_flagged(tmp_path):
    path = saved_answer(tmp_path)
    path.unlink()
    path.symlink_to("/etc/hostname")
    (finding,) = check_answer_files("ann", tmp_path, None)
    assert finding.kind == "tampering" and "not a plain file" in finding.reason


def test_findings_come_most_serious_first_and_unknown_kinds_are_refused():
    found = [Finding("b", "manual grading", "x"), Finding("a", "failed cell", "y"), Finding("c", "tampering", "z")]
    assert [f.kind for f in by_severity(found)] == ["tampering", "failed cell", "manual grading"]
    with pytest.raises(ValueError, match="not one of"):
        Finding("a", "oops", "z")


def test_the_same_problem_in_several_cells_is_one_line_in_the_terminal():
    found = [Finding("ann", "error in test", "NameError: name 'smap' is not defined", "ps01", f"ps01-test-{n}")
             for n in ("a", "b")]
    found += [Finding("ann", "failed cell", "kernel died", "ps01", "ps01-answer-map"),
              Finding("bob", "manual grading", "waits for a person", "ps01", "ps01-answer-plan")]
    assert problem_lines(found) == [
        "ann: failed cell in ps01:ps01-answer-map: kernel died",
        "ann: error in test in ps01: NameError: name 'smap' is not defined (2 cells: ps01-test-a, ps01-test-b)",
    ]


def test_the_progress_bar_redraws_one_line_on_a_terminal_and_writes_tenths_elsewhere():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = Progress(4, screen, label="grade")
    for _ in range(4):
        bar.step(flagged=True)
    assert screen.getvalue().count("\r") == 4 and "4/4 · 4 to look at" in screen.getvalue()
    log = io.StringIO()
    bar = Progress(20, log)
    for _ in range(20):
        bar.step()
    lines = log.getvalue().splitlines()
    assert len(lines) == 11 and lines[0].startswith("grading [#") and "20/20" in lines[-1]  # first step, tenths
    assert clock(75) == "1:15" and clock(3725) == "1:02:05"


def test_limits_refuse_what_is_not_a_positive_whole_number():
    assert fence.Limits(memory_mb=512).check().memory_mb == 512
    with pytest.raises(ValueError, match="memory mb must be a whole number above 0"):
        fence.Limits(memory_mb=0).check()


def test_a_dead_kernel_is_explained_in_words():
    limits = fence.Limits()
    assert "segmentation fault" in describe_exit({"signal": 11, "code": None}, limits)
    assert "exited with code 3" in describe_exit({"signal": None, "code": 3}, limits)
    assert "memory" in describe_exit({"signal": 9, "code": None}, limits)
    failed_fence = {"signal": None, "code": fence.EXIT_SANDBOX_FAILED}
    assert describe_exit(failed_fence, limits) == "the kernel could not be fenced in"
    assert "exited with code 121" in describe_exit(failed_fence, limits, started=True)  # the notebook's os._exit


def test_difficulty_bands():
    assert [band_of(s) for s in (0.1, 0.5, 0.9)] == ["hard", "moderate", "easy"]


def test_the_fences_this_machine_allows_are_found_without_touching_this_process(tmp_path):
    before = os.getuid(), os.getgid(), os.getcwd(), fence.thread_count()
    view = fence.View(read_only=["/usr", "/etc", "/bin", "/lib", "/lib64", sys.prefix, sys.base_prefix],
                      hidden=[str(tmp_path / "secret")], root=str(tmp_path / "root"))
    (tmp_path / "root").mkdir()
    (tmp_path / "secret").write_text("the answers")
    found = fence.probe(view, str(tmp_path))
    # CI allows namespaces (root, or an ordinary user with user namespaces): anything less is a failure here.
    assert found["kernels fenced in"] == "yes", found
    assert found["network cut off"].startswith("yes") and found["processes end with their kernel"].startswith("yes")
    assert (os.getuid(), os.getgid(), os.getcwd()) == before[:3]
    assert (tmp_path / "secret").read_text() == "the answers"  # hidden from the kernel, not from us


def test_a_fence_that_would_fail_open_says_no(tmp_path):
    """The probe looks from inside: a path it was told to hide but that the view binds anyway is caught."""
    tmp_path.chmod(0o755)  # the kernel's own folder here: a slot user must be able to go through it
    (tmp_path / "root").mkdir()
    shown = tmp_path / "shown"
    shown.mkdir()
    (shown / "solution.ipynb").write_text("{}")
    view = fence.View(read_only=["/usr", "/etc", "/bin", "/lib", "/lib64", sys.prefix, sys.base_prefix, str(shown)],
                      hidden=[], root=str(tmp_path / "root"))
    probe = fence._trial(fence.Fence(uid=fence.slot_user(0), gid=fence.slot_user(0), isolate=True,
                                     view=dataclasses.asdict(view), work=str(tmp_path)),
                         lambda: "saw it" if os.path.exists(shown / "solution.ipynb") else None)
    assert probe == "saw it"
    hidden = dataclasses.replace(view, hidden=[str(shown)])
    probe = fence._trial(fence.Fence(uid=fence.slot_user(0), gid=fence.slot_user(0), isolate=True,
                                     view=dataclasses.asdict(hidden), work=str(tmp_path)),
                         lambda: "saw it" if os.path.exists(shown / "solution.ipynb") else None)
    assert probe == "yes"


def grade_command(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", *args], cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True, timeout=300)


def test_the_command_line_says_what_is_wrong_with_its_options(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    result = grade_command(ASSIGNMENT, "--workers", "-1", cwd=room.root)
    assert result.returncode == 2 and "workers must be 0 (one more than the cores) or more" in result.stderr
    result = grade_command("ps99-nothing", cwd=room.root)
    assert result.returncode == 2 and "there is no assignment 'ps99-nothing'" in result.stderr
    result = grade_command(ASSIGNMENT, "--student", "nobody", cwd=room.root)
    assert result.returncode == 2 and "no submission of" in result.stderr and "nobody" in result.stderr
    assert not (room.root / "autograded").exists()


def test_while_a_run_holds_the_gradebook_another_is_refused_in_one_line_whatever_its_output(released, tmp_path):
    import logging

    from hitpm_widgets.grading.course import GradingCourse

    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("ann", right)
    course = GradingCourse(room.root, ASSIGNMENT, logging.getLogger("test"))
    with course.hold_gradebook("hitpm grade"):  # as a first run with --output first/ would
        results = [grade_command(ASSIGNMENT, "--output", str(tmp_path / "second"), cwd=room.root),
                   room.hitpm("feedback", ASSIGNMENT, check=False)]
    for result in results:
        (line,) = result.stderr.splitlines()
        assert result.returncode == 2 and "another `hitpm grade` or `hitpm feedback` is using this course's " \
            "gradebook" in line and "gradebook.db.hitpm-lock" in line
    assert not (room.root / "autograded").exists() and not (tmp_path / "second").exists()


def test_the_report_shows_what_learners_wrote_as_text_never_as_markup():
    from types import SimpleNamespace

    script = "<script>alert(1)</script>"
    course = SimpleNamespace(assignment=ASSIGNMENT, source=REPO / "workbooks" / ASSIGNMENT)
    question = Question("ps01", "ps01-test-1", 2, 1.0, 0.5, "moderate", 1, 1, 0, [(f"NameError: {script}", 1)])
    findings = [Finding(script, "tampering", f"the answer file says {script}", "ps01", script)]
    page = render(course, {script: 1.0, "ann": 2.0}, [question], 2.0, findings, {"summary": script},
                  {script: [script]})
    assert script not in page and "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 7  # name, cell twice each; reason, error, summary


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", "--help"], capture_output=True,
                            text=True, env=nbgrader_env())
    for option in ("--workers", "--student", "--force", "--no-feedback", "--no-report", "--course", "--cell-timeout",
                   "--time-limit", "--memory", "--processes"):
        assert option in result.stdout


def test_two_runs_on_one_machine_never_share_a_grading_user():
    first = fence.SlotUsers(2)
    second = fence.SlotUsers(2)
    try:
        if os.geteuid() != 0:
            assert first.uids == second.uids == [None, None]  # kernels run as the instructor
            return
        assert len(set(first.uids + second.uids)) == 4
        assert all(uid >= fence.SLOT_UID_BASE for uid in first.uids + second.uids)
        first.release()
        third = fence.SlotUsers(1)
        assert third.uids[0] in first.uids  # freed ids are taken again
        third.release()
    finally:
        first.release()
        second.release()
