"""The Slurm launcher: writes the sweep as a job array (slurm/job.sh and runs.txt), each task calling
`sweep.py run-one`, and submits it with sbatch."""

import itertools
import os
import shlex
import shutil
import subprocess
import sys

from . import SweepError
from .plan import override_dict, run_state
from .sweepdir import now_text, read_status, refresh_tables, show, write_atomic, write_status

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sweep.py")


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
    ] + (["# --setup: the compute node's environment (modules, containers, paths)"] + list(args.setup)
         if args.setup else []) + [
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
    todo = [r for r in runs if run_state(r) != "finished"]
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
