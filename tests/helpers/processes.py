"""Processes as the kernel sees them (Linux /proc): a process's descendants, whether one still
runs, and a spawned child that holds a batch lock."""

from __future__ import annotations

from pathlib import Path


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, parent pid)`` of ``pid``, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (name) "
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    """Whether ``pid`` exists and has not exited (a zombie waiting to be reaped has)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    """Every running process below ``pid``: its children, theirs, and so on."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if running(child):
                found.append(child)
                todo.append(child)
    return found


def command_line(pid: int) -> str:
    """``pid``'s command line, words joined by spaces ("" when gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def hold_lock(lock: object, ready: object, release: object) -> None:
    """A spawned child's body: hold ``lock`` (a SharedLock) until ``release`` is set."""
    ready.set()  # type: ignore[attr-defined]
    release.wait(120)  # type: ignore[attr-defined]
