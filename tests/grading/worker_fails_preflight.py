"""`dask worker --preload` for the cluster test: this worker's preflight fails, as on a node whose kernels
cannot import the kit or read the cases. It must grade nothing."""

from hitpm_widgets.grading import preflight as checks


async def preflight(*args, **kwargs) -> None:
    raise checks.GradingRefused("injected by the test: this worker's kernels cannot pass the solution")


checks.preflight = preflight
