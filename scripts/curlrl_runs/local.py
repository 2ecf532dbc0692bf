"""The local launcher: runs a sweep's runs on this machine, --jobs at a time, each pinned to its own CPUs."""

import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time

from .plan import classify_exit, move_stale, run_command, run_state, run_threads, thread_env
from .sweepdir import count_statuses, now_text, read_status, refresh_tables, show, write_status


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


def last_line(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else ""
    except OSError:
        return ""


def fmt_duration(seconds):
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def launch_local(args, sweep_dir, runs, curlrl, groups):
    todo = []
    total = len(runs)
    for run in runs:
        state = run_state(run)
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
                state = run_state(run)
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
    counts = count_statuses(records)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    print(f"sweep.py: {summary}; table: {show(os.path.join(sweep_dir, 'runs.csv'))}")
    if signals:
        print(f"sweep.py: continue with the same command and --sweep-dir {shlex.quote(sweep_dir)}")
        return 130 if signals[0] == signal.SIGINT else 143
    return 1 if counts["failed"] else 0
