"""A sweep's runs: their names, overrides and directories, where each stands, and the curlrl command that starts or
resumes it. A run is a dict {"index", "name", "overrides": ["key=value", ...], "run_dir"}, as sweep.json holds it."""

import datetime
import itertools
import os
import re

from . import SweepError, runfolder


def slug(text):
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", text).strip("_") or "x"


MAX_RUNS = 10000  # runs of one sweep


def make_runs(keys, sweep_dir):
    """The cartesian product of `keys` (key -> values; the last key varies fastest), and the swept keys."""
    swept = [k for k, v in keys.items() if len(v) > 1]
    count = 1
    for values in keys.values():
        count *= len(values)
    if count > MAX_RUNS:
        raise SweepError(f"the sweep would have {count} runs ({' x '.join(str(len(keys[k])) for k in swept)}); "
                         f"a sweep holds at most {MAX_RUNS}: split it")
    combos = list(itertools.product(*keys.values())) if keys else [()]
    width = max(1, len(str(len(combos) - 1)))
    runs = []
    for index, combo in enumerate(combos):
        overrides = [f"{k}={v}" for k, v in zip(keys, combo)]
        values = dict(zip(keys, combo))
        label = "_".join(f"{slug(k.split('.')[-1])}-{slug(values[k])}" for k in swept)
        name = f"{index:0{width}d}" + (f"_{label}" if label else "")
        if len(name) > 120:
            name = name[:120]
        runs.append({"index": index, "name": name, "overrides": overrides,
                     "run_dir": os.path.join(sweep_dir, "runs", name)})
    return runs, swept


def config_groups(curlrl):
    """Config groups (task, agent, ...): chosen by name (task=walker_walk); curlrl's config::group_names()."""
    return {"task", "agent", "encoder", "augment"}


def override_dict(overrides):
    return dict(o.split("=", 1) for o in overrides)


def run_budget(run):
    """The run's env_steps budget: its override, else the value in the run's config.yaml, else None."""
    ov = override_dict(run["overrides"])
    if "env_steps" in ov:
        return runfolder.to_steps(ov["env_steps"])
    return runfolder.budget(run["run_dir"])


def run_state(run):
    """runfolder.disk_state of the run: 'new', 'stale', 'resumable' or 'finished'."""
    return runfolder.disk_state(run["run_dir"], run_budget(run))


def run_command(run, curlrl, threads, groups):
    """The curlrl command line for a run, given the state of its directory."""
    overrides = run["overrides"]
    if run_state(run) in ("resumable", "finished"):
        # A resumed run keeps its group choices (curlrl refuses them on resume); other keys may be re-given.
        overrides = [o for o in overrides if o.split("=", 1)[0] not in groups]
    keys = override_dict(run["overrides"])
    args = [curlrl, "train"] + overrides
    if "threads" not in keys:
        args.append(f"threads={threads}")
    args.append(f"run_dir={run['run_dir']}")
    return args


def run_threads(run, default):
    ov = override_dict(run["overrides"])
    try:
        return max(1, int(ov.get("threads", default)))
    except ValueError:
        return default


def thread_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    return env


def classify_exit(code, run, stopping):
    if code == 0:
        return "finished"
    if code in (130, 143) or (code is not None and code < 0 and stopping):
        return "interrupted"
    return "failed"


def move_stale(run):
    """A run directory with a config but no checkpoint (the run died before its first checkpoint) cannot be resumed:
    it is kept beside as <run_dir>.stale-<time> and the run starts again."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = f"{run['run_dir']}.stale-{stamp}"
    os.replace(run["run_dir"], dest)
    return dest
