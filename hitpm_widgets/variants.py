"""Per-learner case variants: in a class, every learner works their own numbers of a case.

A workbook with variants loads its case with ``case_for(assignment, slug)`` instead of
``load_case(slug)``. What the learner gets:

- **Self-paced** (no class configured: none of ``HITPM_LEARNER``, ``HITPM_COURSE_ID``,
  ``HITPM_VARIANT_KEY`` set, and no variant recorded in the folder): the case's published numbers,
  the ones the teaching notes work through. ``JUPYTERHUB_USER`` alone does not make a class, since
  public and personal hubs set it too.
- **In a class** (one of those three set): the numbers the case's generator
  (``cases/<slug>/variants.py``) draws from a seed, ``HMAC-SHA256(key, course id, assignment,
  learner)``. The learner is ``HITPM_LEARNER``, else ``JUPYTERHUB_USER``, else the OS user name; the
  course id is ``HITPM_COURSE_ID`` (default ``hitpm``) and the key ``HITPM_VARIANT_KEY`` (default
  empty). An instructor sets both in the course's configuration: the hub's spawner environment for
  learners, and the shell that grades (``hitpm grade`` passes HITPM_* variables on to its kernels).
  The key is what makes a class's variants its own; it is not what keeps grading honest (the hidden
  tests are), so a learner who can read it gains nothing.

The variant's parameters (the changed cells themselves) are written once into the learner's folder
as ``.hitpm/variant.json`` and read back from there ever after, so a later change of a generator
cannot change a learner's numbers; nbgrader copies the file with the submission.

When grading, the learner is the submitting learner: ``HITPM_LEARNER`` (which ``hitpm grade`` sets
to the submission's student id in each kernel) or, under stock ``nbgrader autograde``, the
``<student>`` of the ``autograded/<student>/<assignment>`` folder it runs in. A recorded variant of
that learner is used as recorded; one of another learner is not: the submitting learner's own is
drawn instead (the grader's course id and key must then be the class's). A submission that records
no variant is graded with the published numbers unless the grader's shell configures the course.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import importlib.util
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LEARNER_ENV = "HITPM_LEARNER"
HUB_USER_ENV = "JUPYTERHUB_USER"
COURSE_ENV = "HITPM_COURSE_ID"
KEY_ENV = "HITPM_VARIANT_KEY"
DEFAULT_COURSE = "hitpm"
VARIANT_FILE = Path(".hitpm") / "variant.json"
FORMAT_VERSION = 1


class VariantError(ValueError):
    """A recorded variant cannot be read or does not fit its case."""


@dataclass(frozen=True)
class Variant:
    """One learner's numbers of one case for one assignment."""

    learner: str
    assignment: str
    course: str
    case: str
    generator_version: int
    seed: int
    #: The changed cells: ``{table: {row (its key, or its position): {column: value}}}``.
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_text(self) -> str:
        return json.dumps({"format": FORMAT_VERSION, **asdict(self)}, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> Variant:
        try:
            record = json.loads(text)
        except ValueError as error:
            raise VariantError(f"not JSON ({error})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT_VERSION:
            raise VariantError("not a variant record this kit writes")
        try:
            variant = cls(**{name: record[name] for name in cls.__dataclass_fields__})
        except KeyError as error:
            raise VariantError(f"the record has no {error.args[0]!r}") from None
        texts = (variant.learner, variant.assignment, variant.course, variant.case)
        if not all(isinstance(text, str) and text for text in texts) or not isinstance(variant.parameters, dict):
            raise VariantError("the record's learner, assignment, course, case or parameters are malformed")
        if not isinstance(variant.seed, int) or not isinstance(variant.generator_version, int):
            raise VariantError("the record's seed or generator version is not a whole number")
        return variant


# -- who, which course, which seed -----------------------------------------------------------------


def learner() -> str:
    """The learner working this notebook: HITPM_LEARNER, else JUPYTERHUB_USER, else the OS user."""
    for name in (LEARNER_ENV, HUB_USER_ENV):
        if os.environ.get(name, "").strip():
            return os.environ[name].strip()
    return getpass.getuser()


def course_id() -> str:
    return os.environ.get(COURSE_ENV, "").strip() or DEFAULT_COURSE


def in_class() -> bool:
    """True when a class is configured or a learner is named: variants apply.

    While a grader runs the notebook, HITPM_LEARNER only names the submitting learner: a submission
    that records no variant is graded with variants only where the grader's course is configured.
    """
    from .answers import in_nbgrader_execution

    if in_nbgrader_execution():
        return in_class_configured()
    return in_class_configured() or bool(os.environ.get(LEARNER_ENV, "").strip())


def in_class_configured() -> bool:
    """True when this shell names a course or a key: a grader then gives every submission its learner's variant."""
    return any(os.environ.get(name, "").strip() for name in (COURSE_ENV, KEY_ENV))


def seed_for(assignment: str, learner_id: str, *, course: str | None = None, key: str | None = None) -> int:
    """The keyed hash of course, assignment and learner, as a whole number below 2**63."""
    key = os.environ.get(KEY_ENV, "") if key is None else key
    course = course_id() if course is None else course
    message = "\n".join((course, assignment, learner_id)).encode("utf-8")
    digest = hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def grading_learner(directory: Path, assignment: str) -> str | None:
    """The submitting learner while a grader runs the notebook, if it can be known."""
    # Stock `nbgrader autograde` runs each notebook in autograded/<student>/<assignment>: that folder
    # names the student even if the instructor's shell happens to set HITPM_LEARNER.
    if os.environ.get("NBGRADER_EXECUTION") and directory.name == assignment \
            and directory.parent.parent.name == "autograded":
        return directory.parent.name
    if os.environ.get(LEARNER_ENV, "").strip():
        return os.environ[LEARNER_ENV].strip()
    return None


# -- generators ------------------------------------------------------------------------------------

_generators: dict[Path, Any] = {}


def generator(case):
    """The case pack's variant generator module (``generate(case, seed)``, ``VERSION``)."""
    if case.variants_file is None:
        raise VariantError(f"case {case.slug!r} has no variant generator")
    path = case.variants_file.resolve()
    if path not in _generators:
        spec = importlib.util.spec_from_file_location(f"hitpm_case_variants_{case.slug.replace('-', '_')}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _generators[path] = module
    return _generators[path]


def draw_until_held(case, rng, draw, holds, *, attempts: int, what: str, seed: int):
    """The first of `attempts` draws (``draw(case, rng)``) for which ``holds(case, drawn)``: a variant generator's
    way of changing numbers while the teaching point stays. None holding is an error naming `what`."""
    for _ in range(attempts):
        drawn = draw(case, rng)
        if holds(case, drawn):
            return drawn
    raise RuntimeError(f"no variant of {what} keeps the teaching point for seed {seed}")


def make_variant(assignment: str, slug: str, learner_id: str, *, course: str | None = None,
                 key: str | None = None) -> Variant:
    """Draw a learner's variant with the case's current generator."""
    from .cases import load_case

    course = course_id() if course is None else course
    seed = seed_for(assignment, learner_id, course=course, key=key)
    published = load_case(slug)
    module = generator(published)
    return Variant(learner_id, assignment, course, slug, module.VERSION, seed, module.generate(published, seed))


# -- the record in the learner's folder -------------------------------------------------------------


def read_recorded(directory: Path) -> Variant:
    """The variant recorded in `directory`; FileNotFoundError if none, VariantError if unusable."""
    return Variant.from_text((directory / VARIANT_FILE).read_text(encoding="utf-8"))


def record(variant: Variant, directory: Path) -> bool:
    """Write the variant into `directory` once: never over a record, a source folder or a graded copy."""
    from .answers import in_nbgrader_execution, source_folder

    path = directory / VARIANT_FILE
    if in_nbgrader_execution() or source_folder(directory) is not None or path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".variant-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(variant.to_text())
        os.replace(temporary, path)
    except OSError:
        return False  # a read-only folder: the numbers are the same next time, from the same seed
    return True


def learner_variant(assignment: str, slug: str, directory=None) -> Variant | None:
    """The variant this notebook works, or None for the case's published numbers."""
    directory = Path.cwd() if directory is None else Path(directory)
    directory = directory.resolve()
    submitting = grading_learner(directory, assignment)
    try:
        recorded = read_recorded(directory)
    except FileNotFoundError:
        recorded = None
    except (OSError, UnicodeDecodeError, VariantError) as error:
        # stdout, never stderr: nbgrader scores a test cell 0 if anything reaches stderr.
        print(f"hitpm: the recorded variant {VARIANT_FILE} cannot be used ({error}); it is left as it is")
        recorded = None
    if recorded is not None and (recorded.assignment, recorded.case) != (assignment, slug):
        print(f"hitpm: the recorded variant is of {recorded.assignment} ({recorded.case}), not of this "
              "workbook: it is not used")
        recorded = None
    if recorded is not None:
        if submitting is None or recorded.learner == submitting:
            return recorded
        print(f"hitpm: the recorded variant is {recorded.learner}'s; these are {submitting}'s numbers")
        return make_variant(assignment, slug, submitting)
    if not in_class():
        return None  # self-paced, or graded where no class is configured: the published numbers
    variant = make_variant(assignment, slug, submitting or learner())
    record(variant, directory)
    return variant


def case_for(assignment: str, slug: str, directory=None):
    """The case as this learner works it in this assignment (see the module's notes)."""
    from .cases import load_case

    return load_case(slug, variant=learner_variant(assignment, slug, directory))


def show_variant(case) -> None:
    """Print whose numbers a case holds (never what they give: an instructor's report shows the key figures)."""
    variant = case.variant
    if variant is None:
        print(f"The case's published numbers ({case.slug}).")
    else:
        print(f"The numbers of {variant.learner} for {variant.assignment} (course {variant.course}, "
              f"variant {variant.seed:x}, generator version {variant.generator_version}).")
