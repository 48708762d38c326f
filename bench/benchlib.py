"""Helpers shared by the benchmark scripts in bench/."""
import contextlib
import os
import platform
import signal
import subprocess
import threading


def find_gnu_time():
    """Returns "/usr/bin/time" if it is GNU time (which reports peak RSS with
    -f %M), else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in out.stdout + out.stderr else None


@contextlib.contextmanager
def kill_after(proc, timeout_s):
    """Kills `proc`'s process group if the block outlasts `timeout_s`; yields
    an Event that tells whether it did.

    Popen.wait(timeout) polls with growing sleeps, which would quantise the
    measured time, so the timeout is enforced by a timer thread instead.
    """
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    try:
        yield timed_out
    finally:
        timer.cancel()


def markdown_table(header, rows):
    """A Markdown table; the first column left-aligned, the rest right."""
    table = [header] + rows
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]

    def line(cells):
        padded = [c.ljust(w) if i == 0 else c.rjust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i else "-")
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule] + [line(r) for r in rows])


def cpu_name():
    """The CPU's model name from /proc/cpuinfo (for benchmark headers)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
