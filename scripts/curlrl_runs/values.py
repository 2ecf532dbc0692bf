"""The values to sweep: KEY=VALUES arguments as Hydra's multirun writes them (lists, range(), choice()), and sweep
files (a YAML mapping of key -> list or scalar)."""

import re

from . import SweepError, yamlread

RESERVED_KEYS = ("run_dir", "resume")  # the sweep chooses each run's directory
KEY = r"[A-Za-z_][A-Za-z0-9_.]*"


def split_top_level(text, sep=","):
    """Splits at `sep` outside brackets, parentheses, braces and quotes."""
    parts, depth, quote, current = [], 0, None, []
    for c in text:
        if quote:
            current.append(c)
            if c == quote:
                quote = None
            continue
        if c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                raise SweepError(f"unbalanced '{c}' in {text!r}")
        elif c == sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(c)
    if quote or depth:
        raise SweepError(f"unbalanced {'quote' if quote else 'bracket'} in {text!r}")
    parts.append("".join(current))
    return parts


MAX_VALUES = 10000  # values of one swept key; more is surely a typo (and would be expanded in memory)


def expand_value(text, where):
    """The list of values a command-line value stands for."""
    text = text.strip()
    m = re.fullmatch(r"range\((.*)\)", text)
    if m:
        try:
            args = [int(a) for a in split_top_level(m.group(1))]
            span = range(*args)
        except (ValueError, TypeError) as e:
            raise SweepError(f"{where}: range() takes 1 to 3 integers, as Python's does ({e})")
        if not span:
            raise SweepError(f"{where}: {text} is empty")
        if len(span) > MAX_VALUES:
            raise SweepError(f"{where}: {text} has {len(span)} values; a sweep key takes at most {MAX_VALUES}")
        return [str(v) for v in span]
    m = re.fullmatch(r"choice\((.*)\)", text)
    if m:
        text = m.group(1)
    parts = [p.strip() for p in split_top_level(text)]
    if len(parts) > 1 and any(p == "" for p in parts):
        raise SweepError(f"{where}: empty value in {text!r}")
    return parts


def parse_override(arg):
    """KEY=VALUES -> (key, [values])."""
    if "=" not in arg:
        raise SweepError(f"{arg!r}: expected KEY=VALUE (e.g. seed=1,2,3)")
    key, value = arg.split("=", 1)
    key = key.strip()
    if not re.fullmatch(KEY, key):
        raise SweepError(f"{arg!r}: bad key {key!r}")
    if key in RESERVED_KEYS:
        raise SweepError(f"{arg!r}: the sweep sets {key} itself (use --sweep-dir for where runs go)")
    return key, expand_value(value, arg)


def _file_values(text, where):
    """The values of a sweep file's `key: text`: a flow list's items, a quoted scalar as it is, else as
    expand_value reads a command-line value."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise SweepError(f"{where}: a flow list must end with ]")
        inner = text[1:-1].strip()
        items = [yamlread.unquote(p) for p in split_top_level(inner)] if inner else []
        if not items or any(i == "" for i in items):
            raise SweepError(f"{where}: empty list or list item")
        return items
    if text.startswith("{"):
        raise SweepError(f"{where}: flow mappings are not supported; use an indented block")
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return [text[1:-1]]
    return expand_value(text, where)


def parse_sweep_file(path):
    """Reads a sweep file (see yamlread): a list is swept, a scalar is read like a command-line value.
    Returns [(key, [values])] in file order."""
    out = []
    try:
        for key, value, where in yamlread.entries(path):
            out.append((key, value if isinstance(value, list) else _file_values(value, where)))
    except OSError as e:
        raise SweepError(f"--sweep-file: {e}")
    except yamlread.YamlError as e:
        raise SweepError(str(e))
    for key, _ in out:
        if not re.fullmatch(KEY, key):
            raise SweepError(f"{path}: bad key {key!r}")
        if key in RESERVED_KEYS:
            raise SweepError(f"{path}: the sweep sets {key} itself")
    return out


def merge_keys(file_items, cli_items):
    """Ordered key -> values; a key given again (on the command line after the file) replaces the earlier values."""
    merged = {}
    for key, values in list(file_items) + list(cli_items):
        merged[key] = values
    return merged
