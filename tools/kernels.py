"""Kernels for batch runs: ordinary ipykernels over Unix sockets, started ahead and warmed.

Every kernel is a child process started by jupyter_client (no forking, no private API). Its
sockets live in a short private scratch folder, removed on exit and on SIGINT/SIGTERM, so no
connection file or key outlives a run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from helpers import paths

# Unix socket paths are limited to about 107 bytes; kernels' sockets live in a scratch folder,
# so a long TMPDIR would break them. Such a TMPDIR is replaced by /tmp for these folders.
SOCKET_DIR_LIMIT = 40
_SCRATCH: set[Path] = set()  # removed on exit, also when a signal stops the run


def scratch_dir(prefix: str) -> Path:
    """A private (0700) temporary folder with a short path, removed at exit or on a signal."""
    base = tempfile.gettempdir()
    if len(base) > SOCKET_DIR_LIMIT and os.access("/tmp", os.W_OK):
        base = "/tmp"
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    _SCRATCH.add(folder)
    return folder


def remove_scratch(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    _SCRATCH.discard(folder)


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


def warm_kernel(workdir: Path, committed: bool = False):
    """Start a kernel and import the notebooks' libraries in it, silently (no history).

    ``committed``: the kernel's notebook may replace the committed results in data/derived/
    (only ``make``'s runner asks for it; see ``helpers.paths.results_dir``).
    """
    # run_sync, not asyncio.run: it also works where an event loop is already running
    from jupyter_core.utils import run_sync

    async def start():
        km = ipc_kernel_manager(workdir)(kernel_name="python3")
        env = {**os.environ, paths.COMMITTED_RESULTS: "1" if committed else "0"}
        await km.start_kernel(env=env)
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
            raise RuntimeError(f"could not import the notebooks' libraries: {reply['content']}")
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
