"""A class on one machine: N learners run one lesson at the same moment on a real JupyterHub.

    python benchmarks/classroom.py --learners 20 --lesson 06
    python benchmarks/classroom.py --learners 4 --lesson 07 --runs 2

Starts JupyterHub on 127.0.0.1 behind configurable-http-proxy (installed from npm into
build/proxy/, pinned in benchmarks/proxy/), with N learners who share one class password
(SharedPasswordAuthenticator, the successor of DummyAuthenticator's password) and one local
single-user server each (SimpleLocalProcessSpawner, home folders in a temporary folder, works
as root). Then, like a class at nine o'clock:

1. every learner gets the lesson copied into their home, as an nbgitpuller link would, logs in
   through the hub's login form, and the hub's REST API starts their server, all at once;
2. when every server is up, every learner opens the lesson at the same moment: each server
   starts a kernel (REST API), and the learner connects to it (websocket);
3. when all kernels are ready, every learner runs every code cell of the lesson in order, at
   the same moment, stopping at the first error (as nbval does).

A sampler reads the memory of each learner's processes (server and kernel) from /proc four
times a second. One JSON line per run goes to stdout: learners, lesson, wall time (all kernels
ready to last learner done), time to start the servers and the kernels, per-learner run time,
kernel CPU time and peak memory (kernel and server: VmHWM; learner: the largest sampled sum),
the largest drop of the host's available memory (other programs included), the load average,
and every failure with its message. Progress goes to stderr.

Everything listens on 127.0.0.1 only and kernels talk over Unix sockets (ipc transport), so no
TCP port is chosen for them at all: kernels started at once on one host can no longer race for
the same port (`ZMQError: Address already in use`). Each learner's server gets its own port,
chosen before the hub starts. The run is bounded (--timeout), and everything it started is
stopped and its temporary folder removed, on success, error, timeout or Ctrl-C; if this script
itself is killed, the kernel sends the hub SIGTERM (PR_SET_PDEATHSIG) and the hub stops the
servers and the proxy.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PROXY_SPEC = ROOT / "benchmarks" / "proxy"
PROXY_DIR = ROOT / "build" / "proxy"
LOGS = ROOT / "build" / "classroom-logs"       # the hub's log of every run that failed
MiB = 1024 * 1024
SAMPLE_EVERY = 0.25           # seconds between two memory samples
START_ATTEMPTS = 3            # hub starts, when another program takes one of its ports first
# A Unix socket's path holds at most 107 bytes; a kernel's ipc sockets are named
# <runtime dir>/kernel-<uuid>-ipc-<n>, 49 bytes after the runtime folder.
UNIX_PATH_MAX = 107


class ClassroomError(RuntimeError):
    """Something the benchmark needs is missing or the hub did not come up."""


# --------------------------------------------------------------------------- the proxy
def ensure_proxy(target: Path = PROXY_DIR) -> Path:
    """configurable-http-proxy installed with `npm ci` from benchmarks/proxy/ into target/
    (once, and again whenever the lock file changes); return the path of its executable."""
    lock = (PROXY_SPEC / "package-lock.json").read_bytes()
    stamp = target / ".lock-sha256"
    executable = target / "node_modules" / ".bin" / "configurable-http-proxy"
    digest = hashlib.sha256(lock).hexdigest()
    if executable.exists() and stamp.exists() and stamp.read_text() == digest:
        return executable
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ClassroomError("JupyterHub needs configurable-http-proxy, a Node.js program: install "
                             "Node.js and npm (Debian: apt-get install nodejs npm) and run again.")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(PROXY_SPEC / name, target / name)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target,
                   check=True, stdout=sys.stderr)
    if not executable.exists():
        raise ClassroomError(f"npm ci ran but {executable} is missing")
    stamp.write_text(digest)
    return executable


# --------------------------------------------------------------------------- lessons
def find_lesson(name: str) -> Path:
    """A notebook path, or a lesson number or name such as '06' or '06_softmax'."""
    path = Path(name)
    if path.suffix == ".ipynb":
        if not path.exists():
            raise ClassroomError(f"no notebook {path}")
        return path.resolve()
    matches = sorted((ROOT / "notebooks").glob(f"{name}*.ipynb"))
    if len(matches) != 1:
        found = ", ".join(m.name for m in matches) or "none"
        raise ClassroomError(f"--lesson {name!r} should name one lesson in notebooks/ (found: {found})")
    return matches[0]


def code_cells(notebook: Path) -> list[str]:
    """The source of every non-empty code cell, in order."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            if source.strip():
                cells.append(source)
    return cells


# --------------------------------------------------------------------------- processes
def free_ports(count: int) -> list[int]:
    """count distinct ports free on 127.0.0.1 right now (all held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


try:      # resolved here, so that the forked child only makes the call
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the hub's child process: receive SIGTERM when this benchmark dies, however it dies."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _read_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a process, in bytes, from /proc/<pid>/status."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                out[key] = int(value.split()[0]) * 1024
    return out


def _mem_available() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Seen:
    """One process of a learner's tree, as the sampler last saw it."""
    user: str | None          # the learner (JUPYTERHUB_USER), None when not counted
    role: str                 # "server", "kernel", or "other" (the proxy, a fork being exec'd)
    cmdline: list[str] = field(default_factory=list)
    peak: int = 0             # VmHWM, bytes
    rss: int = 0              # VmRSS at the last sample, bytes
    cpu: float = 0.0          # user + system seconds
    transport: str | None = None


class Sampler(threading.Thread):
    """Every SAMPLE_EVERY seconds, walk the hub's process tree and record, per learner, the
    summed resident memory of their processes (server + kernels) and each process's peak."""

    def __init__(self, hub_pid: int):
        super().__init__(daemon=True, name="classroom-sampler")
        import psutil
        self.psutil = psutil
        self.hub = psutil.Process(hub_pid)
        self.processes: dict[tuple[int, float], Seen] = {}
        self.handles: dict[tuple[int, float], object] = {}   # every process ever seen, to stop
        self.learner_peak: dict[str, int] = {}
        self.host_available_min = _mem_available()
        self.stop_event = threading.Event()

    def _classify(self, proc) -> Seen | None:
        try:
            user = proc.environ().get("JUPYTERHUB_USER")
            cmdline = proc.cmdline()
            parent = proc.ppid()
        except (self.psutil.NoSuchProcess, self.psutil.AccessDenied, self.psutil.ZombieProcess):
            return None
        # A learner's server is the hub's child; a kernel runs ipykernel. Anything else (a
        # server's fork on its way to becoming a kernel) is not counted.
        kernel = any("ipykernel" in part for part in cmdline)
        role = "kernel" if kernel else "server" if user and parent == self.hub.pid else "other"
        seen = Seen(user if role != "other" else None, role, cmdline=cmdline)
        if kernel and "-f" in cmdline:
            with contextlib.suppress(Exception):
                connection = json.loads(Path(cmdline[cmdline.index("-f") + 1]).read_text())
                seen.transport = connection.get("transport")
        return seen

    def sample(self):
        psutil = self.psutil
        try:
            tree = self.hub.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        totals: dict[str, int] = {}
        for proc in tree:
            try:
                key = (proc.pid, proc.create_time())
            except psutil.NoSuchProcess:
                continue
            self.handles.setdefault(key, proc)
            seen = self.processes.get(key)
            try:
                # A process forked but not yet exec'd still looks like its parent: classify it
                # again whenever its command line changes, and until a kernel's file is readable.
                if seen is None or seen.cmdline != proc.cmdline() or (
                        seen.role == "kernel" and seen.transport is None):
                    seen = self._classify(proc)
                    if seen is None:
                        continue
                    self.processes[key] = seen
                if seen.user is None:
                    continue
                status = _read_status(proc.pid)
                times = proc.cpu_times()
            except (OSError, psutil.Error):
                continue
            seen.peak = max(seen.peak, status.get("VmHWM", 0))
            seen.rss = status.get("VmRSS", 0)
            seen.cpu = max(seen.cpu, times.user + times.system)
            totals[seen.user] = totals.get(seen.user, 0) + status.get("VmRSS", 0)
        for user, total in totals.items():
            self.learner_peak[user] = max(self.learner_peak.get(user, 0), total)
        self.host_available_min = min(self.host_available_min, _mem_available())

    def run(self):
        while not self.stop_event.is_set():
            with contextlib.suppress(Exception):
                self.sample()
            self.stop_event.wait(SAMPLE_EVERY)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)

    def alive(self) -> list:
        return [p for p in self.handles.values() if p.is_running()]


# --------------------------------------------------------------------------- the hub
HUB_CONFIG = """\
# Written by benchmarks/classroom.py for one run; removed with its folder afterwards.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {proxy_port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.ConfigurableHTTPProxy.pid_file = {folder!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {folder!r} + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = {folder!r} + "/cookie_secret"
c.JupyterHub.pid_file = {folder!r} + "/hub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# One class password; only the class list may log in.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allowed_users = set({users!r})

# The benchmark's own API client: it may start and reach every learner's server.
c.JupyterHub.services = [{{"name": "classroom", "api_token": {service_token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "classroom",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
    "services": ["classroom"],
}}]

# One local single-user server per learner, home folders in the run's temporary folder.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {folder!r} + "/home/{{username}}"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
# ipc: kernels bind Unix sockets named after their own connection file, never a TCP port.
c.Spawner.args = ["--allow-root", "--KernelManager.transport={transport}"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = {start_timeout}
c.Spawner.http_timeout = {start_timeout}
c.Spawner.environment = {environment!r}
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: {folder!r} + "/rt/" + spawner.user.name
import socket
GIVEN = set()

def give_each_learner_a_port(spawner):
    # A port free at the moment the server starts, never one given to another learner.
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in GIVEN:
            GIVEN.add(port)
            spawner.port = port
            return

c.Spawner.pre_spawn_hook = give_each_learner_a_port
"""


@dataclass
class Learner:
    name: str
    notebook: Path
    cells_total: int = 0
    cells_run: int = 0
    run_s: float | None = None
    failure: str | None = None
    kernel_id: str | None = None


@dataclass
class Hub:
    folder: Path
    proxy_port: int
    service_token: str
    password: str
    process: subprocess.Popen
    log: Path
    learners: list[Learner] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def errors(self, most: int = 8) -> list[str]:
        """The distinct error lines of the hub's log (servers' and kernels' included)."""
        found = []
        with contextlib.suppress(OSError):
            for line in self.log.read_text(errors="replace").splitlines():
                line = line.strip()
                if re.search(r"\b\w*(Error|Exception)\b: |^\[E ", line) and "404 GET" not in line:
                    text = re.sub(r"^\[[A-Z] [^\]]*\] ", "", line)[:300]
                    if text not in found:
                        found.append(text)
        return found[:most]

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def learner_environment(folder: Path) -> dict[str, str]:
    """What every learner's server (and so every kernel) runs with: course_lib from this
    repository (as a hub's PYTHONPATH points at the nbgitpuller copy), one BLAS thread."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        # A font cache built once for the whole class: a learner's very first matplotlib import
        # in a fresh home would otherwise spend seconds building it, once in their life.
        "MPLCONFIGDIR": str(folder / "matplotlib"),
    }
    for key in ("COURSE_DATA_DIR", "COURSE_ROUNDING_CANARY"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def prepare_folder(folder: Path, learners: list[Learner]):
    """Homes with the lesson in them, runtime folders, and the class's matplotlib font cache."""
    runtime_len = len(str(folder / "rt" / max((l.name for l in learners), key=len)))
    if runtime_len + 49 > UNIX_PATH_MAX:
        raise ClassroomError(f"the temporary folder {folder} is too deep for the kernels' Unix "
                             f"sockets (at most {UNIX_PATH_MAX - 49 - 20} characters): set TMPDIR=/tmp")
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=True,
                   env={**os.environ, "MPLCONFIGDIR": str(folder / "matplotlib")})
    for learner in learners:
        home = folder / "home" / learner.name
        home.mkdir(parents=True)
        (folder / "rt" / learner.name).mkdir(parents=True)
        shutil.copy2(learner.notebook, home / learner.notebook.name)


def start_hub(folder: Path, learners: list[Learner], proxy: Path, start_timeout: int,
              transport: str = "ipc") -> Hub:
    """Launch JupyterHub (and, through it, the proxy) on ports free right now."""
    for stale in ("hub.sqlite", "proxy.pid", "hub.pid"):
        (folder / stale).unlink(missing_ok=True)
    proxy_port, hub_port, proxy_api_port = free_ports(3)
    password = secrets.token_urlsafe(12)
    service_token = secrets.token_hex(32)
    config = folder / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        proxy_port=proxy_port, hub_port=hub_port, proxy_api_port=proxy_api_port,
        proxy=str(proxy), proxy_token=secrets.token_hex(32), folder=str(folder),
        password=password, users=sorted(l.name for l in learners), service_token=service_token,
        python=sys.executable, start_timeout=start_timeout, transport=transport,
        environment=learner_environment(folder)))
    log = folder / "hub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JPY_"))}
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=folder, env=env,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509 (no other thread yet)
    return Hub(folder, proxy_port, service_token, password, process, log, learners)


def hub_is_up(hub: Hub, timeout: float) -> bool:
    """Wait until the hub answers through the proxy (True), or exits (False)."""
    import urllib.error
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            return False
        with contextlib.suppress(OSError, urllib.error.URLError), \
                urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=5) as response:
            if response.status == 200:
                return True
        time.sleep(0.3)
    raise ClassroomError(f"the hub did not answer within {timeout:.0f} s:\n{hub.log_tail()}")


def stop_hub(hub: Hub, sampler: Sampler | None, grace: float = 30.0) -> int:
    """Stop the hub (which stops the servers, their kernels and the proxy), then kill whatever
    it left behind; return how many processes had to be killed."""
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(timeout=10)
    killed = 0
    # The proxy shares the hub's process group (the servers have sessions of their own).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(hub.process.pid, signal.SIGKILL)
        killed += 1
    leftovers = sampler.alive() if sampler else []
    deadline = time.monotonic() + 5
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.2)
        leftovers = [p for p in leftovers if p.is_running()]
    for proc in leftovers:
        with contextlib.suppress(Exception):
            proc.kill()
            killed += 1
    if sampler:
        sampler.stop()
    return killed


# --------------------------------------------------------------------------- HTTP and kernels
class Client:
    """Just enough HTTP for the hub's REST API, a login form and a kernel's websocket."""

    def __init__(self, hub: Hub):
        from tornado.httpclient import AsyncHTTPClient
        self.hub = hub
        self.http = AsyncHTTPClient(force_instance=True, max_clients=256)

    async def request(self, method: str, path: str, body=None, token: str | None = None,
                      headers: dict | None = None, timeout: float = 60, **kw):
        from tornado.httpclient import HTTPRequest
        headers = dict(headers or {})
        token = self.hub.service_token if token is None else token
        if token:
            headers["Authorization"] = f"token {token}"
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = ""
        elif body is not None and not isinstance(body, (str, bytes)):
            body, headers["Content-Type"] = json.dumps(body), "application/json"
        req = HTTPRequest(self.hub.url + path, method=method, body=body, headers=headers,
                          request_timeout=timeout, connect_timeout=timeout, **kw)
        return await self.http.fetch(req, raise_error=False)

    async def api(self, method: str, path: str, body=None, ok=(200, 201, 202, 204), **kw):
        response = await self.request(method, path, body, **kw)
        if response.code not in ok:
            raise ClassroomError(f"{method} {path}: HTTP {response.code} "
                                 f"{(response.body or b'').decode(errors='replace')[:300]}")
        return json.loads(response.body) if response.body else None

    def close(self):
        self.http.close()


async def log_in(client: Client, learner: Learner, password: str):
    """The hub's login form, as a browser fills it in: fetch the form (and its XSRF cookie),
    post the name and the class password, expect a redirect with a login cookie."""
    form = await client.request("GET", "/hub/login", token="")
    cookies = {}
    for header in form.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    xsrf = cookies.get("_xsrf", "")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    response = await client.request(
        "POST", "/hub/login?next=", token="", follow_redirects=False,
        body=urlencode({"username": learner.name, "password": password, "_xsrf": xsrf}),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    logged_in = any(h.startswith("jupyterhub-hub-login=") for h in response.headers.get_list("Set-Cookie"))
    if response.code != 302 or not logged_in:
        raise ClassroomError(f"{learner.name} could not log in: HTTP {response.code}")


async def start_server(client: Client, learner: Learner, timeout: float):
    await client.api("POST", f"/hub/api/users/{learner.name}/server")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = await client.api("GET", f"/hub/api/users/{learner.name}")
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            return
        if not server or not server.get("pending") and not server.get("ready"):
            raise ClassroomError(f"{learner.name}'s server stopped while starting")
        await asyncio.sleep(0.5)
    raise ClassroomError(f"{learner.name}'s server was not ready after {timeout:.0f} s")


class Kernel:
    """One kernel's websocket, spoken in the Jupyter messaging protocol's JSON form."""

    def __init__(self, ws, session: str):
        self.ws, self.session = ws, session

    @classmethod
    async def connect(cls, client: Client, learner: Learner, timeout: float) -> Kernel:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect
        session = uuid.uuid4().hex
        url = (client.hub.url.replace("http://", "ws://") + f"/user/{learner.name}/api/kernels/"
               f"{learner.kernel_id}/channels?session_id={session}")
        request = HTTPRequest(url, headers={"Authorization": f"token {client.hub.service_token}"},
                              connect_timeout=timeout, request_timeout=timeout)
        ws = await websocket_connect(request, max_message_size=256 * MiB)
        kernel = cls(ws, session)
        # A kernel answers kernel_info once it is listening; ask until it does.
        deadline = time.monotonic() + timeout
        while True:
            msg_id = kernel.send("kernel_info_request", {}, channel="shell")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(kernel.reply_to(msg_id), timeout=5)
                return kernel
            if time.monotonic() > deadline:
                raise ClassroomError(f"{learner.name}'s kernel did not answer within {timeout:.0f} s")

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": "classroom", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content,
            "channel": channel, "buffers": []}))
        return msg_id

    async def reply_to(self, msg_id: str) -> tuple[dict, list[dict]]:
        """Wait for the shell reply to msg_id and for the kernel to be idle after it; return the
        reply's content and the error outputs it printed."""
        reply, idle, errors = None, False, []
        while reply is None or not idle:
            raw = await self.ws.read_message()
            if raw is None:
                raise ClassroomError("the kernel's websocket closed (did the kernel die?)")
            if isinstance(raw, bytes):
                continue                       # binary frames carry widget buffers
            msg = json.loads(raw)
            state = msg["content"].get("execution_state") if msg["header"]["msg_type"] == "status" else None
            if state in ("restarting", "autorestarting", "dead"):
                # The server announces a dead kernel with no parent message.
                raise ClassroomError(f"the kernel died ({state}; out of memory?)")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if msg["channel"] == "shell" and kind.endswith("_reply"):
                reply = msg["content"]
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind == "error":
                errors.append(msg["content"])
        return reply, errors

    async def execute(self, code: str) -> tuple[dict, list[dict]]:
        msg_id = self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        return await self.reply_to(msg_id)

    def close(self):
        self.ws.close()


async def arrive(client: Client, learner: Learner, timeout: float):
    """Log in and start the server."""
    await log_in(client, learner, client.hub.password)
    await start_server(client, learner, timeout)


async def open_lesson(client: Client, learner: Learner, timeout: float) -> Kernel:
    """Open the lesson (a session starts its kernel) and connect to the kernel."""
    session = await client.api("POST", f"/user/{learner.name}/api/sessions", {
        "path": learner.notebook.name, "name": learner.notebook.name, "type": "notebook",
        "kernel": {"name": "python3"}}, timeout=timeout)
    learner.kernel_id = session["kernel"]["id"]
    return await Kernel.connect(client, learner, timeout)


async def run_lesson(kernel: Kernel, learner: Learner):
    """Every code cell in order; stop at the first error, as nbval does."""
    from tornado.websocket import WebSocketClosedError
    cells = code_cells(learner.notebook)
    learner.cells_total = len(cells)
    started = time.monotonic()
    try:
        for number, code in enumerate(cells, start=1):
            try:
                reply, errors = await kernel.execute(code)
            except (ClassroomError, OSError, WebSocketClosedError) as exc:   # the kernel died
                learner.failure = f"code cell {number}: {type(exc).__name__}: {exc}"
                return
            if reply.get("status") != "ok" or errors:
                error = errors[0] if errors else reply
                learner.failure = (f"code cell {number}: {error.get('ename', reply.get('status'))}: "
                                   f"{error.get('evalue', '')}")
                return
            learner.cells_run = number
    finally:
        learner.run_s = time.monotonic() - started


# --------------------------------------------------------------------------- one class
def _between(marks: dict, start: str, end: str) -> float | None:
    return round(marks[end] - marks[start], 1) if start in marks and end in marks else None


def _summary(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"min": round(min(values), 1), "median": round(statistics.median(values), 1),
            "max": round(max(values), 1)}


async def _class(hub: Hub, timeout: float, start_timeout: float, marks: dict):
    # SIGTERM cancels the class as Ctrl-C does (asyncio.run's own SIGINT handling).
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    client = Client(hub)
    try:
        await _class_with(client, hub, timeout, start_timeout, marks)
    finally:
        client.close()


async def _class_with(client: Client, hub: Hub, timeout: float, start_timeout: float, marks: dict):
    marks["hub_ready"] = time.monotonic()
    # Everyone logs in and starts a server; once all are in, everyone opens the lesson at the
    # same moment, so that every kernel starts at once (the moment ports could collide).
    arrived = await asyncio.gather(*(arrive(client, l, start_timeout) for l in hub.learners),
                                   return_exceptions=True)
    marks["servers_ready"] = time.monotonic()
    present = []
    for learner, outcome in zip(hub.learners, arrived):
        if isinstance(outcome, BaseException):
            learner.failure = f"server start: {type(outcome).__name__}: {outcome}"
        else:
            present.append(learner)
    kernels = await asyncio.gather(*(open_lesson(client, l, start_timeout) for l in present),
                                   return_exceptions=True)
    marks["kernels_ready"] = time.monotonic()
    runs = []
    for learner, kernel in zip(present, kernels):
        if isinstance(kernel, BaseException):
            learner.failure = f"kernel start: {type(kernel).__name__}: {kernel}"
        else:
            runs.append(asyncio.ensure_future(run_lesson(kernel, learner)))
    try:
        done, pending = await asyncio.wait(runs, timeout=timeout) if runs else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()                  # a bug in the driver itself is not a learner's failure
        if pending:
            raise asyncio.TimeoutError
    finally:
        marks["lesson_done"] = time.monotonic()
        for kernel in kernels:
            if isinstance(kernel, Kernel):
                kernel.close()


def run_class(notebooks: list[Path], timeout: float = 600, start_timeout: float = 180,
              proxy: Path | None = None, keep: bool = False, on_hub=None,
              transport: str = "ipc", logs: Path = LOGS) -> dict:
    """Start a hub for len(notebooks) learners (learner k runs notebooks[k]), run the class,
    stop everything, and return the report (a dict, one JSON line when printed).

    ``on_hub(hub, sampler)`` is called once the hub's process exists (the tests use it to see
    which processes the run started). When anything fails, the hub's log is kept in ``logs``."""
    proxy = proxy or ensure_proxy()
    learners = [Learner(f"learner{k + 1:02d}", nb) for k, nb in enumerate(notebooks)]
    load = os.getloadavg()
    available_before = _mem_available()
    folder = Path(tempfile.mkdtemp(prefix="classroom-", dir="/tmp" if Path("/tmp").is_dir() else None))
    hub = sampler = None
    marks = {"begin": time.monotonic()}
    failures: list[str] = []
    hub_errors: list[str] = []
    killed = 0
    try:
        prepare_folder(folder, learners)
        for attempt in range(1, START_ATTEMPTS + 1):
            hub = start_hub(folder, learners, proxy, int(start_timeout), transport)
            sampler = Sampler(hub.process.pid)
            sampler.start()
            if on_hub:
                on_hub(hub, sampler)
            if hub_is_up(hub, start_timeout):
                break
            # Another program on this host took one of the hub's ports between our choice and
            # its bind: a fault of the benchmark's set-up, not of the class. Try new ports.
            lost_a_port = "Address already in use" in hub.log.read_text(errors="replace")
            stop_hub(hub, sampler)
            if not lost_a_port or attempt == START_ATTEMPTS:
                raise ClassroomError(f"the hub exited with code {hub.process.returncode}:\n"
                                     f"{hub.log_tail()}")
            print(f"classroom: a port of the hub was taken; starting again ({attempt})", file=sys.stderr)
        try:
            asyncio.run(_class(hub, timeout, start_timeout, marks))
        except asyncio.CancelledError:
            raise KeyboardInterrupt from None
        except asyncio.TimeoutError:
            for learner in learners:
                if learner.failure is None and learner.cells_run < learner.cells_total:
                    learner.failure = (f"timed out after {timeout:.0f} s at code cell "
                                       f"{learner.cells_run + 1} of {learner.cells_total}")
        except ClassroomError as exc:
            failures.append(f"hub: {exc}")
        sampler.sample()
    finally:
        if hub is not None:
            killed = stop_hub(hub, sampler)
            if failures or any(l.failure for l in learners):
                # The servers and kernels log into the hub's log: keep it, and quote its errors.
                logs.mkdir(parents=True, exist_ok=True)
                kept = logs / f"{time.strftime('%Y%m%d-%H%M%S')}-{folder.name}.log"
                shutil.copy2(hub.log, kept)
                hub_errors.extend(hub.errors())
                print(f"classroom: the hub's log is kept in {kept}", file=sys.stderr)
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    per_learner = []
    seen = list(sampler.processes.values()) if sampler else []
    for learner in learners:
        mine = [s for s in seen if s.user == learner.name]
        kernels = [s for s in mine if s.role == "kernel"]
        servers = [s for s in mine if s.role == "server"]
        per_learner.append({
            "name": learner.name, "lesson": learner.notebook.stem,
            "cells": f"{learner.cells_run}/{learner.cells_total}",
            "run_s": None if learner.run_s is None else round(learner.run_s, 1),
            "kernel_cpu_s": round(sum(s.cpu for s in kernels), 1),
            "kernel_peak_mb": round(max((s.peak for s in kernels), default=0) / MiB),
            # What the kernel still holds once the lesson has run (sampled before shutdown).
            "kernel_end_mb": round(sum(s.rss for s in kernels) / MiB),
            "server_peak_mb": round(max((s.peak for s in servers), default=0) / MiB),
            "learner_peak_mb": round(sampler.learner_peak.get(learner.name, 0) / MiB) if sampler else 0,
            "kernel_transport": sorted({s.transport for s in kernels if s.transport}),
        })
        if learner.failure:
            failures.append(f"{learner.name}: {learner.failure}")
    if killed:
        failures.append(f"cleanup: {killed} process(es) outlived the hub and were killed")
    return {
        "learners": len(learners),
        "lesson": sorted({nb.stem for nb in notebooks}) if len(set(notebooks)) > 1 else notebooks[0].stem,
        "wall_s": _between(marks, "kernels_ready", "lesson_done"),
        # From the hub answering to every server up, then to every kernel answering.
        "servers_s": _between(marks, "hub_ready", "servers_ready"),
        "kernels_s": _between(marks, "servers_ready", "kernels_ready"),
        "run_s": _summary([l.run_s for l in learners if l.run_s is not None]),
        "kernel_cpu_s": _summary([p["kernel_cpu_s"] for p in per_learner]),
        "kernel_peak_mb": _summary([p["kernel_peak_mb"] for p in per_learner]),
        "kernel_end_mb": _summary([p["kernel_end_mb"] for p in per_learner]),
        "server_peak_mb": _summary([p["server_peak_mb"] for p in per_learner]),
        "learner_peak_mb": _summary([p["learner_peak_mb"] for p in per_learner]),
        "host_used_peak_mb": round((available_before - sampler.host_available_min) / MiB) if sampler else None,
        "failures": failures,
        "hub_log_errors": hub_errors,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "kernel_transport": transport,
        "blas_threads": learner_environment(folder)["OPENBLAS_NUM_THREADS"],
        "versions": _versions(),
        "per_learner": per_learner,
    }


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {"python": sys.version.split()[0]}
    for name in ("jupyterhub", "jupyter_server", "ipykernel", "numpy"):
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    with contextlib.suppress(Exception):
        out["configurable-http-proxy"] = json.loads(
            (PROXY_DIR / "node_modules" / "configurable-http-proxy" / "package.json").read_text())["version"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", "-n", type=int, default=5, help="learners at once (5)")
    parser.add_argument("--lesson", default="06", help="lesson number, name or .ipynb path (06)")
    parser.add_argument("--runs", type=int, default=1, help="classes in a row, one JSON line each")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds the lesson may take for the whole class (900)")
    parser.add_argument("--start-timeout", type=float, default=300,
                        help="seconds for the hub, the servers and the kernels to start (300)")
    parser.add_argument("--proxy", type=Path, help="a configurable-http-proxy executable to use "
                        "instead of the pinned one in build/proxy/")
    parser.add_argument("--transport", choices=("ipc", "tcp"), default="ipc",
                        help="how kernels talk to their server: ipc (Unix sockets, the default) "
                        "or tcp (Jupyter's default, which can race for ports on one host)")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (hub log, homes)")
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error("--learners must be at least 1")

    # SIGTERM (kill, a CI timeout) unwinds like Ctrl-C, through run_class's clean-up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        lesson = find_lesson(args.lesson)
        proxy = args.proxy or ensure_proxy()
        failed = False
        for _ in range(args.runs):
            print(f"classroom: {args.learners} learners, {lesson.name}", file=sys.stderr)
            report = run_class([lesson] * args.learners, timeout=args.timeout,
                               start_timeout=args.start_timeout, proxy=proxy, keep=args.keep,
                               transport=args.transport)
            print(json.dumps(report), flush=True)
            failed |= bool(report["failures"])
        return 1 if failed else 0
    except ClassroomError as exc:
        print(f"classroom: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("classroom: interrupted; everything it started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
