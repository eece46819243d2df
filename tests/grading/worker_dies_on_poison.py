"""`dask worker --preload` for the cluster test: the worker process dies outright (as on a lost node or the
kernel's OOM killer) whenever it is sent the submission of the learner named POISON, every time.

A fenced kernel cannot take its worker down, so the test injects the death here, in the worker, around
the task the client sends (which Dask looks up by name on the worker)."""

import os

from hitpm_widgets.grading import cluster

POISON = "zed-poison"
# Dask may import a preload file twice: wrap the kit's own task, never the wrapper.
_run_notebook = getattr(cluster, "kit_run_notebook", cluster.run_notebook)
cluster.kit_run_notebook = _run_notebook


def run_notebook(payload: dict) -> dict:
    if payload["learner"] == POISON:
        os._exit(1)
    return _run_notebook(payload)


cluster.run_notebook = run_notebook
