#!/usr/bin/python3
"""Plots of curlrl runs, written as PNG with matplotlib (Debian's python3-matplotlib, Agg backend).

usage:
  plot.py SWEEP_DIR [-o curves.png] [--published-dir DIR] [--title TEXT]
      learning curves: evaluation return against environment steps, one panel per task, one line per agent (and
      per any other setting that differs between runs, as aggregate.py groups them): the mean over seeds with a
      band of +- one std, and the published 100k/500k scores as markers with error bars (CURL Table 1 for the
      run's agent and CURL, and DrQ). When the runs stop far short of a published step, that step's score of the
      runs' own method is drawn as a level line instead (and the others are left out), so short runs stay readable.
  plot.py diagnostics RUN_DIR [-o diagnostics.png]
      one run's train.csv against environment steps: episode return (with eval.csv's returns), critic, actor and
      temperature losses, temperature, entropy, Q1, contrastive loss and accuracy (when the agent has them),
      throughput. Columns that are empty throughout are left out.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aggregate  # noqa: E402  (the same run loading and grouping as the tables)
from curlrl_runs import runfolder  # noqa: E402  (scripts/curlrl_runs/: reading a run folder)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    print("plot.py: error: matplotlib is missing: apt-get install python3-matplotlib", file=sys.stderr)
    sys.exit(1)

PUBLISHED_STYLE = {"curl": ("o", "black"), "drq": ("s", "tab:gray"), "state_sac": ("^", "tab:green"),
                   "pixel_sac": ("v", "tab:brown")}


def steps_label(x, _pos=None):
    return f"{x / 1000:g}k" if x else "0"


def curves(args):
    sweep_dir = os.path.abspath(args.path)
    runs = aggregate.load_runs(sweep_dir)
    published = aggregate.load_published(args.published_dir)
    groups = aggregate.group_runs(runs)
    tasks = []
    for (task, _, _), _ in groups:
        if task not in tasks:
            tasks.append(task)
    n = len(tasks)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.9 * rows), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    label_color = {}
    for i, task in enumerate(tasks):
        ax = axes[i // cols][i % cols]
        agents = []
        xmax = 0
        for (g_task, agent, variant), members in groups:
            if g_task != task:
                continue
            agents.append(agent)
            label = agent + ("" if not variant else " " + " ".join(f"{k.split('.')[-1]}={v}" for k, v in variant))
            color = label_color.setdefault(label, colors[len(label_color) % len(colors)])
            common = sorted(set.intersection(*[{s for s, _ in r["evals"]} for r in members]))
            if not common:
                continue
            per_seed = [dict(r["evals"]) for r in members]
            means, stds = [], []
            for s in common:
                m, sd = aggregate.mean_std([e[s] for e in per_seed])
                means.append(m)
                stds.append(sd)
            ax.plot(common, means, color=color, lw=1.8, label=f"{label} (ours, {len(members)} seeds)")
            ax.fill_between(common, [m - s for m, s in zip(means, stds)], [m + s for m, s in zip(means, stds)],
                            color=color, alpha=0.2, lw=0)
            xmax = max(xmax, common[-1])
        shown = set()
        for method in list(dict.fromkeys(agents + ["curl", "drq"])):
            marker, color = PUBLISHED_STYLE.get(method, ("D", "tab:purple"))
            name = aggregate.METHOD_NAMES.get(method, method)
            for step in (100000, 500000):
                pub = published.get((task, method, step))
                if not pub:
                    continue
                label = f"{name} (paper)" if method not in shown else None
                shown.add(method)
                if xmax and step > 2.5 * xmax:  # far beyond the data: a level, not a point (own method only)
                    if method not in agents:
                        continue
                    ax.axhline(pub[0], color=color, ls=":" if step == 100000 else "--", lw=1,
                               label=f"{name} {step // 1000}k (paper)")
                else:
                    ax.errorbar([step], [pub[0]], yerr=[pub[1]], fmt=marker, color=color, ms=6, capsize=3,
                                label=label)
        ax.set_title(task)
        ax.set_xlabel("environment steps")
        ax.set_ylabel("evaluation return")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(steps_label))
        ax.set_ylim(bottom=0, top=max(1000, ax.get_ylim()[1]))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle(args.title or f"{os.path.basename(sweep_dir)}: mean ± std over seeds", fontsize=11)
    fig.tight_layout()
    out = args.output or os.path.join(sweep_dir, "curves.png")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=args.dpi)
    print(f"plot.py: wrote {out}")


DIAGNOSTICS = [
    ("episode_return", "episode return"), ("critic_loss", "critic loss"), ("actor_loss", "actor loss"),
    ("alpha_loss", "temperature loss"), ("temperature", "temperature (alpha)"), ("entropy", "entropy"),
    ("q1", "Q1"), ("contrastive_loss", "contrastive loss"), ("contrastive_accuracy", "contrastive accuracy"),
    ("steps_per_second", "env steps / s"),
]


def training_rows(cols, col):
    """The (env_steps, value) rows of train.csv's `col` from the first update on (the first row with a critic loss),
    and how many rows before it were left out. The random-action steps run many times faster than training and
    would flatten a speed panel; a log without critic losses (no update yet) keeps every row."""
    rows = [(s, v, loss) for s, v, loss in zip(cols.get("env_steps", []), cols.get(col, []),
                                               cols.get("critic_loss", [None] * len(cols.get(col, []))))
            if s is not None and v is not None]
    first = next((i for i, r in enumerate(rows) if r[2] is not None), None)
    if first is None:
        return [(s, v) for s, v, _ in rows], 0
    return [(s, v) for s, v, _ in rows[first:]], first


def diagnostics(args):
    run_dir = os.path.abspath(args.path)
    train_csv = runfolder.run_file(run_dir, "train.csv")
    if not os.path.exists(train_csv):
        raise aggregate.AggregateError(f"{run_dir}: no train.csv")
    cols = runfolder.read_train(run_dir)
    steps = cols.get("env_steps", [])
    panels = [(c, t) for c, t in DIAGNOSTICS if any(v is not None for v in cols.get(c, []))]
    if not panels:
        raise aggregate.AggregateError(f"{train_csv}: no rows yet")
    ncols = 3
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.0 * nrows), squeeze=False)
    spare = [axes[j // ncols][j % ncols] for j in range(len(panels), nrows * ncols)]
    for ax in spare:
        ax.axis("off")
    for i, (col, title) in enumerate(panels):
        ax = axes[i // ncols][i % ncols]
        pts = [(s, v) for s, v in zip(steps, cols[col]) if s is not None and v is not None]
        if col == "steps_per_second":
            pts, dropped = training_rows(cols, col)
            if dropped:
                title += " (training; the random steps left out)"
        ax.plot([p[0] for p in pts], [p[1] for p in pts], lw=1.2, marker="." if len(pts) < 40 else None,
                label="train episodes" if col == "episode_return" else None)
        if col == "episode_return" and os.path.exists(runfolder.run_file(run_dir, "eval.csv")):
            ev = runfolder.read_eval(run_dir)
            ax.plot([s for s, _ in ev], [r for _, r in ev], "o-", ms=3, lw=1.2, color="tab:red", label="evaluation")
            # Episodes before the first update (no critic loss yet) act uniformly at random: the random baseline.
            rand = [r for r, loss in zip(cols[col], cols.get("critic_loss", [])) if r is not None and loss is None]
            if rand:
                ax.axhline(sum(rand) / len(rand), color="gray", ls="--", lw=1,
                           label=f"random actions (mean of {len(rand)} episodes)")
            # The legend in a spare cell where there is one: over the panel it hides the curves.
            if spare:
                spare[0].legend(*ax.get_legend_handles_labels(), loc="center", fontsize=8,
                                title="episode return", title_fontsize=8)
            else:
                ax.legend(fontsize=7, framealpha=0.9)
        if col == "temperature" and pts and min(p[1] for p in pts) > 0 and \
                max(p[1] for p in pts) > 10 * min(p[1] for p in pts):
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(steps_label))
        ax.grid(alpha=0.3)
    title = os.path.basename(run_dir)
    if os.path.exists(runfolder.run_file(run_dir, "config.yaml")):
        c = runfolder.read_config(run_dir)
        title = f"{c.get('agent.name', '?')} on {c.get('task.name', '?')}, seed {c.get('seed', '?')} ({title})"
    fig.suptitle(args.title or title, fontsize=11)
    fig.supxlabel("environment steps", fontsize=9)
    # `curlrl interpret` writes RUN_DIR/interpret/<env_steps>/interpret.md: name it under the panels.
    reports = interpretations(run_dir)
    if reports:
        fig.text(0.01, 0.005, "interpretation: " + ", ".join(os.path.relpath(r, run_dir) for r in reports),
                 fontsize=7, color="dimgray", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.02 if reports else 0, 1, 1))
    out = args.output or os.path.join(run_dir, "diagnostics.png")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=args.dpi)
    print(f"plot.py: wrote {out}")
    for r in reports:
        print(f"plot.py: interpretation of this run: {r}")


def interpretations(run_dir):
    """The interpret.md files of `curlrl interpret` in RUN_DIR/interpret/<env_steps>/, oldest checkpoint first."""
    root = os.path.join(run_dir, "interpret")
    if not os.path.isdir(root):
        return []
    found = [os.path.join(root, d, "interpret.md") for d in os.listdir(root)
             if os.path.exists(os.path.join(root, d, "interpret.md"))]
    return sorted(found, key=lambda p: (not os.path.basename(os.path.dirname(p)).isdigit(),
                                        int(os.path.basename(os.path.dirname(p)))
                                        if os.path.basename(os.path.dirname(p)).isdigit() else 0, p))


def main(argv):
    mode = "curves"
    if argv and argv[0] in ("diagnostics", "curves"):
        mode, argv = argv[0], argv[1:]
    p = argparse.ArgumentParser(prog=f"plot.py{' diagnostics' if mode == 'diagnostics' else ''}",
                                description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("path", metavar="RUN_DIR" if mode == "diagnostics" else "SWEEP_DIR")
    p.add_argument("-o", "--output", help="PNG to write (default: inside the directory)")
    p.add_argument("--title")
    p.add_argument("--dpi", type=int, default=120)
    p.add_argument("--published-dir", default=os.path.join(aggregate.REPO, "results", "published"))
    args = p.parse_args(argv)
    try:
        (diagnostics if mode == "diagnostics" else curves)(args)
    except (aggregate.AggregateError, OSError, ValueError) as e:
        print(f"plot.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
