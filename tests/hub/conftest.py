"""A real class on a real JupyterHub, set up with deploy/ the way the README tells an instructor.

One temporary folder (world-traversable: the class's users live in it) holds the shared
environment install.sh makes, the exchange, the users' home folders and the hub's state. The Unix
accounts and groups are made for the test and removed after it, with every process they ran.
Needs root (accounts, and a hub that starts servers as other users).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import REPO

DEPLOY = REPO / "deploy"
#: To rerun the test quickly while working on it: a prefix install.sh made before (it is updated,
#: not rebuilt). CI leaves it unset and builds the environment from scratch, as an instructor would.
PREFIX_ENV = "HITPM_HUB_TEST_PREFIX"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: makes Unix accounts and runs a JupyterHub "
                                "that starts servers as them (CI runs as root)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@dataclass
class Account:
    name: str
    home: Path
    password: str

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid


@dataclass
class Server:
    """The class's machine: shared environment, exchange, accounts."""

    base: Path
    prefix: Path
    exchange: Path
    proxy_dir: str
    state: Path
    groups: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"{self.prefix / 'bin'}:{self.proxy_dir}:{SYSTEM_PATH}"

    def env(self, account: Account) -> dict[str, str]:
        """A login environment of `account`: nothing of the test's own (no test answer folder)."""
        return {"PATH": self.path, "HOME": str(account.home), "USER": account.name, "LOGNAME": account.name,
                "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}

    def as_user(self, account: Account, command: list[str], *, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return run(["runuser", "-u", account.name, "--", *command], cwd=cwd or account.home, env=self.env(account),
                   timeout=300)

    def python_as(self, account: Account, code: str, *args: str,
                  cwd: Path | None = None) -> subprocess.CompletedProcess:
        return self.as_user(account, [str(self.prefix / "bin" / "python"), "-c", code, *args], cwd=cwd)

    def add_account(self, role: str, group: str) -> Account:
        name = f"h{self.base.name[-6:].lower()}-{role}"
        home = self.base / "home" / name
        run(["useradd", "--create-home", "--home-dir", str(home), "--key", "HOME_MODE=0700",
             "--shell", "/bin/bash", "--gid", group, name])
        account = Account(name, home, secrets.token_urlsafe(16))
        run(["chpasswd"], input=f"{name}:{account.password}\n")
        self.accounts[role] = account
        return account

    def remove_accounts(self) -> None:
        for account in self.accounts.values():
            kill_processes_of(account)
            subprocess.run(["userdel", "--remove", account.name], capture_output=True)
        for group in self.groups.values():
            subprocess.run(["groupdel", group], capture_output=True)


def kill_processes_of(account: Account) -> None:
    """Whatever the hub left running as this account (a kernel, a server), by process id."""
    try:
        uid = account.uid
    except KeyError:
        return
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


def configurable_http_proxy(base: Path) -> str:
    """The folder of configurable-http-proxy: on PATH (.ci/run installs it), or installed here from npm."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return str(Path(found).parent)
    run(["npm", "install", "--silent", "--prefix", str(base / "npm"), "configurable-http-proxy"], timeout=300)
    return str(base / "npm" / "node_modules" / ".bin")


def install(server: Server) -> None:
    """deploy/install.sh, as the README tells the administrator to run it (with the LMS's extra: LTI launches)."""
    env = {"PATH": f"{server.proxy_dir}:{SYSTEM_PATH}", "LANG": "C.UTF-8"}
    result = run(["bash", str(DEPLOY / "install.sh"), "--prefix", str(server.prefix), "--exchange",
                  str(server.exchange), "--state", str(server.state), "--kit", str(REPO), "--lms"], env=env,
                 cwd=server.base, timeout=900)
    # The administrator sees what it is doing while pip works for a minute or two.
    assert "install.sh: installing JupyterHub, nbgrader and the kit" in result.stdout, result.stdout


@pytest.fixture(scope="session")
def server():
    # Once a session: each hub test module starts its own hub on it (install.sh takes minutes).
    # Under /tmp, not pytest's tmp_path: the class's users must be able to enter it.
    base = Path(tempfile.mkdtemp(prefix="hitpm-hub-", dir="/tmp"))
    base.chmod(0o755)
    (base / "home").mkdir(mode=0o755)
    server = Server(base=base, prefix=Path(os.environ.get(PREFIX_ENV) or base / "hitpm"), exchange=base / "exchange",
                    proxy_dir=configurable_http_proxy(base), state=base / "hub")
    try:
        install(server)
        tag = base.name[-6:].lower()
        server.groups = {"learners": f"h{tag}-learners", "instructors": f"h{tag}-instructors",
                         "staff": f"h{tag}-staff"}
        for group in server.groups.values():
            run(["groupadd", group])
        server.add_account("instructor", server.groups["instructors"])
        server.add_account("learner1", server.groups["learners"])
        server.add_account("learner2", server.groups["learners"])
        # Someone with an account on the machine who is not in the class.
        server.add_account("outsider", server.groups["staff"])
        yield server
    finally:
        server.remove_accounts()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Hub:
    url: str
    token: str
    log: Path

    def api(self, method: str, path: str, **kwargs):
        import requests

        response = requests.request(method, f"{self.url}/hub/api{path}",
                                    headers={"Authorization": f"token {self.token}"}, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"hub API {method} {path}: {response.status_code} {response.text[:500]}\n"
                                 f"hub log:\n{self.log.read_text()[-4000:]}")
        return response.json() if response.content else None


@contextlib.contextmanager
def running_hub(server: Server, name: str, extra_config: str = "", env: dict[str, str] | None = None):
    """The installed hub configuration, with only what a test must change: addresses, the class's groups, and a
    service token with which the test acts as the administrator (with no access to servers); `extra_config`
    after it. Its own database, cookie secret and proxy pid file (in state/<name>), so hubs never share them."""
    state = server.state / name
    state.mkdir(mode=0o700, exist_ok=True)
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    token = secrets.token_hex(32)
    config = state / "jupyterhub_config.py"
    config.write_text(f"""
c = get_config()
load_subconfig({str(server.prefix / 'etc' / 'jupyterhub_config.py')!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.JupyterHub.db_url = "sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{state / 'jupyterhub_cookie_secret'}"
c.ConfigurableHTTPProxy.pid_file = "{state / 'jupyterhub-proxy.pid'}"
c.PAMAuthenticator.allowed_groups = {{{server.groups["learners"]!r}, {server.groups["instructors"]!r}}}
c.JupyterHub.services = [{{"name": "class-test", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "class-test", "services": ["class-test"],
                             "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "list:groups",
                                        "read:groups"]}}]
""" + extra_config)
    log = state / "hub.log"
    with log.open("w") as output:
        process = subprocess.Popen([str(server.prefix / "bin" / "jupyterhub"), "-f", str(config)], cwd=state,
                                   env={"PATH": server.path, "LANG": "C.UTF-8", **(env or {})}, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token, log)
    try:
        wait_for_hub(hub, process)
        yield hub
    finally:
        stop(process)


@pytest.fixture(scope="module")
def hub(server):
    with running_hub(server, "pam") as hub:
        yield hub


def wait_for_hub(hub: Hub, process: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub stopped ({process.returncode}):\n{hub.log.read_text()[-4000:]}")
        try:
            if requests.get(f"{hub.url}/hub/api/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the hub did not answer in 60 s:\n{hub.log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """The hub stops the servers it started and its proxy; whatever is left of its group is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
