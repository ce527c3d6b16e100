"""Who this process is: the identity heartbeats carry and the dashboard header shows."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessInfo:
    id: str
    host: str
    pid: int
    started: float


_info: ProcessInfo | None = None


def this_process() -> ProcessInfo:
    global _info
    pid = os.getpid()
    if _info is None or _info.pid != pid:
        import psutil  # here, so that `import expvar` stays light

        try:
            started = psutil.Process(pid).create_time()
        except psutil.Error:
            started = time.time()
        host = socket.gethostname()
        _info = ProcessInfo(id=f"{host}:{pid}:{started:.3f}", host=host, pid=pid, started=started)
    return _info
