"""curlrl's run and sweep directories, for the scripts beside this package.

runfolder reads one run directory (config.yaml, eval.csv, train.csv, checkpoints) for sweep.py, aggregate.py and
plot.py; yamlread is the one YAML reader (config.yaml and sweep files). sweepdir is a sweep directory (sweep.json,
status files, runs.csv/runs.json; aggregate.py finds a sweep's runs with it). The rest is sweep.py's: values
(KEY=VALUES and sweep files), plan (a sweep's runs and their curlrl commands), local and slurm (the launchers) and
cli (the command line).
"""


class SweepError(Exception):
    """A sweep that cannot be set up or run; sweep.py prints it as `sweep.py: error: ...` and exits with 2."""
