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

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from curlrl_runs import cli  # noqa: E402  (scripts/curlrl_runs/: the sweep's modules and the run-folder reader)

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `sweep.py --dry-run ... | head` ends quietly
    sys.exit(cli.main(sys.argv[1:], __doc__))
