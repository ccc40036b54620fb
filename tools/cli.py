"""How every ``python -m tools.*`` entry point ends: one sentence, never a traceback we can name.

``guard(main, argv)`` runs an entry point's ``main``. SIGTERM is turned into an interruption, so
``finally`` blocks remove temporary folders as they do for Ctrl-C; an interruption prints
"Interrupted" and exits 128 + the signal; a read-only checkout or a full disk is said in one
sentence (the write that failed is named when the system names it).
"""

from __future__ import annotations

import errno
import signal
import sys
import threading
from pathlib import Path

from helpers import paths

# What to do about a write the system refused; other OSErrors are bugs and keep their traceback
WRITE_ERRORS = {
    errno.EROFS: "the file system is read-only: run in a writable copy of the checkout",
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EACCES: "permission denied: run where you may write (a copy of the checkout)",
    errno.EPERM: "permission denied: run where you may write (a copy of the checkout)",
}


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: unwinds like Ctrl-C, so every ``finally`` cleans up."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame):
    raise Interrupted(signum)


def write_problem(exc: OSError) -> str | None:
    """One sentence for a write the system refused (read-only, full disk), or None."""
    if exc.errno not in WRITE_ERRORS:
        return None
    where = f" {paths.relative(Path(exc.filename))}" if exc.filename else ""
    return f"cannot write{where}: {WRITE_ERRORS[exc.errno]}."


def guard(main, argv=None) -> int:
    """Run ``main(argv)``; turn an interruption or a refused write into one sentence."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
    try:
        return main(argv)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        print(f"\nInterrupted (signal {signum}); nothing was half written.", file=sys.stderr)
        return 128 + signum
    except OSError as exc:
        problem = write_problem(exc)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 1
