"""Run a submission's code in an isolated process and call its functions from the grader.

Mechanism
---------
Each submission runs in its own worker process (``_worker.py``) started
under **bubblewrap** (``bwrap``, Debian package ``bubblewrap``):

- new PID, network, IPC and UTS namespaces: no network, the submission
  sees only its own processes, and when the worker ends the kernel kills
  every process it started (a leftover background process cannot outlive
  grading);
- the student's code runs as ``nobody``. Started by root (as a grading
  machine usually runs), bwrap builds the mounts and ``setpriv`` then drops
  to nobody for good, with no capabilities: root's own files (``/etc/shadow``,
  ``/root``) stay closed, and ``RLIMIT_NPROC`` holds, which stops a fork
  bomb. An interpreter installed under a closed folder (pyenv under
  ``/root``) is mounted back read-only on its own. Started by another user,
  bwrap makes a user namespace in which the worker is nobody;
- the whole file system is mounted **read-only**; the only writable places
  are the submission's own temporary working folder and a private, size-capped
  ``/tmp``. The folder of submissions, the grader's scratch folder (the other
  submissions' working folders) and the book's chapters are hidden;
- ``cnnbook`` is the sandbox's read-only copy of the package, in which the
  functions each exercise asks for are replaced by functions that raise
  (see :mod:`cnnbook.teaching.assignments`), and ``import torch`` fails;
- resource limits set by the worker before any student code runs: address
  space (``--memory``, default 1536 MB), CPU seconds, file size (64 MB),
  processes (256 for all workers), no core files. The grader also keeps a wall-clock deadline per cell and per
  check and kills the whole process group when one passes or when grading
  of the submission ends.

The grader assumes that bubblewrap can create its namespaces on the machine
(as root: always; as another user: when user namespaces are allowed, true on
current Debian/Ubuntu kernels and in most containers that allow ``unshare -U``); :func:`sandbox_problem` tests this, and grading refuses to
start when it fails, unless the caller asks for ``unsafe=True``
(``--unsafe-no-sandbox``), which keeps the resource limits, the private
working folder and the package copy but nothing else: use it only for
trusted notebooks. Run by a user other than root, the sandbox can read
that user's own files and shares its process count: grade as root, or as
a dedicated account.
"""

import itertools
import os
import py_compile
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cnnbook

from . import _worker
from .assignments import stub_source

WORKER = "teaching/_worker.py"  # inside the package
TORCH_BLOCKER = 'raise ImportError("torch is not available while grading: write the exercise with numpy")\n'


class SandboxFailure(BaseException):
    """The worker timed out, ran out of memory, died or broke the protocol.

    A BaseException, so that a checker (which reports any Exception from the
    student's function as a failed case) lets it through to the grader.
    """


def sandbox_problem():
    """Why bubblewrap cannot isolate submissions on this machine, or None when it can.

    Returns
    -------
    problem : str or None
        A sentence naming what is missing and what to do, or None.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return ("bubblewrap (bwrap) is not installed: install it (Debian/Ubuntu: apt-get install bubblewrap) "
                "or pass --unsafe-no-sandbox for trusted notebooks only")
    rootful = os.geteuid() == 0
    probe = [bwrap, *_namespaces(rootful), "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev",
             "--proc", "/proc"]
    if rootful:
        probe += _reach_for_nobody([Path(sys.executable), Path(sys.prefix), Path(sys.base_prefix)])
    probe += [*_as_nobody(rootful), sys.executable, "-I", "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap could not start ({err})"
    if done.returncode != 0:
        return (f"bubblewrap cannot create a sandbox here ({done.stderr.strip() or done.returncode}); user "
                "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces)")
    return None


class Sandbox:
    """Scratch folder, package copy and command line shared by the submissions of one run.

    Parameters
    ----------
    checks : sequence of Check
        The assignment's checks: their library functions are replaced in the package copy.
    memory_mb : int
        Address-space limit of a worker, in megabytes.
    unsafe : bool
        Run without bubblewrap (trusted notebooks only).
    hide : sequence of path
        Folders to hide from the submissions (e.g. the folder of submissions).
    """

    def __init__(self, checks, *, memory_mb=1536, unsafe=False, hide=()):
        if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 256:
            raise ValueError(f"memory_mb must be an int of at least 256, got memory_mb={memory_mb!r}")
        if not unsafe:
            problem = sandbox_problem()
            if problem:
                raise RuntimeError(f"cannot isolate submissions: {problem}")
        self.memory_mb = memory_mb
        self.unsafe = unsafe
        self.root = Path(tempfile.mkdtemp(prefix="cnnbook-grading-")).resolve()
        self.root.chmod(0o755)  # the workers (nobody) read the package copy inside it
        self.real_package = Path(cnnbook.__file__).resolve().parent
        self.package = self.root / "pkg" / "cnnbook"
        # the copy keeps the source files' times, so the compiled files copied along stay valid
        shutil.copytree(self.real_package, self.package)
        for module, stub in _merge_stubs(checks).items():
            path = self.package / f"{module}.py"
            path.write_text(path.read_text(encoding="utf-8") + stub, encoding="utf-8")
            py_compile.compile(str(path), doraise=True)
        self.torch_blocker = self.root / "torch_blocker.py"
        self.torch_blocker.write_text(TORCH_BLOCKER)
        # a folder that holds the interpreter or the package cannot be hidden
        needed = [self.real_package, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
        self.hide = [h for h in (Path(p).resolve() for p in hide) if not any(_inside(n, h) for n in needed)]
        self._numbers = itertools.count(1)  # next() is atomic: safe from the grading threads

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def new_workdir(self):
        work = self.root / "work" / f"s{next(self._numbers):04d}"
        work.mkdir(parents=True)
        if not self.unsafe and os.geteuid() == 0:
            os.chown(work, NOBODY, NOBODY)  # the worker's only writable folder
        return work

    def command(self, workdir):
        """The command line that starts a worker in ``workdir``."""
        python = sys.executable
        if self.unsafe:
            return [python, "-I", str(self.package / WORKER), str(self.package.parent)]
        rootful = os.geteuid() == 0
        cmd = ["bwrap", *_namespaces(rootful), "--die-with-parent", "--new-session",
               "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--size", str(64 * 2**20), "--perms", "1777", "--tmpfs", "/tmp"]
        for folder in [*self.hide, self.root]:
            if folder.is_dir() and not _inside(folder, Path("/tmp")):
                cmd += ["--tmpfs", str(folder)]
        interpreter = [Path(python), Path(sys.prefix), Path(sys.base_prefix)]
        if rootful:
            cmd += _reach_for_nobody(interpreter)
        # The private /tmp hides everything under the real /tmp: an interpreter or a
        # virtual environment there (a checkout in /tmp) is mounted back, read-only.
        made = set()
        for folder in sorted({p.resolve() if p.is_dir() else p.resolve().parent for p in interpreter}):
            if _inside(folder, Path("/tmp")) and folder != Path("/tmp"):
                cmd += _folders_above(folder, made) + ["--ro-bind", str(folder), str(folder)]
        cmd += _folders_above(self.real_package, made)
        cmd += ["--ro-bind", str(self.package), str(self.real_package)]
        cmd += _folders_above(workdir, made) + ["--bind", str(workdir), str(workdir)]
        torch_init = _torch_init()
        if torch_init is not None:
            cmd += ["--ro-bind", str(self.torch_blocker), str(torch_init)]
        cmd += ["--chdir", str(workdir), *_as_nobody(rootful),
                python, "-I", str(self.real_package / WORKER), str(self.real_package.parent)]
        return cmd


def _folders_above(path, made):
    """bwrap arguments that make the folders above ``path`` inside the private /tmp, open to nobody.

    bwrap would make them itself for a mount, but readable by root only.
    """
    args = []
    for parent in reversed(path.parents):
        if _inside(parent, Path("/tmp")) and parent != Path("/tmp") and parent not in made:
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


NOBODY = 65534  # uid and gid of Debian's "nobody" / "nogroup"
NPROC = 256  # processes and threads of all workers together (they share the uid nobody)


def _namespaces(rootful):
    """bwrap's namespace flags.

    Started by root, bwrap needs no user namespace: it builds the mounts with
    root's rights, and the worker then drops to nobody for good (:func:`_as_nobody`),
    so that the student's processes belong to an unprivileged user outside the
    sandbox too. Files are then protected by their permissions as well as by the
    read-only mounts (root's own files, such as ``/etc/shadow`` or ``/root``, stay
    closed), and the process-count limit ``RLIMIT_NPROC`` holds, which stops a fork
    bomb. Started by anyone else, bwrap makes a user namespace in which the
    worker runs as nobody.
    """
    if rootful:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    return ["--unshare-all"]


def _as_nobody(rootful):
    """What ends bwrap's arguments and makes the worker nobody."""
    if rootful:
        return ["--", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return ["--uid", str(NOBODY), "--gid", str(NOBODY), "--"]


def _reach_for_nobody(paths):
    """bwrap arguments that let nobody reach ``paths`` (the interpreter) and nothing beside them.

    An interpreter installed under a closed folder (pyenv under ``/root``, mode
    700) is out of nobody's reach. The closed folder is replaced by an empty one
    and only the entry on the way to the interpreter is mounted back, read-only:
    ``--tmpfs /root --ro-bind /root/.pyenv /root/.pyenv``.
    """
    import stat

    closed, binds = [], []
    for path in paths:
        path = path.resolve()
        for folder in reversed(path.parents):  # from / down
            if not folder.stat().st_mode & stat.S_IXOTH:
                entry = folder / path.relative_to(folder).parts[0]
                closed += [folder] if folder not in closed else []
                binds += [entry] if entry not in binds else []
                break
    args = []
    for folder in closed:
        args += ["--tmpfs", str(folder)]
    for target in binds:
        args += ["--ro-bind", str(target), str(target)]
    return args


def _inside(path, folder):
    return path == folder or folder in path.parents


def _merge_stubs(checks):
    merged = {}
    for check in checks:
        for module, text in stub_source(check).items():
            merged[module] = merged.get(module, "") + text
    return merged


def _torch_init():
    """Path of torch/__init__.py if torch is installed, without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("torch")
    return Path(spec.origin).resolve() if spec is not None and spec.origin else None


def _worker_env(workdir):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(workdir / ".matplotlib"), "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "CNNBOOK_THREADS": "1",
    }


class Worker:
    """A running worker process: send requests, receive answers with a deadline, kill it.

    Parameters
    ----------
    sandbox : Sandbox
    workdir : Path
        The submission's working folder.
    cpu_seconds : int
        CPU-time limit of the worker.
    """

    def __init__(self, sandbox, workdir, *, cpu_seconds):
        self.sandbox = sandbox
        self.limits = {"memory": sandbox.memory_mb * 2**20, "cpu": int(cpu_seconds), "fsize": 64 * 2**20,
                       "nproc": NPROC}
        self.proc = subprocess.Popen(sandbox.command(workdir), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=workdir, env=_worker_env(workdir),
                                     start_new_session=True)
        self._buffer = b""

    def send(self, message, values=None):
        try:
            _worker.write_message(self.proc.stdin, _worker.encode(message, values))
        except (BrokenPipeError, OSError):
            raise SandboxFailure(self._death("before it could read its input")) from None

    def receive(self, deadline, what):
        """Next message as ``(header, values)``; SandboxFailure on timeout, death or a bad message."""
        fd = self.proc.stdout.fileno()

        def read(n):
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxFailure(f"timed out: {what} took longer than allowed")
                ready, _, _ = select.select([fd], [], [], left)
                if ready:
                    return os.read(fd, min(n, 2**20))

        try:
            return _worker.decode(_worker.read_message(read))
        except _worker.WireError as err:
            if self.proc.poll() is None and "ended" not in str(err):
                raise SandboxFailure(f"the submission's process sent a bad message: {err}") from None
            raise SandboxFailure(self._death(f"during {what}")) from None

    def _death(self, when):
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return f"the submission's process stopped answering {when}"
        if code < 0 and -code == signal.SIGXCPU or code == 128 + signal.SIGXCPU:
            return f"the submission's process used up its CPU time {when}"
        if code < 0 or code > 128:
            sig = -code if code < 0 else code - 128
            return f"the submission's process was killed by {signal.Signals(sig).name} {when} " \
                   f"(memory limit {self.sandbox.memory_mb} MB?)"
        return f"the submission's process exited with code {code} {when}"

    def kill(self):
        """Kill the worker and everything in its process group (and, under bwrap, its PID namespace)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
