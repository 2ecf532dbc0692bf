#!/usr/bin/python3
"""Hyperparameter sweeps of `curlrl train`, on this machine or as a Slurm job array.

usage:
  sweep.py [options] KEY=VALUES ...          launch (or continue) a sweep
  sweep.py status SWEEP_DIR                  refresh and print the status of a sweep's runs
  sweep.py run-one SWEEP_DIR INDEX -- ARGS   run one run of a sweep (what each Slurm array task calls)

KEY=VALUES, as Hydra's multirun writes them:
  seed=1,2,3                   a list: the sweep takes the cartesian product over every listed key
  seed=range(1,6)              Python's range: 1,2,3,4,5 (also range(stop) and range(start,stop,step))
  task=choice(a,b)             the same as task=a,b
  env_steps=100000             one value: passed through unchanged to every run
  'augment.name=[crop,flip]'   commas inside brackets, parentheses, braces or quotes do not split
--sweep-file FILE.yaml holds the same as a YAML mapping (a small subset of YAML: nested keys become dotted keys,
a list is swept, a scalar is read like a command-line value); the command line wins for a key given in both.

Every run gets its own run directory SWEEP_DIR/runs/<index>_<swept values> (passed as run_dir=...). SWEEP_DIR holds
sweep.json (the sweep's definition), runs.csv and runs.json (each run's overrides, run_dir and status: pending,
running, finished, failed or interrupted, with its progress), status/ and logs/. Running the same command again with
the same --sweep-dir continues the sweep: finished runs are skipped, interrupted ones resume from their last
checkpoint (curlrl does that itself for a run_dir holding a checkpoint), the others start.
"""

import argparse
import ctypes
import datetime
import fcntl
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.abspath(__file__)
STATUSES = ("pending", "running", "finished", "failed", "interrupted")
CSV_COLUMNS = ["index", "name", "status", "exit_code", "budget", "env_steps", "last_eval_return", "checkpoint",
               "started", "ended", "seconds", "run_dir", "log", "slurm_job", "overrides"]
RESERVED_KEYS = ("run_dir", "resume")  # the sweep chooses each run's directory


class SweepError(Exception):
    pass


def die(message, code=2):
    print(f"sweep.py: error: {message}", file=sys.stderr)
    sys.exit(code)


def now_text():
    return datetime.datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------------------------
# Values: splitting, range(), choice()
# ---------------------------------------------------------------------------------------------------------------

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


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def expand_value(text, where):
    """The list of values a command-line value stands for."""
    text = text.strip()
    m = re.fullmatch(r"range\((.*)\)", text)
    if m:
        try:
            args = [int(a) for a in split_top_level(m.group(1))]
            values = [str(v) for v in range(*args)]
        except (ValueError, TypeError) as e:
            raise SweepError(f"{where}: range() takes 1 to 3 integers, as Python's does ({e})")
        if not values:
            raise SweepError(f"{where}: {text} is empty")
        return values
    m = re.fullmatch(r"choice\((.*)\)", text)
    if m:
        text = m.group(1)
    parts = [p.strip() for p in split_top_level(text)]
    if len(parts) > 1 and any(p == "" for p in parts):
        raise SweepError(f"{where}: empty value in {text!r}")
    return parts


def parse_override(arg):
    if "=" not in arg:
        raise SweepError(f"{arg!r}: expected KEY=VALUE (e.g. seed=1,2,3)")
    key, value = arg.split("=", 1)
    key = key.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
        raise SweepError(f"{arg!r}: bad key {key!r}")
    if key in RESERVED_KEYS:
        raise SweepError(f"{arg!r}: the sweep sets {key} itself (use --sweep-dir for where runs go)")
    return key, expand_value(value, arg)


# ---------------------------------------------------------------------------------------------------------------
# Sweep files: a small subset of YAML
# ---------------------------------------------------------------------------------------------------------------

def _strip_comment(line):
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


def parse_sweep_file(path):
    """Reads a YAML mapping of key -> list or scalar (nested mappings flatten to dotted keys). Supported: comments,
    `key: scalar`, `key: [a, b]`, `key:` with an indented block list (`- a`) or an indented mapping, quoted strings.
    Returns [(key, [values])] in file order."""
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read().splitlines()
    except OSError as e:
        raise SweepError(f"--sweep-file: {e}")
    lines = []
    for n, line in enumerate(raw, 1):
        if "\t" in line[:len(line) - len(line.lstrip())]:
            raise SweepError(f"{path}:{n}: tabs are not allowed for indentation")
        text = _strip_comment(line).rstrip()
        if text.strip() in ("", "---"):
            continue
        lines.append((n, len(text) - len(text.lstrip(" ")), text.strip()))

    out = []

    def scalar_values(text, where):
        if text.startswith("["):
            if not text.endswith("]"):
                raise SweepError(f"{where}: a flow list must end with ]")
            inner = text[1:-1].strip()
            items = [unquote(p) for p in split_top_level(inner)] if inner else []
            if not items or any(i == "" for i in items):
                raise SweepError(f"{where}: empty list or list item")
            return items
        if text.startswith("{"):
            raise SweepError(f"{where}: flow mappings are not supported; use an indented block")
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return [text[1:-1]]
        return expand_value(text, where)

    def block(i, indent, prefix):
        while i < len(lines):
            n, ind, text = lines[i]
            where = f"{path}:{n}"
            if ind < indent:
                return i
            if ind > indent:
                raise SweepError(f"{where}: unexpected indentation")
            if text.startswith("- "):
                raise SweepError(f"{where}: a list item where a key was expected")
            m = re.fullmatch(r"(\"[^\"]*\"|'[^']*'|[^:]+?)\s*:(?:\s+(.*))?", text)
            if not m:
                raise SweepError(f"{where}: expected 'key: value'")
            key = prefix + unquote(m.group(1))
            rest = (m.group(2) or "").strip()
            i += 1
            if rest:
                out.append((key, scalar_values(rest, where)))
                continue
            if i < len(lines) and lines[i][2].startswith("-") and lines[i][1] >= indent:
                item_indent = lines[i][1]
                items = []
                while i < len(lines) and lines[i][1] == item_indent and lines[i][2].startswith("-"):
                    item = lines[i][2][1:].strip()
                    if not item:
                        raise SweepError(f"{path}:{lines[i][0]}: empty list item")
                    items.append(unquote(item))
                    i += 1
                out.append((key, items))
            elif i < len(lines) and lines[i][1] > indent:
                i = block(i, lines[i][1], key + ".")
            else:
                raise SweepError(f"{where}: {key} has no value")
        return i

    if lines:
        block(0, lines[0][1], "")
    for key, _ in out:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
            raise SweepError(f"{path}: bad key {key!r}")
        if key in RESERVED_KEYS:
            raise SweepError(f"{path}: the sweep sets {key} itself")
    return out


# ---------------------------------------------------------------------------------------------------------------
# The runs of a sweep
# ---------------------------------------------------------------------------------------------------------------

def merge_keys(file_items, cli_items):
    """Ordered key -> values; a key given again (on the command line after the file) replaces the earlier values."""
    merged = {}
    for key, values in list(file_items) + list(cli_items):
        merged[key] = values
    return merged


def slug(text):
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", text).strip("_") or "x"


def make_runs(keys, sweep_dir):
    swept = [k for k, v in keys.items() if len(v) > 1]
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


# ---------------------------------------------------------------------------------------------------------------
# Reading a run directory
# ---------------------------------------------------------------------------------------------------------------

def latest_checkpoint(run_dir):
    """env_steps of the newest complete checkpoint (with its manifest), or None."""
    root = os.path.join(run_dir, "checkpoints")
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


def run_budget(run, run_dir=None):
    """The run's env_steps budget: its override, else the value in the run's config.yaml, else None."""
    ov = override_dict(run["overrides"])
    if "env_steps" in ov:
        try:
            return int(float(ov["env_steps"]))
        except ValueError:
            return None
    try:
        with open(os.path.join(run_dir or run["run_dir"], "config.yaml"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"env_steps:\s*([0-9]+)", line)
                if m:
                    return int(m.group(1))
    except OSError:
        pass
    return None


def last_eval(run_dir):
    """(env_steps, episode_return) of the last row of eval.csv, or (None, None)."""
    try:
        with open(os.path.join(run_dir, "eval.csv"), encoding="utf-8") as f:
            rows = [line.rstrip("\n").split(",") for line in f if line.strip()]
    except OSError:
        return None, None
    if len(rows) < 2:
        return None, None
    header = rows[0]
    try:
        i_steps, i_ret = header.index("env_steps"), header.index("episode_return")
        return int(rows[-1][i_steps]), float(rows[-1][i_ret])
    except (ValueError, IndexError):
        return None, None


def disk_state(run):
    """What the run directory says: 'finished', 'resumable', 'stale' (started, no checkpoint) or 'new'."""
    run_dir = run["run_dir"]
    if not os.path.exists(os.path.join(run_dir, "config.yaml")):
        return "new"
    ckpt = latest_checkpoint(run_dir)
    if ckpt is None:
        return "stale"
    budget = run_budget(run)
    if budget is not None and ckpt >= budget:
        return "finished"
    return "resumable"


def run_command(run, curlrl, threads, groups):
    """The curlrl command line for a run, given the state of its directory."""
    overrides = run["overrides"]
    if disk_state(run) in ("resumable", "finished"):
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


# ---------------------------------------------------------------------------------------------------------------
# The sweep directory: sweep.json, status/<index>.json, runs.csv, runs.json
# ---------------------------------------------------------------------------------------------------------------

def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def status_path(sweep_dir, index):
    return os.path.join(sweep_dir, "status", f"{index}.json")


def read_status(sweep_dir, run):
    try:
        with open(status_path(sweep_dir, run["index"]), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"status": "pending"}


def write_status(sweep_dir, run, **fields):
    st = read_status(sweep_dir, run)
    st.update(fields)
    write_atomic(status_path(sweep_dir, run["index"]), json.dumps(st, indent=1) + "\n")
    return st


def run_record(sweep_dir, run):
    st = read_status(sweep_dir, run)
    steps, ret = last_eval(run["run_dir"])
    started, ended = st.get("started"), st.get("ended")
    seconds = st.get("seconds")
    return {
        "index": run["index"], "name": run["name"], "status": st.get("status", "pending"),
        "exit_code": st.get("exit_code"), "budget": run_budget(run), "env_steps": steps,
        "last_eval_return": ret, "checkpoint": latest_checkpoint(run["run_dir"]), "started": started, "ended": ended, "seconds": seconds,
        "run_dir": run["run_dir"], "log": st.get("log"), "slurm_job": st.get("slurm_job"),
        "overrides": run["overrides"],
    }


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, list):
        v = " ".join(shlex.quote(x) for x in v)
    if isinstance(v, float):
        v = f"{v:.6g}"
    v = str(v)
    if any(c in v for c in ",\"\n"):
        v = '"' + v.replace('"', '""') + '"'
    return v


def refresh_tables(sweep_dir, runs):
    """Rewrites runs.csv and runs.json from the status files and the run directories (under a lock: Slurm array
    tasks call this concurrently)."""
    with open(os.path.join(sweep_dir, ".tables.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = [run_record(sweep_dir, r) for r in runs]
        counts = {s: sum(1 for r in records if r["status"] == s) for s in STATUSES}
        write_atomic(os.path.join(sweep_dir, "runs.json"),
                     json.dumps({"sweep_dir": sweep_dir, "updated": now_text(), "counts": counts,
                                 "runs": records}, indent=1) + "\n")
        lines = [",".join(CSV_COLUMNS)]
        lines += [",".join(csv_cell(r[c]) for c in CSV_COLUMNS) for r in records]
        write_atomic(os.path.join(sweep_dir, "runs.csv"), "\n".join(lines) + "\n")
    return records


def load_sweep(sweep_dir):
    path = os.path.join(sweep_dir, "sweep.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise SweepError(f"{sweep_dir} is not a sweep directory ({e})")


def prepare_sweep_dir(sweep_dir, definition, runs, write):
    """Creates the sweep directory, or checks that an existing one holds the same runs."""
    path = os.path.join(sweep_dir, "sweep.json")
    if os.path.exists(path):
        old = load_sweep(sweep_dir)
        old_runs = [(r["name"], r["overrides"]) for r in old.get("runs", [])]
        new_runs = [(r["name"], r["overrides"]) for r in runs]
        if old_runs != new_runs:
            raise SweepError(f"{sweep_dir} holds a different sweep ({len(old_runs)} runs, e.g. "
                             f"{' '.join(old_runs[0][1]) if old_runs else 'none'}); choose another --sweep-dir")
        return True
    if write:
        for sub in ("runs", "status", "logs"):
            os.makedirs(os.path.join(sweep_dir, sub), exist_ok=True)
        write_atomic(path, json.dumps(definition, indent=1) + "\n")
    return False


# ---------------------------------------------------------------------------------------------------------------
# Running one run (local slots and Slurm array tasks alike)
# ---------------------------------------------------------------------------------------------------------------

def move_stale(run):
    """A run directory with a config but no checkpoint (the run died before its first checkpoint) cannot be resumed:
    it is kept beside as <run_dir>.stale-<time> and the run starts again."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = f"{run['run_dir']}.stale-{stamp}"
    os.replace(run["run_dir"], dest)
    return dest


def classify_exit(code, run, stopping):
    if code == 0:
        return "finished"
    if code in (130, 143) or (code is not None and code < 0 and stopping):
        return "interrupted"
    return "failed"


def thread_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    return env


def last_line(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else ""
    except OSError:
        return ""


def show(path):
    """A path as the user would type it: relative to the working directory when below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def fmt_duration(seconds):
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def cmd_run_one(argv):
    """sweep.py run-one SWEEP_DIR INDEX -- ARGS: one array task of a Slurm sweep."""
    if len(argv) < 2:
        die("usage: sweep.py run-one SWEEP_DIR INDEX [-- ARGS]")
    sweep_dir, index = os.path.abspath(argv[0]), int(argv[1])
    rest = argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    sweep = load_sweep(sweep_dir)
    runs = sweep["runs"]
    run = runs[index]
    if rest:  # the job script's line of runs.txt: the run's overrides, threads= and run_dir=
        given = override_dict(rest)
        run = dict(run, overrides=[a for a in rest if a.split("=", 1)[0] not in RESERVED_KEYS],
                   run_dir=given.get("run_dir", run["run_dir"]))
    curlrl = sweep["curlrl"]
    threads = int(os.environ.get("SLURM_CPUS_PER_TASK") or sweep.get("threads") or 1)
    groups = config_groups(curlrl)
    job = os.environ.get("SLURM_ARRAY_JOB_ID")
    job = f"{job}_{os.environ.get('SLURM_ARRAY_TASK_ID')}" if job else os.environ.get("SLURM_JOB_ID")

    state = disk_state(run)
    if state == "finished":
        write_status(sweep_dir, run, status="finished", exit_code=0, slurm_job=job)
        refresh_tables(sweep_dir, runs)
        print(f"sweep.py: {run['name']} already finished")
        return 0
    if state == "stale":
        print(f"sweep.py: {run['run_dir']} has no checkpoint to resume; kept as {move_stale(run)}", flush=True)
    args = run_command(run, curlrl, run_threads(run, threads), groups)
    start = time.time()
    write_status(sweep_dir, run, status="running", started=now_text(), ended=None, exit_code=None,
                 slurm_job=job, host=os.uname().nodename, command=args)
    refresh_tables(sweep_dir, runs)
    print("sweep.py: " + " ".join(shlex.quote(a) for a in args), flush=True)
    proc = subprocess.Popen(args, env=thread_env(run_threads(run, threads)))
    stopping = []

    def forward(sig, _frame):
        stopping.append(sig)
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):
        signal.signal(sig, forward)
    code = proc.wait()
    status = classify_exit(code, run, bool(stopping))
    write_status(sweep_dir, run, status=status, exit_code=code, ended=now_text(),
                 seconds=round(time.time() - start, 1))
    refresh_tables(sweep_dir, runs)
    print(f"sweep.py: {run['name']} {status} (exit {code})", flush=True)
    return code if code >= 0 else 128 - code


# ---------------------------------------------------------------------------------------------------------------
# The local launcher
# ---------------------------------------------------------------------------------------------------------------

def cpu_slots(jobs, threads, pin):
    """Per slot, the CPUs it is pinned to (None: no pinning)."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        cpus = list(range(os.cpu_count() or 1))
    if not pin or jobs * threads > len(cpus):
        return [None] * jobs
    return [cpus[k * threads:(k + 1) * threads] for k in range(jobs)]


try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl  # noqa: B018  (Linux only)
except (OSError, AttributeError):
    _libc = None


def child_setup(cpus):
    """Runs in each local child before exec: pins it to its CPUs, and asks the kernel to send it SIGTERM if sweep.py
    dies without forwarding a signal (curlrl then checkpoints and exits instead of running on unsupervised)."""
    def setup():
        if cpus:
            os.sched_setaffinity(0, cpus)
        if _libc is not None:
            _libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    return setup


def cpu_text(cpus):
    return ",".join(str(c) for c in cpus) if cpus else "any"


def launch_local(args, sweep_dir, runs, curlrl, groups):
    todo = []
    total = len(runs)
    for run in runs:
        state = disk_state(run)
        if state == "finished":
            write_status(sweep_dir, run, status="finished", exit_code=0)
            print(f"[{run['index'] + 1}/{total}] {run['name']}: already finished, skipped")
        else:
            st = read_status(sweep_dir, run).get("status")
            if st == "running":  # left so by a sweep.py that was killed
                write_status(sweep_dir, run, status="interrupted" if state == "resumable" else "failed")
            todo.append(run)
    refresh_tables(sweep_dir, runs)

    slots = cpu_slots(args.jobs, args.threads_per_job, not args.no_pin)
    free = list(range(args.jobs))
    running = {}  # pid -> (proc, run, slot, start, logfile)
    signals = []

    def on_signal(sig, _frame):
        signals.append(sig)
        if len(signals) == 1:
            print(f"\nsweep.py: {signal.Signals(sig).name}: stopping; {len(running)} running runs write a "
                  "checkpoint and exit (3 more signals kill them)", file=sys.stderr, flush=True)
            targets = [(p, sig) for p, *_ in running.values()]
        elif len(signals) >= 4:
            print("sweep.py: killing the runs", file=sys.stderr, flush=True)
            targets = [(p, signal.SIGKILL) for p, *_ in running.values()]
        else:
            print(f"sweep.py: still waiting for {len(running)} runs to checkpoint", file=sys.stderr, flush=True)
            targets = []
        for p, s in targets:
            try:
                os.killpg(p.pid, s)
            except (ProcessLookupError, PermissionError):
                pass

    old_handlers = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while (todo and not signals) or running:
            while todo and free and not signals:
                run = todo.pop(0)
                slot = free.pop(0)
                state = disk_state(run)
                if state == "stale":
                    print(f"[{run['index'] + 1}/{total}] {run['name']}: no checkpoint to resume; old directory "
                          f"kept as {move_stale(run)}")
                threads = run_threads(run, args.threads_per_job)
                cmd = run_command(run, curlrl, threads, groups)
                log = os.path.join(sweep_dir, "logs", run["name"] + ".log")
                logfile = open(log, "a", encoding="utf-8")
                logfile.write(f"# {now_text()} sweep.py: {' '.join(shlex.quote(a) for a in cmd)}\n")
                logfile.flush()
                cpus = slots[slot]
                proc = subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=thread_env(threads), start_new_session=True,
                                        preexec_fn=child_setup(cpus))
                running[proc.pid] = (proc, run, slot, time.time(), logfile)
                write_status(sweep_dir, run, status="running", started=now_text(), ended=None, exit_code=None,
                             log=log, command=cmd, host=os.uname().nodename)
                refresh_tables(sweep_dir, runs)
                verb = "resumed" if state == "resumable" else "started"
                print(f"[{run['index'] + 1}/{total}] {run['name']}: {verb} (threads {threads}, cpus "
                      f"{cpu_text(cpus)}); log {show(log)}", flush=True)
            done = [(pid, entry) for pid, entry in running.items() if entry[0].poll() is not None]
            if not done:
                time.sleep(0.2)
                continue
            for pid, (proc, run, slot, start, logfile) in done:
                del running[pid]
                free.append(slot)
                free.sort()
                logfile.close()
                code = proc.returncode
                status = classify_exit(code, run, bool(signals))
                write_status(sweep_dir, run, status=status, exit_code=code, ended=now_text(),
                             seconds=round(time.time() - start, 1))
                records = refresh_tables(sweep_dir, runs)
                rec = records[run["index"]]
                took = fmt_duration(time.time() - start)
                if status == "finished":
                    ret = rec["last_eval_return"]
                    extra = f", last eval return {ret:.1f} at {rec['env_steps']} env steps" if ret is not None else ""
                    print(f"[{run['index'] + 1}/{total}] {run['name']}: finished in {took}{extra}", flush=True)
                elif status == "interrupted":
                    print(f"[{run['index'] + 1}/{total}] {run['name']}: interrupted after {took} (resumes when "
                          "the sweep is started again)", flush=True)
                else:
                    print(f"[{run['index'] + 1}/{total}] {run['name']}: FAILED (exit {code}): "
                          f"{last_line(rec['log'] or '')}\n    log: {rec['log']}", flush=True)
    finally:
        for s, h in old_handlers.items():
            signal.signal(s, h)
    records = refresh_tables(sweep_dir, runs)
    counts = {s: sum(1 for r in records if r["status"] == s) for s in STATUSES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    print(f"sweep.py: {summary}; table: {show(os.path.join(sweep_dir, 'runs.csv'))}")
    if signals:
        print(f"sweep.py: continue with the same command and --sweep-dir {shlex.quote(sweep_dir)}")
        return 130 if signals[0] == signal.SIGINT else 143
    return 1 if counts["failed"] else 0


# ---------------------------------------------------------------------------------------------------------------
# The Slurm launcher
# ---------------------------------------------------------------------------------------------------------------

def array_spec(indices):
    """[0,1,2,5,7,8] -> '0-2,5,7-8'"""
    parts = []
    for _, group in itertools.groupby(enumerate(indices), lambda p: p[1] - p[0]):
        g = [v for _, v in group]
        parts.append(str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}")
    return ",".join(parts)


def slurm_script(args, sweep_dir, name, indices, cpus):
    sb = [f"--job-name={name}", f"--array={array_spec(indices)}" + (f"%{args.jobs}" if args.jobs_given else ""),
          "--ntasks=1", f"--cpus-per-task={cpus}",
          f"--output={os.path.join(sweep_dir, 'slurm', 'logs', '%A_%a.out')}",
          # Slurm's time-limit warning: curlrl checkpoints on SIGTERM; give it two minutes before the kill.
          "--signal=B:TERM@120"]
    if args.partition:
        sb.append(f"--partition={args.partition}")
    if args.mem:
        sb.append(f"--mem={args.mem}")
    if args.time:
        sb.append(f"--time={args.time}")
    if args.gpus:
        sb.append(f"--gpus={args.gpus}")
    for extra in args.sbatch:
        sb.append(extra)
    lines = ["#!/bin/bash"] + [f"#SBATCH {o}" for o in sb] + [
        "#",
        f"# curlrl sweep {name}: array task i runs line i+1 of runs.txt (its curlrl train overrides) through",
        "# sweep.py run-one, which resumes the run from its checkpoint when it has one, skips it when it has",
        "# finished, and records its status in the sweep directory. Resubmitting this script continues the sweep.",
        "set -euo pipefail",
        f"SWEEP_DIR={shlex.quote(sweep_dir)}",
        'line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$SWEEP_DIR/runs.txt")',
        'if [ -z "$line" ]; then echo "no line $((SLURM_ARRAY_TASK_ID + 1)) in $SWEEP_DIR/runs.txt" >&2; exit 2; fi',
        'eval "set -- $line"',
        "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}",
        "export MKL_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS",
        "# exec: Slurm's signals (scancel, the time-limit TERM) reach sweep.py, which forwards them to curlrl.",
        f'exec /usr/bin/python3 {shlex.quote(SCRIPT)} run-one "$SWEEP_DIR" "$SLURM_ARRAY_TASK_ID" -- "$@"',
    ]
    return "\n".join(lines) + "\n"


def runs_txt(runs, threads):
    lines = []
    for run in runs:
        args = list(run["overrides"])
        if "threads" not in override_dict(run["overrides"]):
            args.append(f"threads={threads}")
        args.append(f"run_dir={run['run_dir']}")
        lines.append(" ".join(shlex.quote(a) for a in args))
    return "\n".join(lines) + "\n"


def launch_slurm(args, sweep_dir, runs, name, dry_run):
    cpus = args.cpus
    todo = [r for r in runs if disk_state(r) != "finished"]
    script = slurm_script(args, sweep_dir, name, [r["index"] for r in todo] or [0], cpus)
    script_path = os.path.join(sweep_dir, "slurm", "job.sh")
    if dry_run:
        print(f"# {os.path.join(sweep_dir, 'runs.txt')}")
        sys.stdout.write(runs_txt(runs, cpus))
        print(f"# {script_path}")
        sys.stdout.write(script)
        print(f"sbatch {shlex.quote(script_path)}")
        return 0
    for run in runs:
        if run not in todo:
            write_status(sweep_dir, run, status="finished", exit_code=0)
    os.makedirs(os.path.join(sweep_dir, "slurm", "logs"), exist_ok=True)
    write_atomic(os.path.join(sweep_dir, "runs.txt"), runs_txt(runs, cpus))
    write_atomic(script_path, script)
    os.chmod(script_path, 0o755)
    refresh_tables(sweep_dir, runs)
    if not todo:
        print(f"sweep.py: all {len(runs)} runs have finished; nothing to submit")
        return 0
    running = [r["name"] for r in todo if read_status(sweep_dir, r).get("status") == "running"]
    if running:
        print(f"sweep.py: warning: {len(running)} runs are marked running (e.g. {running[0]}); if their jobs are "
              "still alive, a new submission runs them twice", file=sys.stderr)
    print(f"sweep.py: wrote {show(script_path)} ({len(todo)} of {len(runs)} runs)")
    if not args.submit:
        print(f"submit with: sbatch {shlex.quote(script_path)}")
        return 0
    sbatch = shutil.which("sbatch")
    if not sbatch:
        raise SweepError("sbatch not found (is Slurm installed and on PATH?)")
    r = subprocess.run([sbatch, "--parsable", script_path], capture_output=True, text=True)
    if r.returncode != 0:
        raise SweepError(f"sbatch failed (exit {r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
    job_id = r.stdout.strip().split(";")[0]
    with open(os.path.join(sweep_dir, "slurm", "jobs.txt"), "a", encoding="utf-8") as f:
        f.write(f"{job_id} {now_text()} {array_spec([r['index'] for r in todo])}\n")
    for run in todo:
        write_status(sweep_dir, run, status="pending", slurm_job=f"{job_id}_{run['index']}")
    refresh_tables(sweep_dir, runs)
    print(f"sweep.py: submitted job array {job_id} ({len(todo)} runs); follow it with: squeue -j {job_id}; "
          f"scripts/sweep.py status {shlex.quote(sweep_dir)}")
    return 0


# ---------------------------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------------------------

def cmd_status(argv):
    if len(argv) != 1:
        die("usage: sweep.py status SWEEP_DIR")
    sweep_dir = os.path.abspath(argv[0])
    runs = load_sweep(sweep_dir)["runs"]
    records = refresh_tables(sweep_dir, runs)
    width = max(len(r["name"]) for r in records)
    print(f"{'run':<{width}}  {'status':<11}  {'env_steps':>17}  last eval")
    for r in records:
        steps = f"{r['env_steps'] if r['env_steps'] is not None else '-'}/{r['budget'] or '?'}"
        ret = f"{r['last_eval_return']:.1f}" if r["last_eval_return"] is not None else "-"
        print(f"{r['name']:<{width}}  {r['status']:<11}  {steps:>17}  {ret}")
    counts = {s: sum(1 for r in records if r["status"] == s) for s in STATUSES}
    print(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return 0


# ---------------------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------------------

def build_parser():
    p = argparse.ArgumentParser(
        prog="sweep.py", description=__doc__.split("\n\n")[0],
        usage="sweep.py [options] KEY=VALUES ...   (also: sweep.py status DIR)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2] + "\nexamples:\n"
               "  scripts/sweep.py --jobs 2 --threads-per-job 1 agent=state_sac seed=1,2 env_steps=20000\n"
               "  scripts/sweep.py --launcher slurm --partition cpu --cpus 4 --mem 16G --time 2-00:00:00 --submit \\\n"
               "      task=cartpole_swingup,walker_walk seed='range(1,6)'\n")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUES", help="curlrl train overrides; lists are swept")
    p.add_argument("--sweep-file", help="YAML mapping of key -> list (swept) or scalar")
    p.add_argument("--sweep-dir", help="where the sweep lives (default: sweeps/<name>_<date>_<time>)")
    p.add_argument("--name", default="sweep", help="the sweep's name (default: sweep)")
    p.add_argument("--curlrl", default=os.path.join(REPO, "build", "curlrl"), help="the curlrl program")
    p.add_argument("--launcher", choices=("local", "slurm"), default="local")
    p.add_argument("--dry-run", action="store_true", help="print the commands; write and run nothing")
    p.add_argument("--no-validate", action="store_true",
                   help="skip checking the overrides with `curlrl train --print-config` before launching")
    g = p.add_argument_group("local launcher")
    g.add_argument("--jobs", type=int, help="runs at a time (local: default 1; slurm: array throttle, default none)")
    g.add_argument("--threads-per-job", type=int, help="threads of each run (default: CPUs / jobs)")
    g.add_argument("--no-pin", action="store_true", help="do not pin each run to its own CPUs")
    g = p.add_argument_group("slurm launcher")
    g.add_argument("--submit", action="store_true", help="submit the job array with sbatch and print its id")
    g.add_argument("--partition")
    g.add_argument("--cpus", type=int, default=2, help="CPUs per run (threads=; default 2)")
    g.add_argument("--mem", default="16G", help="memory per run (default 16G)")
    g.add_argument("--time", help="time limit per run, e.g. 2-00:00:00 (default: the partition's)")
    g.add_argument("--gpus", help="GPUs per run (also pass device=cuda)")
    g.add_argument("--sbatch", action="append", default=[], metavar="OPTION",
                   help="an extra #SBATCH option, e.g. --sbatch=--account=rl (repeatable)")
    return p


def validate(curlrl, runs, groups):
    """Checks overrides with curlrl before launching anything: the first run, and each value of every group."""
    checked = [runs[0]["overrides"]]
    base = override_dict(runs[0]["overrides"])
    seen = set()
    for run in runs[1:]:
        for o in run["overrides"]:
            k, v = o.split("=", 1)
            if k in groups and base.get(k) != v and o not in seen:
                seen.add(o)
                checked.append([x if x.split("=", 1)[0] != k else o for x in runs[0]["overrides"]])
    for overrides in checked:
        r = subprocess.run([curlrl, "train", "--print-config"] + overrides, capture_output=True, text=True)
        if r.returncode != 0:
            msg = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise SweepError(f"curlrl rejects {' '.join(overrides)}: {msg}")


def main(argv):
    if argv and argv[0] == "status":
        return cmd_status(argv[1:])
    if argv and argv[0] == "run-one":
        return cmd_run_one(argv[1:])
    args = build_parser().parse_intermixed_args(argv)
    try:
        file_items = parse_sweep_file(args.sweep_file) if args.sweep_file else []
        cli_items = [parse_override(o) for o in args.overrides]
    except SweepError as e:
        die(str(e))
    keys = merge_keys(file_items, cli_items)
    if not keys:
        die("nothing to sweep: give KEY=VALUES overrides or --sweep-file")
    args.jobs_given = args.jobs is not None
    if args.jobs is None:
        args.jobs = 1
    if args.jobs < 1:
        die("--jobs must be >= 1")
    if args.threads_per_job is None:
        try:
            ncpu = len(os.sched_getaffinity(0))
        except AttributeError:
            ncpu = os.cpu_count() or 1
        args.threads_per_job = max(1, ncpu // args.jobs)
    if args.threads_per_job < 1 or args.cpus < 1:
        die("--threads-per-job and --cpus must be >= 1")

    stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    sweep_dir = os.path.abspath(args.sweep_dir or os.path.join("sweeps", f"{slug(args.name)}_{stamp}"))
    curlrl = os.path.abspath(args.curlrl)
    runs, swept = make_runs(keys, sweep_dir)
    threads = args.cpus if args.launcher == "slurm" else args.threads_per_job
    definition = {"name": args.name, "created": now_text(), "command": [SCRIPT] + argv, "curlrl": curlrl,
                  "launcher": args.launcher, "threads": threads, "swept": swept,
                  "keys": {k: v for k, v in keys.items()}, "runs": runs}
    groups = config_groups(curlrl)
    try:
        if not args.dry_run and not os.access(curlrl, os.X_OK):
            raise SweepError(f"{curlrl} not found or not executable: build curlrl first (see README) or pass --curlrl")
        if not args.no_validate and os.access(curlrl, os.X_OK):
            validate(curlrl, runs, groups)
        if args.dry_run:
            exists = os.path.exists(os.path.join(sweep_dir, "sweep.json"))
            if exists:
                prepare_sweep_dir(sweep_dir, definition, runs, write=False)
            print(f"# sweep {sweep_dir}: {len(runs)} runs" + (f" over {', '.join(swept)}" if swept else "")
                  + (" (continuing)" if exists else ""))
            if args.launcher == "slurm":
                return launch_slurm(args, sweep_dir, runs, slug(args.name), dry_run=True)
            for run in runs:
                if disk_state(run) == "finished":
                    print(f"# {run['name']}: finished, skipped")
                    continue
                t = run_threads(run, args.threads_per_job)
                cmd = run_command(run, curlrl, t, groups)
                print(f"OMP_NUM_THREADS={t} " + " ".join(shlex.quote(a) for a in cmd))
            return 0
        continuing = prepare_sweep_dir(sweep_dir, definition, runs, write=True)
        with open(os.path.join(sweep_dir, ".sweep.lock"), "w") as lock:
            if args.launcher == "local":
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise SweepError(f"another sweep.py is running {sweep_dir}")
            print(f"sweep.py: {'continuing' if continuing else 'new'} sweep {show(sweep_dir)}: "
                  f"{len(runs)} runs" + (f" over {', '.join(swept)}" if swept else ""), flush=True)
            if args.launcher == "slurm":
                return launch_slurm(args, sweep_dir, runs, slug(args.name), dry_run=False)
            return launch_local(args, sweep_dir, runs, curlrl, groups)
    except SweepError as e:
        die(str(e))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `sweep.py --dry-run ... | head` ends quietly
    sys.exit(main(sys.argv[1:]))
