"""Grading a whole class on top of nbgrader's gradebook: `hitpm grade`."""
