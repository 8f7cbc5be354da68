"""Writing an export to a file for the management commands: all or nothing, never half a file of buyer data."""

import os
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError

USAGE_ERROR = 2


def write_csv_file(target: Path, stream: Iterable[str], log) -> None:
    """Write beside the target and rename at the end, so a failed export never leaves a partial file."""
    if target.is_dir():
        raise CommandError(f"--output {target} is a directory; give a file name.", returncode=USAGE_ERROR)
    if not target.parent.is_dir():
        raise CommandError(
            f"--output {target}: the folder {target.parent} does not exist.", returncode=USAGE_ERROR
        )
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            for piece in stream:
                handle.write(piece)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(f"cannot write {target}: {error.strerror}", returncode=USAGE_ERROR) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.write(f"Wrote {target}")
