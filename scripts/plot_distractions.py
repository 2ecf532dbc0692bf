#!/usr/bin/python3
"""The six tasks under every evaluation look, one frame each, as one picture.

usage: scripts/plot_distractions.py [-o results/distractions.png] [--curlrl build/curlrl] [--seed 1] [--size 100]
                                    [-- extra curlrl overrides, e.g. distraction.video_dir=DIR]

Each cell is `curlrl render task=TASK eval.mode=MODE seed=SEED size=SIZE out=...png`: the first frame of an
episode, its look drawn from the seed (SEED + the row's index: each task gets other draws; envs/distraction.h),
so the picture is reproducible.
"""

import argparse
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TASKS = ["cartpole_swingup", "reacher_easy", "cheetah_run", "walker_walk", "finger_spin", "ball_in_cup_catch"]
MODES = ["train", "color_easy", "color_hard", "video_easy", "video_hard", "camera"]


def main(argv):
    p = argparse.ArgumentParser(prog="plot_distractions.py", description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", default=os.path.join(REPO, "results", "distractions.png"))
    p.add_argument("--curlrl", default=os.path.join(REPO, "build", "curlrl"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("overrides", nargs="*", help="more key=value overrides for every render")
    args = p.parse_args(argv)
    if not os.access(args.curlrl, os.X_OK):
        print(f"plot_distractions.py: error: {args.curlrl} is not an executable curlrl (build it first)", file=sys.stderr)
        return 1
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    with tempfile.TemporaryDirectory(prefix="curlrl_distractions_") as tmp:
        fig, axes = plt.subplots(len(TASKS), len(MODES), figsize=(1.6 * len(MODES), 1.6 * len(TASKS)))
        for i, task in enumerate(TASKS):
            for j, mode in enumerate(MODES):
                out = os.path.join(tmp, f"{task}_{mode}.png")
                cmd = [args.curlrl, "render", f"task={task}", f"eval.mode={mode}", f"seed={args.seed + i}",
                       f"size={args.size}", f"out={out}"] + args.overrides
                done = subprocess.run(cmd, capture_output=True, text=True)
                if done.returncode != 0:
                    print(f"plot_distractions.py: error: {' '.join(cmd)}: {done.stderr.strip()}", file=sys.stderr)
                    return 1
                ax = axes[i][j]
                ax.imshow(mpimg.imread(out))
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0:
                    ax.set_title(mode, fontsize=9)
                if j == 0:
                    ax.set_ylabel(task.replace("_", "\n", 1), fontsize=8)
        fig.suptitle(f"evaluation looks (eval.mode), first frame of an episode; row i drawn with seed {args.seed} + i", fontsize=10)
        fig.tight_layout()
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        fig.savefig(args.output, dpi=110)
    print(f"plot_distractions.py: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
