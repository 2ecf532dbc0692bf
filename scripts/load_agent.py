#!/usr/bin/python3
"""Load a curlrl agent into plain PyTorch modules and print its deterministic action: the README's example of using
a curlrl agent from Python (Debian's python3 and python3-torch only).

usage: scripts/load_agent.py RUN_DIR|FILE.pt [--frame PNG [--crop N]] [--state V1,V2,...] [--curlrl BIN]

A RUN_DIR is exported first (`curlrl export`, its latest checkpoint). A pixel agent reads --frame, one RGB frame as
`curlrl render out=frame.png` writes it, stacked as at an episode start (the first frame repeated) and centre-cropped
to --crop (default: the frame's side minus 16, i.e. 100 -> 84); a state agent reads --state. The architecture is
read off the tensors' names and shapes (docs/extending.md, "Weights in and out: PyTorch").
"""
import argparse
import os
import subprocess
import sys
import tempfile

import torch
from torch import nn


class PixelEncoder(nn.Module):
    """Convolutions (3x3, stride 2 then 1, ReLU) on [0, 255] pixels scaled to [0, 1], fc, LayerNorm."""

    def __init__(self, conv_shapes, fc_shape, tanh=False):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(shape[1], shape[0], shape[2], stride=2 if i == 0 else 1) for i, shape in enumerate(conv_shapes))
        self.fc = nn.Linear(fc_shape[1], fc_shape[0])
        self.ln = nn.LayerNorm(fc_shape[0])
        self.tanh = tanh

    def forward(self, obs):
        x = obs / 255.0
        for conv in self.convs:
            x = torch.relu(conv(x))
        x = self.ln(self.fc(torch.flatten(x, 1)))
        return torch.tanh(x) if self.tanh else x


class Actor(nn.Module):
    """The policy: encoder (pixels) or none (states), an MLP giving means and log-std pre-activations."""

    def __init__(self, encoder, trunk_shapes):
        super().__init__()
        self.encoder = encoder
        layers = []
        for i, (out_features, in_features) in enumerate(trunk_shapes):
            layers.append(nn.Linear(in_features, out_features))
            if i + 1 < len(trunk_shapes):
                layers.append(nn.ReLU())
        self.trunk = nn.Sequential(*layers)

    def forward(self, obs):
        features = self.encoder(obs) if self.encoder is not None else obs
        mean, _log_std = self.trunk(features).chunk(2, dim=-1)
        return torch.tanh(mean)  # the deterministic action, in [-1, 1]


def actor_from_weights(w):
    """An Actor with the exported tensors loaded (the convolutions are the critic's: they are tied)."""
    convs = sorted((k for k in w if k.startswith("critic.encoder.conv") and k.endswith(".weight")),
                   key=lambda k: int(k[len("critic.encoder.conv"):].split(".")[0]))
    trunk = sorted((k for k in w if k.startswith("actor.trunk.") and k.endswith(".weight")),
                   key=lambda k: int(k.split(".")[2]))
    encoder = None
    state = {}
    if convs:
        encoder = PixelEncoder([w[k].shape for k in convs], w["actor.encoder.fc.weight"].shape)
        for i, k in enumerate(convs):
            state[f"encoder.convs.{i}.weight"] = w[k]
            state[f"encoder.convs.{i}.bias"] = w[k[:-len("weight")] + "bias"]
        for part in ("fc", "ln"):
            for p in ("weight", "bias"):
                state[f"encoder.{part}.{p}"] = w[f"actor.encoder.{part}.{p}"]
    actor = Actor(encoder, [w[k].shape for k in trunk])
    for j, k in enumerate(trunk):
        state[f"trunk.{2 * j}.weight"] = w[k]
        state[f"trunk.{2 * j}.bias"] = w[k[:-len("weight")] + "bias"]
    actor.load_state_dict(state)
    return actor.eval()


def frame_stack(png, stack, crop):
    """[1, 3*stack, crop, crop] float in [0, 255]: the PNG's frame repeated, centre-cropped."""
    import matplotlib.image
    image = matplotlib.image.imread(png)  # H x W x (3|4), floats in [0, 1] for PNG
    frame = torch.from_numpy((image[:, :, :3] * 255.0).round().astype("uint8")).permute(2, 0, 1).float()
    h, w = frame.shape[1:]
    crop = crop or h - 16
    top, left = (h - crop) // 2, (w - crop) // 2
    frame = frame[:, top:top + crop, left:left + crop]
    return frame.repeat(stack, 1, 1).unsqueeze(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", help="a run directory or an exported FILE.pt")
    parser.add_argument("--frame", help="PNG of one RGB frame (pixel agents)")
    parser.add_argument("--crop", type=int, default=0, help="centre crop side (default: frame side - 16)")
    parser.add_argument("--state", help="comma-separated state (state agents)")
    parser.add_argument("--curlrl", default=os.environ.get("CURLRL_BIN", "build/curlrl"), help="the curlrl program")
    args = parser.parse_args()

    if os.path.isdir(args.source):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "agent.pt")
            r = subprocess.run([args.curlrl, "export", "run=" + args.source, "out=" + path], capture_output=True,
                               text=True)
            if r.returncode != 0:
                sys.exit(f"load_agent.py: {r.stderr.strip()}")
            weights = torch.load(path)
    else:
        try:
            weights = torch.load(args.source)
        except Exception as e:  # a missing, damaged or foreign file: one line, not a traceback
            sys.exit(f"load_agent.py: cannot read {args.source}: {(str(e).splitlines() or [type(e).__name__])[0]}")
    actor = actor_from_weights(weights)

    if actor.encoder is not None:
        if not args.frame:
            sys.exit("load_agent.py: a pixel agent needs --frame PNG")
        in_channels = actor.encoder.convs[0].in_channels
        obs = frame_stack(args.frame, in_channels // 3, args.crop)
    else:
        if not args.state:
            sys.exit("load_agent.py: a state agent needs --state V1,V2,...")
        obs = torch.tensor([[float(v) for v in args.state.split(",")]])
    with torch.no_grad():
        action = actor(obs)[0]
    print("action " + " ".join(f"{a:.6f}" for a in action.tolist()))


if __name__ == "__main__":
    main()
