"""The small subset of YAML that curlrl's config.yaml and sweep files use, read without a YAML library.

A document is a mapping; nested mappings give dotted keys (agent: / batch_size: 128 -> agent.batch_size). A value is a
scalar on the key's line (`key: text`, `key: [a, b]`, `key: "quoted"`) or an indented block list (`- item`). Comments
(# at a line's start or after a blank, outside quotes) and `---` lines are skipped; tabs may not indent. Anything else
is a YamlError naming FILE:LINE. Callers read the values: a run's config keeps them as text (runfolder.read_config), a
sweep file expands them into the values to sweep (values.parse_sweep_file).
"""

import re


class YamlError(ValueError):
    """A file outside the subset; the message starts with FILE:LINE."""


def unquote(text):
    """`text` stripped, without the quotes around it if it is quoted."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def strip_comment(line):
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _lines(path):
    """[(line number, indent, text)] of the lines that hold something. Raises OSError when unreadable."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().splitlines()
    lines = []
    for n, line in enumerate(raw, 1):
        if "\t" in line[:len(line) - len(line.lstrip())]:
            raise YamlError(f"{path}:{n}: tabs are not allowed for indentation")
        text = strip_comment(line).rstrip()
        if text.strip() in ("", "---"):
            continue
        lines.append((n, len(text) - len(text.lstrip(" ")), text.strip()))
    return lines


def entries(path):
    """Yields (dotted key, value, "FILE:LINE") in file order. value: the text after `key:`, quotes kept (so that a
    caller can tell "1,2" from 1,2), or the list of a block list's items, unquoted. A generator: an error is raised
    only when reading reaches it, after the entries before it."""
    lines = _lines(path)

    def block(i, indent, prefix):
        while i < len(lines):
            n, ind, text = lines[i]
            where = f"{path}:{n}"
            if ind < indent:
                return i
            if ind > indent:
                raise YamlError(f"{where}: unexpected indentation")
            if text.startswith("- "):
                raise YamlError(f"{where}: a list item where a key was expected")
            m = re.fullmatch(r"(\"[^\"]*\"|'[^']*'|[^:]+?)\s*:(?:\s+(.*))?", text)
            if not m:
                raise YamlError(f"{where}: expected 'key: value'")
            key = prefix + unquote(m.group(1))
            rest = (m.group(2) or "").strip()
            i += 1
            if rest:
                yield key, rest, where
                continue
            if i < len(lines) and lines[i][2].startswith("-") and lines[i][1] >= indent:
                item_indent = lines[i][1]
                items = []
                while i < len(lines) and lines[i][1] == item_indent and lines[i][2].startswith("-"):
                    item = lines[i][2][1:].strip()
                    if not item:
                        raise YamlError(f"{path}:{lines[i][0]}: empty list item")
                    items.append(unquote(item))
                    i += 1
                yield key, items, where
            elif i < len(lines) and lines[i][1] > indent:
                i = yield from block(i, lines[i][1], key + ".")
            else:
                raise YamlError(f"{where}: {key} has no value")
        return i

    if lines:
        yield from block(0, lines[0][1], "")
