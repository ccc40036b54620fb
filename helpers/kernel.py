"""Start an IPython kernel that opens no TCP port (used by ``helpers.run`` with IPC transport).

With ``transport=ipc`` every kernel channel is a Unix socket, except one: ipykernel binds a
loopback TCP port so that *forked subprocesses* can send output through IOPub. The notebooks
here never fork, so that pipe is switched off and the kernel listens on no port at all.
"""

from ipykernel import iostream, kernelapp


class _NoForkPipeIOPubThread(iostream.IOPubThread):
    def __init__(self, socket, pipe=False, session=False):
        super().__init__(socket, pipe=False, session=session)


def main() -> None:
    kernelapp.IOPubThread = _NoForkPipeIOPubThread  # kernelapp looks the class up at start
    kernelapp.IPKernelApp.launch_instance()


if __name__ == "__main__":
    main()
