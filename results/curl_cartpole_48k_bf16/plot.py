#!/usr/bin/python3
"""fp32 against bf16: CURL on cartpole_swingup, batch 128, seed 1, 48k env steps (this folder and
../curl_cartpole_48k). Writes curves.png next to this file; Debian's python3-matplotlib only."""
import csv
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = {"fp32 (results/curl_cartpole_48k)": os.path.join(HERE, "..", "curl_cartpole_48k"),
        "bf16 (agent.precision=bf16)": HERE}
PANELS = [("eval.csv", "episode_return", "evaluation return (10 episodes)"),
          ("train.csv", "critic_loss", "critic loss (episode mean)"),
          ("train.csv", "contrastive_accuracy", "contrastive accuracy"),
          ("train.csv", "temperature", "temperature alpha")]


def column(path, name):
    with open(path) as f:
        rows = [r for r in csv.DictReader(f) if r.get(name) not in (None, "")]
    return [float(r["env_steps"]) for r in rows], [float(r[name]) for r in rows]


fig, axes = plt.subplots(1, len(PANELS), figsize=(4 * len(PANELS), 3.4))
for ax, (file, name, title) in zip(axes, PANELS):
    for label, folder in RUNS.items():
        x, y = column(os.path.join(folder, file), name)
        ax.plot(x, y, "o-" if file == "eval.csv" else "-", ms=3, lw=1.3, label=label)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("environment steps", fontsize=8)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=7)
fig.suptitle("CURL, cartpole_swingup, batch 128, seed 1: fp32 and bf16 mixed precision", fontsize=10)
fig.tight_layout()
fig.savefig(os.path.join(HERE, "curves.png"), dpi=110)
print("wrote", os.path.join(HERE, "curves.png"))
