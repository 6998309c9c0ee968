"""The command line and the writers (issue 11, items 3, 4 and 7).

Every command ends a bad run with one line on standard error and an exit
status (2: bad input or the operating system; 1: an internal error, with a
request to report it; 130: interrupted), never with a traceback unless
``--debug``; it replaces no file without ``--force`` and refuses before
writing anything; and every file is written atomically, so that no run leaves
a half-written file or a temporary one behind.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

import iomodel as iom
from iomodel import cli, datasets
from iomodel.errors import (
    InfeasibleError,
    IOModelError,
    LabelError,
    ReadError,
    SolverError,
    ValidationError,
    WriteError,
)
from iomodel.files import atomic_write, check_targets, writing
from iomodel.io.tidy import write_tidy

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "machine_building_ahmp.toml"
PROBLEM = ROOT / "examples" / "cluster_allocation.toml"
LONG = "n" * 300  # a file name longer than the 255 bytes file systems allow

#: For each command: its arguments but the output folder, the option naming that folder, the files it writes.
COMMANDS: dict[str, tuple[list[str], str, list[str]]] = {
    "multipliers": (["multipliers", "--kind", "type1"], "--output", ["multipliers_cluster_type1.png"]),
    "impact": (
        ["impact", str(SCENARIO), "--no-figure"],
        "--output",
        ["impact.nc", "summary.csv", "totals_by_year.csv", "fiscal_by_year.csv"],
    ),
    "allocate": (
        ["allocate", str(PROBLEM), "--no-figure"],
        "--output",
        ["plan.csv", "shadow_prices.csv", "solution.nc"],
    ),
    "build-tables": (
        ["build-tables"],
        "--out",
        [
            "kazakhstan_2024/blocks.csv",
            "kazakhstan_2024/table.json",
            "kazakhstan_2024/sectors.csv",
            "kazakhstan/sez.csv",
        ],
    ),
}

#: For each command: its arguments with an input file (or, for build-tables, a source folder) in place of ``path``.
INPUTS: dict[str, Callable[[Path, Path], list[str]]] = {
    "multipliers": lambda path, out: ["multipliers", "--no-figure", "--table", str(path)],
    "impact": lambda path, out: ["impact", str(path), "--no-figure", "--output", str(out)],
    "allocate": lambda path, out: ["allocate", str(path), "--no-figure", "--output", str(out)],
    "build-tables": lambda path, out: ["build-tables", "--shared", str(path), "--out", str(out)],
}


def run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    """Run ``iomodel ARGS`` in this process: exit status, standard output, standard error (never a traceback)."""
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return code, out, err


def one_line(err: str) -> str:
    """The only line of an error report."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert lines[0].startswith("iomodel: "), lines[0]
    return lines[0]


def temporary_files(folder: Path) -> list[Path]:
    """Files the writers leave behind if they are not cleaned up (``.<name>.<token>.tmp<suffix>``)."""
    return [p for p in folder.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def command(name: str, out: Path, *extra: str) -> list[str]:
    args, option, _ = COMMANDS[name]
    return [*args, option, str(out), *extra]


# --------------------------------------------------------------------------- bad input files
@pytest.mark.parametrize("name", list(INPUTS))
def test_a_missing_input_is_one_line_and_exit_2(name, tmp_path, capsys):
    missing = tmp_path / {"build-tables": "nowhere", "multipliers": "missing.xlsx"}.get(name, "missing.toml")
    code, _, err = run(capsys, INPUTS[name](missing, tmp_path / "out"))
    assert code == 2
    assert missing.name in one_line(err)
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


@pytest.mark.parametrize("name", list(INPUTS))
def test_a_binary_input_is_one_line_and_exit_2(name, tmp_path, capsys):
    junk = bytes(range(256)) * 8
    if name == "build-tables":  # a source folder whose workbook is binary junk
        path = tmp_path / "sources"
        (path / "kz_bns_io_2024").mkdir(parents=True)
        (path / "kz_bns_io_2024" / "kz_tzv_2024_clean.xlsx").write_bytes(junk)
    else:
        path = tmp_path / ("junk.xlsx" if name == "multipliers" else "junk.toml")
        path.write_bytes(junk)
    code, _, err = run(capsys, INPUTS[name](path, tmp_path / "out"))
    assert code == 2
    line = one_line(err)
    assert "ReadError" in line or "ValidationError" in line
    assert ("kz_tzv_2024_clean.xlsx" if name == "build-tables" else path.name) in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", list(INPUTS))
def test_an_input_name_over_255_bytes_is_one_line_and_exit_2(name, tmp_path, capsys):
    path = tmp_path / (LONG if name == "build-tables" else f"{LONG}.toml")
    code, _, err = run(capsys, INPUTS[name](path, tmp_path / "out"))
    assert code == 2
    line = one_line(err)
    assert "too long" in line and LONG[:50] in line  # the operating system's reason, the name
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- output folders
@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_output_folder_that_is_a_file_is_refused_before_any_work(name, tmp_path, capsys):
    """`iomodel multipliers --output README.md` and friends: one line, the file untouched."""
    in_the_way = tmp_path / "README.md"
    in_the_way.write_text("the user's notes\n")
    code, out, err = run(capsys, command(name, in_the_way))
    assert code == 2
    line = one_line(err)
    assert "WriteError" in line and f"{in_the_way} is a file, not a folder" in line
    assert out == ""  # refused before anything was computed or printed
    assert in_the_way.read_text() == "the user's notes\n"
    # the same under a sub-folder of the file
    code, _, err = run(capsys, command(name, in_the_way / "results"))
    assert code == 2 and "is a file, not a folder" in one_line(err)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_output_name_over_255_bytes_is_one_line_and_exit_2(name, tmp_path, capsys):
    code, out, err = run(capsys, command(name, tmp_path / LONG))
    assert code == 2
    assert "is 300 bytes long; the file system allows at most" in one_line(err)
    assert out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_existing_files_are_refused_then_replaced_with_force(name, tmp_path, capsys):
    """A run that would replace a file stops before writing anything and leaves every file as it was."""
    files = COMMANDS[name][2]
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_bytes(b"the user's own file\n")
    (tmp_path / "unrelated.txt").write_text("kept\n")
    before = snapshot(tmp_path)

    code, _, err = run(capsys, command(name, tmp_path))
    assert code == 2
    line = one_line(err)
    assert "WriteError" in line and "already exist" in line and "--force" in line
    assert str(tmp_path / files[0]) in line
    assert snapshot(tmp_path) == before  # byte-identical, nothing added

    code, _, err = run(capsys, command(name, tmp_path, "--force"))
    assert code == 0, err
    after = snapshot(tmp_path)
    assert set(after) == set(before)  # the same files (no temporary file left)
    for f in files:
        assert after[f] != b"the user's own file\n", f
    assert after["unrelated.txt"] == b"kept\n"
    assert temporary_files(tmp_path) == []


def test_one_existing_file_among_many_is_enough_to_refuse(tmp_path, capsys):
    (tmp_path / "fiscal_by_year.csv").write_text("mine\n")
    code, _, err = run(capsys, command("impact", tmp_path))
    assert code == 2
    assert f"{tmp_path / 'fiscal_by_year.csv'} already exists; pass --force to replace it" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fiscal_by_year.csv"]  # impact.nc was not written first


def test_a_figure_in_the_way_is_refused_before_the_results_are_written(tmp_path, capsys):
    (tmp_path / "impact_gva.png").write_bytes(b"a figure of mine")
    code, _, err = run(capsys, ["impact", str(SCENARIO), "--output", str(tmp_path)])
    assert code == 2 and "impact_gva.png already exists" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["impact_gva.png"]


def test_a_fresh_output_folder_is_created_and_left_clean(tmp_path, capsys):
    out = tmp_path / "new" / "nested"
    code, _, err = run(capsys, ["impact", str(SCENARIO), "--output", str(out), "--draws", "3", "--seed", "1"])
    assert code == 0, err
    names = {"impact.nc", "summary.csv", "totals_by_year.csv", "fiscal_by_year.csv", "draws.nc", "intervals.csv"}
    names |= {f"impact_{i}.png" for i in ("employment", "gva", "budget")}
    assert {p.name for p in out.iterdir()} == names
    assert temporary_files(tmp_path) == []
    # files get the permissions of any new file (not the private mode of a temporary file)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((out / "summary.csv").stat().st_mode) == 0o666 & ~umask


# --------------------------------------------------------------------------- errors that are not the user's
@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_internal_error_exits_1_with_a_hint_and_debug_shows_it(name, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something iomodel did not expect")

    if name == "build-tables":
        monkeypatch.setattr("iomodel.io.kazakhstan.build_kazakhstan", broken)
    else:
        monkeypatch.setattr(datasets, "kazakhstan", broken)
    code, _, err = run(capsys, command(name, tmp_path / "out"))
    assert code == 1
    line = one_line(err)
    assert line.startswith("iomodel: internal error: RuntimeError: something iomodel did not expect")
    assert "report" in line and "--debug" in line
    for args in (["--debug", *command(name, tmp_path / "out")], [*command(name, tmp_path / "out"), "--debug"]):
        with pytest.raises(RuntimeError, match="did not expect"):
            cli.main(args)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_interruption_exits_130_with_one_line(name, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if name == "build-tables":
        monkeypatch.setattr("iomodel.io.kazakhstan.build_kazakhstan", interrupted)
    else:
        monkeypatch.setattr(datasets, "kazakhstan", interrupted)
    code, _, err = run(capsys, command(name, tmp_path / "out"))
    assert code == 130
    assert one_line(err).startswith("iomodel: interrupted")
    with pytest.raises(KeyboardInterrupt):
        cli.main(["--debug", *command(name, tmp_path / "out")])


def test_an_os_error_is_one_line_naming_the_file(tmp_path, capsys, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "/somewhere/table.json")

    monkeypatch.setattr(datasets, "kazakhstan", denied)
    code, _, err = run(capsys, command("impact", tmp_path))
    assert code == 2
    assert one_line(err) == "iomodel: error: PermissionError: /somewhere/table.json: Permission denied"


def test_a_message_over_several_lines_is_printed_on_one(tmp_path, capsys, monkeypatch):
    def invalid(*args, **kwargs):
        raise ValidationError("the table is inconsistent:\n  row sums differ\n  column 3 is negative")

    monkeypatch.setattr(datasets, "kazakhstan", invalid)
    code, _, err = run(capsys, command("allocate", tmp_path))
    assert code == 2
    assert one_line(err) == (
        "iomodel: error: ValidationError: the table is inconsistent: row sums differ; column 3 is negative"
    )


def test_a_debug_run_prints_the_traceback_and_a_normal_run_does_not(tmp_path):
    """As a user sees it: the installed command in a fresh process."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    args = [sys.executable, "-m", "iomodel.cli", "impact", str(tmp_path / "missing.toml"), "--output", str(tmp_path)]
    plain = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    debug = subprocess.run([*args, "--debug"], capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert debug.returncode == 1  # Python's status for an uncaught exception
    assert "Traceback (most recent call last)" in debug.stderr and "missing.toml" in debug.stderr


# --------------------------------------------------------------------------- interrupted and failed writes
def test_ctrl_c_during_a_run_exits_130_and_leaves_only_complete_files(tmp_path):
    """A real SIGINT (POSIX) while the Monte Carlo draws run, after the results were written."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "iomodel.cli", "impact", str(SCENARIO), "--output", str(tmp_path / "out")]
    proc = subprocess.Popen(
        [*args, "--no-figure", "--draws", "20000", "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored, whatever the parent
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the summary's title: the files are written, the draws start
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "on Kazakhstan 2024" in first
    assert proc.returncode == 130, err
    assert one_line(err).startswith("iomodel: interrupted") and "Traceback" not in err
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "fiscal_by_year.csv",
        "impact.nc",
        "summary.csv",
        "totals_by_year.csv",
    ]
    xr.load_dataset(out / "impact.nc")


def test_an_interruption_while_writing_leaves_the_old_file_and_no_temporary_one(tmp_path, capsys, monkeypatch):
    assert run(capsys, command("impact", tmp_path))[0] == 0
    before = snapshot(tmp_path)

    def half_then_interrupted(self, path=None, *args, **kwargs):
        Path(path).write_text("half a tab")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_interrupted)
    code, _, err = run(capsys, command("impact", tmp_path, "--force"))
    assert code == 130 and one_line(err).startswith("iomodel: interrupted")
    after = snapshot(tmp_path)
    assert set(after) == set(before) and temporary_files(tmp_path) == []
    assert after["summary.csv"] == before["summary.csv"]  # the file being written when interrupted: untouched
    xr.load_dataset(tmp_path / "impact.nc")  # the one written before: complete


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    def no_space(self, path=None, *args, **kwargs):
        Path(path).write_bytes(b"CDF\x01 truncated")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", no_space)
    code, _, err = run(capsys, command("impact", tmp_path))
    assert code == 2
    assert (
        one_line(err) == f"iomodel: error: WriteError: {tmp_path / 'impact.nc'}: cannot write (No space left on device)"
    )
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the writing helpers and the writers
def test_atomic_write_leaves_no_temporary_file_after_success_or_failure(tmp_path):
    path = tmp_path / "a" / "figure.png"
    seen: list[Path] = []

    def write(p: Path) -> None:
        seen.append(p)
        assert p.parent == path.parent and p.suffix == ".png" and p.name.startswith(".")
        p.write_bytes(b"first")

    assert atomic_write(path, write) == path
    assert path.read_bytes() == b"first" and not seen[0].exists()
    assert [p.name for p in path.parent.iterdir()] == ["figure.png"]

    def failing(p: Path) -> None:
        p.write_bytes(b"half")
        raise ValueError("the writer failed")

    with pytest.raises(ValueError, match="the writer failed"):
        atomic_write(path, failing, overwrite=True)
    with pytest.raises(KeyboardInterrupt):
        with writing(path, overwrite=True) as part:
            part.write_bytes(b"half")
            raise KeyboardInterrupt
    assert path.read_bytes() == b"first"
    assert [p.name for p in path.parent.iterdir()] == ["figure.png"]


def test_atomic_write_refuses_an_existing_file_unless_overwrite(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("mine")
    path.chmod(0o640)
    with pytest.raises(WriteError, match=r"x\.csv already exists; pass overwrite=True \(--force on the command line\)"):
        atomic_write(path, lambda p: p.write_text("new"))
    with pytest.raises(WriteError, match=r"x\.csv already exists; pass --force to replace it") as refused:
        atomic_write(path, lambda p: p.write_text("new"), hint="--force")
    assert refused.value.paths == [path] and path.read_text() == "mine"
    atomic_write(path, lambda p: p.write_text("new"), overwrite=True)
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # a replaced file keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_check_targets_names_every_problem(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("1")
    b.write_text("2")
    with pytest.raises(WriteError, match=r"2 files already exist \(.*a\.csv, .*b\.csv\)") as refused:
        check_targets([a, b, tmp_path / "c.csv"])
    assert refused.value.paths == [a, b]
    assert check_targets([a, b], overwrite=True) == [a, b]
    with pytest.raises(WriteError, match="is a folder"):
        check_targets([tmp_path])
    with pytest.raises(WriteError, match=r"a\.csv is a file, not a folder"):
        check_targets([a / "sub" / "x.csv"])
    with pytest.raises(WriteError, match="300 bytes long"):
        check_targets([tmp_path / LONG / "x.csv"])
    with pytest.raises(WriteError, match="300 bytes long"):
        atomic_write(tmp_path / f"{LONG[:296]}.csv", lambda p: p.write_text(""))
    # the longest name the file system takes is written (the temporary name is shortened to fit)
    longest = tmp_path / ("l" * 251 + ".csv")
    atomic_write(longest, lambda p: p.write_text("ok"))
    assert longest.read_text() == "ok" and temporary_files(tmp_path) == []
    assert not (tmp_path / "sub").exists()  # checks create nothing


@pytest.fixture(scope="module")
def appraisal() -> iom.Appraisal:
    return iom.appraise(datasets.kazakhstan(), iom.Scenario.from_toml(SCENARIO))


def test_to_netcdf_refuses_to_replace_a_file_unless_overwrite(tmp_path, appraisal):
    for result in (appraisal, appraisal.impacts):
        path = tmp_path / f"{type(result).__name__}.nc"
        path.write_bytes(b"precious")
        with pytest.raises(WriteError, match=f"{path.name} already exists; pass overwrite=True"):
            result.to_netcdf(path)
        assert path.read_bytes() == b"precious"
        result.to_netcdf(path, overwrite=True)
        xr.testing.assert_identical(xr.load_dataset(path), result.to_dataset())
        result.to_netcdf(str(tmp_path / "fresh" / path.name))  # a str and a folder to create
    with pytest.raises(WriteError, match="is a file, not a folder"):
        appraisal.to_netcdf(tmp_path / "ImpactResult.nc" / "x.nc")
    assert temporary_files(tmp_path) == []


def test_write_tidy_refuses_before_writing_any_file(tmp_path):
    table = datasets.miller_blair()
    write_tidy(table, tmp_path)
    (tmp_path / "blocks.csv").write_text("edited by hand\n")
    before = snapshot(tmp_path)
    with pytest.raises(WriteError, match=r"2 files already exist .*blocks\.csv.*table\.json"):
        write_tidy(table, tmp_path, provenance={"source": "new"})
    assert snapshot(tmp_path) == before
    write_tidy(table, tmp_path, provenance={"source": "new"}, overwrite=True)
    assert (tmp_path / "blocks.csv").read_text().startswith("block,row,col,value")
    assert temporary_files(tmp_path) == []


def test_every_iomodel_error_is_a_one_line_exit_2(tmp_path, capsys, monkeypatch):
    """The whole family, not just the errors the commands raise themselves."""
    for exc in (ValidationError, LabelError, ReadError, WriteError, InfeasibleError, SolverError, IOModelError):

        def raising(*args, _exc=exc, **kwargs):
            raise _exc("bad input named here")

        monkeypatch.setattr(datasets, "kazakhstan", raising)
        code, _, err = run(capsys, command("impact", tmp_path))
        assert code == 2, exc
        assert one_line(err) == f"iomodel: error: {exc.__name__}: bad input named here"
