"""Shared figure plumbing: headless matplotlib, provenance on the figure, PNG + PDF."""
import datetime
import io
import os
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .files import write_whole  # noqa: E402


def provenance(runs):
    """One line naming the runs (more than 3: their count and the folder they share), their commit
    and the date the figure was made."""
    commits = sorted({r.environment.get("git_commit", "?") for r in runs})
    folders = [str(r.path.parent) for r in runs]
    names = ", ".join(folders)
    if len(folders) > 3:
        common = os.path.commonpath([os.path.abspath(f) for f in folders])
        if common.startswith(os.getcwd() + os.sep):
            common = os.path.relpath(common)
        names = f"{len(folders)} runs under {common}"
    return (f"runs: {names} | commit {', '.join(commits)} | "
            f"drawn {datetime.date.today().isoformat()} by denseshift analysis")


def save(fig, runs, out_base):
    """Writes OUT_BASE.png and OUT_BASE.pdf with the provenance line at the bottom; returns the paths.
    Each file is written whole (rendered in memory, then a temporary and a rename), and the PDF carries
    no creation time, so drawing the same data on the same day gives the same bytes."""
    out_base = pathlib.Path(out_base)
    out_base.parent.mkdir(parents=True, exist_ok=True)
    fig.text(0.01, 0.005, provenance(runs), fontsize=6, color="0.35", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    paths = [out_base.with_suffix(".png"), out_base.with_suffix(".pdf")]
    try:
        for p in paths:
            buffer = io.BytesIO()
            metadata = {"CreationDate": None} if p.suffix == ".pdf" else None
            fig.savefig(buffer, format=p.suffix[1:], dpi=150, metadata=metadata)
            write_whole(p, buffer.getvalue())
    finally:
        plt.close(fig)
    return paths


def main_wrapper(main):
    """Runs main(); a RunFileError becomes one 'error: ...' line and exit code 2, an I/O
    error (an unwritable --out, a full disk) one 'error: ...' line and exit code 1."""
    import sys

    from .runfile import RunFileError

    try:
        for path in main() or []:
            print(path)
    except RunFileError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except OSError as error:
        where = f"'{error.filename}': " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        sys.exit(1)
