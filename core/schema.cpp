#include "core/schema.h"

namespace curlrl::config {
namespace {

void add_shared_keys(Schema& s) {
  // Run.
  s.add_int("seed", "random seed of the run: networks, replay sampling, augmentation and environments", 0,
            4294967295.0);
  s.add_int("env_steps", "training budget in environment steps (frames, after action repeat)", 1);
  s.add_string("run_dir", "this run's directory; empty: <runs_root>/<task>/<agent>/<date>_<time>_s<seed>");
  s.add_string("runs_root", "parent folder of automatically named run directories");
  s.add_string("device", "where networks run", {"cpu", "cuda"});
  s.add_int("threads", "intra-op threads of LibTorch (and OpenMP); 0 leaves the library default", 0, 256);
  s.add_float("progress_interval", "seconds between plain progress lines when stdout is not a terminal", 0.1);
  s.add_int("eval_every", "evaluate every this many environment steps (0: only at the end)", 0);
  s.add_int("eval_episodes", "episodes per evaluation (deterministic actions)", 1);
  s.add_int("checkpoint_every", "write a checkpoint every this many environment steps (0: only at the end)", 0);
  s.add_bool("save_replay", "include the replay buffer in checkpoints (needed for an exact resume)");
  s.add_bool("save_video", "record the first evaluation episode to videos/eval_<env_steps>.mp4");
  s.add_bool("tensorboard", "also write the logged scalars as a TensorBoard event file");

  // Task (configs/task/<name>.yaml).
  s.add_string("task.name", "benchmark task (configs/task/)");
  s.add_int("task.action_repeat", "control steps per agent step; rewards are summed over them", 1, 1000);
  s.add_int("task.frame_stack", "number of consecutive frames stacked into one pixel observation", 1, 16);
  s.add_int("task.image_size", "rendered frame height and width in pixels", 16, 1024);
  s.add_string("task.observation", "what the agent sees", {"pixels", "states"});
  s.add_string("task.camera", "camera to render, by name or index");
  s.add_string("task.gl_backend", "headless GL backend (the CURLRL_GL environment variable wins)",
               {"auto", "egl", "osmesa"});
  s.add_string("task.render_quality",
               "fast: spheres and capsules tessellated 16x8 and a 1024 shadow map, half the render time, "
               "0.05-0.3/255 mean pixel difference; reference: the models' own settings, pixel-identical",
               {"reference", "fast"});

  // Agent (configs/agent/<name>.yaml; per-task paper settings in configs/task/).
  s.add_string("agent.name", "agent variant (configs/agent/)");
  s.add_int("agent.batch_size", "transitions per update", 1, 1 << 20);
  s.add_int("agent.replay_capacity", "replay buffer capacity in agent transitions", 1);
  s.add_int("agent.init_steps", "agent steps of uniformly random actions before updates start", 0);
  s.add_float("agent.discount", "discount factor gamma", 0, 1);
  s.add_int("agent.hidden_dim", "units of the two hidden layers of the actor and of each Q network", 1);
  s.add_float("agent.actor_lr", "actor learning rate (Adam)", 0);
  s.add_float("agent.critic_lr", "critic learning rate (Adam; includes the critic's encoder)", 0);
  s.add_float("agent.encoder_lr", "contrastive optimiser learning rate (W and the encoder)", 0);
  s.add_float("agent.alpha_lr", "temperature learning rate (Adam on log alpha)", 0);
  s.add_float("agent.actor_beta", "Adam beta1 of the actor", 0, 1);
  s.add_float("agent.critic_beta", "Adam beta1 of the critic", 0, 1);
  s.add_float("agent.alpha_beta", "Adam beta1 of the temperature", 0, 1);
  s.add_float("agent.init_temperature", "initial SAC temperature alpha", 0);
  s.add_float("agent.critic_tau", "EMA rate of the target critic's Q heads", 0, 1);
  s.add_float("agent.encoder_tau", "EMA rate of the target (momentum key) encoder", 0, 1);
  s.add_int("agent.actor_update_freq", "update the actor and temperature every this many updates", 1);
  s.add_int("agent.critic_target_update_freq", "update the target critic every this many updates", 1);
  s.add_float("agent.actor_log_std_min", "lower bound of the actor's log standard deviation");
  s.add_float("agent.actor_log_std_max", "upper bound of the actor's log standard deviation");
  s.add_bool("agent.contrastive", "add the CURL contrastive loss (needs a key encoder)");
  s.add_bool("agent.shared_encoder_forward",
             "approximation, off by default: one encoder forward/backward for the critic and contrastive losses");
  s.add_int("agent.drq_k", "DrQ: augmented next observations whose target values are averaged (1: plain SAC)", 1, 64);
  s.add_int("agent.drq_m", "DrQ: augmented observations whose critic losses are averaged (1: plain SAC)", 1, 64);
  s.add_bool("agent.encoder_double_step",
             "reference quirk: the contrastive optimiser and a second one both step the encoder");

  // Encoder (configs/encoder/<name>.yaml).
  s.add_string("encoder.name", "observation encoder (configs/encoder/)");
  s.add_int("encoder.feature_dim", "size of the encoder's output features (identity: unused)", 0);
  s.add_int("encoder.num_layers", "convolution layers", 1, 16);
  s.add_int("encoder.num_filters", "filters per convolution layer", 1, 4096);
  s.add_bool("encoder.tanh", "apply tanh after the LayerNorm (the paper's pseudocode; off in the reference code)");

  // Augmentation (configs/augment/<name>.yaml; several may be chosen: augment=[crop,cutout]).
  s.add_list("augment.name", "augmentations applied in order (configs/augment/; crop may only come first)",
             {"crop", "shift", "translate", "flip", "rotate", "cutout", "color_jitter", "grayscale", "rand_conv",
              "none"});
  s.add_int("augment.crop_size",
            "side of the random crop (augment=crop) and of the centre crop every pixel pipeline starts from", 1);
  s.add_bool("augment.crop_reference_range",
             "draw crop offsets in [0, size-crop-1] as the reference code does, instead of the full range");
  // The other augmentations' settings: set in their configs/augment/<name>.yaml; these fallbacks (the same
  // values, and augment::AugmentOptions' defaults) apply when an augmentation is not chosen.
  s.add_int("augment.shift_pad", "shift: pixels of edge-replicating padding before the random crop back", 0, 64);
  s.add_int("augment.translate_size", "translate: side of the zero canvas the frame is placed in", 1, 4096);
  s.add_int("augment.cutout_min", "cutout: smallest rectangle side in pixels", 1);
  s.add_int("augment.cutout_max", "cutout: largest rectangle side in pixels", 1);
  s.add_bool("augment.cutout_color", "cutout: fill with a random colour instead of zeros");
  s.add_float("augment.jitter_brightness", "color_jitter: brightness factor drawn in [1-x, 1+x]", 0);
  s.add_float("augment.jitter_contrast", "color_jitter: contrast factor drawn in [1-x, 1+x]", 0);
  s.add_float("augment.jitter_saturation", "color_jitter: saturation factor drawn in [1-x, 1+x]", 0);
  s.add_float("augment.jitter_hue", "color_jitter: hue shift drawn in [-x, x] of a turn", 0, 0.5);
  s.add_float("augment.grayscale_p", "grayscale: probability per sample", 0, 1);
  s.add_float("augment.flip_p", "flip: probability of a horizontal flip per sample", 0, 1);
  s.add_string("augment.rotate_mode", "rotate: quarter (multiples of 90 degrees) or small (a random angle)",
               {"quarter", "small"});
  s.add_float("augment.rotate_degrees", "rotate small: largest angle in degrees", 0, 180);
  s.fallback("augment.shift_pad", int64_t{4})
      .fallback("augment.translate_size", int64_t{108})
      .fallback("augment.cutout_min", int64_t{10})
      .fallback("augment.cutout_max", int64_t{30})
      .fallback("augment.cutout_color", false)
      .fallback("augment.jitter_brightness", 0.4)
      .fallback("augment.jitter_contrast", 0.4)
      .fallback("augment.jitter_saturation", 0.4)
      .fallback("augment.jitter_hue", 0.5)
      .fallback("augment.grayscale_p", 0.3)
      .fallback("augment.flip_p", 0.5)
      .fallback("augment.rotate_mode", std::string("quarter"))
      .fallback("augment.rotate_degrees", 5.0);
}

}  // namespace

Schema make_schema(const std::string& command) {
  Schema s;
  add_shared_keys(s);
  if (command == "train") {
    s.add_string("resume", "run directory to continue from its last checkpoint (empty: a new run)");
    s.fallback("resume", std::string());
  } else if (command == "eval") {
    s.add_string("run", "run directory whose last checkpoint to evaluate");
    s.add_int("episodes", "evaluation episodes (0: eval_episodes of the run)", 0);
    s.add_string("video", "optional mp4 path for a video of the first episode");
    s.fallback("run", std::string()).fallback("episodes", int64_t{0}).fallback("video", std::string());
  } else if (command == "rollout") {
    s.add_string("policy", "actions: random, zero, or file:PATH (a CSV with one column per action component)");
    s.add_int("steps", "control steps to roll out (no action repeat)", 1);
    s.add_string("out", "output CSV path");
    s.fallback("policy", std::string("random")).fallback("steps", int64_t{1000}).fallback("out", std::string());
  } else if (command == "render") {
    s.add_string("out", "output path: .mp4 for a random-policy episode, .png for the first frame");
    s.add_string("camera", "camera by name or index (empty: task.camera)");
    s.add_int("size", "frame height and width (0: task.image_size)", 0, 4096);
    s.add_bool("qpos0", "render the model at its reference pose (qpos0) instead of a reset episode");
    s.fallback("out", std::string()).fallback("camera", std::string()).fallback("size", int64_t{0});
    s.fallback("qpos0", false);
  } else if (command == "list") {
    s.add_string("what", "what to list", {"tasks", "agents", "encoders", "augmentations"});
    s.fallback("what", std::string("tasks"));
  } else if (command == "bench") {
    s.add_string("what", "what to measure", {"env", "replay", "update", "blas", "all"});
    s.add_int("iters", "repetitions per measurement (0: a default per benchmark)", 0);
    s.fallback("what", std::string("all")).fallback("iters", int64_t{0});
  }
  return s;
}

}  // namespace curlrl::config
