#!/usr/bin/python3
"""Tests of scripts/curlrl_runs/runfolder.py, the one reader of a curlrl run directory (sweep.py, aggregate.py and
plot.py share it), on run directories made by hand in a temporary folder.

Run from the repository root with Debian's Python:
  /usr/bin/python3 tests/scripts/test_runfolder.py
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")
sys.path.insert(0, SCRIPTS)
from curlrl_runs import plan, runfolder, sweepdir, yamlread  # noqa: E402

EVAL_HEADER = "env_steps,agent_steps,episode_return,episode_return_std,episodes,wall_time\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class RunFolderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="curlrl_runfolder_")
        self.run = os.path.join(self.tmp, "run")
        os.makedirs(self.run)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def file(self, name, text):
        write(os.path.join(self.run, name), text)

    def checkpoint(self, steps, complete=True):
        folder = os.path.join(self.run, "checkpoints", f"env_steps_{steps}")
        write(os.path.join(folder, "agent.pt"), "")
        if complete:
            write(os.path.join(folder, "manifest.txt"), "curlrl checkpoint v1\nagent.pt 0\n")


class Config(RunFolderTest):
    def test_flattens_nested_keys_lists_quotes_and_comments(self):
        # The layout yaml-cpp writes (Config::to_yaml), with comments and quoting added.
        self.file("config.yaml",
                  "# written by curlrl\n"
                  "agent:\n"
                  "  batch_size: 128   # a trailing comment\n"
                  "  name: curl\n"
                  "augment:\n"
                  "  name: [crop, cutout]\n"
                  "  options:\n"
                  "    p: 0.5\n"
                  "env_steps: 500000\n"
                  "resume: \"\"\n"
                  "run_dir: 'runs/a #1'\n"
                  "note: x#y\n"
                  "steps:\n"
                  "  - 1\n"
                  "  - \"2\"\n"
                  "seed: 3\n")
        self.assertEqual(runfolder.read_config(self.run), {
            "agent.batch_size": "128", "agent.name": "curl", "augment.name": "[crop, cutout]",
            "augment.options.p": "0.5", "env_steps": "500000", "resume": "", "run_dir": "runs/a #1",
            "note": "x#y", "steps": "[1, 2]", "seed": "3"})

    def test_a_file_outside_the_subset_is_an_error_with_its_line(self):
        self.file("config.yaml", "agent:\n  name: curl\n    batch_size: 1\n")
        with self.assertRaisesRegex(yamlread.YamlError, r"config\.yaml:3: unexpected indentation"):
            runfolder.read_config(self.run)
        self.assertTrue(issubclass(yamlread.YamlError, ValueError))  # aggregate.py and plot.py report ValueError

    def test_missing_config_raises_oserror(self):
        with self.assertRaises(OSError):
            runfolder.read_config(self.run)


class Logs(RunFolderTest):
    def test_resumed_run_counts_the_last_row_of_a_step_once(self):
        # Stopped after 2000 with a checkpoint at 2000; the resumed run evaluated 2000 again and went on to 3000.
        # A row cut short (still being written) and one that does not parse are skipped.
        self.file("eval.csv", EVAL_HEADER + "0,0,10.5,1,10,1\n1000,1,200,1,10,2\n2000,2,300,1,10,3\n"
                                            "2000,2,310,1,10,4\n3000,3,450.25,1,10,5\nx,4,1,1,10,6\n4000,4\n")
        self.assertEqual(runfolder.read_eval(self.run), [(0, 10.5), (1000, 200.0), (2000, 310.0), (3000, 450.25)])
        self.assertEqual(runfolder.last_eval(self.run), (3000, 450.25))

    def test_no_evaluation_yet(self):
        self.assertEqual(runfolder.last_eval(self.run), (None, None))  # no eval.csv
        with self.assertRaises(OSError):
            runfolder.read_eval(self.run)
        self.file("eval.csv", EVAL_HEADER)
        self.assertEqual(runfolder.read_eval(self.run), [])
        self.assertEqual(runfolder.last_eval(self.run), (None, None))
        self.assertFalse(runfolder.has_results(self.run))  # eval.csv without config.yaml
        self.file("config.yaml", "seed: 1\n")
        self.assertTrue(runfolder.has_results(self.run))

    def test_train_columns_with_empty_cells(self):
        self.file("train.csv", "env_steps,episode_return,critic_loss\n1000,5,\n2000,7.5,0.25\n3000,9,nan?\n")
        self.assertEqual(runfolder.read_train(self.run), {"env_steps": [1000.0, 2000.0, 3000.0],
                                                          "episode_return": [5.0, 7.5, 9.0],
                                                          "critic_loss": [None, 0.25, None]})


class CheckpointsBudgetAndState(RunFolderTest):
    def test_latest_checkpoint_needs_its_manifest(self):
        self.assertIsNone(runfolder.latest_checkpoint(self.run))  # no checkpoints/
        self.checkpoint(9000)
        self.checkpoint(10000)  # newer by number, not by name
        self.checkpoint(20000, complete=False)  # being written: no manifest yet
        write(os.path.join(self.run, "checkpoints", "env_steps_30000.tmp", "manifest.txt"), "")
        self.assertEqual(runfolder.latest_checkpoint(self.run), 10000)

    def test_budget_from_config(self):
        self.assertIsNone(runfolder.budget(self.run))  # no config.yaml
        self.file("config.yaml", "agent:\n  env_steps: 5\nseed: 1\n")
        self.assertIsNone(runfolder.budget(self.run))  # only the top-level key counts
        self.file("config.yaml", "agent:\n  env_steps: 5\nenv_steps: 100000  # budget\nseed: 1\n")
        self.assertEqual(runfolder.budget(self.run), 100000)
        self.assertEqual(runfolder.to_steps("1e5"), 100000)
        self.assertIsNone(runfolder.to_steps("many"))

    def test_disk_state(self):
        self.assertEqual(runfolder.disk_state(self.run, 1000), "new")
        self.file("config.yaml", "env_steps: 1000\n")
        self.checkpoint(1000, complete=False)
        self.assertEqual(runfolder.disk_state(self.run, 1000), "stale")
        self.checkpoint(500)
        self.assertEqual(runfolder.disk_state(self.run, 1000), "resumable")
        self.assertEqual(runfolder.disk_state(self.run, None), "resumable")  # unknown budget: never finished
        self.checkpoint(1000)
        self.assertEqual(runfolder.disk_state(self.run, 1000), "finished")
        self.assertEqual(runfolder.disk_state(self.run, 2000), "resumable")

    def test_a_sweeps_override_of_the_budget_wins_over_the_config(self):
        self.file("config.yaml", "env_steps: 1000\n")
        self.checkpoint(1000)
        run = {"index": 0, "name": "run", "overrides": ["seed=1"], "run_dir": self.run}
        self.assertEqual((plan.run_budget(run), plan.run_state(run)), (1000, "finished"))
        run["overrides"].append("env_steps=2e3")
        self.assertEqual((plan.run_budget(run), plan.run_state(run)), (2000, "resumable"))


class FindRuns(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="curlrl_findruns_")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_folders_with_config_and_eval_below_a_plain_folder(self):
        for name in ("b/run2", "a/run1", "a/run1/checkpoints/env_steps_5", "c"):
            write(os.path.join(self.tmp, name, "config.yaml"), "seed: 1\n")
            write(os.path.join(self.tmp, name, "eval.csv"), EVAL_HEADER)
        write(os.path.join(self.tmp, "d", "config.yaml"), "seed: 1\n")  # not started: no eval.csv
        self.assertEqual(sweepdir.find_runs(self.tmp),
                         [os.path.join(self.tmp, n) for n in ("a/run1", "b/run2", "c")])

    def test_a_moved_sweep_finds_its_runs_folder(self):
        # sweep.json lists absolute run directories; one of them no longer exists there (the sweep was moved).
        here = os.path.join(self.tmp, "runs", "0_seed-1")
        os.makedirs(here)
        with open(os.path.join(self.tmp, "sweep.json"), "w", encoding="utf-8") as f:
            json.dump({"runs": [{"run_dir": here}, {"run_dir": "/elsewhere/runs/1_seed-2"}]}, f)
        self.assertEqual(sweepdir.find_runs(self.tmp), [here, os.path.join(self.tmp, "runs", "1_seed-2")])


class DiagnosticsLinkTest(unittest.TestCase):
    """plot.py diagnostics names the run's `curlrl interpret` reports when there are any."""

    def test_names_interpret_reports(self):
        import subprocess
        tmp = tempfile.mkdtemp(prefix="curlrl_diag_")
        try:
            run = os.path.join(tmp, "run")
            write(os.path.join(run, "train.csv"), "env_steps,episode_return,critic_loss\n1000,10,\n2000,20,1.5\n")
            plot = os.path.join(SCRIPTS, "plot.py")
            out = subprocess.run([sys.executable, plot, "diagnostics", run], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotIn("interpretation", out.stdout)
            for steps in ("20000", "5000"):
                write(os.path.join(run, "interpret", steps, "interpret.md"), "# report\n")
            os.makedirs(os.path.join(run, "interpret", "9000"))  # no report in it: not named
            out = subprocess.run([sys.executable, plot, "diagnostics", run], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            named = [l.rsplit(": ", 1)[1] for l in out.stdout.splitlines() if "interpretation of this run" in l]
            self.assertEqual(named, [os.path.join(run, "interpret", s, "interpret.md") for s in ("5000", "20000")])
            self.assertTrue(os.path.exists(os.path.join(run, "diagnostics.png")))
        finally:
            shutil.rmtree(tmp)


class TrainingRowsTest(unittest.TestCase):
    """plot.py's speed panel starts at the first update: the random-action rows (no critic loss) are left out."""

    def test_rows_from_the_first_critic_loss_on(self):
        import plot
        cols = {"env_steps": [1000, 2000, 3000, 4000, None], "steps_per_second": [800.0, 750.0, 11.0, 12.0, 9.0],
                "critic_loss": [None, None, 3.0, None, 2.0]}
        self.assertEqual(plot.training_rows(cols, "steps_per_second"), ([(3000, 11.0), (4000, 12.0)], 2))
        no_updates = {"env_steps": [1000, 2000], "steps_per_second": [800.0, 750.0], "critic_loss": [None, None]}
        self.assertEqual(plot.training_rows(no_updates, "steps_per_second"), ([(1000, 800.0), (2000, 750.0)], 0))
        no_column = {"env_steps": [1000], "steps_per_second": [5.0]}
        self.assertEqual(plot.training_rows(no_column, "steps_per_second"), ([(1000, 5.0)], 0))


class EvalModesTest(unittest.TestCase):
    """eval.csv with a `mode` column (eval.modes=[train,...]): read per mode, and aggregate.py's generalisation gap."""

    def test_modes_are_read_apart_and_the_gap_is_train_minus_mode(self):
        import aggregate
        tmp = tempfile.mkdtemp(prefix="curlrl_modes_")
        try:
            runs = []
            for i, (train, hard) in enumerate([(100.0, 40.0), (120.0, 60.0)]):
                run = os.path.join(tmp, f"run{i}")
                write(os.path.join(run, "eval.csv"), EVAL_HEADER.rstrip("\n") + ",mode\n"
                      f"0,0,10,1,1,1,train\n0,0,5,1,1,1,color_hard\n"
                      f"1000,10,{train},1,1,2,train\n1000,10,{hard},1,1,2,color_hard\n")
                runs.append({"dir": run, "task": "cartpole_swingup", "agent": "curl"})
            self.assertEqual(runfolder.eval_modes(runs[0]["dir"]), ["train", "color_hard"])
            self.assertEqual(runfolder.read_eval(runs[0]["dir"]), [(0, 10.0), (1000, 100.0)])
            self.assertEqual(runfolder.read_eval(runs[0]["dir"], "color_hard"), [(0, 5.0), (1000, 40.0)])
            rows = {r["mode"]: r for r in aggregate.generalisation(runs)}
            self.assertAlmostEqual(rows["train"]["mean"], 110.0)
            self.assertIsNone(rows["train"]["gap"])
            self.assertAlmostEqual(rows["color_hard"]["mean"], 50.0)
            self.assertAlmostEqual(rows["color_hard"]["gap"], 60.0)
            self.assertAlmostEqual(rows["color_hard"]["share"], 50.0 / 110.0)
            # A file without the column is the training look only; no generalisation rows.
            plain = os.path.join(tmp, "plain")
            write(os.path.join(plain, "eval.csv"), EVAL_HEADER + "0,0,7,1,1,1\n")
            self.assertEqual(runfolder.eval_modes(plain), ["train"])
            self.assertEqual(runfolder.read_eval(plain, "color_hard"), [])
            self.assertEqual(aggregate.generalisation([{"dir": plain, "task": "t", "agent": "a"}]), [])
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()
