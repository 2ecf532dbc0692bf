"""Aggregate statistics of deep RL runs across tasks, as Agarwal et al. recommend ("Deep Reinforcement Learning at the
Edge of the Statistical Precipice", NeurIPS 2021): interquartile mean, median, mean, optimality gap, performance
profiles and the probability of improvement, each with a stratified bootstrap confidence interval.

Written for scripts/aggregate.py; numpy only. Scores are normalised already (for DeepMind Control: return / 1000).

Shapes. A *score set* is a list with one 1-D array per task: the scores of that task's runs (any number of runs per
task, at least one). Every metric below takes a *batch* of score sets, a list with one 2-D array per task of shape
(B, n_task) (row b of every task's array together form the b-th score set), and returns an array of shape (B,) (or
(B, k) for the performance profile). The point estimate is the batch of the one observed set (B = 1); the bootstrap
passes its B resampled sets at once. Tasks are in the same order in every argument.

IQM convention. The interquartile mean is the 25% trimmed mean of all runs pooled, as rliable computes it (with
scipy.stats.trim_mean(x, 0.25)): floor(n/4) whole scores dropped at each end of the n sorted scores, the rest averaged
with equal weights, so the numbers are comparable with the papers that use rliable (see iqm_weights).

Weighting. IQM, optimality gap and the performance profile pool the runs of all tasks: every run weighs the same.
Mean and median follow the paper: mean / median over tasks of each task's mean score: every task weighs the same.
With the same number of runs per task (the usual design) the pooled and per-task means coincide.
"""

import numpy as np


# ---------------------------------------------------------------------------------------------------------------
# Metrics on batches of score sets
# ---------------------------------------------------------------------------------------------------------------

def _pooled(batch):
    """(B, N): the runs of all tasks side by side."""
    return np.concatenate(batch, axis=1)


def task_means(batch):
    """(B, T): each task's mean score."""
    return np.stack([scores.mean(axis=1) for scores in batch], axis=1)


def iqm_trimmed(n):
    """How many of n sorted scores the interquartile mean drops at each end: floor(n / 4)."""
    return n // 4


def iqm_weights(n):
    """The weight of each of n sorted scores in the interquartile mean.

    Convention: the 25% trimmed mean, as scipy.stats.trim_mean(x, 0.25) computes it and as rliable (Agarwal et al.'s
    library, which calls trim_mean on all runs pooled) reports it, so that our IQMs are comparable with the papers'.
    Sort the n scores, drop k = floor(n/4) whole scores at each end, and average the remaining n - 2k with equal
    weights 1 / (n - 2k); the dropped scores weigh 0. No score is split at a quartile.

    Examples: n = 1, 2, 3: k = 0, the plain mean of all. n = 5: k = 1, (x2 + x3 + x4) / 3. n = 6: k = 1, the mean of
    the middle 4. n = 7: k = 1, the mean of the middle 5. n a multiple of 4: the mean of the middle n/2 (the exact
    middle half). Otherwise more than half the scores are kept, so this is not the fractional-weight "mean over the
    probability mass [1/4, 3/4]" (n = 5 would give (3 x2 + 4 x3 + 3 x4) / 10 there); the two agree only for n = 1,
    2 and multiples of 4.
    """
    k = iqm_trimmed(n)
    weights = np.zeros(n)
    weights[k:n - k] = 1.0 / (n - 2 * k)
    return weights


def iqm(batch):
    """Interquartile mean of all runs' scores pooled: the 25% trimmed mean, which drops floor(n/4) whole sorted
    scores at each end and averages the rest (scipy.stats.trim_mean(x, 0.25), as rliable computes it; see
    iqm_weights)."""
    pooled = np.sort(_pooled(batch), axis=1)
    return pooled @ iqm_weights(pooled.shape[1])


def mean(batch):
    """Mean over tasks of each task's mean score."""
    return task_means(batch).mean(axis=1)


def median(batch):
    """Median over tasks of each task's mean score (the mean of the middle two for an even number of tasks)."""
    return np.median(task_means(batch), axis=1)


def optimality_gap(batch, threshold=1.0):
    """Mean over all runs of max(0, threshold - score): how far the runs fall short of the threshold (lower is
    better); a score above the threshold counts as the threshold."""
    return np.maximum(0.0, threshold - _pooled(batch)).mean(axis=1)


def performance_profile(batch, taus):
    """(B, len(taus)): the fraction of all runs whose score is strictly above each tau."""
    pooled = _pooled(batch)
    return np.stack([(pooled > tau).mean(axis=1) for tau in taus], axis=1)


def probability_of_improvement(x_batch, y_batch):
    """P(X > Y): the average over tasks of the probability that a run of X scores above a run of Y, both drawn at
    random from that task's runs (the Mann-Whitney U statistic divided by the number of pairs): every pair of an
    X run and a Y run counts 1 when X's score is higher, 1/2 when they are equal, 0 when lower.
    x_batch and y_batch hold the same tasks in the same order (the numbers of runs may differ)."""
    per_task = []
    for x, y in zip(x_batch, y_batch):
        xs, ys = x[:, :, None], y[:, None, :]  # (B, n_x, 1) against (B, 1, n_y): all pairs
        per_task.append(((xs > ys) + 0.5 * (xs == ys)).mean(axis=(1, 2)))
    return np.mean(per_task, axis=0)


# ---------------------------------------------------------------------------------------------------------------
# Stratified bootstrap
# ---------------------------------------------------------------------------------------------------------------

def as_score_set(scores_by_task):
    """Checks a score set and makes its entries float arrays."""
    tasks = [np.asarray(s, dtype=float).reshape(-1) for s in scores_by_task]
    if not tasks or any(len(s) == 0 for s in tasks):
        raise ValueError("a score set needs at least one task and at least one run per task")
    return tasks


def stratified_resample(score_set, resamples, rng):
    """A batch of `resamples` bootstrap score sets: within each task independently (stratified by task), as many
    runs as the task has, drawn with replacement from that task's runs. Every resample keeps each task's run count,
    and no run ever moves to another task."""
    return [scores[rng.integers(0, len(scores), size=(resamples, len(scores)))] for scores in score_set]


def bootstrap(metric, *score_sets, resamples=2000, seed=0, confidence=0.95):
    """(estimate, low, high): `metric` of the observed score sets and its percentile confidence interval over
    `resamples` stratified bootstrap resamples (each score set resampled independently, from one generator seeded
    with `seed`: the same arguments give the same interval). metric(*batches) returns (B,) or (B, k).

    A task with a single run is the same in every resample; when every task has one run the interval is the point
    estimate itself (degenerate: the data say nothing about the spread)."""
    sets = [as_score_set(s) for s in score_sets]
    estimate = metric(*[[scores[None, :] for scores in s] for s in sets])[0]
    rng = np.random.default_rng(seed)
    samples = metric(*[stratified_resample(s, resamples, rng) for s in sets])
    tail = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(samples, [tail, 100.0 - tail], axis=0)
    return estimate, low, high


def single_run_tasks(score_set):
    """How many tasks of a score set have a single run (their scores are fixed in every bootstrap resample)."""
    return sum(1 for s in score_set if len(s) == 1)
