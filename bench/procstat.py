"""CPU used by the processes a benchmark runs, read from /proc, so that a figure does not count
whatever else the machine is doing (other benchmarks, test runs, a second session)."""

import os
from pathlib import Path


def _stats():
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield stat.parent, fields


def group_cpu_s(pgid: int) -> float:
    """CPU seconds used so far by every live process of a process group (a server and its
    workers)."""
    ticks = 0
    for _proc, fields in _stats():
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def database_backends_cpu_s(database: str) -> float:
    """CPU seconds used so far by the live PostgreSQL backends connected to `database` (their
    process title names it), on this machine."""
    ticks = 0
    marker = f" {database} ".encode()
    for proc, fields in _stats():
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
