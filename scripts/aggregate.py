#!/usr/bin/python3
"""Summarise a sweep's evaluation returns beside the published numbers.

usage: aggregate.py SWEEP_DIR [--name NAME] [--out-root DIR] [--published DIR] [--steps 100000,500000]

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
"""

import argparse
import csv
import datetime
import json
import math
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TASK_ORDER = ["finger_spin", "cartpole_swingup", "reacher_easy", "cheetah_run", "walker_walk", "ball_in_cup_catch"]
# Settings that may differ between the seeds of one group without making them different experiments.
IGNORED_KEYS = {"seed", "run_dir", "runs_root", "resume", "threads", "progress_interval", "device", "save_video",
                "save_replay", "tensorboard", "checkpoint_every", "task.gl_backend"}
METHOD_NAMES = {"curl": "CURL", "pixel_sac": "pixel SAC", "state_sac": "state SAC", "sac_ae": "SAC+AE",
                "dreamer": "Dreamer", "planet": "PlaNet", "drq": "DrQ", "rad": "RAD"}


class AggregateError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Reading runs
# ---------------------------------------------------------------------------------------------------------------

def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def read_config(path):
    """Flattens curlrl's config.yaml (block mappings, scalar or flow-list values) into dotted keys -> text."""
    flat = {}
    stack = []  # (indent, key)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            body = line.strip()
            if ":" not in body:
                continue
            key, _, value = body.partition(":")
            while stack and stack[-1][0] >= indent:
                stack.pop()
            full = ".".join([k for _, k in stack] + [_scalar(key)])
            if value.strip():
                flat[full] = _scalar(value)
            else:
                stack.append((indent, _scalar(key)))
    return flat


def read_eval(path):
    """[(env_steps, mean return over the evaluation's episodes)] in file order (a resumed run's rows are unique)."""
    points = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                points[int(row["env_steps"])] = float(row["episode_return"])
            except (KeyError, ValueError, TypeError):
                continue
    return sorted(points.items())


def find_runs(sweep_dir):
    """Run directories of a sweep: from sweep.json when present, else every folder holding eval.csv + config.yaml."""
    sweep_json = os.path.join(sweep_dir, "sweep.json")
    if os.path.exists(sweep_json):
        with open(sweep_json, encoding="utf-8") as f:
            runs = [r["run_dir"] for r in json.load(f).get("runs", [])]
        # sweep.json holds absolute paths; a sweep directory that was moved still finds its runs/ folder.
        return [d if os.path.isdir(d) else os.path.join(sweep_dir, "runs", os.path.basename(d)) for d in runs]
    found = []
    for root, dirs, files in os.walk(sweep_dir):
        dirs[:] = sorted(d for d in dirs if d != "checkpoints")
        if "eval.csv" in files and "config.yaml" in files:
            found.append(root)
    return found


def load_runs(sweep_dir):
    if not os.path.isdir(sweep_dir):
        raise AggregateError(f"{sweep_dir}: no such directory")
    runs = []
    for d in find_runs(sweep_dir):
        cfg_path, eval_path = os.path.join(d, "config.yaml"), os.path.join(d, "eval.csv")
        if not (os.path.exists(cfg_path) and os.path.exists(eval_path)):
            continue  # a run that has not started yet
        config = read_config(cfg_path)
        evals = read_eval(eval_path)
        if not evals:
            continue
        runs.append({"dir": d, "config": config, "evals": evals,
                     "task": config.get("task.name", "?"), "agent": config.get("agent.name", "?"),
                     "seed": config.get("seed", "?")})
    if not runs:
        raise AggregateError(f"{sweep_dir}: no runs with an eval.csv yet")
    return runs


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


def at_step(runs, target):
    """(step used, [value per seed]): the evaluations at `target` when every seed has one, else at the last step
    <= target that every seed evaluated. None if the seeds share no step."""
    common = set.intersection(*[{s for s, _ in r["evals"]} for r in runs])
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


def summarise(sweep_dir, published, targets):
    runs = load_runs(sweep_dir)
    rows = []
    for (task, agent, variant), members in group_runs(runs):
        members.sort(key=lambda r: (len(r["seed"]), r["seed"]))
        budget = sorted({r["config"].get("env_steps", "?") for r in members})
        last = min(r["evals"][-1][0] for r in members)
        previous_step = None
        for target in targets:
            got = at_step(members, target)
            row = {"task": task, "agent": agent, "variant": " ".join(f"{k}={v}" for k, v in variant),
                   "target_env_steps": target, "env_steps": "", "seeds": len(members), "mean": "", "std": "",
                   "values": "", "budget": "/".join(budget), "last_common_eval": last,
                   "batch_size": "/".join(sorted({r["config"].get("agent.batch_size", "?") for r in members})),
                   "eval_episodes": "/".join(sorted({r["config"].get("eval_episodes", "?") for r in members}))}
            if got is not None and got[0] != previous_step:
                step, values = got
                m, s = mean_std(values)
                row.update(env_steps=step, mean=round(m, 2), std=round(s, 2),
                           values=" ".join(f"{v:.1f}" for v in values))
                previous_step = step
            for method in (agent, "curl", "drq"):
                pub = published.get((task, method, target))
                row[f"published_{method}_mean"] = pub[0] if pub else ""
                row[f"published_{method}_std"] = pub[1] if pub else ""
            rows.append(row)
    return runs, rows


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------

CSV_COLUMNS = ["task", "agent", "variant", "target_env_steps", "env_steps", "seeds", "mean", "std", "values",
               "budget", "last_common_eval", "batch_size", "eval_episodes"]


def steps_text(n):
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def pm(mean, std):
    return f"{mean:.0f} ± {std:.0f}"


def markdown(rows, sweep_dir, name, targets, n_runs):
    lines = [f"# {name}: evaluation return, mean ± std over seeds", "",
             f"Sweep: `{sweep_dir}` ({n_runs} runs). Generated by `scripts/aggregate.py` on "
             f"{datetime.date.today().isoformat()}.", "",
             "Each seed's value is its mean return over the evaluation episodes (deterministic actions); ± is the "
             "standard deviation over seeds. A cell marked *at N* uses the last step every seed evaluated (the runs "
             "are shorter than the column's step); — means no evaluation beyond the previous column's.", ""]
    head = ["task", "agent", "seeds"] + [f"ours {steps_text(t)}" for t in targets]
    methods = []
    for r in rows:
        for m in (r["agent"], "curl", "drq"):
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


def main(argv):
    p = argparse.ArgumentParser(prog="aggregate.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweep_dir")
    p.add_argument("--name", help="results/<NAME>/ (default: the sweep folder's name)")
    p.add_argument("--out-root", default=os.path.join(REPO, "results"))
    p.add_argument("--published", default=os.path.join(REPO, "results", "published"))
    p.add_argument("--steps", default="100000,500000", help="target env steps (default 100000,500000)")
    args = p.parse_args(argv)
    sweep_dir = os.path.abspath(args.sweep_dir)
    name = args.name or os.path.basename(sweep_dir.rstrip("/"))
    try:
        targets = sorted(int(s) for s in args.steps.split(","))
        published = load_published(args.published)
        runs, rows = summarise(sweep_dir, published, targets)
    except (AggregateError, ValueError, OSError) as e:
        print(f"aggregate.py: error: {e}", file=sys.stderr)
        return 1
    out_dir = os.path.join(args.out_root, name)
    md_text = markdown(rows, args.sweep_dir, name, targets, len(runs))
    write_outputs(rows, out_dir, md_text)
    print(md_text)
    print(f"aggregate.py: wrote {os.path.join(out_dir, 'summary.csv')} and summary.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
