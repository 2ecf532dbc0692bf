#!/usr/bin/python3
"""scripts/check_docs.py on planted documentation and results, and on this repository's own README and docs/."""

import os
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(REPO, "scripts", "check_docs.py")

EVAL_CSV = ("env_steps,agent_steps,episode_return,episode_return_std,episodes,wall_time\n"
            "0,0,46.85520941252332,1.07,10,18.5\n"
            "8000,1000,47.2,2.0,10,400.1\n"
            "48000,6000,224.03654538477727,22.118,10,5065.06\n")
INFO = "command: curlrl train seed=1\ncommit: 0123abc\nmachine: 2 cores\n"


def run_check(root, *files):
    return subprocess.run([sys.executable, CHECK, "--root", root, *files], capture_output=True, text=True, timeout=60)


class Planted(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        os.makedirs(os.path.join(self.root, "results", "run"))
        self.write("results/run/eval.csv", EVAL_CSV)
        self.write("results/run/info.txt", INFO)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def doc(self, text):
        return self.write("README.md", text)

    def test_rounded_and_thousands_numbers_agree(self):
        doc = self.doc("# x\n\n<!-- numbers: results/run/eval.csv:env_steps,episode_return,episode_std -->\n"
                       "| env steps | 0 | 8k | 48k |\n|---|---|---|---|\n| return | 47 | 47.2 | 224.04 +- 22 |\n")
        r = run_check(self.root, doc)
        # episode_std is not a column: named, and nothing else is wrong
        self.assertEqual(r.returncode, 1)
        self.assertIn("no column 'episode_std'", r.stderr)
        doc = self.doc("<!-- numbers: results/run/eval.csv:env_steps,episode_return,episode_return_std -->\n"
                       "| env steps | 0 | 8k | 48k |\n|---|---|---|---|\n| return | 47 | 47.2 | 224.04 +- 22 |\n\n"
                       "Unmarked text may say 999 freely.\n")
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 marked blocks", r.stdout)

    def test_a_number_that_differs_is_named_with_its_line(self):
        doc = self.doc("intro\n\n<!-- numbers: results/run/eval.csv -->\nThe final return was 225 after 48k steps.\n")
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip().splitlines(), ["check_docs: README.md:4: 225 is not in results/run/eval.csv"])

    def test_rounding_must_be_to_the_shown_decimals(self):
        # 224.04 rounds 224.0365; 224.03 does not (it truncates), nor does 224.1
        for written, ok in (("224.04", True), ("224.03", False), ("224.1", False), ("224.0", True)):
            doc = self.doc(f"<!-- numbers: results/run/eval.csv:episode_return -->\nreturn {written}\n")
            self.assertEqual(run_check(self.root, doc).returncode == 0, ok, written)

    def test_code_spans_dates_and_ignored_units_are_not_numbers(self):
        doc = self.doc("<!-- numbers: results/run/eval.csv ignore=255 -->\n"
                       "On 2026-11-22, `curlrl train seed=3 env_steps=123` gave 47 (0/255 of fp32 noise).\n")
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_source_must_name_command_commit_and_machine(self):
        self.write("results/run/info.txt", "command: curlrl train\nmachine: 2 cores\n")
        doc = self.doc("<!-- numbers: results/run/eval.csv -->\nreturn 47\n")
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not name its command, commit and machine", r.stderr)
        self.write("results/published/paper.csv", "task,mean\ncartpole,582\n")  # papers' numbers are exempt
        doc = self.doc("<!-- numbers: results/published/paper.csv -->\nThe paper: 582.\n")
        self.assertEqual(run_check(self.root, doc).returncode, 0)

    def test_provenance_may_stand_in_a_folder_above_the_source(self):
        self.write("results/sweep/runs/s1/eval.csv", EVAL_CSV)
        doc = self.doc("<!-- numbers: results/sweep/runs/s1/eval.csv -->\nreturn 47\n")
        self.assertEqual(run_check(self.root, doc).returncode, 1)  # nothing names it yet
        self.write("results/sweep/info.txt", INFO)
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_missing_source_empty_block_and_block_without_numbers(self):
        doc = self.doc("<!-- numbers: results/nope.csv -->\nreturn 47\n\n<!-- numbers: results/run/eval.csv -->\n\n"
                       "<!-- numbers: results/run/eval.csv -->\nno numbers here\n")
        r = run_check(self.root, doc)
        self.assertEqual(r.returncode, 1)
        self.assertIn("README.md:1: results/nope.csv: no such file", r.stderr)
        self.assertIn("README.md:4: the numbers marker is not followed by a table or paragraph", r.stderr)
        self.assertIn("README.md:6: the marked block quotes no numbers", r.stderr)


class ThisRepository(unittest.TestCase):
    def test_readme_and_docs_agree_with_results(self):
        r = run_check(REPO)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
