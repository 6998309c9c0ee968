"""Safe writing: nothing is replaced without consent, and no file is ever left half-written.

Every file iomodel writes (``to_netcdf`` of its results, the tidy table
writer, the command line's ``--output`` folders) goes through
:func:`atomic_write` (or the context manager :func:`writing`):

* an existing file is refused unless ``overwrite=True`` (``--force`` on the
  command line), with a :class:`~iomodel.errors.WriteError` that names it and
  says how to allow the replacement;
* the content is written to a temporary file in the target's own folder and
  renamed into place (:func:`os.replace`, atomic on POSIX and Windows), so a
  run interrupted or failing while it writes leaves the old file, or none,
  and never a half-written one; the temporary file is removed on failure;
* problems of the operating system (a missing or read-only folder, a file
  where a folder is expected, a name longer than the file system allows, a
  full disk) become a :class:`~iomodel.errors.WriteError` naming the path and
  the reason.

A command that writes several files checks them all first with
:func:`check_targets`, so that a refusal comes before anything is written.

>>> import tempfile
>>> from pathlib import Path
>>> tmp = tempfile.TemporaryDirectory()
>>> path = Path(tmp.name) / "out" / "note.txt"
>>> atomic_write(path, lambda p: p.write_text("first")).name
'note.txt'
>>> atomic_write(path, lambda p: p.write_text("second"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
iomodel.errors.WriteError: .../out/note.txt already exists; pass overwrite=True (--force ...) to replace it
>>> _ = atomic_write(path, lambda p: p.write_text("second"), overwrite=True)
>>> path.read_text(), sorted(f.name for f in path.parent.iterdir())
('second', ['note.txt'])
>>> tmp.cleanup()
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import WriteError

__all__ = ["atomic_write", "check_targets", "writing"]

#: Longest file name (bytes) assumed where the file system cannot be asked.
NAME_MAX = 255
#: Part of every temporary file's name (``.<name>.<random>.tmp<suffix>``).
TEMP_MARK = ".tmp"

#: How to allow a replacement, quoted in a refusal (the command line passes ``"--force"``).
HINT = "overwrite=True (--force on the command line)"

StrPath = str | os.PathLike[str]


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, ValueError, OSError):  # no pathconf (Windows) or not answerable
        return NAME_MAX


def _stat(path: Path) -> os.stat_result | None:
    """``os.stat`` of ``path``, or None where nothing is there (OS errors other than absence raise)."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a file somewhere along the path: reported by the caller's walk
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # reported with the length and the limit by the caller
            return None
        raise


def _check_one(target: Path) -> bool:
    """Check one target; True if it exists (a file that would be replaced)."""
    try:
        st = _stat(target)
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise WriteError(f"{target} is a folder; a file of that name cannot be written", [target])
            if not os.access(target.parent, os.W_OK):
                raise WriteError(f"{target.parent}: permission denied (cannot write {target.name})", [target])
            return True
        # the nearest existing ancestor must be a writable folder; what lies below it is created
        missing = [target]
        folder = target.parent
        while (st := _stat(folder)) is None and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise WriteError(
                f"{folder} is a file, not a folder: cannot write {target} (choose another output folder)", [target]
            )
        if st is not None and not os.access(folder, os.W_OK):
            raise WriteError(f"{folder}: permission denied (cannot write {target})", [target])
        limit = _name_max(folder)
        for p in missing:
            n = len(os.fsencode(p.name))
            if n > limit:
                raise WriteError(
                    f"{target}: the name {p.name[:40]!r}... is {n} bytes long; the file system allows at most {limit}",
                    [target],
                )
        return False
    except OSError as exc:  # e.g. a name too long to even look up, a folder that cannot be read
        raise WriteError(f"{target}: cannot write ({_reason(exc)})", [target]) from exc


def check_targets(paths: Iterable[StrPath], *, overwrite: bool = False, hint: str = HINT) -> list[Path]:
    """Check, before anything is written, that every file in ``paths`` can be written.

    Parameters
    ----------
    paths
        The files a step will write.
    overwrite
        Allow replacing files that exist.
    hint
        How the caller allows replacing files, quoted in the refusal
        (default :data:`HINT`; the command line passes ``"--force"``).

    Returns
    -------
    list of pathlib.Path
        The targets, in order.

    Raises
    ------
    WriteError
        Some targets exist and ``overwrite`` is false (the message and
        ``exc.paths`` list all of them); or a target cannot be written: it is a
        folder, a file stands where a folder is expected, a folder is not
        writable, a name is longer than the file system allows.
    """
    targets = [Path(p) for p in paths]
    existing = [t for t in targets if _check_one(t)]
    if existing and not overwrite:
        if len(existing) == 1:
            msg = f"{existing[0]} already exists; pass {hint} to replace it"
        else:
            shown = ", ".join(str(p) for p in existing[:3]) + (
                f" and {len(existing) - 3} more" if len(existing) > 3 else ""
            )
            msg = f"{len(existing)} files already exist ({shown}); pass {hint} to replace them"
        raise WriteError(msg, existing)
    return targets


def _temp_path(target: Path) -> Path:
    """A fresh, exclusively created file next to ``target``, with its suffix (writers infer formats from it)."""
    suffix = target.suffix if len(target.suffix) <= 16 else ""
    stem = target.name[: len(target.name) - len(suffix)] if suffix else target.name
    limit = _name_max(target.parent)
    for _ in range(100):
        token = secrets.token_hex(4)
        tail = f".{token}{TEMP_MARK}{suffix}"
        room = limit - 1 - len(os.fsencode(tail))
        short = os.fsencode(stem)[:room].decode(errors="ignore")
        tmp = target.with_name(f".{short}{tail}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))  # pragma: no cover


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - best effort
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that cannot sync
        pass
    finally:
        os.close(fd)


def _commit(tmp: Path, target: Path, overwrite: bool, hint: str) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:  # a hard link fails if the target appeared meanwhile: no race with another writer
        os.link(tmp, target)
    except FileExistsError:
        raise WriteError(f"{target} already exists; pass {hint} to replace it", [target]) from None
    except OSError:  # no hard links on this file system: check, then rename
        if os.path.lexists(target):
            raise WriteError(f"{target} already exists; pass {hint} to replace it", [target]) from None
        os.replace(tmp, target)


@contextmanager
def writing(path: StrPath, *, overwrite: bool = False, hint: str = HINT) -> Iterator[Path]:
    """Context manager: a temporary path to write to, renamed to ``path`` when the block succeeds.

    The folders of ``path`` are created if needed. The temporary file lies in
    the same folder (so the rename is atomic), starts with a dot, keeps the
    suffix of ``path`` (writers such as :meth:`matplotlib.figure.Figure.savefig`
    infer the format from it) and exists, empty, when the block starts. If the
    block raises, or is interrupted, the temporary file is removed and
    ``path`` is untouched.

    Parameters
    ----------
    path
        The file to write.
    overwrite
        Allow replacing an existing file (its permission bits are kept).
    hint
        How the caller allows replacing files, quoted in a refusal.

    Yields
    ------
    pathlib.Path
        The temporary file to write.

    Raises
    ------
    WriteError
        ``path`` exists and ``overwrite`` is false, or the operating system
        refuses (the message names the path and the reason).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "table.csv"
    >>> with writing(path) as part:
    ...     _ = part.write_text("first version")
    >>> path.read_text()
    'first version'
    >>> with writing(path, overwrite=True) as part:
    ...     _ = part.write_text("half")
    ...     raise RuntimeError("stopped half-way")
    Traceback (most recent call last):
        ...
    RuntimeError: stopped half-way
    >>> path.read_text(), [f.name for f in Path(tmp.name).iterdir()]
    ('first version', ['table.csv'])
    >>> tmp.cleanup()
    """
    (target,) = check_targets([path], overwrite=overwrite, hint=hint)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_path(target)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write ({_reason(exc)})", [target]) from exc
    try:
        yield tmp
        _fsync(tmp)
        if overwrite:
            try:
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
            except OSError:
                pass  # nothing to copy (no file yet) or not allowed: the new file's own mode stays
        _commit(tmp, target, overwrite, hint)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write ({_reason(exc)})", [target]) from exc
    finally:
        try:
            os.unlink(tmp)  # after a rename there is nothing left to remove
        except OSError:
            pass


def atomic_write(path: StrPath, write: Callable[[Path], object], *, overwrite: bool = False, hint: str = HINT) -> Path:
    """Write a file through ``write(temporary_path)`` and rename it into place.

    ``write`` is any function that writes a file at the path it is given,
    e.g. ``dataset.to_netcdf``, ``frame.to_csv`` or ``figure.savefig``. See
    :func:`writing` for what happens on refusal, failure and interruption.

    Parameters
    ----------
    path
        The file to write (its folders are created if needed).
    write
        Called once with the temporary path; its return value is ignored.
    overwrite
        Allow replacing an existing file; by default an existing file is
        refused with a :class:`~iomodel.errors.WriteError`.
    hint
        How the caller allows replacing files, quoted in a refusal.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    WriteError
        ``path`` exists and ``overwrite`` is false, or the operating system
        refuses to write it.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = atomic_write(Path(tmp.name) / "x.csv", pd.DataFrame({"a": [1]}).to_csv)
    >>> p.read_text().splitlines()
    [',a', '0,1']
    >>> tmp.cleanup()
    """
    with writing(path, overwrite=overwrite, hint=hint) as tmp:
        write(tmp)
    return Path(path)
