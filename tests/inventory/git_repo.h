// Scripted git histories for the history-index tests: a real repository
// built with the git command line (deterministic authors and dates), holding
// lockfiles written by the real package managers
// (tests/inventory/testdata/lockfiles, scripts/gen-history-fixtures.sh).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gv::inventory::testing {

inline const std::string kLockfiles = std::string(GV_SOURCE_DIR) + "/tests/inventory/testdata/lockfiles";

class GitRepo {
 public:
  // A fresh repository in a new temporary folder, default branch "main".
  explicit GitRepo(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() /
           ("gv-git-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)) / name;
    std::filesystem::create_directories(dir_);
    git("init -q -b main");
  }
  ~GitRepo() { std::filesystem::remove_all(dir_.parent_path()); }
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  std::string path() const { return dir_.string(); }

  // Runs `git <args>` in the repository; returns its stdout (trimmed).
  std::string git(const std::string& args) {
    const std::string cmd = env() + "git -C '" + path() + "' " + args + " 2>&1";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
      ADD_FAILURE() << "cannot run " << cmd;
      return out;
    }
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = ::pclose(p);
    EXPECT_EQ(rc, 0) << cmd << "\n" << out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // Copies a fixture state's files (package.json and its lockfile) into `sub`.
  void use(const std::string& state, const std::string& sub = "") {
    const std::filesystem::path to = sub.empty() ? dir_ : dir_ / sub;
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(kLockfiles + "/" + state)) {
      std::filesystem::copy_file(e.path(), to / e.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  // Commits everything with this message; each commit is one minute after
  // the previous one. Returns its sha.
  std::string commit(const std::string& message) {
    git("add -A");
    git("commit -q --allow-empty -m '" + message + "'");
    return git("rev-parse HEAD");
  }
  // A merge commit as GitHub writes it (--no-ff) with this message.
  std::string merge(const std::string& branch, const std::string& message) {
    git("merge -q --no-ff " + branch + " -m '" + message + "'");
    return git("rev-parse HEAD");
  }
  int64_t time() const { return kEpoch + minutes_ * 60; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string env() {
    ++minutes_;
    std::ostringstream date;
    date << "@" << (kEpoch + minutes_ * 60) << " +0000";
    return "GIT_AUTHOR_NAME='Ada Dev' GIT_AUTHOR_EMAIL=ada@example.org GIT_COMMITTER_NAME='Bot Merger' "
           "GIT_COMMITTER_EMAIL=bot@example.org GIT_AUTHOR_DATE='" + date.str() + "' GIT_COMMITTER_DATE='" +
           date.str() + "' GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent ";
  }
  static constexpr int64_t kEpoch = 1767225600;  // 2026-01-01T00:00:00Z
  std::filesystem::path dir_;
  int64_t minutes_ = 0;
};

}  // namespace gv::inventory::testing
