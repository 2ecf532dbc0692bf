#!/usr/bin/python3
"""sweep.py's validation before launching: which override sets it asks `curlrl train --print-config` about, and
that a rejected combination stops the sweep with curlrl's message before anything is written.

A stand-in curlrl (a shell script) records every call and rejects agent=curl with encoder=drq, as the real one
does; the real program's rules are tested in tests/apps (Cli.PrintConfigRunsTheRulesTheTrainerWouldRun)."""

import os
import stat
import subprocess
import sys
import tempfile
import unittest

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")
sys.path.insert(0, SCRIPTS)
from curlrl_runs.cli import runs_to_validate  # noqa: E402
from curlrl_runs.plan import make_runs  # noqa: E402

GROUPS = {"task", "agent", "encoder", "augment"}

FAKE_CURLRL = """#!/bin/sh
echo "$*" >> "{log}"
case " $* " in
  *" agent=curl "*"encoder=drq "*) echo "curlrl: error: the CURL head needs at most 4096 features" >&2; exit 2 ;;
esac
exit 0
"""


def runs_of(keys):
    return make_runs(keys, "/nonexistent")[0]


class WhichRunsAreChecked(unittest.TestCase):
    def test_every_combination_of_group_choices_is_checked_once(self):
        runs = runs_of({"agent": ["curl", "rad"], "encoder": ["pixel", "drq"], "seed": ["1", "2", "3"]})
        checked = runs_to_validate(runs, GROUPS)
        combos = [tuple(o for o in c if o.split("=")[0] in GROUPS) for c in checked]
        # 2 x 2 combinations of group choices; seed values 2 and 3 are covered by later runs of the first combo
        self.assertEqual(sorted(set(combos)), sorted({("agent=curl", "encoder=pixel"), ("agent=curl", "encoder=drq"),
                                                      ("agent=rad", "encoder=pixel"), ("agent=rad", "encoder=drq")}))
        self.assertEqual(len(checked), 4 + 2)  # the first combination with seed=1, 2 and 3, then one each
        for seed in ("1", "2", "3"):
            self.assertTrue(any(f"seed={seed}" in c for c in checked), seed)

    def test_the_combination_at_the_end_of_the_product_is_checked(self):
        # the old rule (first run, then each group value on its own) never built agent=curl with encoder=drq here
        runs = runs_of({"agent": ["rad", "curl"], "encoder": ["pixel", "drq"]})
        checked = runs_to_validate(runs, GROUPS)
        self.assertIn(["agent=curl", "encoder=drq"], checked)

    def test_every_value_of_a_non_group_key_is_checked(self):
        runs = runs_of({"task": ["cartpole_swingup"], "agent.batch_size": ["128", "0"], "seed": ["1", "2"]})
        checked = runs_to_validate(runs, GROUPS)
        self.assertTrue(any("agent.batch_size=0" in c for c in checked))
        # in product order: (128, seed 1); (128, seed 2) brings seed 2; (0, seed 1) brings 0; (0, seed 2) nothing new
        self.assertEqual(checked, [r["overrides"] for r in runs[:3]])


class ValidationStopsTheSweep(unittest.TestCase):
    def test_a_rejected_combination_is_one_line_and_nothing_is_written(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "calls.txt")
            fake = os.path.join(tmp, "curlrl")
            with open(fake, "w") as f:
                f.write(FAKE_CURLRL.format(log=log))
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IEXEC)
            sweep_dir = os.path.join(tmp, "sw")
            r = subprocess.run([sys.executable, os.path.join(SCRIPTS, "sweep.py"), "--curlrl", fake, "--sweep-dir",
                                sweep_dir, "agent=rad,curl", "encoder=pixel,drq", "seed=1,2"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 2, r)
            lines = r.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, r.stderr)
            self.assertIn("curlrl rejects agent=curl encoder=drq", lines[0])
            self.assertIn("at most 4096 features", lines[0])
            self.assertFalse(os.path.exists(sweep_dir))
            with open(log) as f:
                calls = f.read().splitlines()
            self.assertTrue(all(c.startswith("train --print-config ") for c in calls), calls)
            self.assertIn("train --print-config agent=curl encoder=drq seed=1", calls)


if __name__ == "__main__":
    unittest.main()
