"""The learner package: a wheel built from the repository, installed in a fresh venv, used with no course.

The wheel is built as a release would build it (pip, from a clean copy of the repository, with the
build's own nbgrader making the student versions) and installed with pip into a new venv in a temporary
folder (pip's cache makes that a download-free install). Then `hitpm lab` and `hitpm check` run from
that install alone, in a folder where no course is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zipfile

import nbformat
import pytest

from ..conftest import REPO

pytestmark = pytest.mark.pipeline

ASSIGNMENTS = sorted(p.name for p in (REPO / "workbooks").iterdir() if p.is_dir())
PS01 = "ps01-emr-stakeholders"


def hidden_test_lines() -> dict[str, list[str]]:
    """Each source workbook's hidden-test lines (of 8 characters or more: shorter ones, like "])", are
    in any code; and not a line that only names the check it calls)."""
    found = {}
    for assignment in ASSIGNMENTS:
        lines, inside = [], False
        for cell in nbformat.read(REPO / "workbooks" / assignment / f"{assignment}.ipynb", as_version=4).cells:
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) >= 8 and not re.fullmatch(r"[\w.]+\(", line.strip()):
                    lines.append(line.strip())  # not a bare "check_manage_closely(": the kit's public checks
        found[assignment] = lines
    return found


PUBLIC_CODE = {line.strip() for folder in ("hitpm_widgets", "cases") for path in (REPO / folder).rglob("*.py")
               for line in path.read_text(encoding="utf-8").splitlines()}


def test_the_wheel_carries_lessons_and_student_versions_but_no_solution_hidden_test_or_teaching_note(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in names}
    assert "hitpm_widgets/_course/course/00-start-here.ipynb" in names
    lessons = {p.relative_to(REPO).as_posix() for p in (REPO / "course").rglob("*.ipynb")
               if ".ipynb_checkpoints" not in p.parts}
    assert {n.removeprefix("hitpm_widgets/_course/") for n in names if "/_course/course/" in n} == lessons
    for assignment in ASSIGNMENTS:
        assert f"hitpm_widgets/_course/workbooks/{assignment}/{assignment}.ipynb" in names
    assert "hitpm_widgets/_cases/emr-rollout/data/stakeholders.csv" in names
    keys = [n for n in names if n.endswith("/answer_key.py") and n != "hitpm_widgets/grading/answer_key.py"]
    assert keys == []  # the workbooks' answer keys; the module that loads one for the grader is no key
    assert not [n for n in names if n.startswith("workbooks/") or "teaching-note" in n or
                n.endswith("nbgrader_config.py") or "/.hitpm" in n or ".ipynb_checkpoints" in n]
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert not [n for n, text in texts.items() if marker in text and not n.endswith(".py")], marker
    # What a learner may read anyway: every lesson and student version in the wheel, and the kit's code. A
    # hidden test's line found there ("iterations=20_000)", the end of a call) gives nothing away.
    visible = set(PUBLIC_CODE)
    for name, text in texts.items():
        if name.startswith("hitpm_widgets/_course/") and name.endswith(".ipynb"):
            visible |= {line.strip() for cell in nbformat.reads(text, 4).cells for line in cell.source.splitlines()}
    readable = "\n".join(visible)  # a fragment of a line a learner reads is no secret either
    for assignment, lines in hidden_test_lines().items():
        secret = [line for line in lines if line not in readable]
        assert secret, assignment
        shown = [line for line in secret if any(line in text for text in texts.values())]
        assert shown == [], f"{assignment}'s hidden tests are in the wheel"


def test_hitpm_lab_works_from_the_package_alone_and_makes_the_workspace_in_seconds(learner):
    started = time.monotonic()
    result = subprocess.run([learner["hitpm"], "lab", "--no-browser", "--dry-run"], cwd=learner["home"],
                            env=learner["env"], capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    workspace = learner["home"] / "hitpm-workspace"
    assert f"hitpm: learner workspace {workspace}: added" in result.stdout
    assert "with nbgrader" not in result.stdout  # copied from the package: no nbgrader run
    assert (workspace / "course" / "00-start-here.ipynb").is_file()
    for assignment in ASSIGNMENTS:
        text = (workspace / "workbooks" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
        assert "YOUR ANSWER HERE" in text or "YOUR CODE HERE" in text
    assert seconds < 30, f"the first `hitpm lab` took {seconds:.1f} s"
    print(f"first `hitpm lab` from the package (workspace made, JupyterLab not started): {seconds:.1f} s")


def test_hitpm_check_from_the_package_runs_the_visible_tests_and_says_hidden_ones_come_later(learner):
    folder = learner["home"] / "class" / PS01
    folder.mkdir(parents=True)
    subprocess.run([learner["hitpm"], "lab", "--dry-run", "--workspace", str(learner["home"] / "ws")],
                   cwd=learner["home"], env=learner["env"], check=True, capture_output=True, timeout=300)
    shutil.copy(learner["home"] / "ws" / "workbooks" / PS01 / f"{PS01}.ipynb", folder)
    result = subprocess.run([learner["hitpm"], "check", str(folder / f"{PS01}.ipynb")], cwd=folder,
                            env=learner["env"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr  # below full marks: nothing is answered
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith(f"hitpm check: {PS01}.ipynb (the tests you can see)")
    assert "  FAIL  " in result.stdout and "Place these stakeholders on the power/interest grid first" in result.stdout
    assert "Total: 0 of 9 points checked automatically; 4 more points to be graded by your instructor" in \
        result.stdout
    assert "Hidden tests run when your instructor grades your work" in result.stdout


def test_an_installed_kit_carries_the_variant_generators(learner, tmp_path):
    probe = ("import hitpm_widgets; from hitpm_widgets.variants import case_for; "
             "c = case_for('ps02-ctms-risk', 'pharma-ctms'); print(c.variants_file); print(c.variant.learner)")
    done = subprocess.run([learner["python"], "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                          env={**learner["env"], "HITPM_LEARNER": "alice"})
    location, whose = done.stdout.split()
    assert "site-packages" in location and str(REPO) not in location and whose == "alice"
    assert (tmp_path / ".hitpm" / "variant.json").is_file()


def test_the_package_installs_no_test_tools_in_a_learners_environment(learner):
    probe = "import importlib.util as u; print(*[n for n in ('pytest', 'nbval', 'coverage') if u.find_spec(n)])"
    found = subprocess.run([learner["python"], "-c", probe], env=learner["env"], capture_output=True, text=True,
                           check=True)
    assert found.stdout.split() == []


def test_hitpm_progress_with_no_argument_finds_the_learners_workspace(learner):
    subprocess.run([learner["hitpm"], "lab", "--dry-run"], cwd=learner["home"], env=learner["env"], check=True,
                   capture_output=True, timeout=300)
    workspace = learner["home"] / "hitpm-workspace"
    elsewhere = learner["home"] / "notes"
    elsewhere.mkdir(exist_ok=True)
    for folder in (workspace, workspace / "workbooks" / PS01, elsewhere):
        result = subprocess.run([learner["hitpm"], "progress"], cwd=folder, env=learner["env"], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, (folder, result.stderr)
        assert result.stdout.startswith(f"Workbooks in {workspace}:"), folder
        assert f"  {PS01}/{PS01}.ipynb: not checked yet" in result.stdout

