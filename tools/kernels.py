"""Kernels for batch runs: ordinary ipykernels over Unix sockets, started ahead and warmed.

Every kernel is a child process started by jupyter_client (no forking, no private API). Its
sockets live in a short private scratch folder, removed on exit and on SIGINT/SIGTERM, so no
connection file or key outlives a run.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from helpers import paths

# Unix socket paths are limited to about 107 bytes; kernels' sockets live in a scratch folder,
# so a long TMPDIR would break them. Such a TMPDIR is replaced by /tmp for these folders.
SOCKET_DIR_LIMIT = 40
_SCRATCH: set[Path] = set()  # removed on exit, also when a signal stops the run


def scratch_base() -> Path:
    """Where scratch folders go: TMPDIR, or /tmp when TMPDIR is too long for sockets."""
    base = tempfile.gettempdir()
    if len(base) > SOCKET_DIR_LIMIT and os.access("/tmp", os.W_OK):
        base = "/tmp"
    return Path(base)


def scratch_dir(prefix: str, base: Path | None = None) -> Path:
    """A private (0700) temporary folder, removed at exit or on a signal.

    Its name carries this process's id (``<prefix><pid>-...``): a folder left by a process
    that was killed (SIGKILL runs no cleanup) is removed by a later run (``remove_stale``).
    """
    base = Path(base) if base is not None else scratch_base()
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base))
    _SCRATCH.add(folder)
    return folder


def remove_scratch(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    _SCRATCH.discard(folder)


# Temporary folders of this project's tools, named with their owner's pid (see scratch_dir):
# kernels' sockets and keys (menju-run-, menju-sweep-), a run's staged results (build/.run-),
# an edition being built (build/.site., build/.student.)
_OWNED = re.compile(r"^(?:menju-[a-z]+-|\.run-|\.site\.|\.student\.)(\d+)-")


def remove_stale(folders=()) -> list[Path]:
    """Remove temporary folders whose owner process is gone; return what was removed."""
    import psutil

    removed = []
    for base in {scratch_base(), Path(tempfile.gettempdir()), paths.BUILD, *folders}:
        if not base.is_dir():
            continue
        for entry in base.iterdir():
            match = _OWNED.match(entry.name)
            if not match or not entry.is_dir() or entry.is_symlink():
                continue
            pid = int(match.group(1))
            try:  # a pid reused since: that process started after the folder was made
                alive = psutil.Process(pid).create_time() <= entry.stat().st_mtime + 1
            except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
                alive = psutil.pid_exists(pid)
            if not alive:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def ipc_kernel_manager(workdir: Path):
    """A kernel manager that talks over Unix sockets in ``workdir``: no TCP port is opened."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("connection_file")
        def _connection_file_default(self):
            # one folder per kernel: ipc socket names derive from the connection file
            return str(Path(tempfile.mkdtemp(prefix="k", dir=workdir)) / "kernel.json")

        @default("ip")
        def _ip_default(self):
            return os.path.splitext(self.connection_file)[0] + "-ipc"

        def format_kernel_cmd(self, extra_arguments=None):
            # jupyter_client interrupts every kernel before shutting it down, and ipykernel
            # logs that as an ERROR on the terminal; cell errors still reach the notebook.
            # Batch runs keep no input history: no write to the user's IPython database per
            # cell, and no two kernels contending for it.
            cmd = super().format_kernel_cmd(extra_arguments)
            return [*cmd, "--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]

    return IPCKernelManager


def prepare_environment() -> None:
    """Kernels inherit this process's environment: make them deterministic and quiet."""
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's stderr warning on 3.11
    bindir = str(Path(sys.executable).parent)  # the kernelspec runs `python` from PATH
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


# What every notebook imports; a warm kernel has these loaded before its notebook starts.
NOTEBOOK_IMPORTS = (
    "numpy",
    "pandas",
    "seaborn",
    "matplotlib.pyplot",
    "matplotlib.ticker",
    "IPython.display",
    "helpers.claims",
    "helpers.data",
    "helpers.exercises",
    "helpers.external",
    "helpers.findings",
    "helpers.municipalities",
    "helpers.params",
    "helpers.paths",
    "helpers.plotting",
)
PRELOAD = "import " + ", ".join(NOTEBOOK_IMPORTS)


def warm_kernel(workdir: Path, committed: bool = False, root: Path | None = None):
    """Start a kernel and import the notebooks' libraries in it, silently (no history).

    ``committed``: the kernel's notebook writes the results into data/derived/ (only ``make``'s
    runner asks for it; see ``helpers.paths.results_dir``). ``root``: a staged copy of the
    project whose ``helpers`` (and so data/) the kernel imports instead of the checkout's.
    """
    # run_sync, not asyncio.run: it also works where an event loop is already running
    from jupyter_core.utils import run_sync

    async def start():
        km = ipc_kernel_manager(workdir)(kernel_name="python3")
        env = {**os.environ, paths.COMMITTED_RESULTS: "1" if committed else "0"}
        if root is not None:  # first on the path: before the editable install of the checkout
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        await km.start_kernel(env=env, **({"cwd": str(root)} if root is not None else {}))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(
                PRELOAD, silent=True, store_history=False, timeout=120, output_hook=lambda m: None
            )
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            await km.shutdown_kernel(now=True)
            content = reply["content"]  # ename and evalue: the traceback is for a terminal
            raise RuntimeError(
                f"could not import the notebooks' libraries: {content.get('ename')}: "
                f"{content.get('evalue')}"
            )
        return km

    return run_sync(start)()


def shutdown(km) -> None:
    """Stop a kernel whose outputs are collected: killing it is quick, asking it can take 2.5 s."""
    from jupyter_core.utils import run_sync

    run_sync(km.shutdown_kernel)(now=True)


def stop_all() -> None:
    """Kill this process's kernels and remove its scratch folders (on a signal)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        child.kill()
    for folder in list(_SCRATCH):
        shutil.rmtree(folder, ignore_errors=True)
