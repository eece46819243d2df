"""The fork-server: one process imports what kernels need, then forks a fresh kernel per submission.

Starting an IPython kernel and importing pandas, matplotlib, ipywidgets and hitpm_widgets takes
longer than most workbooks' own code. This process pays it once; each kernel is a fork of it
(copy-on-write, a few milliseconds), fenced in by `fence.enter` before it starts the same
`IPKernelApp` that `python -m ipykernel_launcher` runs.

Run by the grader as ``python -m hitpm_widgets.grading.zygote CONFIG.json`` (modules to preload
at once). It speaks JSON lines: requests on stdin, answers and exits on stdout; its own messages
go to stderr (a log file). First {"modules", "hide"} (more modules; paths to hide from kernels),
answered with {"ready", "fences"} once set up. Then {"op": "spawn", "job", "argv", "exec", "cwd",
"env", "log", "fence"}, answered with {"job", "pid"} or {"job", "error"}; {"op": "kill_user",
"uid"}. Unasked: {"exited": pid, "code": n, "signal": s} when a kernel ends.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import sys
import traceback
from dataclasses import asdict

from . import cgroups
from . import fence as fences

# Modules always worth having in memory before a fork: the kernel itself.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython", "zmq", "tornado")


def preload(modules) -> list[str]:
    failed = []
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - a module the notebook may not even need
            failed.append(f"{name}: {error}")
    if "matplotlib" in sys.modules:
        # Load the font cache now, as the instructor: a kernel user could not write a new one, and
        # matplotlib announces a rebuild on stderr, which nbgrader scores as a failed test.
        try:
            importlib.import_module("matplotlib.font_manager")
        except Exception as error:  # noqa: BLE001
            failed.append(f"matplotlib.font_manager: {error}")
    return failed


def warm_up() -> None:
    """Do once, before any fork, what every kernel would otherwise do cold: format a traceback (the
    lexer and the source inspection of IPython's verbose tracebacks), draw text to a PNG (fonts),
    show a table as HTML. Kernels inherit the warm caches."""
    try:
        from IPython.core.ultratb import AutoFormattedTB

        try:
            exec(compile("def check():\n    assert 1 == 2, 'warm-up'\ncheck()\n", "<warm-up>", "exec"), {})
        except AssertionError:
            for mode in ("Context", "Plain"):
                AutoFormattedTB(mode=mode).structured_traceback(*sys.exc_info())
    except Exception:  # noqa: BLE001 - a colder kernel, nothing worse
        pass
    if "matplotlib" in sys.modules:
        try:
            import io

            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            figure = Figure(figsize=(2, 2))
            FigureCanvasAgg(figure)
            axes = figure.add_subplot()
            axes.plot([0, 1], [0, 1], marker="o")
            axes.set_title("warm-up")
            figure.savefig(io.BytesIO(), format="png")
        except Exception:  # noqa: BLE001
            pass
    if "pandas" in sys.modules:
        try:
            frame = sys.modules["pandas"].DataFrame({"a": [1, 2], "b": ["x", "y"]})
            frame._repr_html_()
            repr(frame)
        except Exception:  # noqa: BLE001
            pass


#: Modules that hook into IPython when imported under a running one: never preloaded (there is no
#: IPython in the fork-server), so that the kernel's first import of them hooks in as usual.
HOOK_AT_IMPORT = ("matplotlib_inline.backend_inline",)


def _redo_import_hooks() -> None:
    """What preloaded modules do at import when an IPython kernel runs, done now that one does."""
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        widgets.register_comm_target()


def rehearse(staging: str) -> list[str]:
    """Start a throw-away kernel in a child and run a few cells; return the modules that imported.

    Importing them here spares every real kernel the same imports (ipykernel's debugger alone
    imports debugpy, a tenth of a second).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            from jupyter_client.connect import write_connection_file

            before = set(sys.modules)
            connection = os.path.join(staging, "rehearsal.json")
            write_connection_file(connection, transport="ipc", ip=os.path.join(staging, "rehearsal-ipc"))
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            from ipykernel.kernelapp import IPKernelApp

            app = IPKernelApp.instance()
            app.initialize(["-f", connection, "--HistoryManager.hist_file=:memory:"])
            cells = ("1 + 1", "print('out'); import sys; print('err', file=sys.stderr)", "assert 1 == 2, 'rehearsal'",
                     "from IPython.display import HTML, display\ndisplay(HTML('<b/>'))")
            for cell in cells:
                app.shell.run_cell(cell, store_history=True)
            os.write(write, json.dumps(sorted(set(sys.modules) - before)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    try:
        return [name for name in json.loads(data) if not name.startswith(HOOK_AT_IMPORT) and name != "__main__"]
    except ValueError:
        return []


def _send(message: dict) -> None:
    try:
        os.write(1, (json.dumps(message) + "\n").encode())
    except OSError:  # the grader is gone; so will we be, once our kernels are
        pass


def _become_kernel(request: dict) -> None:
    """In the forked child: fence in, then run the kernel (or exec the kernelspec's command)."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(null)
    os.close(log)
    fences.close_inherited_descriptors()
    fence = fences.Fence(**request["fence"])
    try:
        fences.enter(fence, request["parent"])
        os.chdir(request["cwd"])
    except BaseException:  # noqa: BLE001 - told to the grader through the log and the exit code
        traceback.print_exc()
        os._exit(fences.EXIT_SANDBOX_FAILED)
    os.environ.clear()
    os.environ.update(request["env"])
    if request.get("exec"):
        os.execvpe(request["exec"][0], request["exec"], request["env"])
    # What `python -m ipykernel_launcher ARGS` does, minus the imports already made.
    sys.argv = [request["launcher"], *request["argv"]]
    sys.stdin = open(os.devnull)  # noqa: SIM115
    from ipykernel.kernelapp import IPKernelApp

    code = 0
    try:
        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        _redo_import_hooks()
        app.start()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        code = 1
    os._exit(code)


class Server:
    def __init__(self, view: fences.View, groups: cgroups.Cgroups | None = None) -> None:
        self.view = view
        self.groups = groups
        self.children: dict[int, str] = {}
        #: Per kernel: fenced in or not, and its slot's memory counters when it started (where it has cgroups).
        self.isolated: dict[int, bool] = {}
        self.counted: dict[int, tuple[int, cgroups.Counters]] = {}
        self.users: set[int] = set()
        self.buffer = b""
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        signal.set_wakeup_fd(self.wake_write)
        self.stopping = False
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGHUP, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle

    def _stop(self, *_) -> None:
        # Only a flag: a handler that forked (to kill a slot's processes) could run in the middle of a
        # fork's at-fork hooks and wait forever for a lock they hold. The main loop acts on it.
        self.stopping = True

    def shutdown(self) -> None:
        for pid in list(self.children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        for uid in self.users:
            fences.kill_user_processes(uid)
        self.reap()
        if self.groups is not None:
            left = self.groups.remove()
            if left:
                print(f"hitpm grade: could not remove the cgroups {', '.join(left)}", file=sys.stderr)

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                del self.children[pid]
                message = {
                    "exited": pid,
                    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                    "cpu": round(usage.ru_utime + usage.ru_stime, 3),
                    "isolated": self.isolated.pop(pid, False),
                }
                counted = self.counted.pop(pid, None)
                if counted is not None and self.groups is not None:
                    slot, before = counted
                    message["counted"] = True
                    message["oom"] = cgroups.oom_verdict(before, self.groups.counters(slot))
                _send(message)

    def handle(self, request: dict) -> None:
        op = request.get("op")
        if op == "spawn":
            uid = request["fence"].get("uid")
            if uid is not None:
                self.users.add(uid)
            if request["fence"].get("isolate"):
                request["fence"]["view"] = asdict(self.view)
            request["parent"] = os.getpid()
            counted = None
            slot = request["fence"].get("slot")
            if self.groups is not None and slot is not None:
                try:
                    request["fence"]["cgroups"] = self.groups.slot(slot, request["fence"].get("memory_bytes"),
                                                                   request["fence"].get("processes"))
                except OSError as error:
                    _send({"job": request["job"], "error": f"could not set up the kernel's cgroups: {error}"})
                    return
                counted = (slot, self.groups.counters(slot))
            try:
                pid = os.fork()
            except OSError as error:
                _send({"job": request["job"], "error": f"could not fork a kernel: {error}"})
                return
            if pid == 0:
                try:
                    _become_kernel(request)
                finally:
                    os._exit(1)
            self.children[pid] = request["job"]
            self.isolated[pid] = bool(request["fence"].get("isolate"))
            if counted is not None:
                self.counted[pid] = counted
            _send({"job": request["job"], "pid": pid})
        elif op == "kill_user":
            fences.kill_user_processes(int(request["uid"]))
            _send({"killed_user": request["uid"]})
        else:
            _send({"error": f"unknown request {op!r}"})

    def serve(self) -> None:
        while not self.stopping:
            try:
                readable, _, _ = select.select([0, self.wake_read], [], [])
            except InterruptedError:
                continue
            if self.wake_read in readable:
                os.read(self.wake_read, 4096)
            if self.stopping:
                break
            self.reap()
            if 0 in readable:
                chunk = os.read(0, 1 << 16)
                if not chunk:  # the grader is gone: so are its kernels
                    self.shutdown()
                    return
                self.buffer += chunk
                while b"\n" in self.buffer and not self.stopping:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    if line.strip():
                        self.handle(json.loads(line))
        self.shutdown()


def needed_paths() -> list[str]:
    """What kernels read: Python itself, every import path, the folders of the modules loaded."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(sys.executable)}
    paths.update(entry for entry in sys.path if entry)
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file:
            paths.add(os.path.dirname(file))
    try:
        from hitpm_widgets.cases import case_folders

        paths.update(str(folder) for folder in case_folders())
    except ImportError:
        pass
    real = {os.path.realpath(path) for path in paths}
    return sorted(path for path in real if os.path.isdir(path))


def kernel_view(hide: list[str], staging: str) -> fences.View:
    """The folders a kernel reads (read-only) and those hidden inside them: the teaching notes beside the
    case data, and the course's own folders should an import path lie above them."""
    wanted = [path for path in (*fences.SYSTEM_FOLDERS, *needed_paths())
              if os.path.lexists(path) and path not in fences.TOO_BROAD]
    # Outermost first; a folder inside another one is bound with it.
    read_only: list[str] = []
    for path in sorted(set(wanted), key=lambda p: (p.count("/"), p)):
        if not any(path == kept or path.startswith(kept.rstrip("/") + "/") for kept in read_only):
            read_only.append(path)
    hidden = list(hide)
    try:
        from hitpm_widgets.cases import case_folders

        for folder in case_folders():
            hidden.extend(str(note) for note in sorted(folder.glob("*/teaching-note*")))
    except ImportError:
        pass
    root = os.path.join(staging, "kernel-root")
    os.makedirs(root, exist_ok=True)
    return fences.View(read_only=read_only, hidden=hidden, root=root)


def _read_line() -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            sys.exit(0)  # the grader is gone before the setup
        data += chunk
    return json.loads(data)


def main(config_path: str) -> None:
    # Die with the grader, even if it is killed outright.
    from .syscalls import PR_SET_PDEATHSIG, prctl

    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    with open(config_path) as stream:
        config = json.load(stream)
    if os.getppid() != config["grader_pid"]:
        sys.exit(0)
    # As `python -m ipykernel_launcher` does: the working folder is not an import source for kernels.
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    # Started early, while the grader still reads the course: the usual modules first, then the
    # course's own, with the folders to hide, when the grader sends them.
    failed = preload(config["modules"])
    setup = _read_line()
    failed += preload(setup["modules"])
    failed += preload(rehearse(config["staging"]))
    warm_up()
    # What was loaded stays out of the collector's sight: kernels neither scan it nor, by touching it,
    # copy the fork-server's memory page by page.
    gc.collect()
    gc.freeze()
    for problem in failed:
        print(f"hitpm grade: could not preload {problem}", file=sys.stderr)
    view = kernel_view(setup.get("hide") or [], config["staging"])
    try:
        groups, no_groups = cgroups.Cgroups.create()
    except Exception as error:  # noqa: BLE001 - no cgroups is a line in the report, not a failed run
        groups, no_groups = None, f"{type(error).__name__}: {error}"
    try:
        found = fences.probe(view, config["staging"], groups, no_groups)
        server = Server(view, groups)
        _send({"ready": True, "fences": found, "threads": fences.thread_count(), "preload_failed": failed,
               "view": asdict(view)})
        server.serve()
    finally:
        if groups is not None:
            groups.remove()


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    finally:
        # Never the interpreter's own exit: modules loaded for the kernels (a debugger among them)
        # leave exit handlers that may wait forever in a process that only forks.
        os._exit(0)
