"""Writes the key tables of docs/config.md from the key lists themselves
(`denseshift list config --markdown`), or with --check exits 1 when they differ.
Each table starts at its marker line "<!-- keys of 'SECTION': ... -->" and runs to
the next blank line; the prose around the tables is written by hand.

Usage: /usr/bin/python3 scripts/generate_config_docs.py DENSESHIFT_BIN [--check] [DOC]
"""

import subprocess
import sys
from pathlib import Path


def tables(markdown):
    """{marker line: table text (marker included)} from the generated Markdown."""
    out = {}
    for block in markdown.strip().split("\n\n"):
        marker = block.split("\n", 1)[0]
        out[marker] = block
    return out


def rewrite(doc_text, generated):
    lines = doc_text.split("\n")
    out, i, seen = [], 0, set()
    while i < len(lines):
        if lines[i] in generated:
            marker = lines[i]
            out.extend(generated[marker].split("\n"))
            seen.add(marker)
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        out.append(lines[i])
        i += 1
    missing = [m for m in generated if m not in seen]
    return "\n".join(out), missing


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    if not args:
        sys.exit(__doc__)
    check = "--check" in sys.argv[1:]
    doc = Path(args[1] if len(args) > 1 else Path(__file__).resolve().parent.parent / "docs" / "config.md")
    markdown = subprocess.run([args[0], "list", "config", "--markdown"], check=True, capture_output=True,
                              text=True).stdout
    text = doc.read_text()
    new_text, missing = rewrite(text, tables(markdown))
    if missing:
        sys.exit(f"{doc}: no marker line for {', '.join(missing)}: add it where the table belongs")
    if check:
        if new_text != text:
            sys.exit(f"{doc} is out of date with the key lists: run "
                     f"/usr/bin/python3 scripts/generate_config_docs.py {args[0]}")
        print(f"{doc}: key tables match the key lists")
        return
    # Written beside it and renamed: an interrupted run leaves the old doc whole.
    temporary = doc.with_name(doc.name + ".tmp")
    temporary.write_text(new_text)
    temporary.replace(doc)
    print(f"{doc}: key tables written")


if __name__ == "__main__":
    main()
