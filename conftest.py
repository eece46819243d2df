"""Test-wide settings, for the unit tests and for the notebooks nbval runs in course/ and workbooks/."""

import os
import tempfile

# Lessons run under nbval save their widgets' answers here, not into the repository's folders.
_answers = tempfile.mkdtemp(prefix="hitpm-test-answers-")
os.environ["HITPM_ANSWERS_DIR"] = _answers
os.environ.setdefault("MPLBACKEND", "Agg")
