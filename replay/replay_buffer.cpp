#include "replay/replay_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <istream>
#include <numeric>
#include <ostream>
#include <stdexcept>
#include <string>
#include <variant>

namespace curlrl::replay {
namespace {

constexpr char kMagic[8] = {'c', 'u', 'r', 'l', 'r', 'p', 'l', '1'};

template <typename T>
void write_pod(std::ostream& out, const T& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
void read_pod(std::istream& in, T& v) {
  in.read(reinterpret_cast<char*>(&v), sizeof(T));
  if (!in) throw std::runtime_error("replay buffer checkpoint is truncated");
}

}  // namespace

ReplaySpec ReplaySpec::of(const envs::EnvSpec& spec) {
  ReplaySpec rs;
  rs.observation = spec.observation;
  rs.item_shape = spec.observation == envs::ObservationKind::kPixels ? spec.frame_shape : spec.observation_shape;
  rs.frame_stack = spec.frame_stack;
  rs.action_dim = spec.action_dim;
  return rs;
}

ReplayBuffer::ReplayBuffer(int64_t capacity, ReplaySpec spec) : capacity_(capacity), spec_(std::move(spec)) {
  if (capacity_ < 1) throw std::invalid_argument("replay capacity must be >= 1");
  if (!pixels()) spec_.frame_stack = 1;
  if (spec_.frame_stack < 1 || spec_.action_dim < 1) throw std::invalid_argument("bad replay spec");
  const int64_t elems = std::accumulate(spec_.item_shape.begin(), spec_.item_shape.end(), int64_t{1},
                                        std::multiplies<int64_t>());
  item_bytes_ = static_cast<size_t>(elems) * (pixels() ? sizeof(uint8_t) : sizeof(float));
  // Each episode adds one item more than its transitions; episodes of the six tasks are at least 125 agent
  // steps, so 1% headroom keeps `capacity` transitions whole. With shorter episodes the oldest transitions are
  // dropped a little earlier (size() tells how many are held).
  item_capacity_ = capacity_ + capacity_ / 100 + spec_.frame_stack + 2;
  items_.resize(static_cast<size_t>(item_capacity_) * item_bytes_);
  records_.resize(static_cast<size_t>(capacity_));
  actions_.resize(static_cast<size_t>(capacity_ * spec_.action_dim));
}

void ReplayBuffer::push_item(const void* data) {
  const int64_t pos = next_item_pos_++;
  std::memcpy(items_.data() + static_cast<size_t>(item_slot(pos)) * item_bytes_, data, item_bytes_);
  // The item just written replaced position pos - item_capacity_: drop the transitions that still read it.
  const int64_t overwritten = pos - item_capacity_;
  while (count_ > 0) {
    const Record& r = record(0);
    const int64_t oldest_needed = std::max(r.first_pos, r.next_pos - spec_.frame_stack);
    if (oldest_needed > overwritten) break;
    head_ = (head_ + 1) % capacity_;
    --count_;
  }
}

const void* ReplayBuffer::checked(envs::ObservationItem item) const {
  const envs::ObservationKind kind =
      item.index() == 0 ? envs::ObservationKind::kPixels : envs::ObservationKind::kStates;
  if (kind != spec_.observation) {
    throw std::invalid_argument(std::string("replay: ") + (kind == envs::ObservationKind::kPixels ? "a frame" : "a state") +
                                " given to a buffer of " + envs::observation_kind_name(spec_.observation));
  }
  return std::visit(
      [&](auto span) -> const void* {
        if (span.size_bytes() != item_bytes_) {
          throw std::invalid_argument("replay: an item of " + std::to_string(span.size_bytes()) + " bytes, expected " +
                                      std::to_string(item_bytes_));
        }
        return span.data();
      },
      item);
}

void ReplayBuffer::add_first(envs::ObservationItem first) { start_episode(checked(first)); }

void ReplayBuffer::add(std::span<const float> action, float reward, float not_done, envs::ObservationItem next) {
  add_transition(action, reward, not_done, checked(next));
}

void ReplayBuffer::start_episode(const void* item) {
  episode_first_ = next_item_pos_;
  push_item(item);
}

void ReplayBuffer::add_transition(std::span<const float> action, float reward, float not_done, const void* item) {
  if (episode_first_ < 0) throw std::logic_error("replay: add() before add_first()");
  if (static_cast<int>(action.size()) != spec_.action_dim) throw std::invalid_argument("replay: wrong action size");
  if (count_ == capacity_) {  // the ring is full: the oldest transition goes
    head_ = (head_ + 1) % capacity_;
    --count_;
  }
  push_item(item);
  const int64_t write = (head_ + count_) % capacity_;
  records_[static_cast<size_t>(write)] = {next_item_pos_ - 1, episode_first_, reward, not_done};
  std::copy(action.begin(), action.end(), actions_.begin() + write * spec_.action_dim);
  ++count_;
}

std::vector<int64_t> ReplayBuffer::sample(int64_t batch, std::mt19937_64& rng) const {
  if (count_ == 0) throw std::logic_error("replay: sample from an empty buffer");
  std::uniform_int_distribution<int64_t> pick(0, count_ - 1);
  std::vector<int64_t> out(static_cast<size_t>(batch));
  for (auto& i : out) i = pick(rng);
  return out;
}

void ReplayBuffer::gather(const Record& r, int64_t newest, const uint8_t** out) const {
  const int k = spec_.frame_stack;
  for (int j = 0; j < k; ++j) {
    const int64_t pos = std::max(r.first_pos, newest - (k - 1) + j);
    out[j] = items_.data() + static_cast<size_t>(item_slot(pos)) * item_bytes_;
  }
}

void ReplayBuffer::obs_frames(int64_t i, const uint8_t** out) const {
  if (!pixels()) throw std::logic_error("replay: frames asked of a buffer of states");
  const Record& r = record(i);
  gather(r, r.next_pos - 1, out);
}
void ReplayBuffer::next_obs_frames(int64_t i, const uint8_t** out) const {
  if (!pixels()) throw std::logic_error("replay: frames asked of a buffer of states");
  const Record& r = record(i);
  gather(r, r.next_pos, out);
}
std::span<const float> ReplayBuffer::state_at(int64_t pos) const {
  if (pixels()) throw std::logic_error("replay: a state asked of a buffer of pixels");
  const auto* item = reinterpret_cast<const float*>(items_.data() + static_cast<size_t>(item_slot(pos)) * item_bytes_);
  return {item, item_bytes_ / sizeof(float)};
}
std::span<const float> ReplayBuffer::obs_state(int64_t i) const {
  // A state observation is one item (no stack): the one before the next observation's, or the episode's first.
  const Record& r = record(i);
  return state_at(std::max(r.first_pos, r.next_pos - 1));
}
std::span<const float> ReplayBuffer::next_obs_state(int64_t i) const { return state_at(record(i).next_pos); }
std::span<const float> ReplayBuffer::action(int64_t i) const {
  const int64_t slot = (head_ + i) % capacity_;
  return {actions_.data() + slot * spec_.action_dim, static_cast<size_t>(spec_.action_dim)};
}
float ReplayBuffer::reward(int64_t i) const { return record(i).reward; }
float ReplayBuffer::not_done(int64_t i) const { return record(i).not_done; }

double ReplayBuffer::bytes_needed(int64_t capacity, const ReplaySpec& spec) {
  const bool pixels = spec.observation == envs::ObservationKind::kPixels;
  double elems = 1;
  for (const int64_t d : spec.item_shape) elems *= static_cast<double>(d);
  const double cap = static_cast<double>(capacity);
  const double items = cap + std::floor(cap / 100) + (pixels ? spec.frame_stack : 1) + 2;
  return items * elems * (pixels ? sizeof(uint8_t) : sizeof(float)) + cap * sizeof(Record) +
         cap * spec.action_dim * sizeof(float) + sizeof(ReplayBuffer);
}

size_t ReplayBuffer::memory_bytes() const {
  return items_.capacity() + records_.capacity() * sizeof(Record) + actions_.capacity() * sizeof(float) +
         sizeof(*this);
}

void ReplayBuffer::save(std::ostream& out) const {
  out.write(kMagic, sizeof(kMagic));
  write_pod(out, capacity_);
  write_pod(out, static_cast<int64_t>(item_bytes_));
  write_pod(out, static_cast<int32_t>(spec_.frame_stack));
  write_pod(out, static_cast<int32_t>(spec_.action_dim));
  write_pod(out, head_);
  write_pod(out, count_);
  write_pod(out, next_item_pos_);
  write_pod(out, episode_first_);
  // Items: only the positions still held (the last min(next_item_pos_, item_capacity_)).
  const int64_t first_pos = std::max<int64_t>(0, next_item_pos_ - item_capacity_);
  for (int64_t pos = first_pos; pos < next_item_pos_; ++pos) {
    out.write(reinterpret_cast<const char*>(items_.data() + static_cast<size_t>(item_slot(pos)) * item_bytes_),
              static_cast<std::streamsize>(item_bytes_));
  }
  out.write(reinterpret_cast<const char*>(records_.data()),
            static_cast<std::streamsize>(records_.size() * sizeof(Record)));
  out.write(reinterpret_cast<const char*>(actions_.data()),
            static_cast<std::streamsize>(actions_.size() * sizeof(float)));
}

void ReplayBuffer::load(std::istream& in) {
  char magic[sizeof(kMagic)];
  in.read(magic, sizeof(magic));
  if (!in || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    throw std::runtime_error("not a curlrl replay buffer checkpoint");
  }
  int64_t capacity = 0, item_bytes = 0;
  int32_t stack = 0, action_dim = 0;
  read_pod(in, capacity);
  read_pod(in, item_bytes);
  read_pod(in, stack);
  read_pod(in, action_dim);
  if (capacity != capacity_ || item_bytes != static_cast<int64_t>(item_bytes_) || stack != spec_.frame_stack ||
      action_dim != spec_.action_dim) {
    throw std::runtime_error("replay buffer checkpoint has capacity " + std::to_string(capacity) + ", item " +
                             std::to_string(item_bytes) + " bytes; this run expects " + std::to_string(capacity_) +
                             ", " + std::to_string(item_bytes_));
  }
  read_pod(in, head_);
  read_pod(in, count_);
  read_pod(in, next_item_pos_);
  read_pod(in, episode_first_);
  const int64_t first_pos = std::max<int64_t>(0, next_item_pos_ - item_capacity_);
  for (int64_t pos = first_pos; pos < next_item_pos_; ++pos) {
    in.read(reinterpret_cast<char*>(items_.data() + static_cast<size_t>(item_slot(pos)) * item_bytes_),
            static_cast<std::streamsize>(item_bytes_));
  }
  in.read(reinterpret_cast<char*>(records_.data()), static_cast<std::streamsize>(records_.size() * sizeof(Record)));
  in.read(reinterpret_cast<char*>(actions_.data()), static_cast<std::streamsize>(actions_.size() * sizeof(float)));
  if (!in) throw std::runtime_error("replay buffer checkpoint is truncated");
}

}  // namespace curlrl::replay
