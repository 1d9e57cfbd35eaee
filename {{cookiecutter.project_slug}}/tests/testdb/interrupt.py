"""End a session on SIGTERM (a CI timeout) or Ctrl-C with the same short message and
the same clean-up, whether one process runs the tests or pytest-xdist workers do.

A KeyboardInterrupt raised straight from the signal handler would leave the test's
task running inside the event loop, its query still in flight; the teardown that
follows would then fail on that connection ("another operation is in progress"), keep
its database, and bury the one-line message under a long traceback. So the running
tasks are cancelled first (their queries are cancelled on the server), and the
interrupt is raised once the last of them has finished. A second signal interrupts at
once.
"""

import asyncio
import signal
from types import FrameType


def interrupt_gently(signum: int, frame: FrameType | None) -> None:
    reason = "SIGTERM" if signum == signal.SIGTERM else ""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise KeyboardInterrupt(reason) from None
    running = {task for task in asyncio.all_tasks(loop) if not task.done()}
    if not running or any(task.cancelling() for task in running):
        raise KeyboardInterrupt(reason)  # nothing to wait for, or a second signal

    def interrupt_after_the_last(task: "asyncio.Task[object]") -> None:
        running.discard(task)
        if not running:
            raise KeyboardInterrupt(reason)

    for task in running:
        task.cancel()
        task.add_done_callback(interrupt_after_the_last)
    loop.call_soon_threadsafe(lambda: None)  # wake the loop from its wait


def install() -> None:
    """Handle SIGTERM and SIGINT here, unless something else already does."""
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, interrupt_gently)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt_gently)
