"""`hitpm check` and `hitpm progress`: a learner runs a workbook the way the grader will, and sees how far
they have come.

A check runs the learner's workbook as nbgrader's autograde does: where the course source is present
(a self-paced clone of the kit) its locked cells, hidden tests included, replace the learner's, matched
by nbgrader `grade_id` as nbgrader's OverwriteCells does; nbgrader's own Execute runs the notebook and
its `determine_grade` scores each graded cell. No gradebook is read or written. The kernel runs with
NBGRADER_EXECUTION set, so the widgets' saved answers are read and never written, in the notebook's
folder, where those answers are.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .answers import ANSWERS_DIR, ANSWERS_DIR_ENV, source_folder
from .workspace import WORKBOOKS, WorkspaceError, default_workspace, find_course_root, find_workspace

PROGRESS_FILE = Path(".hitpm") / "progress.json"
PROGRESS_FORMAT = 1
#: Seconds a cell may run before it is stopped and scored 0: nbgrader's own default.
CELL_TIMEOUT = 30
#: Seconds a kernel may take to start: a learner's busy laptop can need more than nbclient's 60.
STARTUP_TIMEOUT = 180

PASSED, FAILED, MISSING, MANUAL, UNANSWERED = "passed", "failed", "missing", "manual", "unanswered"
#: What the grader leaves to the instructor: answers they grade, and graded cells the notebook no longer has
#: (stock nbgrader and `hitpm grade` do not score a deleted graded cell; they leave it for a person).
BY_A_PERSON = (MANUAL, UNANSWERED, MISSING)


class SelfCheckError(Exception):
    """A notebook that cannot be checked; the message says why and what to do."""


@dataclass
class Question:
    """One graded cell of a workbook and what the check found."""

    grade_id: str
    title: str
    max_points: float
    #: None for a cell the instructor grades.
    points: float | None
    state: str
    #: For a failed test, what the test told the learner (the AssertionError's text).
    message: str = ""


@dataclass
class CheckReport:
    notebook: Path
    questions: list[Question]
    #: The source notebook whose tests were used (hidden tests included), or None.
    source: Path | None
    #: Cells outside the tests that failed: an earlier error often explains failed tests.
    other_errors: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions if q.state not in BY_A_PERSON)

    @property
    def max_points(self) -> float:
        return sum(q.max_points for q in self.questions if q.state not in BY_A_PERSON)

    @property
    def manual_points(self) -> float:
        return sum(q.max_points for q in self.questions if q.state in BY_A_PERSON)

    @property
    def full_marks(self) -> bool:
        return self.points >= self.max_points and not any(q.state == MISSING for q in self.questions)


# -- reading the notebooks ----------------------------------------------------------------------


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def read_workbook(path: Path):
    """The notebook at `path`, checked to be a hitpm workbook (one with nbgrader graded cells)."""
    import nbformat

    if not path.exists():
        raise SelfCheckError(f"there is no notebook at {path}: give the path of a workbook, "
                             f"e.g. workspace/{WORKBOOKS}/<assignment>/<assignment>.ipynb")
    if not path.is_file():
        raise SelfCheckError(f"{path} is a folder, not a notebook: give the path of the .ipynb file in it")
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        raise SelfCheckError(f"{path} is not a notebook: it is not text (a notebook is JSON)") from None
    except ValueError as error:
        raise SelfCheckError(f"{path} is not a notebook: it is not valid JSON ({error})") from None
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds for a file that is JSON but no notebook
        first_line = str(error).splitlines()[0]
        raise SelfCheckError(f"{path} is not a valid Jupyter notebook ({first_line})") from None
    if not any(_nbgrader(cell).get("grade") or _nbgrader(cell).get("task") for cell in notebook.cells):
        raise SelfCheckError(f"{path} is not a hitpm workbook: it has no graded cells (nbgrader tests or "
                             "answers graded by an instructor). Workbooks are in the workbooks/ folder of "
                             "your workspace.")
    return notebook


def find_source(notebook_path: Path, course_root: Path | None = None) -> Path | None:
    """The course source of a learner's workbook, `workbooks/<assignment>/<notebook>` of the course root."""
    try:
        root = find_course_root(course_root)
    except WorkspaceError:
        return None
    source = root / WORKBOOKS / notebook_path.parent.name / notebook_path.name
    return source if source.is_file() else None


def _title(cells, index: int) -> str:
    """A short name for a graded cell: its first comment line, or the heading above an answer cell."""
    cell = cells[index]
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    if cell.cell_type == "code" and first.startswith("#"):
        return first.lstrip("# ").split(" (")[0].split(". ")[0].rstrip(".:")
    for earlier in reversed(cells[:index]):
        if earlier.cell_type == "markdown":
            for line in earlier.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").split(" (")[0]
    return _nbgrader(cell).get("grade_id", "")


def overwrite_from_source(notebook, source) -> list[str]:
    """Put the source's locked cells (tests with their hidden parts) in place of the learner's.

    As nbgrader's OverwriteCells: cells are matched by grade_id; a locked source cell's text, type,
    points and flags replace the learner's; a learner's cell the source does not know is not graded.
    Returns the grade_ids of the source's graded cells the learner's notebook lacks.
    """
    from nbgrader import utils

    originals = {_nbgrader(cell)["grade_id"]: cell for cell in source.cells
                 if _nbgrader(cell).get("grade_id")}
    seen = set()
    for cell in notebook.cells:
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id")
        if grade_id is None:
            continue
        original = originals.get(grade_id)
        if original is None:
            cell.metadata["nbgrader"] = {key: value for key, value in meta.items()
                                         if key not in ("grade", "grade_id", "task")}
            continue
        seen.add(grade_id)
        source_meta = _nbgrader(original)
        for key in ("grade", "solution", "task", "locked", "points"):
            if key in source_meta:
                meta[key] = source_meta[key]
        if utils.is_locked(original):
            if cell.cell_type != original.cell_type:
                _retype(cell, original.cell_type)
            cell.source = original.source
    return [grade_id for grade_id, cell in originals.items()
            if grade_id not in seen and (_nbgrader(cell).get("grade") or _nbgrader(cell).get("task"))]


def _retype(cell, cell_type: str) -> None:
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


# -- running and scoring ------------------------------------------------------------------------


def grading_environment() -> dict[str, str]:
    """The kernel's environment: the grader's (answers read, never written; no test answers folder)."""
    env = {key: value for key, value in os.environ.items() if key != ANSWERS_DIR_ENV}
    env["NBGRADER_EXECUTION"] = "autograde"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_notebook(notebook, folder: Path, instructor, timeout: int = CELL_TIMEOUT):
    """Run the notebook as the grader does (errors recorded, the run goes on), in `folder`: the learner's cells
    in one kernel, the instructor's cells and tests in another on the answers as data (`instructor`: an
    answer_plan.InstructorPart). Returns the notebook as graded."""
    from nbclient.exceptions import DeadKernelError

    from .grading.nbgrader_execute import AnswersThenTests

    for attempt in (1, 2):
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = AnswersThenTests(timeout=timeout, startup_timeout=STARTUP_TIMEOUT, instructor=instructor,
                                  kernel_env=grading_environment())
        try:
            graded, _ = client.preprocess(notebook, {"metadata": {"path": str(folder)}})
            return graded
        except DeadKernelError as error:
            raise SelfCheckError(f"the notebook's kernel stopped while running it ({error}); restart it in "
                                 "JupyterLab, run all cells, and look for the cell that stops it") from None
        except RuntimeError as error:  # jupyter_client's "Kernel didn't respond" / "Kernel died before replying"
            # Once more: a kernel that lost the race for its ports to another starting at the same moment.
            if attempt == 2:
                raise SelfCheckError(f"no kernel could be started to check the notebook ({error}); if the "
                                     "machine is busy, try again when it is not") from None


def instructor_part(source, source_path: Path):
    """What the test kernel runs: the source's locked and test cells (the student version's, without a source),
    and the files beside it (the assignment's own, importable ones included)."""
    from .grading.answer_key import key_files
    from .grading.answer_plan import InstructorPart, instructor_cells

    folder = source_path.parent
    keys = key_files(folder)  # where the source is at hand, its answer key too: the hidden tests read it
    files = frozenset(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                      if p.is_file() and ".hitpm" not in p.relative_to(folder).parts and p.name not in keys)
    return InstructorPart(instructor_cells(source), files, keys)


def failure_message(cell) -> str:
    """What a failed cell says to a learner: the test's own message, not its traceback (hitpm check, Validate)."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            if output.ename == "AssertionError":
                return output.evalue or "a test failed without saying why"
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            text = output.text.strip().splitlines()
            return ("the cell wrote to stderr, which the grader scores 0"
                    + (f": {text[0][:200]}" if text else ""))
    return "the test scored less than full marks"


def score(notebook, missing: list[str], source_notebook=None) -> tuple[list[Question], list[str]]:
    """Each graded cell's points after a run (with nbgrader's determine_grade), and other cells' errors."""
    from nbgrader import utils

    questions, other_errors = [], []
    for index, cell in enumerate(notebook.cells):
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id")
        if grade_id and (meta.get("grade") or meta.get("task")):
            questions.append(_question(notebook.cells, index, utils))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    other_errors.append(f"cell {index + 1}: {output.ename}: {output.evalue}")
    for grade_id in missing:
        points = 0.0
        if source_notebook is not None:
            for original in source_notebook.cells:
                if _nbgrader(original).get("grade_id") == grade_id:
                    points = float(_nbgrader(original).get("points", 0))
        questions.append(Question(grade_id, grade_id, points, None, MISSING,
                                  "this graded cell is missing from your notebook: the grader cannot score it and "
                                  "leaves it to your instructor (copy it back from a fresh copy of the workbook)"))
    return questions, other_errors


def _question(cells, index: int, utils) -> Question:
    cell = cells[index]
    meta = _nbgrader(cell)
    title, max_points = _title(cells, index), float(meta.get("points", 0))
    if meta.get("task") or meta.get("solution"):
        # An answer the instructor grades: nbgrader scores it 0 only when it was left as released.
        untouched = meta.get("checksum") is not None and meta["checksum"] == utils.compute_checksum(cell)
        return Question(meta["grade_id"], title, max_points, None, UNANSWERED if untouched else MANUAL)
    points, max_points = utils.determine_grade(cell)
    points = float(points or 0)
    if points >= max_points:
        return Question(meta["grade_id"], title, max_points, points, PASSED)
    return Question(meta["grade_id"], title, max_points, points, FAILED, failure_message(cell))


def check_workbook(path, *, course_root=None, timeout: int = CELL_TIMEOUT) -> CheckReport:
    """Run a learner's workbook as the grader will and score it, without any gradebook."""
    import nbformat

    path = Path(path).resolve()
    notebook = read_workbook(path)
    source_path = find_source(path, Path(course_root).resolve() if course_root else None)
    missing, source = [], None
    if source_path is not None and source_path != path:
        source = nbformat.read(source_path, as_version=4)
        missing = overwrite_from_source(notebook, source)
        if source.metadata.get("kernelspec"):
            notebook.metadata["kernelspec"] = source.metadata["kernelspec"]
    graded = run_notebook(notebook, path.parent, instructor_part(source or notebook, source_path or path), timeout)
    questions, other_errors = score(graded, missing, source)
    return CheckReport(path, questions, source_path, other_errors)


# -- telling the learner ------------------------------------------------------------------------


def _points(value: float, more: bool = False) -> str:
    return f"{value:g} {'more ' if more else ''}point{'' if value == 1 else 's'}"


def format_report(report: CheckReport) -> str:
    if report.source is None:
        tests = "the tests you can see"
    elif report.source == report.notebook:
        tests = "this is the course source itself: its tests ran as they are"
    else:
        tests = "with the hidden tests, as the grader will run them"
    lines = [f"hitpm check: {report.notebook.name} ({tests})", ""]
    for question in report.questions:
        name = question.grade_id
        if question.title != question.grade_id:
            name = f"{question.title} [{question.grade_id}]"
        if question.state == PASSED:
            lines.append(f"  pass  {name}: {question.points:g} of {_points(question.max_points)}")
        elif question.state == MANUAL:
            lines.append(f"  ----  {name}: {_points(question.max_points)}, to be graded by your instructor")
        elif question.state == MISSING:
            lines.append(f"  ----  {name}: {_points(question.max_points)}, to be graded by your instructor: "
                         f"{question.message}")
        elif question.state == UNANSWERED:
            lines.append(f"  ----  {name}: {_points(question.max_points)}, to be graded by your instructor "
                         "(not answered yet)")
        else:
            lines.append(f"  FAIL  {name}: {question.points:g} of {_points(question.max_points)}")
            lines.append(f"        {question.message}")
    if report.other_errors and any(q.state == FAILED for q in report.questions):
        lines += ["", "Errors in cells before the tests (fix these first, they may explain failed tests):"]
        lines += [f"  {error}" for error in report.other_errors[:5]]
    lines.append("")
    total = f"Total: {report.points:g} of {_points(report.max_points)} checked automatically"
    if report.manual_points:
        total += f"; {_points(report.manual_points, more=True)} to be graded by your instructor"
    lines.append(total + ".")
    if report.full_marks:
        lines.append("Every automatic test you can see passes." if report.source is None
                     else "Every automatic test passes.")
    if report.source is None:
        lines.append("Hidden tests run when your instructor grades your work: they may find what these tests "
                     "do not, so your grade may be lower than this total.")
    return "\n".join(lines)


# -- progress -----------------------------------------------------------------------------------


def workspace_of(notebook: Path) -> Path | None:
    """The learner workspace a workbook is in (`<workspace>/workbooks/<assignment>/<notebook>`), if any."""
    notebook = Path(notebook).resolve()
    if len(notebook.parents) < 3 or notebook.parents[1].name != WORKBOOKS:
        return None
    if source_folder(notebook.parent) is not None:
        return None  # the course's source workbooks: no learner's progress there
    return notebook.parents[2]


def read_progress(workspace: Path) -> dict[str, dict]:
    """Each checked workbook's last result, by its path in the workspace; {} when none was checked."""
    try:
        data = json.loads((workspace / PROGRESS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    workbooks = data.get("workbooks") if isinstance(data, dict) else None
    return {key: value for key, value in (workbooks or {}).items() if isinstance(value, dict)}


def record_progress(workspace: Path, report: CheckReport, *, now: datetime | None = None) -> Path:
    """Keep this check's score in `<workspace>/.hitpm/progress.json`, written atomically."""
    workbooks = read_progress(workspace)
    key = report.notebook.relative_to(workspace.resolve()).as_posix()
    workbooks[key] = {
        "points": report.points,
        "max_points": report.max_points,
        "manual_points": report.manual_points,
        "hidden_tests": report.source is not None,
        "checked_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    path = workspace / PROGRESS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": PROGRESS_FORMAT, "workbooks": workbooks}, indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(prefix=".progress.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _last_change(notebook: Path) -> float:
    """When the work last changed: the notebook or an answer saved beside it by a widget."""
    times = [notebook.stat().st_mtime]
    answers = notebook.parent / ANSWERS_DIR
    if answers.is_dir():
        times += [answer.stat().st_mtime for answer in answers.glob("*.json")]
    return max(times)


def progress_lines(workspace: Path) -> list[str]:
    """One line a workbook of the workspace: its last checked score, or "not checked yet"."""
    folder = workspace / WORKBOOKS
    if not folder.is_dir():
        raise SelfCheckError(f"there is no learner workspace at {workspace} (no {WORKBOOKS}/ folder in it): "
                             "run `hitpm lab` to make it, or pass --workspace PATH")
    notebooks = sorted(path for path in folder.glob("*/*.ipynb"))
    if not notebooks:
        return [f"No workbooks in {folder} yet: `hitpm lab` adds them."]
    progress = read_progress(workspace)
    lines = [f"Workbooks in {workspace}:"]
    for notebook in notebooks:
        key = notebook.relative_to(workspace).as_posix()
        name = notebook.relative_to(folder).as_posix()
        entry = progress.get(key)
        if entry is None:
            lines.append(f"  {name}: not checked yet")
            continue
        try:
            text = f"{entry['points']:g} of {_points(entry['max_points'])}"
            checked = datetime.fromisoformat(entry["checked_at"])
        except (KeyError, TypeError, ValueError):
            lines.append(f"  {name}: not checked yet (the saved result could not be read)")
            continue
        if entry.get("manual_points"):
            text += f", {_points(entry['manual_points'], more=True)} to be graded by your instructor"
        text += f" (checked {checked.strftime('%Y-%m-%d %H:%M')} UTC"
        if not entry.get("hidden_tests", True):
            text += ", without the hidden tests"
        if _last_change(notebook) > checked.timestamp() + 1:
            text += "; changed since: check again"
        lines.append(f"  {name}: {text})")
    lines.append("Check a workbook with: hitpm check PATH")
    return lines


# -- the commands -------------------------------------------------------------------------------


def _check(args) -> int:
    if args.timeout < 1:
        print(f"hitpm check: --timeout is the seconds a cell may run, 1 or more; not {args.timeout}",
              file=sys.stderr)
        return 2
    try:
        report = check_workbook(args.notebook, course_root=args.course, timeout=args.timeout)
    except SelfCheckError as error:
        print(f"hitpm check: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    workspace = workspace_of(report.notebook)
    if workspace is not None:
        try:
            record_progress(workspace, report)
        except OSError as error:
            print(f"(your progress could not be saved in {workspace / PROGRESS_FILE}: {error.strerror})")
    return 0 if report.full_marks else 1


def _progress(args) -> int:
    try:
        if args.workspace:
            workspace = Path(args.workspace).resolve()
        elif args.course:
            workspace = default_workspace(find_course_root(Path(args.course).resolve()))
        else:
            workspace = find_workspace()
        print("\n".join(progress_lines(workspace)))
    except (SelfCheckError, WorkspaceError) as error:
        print(f"hitpm progress: {error}", file=sys.stderr)
        return 2
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `hitpm check` and `hitpm progress` to the `hitpm` command's subcommands."""
    check = commands.add_parser(
        "check", help="run a workbook the way the grader will and show each question's points",
        description="Run your workbook as the grader will (with the hidden tests, when the course source "
        "is here), without any gradebook, and show each question's points and what a failed test says. "
        "Exits 0 at full marks, 1 below them, 2 when the notebook cannot be checked.",
    )
    check.add_argument("notebook", help="the workbook to check, e.g. "
                       "workspace/workbooks/ps01-emr-stakeholders/ps01-emr-stakeholders.ipynb")
    check.add_argument("--course", help="the course root with the source workbooks (default: the clone "
                       "this command runs in)")
    check.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                       help=f"seconds a cell may run (default: {CELL_TIMEOUT}, as the grader)")
    check.set_defaults(run=_check)
    progress = commands.add_parser(
        "progress", help="list your workbooks with the score each had when last checked",
        description="List every workbook in your learner workspace with its last `hitpm check` score.",
    )
    progress.add_argument("--workspace", help="the learner workspace (default: the one you are in, else the one "
                          "`hitpm lab` made: workspace/ in the course, or ~/hitpm-workspace)")
    progress.add_argument("--course", help="the course root (default: the clone this command runs in)")
    progress.set_defaults(run=_progress)
