"""Helpers shared by the benchmark scripts in bench/."""
import os
import subprocess


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
