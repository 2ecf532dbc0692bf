"""Reading one curlrl run directory (what `curlrl train` writes: core/run_dir.h, train/checkpoint.h):

  config.yaml                         the resolved configuration
  eval.csv, train.csv                 one row per evaluation / training episode; a resumed run's rows end at its
                                      checkpoint, so a step evaluated again appears twice
  checkpoints/env_steps_N/            a checkpoint, complete once its manifest.txt exists (written last)
"""

import csv
import os
import re

from . import yamlread


def run_file(run_dir, name):
    return os.path.join(run_dir, name)


def has_results(run_dir):
    """Whether the run has written its configuration and an evaluation log."""
    return os.path.exists(run_file(run_dir, "config.yaml")) and os.path.exists(run_file(run_dir, "eval.csv"))


def read_config(run_dir):
    """config.yaml as {dotted key: text}: quotes removed, a list as its flow text ("[crop, cutout]"). Raises OSError
    or yamlread.YamlError (a ValueError)."""
    flat = {}
    for key, value, _ in yamlread.entries(run_file(run_dir, "config.yaml")):
        flat[key] = yamlread.unquote(value) if isinstance(value, str) else "[" + ", ".join(value) + "]"
    return flat


def read_eval(run_dir, mode="train"):
    """[(env_steps, mean return over the evaluation's episodes)] of eval.csv, sorted by step; of a step's rows the
    last counts (a resumed run evaluates its checkpoint's step again). Rows that do not parse are skipped. With
    evaluation modes (a `mode` column: eval.modes=[train,color_hard,...]) only the rows of `mode`; a file without
    that column is all training look."""
    points = {}
    with open(run_file(run_dir, "eval.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if (row.get("mode") or "train") != mode:
                continue
            try:
                points[int(row["env_steps"])] = float(row["episode_return"])
            except (KeyError, ValueError, TypeError):
                continue
    return sorted(points.items())


def eval_modes(run_dir):
    """The evaluation modes eval.csv holds, in order of first appearance (["train"] without a mode column)."""
    modes = []
    with open(run_file(run_dir, "eval.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            m = row.get("mode") or "train"
            if m not in modes:
                modes.append(m)
    return modes or ["train"]


def last_eval(run_dir):
    """(env_steps, episode_return) of the last evaluation, or (None, None)."""
    try:
        evals = read_eval(run_dir)
    except OSError:
        return None, None
    return evals[-1] if evals else (None, None)


def read_train(run_dir):
    """train.csv as {column: [float, or None where empty or not a number]}."""
    with open(run_file(run_dir, "train.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {}
    for row in rows:
        for k, v in row.items():
            try:
                cols.setdefault(k, []).append(float(v) if v not in ("", None) else None)
            except ValueError:
                cols.setdefault(k, []).append(None)
    return cols


def latest_checkpoint(run_dir):
    """env_steps of the newest complete checkpoint (with its manifest), or None."""
    root = run_file(run_dir, "checkpoints")
    best = None
    try:
        names = os.listdir(root)
    except OSError:
        return None
    for name in names:
        m = re.fullmatch(r"env_steps_(\d+)", name)
        if m and os.path.exists(os.path.join(root, name, "manifest.txt")):
            best = max(best or 0, int(m.group(1)))
    return best


def to_steps(text):
    """A number of environment steps given as text ("100000", "1e5"), or None."""
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return None


def budget(run_dir):
    """env_steps of the run's config.yaml, or None (no or unreadable config, no such key)."""
    try:
        text = read_config(run_dir).get("env_steps")
    except (OSError, yamlread.YamlError):
        return None
    return None if text is None else to_steps(text)


def disk_state(run_dir, steps_budget):
    """What the directory says of a run to reach `steps_budget` (None: unknown): 'new' (no config.yaml),
    'stale' (started, no complete checkpoint), 'finished' (a checkpoint at the budget) or 'resumable'."""
    if not os.path.exists(run_file(run_dir, "config.yaml")):
        return "new"
    ckpt = latest_checkpoint(run_dir)
    if ckpt is None:
        return "stale"
    if steps_budget is not None and ckpt >= steps_budget:
        return "finished"
    return "resumable"
