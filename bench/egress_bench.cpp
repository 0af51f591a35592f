// What the egress recorder adds to each call it sees (issue #8: at most
// 20 µs per recorded connect). gv_connect_loop (bench/connect_loop.cpp) makes
// kConnects loopback connects and kDatagrams loopback sendto's and reports
// its own time per call; each iteration runs it once plain (fork + exec) and
// once under gv::egress::supervise(), back to back so both see the same
// machine load, and the counters are medians over the iterations:
//   plain_connect_ns, recorded_connect_ns, added_connect_ns  per connect
//   plain_sendto_ns, recorded_sendto_ns, added_sendto_ns     per datagram
// The benchmark's own time is the supervised run's wall time, process start
// and exit included. Audit mode records and lets every call continue in the
// kernel; block mode (loopback allowed) performs each connect itself on a
// duplicate of the caller's socket, so it pays for a thread per connect.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "egress/endpoint.h"
#include "egress/supervisor.h"

namespace gv::egress {
namespace {

constexpr int kConnects = 2000;
constexpr int kDatagrams = 2000;

// gv_connect_loop's line: {"connects":N,"connect_ns":X,"datagrams":M,"sendto_ns":Y}
struct LoopTimes {
  double connect_ns = -1, sendto_ns = -1;
};

double field(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::atof(line.c_str() + at + key.size() + 3);
}

LoopTimes read_times(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return {field(line, "connect_ns"), field(line, "sendto_ns")};
}

std::vector<std::string> loop_argv() {
  return {GV_CONNECT_LOOP, std::to_string(kConnects), std::to_string(kDatagrams)};
}

// Runs `run` with this process's stdout sent to `path` (the supervised
// command inherits it), then puts stdout back.
template <typename Run>
bool with_stdout_to(const std::string& path, Run run) {
  std::fflush(stdout);
  const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return false;
  const int saved = ::dup(1);
  ::dup2(out, 1);
  ::close(out);
  const bool ok = run();
  ::dup2(saved, 1);
  ::close(saved);
  return ok;
}

bool run_plain(const std::string& path) {
  return with_stdout_to(path, [] {
    const std::vector<std::string> args = loop_argv();
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  });
}

bool run_supervised(const std::string& path, const SuperviseOptions& opt, size_t* events) {
  return with_stdout_to(path, [&] {
    SuperviseResult r;
    if (supervise(opt, &r)) return false;
    *events = r.events.size();
    return r.exit_status == 0;
  });
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void BM_SuperviseConnects(benchmark::State& state) {
  const bool block = state.range(0) == 1;
  AllowList allow;
  std::string err;
  if (!allow.add_text("loopback", &err)) return state.SkipWithError(err.c_str());
  SuperviseOptions opt;
  opt.argv = loop_argv();
  opt.block = block;
  opt.allow = block ? &allow : nullptr;

  const std::string out = (std::filesystem::temp_directory_path() / ("gv-connect-loop-" + std::to_string(::getpid()))).string();
  std::vector<double> plain_c, rec_c, plain_s, rec_s;
  size_t events = 0;
  for (auto _ : state) {
    if (!run_plain(out)) return state.SkipWithError("gv_connect_loop failed (plain)");
    const LoopTimes plain = read_times(out);
    const auto t0 = std::chrono::steady_clock::now();
    if (!run_supervised(out, opt, &events)) return state.SkipWithError("gv_connect_loop failed (supervised)");
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const LoopTimes rec = read_times(out);
    plain_c.push_back(plain.connect_ns);
    rec_c.push_back(rec.connect_ns);
    plain_s.push_back(plain.sendto_ns);
    rec_s.push_back(rec.sendto_ns);
  }
  ::unlink(out.c_str());
  // Every connect is an event (plus the acceptor's wake-up connect and one
  // datagram destination): checks that the recorder saw them all.
  if (events != kConnects + 2) state.SkipWithError(("recorded " + std::to_string(events) + " events").c_str());
  std::vector<double> added_c, added_s;
  for (size_t i = 0; i < rec_c.size(); ++i) {
    added_c.push_back(rec_c[i] - plain_c[i]);
    added_s.push_back(rec_s[i] - plain_s[i]);
  }
  state.counters["plain_connect_ns"] = median(plain_c);
  state.counters["recorded_connect_ns"] = median(rec_c);
  state.counters["added_connect_ns"] = median(added_c);
  state.counters["plain_sendto_ns"] = median(plain_s);
  state.counters["recorded_sendto_ns"] = median(rec_s);
  state.counters["added_sendto_ns"] = median(added_s);
  state.SetLabel(block ? "block, allow loopback" : "audit");
}
BENCHMARK(BM_SuperviseConnects)
    ->ArgName("block")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(9)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gv::egress
