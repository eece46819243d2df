"""Submissions that misbehave, each with right widget answers, so that whatever the code does the rest
of the notebook still earns its points: the tests check exactly that, and that nobody else is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from hitpm_widgets.grading.isolation.fence import EXIT_SANDBOX_FAILED

from ..pipeline.specs.ps01 import write_engagement_plan
from .classroom import ANSWERS, NOTEBOOK, WRONG, answer_in_code, answer_through_the_model, deleted_test, edited_test

FULL_AUTO = 9  # every autograded point of ps01


def code(snippet: str):
    """Right widget answers; `snippet` in the code answer cell."""
    def answer(folder: Path) -> None:
        answer_through_the_model(folder)
        answer_in_code(folder, snippet)
    return answer


LOOP = "while True:\n    pass\n"
STUBBORN = (
    "while True:\n"
    "    try:\n"
    "        while True:\n"
    "            pass\n"
    "    except KeyboardInterrupt:\n"
    "        pass\n"
)
MEMORY = "hoard = []\nwhile True:\n    hoard.append(bytearray(64 * 2**20))\n"
FORK_BOMB = (
    "import os, time\n"
    "for _ in range(100000):\n"
    "    if os.fork() == 0:\n"
    "        while True:\n"
    "            try:\n"
    "                os.fork()\n"
    "            except OSError:\n"
    "                time.sleep(0.05)\n"
)
SYS_EXIT = "import sys\nsys.exit(3)\n"
#: With the exit code a kernel that could not be fenced in has: it must still be graded, not left out.
OS_EXIT = f"import os\nos._exit({EXIT_SANDBOX_FAILED})\n"
CRASH = "import ctypes\nctypes.string_at(0)\n"
CHATTY = "for line in range(300):\n    print('x' * 100_000)\n"
VANDAL = (
    "import os, shutil\n"
    "shutil.rmtree('.hitpm')\n"
    "for name in os.listdir('.'):\n"
    "    if os.path.isfile(name):\n"
    "        os.remove(name)\n"
    "print('left:', os.listdir('.'))\n"
)


def forger(gradebook: Path):
    return code(
        "import sqlite3\n"
        "try:\n"
        f"    db = sqlite3.connect({str(gradebook)!r})\n"
        "    db.execute('UPDATE grade SET auto_score = 99')\n"
        "    db.commit()\n"
        "    print('FORGED')\n"
        "except Exception as error:\n"
        "    print('refused:', type(error).__name__, error)\n"
    )


def snoop(source: Path, submitted: Path):
    return code(
        "import os\n"
        "try:\n"
        f"    print('SOURCE', open({str(source)!r}).read()[:5000])\n"
        "except Exception as error:\n"
        "    print('no source:', type(error).__name__)\n"
        f"print('OTHERS', os.listdir({str(submitted)!r}) if os.path.isdir({str(submitted)!r}) else 'none')\n"
    )


def online(port: int):
    return code(
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'leak')\n"
        "    print('CONNECTED')\n"
        "except OSError as error:\n"
        "    print('offline:', error)\n"
    )


#: Walks the whole file system the kernel sees (all but the system's and Python's folders and its own
#: copy) for what the fence must hide: notebooks (solutions, classmates' work), gradebooks, the
#: course configuration, teaching notes. Anything with content is printed.
HUNTER = (
    "import os, sys, time\n"
    "start, found, seen = time.monotonic(), [], 0\n"
    "skip = {'/proc', '/sys', '/dev', '/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'}\n"
    "skip |= {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}\n"
    "here = os.path.realpath(os.getcwd())\n"
    "wanted = ('gradebook.db', 'nbgrader_config.py')\n"
    "for top, dirs, files in os.walk('/'):\n"
    "    if time.monotonic() - start > 2:\n"
    "        found.append('UNFINISHED'); break\n"
    "    seen += 1\n"
    "    dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip and os.path.join(top, d) != here]\n"
    "    for name in files:\n"
    "        path = os.path.join(top, name)\n"
    "        if name.endswith('.ipynb') or name in wanted or name.startswith('teaching-note'):\n"
    "            try:\n"
    "                if os.path.getsize(path) > 0: found.append(path)\n"
    "            except OSError: pass\n"
    "print('HUNTED', found, 'in', seen, 'folders')\n"
)

#: A process that leaves its kernel's session and would sleep on after the run, if it could.
ESCAPER_MARK = "31337"
ESCAPER = (
    "import os\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    f"        os.execv('/bin/sleep', ['sleep', '{ESCAPER_MARK}'])\n"
    "    os._exit(0)\n"
    "print('escaped')\n"
)


def right_with_a_plan(folder: Path) -> None:
    """Right answers and an engagement plan, which waits for the instructor's grade."""
    answer_through_the_model(folder)
    write_engagement_plan(folder / NOTEBOOK)


def sleeper(folder: Path) -> None:
    answer_through_the_model(folder)
    answer_in_code(folder, "import time\nfor second in range(600):\n    time.sleep(1)\n")


def corrupt_notebook(folder: Path) -> None:
    answer_through_the_model(folder)
    (folder / NOTEBOOK).write_text('{"cells": [ this is not json', encoding="utf-8")


def missing_notebook(folder: Path) -> None:
    answer_through_the_model(folder)
    (folder / NOTEBOOK).unlink()


def extra_notebook(folder: Path) -> None:
    answer_through_the_model(folder)
    (folder / "scratch.ipynb").write_text((folder / NOTEBOOK).read_text(encoding="utf-8"), encoding="utf-8")


def tampered_answers(folder: Path) -> None:
    """Right answers, then the file edited by hand: the CFO moved (formatting changes too)."""
    answer_through_the_model(folder)
    path = folder / ANSWERS
    record = json.loads(path.read_text(encoding="utf-8"))
    record["model"]["stakeholders"]["CFO"]["power"] = 2
    path.write_text(json.dumps(record), encoding="utf-8")


def corrupt_answers(folder: Path) -> None:
    answer_through_the_model(folder)
    (folder / ANSWERS).write_text("{{{ not an answer", encoding="utf-8")


# -- learners who want the points without the work: a blank map, and one line in the answer cell ---------------

#: Each would earn every autograded point of a blank notebook if the tests ran in the learner's kernel.
FORGERS = {
    "input-transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n",
    "ast-transformer": (
        "import ast\n"
        "class Nothing(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        node.body = []\n"
        "        return node\n"
        "get_ipython().ast_transformers.append(Nothing())\n"
    ),
    "patched-checks": (
        "import hitpm_widgets.checks as checks\n"
        "for name in dir(checks):\n"
        "    if name.startswith('check_'):\n"
        "        setattr(checks, name, lambda *args, **kwargs: None)\n"
    ),
    "fake-checks-module": (
        "import sys, types\n"
        "fake = types.ModuleType('hitpm_widgets.checks')\n"
        "fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)\n"
        "sys.modules['hitpm_widgets.checks'] = fake\n"
    ),
    "patched-run-cell": (
        "shell = get_ipython()\n"
        "real_run_cell, real_run_cell_async = shell.run_cell, shell.run_cell_async\n"
        "shell.run_cell = lambda cell, *args, **kwargs: real_run_cell('pass', *args, **kwargs)\n"
        "shell.run_cell_async = lambda cell, *args, **kwargs: real_run_cell_async('pass', *args, **kwargs)\n"
    ),
}


def tagged_to_skip(folder: Path) -> None:
    """A blank map whose every code cell is tagged "skip-execution": nbclient's default skips such cells, and a
    test cell that did not run shows no error, which nbgrader scores as passed."""
    nb = nbformat.read(folder / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.setdefault("tags", []).append("skip-execution")
    nbformat.write(nb, folder / NOTEBOOK)


def claims_partly(also: str = ""):
    """A blank map whose answer cell forges the answer data itself: it claims the partly right map's state."""
    def answer(folder: Path) -> None:
        model = partly_model()
        answer_in_code(folder, (
            "import json\n"
            "import hitpm_widgets.grading.answer_data as answer_data\n"
            f"claim = json.dumps({{'smap': {{'exercise': 'hitpm_widgets.stakeholders.StakeholderMap', "
            f"'state': json.loads({json.dumps(model)!r})}}}})\n"
            "answer_data.collect = lambda namespace, names: claim\n" + also))
    return answer


def code_only(snippet: str):
    """No widget answers; `snippet` in the code answer cell."""
    def answer(folder: Path) -> None:
        answer_in_code(folder, snippet)
    return answer


def partly_model() -> dict:
    """The state of the map a partly right learner saved (the spec's WRONG answers)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        answer_through_the_model(Path(folder), wrong=WRONG)
        return json.loads((Path(folder) / ANSWERS).read_text(encoding="utf-8"))["model"]


#: A blank map whose answer cell places every stakeholder where the instructor's answer key accepts it.
IMPORTS_THE_KEY = (
    "import answer_key\n"
    "spot = {'manage closely': (8, 8), 'keep satisfied': (8, 2), 'keep informed': (2, 8), 'monitor': (2, 2)}\n"
    "for group in answer_key.ACCEPTED['quadrants'].values():\n"
    "    for name, quadrants in group.items():\n"
    "        power, interest = spot[quadrants[0]]\n"
    "        smap.place(name, power=power, interest=interest)\n"
)


def own_answer_key(folder: Path) -> None:
    """The partly right map, handed in with an answer key of the learner's own that accepts anything."""
    answer_through_the_model(folder, wrong=WRONG)
    (folder / "answer_key.py").write_text(
        "QUADRANTS = ['manage closely', 'keep satisfied', 'keep informed', 'monitor']\n"
        "class _Any(dict):\n"
        "    def __getitem__(self, name):\n"
        "        return _Any()\n"
        "    def items(self):\n"
        "        return []\n"
        "ACCEPTED = {'quadrants': _Any(), 'salience_classes': _Any(), 'manage_closely': {'must': [], 'must_not': []}}\n"
        "POINTS, MANUAL, TOLERANCES, GIVEN = {}, {}, {}, {}\n"
        "def answers(case=None):\n"
        "    return {}\n", encoding="utf-8")


def forging_kinds() -> dict:
    """Blank notebooks that try to forge their grade, a data forger, and an honest partly right control."""
    kinds = {name: code_only(line) for name, line in FORGERS.items()}
    kinds["skip-tags"] = tagged_to_skip
    kinds["claims-partly"] = claims_partly()
    kinds["claims-partly-and-skips-tests"] = claims_partly(FORGERS["input-transformer"])
    kinds["partly"] = lambda folder: answer_through_the_model(folder, wrong=WRONG)
    kinds["imports-the-key"] = code_only(IMPORTS_THE_KEY)
    kinds["own-answer-key"] = own_answer_key
    return kinds


def ordinary_kinds(gradebook: Path, source: Path, submitted: Path, port: int) -> dict:
    """Every kind, by student name."""
    return {
        "right": right_with_a_plan,
        "loop": code(LOOP),
        "stubborn": code(STUBBORN),
        "memory": code(MEMORY),
        "forkbomb": code(FORK_BOMB),
        "sysexit": code(SYS_EXIT),
        "osexit": code(OS_EXIT),
        "crash": code(CRASH),
        "chatty": code(CHATTY),
        "vandal": code(VANDAL),
        "forger": forger(gradebook),
        "snoop": snoop(source, submitted),
        "online": online(port),
        "hunter": code(HUNTER),
        "escaper": code(ESCAPER),
        "corrupt-notebook": corrupt_notebook,
        "missing-notebook": missing_notebook,
        "extra-notebook": extra_notebook,
        "edited-test": edited_test,
        "deleted-test": deleted_test,
        "tampered-answers": tampered_answers,
        "corrupt-answers": corrupt_answers,
        **forging_kinds(),
    }


#: How many learners the hostile class has.
CLASS_SIZE = len(ordinary_kinds(Path("gradebook.db"), Path("source.ipynb"), Path("submitted"), 0))
