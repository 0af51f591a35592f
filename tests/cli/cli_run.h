// How the command-line tests run gouvernante: in process through run_cli
// (streams captured, a fixed "now"), or as the real binary through the shell
// exactly as a user types it.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/temp_dir.h"

namespace gv::testing {

inline constexpr std::time_t kTestNow = 1775044800;  // 2026-04-01T12:00:00Z

struct CmdResult {
  int code;
  std::string out, err;
};

// run_cli(args) with its output captured and env.now = kTestNow.
inline CmdResult run(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliEnv env{&out, &err};
  env.now = kTestNow;
  int code = run_cli(args, env);
  return {code, out.str(), err.str()};
}

// `cmdline` through the shell from `cwd`.
inline CmdResult shell(const std::string& cwd, const std::string& cmdline) {
  TempDir t;
  const std::string errf = t.str() + "/stderr";
  std::string cmd = "cd '" + cwd + "' && " + cmdline + " 2>'" + errf + "'";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_text(errf)};
}

// The JSON a command printed (a test failure when it is not JSON).
inline nlohmann::json json_of(const CmdResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

}  // namespace gv::testing
