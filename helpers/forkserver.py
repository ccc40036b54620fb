"""Start kernels by forking one process that has already imported the notebooks' libraries.

Every kernel would otherwise import pandas, seaborn and matplotlib itself: about 1.5 s of CPU
each (on a cold machine, also compiling their bytecode, in every kernel at once). A fork server
pays that once. ``helpers.run`` starts one per run (``with forkserver.serving(workdir):``) and
its kernel manager asks it for each kernel; the child process then becomes an ordinary ipykernel
(``helpers.kernel``) with its own connection file, environment, working directory and session.

The server is a separate, single-threaded process: forking the runner itself, which has threads
and an event loop, would not be safe. It is started with the runner's environment, so settings
fixed at interpreter start (``PYTHONHASHSEED``) are the kernels' too.
"""

from __future__ import annotations

import asyncio
import atexit
import builtins
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What the notebooks import (a test keeps this in step with their import lines). The inline
# backend module is left out on purpose: importing it outside a running kernel would skip the
# hooks it installs when it finds one.
NOTEBOOK_IMPORTS = (
    "numpy",
    "pandas",
    "seaborn",
    "matplotlib.pyplot",
    "matplotlib.ticker",
    "IPython.display",
    "helpers.claims",
    "helpers.data",
    "helpers.external",
    "helpers.municipalities",
    "helpers.notebooks",
    "helpers.params",
    "helpers.paths",
    "helpers.plotting",
)
# What a starting kernel imports besides (ipykernel loads its debugger and history store).
KERNEL_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.debugger",
    "debugpy.server.api",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.queues",
    "helpers.kernel",
)
KERNEL_MODULE = "helpers.kernel"
_active: Server | None = None


# --- the server process ------------------------------------------------------------------


class _KernelLike:
    kernel = None


def serve(listen_fd: int) -> None:
    """Import once, then fork a kernel for every request on the inherited listening socket."""
    import importlib

    # matplotlib reads its backend from the environment when imported; kernels use inline
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # pandas picks its display defaults on import by asking get_ipython() whether it runs in a
    # kernel (20 columns) or a terminal (as wide as the terminal): answer as a kernel would
    builtins.get_ipython = lambda: _KernelLike
    try:
        for name in NOTEBOOK_IMPORTS + KERNEL_IMPORTS:
            importlib.import_module(name)
    finally:
        del builtins.get_ipython
    listener = socket.socket(fileno=listen_fd)
    listener.settimeout(1.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the OS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    runner = os.getppid()
    while os.getppid() == runner:  # the runner is gone (even by SIGKILL): stop serving
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        with conn:
            request = json.loads(_read_all(conn))
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                _become_kernel(request)  # never returns
            conn.sendall(str(pid).encode())


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _become_kernel(request: dict) -> None:
    """In the forked child: look like ``python -m helpers.kernel ...`` started by Popen."""
    code = 1
    try:
        os.setsid()  # as Popen(start_new_session=True): signals reach the kernel's group only
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # the kernel exits if this server does (as Popen'd kernels watch their launcher)
        sys.argv = [KERNEL_MODULE, *request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        from helpers import kernel

        kernel.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# --- the client side (in the runner) ----------------------------------------------------


class Server:
    """A running fork server, reached over a Unix socket in ``workdir``."""

    def __init__(self, workdir: Path):
        self.address = str(Path(tempfile.mkdtemp(prefix="fork", dir=workdir)) / "server.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.address)
        listener.listen(64)  # requests queue here while the server is still importing
        self.process = subprocess.Popen(
            [sys.executable, "-m", "helpers.forkserver", str(listener.fileno())],
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
            # fixed when the interpreter starts, so every forked kernel shares it
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        listener.close()

    def fork(self, cmd: list[str], env: dict, cwd: str) -> int:
        """Ask for a kernel running ``cmd``; return its process id."""
        request = {"args": cmd[3:], "env": env, "cwd": str(cwd)}
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(300)  # the first request waits for the imports
                conn.connect(self.address)
                conn.sendall(json.dumps(request).encode())
                conn.shutdown(socket.SHUT_WR)
                answer = _read_all(conn)
        except OSError:  # refused or reset: nobody serves the socket any more
            answer = b""
        if not answer:
            raise RuntimeError(
                f"the kernel fork server stopped (exit code {self.process.poll()}); "
                "its error, if any, is printed above"
            )
        return int(answer)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def serving(workdir: Path):
    """Within this block, kernels started by ``helpers.run`` are forked from one server.

    Where processes cannot fork (Windows), kernels start the ordinary way instead.
    """
    global _active
    if not hasattr(os, "fork"):
        yield None
        return
    previous, _active = _active, Server(workdir)
    try:
        yield _active
    finally:
        _active.close()
        _active = previous


def active() -> bool:
    return _active is not None


def usable(cmd: list[str]) -> bool:
    """True when a server is running and ``cmd`` is the kernel it knows how to become."""
    return _active is not None and cmd[1:3] == ["-m", KERNEL_MODULE]


class ForkedProcess:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a forked kernel.

    The kernel is the server's child, not ours, so its exit status is not ours to collect:
    a kernel that has gone reports -1.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def provisioner_class():
    """jupyter_client's local provisioner, launching through the active fork server."""
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if not usable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            env = kwargs.get("env") or dict(os.environ)
            self.process = ForkedProcess(_active.fork(cmd, env, kwargs.get("cwd") or os.getcwd()))
            self.pid = self.pgid = self.process.pid  # the child called setsid()
            self.cwd = kwargs.get("cwd", os.getcwd())
            return self.connection_info

        async def kill(self, restart=False):
            # wait the few milliseconds the kernel takes to go, so that jupyter_client finds
            # it gone at once instead of polling again 0.1 s later
            await super().kill(restart)
            for _ in range(200):
                if self.process is None or self.process.poll() is not None:
                    return
                await asyncio.sleep(0.005)

    return ForkedProvisioner


if __name__ == "__main__":
    serve(int(sys.argv[1]))
