#include "envs/distraction.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <numbers>
#include <stdexcept>

#include "core/error.h"
#include "core/settings.h"
#include "media/video.h"

namespace curlrl::envs {
namespace {

const config::Setting<std::string> kVideoDir{
    "distraction.video_dir", "",
    "folder of background videos for the video_easy/video_hard modes (any format OpenCV reads); empty: procedural "
    "moving textures",
    {.resumable = true}};
const config::Setting<double> kCameraScale{"distraction.camera_scale", 0.25,
                                           "camera mode: how far the camera is moved (0: not at all, 1: the most)",
                                           {.min = 0, .max = 1, .resumable = true}};

constexpr const char* kModeNames[] = {"train", "color_easy", "color_hard", "video_easy", "video_hard", "camera"};
// Window depth of pixels where nothing was drawn (the depth buffer's clear value; the frame is drawn without the
// skybox, which would write depth).
constexpr float kBackgroundDepth = 0.9999999f;

bool is_plane(const mjvGeom& g) { return g.objtype == mjOBJ_GEOM && g.type == mjGEOM_PLANE; }
// Geoms sharing a material share a colour draw; a geom without one has its own.
int colour_key(const mjModel* m, int geom) { return m->geom_matid[geom] >= 0 ? m->geom_matid[geom] : -2 - geom; }

// A rotation of `v` about the unit axis `k` by `angle` (Rodrigues).
std::array<double, 3> rotate(const std::array<double, 3>& v, const std::array<double, 3>& k, double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  const double dot = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
  const std::array<double, 3> cross = {k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]};
  std::array<double, 3> out{};
  for (int i = 0; i < 3; ++i) out[i] = v[i] * c + cross[i] * s + k[i] * dot * (1 - c);
  return out;
}
std::array<double, 3> normalised(std::array<double, 3> v) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (n > 0) {
    for (double& x : v) x /= n;
  }
  return v;
}

}  // namespace

DistractionMode parse_distraction_mode(const std::string& name) {
  if (name == "none") return DistractionMode::kTrain;
  for (size_t i = 0; i < std::size(kModeNames); ++i) {
    if (name == kModeNames[i]) return static_cast<DistractionMode>(i);
  }
  std::string known;
  for (const char* n : kModeNames) known += (known.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("unknown distraction mode '" + name + "' (known: " + known + ")");
}

const char* distraction_mode_name(DistractionMode mode) { return kModeNames[static_cast<size_t>(mode)]; }

std::vector<std::string> distraction_mode_names() { return {std::begin(kModeNames), std::end(kModeNames)}; }

DistractionOptions DistractionOptions::from_config(const config::Config& config, DistractionMode mode) {
  DistractionOptions o;
  o.mode = mode;
  o.video_dir = kVideoDir(config);
  o.camera_scale = kCameraScale(config);
  return o;
}

std::vector<std::string> video_files(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string key = "distraction.video_dir=" + dir;
  media::require_video(key);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(key + ": no such folder");
  // Every evaluation, and each of its environments, asks for the list, and checking a clip decodes a frame of it: a
  // folder whose modification time has not changed since its last scan (no file added, removed or renamed) is not
  // scanned again.
  static std::mutex mutex;
  static std::map<std::string, std::pair<fs::file_time_type, std::vector<std::string>>> scanned;
  const fs::file_time_type stamp = fs::last_write_time(dir, ec);
  const bool stamped = !ec;
  if (stamped) {
    const std::lock_guard lock(mutex);
    const auto it = scanned.find(dir);
    if (it != scanned.end() && it->second.first == stamp) return it->second.second;
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> videos;
  static const char* const kExtensions[] = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v",
                                            ".ogv", ".wmv", ".flv", ".gif"};
  for (const auto& f : files) {
    std::string ext = fs::path(f).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (std::find_if(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; }) ==
        std::end(kExtensions)) {
      continue;  // not a video container (OpenCV would try, and complain on stderr)
    }
    if (media::readable_video(f)) videos.push_back(f);
  }
  if (videos.empty()) {
    throw Error(key + ": " + (files.empty() ? "the folder is empty" : "none of its " + std::to_string(files.size()) +
                                                                      " files is a video OpenCV can read"));
  }
  if (stamped) {
    const std::lock_guard lock(mutex);
    scanned[dir] = {stamp, videos};
  }
  return videos;
}

// One episode's draws.
struct Distraction::Episode {
  std::map<int, std::array<float, 3>> colour;  // per material (or geom): offset (easy) or colour (hard)
  std::array<float, 3> floor{1, 1, 1};         // tint (easy) or colour (hard)
  std::array<float, 3> sky_a{1, 1, 1}, sky_b{0, 0, 0};  // easy: tint in sky_a; hard: bright and dark colours
  double yaw = 0, pitch = 0, roll = 0, distance = 1;
  // Backgrounds: a periodic tile drifting by (vx, vy) pixels per frame, or decoded video frames (top-down RGB).
  int tile_w = 0, tile_h = 0;
  std::vector<uint8_t> tile;
  double x0 = 0, y0 = 0, vx = 0, vy = 0;
  std::vector<std::vector<uint8_t>> frames;
  int frame = 0;
};

Distraction::Distraction(const mjModel* model, const DistractionOptions& options, int width, int height)
    : model_(model), options_(options), width_(width), height_(height), episode_(std::make_unique<Episode>()) {
  const bool video = options_.mode == DistractionMode::kVideoEasy || options_.mode == DistractionMode::kVideoHard;
  if (video && !options_.video_dir.empty()) videos_ = video_files(options_.video_dir);
  seed(0);
}

Distraction::~Distraction() = default;

void Distraction::seed(uint64_t seed) {
  // Its own generator (never the episode's): the physics draws nothing from here.
  rng_.seed(seed ^ 0x6a09e667f3bcc909ULL);
  *episode_ = Episode();  // drawn at the next episode start (Env::reset)
}

namespace {

// A periodic w x h RGB texture: a sum of plane waves with whole wave numbers over the tile (so it wraps without a
// seam), each with its own colour, scaled to 0..255. kind 0: smooth noise (few long waves); 1: stripes (one
// direction, hard edges); 2: 1/f spectrum (many waves, amplitude falling as 1/|k|, like natural images).
std::vector<uint8_t> procedural_tile(int w, int h, int kind, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> acc(static_cast<size_t>(w) * h * 3, 0.0);
  struct Wave {
    int kx, ky;
    double amplitude, phase;
    std::array<double, 3> colour;
  };
  std::vector<Wave> waves;
  const auto colour = [&] { return std::array<double, 3>{u(rng) * 2 - 1, u(rng) * 2 - 1, u(rng) * 2 - 1}; };
  if (kind == 1) {
    const int kx = static_cast<int>(u(rng) * 9) - 4, ky = 1 + static_cast<int>(u(rng) * 5);
    waves.push_back({kx, ky, 1.0, u(rng) * 2 * std::numbers::pi, colour()});
  } else {
    const int n = kind == 0 ? 24 : 64, kmax = kind == 0 ? 4 : 24;
    for (int i = 0; i < n; ++i) {
      const int kx = static_cast<int>(u(rng) * (2 * kmax + 1)) - kmax;
      const int ky = static_cast<int>(u(rng) * (2 * kmax + 1)) - kmax;
      if (kx == 0 && ky == 0) continue;
      const double amp = kind == 0 ? 1.0 : 1.0 / std::hypot(kx, ky);
      waves.push_back({kx, ky, amp, u(rng) * 2 * std::numbers::pi, colour()});
    }
  }
  std::vector<double> wave(static_cast<size_t>(w) * h);
  for (const auto& wv : waves) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        double s = std::sin(2 * std::numbers::pi * (wv.kx * static_cast<double>(x) / w + wv.ky * static_cast<double>(y) / h) + wv.phase);
        if (kind == 1) s = std::tanh(4 * s);
        wave[static_cast<size_t>(y) * w + x] = wv.amplitude * s;
      }
    }
    for (size_t i = 0; i < wave.size(); ++i) {
      for (int c = 0; c < 3; ++c) acc[3 * i + c] += wave[i] * wv.colour[c];
    }
  }
  std::vector<uint8_t> out(acc.size());
  for (int c = 0; c < 3; ++c) {
    double lo = 1e300, hi = -1e300;
    for (size_t i = c; i < acc.size(); i += 3) {
      lo = std::min(lo, acc[i]);
      hi = std::max(hi, acc[i]);
    }
    // Each channel spread over a random part of 0..255, so tiles differ in overall colour too.
    const double base = u(rng) * 96, span = 96 + u(rng) * 63;
    for (size_t i = c; i < acc.size(); i += 3) {
      const double v = hi > lo ? (acc[i] - lo) / (hi - lo) : 0.5;
      out[i] = static_cast<uint8_t>(std::clamp(base + v * span, 0.0, 255.0));
    }
  }
  return out;
}

// Frames from one video file, starting at `start`, scaled to cover w x h and centre-cropped, top-down RGB; a clip
// shorter than `count` is played back and forth.
std::vector<std::vector<uint8_t>> video_frames(const std::string& file, int w, int h, double start_fraction, int count) {
  std::vector<std::vector<uint8_t>> frames;
  try {
    frames = media::read_video(file, w, h, start_fraction, count);
  } catch (const Error& e) {
    throw Error(std::string("distraction.video_dir: ") + e.what());
  }
  const size_t have = frames.size();
  frames.reserve(static_cast<size_t>(count));
  const size_t period = have > 1 ? 2 * have - 2 : 1;  // back and forth: 0 .. have-1 .. 1, 0 ..
  for (size_t i = have; static_cast<int>(frames.size()) < count; ++i) {
    const size_t p = i % period;
    std::vector<uint8_t> copy = frames[p < have ? p : period - p];
    frames.push_back(std::move(copy));
  }
  return frames;
}

}  // namespace

void Distraction::new_episode() {
  Episode e;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto sym = [&](double r) { return static_cast<float>((u(rng_) * 2 - 1) * r); };
  switch (options_.mode) {
    case DistractionMode::kTrain:
      break;
    case DistractionMode::kColorEasy:
    case DistractionMode::kColorHard: {
      const bool hard = options_.mode == DistractionMode::kColorHard;
      // One draw per material (geoms without one: per geom), in id order so the draws do not depend on the scene.
      for (int g = 0; g < model_->ngeom; ++g) {
        if (model_->geom_type[g] == mjGEOM_PLANE) continue;
        const int key = colour_key(model_, g);
        if (e.colour.count(key)) continue;
        e.colour[key] = hard ? std::array<float, 3>{static_cast<float>(u(rng_)), static_cast<float>(u(rng_)),
                                                    static_cast<float>(u(rng_))}
                             : std::array<float, 3>{sym(0.2f), sym(0.2f), sym(0.2f)};
      }
      for (int c = 0; c < 3; ++c) e.floor[c] = hard ? static_cast<float>(u(rng_)) : 1.0f + sym(0.2f);
      for (int c = 0; c < 3; ++c) e.sky_a[c] = hard ? static_cast<float>(u(rng_)) : 1.0f + sym(0.2f);
      for (int c = 0; c < 3; ++c) e.sky_b[c] = hard ? static_cast<float>(u(rng_) * 0.5) : 0.0f;
      break;
    }
    case DistractionMode::kVideoEasy:
    case DistractionMode::kVideoHard: {
      if (videos_.empty()) {
        const int kind = static_cast<int>(u(rng_) * 3) % 3;
        e.tile_w = 2 * width_;
        e.tile_h = 2 * height_;
        e.tile = procedural_tile(e.tile_w, e.tile_h, kind, rng_);
        const double angle = u(rng_) * 2 * std::numbers::pi, speed = (0.4 + 1.2 * u(rng_)) * width_ / 100.0;
        e.vx = speed * std::cos(angle);
        e.vy = speed * std::sin(angle);
        e.x0 = u(rng_) * e.tile_w;
        e.y0 = u(rng_) * e.tile_h;
      } else {
        const size_t clip = static_cast<size_t>(u(rng_) * static_cast<double>(videos_.size())) % videos_.size();
        e.frames = video_frames(videos_[clip], width_, height_, u(rng_), std::max(1, options_.episode_frames));
      }
      break;
    }
    case DistractionMode::kCamera: {
      const double s = options_.camera_scale;
      e.yaw = sym(1.0) * s * std::numbers::pi / 3;
      e.pitch = sym(1.0) * s * std::numbers::pi / 3;
      e.roll = sym(1.0) * s * std::numbers::pi / 12;
      e.distance = 1.0 + sym(1.0) * s * 0.3;
      break;
    }
  }
  *episode_ = std::move(e);
}

void Distraction::edit_scene(const mjData* data, mjvScene* scene) const {
  const Episode& e = *episode_;
  switch (options_.mode) {
    case DistractionMode::kColorEasy:
    case DistractionMode::kColorHard: {
      const bool hard = options_.mode == DistractionMode::kColorHard;
      for (int i = 0; i < scene->ngeom; ++i) {
        mjvGeom& g = scene->geoms[i];
        if (g.objtype != mjOBJ_GEOM || g.objid < 0) continue;
        if (is_plane(g)) {
          for (int c = 0; c < 3; ++c) g.rgba[c] = hard ? e.floor[c] : std::clamp(g.rgba[c] * e.floor[c], 0.0f, 1.0f);
          if (hard) g.texid = -1;
          continue;
        }
        const auto it = e.colour.find(colour_key(model_, g.objid));
        if (it == e.colour.end()) continue;
        for (int c = 0; c < 3; ++c) g.rgba[c] = hard ? it->second[c] : std::clamp(g.rgba[c] + it->second[c], 0.0f, 1.0f);
      }
      break;
    }
    case DistractionMode::kVideoHard: {
      int kept = 0;
      for (int i = 0; i < scene->ngeom; ++i) {
        if (!is_plane(scene->geoms[i])) scene->geoms[kept++] = scene->geoms[i];
      }
      scene->ngeom = kept;
      break;
    }
    case DistractionMode::kCamera: {
      // Orbit about the point on the line of sight nearest the model's centre of mass.
      const double* com = data->subtree_com;  // body 0: the whole model
      for (auto& cam : scene->camera) {
        std::array<double, 3> p{cam.pos[0], cam.pos[1], cam.pos[2]};
        std::array<double, 3> f = normalised({cam.forward[0], cam.forward[1], cam.forward[2]});
        std::array<double, 3> up = normalised({cam.up[0], cam.up[1], cam.up[2]});
        double d = (com[0] - p[0]) * f[0] + (com[1] - p[1]) * f[1] + (com[2] - p[2]) * f[2];
        if (d < 0.1) d = 1.0;
        const std::array<double, 3> c{p[0] + f[0] * d, p[1] + f[1] * d, p[2] + f[2] * d};
        std::array<double, 3> v{p[0] - c[0], p[1] - c[1], p[2] - c[2]};
        const std::array<double, 3> right = normalised({f[1] * up[2] - f[2] * up[1], f[2] * up[0] - f[0] * up[2],
                                                        f[0] * up[1] - f[1] * up[0]});
        v = rotate(rotate(v, right, e.pitch), {0, 0, 1}, e.yaw);
        up = rotate(rotate(up, right, e.pitch), {0, 0, 1}, e.yaw);
        for (int i = 0; i < 3; ++i) p[i] = c[i] + v[i] * e.distance;
        f = normalised({c[0] - p[0], c[1] - p[1], c[2] - p[2]});
        const double along = up[0] * f[0] + up[1] * f[1] + up[2] * f[2];
        up = normalised({up[0] - along * f[0], up[1] - along * f[1], up[2] - along * f[2]});
        up = rotate(up, f, e.roll);
        for (int i = 0; i < 3; ++i) {
          cam.pos[i] = static_cast<float>(p[i]);
          cam.forward[i] = static_cast<float>(f[i]);
          cam.up[i] = static_cast<float>(up[i]);
        }
      }
      break;
    }
    default:
      break;
  }
}

bool Distraction::needs_depth() const {
  return options_.mode != DistractionMode::kTrain && options_.mode != DistractionMode::kCamera;
}

void Distraction::composite(std::span<uint8_t> rgb, std::span<const float> depth, std::span<const uint8_t> sky) {
  Episode& e = *episode_;
  const int frame = e.frame++;
  if (!needs_depth()) return;
  const size_t n = static_cast<size_t>(width_) * height_;
  if (rgb.size() != 3 * n || depth.size() != n || sky.size() != 3 * n) {
    throw std::invalid_argument("Distraction::composite: wrong sizes");
  }
  const bool colour = options_.mode == DistractionMode::kColorEasy || options_.mode == DistractionMode::kColorHard;
  const bool hard = options_.mode == DistractionMode::kColorHard;
  const uint8_t* video = e.frames.empty() ? nullptr : e.frames[static_cast<size_t>(frame) % e.frames.size()].data();
  const bool drawn = colour || video != nullptr || !e.tile.empty();  // false before the first episode's draw
  const int ox = static_cast<int>(std::floor(e.x0 + e.vx * frame)), oy = static_cast<int>(std::floor(e.y0 + e.vy * frame));
  for (int row = 0; row < height_; ++row) {
    const int y = height_ - 1 - row;  // OpenGL rows are bottom-up; backgrounds are stored top-down
    for (int x = 0; x < width_; ++x) {
      const size_t i = static_cast<size_t>(row) * width_ + x;
      if (depth[i] < kBackgroundDepth) continue;
      uint8_t* px = rgb.data() + 3 * i;
      std::copy_n(sky.data() + 3 * i, 3, px);  // the training look's sky, then its replacement
      if (!drawn) continue;
      if (colour) {
        if (hard) {
          // The sky's structure (gradient, stars) kept as brightness between two random colours.
          const float lum = std::min(1.0f, (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) / 160.0f);
          for (int c = 0; c < 3; ++c) px[c] = static_cast<uint8_t>(255.0f * (e.sky_b[c] + (e.sky_a[c] - e.sky_b[c]) * lum));
        } else {
          for (int c = 0; c < 3; ++c) px[c] = static_cast<uint8_t>(std::clamp(px[c] * e.sky_a[c], 0.0f, 255.0f));
        }
      } else if (video != nullptr) {
        std::copy_n(video + 3 * (static_cast<size_t>(y) * width_ + x), 3, px);
      } else {
        const int tx = ((ox + x) % e.tile_w + e.tile_w) % e.tile_w, ty = ((oy + y) % e.tile_h + e.tile_h) % e.tile_h;
        std::copy_n(e.tile.data() + 3 * (static_cast<size_t>(ty) * e.tile_w + tx), 3, px);
      }
    }
  }
}

}  // namespace curlrl::envs
