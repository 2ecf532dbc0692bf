"""sweep.py's command line: launching a sweep, `status` and `run-one` (the usage text is sweep.py's docstring)."""

import argparse
import datetime
import fcntl
import os
import shlex
import signal
import subprocess
import sys
import time

from . import SweepError
from .local import launch_local
from .plan import (classify_exit, config_groups, make_runs, move_stale, override_dict, run_command, run_state,
                   run_threads, slug, thread_env)
from .slurm import SCRIPT, launch_slurm
from .sweepdir import (count_statuses, load_sweep, now_text, prepare_sweep_dir, refresh_tables, show,
                       write_status)
from .values import RESERVED_KEYS, merge_keys, parse_override, parse_sweep_file

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def die(message, code=2):
    print(f"sweep.py: error: {message}", file=sys.stderr)
    sys.exit(code)


def cmd_run_one(argv):
    """sweep.py run-one SWEEP_DIR INDEX -- ARGS: one array task of a Slurm sweep."""
    if len(argv) < 2:
        die("usage: sweep.py run-one SWEEP_DIR INDEX [-- ARGS]")
    sweep_dir = os.path.abspath(argv[0])
    rest = argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    sweep = load_sweep(sweep_dir)
    runs = sweep["runs"]
    if not argv[1].isdigit() or int(argv[1]) >= len(runs):
        die(f"run-one: INDEX must be a run of {sweep_dir}: 0 to {len(runs) - 1}, got {argv[1]!r}")
    run = runs[int(argv[1])]
    if rest:  # the job script's line of runs.txt: the run's overrides, threads= and run_dir=
        given = override_dict(rest)
        run = dict(run, overrides=[a for a in rest if a.split("=", 1)[0] not in RESERVED_KEYS],
                   run_dir=given.get("run_dir", run["run_dir"]))
    curlrl = sweep["curlrl"]
    threads = int(os.environ.get("SLURM_CPUS_PER_TASK") or sweep.get("threads") or 1)
    groups = config_groups(curlrl)
    job = os.environ.get("SLURM_ARRAY_JOB_ID")
    job = f"{job}_{os.environ.get('SLURM_ARRAY_TASK_ID')}" if job else os.environ.get("SLURM_JOB_ID")

    state = run_state(run)
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
    print(", ".join(f"{n} {s}" for s, n in count_statuses(records).items() if n))
    return 0


def build_parser(doc):
    p = argparse.ArgumentParser(
        prog="sweep.py", description=doc.split("\n\n")[0],
        usage="sweep.py [options] KEY=VALUES ...   (also: sweep.py status DIR)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=doc.split("\n\n", 2)[2] + "\nexamples:\n"
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
    g.add_argument("--setup", action="append", default=[], metavar="COMMAND",
                   help="a shell command each array task runs before curlrl, e.g. --setup 'module load gcc' "
                        "(repeatable, in order; a failing one fails the task)")
    return p


def runs_to_validate(runs, groups):
    """The runs whose overrides validation checks: one for every distinct combination of group choices (task,
    agent, encoder, augment: the configuration rules are about their combinations) and one more wherever another
    key takes a value not checked yet, so every value of every swept key is checked at least once."""
    checked, covered = [], set()
    for run in runs:
        given = override_dict(run["overrides"])
        needs = {("groups", tuple(sorted((k, v) for k, v in given.items() if k in groups)))}
        needs |= {(k, v) for k, v in given.items() if k not in groups}
        if not needs <= covered:
            covered |= needs
            checked.append(run["overrides"])
    return checked


def validate(curlrl, runs, groups):
    """Checks overrides with `curlrl train --print-config` (which runs the trainer's configuration rules) before
    launching anything."""
    for overrides in runs_to_validate(runs, groups):
        r = subprocess.run([curlrl, "train", "--print-config"] + overrides, capture_output=True, text=True)
        if r.returncode != 0:
            msg = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise SweepError(f"curlrl rejects {' '.join(overrides)}: {msg}")


def main(argv, doc):
    """sweep.py with `argv`; `doc` is sweep.py's usage text (for --help). Returns the exit status."""
    if argv and argv[0] in ("status", "run-one"):
        try:
            return cmd_status(argv[1:]) if argv[0] == "status" else cmd_run_one(argv[1:])
        except SweepError as e:  # e.g. a folder that is not a sweep: one line, not a traceback
            die(str(e))
    args = build_parser(doc).parse_intermixed_args(argv)
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
    if os.path.exists(sweep_dir) and not os.path.isdir(sweep_dir):
        die(f"--sweep-dir {sweep_dir} is a file, not a folder")
    try:
        runs, swept = make_runs(keys, sweep_dir)
    except SweepError as e:
        die(str(e))
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
                if run_state(run) == "finished":
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
