#!/usr/bin/python3
"""sweep.py's subcommands on a folder that is not a sweep: one line on stderr naming the folder, exit code 2."""

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


if __name__ == "__main__":
    unittest.main()
