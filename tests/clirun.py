"""Run the real `litectl` entry point in-process and capture what a user would see."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

import attrs
from litectl.compiler.cli import main


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


def run(args: Sequence[str]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())
