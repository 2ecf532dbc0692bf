// A linear probe: how much of each physical state variable a frozen representation holds linearly.
//
// Ridge regression from features X to targets Y, fitted on a training part and scored on held-out data:
//   features standardised with the training part's mean and standard deviation (a constant feature is left at 0),
//   targets centred on the training mean (the intercept is not penalised),
//   W = (Xs^T Xs + lambda I)^-1 Xs^T Yc, in float64,
//   R^2_j = 1 - sum (y_j - y_hat_j)^2 / sum (y_j - mean_test(y_j))^2 on the held-out rows, per target column:
// 1 when the variable is a linear function of the features, about 0 (or below) when the features hold nothing of
// it. A target that is constant on the held-out rows has no R^2 (NaN).
#pragma once

#include <torch/types.h>

#include <vector>

namespace curlrl::interpret {

// X [N, F], Y [N, D] (any floating type). Returns D values of R^2.
std::vector<double> ridge_probe_r2(const torch::Tensor& x_train, const torch::Tensor& y_train,
                                   const torch::Tensor& x_test, const torch::Tensor& y_test, double lambda);

// Which rows are held out: with two or more episodes, the last quarter of the episodes (at least one), so that
// training and test frames never come from one episode (neighbouring frames are nearly equal); with one episode,
// its last quarter of steps. `episode_of_row[i]` is row i's episode (rows in episode order). True: held out.
std::vector<bool> held_out_rows(const std::vector<int64_t>& episode_of_row);

}  // namespace curlrl::interpret
