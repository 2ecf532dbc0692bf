#!/usr/bin/python3
"""sweep.py on bad input: a folder that is not a sweep (missing, damaged), a file given as the sweep folder, a run
index out of range, and sweeps too large to be meant. Each is one line on stderr, exit code 2, no traceback."""

import os
import subprocess
import sys
import tempfile
import unittest

SWEEP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts",
                     "sweep.py")


class NotASweep(unittest.TestCase):
    def run_sweep(self, *args):
        return subprocess.run([sys.executable, SWEEP, *args], capture_output=True, text=True, timeout=60)

    def test_status_and_run_one_name_the_folder_in_one_line(self):
        with tempfile.TemporaryDirectory() as folder:
            for args in (["status", folder], ["run-one", folder, "0", "--"]):
                r = self.run_sweep(*args)
                self.assertEqual(r.returncode, 2, r)
                lines = r.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertIn(folder, lines[0])
                self.assertIn("not a sweep", lines[0])
                self.assertNotIn("Traceback", r.stderr)


class BadInput(unittest.TestCase):
    def run_sweep(self, *args):
        return subprocess.run([sys.executable, SWEEP, *args], capture_output=True, text=True, timeout=60)

    def assert_one_line_error(self, r, *parts):
        self.assertEqual(r.returncode, 2, r)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("sweep.py: error: "), lines[0])
        for part in parts:
            self.assertIn(part, lines[0])

    def test_a_damaged_sweep_json_is_named(self):
        with tempfile.TemporaryDirectory() as folder:
            for text, why in (("{bad", "Expecting property name"), ('{"runs": 5}', "no list of runs"),
                              ('{"runs": [{"index": 0}]}', "run 0 lacks one of"), ("[]", "no list of runs")):
                with open(os.path.join(folder, "sweep.json"), "w") as f:
                    f.write(text)
                for args in (["status", folder], ["run-one", folder, "0"]):
                    self.assert_one_line_error(self.run_sweep(*args), folder, "not a sweep directory", why)

    def test_a_file_as_the_sweep_folder(self):
        with tempfile.NamedTemporaryFile() as f:
            for extra in (["--dry-run"], []):
                r = self.run_sweep(*extra, "--no-validate", "--curlrl", "/bin/true", "--sweep-dir", f.name, "seed=1")
                self.assert_one_line_error(r, f.name, "is a file, not a folder")

    def test_run_one_index_outside_the_sweep(self):
        with tempfile.TemporaryDirectory() as folder:
            r = self.run_sweep("--no-validate", "--curlrl", "/bin/true", "--sweep-dir", folder, "seed=1,2")
            self.assertEqual(r.returncode, 0, r)
            for index in ("2", "-1", "x"):
                self.assert_one_line_error(self.run_sweep("run-one", folder, index), "0 to 1", repr(index))

    def test_huge_ranges_and_products_are_refused_before_expanding(self):
        r = self.run_sweep("--dry-run", "--no-validate", "seed=range(100000000)")
        self.assert_one_line_error(r, "100000000 values", "at most 10000")
        r = self.run_sweep("--dry-run", "--no-validate", "seed=range(1000)", "agent.hidden_dim=range(1,101)")
        self.assert_one_line_error(r, "100000 runs (1000 x 100)", "at most 10000")
        r = self.run_sweep("--dry-run", "--no-validate", "seed=range(10000)")  # the limit itself is allowed
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
