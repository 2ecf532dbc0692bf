// Precompiled header for the translation units that use LibTorch (replay/, augment/, encoders/, agents/,
// train/, apps/, tests/). core/ and envs/ are torch-free and do not use it.
#pragma once

#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <torch/utils.h>
