#!/usr/bin/python3
"""Side-by-side of curlrl's camera-0 frames at qpos0 and reference frames of the same models.

usage: compare_frames.py REFERENCE_DIR [-o results/frames_vs_reference.png] [--curlrl build/curlrl]
REFERENCE_DIR holds <model>_qpos0_cam0_100.png for cartpole, reacher, cheetah, walker, finger, ball_in_cup.
Prints the mean absolute pixel difference per model (0-255 scale; the sky's random stars differ).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = [("cartpole", "cartpole_swingup"), ("reacher", "reacher_easy"), ("cheetah", "cheetah_run"),
          ("walker", "walker_walk"), ("finger", "finger_spin"), ("ball_in_cup", "ball_in_cup_catch")]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("reference_dir")
    p.add_argument("-o", "--output", default=os.path.join(REPO, "results", "frames_vs_reference.png"))
    p.add_argument("--curlrl", default=os.path.join(REPO, "build", "curlrl"))
    p.add_argument("--quality", default="reference", choices=["reference", "fast"],
                   help="task.render_quality of curlrl's frames")
    args = p.parse_args()
    fig, axes = plt.subplots(2, len(MODELS), figsize=(2 * len(MODELS), 4.4))
    with tempfile.TemporaryDirectory() as tmp:
        for i, (model, task) in enumerate(MODELS):
            ref = mpimg.imread(os.path.join(args.reference_dir, f"{model}_qpos0_cam0_100.png"))[..., :3]
            out = os.path.join(tmp, f"{model}.png")
            subprocess.run([args.curlrl, "render", f"task={task}", "qpos0=true", "size=100", f"out={out}",
                            f"task.render_quality={args.quality}"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ours = mpimg.imread(out)[..., :3]
            diff = abs(ref.astype(float) - ours.astype(float)).mean() * 255
            print(f"{model}: mean abs difference {diff:.2f} / 255")
            for row, (img, label) in enumerate([(ref, "reference"), (ours, f"curlrl ({diff:.1f})")]):
                axes[row, i].imshow(img)
                axes[row, i].set_title(f"{model}\n{label}" if row == 0 else label, fontsize=8)
                axes[row, i].axis("off")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    sys.exit(main())
