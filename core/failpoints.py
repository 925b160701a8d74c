"""Named places where the fault tests (tests/faults/) make a process stop, crash or fail.

`failpoint("name")` does nothing unless the environment variable AFTERCARE_FAILPOINTS names that
point, so production pays one dictionary look-up per call. The variable is a comma-separated list of
`name=action`, or `name=action@N` to act only the N-th time this process reaches the point:

- `pause`: wait there, so that a test can kill the process (or restart its database) right then;
  it goes on when the file `<dir>/<name>.resume` appears, or after PAUSE_SECONDS;
- `kill`: SIGKILL this very process: no cleanup, no rollback, as the OOM killer or a power cut;
- `enospc`: raise OSError(ENOSPC), as a full disk does;
- `raise`: raise FailpointError.

With AFTERCARE_FAILPOINT_DIR set, each point acts once for that folder: it leaves a marker file
`<dir>/<name>` holding the process id (which the test reads to know whom to kill), and a point whose
marker exists goes on normally, so the worker that replaces a killed one does not stop there again.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from collections import Counter
from pathlib import Path

PAUSE_SECONDS = 30
_hits: Counter = Counter()


class FailpointError(RuntimeError):
    """Raised by a failpoint whose action is `raise`."""


def failpoint(name: str) -> None:
    """Act as AFTERCARE_FAILPOINTS says for `name`; nothing at all when it does not name it."""
    spec = os.environ.get("AFTERCARE_FAILPOINTS")
    if not spec:
        return
    action = _actions(spec).get(name)
    if action is None:
        return
    action, _, nth = action.partition("@")
    _hits[name] += 1
    if nth and _hits[name] != int(nth):
        return
    if not _claim(name):
        return
    if action == "pause":
        _pause(name)
    elif action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"failpoint {name}")
    elif action == "raise":
        raise FailpointError(name)
    else:
        raise ValueError(f"unknown failpoint action {action!r} for {name}")


def _pause(name: str) -> None:
    folder = os.environ.get("AFTERCARE_FAILPOINT_DIR")
    resume = Path(folder) / f"{name}.resume" if folder else None
    deadline = time.monotonic() + PAUSE_SECONDS
    while time.monotonic() < deadline and not (resume and resume.exists()):
        time.sleep(0.05)


def _actions(spec: str) -> dict[str, str]:
    pairs = (item.partition("=") for item in spec.split(",") if item.strip())
    return {name.strip(): action.strip() for name, _, action in pairs}


def _claim(name: str) -> bool:
    """True when the point should act: always without a marker folder, else only the first time."""
    folder = os.environ.get("AFTERCARE_FAILPOINT_DIR")
    if not folder:
        return True
    try:
        # O_EXCL: of several workers reaching the point at once, exactly one acts.
        fd = os.open(Path(folder) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as marker:
        marker.write(str(os.getpid()))
    return True
