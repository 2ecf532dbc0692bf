// Replay buffer with each observation item stored once.
//
// An "item" is one rendered frame (uint8, 3 x H x W) for pixel observations or one state vector (float) for states.
// Every agent step adds one item (the newest frame of the next observation) and one transition record
// {action, reward, not_done, next_pos, first_pos}; every episode also adds its first item. A stacked observation
// is rebuilt from the items by position: obs = items next_pos-k .. next_pos-1 and next_obs = items next_pos-k+1 ..
// next_pos, where positions before the episode's first item repeat the first item (as frame stacking does at an
// episode start). Memory per pixel transition is one frame plus a few dozen bytes, against k*2 frames when obs and
// next_obs stacks are stored separately.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <random>
#include <span>
#include <vector>

#include "envs/env.h"

namespace curlrl::replay {

struct ReplaySpec {
  envs::ObservationKind observation = envs::ObservationKind::kPixels;
  std::vector<int64_t> item_shape;  // pixels: {3, H, W}; states: {D}
  int frame_stack = 3;              // items per observation (1 for states)
  int action_dim = 1;

  // The buffer for an environment of `spec`: its observation kind, one frame or one state per item, its stack.
  static ReplaySpec of(const envs::EnvSpec& spec);
};

class ReplayBuffer {
 public:
  ReplayBuffer(int64_t capacity, ReplaySpec spec);

  // Starts an episode with its first observation's newest item (envs::TimeStep::newest_item(): a frame as uint8,
  // or the state as floats). An item of the other kind, or of the wrong size, is std::invalid_argument.
  void add_first(envs::ObservationItem first);
  // Adds a transition: `action` taken, `reward` received, `not_done` (1 unless terminal; time limits are not
  // terminal), and the next observation's newest item.
  void add(std::span<const float> action, float reward, float not_done, envs::ObservationItem next);

  int64_t size() const { return count_; }
  int64_t capacity() const { return capacity_; }
  const ReplaySpec& spec() const { return spec_; }

  // `batch` transition indices in [0, size()), uniform with replacement, drawn from `rng`.
  std::vector<int64_t> sample(int64_t batch, std::mt19937_64& rng) const;

  // Transition i (0 = oldest stored), typed by the buffer's kind (the other kind's accessors throw
  // std::logic_error). Pixels: the observation's frame_stack frames (3 x H x W uint8 each), oldest first, as
  // pointers into the buffer. States: the state vector.
  void obs_frames(int64_t i, const uint8_t** out) const;
  void next_obs_frames(int64_t i, const uint8_t** out) const;
  std::span<const float> obs_state(int64_t i) const;
  std::span<const float> next_obs_state(int64_t i) const;
  std::span<const float> action(int64_t i) const;
  float reward(int64_t i) const;
  float not_done(int64_t i) const;

  size_t item_bytes() const { return item_bytes_; }
  // Bytes held: items, transition records, and the arrays' fixed overhead.
  size_t memory_bytes() const;
  // What memory_bytes() of a buffer of `capacity` and `spec` would be, without allocating it (a double: a mistyped
  // capacity must give a large number, not an overflow).
  static double bytes_needed(int64_t capacity, const ReplaySpec& spec);

  // Binary checkpoint of the stored contents; load() checks the spec and capacity match.
  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  struct Record {
    int64_t next_pos;   // position of the next observation's newest item
    int64_t first_pos;  // position of the episode's first item
    float reward;
    float not_done;
  };
  void push_item(const void* data);
  void start_episode(const void* item);
  void add_transition(std::span<const float> action, float reward, float not_done, const void* item);
  int64_t item_slot(int64_t pos) const { return pos % item_capacity_; }
  const Record& record(int64_t i) const { return records_[static_cast<size_t>((head_ + i) % capacity_)]; }
  void gather(const Record& r, int64_t newest, const uint8_t** out) const;
  std::span<const float> state_at(int64_t pos) const;
  bool pixels() const { return spec_.observation == envs::ObservationKind::kPixels; }
  // The item's address after checking its kind and size against the buffer's.
  const void* checked(envs::ObservationItem item) const;

  int64_t capacity_;
  ReplaySpec spec_;
  size_t item_bytes_;
  int64_t item_capacity_;         // items kept: transitions plus episode-first items plus one stack
  std::vector<uint8_t> items_;    // item_capacity_ x item_bytes_
  std::vector<Record> records_;   // ring of capacity_
  std::vector<float> actions_;    // ring of capacity_ x action_dim
  int64_t head_ = 0;              // ring slot of the oldest transition
  int64_t count_ = 0;
  int64_t next_item_pos_ = 0;     // position the next item gets
  int64_t episode_first_ = -1;    // position of the current episode's first item
};

}  // namespace curlrl::replay
