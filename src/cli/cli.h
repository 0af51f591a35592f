// The command line: thin wiring from flags to library calls, testable without
// spawning a process (run_cli takes its streams and environment as values).
//
// Go-style single-dash long flags ("-rules ./rules -json", "-output=auto") are
// what the runbook and gouvernante's users type; CLI11 wants "--rules", so a
// small shim rewrites known single-dash long flags before CLI11 sees them.
#pragma once

#include <ctime>
#include <iosfwd>
#include <string>
#include <vector>

namespace gv {

struct CliEnv {
  std::ostream* out;
  std::ostream* err;
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;   // progress lines for long -heuristic walks
  bool fast_exit = false;       // the real binary: _Exit after a scan instead of freeing everything
  bool no_color = false;        // NO_COLOR set (https://no-color.org)
  std::time_t now = 0;          // for -output auto
  std::string cwd_for_output;   // where -output auto writes ("" = current directory)
};

// Rewrites "-rules" to "--rules" and "-output=x" to "--output=x" for the
// long flags named in `long_flags`; everything after "--" is left alone.
std::vector<std::string> normalize_go_flags(const std::vector<std::string>& args,
                                            const std::vector<std::string>& long_flags);

// Runs the tool. args excludes argv[0]. Returns the exit code:
// 0 clean, 1 error or incomplete scan, 2 findings.
int run_cli(const std::vector<std::string>& args, const CliEnv& env);

// "20260401T120000Z"
std::string utc_stamp(std::time_t now);

// "gouvernante-20260401T120000Z.json"
std::string auto_output_name(std::time_t now, std::string_view extension);

}  // namespace gv
