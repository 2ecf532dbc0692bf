"""A sweep directory: sweep.json (the sweep's definition and runs), status/<index>.json (each run's status), the
runs.csv and runs.json tables, and the run directories below runs/."""

import datetime
import fcntl
import json
import os
import shlex

from . import SweepError, plan, runfolder

STATUSES = ("pending", "running", "finished", "failed", "interrupted")
CSV_COLUMNS = ["index", "name", "status", "exit_code", "budget", "env_steps", "last_eval_return", "checkpoint",
               "started", "ended", "seconds", "run_dir", "log", "slurm_job", "overrides"]


def now_text():
    return datetime.datetime.now().isoformat(timespec="seconds")


def show(path):
    """A path as the user would type it: relative to the working directory when below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_definition(sweep_dir):
    """sweep.json. Raises OSError or ValueError."""
    with open(os.path.join(sweep_dir, "sweep.json"), encoding="utf-8") as f:
        return json.load(f)


def check_definition(definition, fields):
    """Raises ValueError unless `definition` holds a non-empty list of runs, each with `fields` (name -> type)."""
    runs = definition.get("runs") if isinstance(definition, dict) else None
    if not isinstance(runs, list) or not runs:
        raise ValueError("sweep.json has no list of runs")
    for i, run in enumerate(runs):
        if not isinstance(run, dict) or any(not isinstance(run.get(k), t) for k, t in fields.items()):
            raise ValueError(f"sweep.json: run {i} lacks one of {', '.join(fields)}")


def load_sweep(sweep_dir):
    """sweep.json with every field the launchers read, or a SweepError naming the folder."""
    try:
        definition = read_definition(sweep_dir)
        check_definition(definition, {"index": int, "name": str, "overrides": list, "run_dir": str})
        return definition
    except (OSError, ValueError) as e:
        where = "sweep.json is damaged: " if isinstance(e, json.JSONDecodeError) else ""
        raise SweepError(f"{sweep_dir} is not a sweep directory ({where}{e})")


def find_runs(sweep_dir):
    """Run directories of a sweep: from sweep.json when present, else every folder holding eval.csv + config.yaml."""
    if os.path.exists(os.path.join(sweep_dir, "sweep.json")):
        runs = [r["run_dir"] for r in read_definition(sweep_dir).get("runs", [])]
        # sweep.json holds absolute paths; a sweep directory that was moved still finds its runs/ folder.
        return [d if os.path.isdir(d) else os.path.join(sweep_dir, "runs", os.path.basename(d)) for d in runs]
    found = []
    for root, dirs, _ in os.walk(sweep_dir):
        dirs[:] = sorted(d for d in dirs if d != "checkpoints")
        if runfolder.has_results(root):
            found.append(root)
    return found


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
    """A run's row of runs.csv / runs.json: its status file and what its directory holds."""
    st = read_status(sweep_dir, run)
    steps, ret = runfolder.last_eval(run["run_dir"])
    return {
        "index": run["index"], "name": run["name"], "status": st.get("status", "pending"),
        "exit_code": st.get("exit_code"), "budget": plan.run_budget(run), "env_steps": steps,
        "last_eval_return": ret, "checkpoint": runfolder.latest_checkpoint(run["run_dir"]),
        "started": st.get("started"), "ended": st.get("ended"), "seconds": st.get("seconds"),
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


def count_statuses(records):
    return {s: sum(1 for r in records if r["status"] == s) for s in STATUSES}


def refresh_tables(sweep_dir, runs):
    """Rewrites runs.csv and runs.json from the status files and the run directories (under a lock: Slurm array
    tasks call this concurrently)."""
    with open(os.path.join(sweep_dir, ".tables.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = [run_record(sweep_dir, r) for r in runs]
        write_atomic(os.path.join(sweep_dir, "runs.json"),
                     json.dumps({"sweep_dir": sweep_dir, "updated": now_text(), "counts": count_statuses(records),
                                 "runs": records}, indent=1) + "\n")
        lines = [",".join(CSV_COLUMNS)]
        lines += [",".join(csv_cell(r[c]) for c in CSV_COLUMNS) for r in records]
        write_atomic(os.path.join(sweep_dir, "runs.csv"), "\n".join(lines) + "\n")
    return records

