"""Durable answers: each exercise's model saved as JSON beside the notebook.

A kernel restart, a re-run, or nbgrader's autograde (which copies the submitted folder, hidden
folders included) brings the learner's answer back. See DESIGN.md, principle 2.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ANSWERS_DIR = Path(".hitpm") / "answers"
SLUG_RULE = re.compile(r"[a-z0-9-]+")
FORMAT_VERSION = 1

#: A folder holding nbgrader *source* assignments carries this marker file. Answers made while an
#: author runs a source notebook would otherwise be released to every learner (nbgrader releases
#: every file of a source folder) and would overwrite learners' answers at autograde.
SOURCE_MARKER = ".hitpm-source"

#: Tests and tools may send every answer to one folder instead of beside the notebook.
ANSWERS_DIR_ENV = "HITPM_ANSWERS_DIR"

# Corrupt files already reported in this process: a learner is told once, not on every re-run.
_reported: set[str] = set()


class AnswerKindError(ValueError):
    """The answer file belongs to an exercise of another kind."""


def check_exercise_id(exercise_id: str) -> str:
    if not isinstance(exercise_id, str) or not SLUG_RULE.fullmatch(exercise_id):
        raise ValueError(
            f"exercise id {exercise_id!r} is not allowed: use only lower-case letters a-z, digits 0-9 "
            "and hyphens, e.g. 'emr-stakeholders'"
        )
    return exercise_id


def in_nbgrader_execution() -> bool:
    """True while nbgrader autograde or validate runs the notebook."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def source_folder(directory: Path) -> Path | None:
    """The nbgrader source folder `directory` lies in, if any."""
    for folder in (directory, *directory.parents):
        if (folder / SOURCE_MARKER).is_file():
            return folder
    return None


@dataclass
class AnswerStore:
    """Loads and saves one exercise's answer at ``<directory>/.hitpm/answers/<id>.json``."""

    exercise_id: str
    kind: str
    directory: Path | None = None
    #: Why answers are not being saved, if they are not; shown by the widgets.
    not_saving_because: str | None = field(default=None, init=False)
    #: What went wrong while loading, if anything; shown by the widgets.
    notice: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        check_exercise_id(self.exercise_id)
        base = (Path(self.directory) if self.directory is not None else Path.cwd()).resolve()
        self.path = base / ANSWERS_DIR / f"{self.exercise_id}.json"
        self.memory_only = False
        source = source_folder(base)
        if source is not None:
            self.memory_only = True
            self.not_saving_because = (
                f"this notebook is in the nbgrader source folder {source}: answers are kept in "
                "memory only, so that none reaches the learners' release"
            )
        elif os.environ.get(ANSWERS_DIR_ENV) and not in_nbgrader_execution():
            self.path = Path(os.environ[ANSWERS_DIR_ENV]) / f"{self.exercise_id}.json"
        if in_nbgrader_execution() and not self.memory_only:
            self.not_saving_because = "nbgrader is grading this notebook: answers are read, not written"

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> dict[str, Any] | None:
        """The saved model, or None when there is none (or it was unusable and set aside)."""
        if self.memory_only:
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            self._report(f"could not read {self.path}: {error.strerror}; starting fresh")
            return None
        try:
            record = json.loads(text)
            if not isinstance(record, dict) or not isinstance(record.get("model"), dict):
                raise ValueError("no model in the file")
        except ValueError as error:
            self.set_aside(f"is not a valid answer file ({error})")
            return None
        if record.get("kind") != self.kind:
            raise AnswerKindError(
                f"{self.path} holds the answer of a {record.get('kind')!r} exercise, but "
                f"{self.kind!r} exercise {self.exercise_id!r} was asked to load it: give this "
                "exercise another id, or move the file away"
            )
        return record["model"]

    def set_aside(self, problem: str) -> None:
        backup = self.path.with_name(self.path.name + ".bak")
        if self.not_saving_because:
            where = "it was left in place"
        else:
            try:
                os.replace(self.path, backup)
                where = f"it was kept as {backup.name}"
            except OSError:
                where = "it could not be moved aside (read-only folder)"
        self._report(f"the saved answer {self.path.name} {problem}; {where}, and the exercise starts fresh")

    def _report(self, message: str) -> None:
        self.notice = message
        key = f"{self.path}:{message}"
        if key not in _reported:
            _reported.add(key)
            # stdout, never stderr: nbgrader scores a test cell 0 if anything reaches stderr.
            print(f"hitpm: {message}")

    # -- saving --------------------------------------------------------------------------------

    def save(self, model: dict[str, Any]) -> bool:
        """Write the model atomically; False (and no error) when saving is not possible here."""
        if self.not_saving_because:
            return False
        record = {
            "kind": self.kind,
            "exercise_id": self.exercise_id,
            "format": FORMAT_VERSION,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": model,
        }
        text = json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.exercise_id}.", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            # A read-only copy (nbgrader's autograded/ folder, a shared class folder) still loads.
            self.not_saving_because = f"the folder {self.path.parent} cannot be written ({error.strerror})"
            return False
        return True
