#!/usr/bin/python3
"""Summarise a sweep's evaluation returns beside the published numbers, with aggregate statistics across tasks.

usage: aggregate.py SWEEP_DIR [OTHER_SWEEP_DIR] [--name NAME] [--out-root DIR] [--published DIR]
                    [--steps 100000,500000] [--resamples 2000] [--seed 0] [--tasks T1,T2]

Reads every run of SWEEP_DIR (the runs listed in its sweep.json, or any folder below it holding eval.csv and
config.yaml, so a plain runs/ folder of `curlrl train` works too), groups the runs by task, agent and any other
setting that differs between them (every setting but the seed), and writes

  <out-root>/<NAME>/summary.csv   one row per group and target step: mean and std over seeds of the evaluation return
                                  (each seed's value is its mean over evaluation episodes), with the published numbers
  <out-root>/<NAME>/summary.md    the same as a markdown table

NAME defaults to SWEEP_DIR's folder name, out-root to the repository's results/. At each target step (100k and 500k
environment steps) a group uses the evaluations at exactly that step when every seed has one; when the runs are
shorter it uses the last step that every seed evaluated, and says so (the `env_steps` column, and "at N" in the
table). std is the population standard deviation over seeds (numpy's default, as the papers' tables use).
Published numbers come from results/published/*.csv (task, method, env_steps, mean, std): CURL's Table 1 and DrQ.

Beside the tables it reports, as Agarwal et al. recommend ("Deep RL at the edge of the statistical precipice",
NeurIPS 2021; the estimators are in scripts/stats.py), for each method (agent and variant, across the sweep's tasks)
on normalised scores (return / 1000, DeepMind Control's maximum):

  <out-root>/<NAME>/statistics.json   at each target step (chosen as above, for all the method's runs together):
                                      the interquartile mean (IQM: the 25% trimmed mean of all runs pooled, as
                                      rliable / scipy.stats.trim_mean(x, 0.25) compute it), median, mean and
                                      optimality gap, each with a 95% stratified bootstrap confidence interval,
                                      and the performance profile (the fraction of runs scoring above tau,
                                      tau = 0, 0.02, ..., 1) with its band; the IQM at every evaluation step all
                                      the method's runs share; and with OTHER_SWEEP_DIR, the probability of
                                      improvement P(X > Y) of each method of SWEEP_DIR (X) over each of
                                      OTHER_SWEEP_DIR (Y) on the tasks they share
  <out-root>/<NAME>/statistics.md     the same as markdown tables, with the definitions
  <out-root>/<NAME>/performance_profile.png   one panel per target step
  <out-root>/<NAME>/iqm_curve.png     IQM against environment steps with its band, and the published CURL (and the
                                      sweep's agent's) scores: the mean over the tasks present of the per-task means
                                      / 1000 (the papers publish no per-run scores, so not an IQM)

The bootstrap resamples runs with replacement within each task (stratified by task), --resamples times (default
2000), and takes the 2.5 and 97.5 percentiles. Every interval draws from a fresh generator seeded with --seed
(default 0), so the numbers are reproducible and do not depend on what else the report holds. With a single run per
task there is nothing to resample: the interval is the estimate itself, and the report says so. The summary tables
cover SWEEP_DIR only; OTHER_SWEEP_DIR's methods appear in the statistics and figures, labelled with its folder name.
The statistics need numpy, the figures matplotlib (Debian's python3-matplotlib); without them only the tables are
written.
"""

import argparse
import csv
import datetime
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from curlrl_runs import runfolder, sweepdir  # noqa: E402  (scripts/curlrl_runs/: reading run and sweep folders)
try:
    import stats  # scripts/stats.py: the estimators and the stratified bootstrap (numpy)
except ImportError:  # pragma: no cover  (no numpy; Debian's python3-matplotlib brings it)
    stats = None

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TASK_ORDER = ["finger_spin", "cartpole_swingup", "reacher_easy", "cheetah_run", "walker_walk", "ball_in_cup_catch"]
# Settings that may differ between the seeds of one group without making them different experiments.
IGNORED_KEYS = {"seed", "run_dir", "runs_root", "resume", "threads", "progress_interval", "device", "save_video",
                "save_replay", "tensorboard", "checkpoint_every", "task.gl_backend"}
# The published methods every summary row shows beside its own agent's: the paper's method, its baseline and DrQ.
PUBLISHED_BESIDE = ("curl", "pixel_sac", "drq")
METHOD_NAMES = {"curl": "CURL", "pixel_sac": "pixel SAC", "state_sac": "state SAC", "sac_ae": "SAC+AE",
                "dreamer": "Dreamer", "planet": "PlaNet", "drq": "DrQ", "rad": "RAD"}


class AggregateError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Reading runs
# ---------------------------------------------------------------------------------------------------------------

def load_runs(sweep_dir, tasks=None):
    """The sweep's runs that have evaluated; with `tasks`, only the runs of those tasks."""
    if not os.path.isdir(sweep_dir):
        raise AggregateError(f"{sweep_dir}: no such directory")
    runs = []
    for d in sweepdir.find_runs(sweep_dir):
        if not runfolder.has_results(d):
            continue  # a run that has not started yet
        config = runfolder.read_config(d)
        evals = runfolder.read_eval(d)
        if not evals:
            continue
        if tasks and config.get("task.name", "?") not in tasks:
            continue
        runs.append({"dir": d, "config": config, "evals": evals,
                     "task": config.get("task.name", "?"), "agent": config.get("agent.name", "?"),
                     "seed": config.get("seed", "?")})
    if not runs:
        raise AggregateError(f"{sweep_dir}: no runs with an eval.csv yet"
                             + (f" among the tasks {', '.join(tasks)}" if tasks else ""))
    return runs


def generalisation(runs):
    """Rows for the runs evaluated under distraction modes (eval.csv with a `mode` column): per task, agent and mode,
    the return of each run's last evaluation under that mode, mean and std over runs, beside the training look's,
    and the generalisation gap (train minus mode) with the mode's share of the train return. [] without modes."""
    by = {}
    for r in runs:
        modes = runfolder.eval_modes(r["dir"])
        if modes == ["train"]:
            continue
        for mode in modes:
            evals = runfolder.read_eval(r["dir"], mode)
            if evals:
                by.setdefault((r["task"], r["agent"]), {}).setdefault(mode, []).append(evals[-1])
    rows = []
    for (task, agent), per_mode in sorted(by.items()):
        train = [v for _, v in per_mode.get("train", [])]
        train_mean = mean_std(train)[0] if train else None
        for mode, points in per_mode.items():
            values = [v for _, v in points]
            mean, std = mean_std(values)
            gap = None if train_mean is None or mode == "train" else train_mean - mean
            share = None if gap is None or train_mean == 0 else mean / train_mean
            rows.append({"task": task, "agent": agent, "mode": mode, "env_steps": max(s for s, _ in points),
                         "runs": len(values), "mean": mean, "std": std, "gap": gap, "share": share})
    return rows


def generalisation_markdown(rows):
    lines = ["## Generalisation: the last evaluation under each look", "",
             "| task | agent | look | env steps | runs | return | gap to train | share of train |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        gap = "" if r["gap"] is None else f"{r['gap']:.1f}"
        share = "" if r["share"] is None else f"{100 * r['share']:.0f}%"
        lines.append(f"| {r['task']} | {r['agent']} | {r['mode']} | {r['env_steps']} | {r['runs']} | "
                     f"{pm(r['mean'], r['std'])} | {gap} | {share} |")
    return "\n".join(lines) + "\n"


def write_generalisation(rows, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "generalisation.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", "agent", "mode", "env_steps", "runs", "mean", "std", "gap", "share"])
        for r in rows:
            w.writerow([r[k] if r[k] is not None else "" for k in
                        ("task", "agent", "mode", "env_steps", "runs", "mean", "std", "gap", "share")])
    text = generalisation_markdown(rows)
    with open(os.path.join(out_dir, "generalisation.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


def group_runs(runs):
    """Groups by task, agent and every other setting that differs between runs (but the seed and bookkeeping)."""
    keys = set()
    for r in runs:
        keys.update(r["config"])
    varying = sorted(k for k in keys if k not in IGNORED_KEYS and k not in ("task.name", "agent.name") and
                     len({r["config"].get(k) for r in runs}) > 1)
    # Keys implied by the task or the agent (their group files set them) are not variants of their own.
    implied = set()
    for k in varying:
        by_ta = {}
        for r in runs:
            by_ta.setdefault((r["task"], r["agent"]), set()).add(r["config"].get(k))
        if all(len(v) == 1 for v in by_ta.values()):
            implied.add(k)
    varying = [k for k in varying if k not in implied]
    groups = {}
    for r in runs:
        variant = tuple((k, r["config"].get(k, "")) for k in varying)
        groups.setdefault((r["task"], r["agent"], variant), []).append(r)
    order = {t: i for i, t in enumerate(TASK_ORDER)}
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][0], kv[0][1], kv[0][2]))


# ---------------------------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------------------------

def mean_std(values):
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def common_steps(runs):
    """The evaluation steps every one of `runs` has, in order."""
    return sorted(set.intersection(*[{s for s, _ in r["evals"]} for r in runs]))


def config_text(runs, key):
    """The values of a setting over `runs`, sorted and joined by '/' ('?' where a run's config lacks it)."""
    return "/".join(sorted({r["config"].get(key, "?") for r in runs}))


def at_step(runs, target):
    """(step used, [value per seed]): the evaluations at `target` when every seed has one, else at the last step
    <= target that every seed evaluated. None if the seeds share no step."""
    common = common_steps(runs)
    if target in common:
        step = target
    else:
        below = [s for s in common if s <= target]
        if not below:
            return None
        step = max(below)
    return step, [dict(r["evals"])[step] for r in runs]


def load_published(folder):
    table = {}
    if not os.path.isdir(folder):
        return table
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                try:
                    table[(row["task"], row["method"], int(row["env_steps"]))] = (float(row["mean"]),
                                                                                  float(row["std"]))
                except (KeyError, ValueError):
                    raise AggregateError(f"{os.path.join(folder, name)}: bad row {row}")
    return table


def summarise(sweep_dir, published, targets, tasks=None):
    runs = load_runs(sweep_dir, tasks)
    rows = []
    for (task, agent, variant), members in group_runs(runs):
        members.sort(key=lambda r: (len(r["seed"]), r["seed"]))
        last = min(r["evals"][-1][0] for r in members)
        previous_step = None
        for target in targets:
            got = at_step(members, target)
            row = {"task": task, "agent": agent, "variant": " ".join(f"{k}={v}" for k, v in variant),
                   "target_env_steps": target, "env_steps": "", "seeds": len(members), "mean": "", "std": "",
                   "values": "", "budget": config_text(members, "env_steps"), "last_common_eval": last,
                   "batch_size": config_text(members, "agent.batch_size"),
                   "eval_episodes": config_text(members, "eval_episodes")}
            if got is not None and got[0] != previous_step:
                step, values = got
                m, s = mean_std(values)
                row.update(env_steps=step, mean=round(m, 2), std=round(s, 2),
                           values=" ".join(f"{v:.1f}" for v in values))
                previous_step = step
            for method in dict.fromkeys((agent,) + PUBLISHED_BESIDE):
                pub = published.get((task, method, target))
                row[f"published_{method}_mean"] = pub[0] if pub else ""
                row[f"published_{method}_std"] = pub[1] if pub else ""
            rows.append(row)
    return runs, rows


# ---------------------------------------------------------------------------------------------------------------
# Aggregate statistics across tasks (Agarwal et al., NeurIPS 2021; the estimators are in scripts/stats.py)
# ---------------------------------------------------------------------------------------------------------------

NORMALISER = 1000.0  # DeepMind Control: reward in [0, 1] per step, 1000 steps an episode; normalised = return / 1000
CONFIDENCE = 0.95
METRICS = [("iqm", "IQM"), ("median", "median"), ("mean", "mean"), ("optimality_gap", "optimality gap")]
PROFILE_TAUS = [i / 50 for i in range(51)]  # 0, 0.02, ..., 1
IQM_CONVENTION = ("25% trimmed mean of all runs' scores pooled across tasks: of the n sorted scores, floor(n/4) whole "
                  "scores are dropped at each end and the rest averaged with equal weights, as "
                  "scipy.stats.trim_mean(x, 0.25) and so rliable compute it (comparable with published IQMs); the "
                  "exact middle half when n is a multiple of 4, a little more than half otherwise")


def runs_of(by_task):
    return [r for runs in by_task.values() for r in runs]


def methods_of(runs, sweep, prefix):
    """A sweep's methods: its groups (as the tables group them) across tasks, one method per agent and variant,
    each with its runs by task (in the tables' task order). Their labels start with the sweep's name if `prefix`."""
    methods = {}
    for (task, agent, variant), members in group_runs(runs):
        text = " ".join(f"{k}={v}" for k, v in variant)
        m = methods.setdefault((agent, text), {"sweep": sweep, "agent": agent, "variant": text, "by_task": {}})
        m["by_task"][task] = members
    for m in methods.values():
        m["label"] = (f"{sweep}: " if prefix else "") + m["agent"] + (f" ({m['variant']})" if m["variant"] else "")
    return list(methods.values())


def scores_at(by_task, step):
    """The normalised scores of every run at `step` (which they all evaluated), one list per task."""
    return [[dict(r["evals"])[step] / NORMALISER for r in runs] for runs in by_task.values()]


def target_steps(run_lists, targets):
    """For each target, (target, steps, note): steps holds, for each list of runs, the step at_step picks for all
    of them together (the target, else the last step <= target they all evaluated); it is None, and the note says
    why, when some list shares no evaluation at or before the target, or when the steps are the previous target's
    (no evaluation beyond it: the tables' '—')."""
    out, previous = [], None
    for target in targets:
        got = [at_step(runs, target) for runs in run_lists]
        if any(g is None for g in got):
            out.append((target, None, f"the runs share no evaluation at or before {target}"))
            continue
        steps = tuple(g[0] for g in got)
        if steps == previous:
            out.append((target, None, "no evaluation beyond the previous target's step"))
            continue
        previous = steps
        out.append((target, steps, ""))
    return out


def interval_note(*score_sets):
    """Says when the bootstrap intervals are degenerate or too narrow because tasks have a single run."""
    tasks = sum(len(s) for s in score_sets)
    single = sum(stats.single_run_tasks(s) for s in score_sets)
    if single == tasks:
        return "one run per task: the bootstrap has nothing to resample; the interval is the estimate (degenerate)"
    if single:
        return (f"{single} of {tasks} tasks have a single run, the same in every resample: the intervals understate "
                "the uncertainty")
    return ""


def _r(x):
    return round(float(x), 6)


def estimate(metric, *score_sets, boot):
    """{"estimate", "ci": [low, high]} of a scalar metric, by the stratified bootstrap."""
    value, low, high = stats.bootstrap(metric, *score_sets, **boot)
    return {"estimate": _r(value), "ci": [_r(low), _r(high)]}


def profile(score_set, boot):
    """The performance profile at PROFILE_TAUS with its pointwise bootstrap band."""
    fraction, low, high = stats.bootstrap(lambda b: stats.performance_profile(b, PROFILE_TAUS), score_set, **boot)
    return {"tau": PROFILE_TAUS, "fraction": [_r(v) for v in fraction], "ci_low": [_r(v) for v in low],
            "ci_high": [_r(v) for v in high]}


def method_statistics(method, targets, boot):
    runs = runs_of(method["by_task"])
    out = {k: method[k] for k in ("label", "sweep", "agent", "variant")}
    out.update(runs_per_task={t: len(rs) for t, rs in method["by_task"].items()},
               budget=config_text(runs, "env_steps"), batch_size=config_text(runs, "agent.batch_size"), targets=[])
    for target, steps, note in target_steps([runs], targets):
        entry = {"target_env_steps": target, "env_steps": steps[0] if steps else None, "note": note}
        if steps:
            scores = scores_at(method["by_task"], steps[0])
            entry["note"] = interval_note(scores)
            for key, _ in METRICS:
                entry[key] = estimate(getattr(stats, key), scores, boot=boot)
            entry["performance_profile"] = profile(scores, boot)
        out["targets"].append(entry)
    # The sample-efficiency curve: the IQM at every evaluation step all the method's runs share.
    curve = {"env_steps": [], "iqm": [], "ci_low": [], "ci_high": []}
    for step in common_steps(runs):
        e = estimate(stats.iqm, scores_at(method["by_task"], step), boot=boot)
        for key, value in (("env_steps", step), ("iqm", e["estimate"]), ("ci_low", e["ci"][0]),
                           ("ci_high", e["ci"][1])):
            curve[key].append(value)
    out["iqm_curve"] = curve
    return out


def compare(x, y, targets, boot):
    """P(X > Y) of method x over method y on the tasks both have, at each target step."""
    tasks = [t for t in x["by_task"] if t in y["by_task"]]
    out = {"x": x["label"], "y": y["label"], "tasks": tasks, "targets": [],
           "note": "" if tasks else "no task in common"}
    if not tasks:
        return out
    x_tasks, y_tasks = ({t: m["by_task"][t] for t in tasks} for m in (x, y))
    for target, steps, note in target_steps([runs_of(x_tasks), runs_of(y_tasks)], targets):
        entry = {"target_env_steps": target, "env_steps_x": steps[0] if steps else None,
                 "env_steps_y": steps[1] if steps else None, "note": note}
        if steps:
            xs, ys = scores_at(x_tasks, steps[0]), scores_at(y_tasks, steps[1])
            notes = [interval_note(xs, ys)]
            if steps[0] != steps[1]:
                notes.append(f"X at {steps[0]} but Y at {steps[1]} environment steps: not the same budget")
            entry["note"] = "; ".join(n for n in notes if n)
            entry["probability_of_improvement"] = estimate(stats.probability_of_improvement, xs, ys, boot=boot)
        out["targets"].append(entry)
    return out


def published_reference(published, methods, targets):
    """The published scores drawn on the IQM curve: for CURL and each agent of the methods, at each target step,
    the mean over the tasks present of the paper's per-task mean / 1000 (only when the paper has every task)."""
    tasks = list(dict.fromkeys(t for m in methods for t in m["by_task"]))
    out = []
    for method in dict.fromkeys([m["agent"] for m in methods] + ["curl"]):
        for target in targets:
            values = [published.get((task, method, target)) for task in tasks]
            if tasks and all(values):
                out.append({"method": method, "env_steps": target, "tasks": tasks,
                            "score": _r(sum(v[0] for v in values) / len(values) / NORMALISER)})
    return out


def statistics_report(name, sweeps, published, targets, resamples, seed):
    """Everything statistics.json holds. sweeps: [(role, display name, path, runs)], X first, then Y if any."""
    boot = {"resamples": resamples, "seed": seed, "confidence": CONFIDENCE}
    labelled = len(sweeps) > 1
    per_sweep = [methods_of(runs, display, labelled) for _, display, _, runs in sweeps]
    methods = [m for ms in per_sweep for m in ms]
    return {
        "name": name, "generated_by": "scripts/aggregate.py", "date": datetime.date.today().isoformat(),
        "sweeps": [{"role": role, "name": display, "path": path, "runs": len(runs)}
                   for role, display, path, runs in sweeps],
        "normalisation": f"evaluation return / {NORMALISER:g} (each run's score: its mean over evaluation episodes)",
        "iqm_convention": IQM_CONVENTION,
        "bootstrap": dict(boot, method="stratified by task (runs resampled with replacement within each task), "
                                       "percentile interval"),
        "methods": [method_statistics(m, targets, boot) for m in methods],
        "probability_of_improvement": [compare(x, y, targets, boot) for x in per_sweep[0] for y in per_sweep[1]]
        if labelled else [],
        "published_reference": published_reference(published, methods, targets),
    }


def sweep_names(first, second):
    """Display names of the two sweeps of a comparison (told apart when their folders share a name)."""
    return (first, second) if first != second else (f"{first} (X)", f"{second} (Y)")


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------

CSV_COLUMNS = ["task", "agent", "variant", "target_env_steps", "env_steps", "seeds", "mean", "std", "values",
               "budget", "last_common_eval", "batch_size", "eval_episodes"]


def steps_text(n):
    return f"{n // 1000}k" if n and n % 1000 == 0 else str(n)


def pm(mean, std):
    return f"{mean:.0f} ± {std:.0f}"


def markdown(rows, sweep_dir, name, targets, n_runs):
    lines = [f"# {name}: evaluation return, mean ± std over seeds", "",
             f"Sweep: `{sweep_dir}` ({n_runs} runs). Generated by `scripts/aggregate.py` on "
             f"{datetime.date.today().isoformat()}.", "",
             "Each seed's value is its mean return over the evaluation episodes (deterministic actions); ± is the "
             "population standard deviation over seeds (divided by n, not n - 1). A cell marked *at N* uses the last "
             "step every seed evaluated (the runs are shorter than the column's step); — means no evaluation beyond "
             "the previous column's.", ""]
    head = ["task", "agent", "seeds"] + [f"ours {steps_text(t)}" for t in targets]
    methods = []
    for r in rows:
        for m in (r["agent"],) + PUBLISHED_BESIDE:
            if m not in methods and any(k.startswith(f"published_{m}_") and r[k] != "" for k in r):
                methods.append(m)
    for m in methods:
        head += [f"{METHOD_NAMES.get(m, m)} {steps_text(t)} (paper)" for t in targets]
    head += ["batch", "budget"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join("---" for _ in head) + "|")
    by_group = {}
    for r in rows:
        by_group.setdefault((r["task"], r["agent"], r["variant"]), {})[r["target_env_steps"]] = r
    for (task, agent, variant), per_target in by_group.items():
        any_row = next(iter(per_target.values()))
        cells = [task, agent + (f" ({variant})" if variant else ""), str(any_row["seeds"])]
        for t in targets:
            r = per_target[t]
            if r["mean"] == "":
                cells.append("—")
            else:
                cells.append(pm(r["mean"], r["std"]) + ("" if r["env_steps"] == t else f" *at {r['env_steps']}*"))
        for m in methods:
            for t in targets:
                r = per_target[t]
                mean, std = r.get(f"published_{m}_mean", ""), r.get(f"published_{m}_std", "")
                cells.append(pm(mean, std) if mean != "" else "")
        cells += [any_row["batch_size"], any_row["budget"]]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Published: CURL Table 1 (Srinivas et al., ICML 2020; CURL, pixel SAC, state SAC) and DrQ (Kostrikov "
              "et al., ICLR 2021), from `results/published/`. The paper's CURL runs use batch size 512.", ""]
    return "\n".join(lines)


def write_outputs(rows, out_dir, md_text):
    os.makedirs(out_dir, exist_ok=True)
    extra = sorted({k for r in rows for k in r if k.startswith("published_")})
    columns = CSV_COLUMNS + extra
    with open(os.path.join(out_dir, "summary.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as f:
        f.write(md_text)


def count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def ci_text(e):
    return f"{e['estimate']:.3f} [{e['ci'][0]:.3f}, {e['ci'][1]:.3f}]"


def at_text(target, step):
    return steps_text(step) + ("" if step == target else f" *(target {steps_text(target)})*")


def budget_batch_text(report):
    budgets = sorted({b for m in report["methods"] for b in m["budget"].split("/")})
    batches = sorted({b for m in report["methods"] for b in m["batch_size"].split("/")})
    budgets = [steps_text(int(b)) if b.isdigit() else b for b in budgets]
    return f"budget {'/'.join(budgets)} env steps, batch size {'/'.join(batches)}"


def statistics_markdown(report, targets):
    b = report["bootstrap"]
    lines = [f"# {report['name']}: aggregate statistics across tasks", ""]
    for s in report["sweeps"]:
        lines.append(f"Sweep {s['role']}{' (' + s['name'] + ')' if s['name'] else ''}: `{s['path']}` "
                     f"({s['runs']} runs).  ")
    lines += [f"Generated by `scripts/aggregate.py` on {report['date']}; {budget_batch_text(report)}.", "",
              f"Scores are normalised: {report['normalisation']}. Every estimate comes with a "
              f"{b['confidence']:.0%} confidence interval from {b['resamples']} stratified bootstrap resamples (the "
              f"runs resampled with replacement within each task; percentile interval; seed {b['seed']}), as "
              "Agarwal et al. (NeurIPS 2021) recommend.", "",
              f"- **IQM**: {report['iqm_convention']}.",
              "- **median**, **mean**: over tasks, of each task's mean score (every task weighs the same; IQM, "
              "optimality gap and profiles weigh every run the same).",
              "- **optimality gap**: mean over runs of max(0, 1 - score); lower is better.",
              "- A target step uses every run's evaluation at that step when all of the method's runs have one, "
              "else the last step they all evaluated (the *env steps* column).", ""]
    lines += ["| method | tasks (runs) | budget | batch |", "|---|---|---|---|"]
    for m in report["methods"]:
        tasks = ", ".join(f"{t} ({n})" for t, n in m["runs_per_task"].items())
        lines.append(f"| {m['label']} | {tasks} | {m['budget']} | {m['batch_size']} |")
    for target in targets:
        lines += ["", f"## At {steps_text(target)} environment steps", "",
                  "| method | env steps | " + " | ".join(title for _, title in METRICS) + " |",
                  "|---|---|" + "---|" * len(METRICS)]
        notes = []
        for m in report["methods"]:
            e = next(e for e in m["targets"] if e["target_env_steps"] == target)
            if e["env_steps"] is None:
                lines.append(f"| {m['label']} | — |" + " |" * len(METRICS))
            else:
                lines.append(f"| {m['label']} | {at_text(target, e['env_steps'])} | " +
                             " | ".join(ci_text(e[key]) for key, _ in METRICS) + " |")
            if e["note"]:
                notes.append(f"- {m['label']}: {e['note']}.")
        lines += [""] + notes if notes else []
    if report["probability_of_improvement"]:
        lines += ["", "## Probability of improvement", "",
                  "P(X > Y): the average over the tasks both have of the probability that a run of X scores above a "
                  "run of Y (all pairs of runs; a tie counts 1/2).", "",
                  "| X | Y | target | env steps X / Y | tasks | P(X > Y) |", "|---|---|---|---|---|---|"]
        notes = []
        for c in report["probability_of_improvement"]:
            if not c["targets"]:
                lines.append(f"| {c['x']} | {c['y']} | — | — | none | — |")
            for e in c["targets"]:
                if e["env_steps_x"] is None:
                    cells = ["—", "", "—"]
                else:
                    cells = [f"{e['env_steps_x']} / {e['env_steps_y']}", ", ".join(c["tasks"]),
                             ci_text(e["probability_of_improvement"])]
                lines.append(f"| {c['x']} | {c['y']} | {steps_text(e['target_env_steps'])} | " + " | ".join(cells) +
                             " |")
                if e["note"]:
                    notes.append(f"- {c['x']} over {c['y']} at {steps_text(e['target_env_steps'])}: {e['note']}.")
            if c["note"]:
                notes.append(f"- {c['x']} over {c['y']}: {c['note']}.")
        lines += [""] + notes if notes else []
    if report["published_reference"]:
        lines += ["", "## Published reference (drawn on the IQM curve)", "",
                  "The papers give per-task means over seeds, not per-run scores: the reference is the mean over the "
                  "tasks present of the per-task means / 1000, not an IQM.", ""]
        for p in report["published_reference"]:
            lines.append(f"- {METHOD_NAMES.get(p['method'], p['method'])} (paper) at {steps_text(p['env_steps'])}: "
                         f"{p['score']:.3f} over {count(len(p['tasks']), 'task')} ({', '.join(p['tasks'])}).")
    lines += ["", "Figures: `performance_profile.png` (fraction of runs with normalised score > τ, with the bootstrap "
              "band, one panel per target step) and `iqm_curve.png` (IQM against environment steps, with its band).",
              ""]
    return "\n".join(lines)


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:  # pragma: no cover
        return None


PUBLISHED_MARKERS = {"curl": ("o", "black"), "drq": ("s", "tab:gray"), "state_sac": ("^", "tab:green"),
                     "pixel_sac": ("v", "tab:brown")}


def plot_performance_profiles(plt, report, targets, path):
    """One panel per target step at which some method has estimates; False when there is none."""
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    panels = [t for t in targets if any(e["target_env_steps"] == t and e["env_steps"] is not None
                                        for m in report["methods"] for e in m["targets"])]
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 4.4), squeeze=False)
    for ax, target in zip(axes[0], panels):
        for i, m in enumerate(report["methods"]):
            e = next(e for e in m["targets"] if e["target_env_steps"] == target)
            if e["env_steps"] is None:
                continue
            p, color = e["performance_profile"], colors[i % len(colors)]
            at = "" if e["env_steps"] == target else f", at {steps_text(e['env_steps'])}"
            label = f"{m['label']} ({count(sum(m['runs_per_task'].values()), 'run')}{at})"
            ax.plot(p["tau"], p["fraction"], drawstyle="steps-post", color=color, lw=1.8, label=label)
            ax.fill_between(p["tau"], p["ci_low"], p["ci_high"], step="post", color=color, alpha=0.2, lw=0)
        ax.set_title(f"at {steps_text(target)} environment steps")
        ax.set_xlabel("normalised score τ (return / 1000)")
        ax.set_ylabel("fraction of runs with score > τ")
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.02)
        finish_axes(ax, legend_size=8)
    fig.suptitle(f"{report['name']}: performance profiles, {CONFIDENCE:.0%} stratified bootstrap bands\n"
                 f"{budget_batch_text(report)}", fontsize=10)
    return save_figure(plt, fig, path)


def finish_axes(ax, legend_size):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=legend_size, loc="best")


def save_figure(plt, fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def plot_iqm_curve(plt, report, targets, path):
    """The IQM against environment steps; the published references as points, or as level lines when they lie
    far beyond the runs' last step (so that short runs stay readable). False when no method has a curve."""
    import matplotlib.ticker
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    curves = [(i, m) for i, m in enumerate(report["methods"]) if m["iqm_curve"]["env_steps"]]
    if not curves:
        return False
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    xmax = 0
    for i, m in curves:
        c, color = m["iqm_curve"], colors[i % len(colors)]
        n_runs, n_tasks = sum(m["runs_per_task"].values()), len(m["runs_per_task"])
        label = f"{m['label']} ({count(n_runs, 'run')}, {count(n_tasks, 'task')})"
        ax.plot(c["env_steps"], c["iqm"], color=color, lw=1.8, marker="o" if len(c["env_steps"]) <= 30 else None,
                ms=3, label=label)
        ax.fill_between(c["env_steps"], c["ci_low"], c["ci_high"], color=color, alpha=0.2, lw=0)
        xmax = max(xmax, c["env_steps"][-1])
    xright = xmax
    labelled = set()
    for p in report["published_reference"]:
        marker, color = PUBLISHED_MARKERS.get(p["method"], ("D", "tab:purple"))
        name = METHOD_NAMES.get(p["method"], p["method"]) + " paper" + (" (batch 512)" if p["method"] == "curl" else "")
        means = f"mean of the per-task means over {count(len(p['tasks']), 'task')}"
        if p["env_steps"] <= 1.5 * xmax:
            # One legend entry for all of a paper's points (they differ in step only).
            label = None if p["method"] in labelled else f"{name}: {means}"
            labelled.add(p["method"])
            ax.plot([p["env_steps"]], [p["score"]], marker=marker, color=color, ls="none", ms=7, label=label)
            xright = max(xright, p["env_steps"])
        else:
            ax.axhline(p["score"], color=color, lw=1, ls=":" if p["env_steps"] <= 100000 else "--",
                       label=f"{name} at {steps_text(p['env_steps'])} (beyond these runs): {means}")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("IQM of normalised score (return / 1000)")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{round(x) / 1000:g}k" if x else "0"))
    # Runs evaluated only at step 0 would get an axis around 0: show up to the first target step instead.
    ax.set_xlim(0, 1.04 * xright if xright else targets[0])
    ax.set_ylim(0, 1.02)
    finish_axes(ax, legend_size=7)
    ax.set_title(f"{report['name']}: IQM over tasks and runs, {CONFIDENCE:.0%} stratified bootstrap band\n"
                 f"{budget_batch_text(report)}", fontsize=10)
    return save_figure(plt, fig, path)


def write_statistics(report, targets, out_dir):
    """statistics.json, statistics.md and the two figures; returns (markdown text, [files written])."""
    os.makedirs(out_dir, exist_ok=True)
    written = ["statistics.json", "statistics.md"]
    with open(os.path.join(out_dir, "statistics.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    md_text = statistics_markdown(report, targets)
    with open(os.path.join(out_dir, "statistics.md"), "w", encoding="utf-8") as f:
        f.write(md_text)
    plt = _pyplot()
    if plt is None:
        print("aggregate.py: warning: no matplotlib (apt-get install python3-matplotlib): no figures",
              file=sys.stderr)
        return md_text, written
    for name, draw in (("performance_profile.png", lambda p: plot_performance_profiles(plt, report, targets, p)),
                       ("iqm_curve.png", lambda p: plot_iqm_curve(plt, report, targets, p))):
        if draw(os.path.join(out_dir, name)):
            written.append(name)
        else:
            print(f"aggregate.py: warning: nothing to draw in {name}", file=sys.stderr)
    return md_text, written



def main(argv):
    p = argparse.ArgumentParser(prog="aggregate.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweep_dir", help="the sweep to summarise (X of a comparison)")
    p.add_argument("other_sweep_dir", nargs="?",
                   help="a second sweep (Y): its methods join the statistics, and P(X > Y) is reported")
    p.add_argument("--name", help="results/<NAME>/ (default: the sweep folder's name)")
    p.add_argument("--out-root", default=os.path.join(REPO, "results"))
    p.add_argument("--published", default=os.path.join(REPO, "results", "published"))
    p.add_argument("--steps", default="100000,500000", help="target env steps (default 100000,500000)")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--tasks", help="only these tasks, comma-separated (for example to compare two sweeps on the "
                                   "tasks both ran)")
    args = p.parse_intermixed_args(argv)  # SWEEP_DIR --name N OTHER_SWEEP_DIR works too
    if args.resamples < 1:
        p.error("--resamples must be at least 1")
    sweep_dir = os.path.abspath(args.sweep_dir)
    name = args.name or os.path.basename(sweep_dir.rstrip("/"))
    try:
        targets = sorted(int(s) for s in args.steps.split(","))
        published = load_published(args.published)
        tasks = [t for t in args.tasks.split(",") if t] if args.tasks else None
        runs, rows = summarise(sweep_dir, published, targets, tasks)
        x_name = os.path.basename(sweep_dir.rstrip("/"))
        sweeps = [("X", x_name, args.sweep_dir, runs)]
        if args.other_sweep_dir:
            other_dir = os.path.abspath(args.other_sweep_dir)
            x_name, y_name = sweep_names(x_name, os.path.basename(other_dir.rstrip("/")))
            sweeps = [("X", x_name, args.sweep_dir, runs), ("Y", y_name, args.other_sweep_dir, load_runs(other_dir, tasks))]
    except (AggregateError, ValueError, OSError) as e:
        print(f"aggregate.py: error: {e}", file=sys.stderr)
        return 1
    out_dir = os.path.join(args.out_root, name)
    md_text = markdown(rows, args.sweep_dir, name, targets, len(runs))
    write_outputs(rows, out_dir, md_text)
    print(md_text)
    written = ["summary.csv", "summary.md"]
    gen_rows = generalisation(runs)
    if gen_rows:
        print(write_generalisation(gen_rows, out_dir))
        written += ["generalisation.csv", "generalisation.md"]
    if stats is None:
        print("aggregate.py: warning: no numpy (apt-get install python3-numpy): no statistics", file=sys.stderr)
    else:
        report = statistics_report(name, sweeps, published, targets, args.resamples, args.seed)
        stats_md, more = write_statistics(report, targets, out_dir)
        print(stats_md)
        written += more
    print(f"aggregate.py: wrote {', '.join(written)} in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
