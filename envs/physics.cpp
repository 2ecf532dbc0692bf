#include "envs/physics.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace curlrl::envs {
namespace {

// MuJoCo reports through these C callbacks. By default an error prints and calls exit(), and a warning only
// prints; a run that silently continues after "Nan, Inf or huge value in QACC" produces garbage, so both
// become exceptions that unwind to whoever called into MuJoCo.
[[noreturn]] void throw_mujoco_error(const char* message) {
  throw std::runtime_error(std::string("MuJoCo error: ") + message);
}
void throw_mujoco_warning(const char* message) {
  throw std::runtime_error(std::string("MuJoCo warning: ") + message);
}

std::string trimmed(const char* text) {
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool directory_exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

}  // namespace

void install_mujoco_error_handlers() {
  mju_user_error = throw_mujoco_error;
  mju_user_warning = throw_mujoco_warning;
}

ModelPtr load_model(const std::string& path) {
  install_mujoco_error_handlers();
  std::array<char, 1024> error{};
  ModelPtr model(mj_loadXML(path.c_str(), nullptr, error.data(), static_cast<int>(error.size())));
  if (!model) throw std::runtime_error(path + ": " + trimmed(error.data()));
  return model;
}

ModelPtr load_model_from_string(const std::string& xml) {
  install_mujoco_error_handlers();
  // MuJoCo 2.2 reads XML only through a file name, so the text goes into a one-file virtual file system.
  // mjVFS holds fixed-size name tables (about 2 MB): keep it on the heap.
  const char* kName = "inline_model.xml";
  struct VfsDeleter {
    void operator()(mjVFS* v) const {
      mj_deleteVFS(v);  // frees the file buffers; the struct itself is ours
      delete v;
    }
  };
  std::unique_ptr<mjVFS, VfsDeleter> vfs(new mjVFS);
  mj_defaultVFS(vfs.get());
  if (mj_makeEmptyFileVFS(vfs.get(), kName, static_cast<int>(xml.size())) != 0) {
    throw std::runtime_error("load_model_from_string: could not allocate MuJoCo's virtual file");
  }
  const int index = mj_findFileVFS(vfs.get(), kName);
  std::memcpy(vfs->filedata[index], xml.data(), xml.size());

  std::array<char, 1024> error{};
  ModelPtr model(mj_loadXML(kName, vfs.get(), error.data(), static_cast<int>(error.size())));
  if (!model) throw std::runtime_error(std::string("<inline MJCF>: ") + trimmed(error.data()));
  return model;
}

std::string assets_dir() {
  namespace fs = std::filesystem;
  // An explicit setting wins, and a wrong one is an error rather than a silent fallback to another tree.
  if (const char* env = std::getenv("CURLRL_ASSETS"); env != nullptr && *env != '\0') {
    if (!directory_exists(env))
      throw std::runtime_error(std::string("CURLRL_ASSETS=") + env + " is not a directory");
    return env;
  }
  std::string tried;
#ifdef CURLRL_SOURCE_DIR
  {
    const fs::path source = fs::path(CURLRL_SOURCE_DIR) / "envs" / "assets";
    if (directory_exists(source)) return source.string();
    tried += " " + source.string();
  }
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path() / ".." / "share" / "curlrl" / "assets";
    if (directory_exists(installed)) return installed.lexically_normal().string();
    tried += " " + installed.lexically_normal().string();
  }
  throw std::runtime_error("MJCF assets not found (set CURLRL_ASSETS); tried:" + tried);
}

}  // namespace curlrl::envs
