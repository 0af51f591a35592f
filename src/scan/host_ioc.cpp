#include "scan/host_ioc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gv {
namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (const std::string& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

// Why an indicator cannot be checked on ctx.os, or nullopt when it can.
// *applicable is false when the indicator cannot concern this host at all.
std::optional<std::string> os_gate(const HostIndicator& ind, const HostContext& ctx, bool* applicable) {
  *applicable = false;
  if (std::find(ind.oses.begin(), ind.oses.end(), ctx.os) == ind.oses.end()) {
    return "for " + join(ind.oses, "/") + " only; this host is " + ctx.os;
  }
  if (ind.type == "registry" && ctx.os != "windows") return "Windows registry: not checkable on " + ctx.os;
  *applicable = true;
  if (ind.type == "registry") return "registry checks are not implemented in this build";
  // Paths, /proc and sockets are read the POSIX way; the environment is portable.
  if (ctx.os == "windows" && ind.type != "environment") {
    return ind.type + " checks are not implemented on windows in this build";
  }
  return std::nullopt;
}

// A target for a skipped check, so the report still says what was not checked.
std::string fallback_target(const HostIndicator& ind) {
  if (ind.type == "file") {
    if (ind.path.empty()) return ind.file_name;
    if (ind.file_name.empty()) return ind.path;
    return ind.path + "/" + ind.file_name;
  }
  if (ind.type == "process") return "process name '" + ind.value + "'";
  if (ind.type == "environment") return "env " + ind.value.substr(0, ind.value.find('='));
  return ind.value;
}

HostCheck check_one(const Rule& rule, size_t i, const HostContext& ctx) {
  const HostIndicator& ind = rule.host_indicators[i];
  HostCheck c;
  c.rule = &rule;
  c.indicator = i;
  c.type = ind.type;
  c.confidence = ind.confidence.empty() ? "high" : ind.confidence;
  if (auto why = os_gate(ind, ctx, &c.applicable)) {
    c.target = fallback_target(ind);
    c.status = CheckStatus::kSkipped;
    c.detail = *why;
  } else if (ind.type == "file") {
    check_file_indicator(ind, ctx, &c);
  } else if (ind.type == "process") {
    check_process_indicator(ind, ctx, &c);
  } else if (ind.type == "environment") {
    check_environment_indicator(ind, ctx, &c);
  } else if (ind.type == "network") {
    check_network_indicator(ind, ctx, &c);
  } else {
    // The rule loader refuses other types; a hand-built Rule may not.
    c.target = fallback_target(ind);
    c.status = CheckStatus::kSkipped;
    c.detail = "unknown indicator type '" + ind.type + "'";
  }
  host_trace(ctx, "host: " + rule.id + " indicator " + std::to_string(i) + " (" + c.type + " " + c.target +
                      "): " + std::string(check_status_name(c.status)) + (c.detail.empty() ? "" : ": " + c.detail));
  return c;
}

std::string errno_text(int err) {
  switch (err) {
    case ENOENT: return "no such file";
    case EACCES:
    case EPERM: return "permission denied";
    case ESRCH: return "process exited";
    default: return std::strerror(err);
  }
}

}  // namespace

std::string_view check_status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::kFound: return "found";
    case CheckStatus::kClean: return "clean";
    case CheckStatus::kSkipped: return "skipped";
  }
  return "skipped";
}

std::string_view running_os() {
#if defined(__APPLE__)
  return "macos";
#elif defined(_WIN32)
  return "windows";
#else
  return "linux";
#endif
}

std::vector<HostCheck> check_host_indicators(const std::vector<Rule>& rules, const HostContext& ctx) {
  std::vector<HostCheck> out;
  for (const Rule& r : rules) {
    for (size_t i = 0; i < r.host_indicators.size(); ++i) out.push_back(check_one(r, i, ctx));
  }
  return out;
}

std::optional<std::string> host_getenv(const HostContext& ctx, const std::string& name) {
  if (ctx.getenv) return ctx.getenv(name);
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

void host_trace(const HostContext& ctx, const std::string& line) {
  if (ctx.trace) ctx.trace(line);
}

// Checks the scanner's own environment: the variables a dropper would read or
// set for the session that runs the scan (e.g. an injected NODE_OPTIONS).
// Values are secrets (tokens), so neither the evidence nor the detail repeats them.
void check_environment_indicator(const HostIndicator& ind, const HostContext& ctx, HostCheck* out) {
  size_t eq = ind.value.find('=');
  std::string name = ind.value.substr(0, eq);
  out->target = "env " + name;
  if (name.empty()) {
    out->status = CheckStatus::kSkipped;
    out->detail = "environment indicator needs a value 'NAME' or 'NAME=VALUE', got '" + ind.value + "'";
    return;
  }
  std::optional<std::string> v = host_getenv(ctx, name);
  if (!v) {
    out->status = CheckStatus::kClean;
    out->detail = name + " is not set in the scanner's environment";
  } else if (eq == std::string::npos) {
    out->status = CheckStatus::kFound;
    out->detail = name + " is set";
    out->evidence.push_back(name + " is set");
  } else if (*v == ind.value.substr(eq + 1)) {
    out->status = CheckStatus::kFound;
    out->detail = name + " is set to the indicator's value";
    out->evidence.push_back(name + "=<value matches>");
  } else {
    out->status = CheckStatus::kClean;
    out->detail = name + " is set, but not to the indicator's value";
  }
}

std::optional<std::string> read_host_text(const std::string& path, size_t max_bytes, std::string* out, int* err_no) {
  auto fail = [&](int e, std::string why) {
    if (err_no) *err_no = e;
    return std::optional<std::string>(std::move(why));
  };
  if (err_no) *err_no = 0;
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fail(errno, errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(0, "not a regular file");
  }
  // /proc files report size 0, so read until EOF rather than trusting st_size.
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return fail(e, errno_text(e));
    }
    if (n == 0) break;
    if (out->size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return fail(0, "larger than " + std::to_string(max_bytes) + " bytes");
    }
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::nullopt;
}

}  // namespace gv
