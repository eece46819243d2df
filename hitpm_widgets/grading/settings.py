"""`hitpm grade`'s settings in nbgrader_config.py, the nbgrader way; the command line wins.

    c.HitpmGrade.workers = 3
    c.HitpmGrade.time_limit = 900      # seconds a whole notebook may run
    c.HitpmGrade.memory = 4096         # MB a kernel may take on top of its start
    c.HitpmGrade.processes = 64
    c.HitpmGrade.output_limit = 1024   # KB of output kept per cell
    c.HitpmGrade.cell_timeout = 60     # else nbgrader's Execute.timeout
    c.HitpmGrade.scheduler = "tcp://scheduler:8786"   # grade on a Dask cluster
"""

from __future__ import annotations

from traitlets import Integer, Unicode
from traitlets.config import Configurable

from .isolation.fence import Limits

_DEFAULTS = Limits()


class HitpmGrade(Configurable):
    workers = Integer(0, help="kernels at a time; 0: one more than the machine's cores").tag(config=True)
    time_limit = Integer(_DEFAULTS.notebook_timeout, help="seconds a whole notebook may run").tag(config=True)
    memory = Integer(_DEFAULTS.memory_mb, help="MB of memory a kernel may take on top of its start").tag(config=True)
    processes = Integer(_DEFAULTS.processes, help="processes and threads a kernel may have").tag(config=True)
    output_limit = Integer(_DEFAULTS.output_kb, help="KB of output kept per cell").tag(config=True)
    cell_timeout = Integer(None, allow_none=True, help="seconds a cell may run; None: nbgrader's Execute.timeout"
                           ).tag(config=True)
    scheduler = Unicode(None, allow_none=True, help="a Dask scheduler's address: grade on its workers"
                        ).tag(config=True)


#: Command-line option (argparse dest) -> HitpmGrade trait.
OPTIONS = {"workers": "workers", "time_limit": "time_limit", "memory": "memory", "processes": "processes",
           "output_limit": "output_limit", "cell_timeout": "cell_timeout"}


def scheduler(args, config) -> str | None:
    return args.scheduler or HitpmGrade(config=config).scheduler


def resolve(args, config) -> tuple[int, Limits]:
    """The workers and limits of this run: the command line's, else the course configuration's."""
    settings = HitpmGrade(config=config)
    value = {trait: getattr(args, option) if getattr(args, option) is not None else getattr(settings, trait)
             for option, trait in OPTIONS.items()}
    if value["workers"] < 0:
        raise ValueError(f"workers must be 0 (one more than the cores) or more, not {value['workers']}")
    limits = Limits(cell_timeout=value["cell_timeout"], notebook_timeout=value["time_limit"],
                    memory_mb=value["memory"], processes=value["processes"], output_kb=value["output_limit"]).check()
    return value["workers"], limits
