#!/usr/bin/python3
"""Tests of the aggregate statistics of scripts/stats.py and their use in scripts/aggregate.py.

Run from the repository root with Debian's Python:
  /usr/bin/python3 -m unittest tests/scripts/test_aggregate_stats.py
  /usr/bin/python3 tests/scripts/test_aggregate_stats.py

The expected numbers are worked out by hand in the comments.
"""

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")
sys.path.insert(0, SCRIPTS)
import aggregate  # noqa: E402
import stats  # noqa: E402


def point(metric, *score_sets):
    """A metric of observed score sets (one list per task), without any resampling."""
    return metric(*[[np.asarray(s, dtype=float)[None, :] for s in score_set] for score_set in score_sets])[0]


class Estimators(unittest.TestCase):
    def test_iqm_weights(self):
        # The 25% trimmed mean (scipy.stats.trim_mean(x, 0.25), rliable): k = floor(n/4) whole scores dropped at each
        # end, the other n - 2k weigh 1 / (n - 2k). n = 1, 2, 3: k = 0, all weigh 1/n (the old fractional weights
        # gave n = 3 the weights 1/6, 4/6, 1/6). n = 5: k = 1, 0, 1/3, 1/3, 1/3, 0. n = 6: k = 1, the middle 4 weigh
        # 1/4. n = 7: k = 1, the middle 5 weigh 1/5. n = 9: k = 2, the middle 5 weigh 1/5.
        np.testing.assert_allclose(stats.iqm_weights(1), [1.0])
        np.testing.assert_allclose(stats.iqm_weights(2), [0.5, 0.5])
        np.testing.assert_allclose(stats.iqm_weights(3), [1 / 3, 1 / 3, 1 / 3])
        np.testing.assert_allclose(stats.iqm_weights(5), [0, 1 / 3, 1 / 3, 1 / 3, 0])
        np.testing.assert_allclose(stats.iqm_weights(6), [0, 0.25, 0.25, 0.25, 0.25, 0])
        np.testing.assert_allclose(stats.iqm_weights(7), [0, 0.2, 0.2, 0.2, 0.2, 0.2, 0])
        np.testing.assert_allclose(stats.iqm_weights(9), [0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0, 0])
        for n in range(1, 30):
            w = stats.iqm_weights(n)
            k = n // 4
            self.assertEqual(stats.iqm_trimmed(n), k)
            self.assertAlmostEqual(w.sum(), 1.0, places=12, msg=n)
            np.testing.assert_array_equal(w[:k], 0.0, err_msg=str(n))  # whole scores dropped at each end ...
            np.testing.assert_array_equal(w[n - k:], 0.0, err_msg=str(n))
            np.testing.assert_allclose(w[k:n - k], 1.0 / (n - 2 * k), err_msg=str(n))  # ... the rest weigh the same

    def test_iqm_multiple_of_four_is_the_mean_of_the_middle_half(self):
        # 8 scores: k = 2 dropped at each end, the middle 4 are 0.3, 0.4, 0.5, 0.6 -> 1.8 / 4 = 0.45.
        scores = [0.8, 0.1, 0.5, 0.3, 0.7, 0.2, 0.6, 0.4]
        self.assertAlmostEqual(point(stats.iqm, [scores]), 0.45, places=12)

    def test_iqm_drops_whole_scores_when_n_is_not_a_multiple_of_four(self):
        # Here the trimmed mean and the old fractional weights at the quartiles differ; the old values are given so
        # that it is plain these assertions would fail with them.
        # n = 5, sorted 0.0, 0.1, 0.5, 0.6, 1.0: drop floor(5/4) = 1 at each end, (0.1 + 0.5 + 0.6) / 3 = 1.2 / 3 = 0.4.
        # (Fractional weights 3, 4, 3 of 10: (0.3 + 2.0 + 1.8) / 10 = 0.41.)
        self.assertAlmostEqual(point(stats.iqm, [[1.0, 0.5, 0.0, 0.6, 0.1]]), 0.4, places=12)
        # n = 6, sorted 0.0, 0.1, 0.2, 0.6, 0.9, 1.0: drop 1 at each end, (0.1 + 0.2 + 0.6 + 0.9) / 4 = 1.8 / 4 = 0.45.
        # (Fractional weights 2, 4, 4, 2 of 12: (0.2 + 0.8 + 2.4 + 1.8) / 12 = 5.2 / 12 = 0.4333.)
        self.assertAlmostEqual(point(stats.iqm, [[0.9, 0.0, 0.6, 0.2, 1.0, 0.1]]), 0.45, places=12)
        # n = 7, sorted 0.0, 0.1, 0.2, 0.4, 0.5, 0.9, 1.0: drop 1 at each end,
        # (0.1 + 0.2 + 0.4 + 0.5 + 0.9) / 5 = 2.1 / 5 = 0.42.
        # (Fractional weights 1, 4, 4, 4, 1 of 14: (0.1 + 0.8 + 1.6 + 2.0 + 0.9) / 14 = 5.4 / 14 = 0.3857.)
        self.assertAlmostEqual(point(stats.iqm, [[0.5, 1.0, 0.1, 0.9, 0.0, 0.4, 0.2]]), 0.42, places=12)
        # n = 3, sorted 0.0, 0.3, 0.9: floor(3/4) = 0, nothing dropped: (0.0 + 0.3 + 0.9) / 3 = 0.4.
        # (Fractional weights 1, 4, 1 of 6: (0 + 1.2 + 0.9) / 6 = 0.35.)
        self.assertAlmostEqual(point(stats.iqm, [[0.9, 0.0, 0.3]]), 0.4, places=12)

    def test_iqm_matches_a_plain_trimmed_mean(self):
        # scipy.stats.trim_mean(x, 0.25) written out in plain Python (sort, cut int(0.25 * n) at each end, mean of
        # the rest), against stats.iqm on a batch of 50 random score sets for every n from 1 to 21.
        rng = np.random.default_rng(0)
        for n in range(1, 22):
            rows = rng.random((50, n))
            got = stats.iqm([rows])
            cut = int(0.25 * n)
            want = [sum(sorted(row)[cut:n - cut]) / (n - 2 * cut) for row in rows.tolist()]
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=str(n))

    def test_iqm_pools_the_runs_of_all_tasks(self):
        # The n = 5 list above split over two tasks: pooled, the same 0.4 (the mean of the two tasks' own trimmed
        # means, 0.5 and 0.4, would be 0.45).
        self.assertAlmostEqual(point(stats.iqm, [[0.0, 1.0], [0.6, 0.1, 0.5]]), 0.4, places=12)

    def test_mean_and_median_are_over_task_means(self):
        # Task means 0.3, 0.9, 0.3: mean 0.5, median 0.3 (the pooled mean of the six runs would be 2.4 / 6 = 0.4).
        score_set = [[0.2, 0.4], [0.9], [0.1, 0.3, 0.5]]
        self.assertAlmostEqual(point(stats.mean, score_set), 0.5, places=12)
        self.assertAlmostEqual(point(stats.median, score_set), 0.3, places=12)
        # An even number of tasks: task means 0.2, 0.6, 1.0, 0.0 -> median (0.2 + 0.6) / 2 = 0.4, mean 0.45.
        even = [[0.2], [0.5, 0.7], [1.0], [0.0]]
        self.assertAlmostEqual(point(stats.median, even), 0.4, places=12)
        self.assertAlmostEqual(point(stats.mean, even), 0.45, places=12)

    def test_optimality_gap(self):
        # max(0, 1 - s) for 0.2, 0.5, 1.0, 1.2: 0.8, 0.5, 0, 0 -> mean 0.325 (a score above 1 does not make up for
        # the others).
        self.assertAlmostEqual(point(stats.optimality_gap, [[0.2, 0.5], [1.0, 1.2]]), 0.325, places=12)
        self.assertAlmostEqual(point(stats.optimality_gap, [[1.0, 1.0]]), 0.0, places=12)

    def test_performance_profile_at_known_thresholds(self):
        # Runs 0.1, 0.5, 0.5, 0.9; strictly above tau: 4, 3, 1, 1, 0, 0 of 4.
        taus = [0.0, 0.1, 0.5, 0.6, 0.9, 1.0]
        got = point(lambda b: stats.performance_profile(b, taus), [[0.1, 0.5], [0.5, 0.9]])
        np.testing.assert_allclose(got, [1.0, 0.75, 0.25, 0.25, 0.0, 0.0])
        fraction, low, high = stats.bootstrap(lambda b: stats.performance_profile(b, taus), [[0.1, 0.5], [0.5, 0.9]],
                                              resamples=500, seed=1)
        np.testing.assert_allclose(fraction, [1.0, 0.75, 0.25, 0.25, 0.0, 0.0])
        self.assertTrue(np.all(low <= fraction) and np.all(fraction <= high))
        # No resample has a run above 0.9, and every resample has all four runs above 0.
        np.testing.assert_allclose([low[0], high[0], low[-2], high[-2]], [1.0, 1.0, 0.0, 0.0])
        self.assertLess(low[2], high[2])  # a real band where the runs differ


class ProbabilityOfImprovement(unittest.TestCase):
    def test_all_above_is_one_and_all_below_is_zero(self):
        x, y = [[0.6, 0.7], [0.9]], [[0.1, 0.2, 0.3], [0.5, 0.8]]
        est, low, high = stats.bootstrap(stats.probability_of_improvement, x, y, resamples=300, seed=0)
        self.assertEqual((est, low, high), (1.0, 1.0, 1.0))
        self.assertEqual(point(stats.probability_of_improvement, y, x), 0.0)

    def test_identical_sets_give_one_half(self):
        x = [[0.1, 0.4, 0.7], [0.2, 0.3]]
        self.assertAlmostEqual(point(stats.probability_of_improvement, x, x), 0.5, places=12)

    def test_ties_count_one_half(self):
        # Task 1, X = 0.5, 0.7 against Y = 0.5, 0.6, 0.9: 0.5 ties 0.5 (1/2), loses to 0.6 and 0.9; 0.7 beats 0.5 and
        # 0.6, loses to 0.9: (0.5 + 2) / 6 = 5/12. Task 2, X = 0.3 against Y = 0.3, 0.1: (0.5 + 1) / 2 = 3/4.
        # Average over the tasks: (5/12 + 9/12) / 2 = 7/12.
        x, y = [[0.5, 0.7], [0.3]], [[0.5, 0.6, 0.9], [0.3, 0.1]]
        self.assertAlmostEqual(point(stats.probability_of_improvement, x, y), 7 / 12, places=12)
        # P(X > Y) + P(Y > X) = 1: the ties are shared.
        self.assertAlmostEqual(point(stats.probability_of_improvement, y, x), 5 / 12, places=12)
        est, low, high = stats.bootstrap(stats.probability_of_improvement, x, y, resamples=1000, seed=2)
        self.assertTrue(0.0 <= low < est < high <= 1.0, (est, low, high))


class Bootstrap(unittest.TestCase):
    def test_interval_covers_the_planted_mean_and_iqm(self):
        # Three tasks of 10 runs each, scores ~ Normal(mu_task, 0.1) with mu = 0.2, 0.5, 0.8. The true mean over
        # tasks is 0.5; the mixture is symmetric about 0.5, so the true IQM is 0.5 too. A 95% interval must cover
        # them in most of 100 repetitions with fresh data, and its width must be about that of the normal
        # approximation for the mean: 2 * 1.96 * sqrt(3 * 0.1^2 / 10) / 3 = 0.0716.
        mus, covered_mean, covered_iqm, widths = [0.2, 0.5, 0.8], 0, 0, []
        for rep in range(100):
            data_rng = np.random.default_rng(1000 + rep)
            score_set = [data_rng.normal(mu, 0.1, size=10) for mu in mus]
            _, low, high = stats.bootstrap(stats.mean, score_set, resamples=1000, seed=rep)
            covered_mean += low <= 0.5 <= high
            widths.append(high - low)
            _, low, high = stats.bootstrap(stats.iqm, score_set, resamples=1000, seed=rep)
            covered_iqm += low <= 0.5 <= high
        self.assertGreaterEqual(covered_mean, 85)
        self.assertGreaterEqual(covered_iqm, 85)
        self.assertLess(covered_mean, 100)  # a 95% interval that always covers would be too wide
        self.assertTrue(0.5 * 0.0716 < np.mean(widths) < 1.5 * 0.0716, np.mean(widths))
        self.assertLess(max(widths), 0.15)

    def test_resampling_is_stratified_by_task(self):
        # Task a: 3 runs below 0.5, task b: 2 runs above. Resampling within each task, every resample has exactly
        # 3 runs below 0.5 (resampling the 5 pooled runs would often not), and no value moves to the other task.
        a, b = [0.0, 0.1, 0.2], [0.8, 0.9]
        seen = []

        def low_count(batch):
            seen.append([t.copy() for t in batch])
            return (np.concatenate(batch, axis=1) < 0.5).sum(axis=1)

        est, low, high = stats.bootstrap(low_count, [a, b], resamples=400, seed=5)
        self.assertEqual((est, low, high), (3, 3, 3))
        resampled = seen[1]  # seen[0] is the point estimate's batch
        self.assertEqual([t.shape for t in resampled], [(400, 3), (400, 2)])
        self.assertTrue(set(np.unique(resampled[0])) <= set(a) and set(np.unique(resampled[1])) <= set(b))
        # ... and it does resample: some rows repeat a run (3 draws of 3 runs are all distinct only 2/9 of the time).
        self.assertTrue(any(len(set(row)) < 3 for row in resampled[0]))

    def test_task_weights_are_kept_in_every_resample(self):
        # Runs 0, 0, 0 of one task and 1 of another: the pooled mean of every stratified resample is 1/4.
        est, low, high = stats.bootstrap(stats.optimality_gap, [[0.0, 0.0, 0.0], [1.0]], resamples=200, seed=0)
        self.assertEqual((est, low, high), (0.75, 0.75, 0.75))

    def test_one_run_per_task_gives_a_degenerate_interval(self):
        score_set = [[0.3], [0.7], [0.4]]
        for metric in (stats.iqm, stats.mean, stats.median, stats.optimality_gap):
            est, low, high = stats.bootstrap(metric, score_set, resamples=100, seed=0)
            # Equal up to rounding: numpy's percentile may interpolate between copies of the one value.
            self.assertAlmostEqual(low, est, places=12)
            self.assertAlmostEqual(high, est, places=12)
        self.assertEqual(stats.single_run_tasks(score_set), 3)
        self.assertEqual(stats.single_run_tasks([[0.3, 0.4], [0.7]]), 1)

    def test_deterministic_given_the_seed(self):
        score_set = [[0.1, 0.5, 0.3, 0.9], [0.2, 0.8, 0.6]]
        first = stats.bootstrap(stats.iqm, score_set, resamples=500, seed=7)
        self.assertEqual(first, stats.bootstrap(stats.iqm, score_set, resamples=500, seed=7))
        self.assertNotEqual(first[1:], stats.bootstrap(stats.iqm, score_set, resamples=500, seed=8)[1:])

    def test_empty_tasks_are_refused(self):
        with self.assertRaises(ValueError):
            stats.bootstrap(stats.mean, [[0.1], []])
        with self.assertRaises(ValueError):
            stats.bootstrap(stats.mean, [])


# ---------------------------------------------------------------------------------------------------------------
# aggregate.py end to end on hand-made sweeps
# ---------------------------------------------------------------------------------------------------------------

EVAL_HEADER = "env_steps,agent_steps,episode_return,episode_return_std,episodes,wall_time\n"


def make_sweep(root, returns, batch_size=128):
    """A sweep folder of runs in the layout `curlrl train` writes (config.yaml + eval.csv per run).
    returns: {task: [{env_steps: return} per seed]}."""
    for task, seeds in returns.items():
        for seed, evals in enumerate(seeds, start=1):
            run = os.path.join(root, "runs", f"{task}_seed-{seed}")
            os.makedirs(run)
            with open(os.path.join(run, "config.yaml"), "w", encoding="utf-8") as f:
                f.write(f"agent:\n  batch_size: {batch_size}\n  name: curl\neval_episodes: 10\nenv_steps: 100000\n"
                        f"seed: {seed}\nthreads: 2\ntask:\n  action_repeat: 8\n  name: {task}\n")
            with open(os.path.join(run, "eval.csv"), "w", encoding="utf-8") as f:
                f.write(EVAL_HEADER + "".join(f"{step},{step // 8},{ret},0,10,1\n" for step, ret in evals.items()))


def curve(final):
    """A run evaluated at 0, 50k and 100k environment steps, ending at `final`."""
    return {0: 5.0, 50000: final / 2, 100000: final}


def run_main(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = aggregate.main(argv)
    return code, out.getvalue()


class AggregateEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="aggregate_stats_test_")
        # Sweep A, at 100k: cartpole 600, 700, 800; walker 300, 400, 900.
        cls.a = os.path.join(cls.tmp, "sweep_a")
        make_sweep(cls.a, {"cartpole_swingup": [curve(600), curve(700), curve(800)],
                           "walker_walk": [curve(300), curve(400), curve(900)]})
        # Sweep B, at 100k: cartpole 500, 700, 650; walker 200, 300, 400.
        cls.b = os.path.join(cls.tmp, "sweep_b")
        make_sweep(cls.b, {"cartpole_swingup": [curve(500), curve(700), curve(650)],
                           "walker_walk": [curve(200), curve(300), curve(400)]}, batch_size=512)
        cls.out_root = os.path.join(cls.tmp, "results")
        cls.code, cls.printed = run_main([cls.a, cls.b, "--name", "cmp", "--out-root", cls.out_root,
                                          "--resamples", "500", "--seed", "3"])
        cls.out = os.path.join(cls.out_root, "cmp")
        with open(os.path.join(cls.out, "statistics.json"), encoding="utf-8") as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def method(self, label):
        return next(m for m in self.report["methods"] if m["label"] == label)

    def test_exit_code_and_files(self):
        self.assertEqual(self.code, 0, self.printed)
        for name in ("summary.csv", "summary.md", "statistics.json", "statistics.md"):
            self.assertTrue(os.path.getsize(os.path.join(self.out, name)) > 100, name)
        with open(os.path.join(self.out, "summary.csv"), encoding="utf-8") as f:
            summary = f.read()
        # The tables are sweep A's, as before: cartpole at 100k, mean 700, population std sqrt(20000/3) = 81.65.
        self.assertIn("cartpole_swingup,curl,,100000,100000,3,700.0,81.65,600.0 700.0 800.0,", summary)
        # Beside ours, the published CURL, pixel SAC (the paper's baseline) and DrQ, from results/published/.
        with open(os.path.join(self.out, "summary.md"), encoding="utf-8") as f:
            table = f.read()
        self.assertIn("| CURL 100k (paper) | CURL 500k (paper) | pixel SAC 100k (paper) | pixel SAC 500k (paper) | "
                      "DrQ 100k (paper)", table)
        cartpole = next(line for line in table.splitlines() if line.startswith("| cartpole_swingup |"))
        self.assertIn("| 582 ± 146 | 841 ± 45 | 419 ± 40 |", cartpole)

    def test_aggregates_of_sweep_a_at_100k(self):
        a = self.method("sweep_a: curl")
        self.assertEqual(a["runs_per_task"], {"cartpole_swingup": 3, "walker_walk": 3})
        self.assertEqual((a["budget"], a["batch_size"]), ("100000", "128"))
        at100k, at500k = a["targets"]
        self.assertEqual(at100k["env_steps"], 100000)
        # Pooled, normalised and sorted: 0.3, 0.4, 0.6, 0.7, 0.8, 0.9; n = 6, drop floor(6/4) = 1 at each end (0.3
        # and 0.9): IQM = (0.4 + 0.6 + 0.7 + 0.8) / 4 = 2.5 / 4 = 0.625. (Fractional weights gave 7.6 / 12 = 0.6333.)
        self.assertAlmostEqual(at100k["iqm"]["estimate"], 0.625, places=5)
        # Task means 0.7 and 0.5333: mean = median = 0.61667; optimality gap 1 - 3.7 / 6 = 0.38333.
        self.assertAlmostEqual(at100k["mean"]["estimate"], 3.7 / 6, places=5)
        self.assertAlmostEqual(at100k["median"]["estimate"], 3.7 / 6, places=5)
        self.assertAlmostEqual(at100k["optimality_gap"]["estimate"], 1 - 3.7 / 6, places=5)
        for key in ("iqm", "median", "mean", "optimality_gap"):
            low, high = at100k[key]["ci"]
            self.assertTrue(low < at100k[key]["estimate"] < high, (key, at100k[key]))
            self.assertLess(high - low, 0.6, key)
        profile = at100k["performance_profile"]
        self.assertEqual(profile["fraction"][profile["tau"].index(0.5)], round(4 / 6, 6))  # 0.6, 0.7, 0.8, 0.9
        self.assertEqual(profile["fraction"][profile["tau"].index(0.9)], 0.0)  # strictly above
        self.assertEqual(at100k["note"], "")
        # The runs end at 100k: 500k has nothing new.
        self.assertIsNone(at500k["env_steps"])
        self.assertIn("no evaluation beyond", at500k["note"])
        self.assertNotIn("iqm", at500k)
        # The IQM curve at every shared step; at 100k the same number as above.
        self.assertEqual(a["iqm_curve"]["env_steps"], [0, 50000, 100000])
        self.assertAlmostEqual(a["iqm_curve"]["iqm"][2], 0.625, places=5)
        self.assertAlmostEqual(a["iqm_curve"]["iqm"][0], 0.005, places=6)  # every run returned 5 at step 0

    def test_probability_of_improvement(self):
        (comparison,) = self.report["probability_of_improvement"]
        self.assertEqual((comparison["x"], comparison["y"]), ("sweep_a: curl", "sweep_b: curl"))
        self.assertEqual(comparison["tasks"], ["cartpole_swingup", "walker_walk"])
        entry = comparison["targets"][0]
        self.assertEqual((entry["env_steps_x"], entry["env_steps_y"]), (100000, 100000))
        # cartpole: X 0.6, 0.7, 0.8 against Y 0.5, 0.7, 0.65: 0.6 beats 1, 0.7 beats 2 and ties 1, 0.8 beats 3:
        # 6.5 / 9. walker: X 0.3, 0.4, 0.9 against Y 0.2, 0.3, 0.4: 1 + 1/2, 2 + 1/2, 3: 7 / 9. Mean 13.5 / 18 = 0.75.
        p = entry["probability_of_improvement"]
        self.assertAlmostEqual(p["estimate"], 0.75, places=6)
        self.assertTrue(0.0 <= p["ci"][0] < 0.75 < p["ci"][1] <= 1.0, p)
        self.assertIn("P(X > Y)", self.printed)
        with open(os.path.join(self.out, "statistics.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("| sweep_a: curl | sweep_b: curl | 100k | 100000 / 100000 | cartpole_swingup, walker_walk | "
                      f"0.750 [{p['ci'][0]:.3f}, {p['ci'][1]:.3f}] |", md)
        self.assertIn("batch size 128/512", md)

    def test_published_reference(self):
        # CURL Table 1 at 100k: cartpole 582, walker 403 -> (582 + 403) / 2 / 1000 = 0.4925.
        ref = {(p["method"], p["env_steps"]): p["score"] for p in self.report["published_reference"]}
        self.assertAlmostEqual(ref[("curl", 100000)], 0.4925, places=6)
        self.assertAlmostEqual(ref[("curl", 500000)], (841 + 902) / 2000, places=6)

    def test_figures_are_real_images(self):
        import matplotlib.image
        for name in ("performance_profile.png", "iqm_curve.png"):
            path = os.path.join(self.out, name)
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", name)
            self.assertGreater(os.path.getsize(path), 10000, name)
            image = matplotlib.image.imread(path)
            self.assertGreater(min(image.shape[:2]), 300, name)
            self.assertGreater(float(image[..., :3].std()), 0.05, name)  # not a blank canvas

    def test_same_seed_same_numbers_and_bad_second_sweep(self):
        code, _ = run_main([self.a, self.b, "--name", "again", "--out-root", self.out_root, "--resamples", "500",
                            "--seed", "3"])
        self.assertEqual(code, 0)
        with open(os.path.join(self.out_root, "again", "statistics.json"), encoding="utf-8") as f:
            again = json.load(f)
        self.assertEqual(again["methods"], self.report["methods"])
        self.assertEqual(again["probability_of_improvement"], self.report["probability_of_improvement"])
        code, printed = run_main([self.a, os.path.join(self.tmp, "missing"), "--out-root", self.out_root])
        self.assertEqual(code, 1)
        self.assertIn("no such directory", printed)

    def test_tasks_keeps_only_the_named_tasks_in_both_sweeps(self):
        code, printed = run_main([self.a, self.b, "--name", "cartpole_only", "--out-root", self.out_root,
                                  "--resamples", "200", "--tasks", "cartpole_swingup"])
        self.assertEqual(code, 0, printed)
        with open(os.path.join(self.out_root, "cartpole_only", "statistics.json"), encoding="utf-8") as f:
            report = json.load(f)
        for m in report["methods"]:
            self.assertEqual(list(m["runs_per_task"]), ["cartpole_swingup"])
        # Sweep A's cartpole scores 0.6, 0.7, 0.8: three runs, IQM (nothing dropped for n = 3) = mean = 0.7.
        a = next(m for m in report["methods"] if m["label"] == "sweep_a: curl")
        self.assertAlmostEqual(a["targets"][0]["iqm"]["estimate"], 0.7, places=6)
        with open(os.path.join(self.out_root, "cartpole_only", "summary.csv"), encoding="utf-8") as f:
            self.assertNotIn("walker_walk", f.read())
        code, printed = run_main([self.a, "--name", "none", "--out-root", self.out_root, "--tasks", "finger_spin"])
        self.assertEqual(code, 1)
        self.assertIn("no runs with an eval.csv yet among the tasks finger_spin", printed)

    def test_single_run_per_task_and_unshared_steps(self):
        # One seed per task, and tasks evaluated at different steps: only step 0 is shared by all runs.
        single = os.path.join(self.tmp, "single")
        make_sweep(single, {"cartpole_swingup": [{0: 10.0, 50000: 400.0, 100000: 600.0}],
                            "walker_walk": [{0: 20.0, 20000: 50.0, 40000: 80.0}]})
        code, printed = run_main([single, "--out-root", self.out_root, "--resamples", "100"])
        self.assertEqual(code, 0, printed)
        with open(os.path.join(self.out_root, "single", "statistics.json"), encoding="utf-8") as f:
            (method,) = json.load(f)["methods"]
        at100k = method["targets"][0]
        self.assertEqual(at100k["env_steps"], 0)  # the last step every run evaluated
        self.assertIn("degenerate", at100k["note"])
        self.assertAlmostEqual(at100k["mean"]["estimate"], 0.015, places=6)
        self.assertEqual(at100k["mean"]["ci"], [0.015, 0.015])
        self.assertEqual(method["iqm_curve"]["env_steps"], [0])
        self.assertTrue(os.path.exists(os.path.join(self.out_root, "single", "iqm_curve.png")))


if __name__ == "__main__":
    unittest.main()
