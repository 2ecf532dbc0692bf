#!/usr/bin/python3
"""Checks that the numbers the documentation quotes are the numbers in results/.

usage: scripts/check_docs.py [--root DIR] [FILE.md ...]     (default: README.md and docs/*.md)

A table or paragraph whose numbers come from results files is marked by an HTML comment on the line before it:

    <!-- numbers: results/curl_cartpole_48k/eval.csv:env_steps,episode_return results/curl_cartpole_48k/info.txt -->
    | env steps | 0 | 8k | ... |

Every number in the block that follows (up to the next blank line; text in `code spans` and dates are skipped)
must be one of the numbers of the named sources, as written there or rounded to the decimals the documentation
shows (224 for 224.0365; 0.68 for 0.6812; 16k for 16000; 30,350 for 30350). A CSV source may name the columns to
read (`file.csv:col1,col2`); otherwise every number of the file counts. `ignore=N,M` in the comment exempts
units written as numbers (for example `ignore=255` for "0.04/255").

Each source must say how it was made: the file itself, or a file beside it or in a folder above it up to
results/ (info.txt, command.txt, README.md), has lines naming its command, commit and machine ("command:", "commit:", "machine:"), except the published
papers' numbers under results/published/, whose README names the papers. A missing source, a source without
that provenance, a marked block without numbers, or a number not found is one line on stderr; the exit status
is 1 if any was found.
"""

import argparse
import csv
import glob
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"^\s*<!--\s*numbers:\s*(.*?)\s*-->\s*$")
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([kK](?![\w]))?")
SKIPPED = [re.compile(r"`[^`]*`"),                          # code spans: commands, keys, file names
           re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?"),  # dates and times
           re.compile(r"\]\([^)]*\)"),                      # link targets
           re.compile(r"\b[A-Za-z_]+\d+[A-Za-z_\d]*\b")]     # names with digits: fp32, bf16, s1, x86_64
PROVENANCE = ("command", "commit", "machine")
PROVENANCE_FILES = ("info.txt", "command.txt", "README.md")


class Problem(Exception):
    pass


def number_tokens(text):
    """(written text, value, decimals, thousands) of every number in `text` outside code spans and dates."""
    for pattern in SKIPPED:
        text = pattern.sub(" ", text)
    out = []
    for m in NUMBER.finditer(text):
        whole, frac, k = m.group(1).replace(",", ""), m.group(2) or "", m.group(3)
        out.append((m.group(0), float(whole + frac), len(frac) - 1 if frac else 0, bool(k)))
    return out


def source_numbers(spec, root):
    """The numbers of one source: `path` or `path.csv:col1,col2`."""
    path, _, columns = spec.partition(":")
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        raise Problem(f"{path}: no such file")
    with open(full, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if not columns and not path.endswith(".csv"):
        return [v * (1000 if k else 1) for _, v, _, k in number_tokens(text.replace("`", ""))] + float_literals(text)
    rows = list(csv.DictReader(text.splitlines()))
    values = []
    for col in columns.split(",") if columns else (list(rows[0]) if rows else []):
        if rows and col not in rows[0]:
            raise Problem(f"{path}: no column '{col}' (columns: {', '.join(rows[0])})")
        for row in rows:
            try:
                values.append(float(row[col]))
            except (TypeError, ValueError):
                pass
    return values


def float_literals(text):
    """Numbers written in scientific notation (1.5e-3) or with a sign, which number_tokens reads in pieces."""
    return [float(m.group(0)) for m in re.finditer(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d+", text)]


def has_provenance(spec, root):
    path = spec.partition(":")[0]
    if path.startswith("results/published/"):
        return True
    # The file itself, then the provenance files beside it and in the folders above it, up to results/.
    candidates = [os.path.join(root, path)]
    folder = os.path.dirname(os.path.abspath(os.path.join(root, path)))
    top = os.path.abspath(os.path.join(root, "results"))
    while True:
        candidates += [os.path.join(folder, n) for n in PROVENANCE_FILES]
        if not folder.startswith(top + os.sep):
            break
        folder = os.path.dirname(folder)
    found = set()
    for c in candidates:
        if os.path.isfile(c):
            with open(c, encoding="utf-8", errors="replace") as f:
                for line in f:
                    key = line.strip().lstrip("-*# ").split(":", 1)[0].strip().lower()
                    if key in PROVENANCE:
                        found.add(key)
    return found >= set(PROVENANCE)


def matches(token, values):
    written, value, decimals, thousands = token
    scale = 1000.0 if thousands else 1.0
    for v in values:
        x = abs(v) / scale
        if abs(float(f"{x:.{decimals}f}") - value) < 1e-9:
            return True
    return False


def blocks(lines):
    """(line number of the marker, marker text, [(line number, line)]) for every marked block."""
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        start, j = i, i + 1
        body = []
        while j < len(lines) and lines[j].strip():
            body.append((j + 1, lines[j]))
            j += 1
        yield start + 1, m.group(1), body
        i = j


def check_file(doc, root):
    """The problems of one documentation file, as lines 'file:line: message'."""
    problems = []
    rel = os.path.relpath(doc, root)
    with open(doc, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for at, marker, body in blocks(lines):
        parts = marker.split()
        ignore = set()
        sources = []
        for p in parts:
            if p.startswith("ignore="):
                ignore |= {float(x) for x in p[len("ignore="):].split(",") if x}
            else:
                sources.append(p)
        if not sources:
            problems.append(f"{rel}:{at}: the numbers marker names no source")
            continue
        values = []
        for s in sources:
            try:
                values += source_numbers(s, root)
            except Problem as e:
                problems.append(f"{rel}:{at}: {e}")
                continue
            if not has_provenance(s, root):
                problems.append(f"{rel}:{at}: {s.partition(':')[0]} does not name its command, commit and machine "
                                "(lines 'command:', 'commit:', 'machine:' in it or in info.txt beside it)")
        if not body:
            problems.append(f"{rel}:{at}: the numbers marker is not followed by a table or paragraph")
            continue
        count = 0
        for n, line in body:
            for token in number_tokens(line):
                if token[1] in ignore:
                    continue
                count += 1
                if not matches(token, values):
                    problems.append(f"{rel}:{n}: {token[0]} is not in {', '.join(sources)}")
        if count == 0:
            problems.append(f"{rel}:{at}: the marked block quotes no numbers")
    return problems


def main(argv):
    p = argparse.ArgumentParser(prog="check_docs.py", description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="*", help="markdown files (default: README.md and docs/*.md)")
    p.add_argument("--root", default=REPO, help="the repository root the sources are relative to")
    args = p.parse_args(argv)
    root = os.path.abspath(args.root)
    files = args.files or [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    problems, marked = [], 0
    for doc in files:
        if not os.path.isfile(doc):
            problems.append(f"{doc}: no such file")
            continue
        with open(doc, encoding="utf-8") as f:
            marked += sum(1 for line in f if MARKER.match(line))
        problems += check_file(doc, root)
    for line in problems:
        print(f"check_docs: {line}", file=sys.stderr)
    if not problems:
        print(f"check_docs: {marked} marked blocks in {len(files)} files agree with their sources")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
