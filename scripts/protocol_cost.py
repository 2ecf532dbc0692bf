#!/usr/bin/python3
"""What CURL's DMControl protocol costs: updates, wall time on a machine like this project's, and disk.

usage: scripts/protocol_cost.py > results/protocol_cost.md

Arithmetic on measured figures (each named below with where it was measured) and the tasks' action repeats read
from configs/task/*.yaml: per task and budget, the agent steps (budget / action repeat), the updates (agent steps
minus the random ones), the wall time of one run here (updates x update time + agent steps x rendered env step;
`curlrl bench train` measures a training step at 1.03-1.07x of that), and the checkpoint's size (the replay
buffer, min(agent steps, capacity) transitions, plus the networks and optimiser states and the environment).
"""

import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TASKS = ["finger_spin", "cartpole_swingup", "reacher_easy", "cheetah_run", "walker_walk", "ball_in_cup_catch"]
INIT_STEPS = 1000           # agent.init_steps: random agent steps before updates start
CAPACITY = 100_000          # agent.replay_capacity, transitions
SEEDS = 10                  # the published tables' seeds per task

# Measured inputs (results/benchmarks.md unless said otherwise), 2 threads, this project's machine.
UPDATE_MS = {("fp32", 128): 699.5, ("fp32", 512): 2617.2, ("bf16", 128): 384.1, ("bf16", 512): 1410.3}
ENV_MS = {"cartpole_swingup": 4.8, "reacher_easy": 5.0, "cheetah_run": 5.9, "walker_walk": 6.3,
          "finger_spin": 4.9, "ball_in_cup_catch": 9.4}      # one rendered agent step, `fast` look
BYTES_PER_TRANSITION = 30349.5                                  # curlrl bench replay
CHECKPOINT_FIXED_BYTES = 135_966_798 + 11_891_595 + 15_925      # agent.pt + env.bin + state.pt of a CURL run


def action_repeat(task):
    with open(os.path.join(REPO, "configs", "task", task + ".yaml")) as f:
        m = re.search(r"^\s*action_repeat:\s*(\d+)", f.read(), re.M)
    return int(m.group(1)) if m else 1


def gb(n):
    return n / 1e9


def main():
    out = sys.stdout
    print("# What CURL's DMControl protocol costs on this machine", file=out)
    print(file=out)
    print("command: scripts/protocol_cost.py > results/protocol_cost.md", file=out)
    print("commit: 789ea74 for the checkpoint sizes (a CURL run of that commit, batch 128, 10k env steps); the update "
          "and environment times are results/benchmarks.md's (recorded in 0b4e4ba and b63450a)", file=out)
    print("machine: the machines of results/benchmarks.md (2 cores, 24 GiB, no GPU), 2 threads", file=out)
    print(file=out)
    print("Inputs: update " + ", ".join(f"{p} batch {b}: {ms} ms" for (p, b), ms in UPDATE_MS.items()) +
          "; one rendered agent step " + ", ".join(f"{t} {ENV_MS[t]} ms" for t in TASKS) +
          f"; {BYTES_PER_TRANSITION} bytes per stored pixel transition; {CHECKPOINT_FIXED_BYTES} bytes of networks, "
          f"optimiser states and environment per checkpoint; {INIT_STEPS} random agent steps; replay capacity "
          f"{CAPACITY}.", file=out)
    print(file=out)
    print("| task | action repeat | budget | agent steps | updates | hours fp32 b128 | hours fp32 b512 | "
          "hours bf16 b128 | hours bf16 b512 | checkpoint GB |", file=out)
    print("|---|---|---|---|---|---|---|---|---|---|", file=out)
    totals = {}
    for budget in (100_000, 500_000):
        for task in TASKS:
            repeat = action_repeat(task)
            steps = budget // repeat
            updates = max(0, steps - INIT_STEPS)
            hours = {k: (updates * ms + steps * ENV_MS[task]) / 3.6e6 for k, ms in UPDATE_MS.items()}
            disk = min(steps, CAPACITY) * BYTES_PER_TRANSITION + CHECKPOINT_FIXED_BYTES
            t = totals.setdefault(budget, {"updates": 0, "disk": 0.0, **{k: 0.0 for k in UPDATE_MS}})
            t["updates"] += updates
            t["disk"] += disk
            for k in UPDATE_MS:
                t[k] += hours[k]
            print(f"| {task} | {repeat} | {budget // 1000}k | {steps} | {updates} | " +
                  " | ".join(f"{hours[k]:.1f}" for k in UPDATE_MS) + f" | {gb(disk):.2f} |", file=out)
    print(file=out)
    print(f"The whole protocol, {SEEDS} seeds of each of the six tasks:", file=out)
    print(file=out)
    print("| budget | runs | updates | days fp32 b128 | days fp32 b512 | days bf16 b128 | days bf16 b512 | "
          "checkpoints GB (latest of every run) |", file=out)
    print("|---|---|---|---|---|---|---|---|", file=out)
    for budget, t in totals.items():
        print(f"| {budget // 1000}k | {SEEDS * len(TASKS)} | {SEEDS * t['updates']} | " +
              " | ".join(f"{SEEDS * t[k] / 24:.0f}" for k in UPDATE_MS) + f" | {SEEDS * gb(t['disk']):.0f} |", file=out)
    print(file=out)
    print("Days are of one such 2-core machine running one run at a time. While a checkpoint is written the "
          "previous one is kept until the new one is complete, so a run needs twice its checkpoint size at peak. "
          "`save_replay=false` leaves the replay out (3.0 GB at capacity) at the price of resuming with an empty "
          "buffer, which changes the algorithm.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
