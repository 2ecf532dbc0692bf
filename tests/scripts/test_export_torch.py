"""curlrl's weight files against Debian's PyTorch: `curlrl export` writes what torch.load reads, with the documented
names and shapes, and a dictionary written by torch.save starts an agent (agent.init_weights) bit for bit."""
import os
import tempfile
import unittest

import torch

from curlrl_cli import curlrl

QUICK = ["eval_episodes=1", "checkpoint_every=0", "threads=1", "progress_interval=1000", "agent.hidden_dim=16",
         "agent.batch_size=8"]


class StateSacExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.run_dir = os.path.join(cls.tmp.name, "run")
        # cartpole_swingup from states (5 numbers, 1 action), 50 agent steps: 20 updates after 30 random ones.
        curlrl("train", "agent=state_sac", "env_steps=400", "eval_every=0", "agent.init_steps=30", *QUICK,
               "run_dir=" + cls.run_dir)
        cls.file = os.path.join(cls.tmp.name, "agent.pt")
        out = curlrl("export", "run=" + cls.run_dir, "out=" + cls.file).stdout
        assert "checkpoint=env_steps_400" in out, out
        cls.weights = torch.load(cls.file)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_torch_load_gives_the_documented_names_and_shapes(self):
        w = self.weights
        self.assertIsInstance(w, dict)
        expected = {"log_alpha": [1]}
        for net in ("critic", "critic_target"):
            for q in ("q1", "q2"):
                expected.update({f"{net}.{q}.0.weight": [16, 5 + 1], f"{net}.{q}.0.bias": [16],
                                 f"{net}.{q}.1.weight": [16, 16], f"{net}.{q}.1.bias": [16],
                                 f"{net}.{q}.2.weight": [1, 16], f"{net}.{q}.2.bias": [1]})
        expected.update({"actor.trunk.0.weight": [16, 5], "actor.trunk.0.bias": [16],
                         "actor.trunk.1.weight": [16, 16], "actor.trunk.1.bias": [16],
                         "actor.trunk.2.weight": [2, 16], "actor.trunk.2.bias": [2]})
        self.assertEqual({k: list(v.shape) for k, v in w.items()}, expected)
        for name, t in w.items():
            self.assertEqual(t.dtype, torch.float32, name)
        # After 20 updates the critic has moved away from its target (EMA with tau 0.01).
        self.assertFalse(torch.equal(w["critic.q1.0.weight"], w["critic_target.q1.0.weight"]))

    def test_weights_only_loading_reads_the_same_tensors(self):
        # A plain dictionary of tensors, no type tag: PyTorch's weights-only unpickler (torch.load's default from
        # 2.6) reads it as it is.
        safe = torch.load(self.file, weights_only=True)
        self.assertEqual(set(safe), set(self.weights))
        for name, t in self.weights.items():
            self.assertTrue(torch.equal(safe[name], t), name)

    def test_a_torch_save_dictionary_starts_an_agent_bit_for_bit(self):
        changed = {k: (v * 0.5 + 0.01).contiguous() for k, v in self.weights.items()}
        init = os.path.join(self.tmp.name, "changed.pt")
        torch.save(changed, init)
        # 80 env steps are 10 agent steps, all random (init_steps 1000): no update touches the imported weights.
        run = os.path.join(self.tmp.name, "from_python")
        curlrl("train", "agent=state_sac", "env_steps=80", "eval_every=0", *QUICK, "agent.init_weights=" + init,
               "run_dir=" + run)
        back = os.path.join(self.tmp.name, "back.pt")
        curlrl("export", "run=" + run, "out=" + back)
        again = torch.load(back)
        self.assertEqual(sorted(again), sorted(changed))
        for name in changed:
            self.assertTrue(torch.equal(again[name], changed[name]), name)

    def test_a_wrong_shape_is_a_one_line_error_before_anything_is_written(self):
        bad = dict(self.weights)
        bad["actor.trunk.2.weight"] = torch.zeros(3, 16)
        init = os.path.join(self.tmp.name, "bad.pt")
        torch.save(bad, init)
        run = os.path.join(self.tmp.name, "never")
        r = curlrl("train", "agent=state_sac", "env_steps=80", *QUICK, "agent.init_weights=" + init,
                   "run_dir=" + run, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("'actor.trunk.2.weight' has shape [3, 16]", r.stderr)
        self.assertFalse(os.path.exists(run))


class CurlExport(unittest.TestCase):
    def test_pixel_agent_names_and_the_conventional_fc_layout(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            curlrl("train", "agent=curl", "env_steps=16", "eval_every=0", *QUICK, "run_dir=" + run)
            out = os.path.join(tmp, "curl.pt")
            curlrl("export", "run=" + run, "out=" + out)
            w = torch.load(out)
        # 9 x 84 x 84 crops through 4 convolutions of 32 filters (stride 2, then 1): 32 x 35 x 35 into fc.
        self.assertEqual(list(w["critic.encoder.conv0.weight"].shape), [32, 9, 3, 3])
        self.assertEqual(list(w["critic.encoder.conv3.weight"].shape), [32, 32, 3, 3])
        self.assertEqual(list(w["critic.encoder.fc.weight"].shape), [50, 32 * 35 * 35])
        self.assertEqual(list(w["curl.W"].shape), [50, 50])
        self.assertNotIn("actor.encoder.conv0.weight", w)  # tied to the critic's, listed once
        self.assertIn("actor.encoder.fc.weight", w)
        # A plain PyTorch encoder built from the file runs (the fc reads torch.flatten's (C, H, W) order; the
        # C++ test Weights.TheExportedEncoderIsPlainPyTorchLayout checks the values against curlrl's forward).
        x = torch.rand(2, 9, 84, 84)
        for i in range(4):
            x = torch.relu(torch.nn.functional.conv2d(x, w[f"critic.encoder.conv{i}.weight"],
                                                      w[f"critic.encoder.conv{i}.bias"], stride=2 if i == 0 else 1))
        z = torch.nn.functional.linear(torch.flatten(x, 1), w["critic.encoder.fc.weight"], w["critic.encoder.fc.bias"])
        self.assertEqual(list(z.shape), [2, 50])


if __name__ == "__main__":
    unittest.main()
