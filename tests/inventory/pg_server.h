// A real PostgreSQL server for a test binary (Debian's postgresql package,
// on loopback, trust auth), started on first use and stopped after the last
// test, with a fresh database per caller: the store tests and the command
// line tests both run against it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "inventory/store_internal.h"

namespace gv::inventory::testing {

namespace pg_fs = std::filesystem;

inline int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (s >= 0) ::close(s);
  return port;
}

inline std::string pg_bin_dir() {
  if (pg_fs::exists("/usr/lib/postgresql/15/bin/initdb")) return "/usr/lib/postgresql/15/bin";
  std::error_code ec;
  for (const auto& d : pg_fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (pg_fs::exists(d.path() / "bin/initdb")) return (d.path() / "bin").string();
  }
  return "";
}

inline std::string tail(const std::string& path) {
  std::string text = gv::testing::read_text(path);
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

// Started on first use (other test files share the binary and need no
// server), stopped by the environment below after the last test.
class PgServer {
 public:
  static PgServer& get() {
    PgServer& s = instance();
    if (!s.tried_) s.start();
    return s;
  }
  static void stop_if_started() {
    PgServer& s = instance();
    if (s.running_) s.stop();
  }

  const std::string& problem() const { return problem_; }
  bool running() const { return running_; }
  int port() const { return port_; }

  // A new, empty database per test: tests see only their own rows.
  std::string fresh_database(std::string* problem) {
    const std::string name = "gv_t" + std::to_string(++databases_);
    if (auto e = admin_->exec("CREATE DATABASE " + name)) {
      *problem = e->str();
      return "";
    }
    return url(name);
  }
  std::string url(const std::string& db) const {
    return "postgresql://gv@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }

 private:
  static PgServer& instance() {
    static PgServer server;
    return server;
  }

  void start() {
    tried_ = true;
    const std::string bin = pg_bin_dir();
    if (bin.empty()) {
      problem_ = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the "
                 "'postgresql' package (scripts/install-deps.sh)";
      return;
    }
    char tmpl[] = "/tmp/gv-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      problem_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    // initdb refuses to run as root: then the server runs as 'postgres',
    // which must own its folder.
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (!pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        problem_ = "running as root and cannot hand " + dir_ + " to user 'postgres'";
        return;
      }
      as_user_ = "runuser -u postgres -- ";
    }
    port_ = free_port();
    const std::string init = as_user_ + bin + "/initdb -D " + dir_ + "/data -U gv --auth=trust -E UTF8 --no-locale";
    if (!shell(init, dir_ + "/initdb.log")) return;
    const std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                                " -c listen_addresses=127.0.0.1 -c fsync=off";
    const std::string start = as_user_ + bin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                              "/server.log -o \"" + options + "\" -w -t 60 start";
    if (!shell(start, dir_ + "/pg_ctl.log")) {
      problem_ += "\nserver log:\n" + tail(dir_ + "/server.log");
      return;
    }
    running_ = true;
    bin_ = bin;
    Error e;
    admin_ = store_detail::open_driver(url("postgres"), &e);
    if (!admin_) problem_ = "started PostgreSQL but cannot connect: " + e.str();
  }

  void stop() {
    admin_.reset();
    shell(as_user_ + bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop", dir_ + "/stop.log");
    running_ = false;
    std::error_code ec;
    pg_fs::remove_all(dir_, ec);
  }

  // Runs a command from the server's folder (readable by 'postgres', unlike
  // root's home), its output kept in `log` for the failure message.
  bool shell(const std::string& cmd, const std::string& log) {
    const std::string full = "cd " + dir_ + " && " + cmd + " > " + log + " 2>&1";
    const int rc = std::system(full.c_str());
    if (rc == 0) return true;
    problem_ = "'" + cmd + "' failed (status " + std::to_string(rc) + "):\n" + tail(log);
    return false;
  }

  bool tried_ = false;
  bool running_ = false;
  int port_ = 0;
  int databases_ = 0;
  std::string dir_, bin_, as_user_, problem_;
  std::unique_ptr<store_detail::Driver> admin_;
};

class PgEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PgServer::stop_if_started(); }
};
inline ::testing::Environment* const kPgEnvironment =
    ::testing::AddGlobalTestEnvironment(new PgEnvironment);


}  // namespace gv::inventory::testing
