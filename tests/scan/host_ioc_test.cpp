#include "scan/host_ioc.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include "common/temp_dir.h"

namespace gv {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

namespace fs = std::filesystem;

const char kSha256Abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const char kSha256Abd[] = "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9";

HostContext fake_env(std::map<std::string, std::string> env) {
  HostContext ctx;
  ctx.os = "linux";
  ctx.getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ctx.temp_dirs = {};  // tests say where bare file names are looked for
  return ctx;
}

HostIndicator indicator(std::string type, std::string value = "") {
  HostIndicator ind;
  ind.type = std::move(type);
  ind.value = std::move(value);
  ind.oses = {"linux", "macos"};
  return ind;
}

HostIndicator file_ind(std::string path, std::string name = "", std::vector<FileHash> hashes = {}) {
  HostIndicator ind = indicator("file");
  ind.path = std::move(path);
  ind.file_name = std::move(name);
  ind.hashes = std::move(hashes);
  return ind;
}

// Runs one indicator through check_host_indicators, as the CLI does.
HostCheck run(const HostIndicator& ind, const HostContext& ctx) {
  static std::vector<Rule> rules(1);  // HostCheck points into it; one test at a time
  rules[0] = Rule{};
  rules[0].id = "SSC-TEST-1";
  rules[0].host_indicators = {ind};
  std::vector<HostCheck> checks = check_host_indicators(rules, ctx);
  EXPECT_EQ(checks.size(), 1u);
  return checks.at(0);
}

std::string random_tag() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return buf;
}

// ---- file ----

TEST(HostFile, ExactPathInHomeMatchesSha256) {
  TempDir tmp;
  std::string planted = tmp.write("home/.node-cache", "abc");
  HostContext ctx = fake_env({{"HOME", tmp.str() + "/home"}});
  HostCheck c = run(file_ind("~", ".node-cache", {{"sha256", kSha256Abc}}), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.type, "file");
  EXPECT_EQ(c.target, planted);
  EXPECT_EQ(c.detail, "sha256 matched");
  EXPECT_EQ(c.confidence, "high");
  EXPECT_THAT(c.evidence, ElementsAre(planted + " (sha256 matched)"));
}

TEST(HostFile, AnyListedHashMayMatch) {
  TempDir tmp;
  tmp.write("x/payload.js", "abc");
  HostCheck c = run(file_ind(tmp.str() + "/x/payload.js", "", {{"md5", "00000000000000000000000000000000"},
                                                               {"sha256", kSha256Abd},
                                                               {"sha256", kSha256Abc}}),
                    fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "sha256 matched");
}

TEST(HostFile, GlobFindsEveryMatchInOneCheck) {
  TempDir tmp;
  std::string a = tmp.write("tmp-dir/ld.py", "x"), b = tmp.write("tmp-dir/setup.py", "y");
  tmp.write("tmp-dir/readme.txt", "z");
  HostCheck c = run(file_ind("$ROOT/tmp-dir/*.py"), fake_env({{"ROOT", tmp.str()}}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, tmp.str() + "/tmp-dir/*.py");
  EXPECT_THAT(c.evidence, ElementsAre(a, b));
  EXPECT_EQ(c.detail, "exists (2 paths match)");
}

TEST(HostFile, GlobWithoutMatchIsClean) {
  TempDir tmp;
  HostCheck c = run(file_ind(tmp.str() + "/*.py"), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_THAT(c.detail, HasSubstr("not present at " + tmp.str() + "/*.py"));
}

TEST(HostFile, SameNameDifferentContentIsLowConfidence) {
  TempDir tmp;
  std::string p = tmp.write("home/.node-cache", "abd");
  HostIndicator ind = file_ind("~/.node-cache", "", {{"sha256", kSha256Abc}});
  ind.confidence = "high";
  HostCheck c = run(ind, fake_env({{"HOME", tmp.str() + "/home"}}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.confidence, "low");
  EXPECT_EQ(c.detail, std::string("name matched, content differs (sha256 ") + kSha256Abd + ")");
  EXPECT_THAT(c.evidence, ElementsAre(p + " (content differs: sha256 " + kSha256Abd + ")"));
}

TEST(HostFile, MissingFileIsClean) {
  TempDir tmp;
  HostIndicator ind = file_ind("/tmp", "");
  ind.path = tmp.str() + "/nothing-here";
  ind.confidence = "medium";
  HostCheck c = run(ind, fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_EQ(c.confidence, "medium");
  EXPECT_EQ(c.detail, "not present at " + tmp.str() + "/nothing-here");
  EXPECT_TRUE(c.evidence.empty());
}

TEST(HostFile, UnsetVariableIsSkippedNotClean) {
  HostCheck c = run(file_ind("${GV_NOT_SET}/x"), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_TRUE(c.applicable);  // makes the scan incomplete
  EXPECT_EQ(c.detail, "variable GV_NOT_SET is not set");
  EXPECT_EQ(c.target, "${GV_NOT_SET}/x");
  c = run(file_ind("~/.x"), fake_env({{"HOME", ""}}));
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "variable HOME is empty");
}

TEST(HostFile, FifoAtThePathIsReportedButNeverOpened) {
  TempDir tmp;
  std::string fifo = tmp.str() + "/.node-cache";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  HostCheck c = run(file_ind(tmp.str(), ".node-cache", {{"sha256", kSha256Abc}}), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "exists; hash could not be computed: not a regular file (fifo)");
  EXPECT_EQ(c.confidence, "high");
  EXPECT_THAT(c.evidence, ElementsAre(fifo + " (fifo)"));
}

TEST(HostFile, SymlinkIsReportedNotFollowed) {
  TempDir tmp;
  std::string target = tmp.write("real-payload", "abc");
  std::string link = tmp.str() + "/ld.py";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  HostCheck c = run(file_ind(link, "", {{"sha256", kSha256Abc}}), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "exists; hash could not be computed: is a symlink (not followed)");
  EXPECT_THAT(c.evidence, ElementsAre(link + " (symlink -> " + target + ")"));
  // A dangling link is there too.
  std::string dangling = tmp.str() + "/gone.py";
  ASSERT_EQ(::symlink("/nonexistent/x", dangling.c_str()), 0);
  c = run(file_ind(dangling), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre(dangling + " (symlink -> /nonexistent/x)"));
}

TEST(HostFile, DirectoryAtPathExists) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "home/.config/evil");
  HostCheck c = run(file_ind("~/.config/evil"), fake_env({{"HOME", tmp.str() + "/home"}}));
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "exists (directory)");
  EXPECT_THAT(c.evidence, ElementsAre(tmp.str() + "/home/.config/evil (directory)"));
}

// Runs `check` in a child process as user nobody (we are often root in CI,
// and root reads everything) and returns "status: detail" from the child.
std::string as_nobody(const std::function<HostCheck()>& check) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(2);
    HostCheck c = check();
    std::string line = std::string(check_status_name(c.status)) + ": " + c.detail;
    ssize_t n = ::write(fds[1], line.data(), line.size());
    ::_exit(n == static_cast<ssize_t>(line.size()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

TEST(HostFile, UnreadableFileExistsButIsNotHashed) {
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::all);  // others may look in, not read the file
  std::string p = tmp.write("secret.js", "abc");
  fs::permissions(p, fs::perms::none);
  fs::create_directories(tmp.path() / "closed");
  tmp.write("closed/ld.py", "abc");
  fs::permissions(tmp.path() / "closed", fs::perms::none);
  HostContext ctx = fake_env({});
  EXPECT_EQ(as_nobody([&] { return run(file_ind(p, "", {{"sha256", kSha256Abc}}), ctx); }),
            "found: exists; hash could not be computed: permission denied");
  // A folder we cannot enter proves nothing either way.
  EXPECT_EQ(as_nobody([&] { return run(file_ind(tmp.str() + "/closed/ld.py"), ctx); }),
            "skipped: not found at " + tmp.str() + "/closed/ld.py, but could not read " + tmp.str() +
                "/closed/ld.py: Permission denied");
  EXPECT_EQ(as_nobody([&] { return run(file_ind(tmp.str() + "/closed/*.py"), ctx); }),
            "skipped: not found at " + tmp.str() + "/closed/*.py, but could not read " + tmp.str() +
                "/closed: Permission denied");
  fs::permissions(tmp.path() / "closed", fs::perms::owner_all);  // so TempDir can remove it
}

TEST(HostFile, BareFileNameLooksInHomeTempDirsAndTmpdir) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "home");
  fs::create_directories(tmp.path() / "t1");
  std::string planted = tmp.write("t2/.gv-ioc-marker", "abc");
  HostContext ctx = fake_env({{"HOME", tmp.str() + "/home"}, {"TMPDIR", tmp.str() + "/t2/"}});
  ctx.temp_dirs = {tmp.str() + "/t1"};
  HostCheck c = run(file_ind("", ".gv-ioc-marker", {{"sha256", kSha256Abc}}), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, "file name '.gv-ioc-marker'");
  EXPECT_THAT(c.evidence, ElementsAre(planted + " (sha256 matched)"));

  HostCheck clean = run(file_ind("", ".gv-ioc-other"), ctx);
  EXPECT_EQ(clean.status, CheckStatus::kClean);
  EXPECT_EQ(clean.detail, "not present in " + tmp.str() + "/home, " + tmp.str() + "/t1, " + tmp.str() +
                              "/t2 (not recursive)");
  // Not recursive: a copy in a subfolder is not looked for.
  tmp.write("home/sub/.gv-ioc-deep", "x");
  EXPECT_EQ(run(file_ind("", ".gv-ioc-deep"), ctx).status, CheckStatus::kClean);
}

TEST(HostFile, BareFileNameWithoutHomeIsSkippedUnlessFound) {
  TempDir tmp;
  HostContext ctx = fake_env({});
  ctx.temp_dirs = {tmp.str()};
  HostCheck c = run(file_ind("", "ld.py"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_THAT(c.detail, HasSubstr("HOME is not set, so the home folder was not checked"));
  std::string p = tmp.write("ld.py", "x");
  c = run(file_ind("", "ld.py"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre(p));
}

TEST(HostFile, WindowsVariablesMapToLinuxFolders) {
  TempDir tmp;
  std::string home = tmp.str() + "/home";
  std::string js = tmp.write("home/.config/npm/evil.js", "abc");
  std::string tmpfile = tmp.write("t/evil.exe", "abc");
  HostContext ctx = fake_env({{"HOME", home}, {"TMPDIR", tmp.str() + "/t"}});
  HostCheck c = run(file_ind("%APPDATA%\\npm", "evil.js"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, js);
  c = run(file_ind("%TEMP%", "evil.exe"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, tmpfile);
  c = run(file_ind("%ProgramData%\\evil"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "%PROGRAMDATA% has no equivalent on linux");
}

TEST(HostFile, RelativePathIsSkipped) {
  HostCheck c = run(file_ind("node_modules/.cache", "x.js"), fake_env({}));
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "path 'node_modules/.cache/x.js' is not absolute");
}

// ---- path expansion ----

ExpandedPath expand_ok(const std::string& raw, const HostContext& ctx) {
  ExpandedPath p;
  std::optional<std::string> err = expand_host_path(raw, ctx, &p);
  EXPECT_FALSE(err) << raw << ": " << *err;
  return p;
}

TEST(HostExpand, TildeDollarBracesAndPercent) {
  HostContext ctx = fake_env({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "/cfg"}, {"X", "v"}});
  EXPECT_EQ(expand_ok("~", ctx).path, "/home/u");
  EXPECT_EQ(expand_ok("~/.npmrc", ctx).path, "/home/u/.npmrc");
  EXPECT_EQ(expand_ok("/a/$X/${X}b/$", ctx).path, "/a/v/vb/$");
  EXPECT_EQ(expand_ok("%APPDATA%\\npm", ctx).path, "/cfg/npm");
  EXPECT_EQ(expand_ok("%LOCALAPPDATA%/x", ctx).path, "/home/u/.local/share/x");
  EXPECT_EQ(expand_ok("%USERPROFILE%\\.ssh", ctx).path, "/home/u/.ssh");
  EXPECT_EQ(expand_ok("%TMP%/x", ctx).path, "/tmp/x");
  EXPECT_EQ(expand_ok("/x/100%/y", ctx).path, "/x/100%/y");
  EXPECT_FALSE(expand_ok("/x/$X", ctx).has_glob);
  EXPECT_TRUE(expand_ok("/x/*.js", ctx).has_glob);
  ExpandedPath p;
  EXPECT_EQ(expand_host_path("~root/x", ctx, &p).value_or(""),
            "'~root/x': ~user paths are not supported; write the full path");
  EXPECT_EQ(expand_host_path("%NOPE%\\x", ctx, &p).value_or(""), "variable NOPE is not set");
}

// A HOME containing glob characters is text, not a pattern.
TEST(HostExpand, VariableValuesAreNotGlobPatterns) {
  TempDir tmp;
  std::string home = tmp.str() + "/we[i]rd*";
  std::string p = tmp.write("we[i]rd*/a.js", "abc");
  tmp.write("wei/a.js", "x");  // what "we[i]rd*" would match as a pattern's first part
  HostContext ctx = fake_env({{"HOME", home}});
  EXPECT_EQ(expand_ok("~/*.js", ctx).pattern, tmp.str() + "/we\\[i]rd\\*/*.js");
  HostCheck c = run(file_ind("~/*.js"), ctx);
  EXPECT_THAT(c.evidence, ElementsAre(p));
  c = run(file_ind("~/a.js"), ctx);
  EXPECT_THAT(c.evidence, ElementsAre(p));
}

// ---- process ----

// A real child whose process name is unique: a copy of sleep named gv-ioc-<random>.
class ChildProcess {
 public:
  explicit ChildProcess(const std::string& exe) {
    pid_ = ::fork();
    if (pid_ == 0) {
      char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>("30"), nullptr};
      ::execv(exe.c_str(), argv);
      ::_exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Waits until the exec has happened (comm shows the new name).
  bool wait_for_comm(const std::string& name) const {
    for (int i = 0; i < 500; ++i) {
      if (testing::read_text("/proc/" + std::to_string(pid_) + "/comm") == name + "\n") return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return false;  // exec failed (noexec /tmp?)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
};

TEST(HostProcess, RealChildFoundByNameAndCommandLine) {
  TempDir tmp;
  std::string name = "gv-ioc-" + random_tag();  // 15 characters: all of it fits in comm
  std::string exe = tmp.str() + "/" + name;
  fs::copy_file("/bin/sleep", exe);
  fs::permissions(exe, fs::perms::owner_all);
  ChildProcess child(exe);
  ASSERT_GT(child.pid(), 0);
  if (!child.wait_for_comm(name)) GTEST_SKIP() << "cannot exec from " << tmp.str();
  std::string pid = std::to_string(child.pid());

  HostContext ctx = fake_env({});  // the real /proc
  HostCheck c = run(indicator("process", name), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, "process name '" + name + "'");
  EXPECT_EQ(c.detail, "process name matched: pid " + pid + " (" + name + ")");
  EXPECT_THAT(c.evidence, ElementsAre("pid " + pid + " (" + name + "): " + exe + " 30"));

  c = run(indicator("process", name + " 30"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.detail, HasSubstr("command line matched: pid " + pid));

  c = run(indicator("process", "gv-ioc-not-running-" + random_tag()), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_THAT(c.detail, HasSubstr("no running process matches ("));
}

// Writes <root>/<pid>/comm and cmdline as the kernel shows them.
void fake_proc(const TempDir& root, long pid, const std::string& comm, const std::string& cmdline) {
  root.write(std::to_string(pid) + "/comm", comm + "\n");
  root.write(std::to_string(pid) + "/cmdline", cmdline);
}

TEST(HostProcess, FakeProcCommandLineArgv0AndOwnProcess) {
  TempDir proc;
  using namespace std::string_literals;
  fake_proc(proc, 100, "node", "node\0/home/u/.cache/x/evil-loader.js\0--flag\0"s);
  fake_proc(proc, 101, "trufflehog-wra", "/usr/local/bin/trufflehog\0filesystem\0/\0"s);
  fake_proc(proc, 2, "kthreadd", "");
  fake_proc(proc, ::getpid(), "gv", "gv\0-rules\0evil-loader.js\0trufflehog\0"s);  // ourselves: ignored
  fs::create_directories(proc.path() / "103");  // exited between readdir and read: ignored
  fs::create_directories(proc.path() / "self");
  HostContext ctx = fake_env({});
  ctx.proc_root = proc.str();

  HostCheck c = run(indicator("process", "evil-loader.js"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "command line matched: pid 100 (node)");
  EXPECT_THAT(c.evidence, ElementsAre("pid 100 (node): node /home/u/.cache/x/evil-loader.js --flag"));

  c = run(indicator("process", "trufflehog"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "argv[0] matched: pid 101 (trufflehog-wra)");

  c = run(indicator("process", "kthreadd"), ctx);
  EXPECT_EQ(c.detail, "process name matched: pid 2 (kthreadd)");

  c = run(indicator("process", "gv"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_EQ(c.detail, "no running process matches (3 processes checked)");
}

TEST(HostProcess, LongNameMatchesTruncatedCommAndEvidenceIsCut) {
  TempDir proc;
  std::string long_arg(500, 'a');
  fake_proc(proc, 7, "cryptominer-xmr", std::string("[kworker]\0", 10) + long_arg);
  HostContext ctx = fake_env({});
  ctx.proc_root = proc.str();
  HostCheck c = run(indicator("process", "cryptominer-xmrig"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.detail, "process name matched (truncated to 15 characters): pid 7 (cryptominer-xmr)");
  ASSERT_EQ(c.evidence.size(), 1u);
  EXPECT_EQ(c.evidence[0], "pid 7 (cryptominer-xmr): [kworker] " + std::string(190, 'a') + "...");
}

TEST(HostProcess, UnreadableProcessesAreCountedInTheDetail) {
  TempDir proc;
  fs::permissions(proc.path(), fs::perms::all);
  fake_proc(proc, 10, "node", std::string("node\0x.js\0", 10));
  fake_proc(proc, 11, "secretd", "secretd");
  fs::permissions(proc.path() / "11/comm", fs::perms::none);
  HostContext ctx = fake_env({});
  ctx.proc_root = proc.str();
  EXPECT_EQ(as_nobody([&] { return run(indicator("process", "evil"), ctx); }),
            "clean: no running process matches (1 processes checked); 1 processes unreadable (pid 11: permission "
            "denied)");
}

TEST(HostProcess, NothingReadableIsSkipped) {
  TempDir proc;
  HostContext ctx = fake_env({});
  ctx.proc_root = proc.str();
  HostCheck c = run(indicator("process", "node"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "no process could be read in " + proc.str());
  ctx.proc_root = proc.str() + "/missing";
  c = run(indicator("process", "node"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "cannot read " + proc.str() + "/missing: No such file or directory");
}

// ---- environment ----

TEST(HostEnvironment, NameOrNameEqualsValueWithoutLeakingValues) {
  HostContext ctx = fake_env({{"NPM_TOKEN", "npm_s3cret"}, {"NODE_OPTIONS", "--require /tmp/x.js"}});
  HostCheck c = run(indicator("environment", "NPM_TOKEN"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, "env NPM_TOKEN");
  EXPECT_THAT(c.evidence, ElementsAre("NPM_TOKEN is set"));

  c = run(indicator("environment", "NODE_OPTIONS=--require /tmp/x.js"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre("NODE_OPTIONS=<value matches>"));
  EXPECT_THAT(c.detail, Not(HasSubstr("/tmp/x.js")));

  c = run(indicator("environment", "NPM_TOKEN=other"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_EQ(c.detail, "NPM_TOKEN is set, but not to the indicator's value");
  EXPECT_THAT(c.detail, Not(HasSubstr("s3cret")));

  c = run(indicator("environment", "GV_ABSENT"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_EQ(c.detail, "GV_ABSENT is not set in the scanner's environment");

  c = run(indicator("environment", "=x"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
}

TEST(HostEnvironment, RealEnvironmentByDefault) {
  std::string name = "GV_IOC_TEST_" + std::to_string(::getpid());
  ASSERT_EQ(::setenv(name.c_str(), "planted", 1), 0);
  HostContext ctx;  // default getenv
  ctx.os = "linux";
  HostCheck c = run(indicator("environment", name + "=planted"), ctx);
  ::unsetenv(name.c_str());
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(run(indicator("environment", name), ctx).status, CheckStatus::kClean);
}

// ---- network ----

// A connected loopback pair: listener, client and accepted sockets.
struct LoopbackPair {
  int listener = -1, client = -1, server = -1;
  int port = 0;
  bool ok = false;

  explicit LoopbackPair(int family) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    }
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    listener = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || ::bind(listener, sa, len) != 0 || ::listen(listener, 1) != 0) return;
    if (::getsockname(listener, sa, &len) != 0) return;
    port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                   : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    client = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0 || ::connect(client, sa, len) != 0) return;
    server = ::accept(listener, nullptr, nullptr);
    ok = server >= 0;
  }
  ~LoopbackPair() {
    for (int fd : {server, client, listener}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

TEST(HostNetwork, RealLoopbackConnectionIPv4) {
  LoopbackPair pair(AF_INET);
  ASSERT_TRUE(pair.ok);
  TempDir tmp;
  HostContext ctx = fake_env({});
  ctx.hosts_file = tmp.write("hosts", "::1 localhost\n");
  std::string ep = "127.0.0.1:" + std::to_string(pair.port);
  HostCheck c = run(indicator("network", ep), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, ep);
  std::string me = "pid " + std::to_string(::getpid()) + " (";
  // The listener (a local match) and the client's connection (a remote match);
  // the accepted socket's peer is the client's ephemeral port, not ours.
  EXPECT_THAT(c.evidence, Contains(AllOf(HasSubstr("tcp " + ep + " -> 0.0.0.0:0 (LISTEN) " + me))));
  EXPECT_THAT(c.evidence, Contains(AllOf(HasSubstr("-> " + ep + " (ESTABLISHED) " + me))));
  EXPECT_EQ(c.evidence.size(), 2u);
  EXPECT_EQ(c.detail, "2 open socket(s) and 0 hosts-file line(s) involve " + ep);
}

TEST(HostNetwork, RealLoopbackConnectionIPv6) {
  LoopbackPair pair(AF_INET6);
  if (!pair.ok) GTEST_SKIP() << "no IPv6 loopback";
  TempDir tmp;
  HostContext ctx = fake_env({});
  ctx.hosts_file = tmp.write("hosts", "");
  std::string ep = "[::1]:" + std::to_string(pair.port);
  HostCheck c = run(indicator("network", ep), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, Contains(HasSubstr("tcp6 " + ep + " -> [::]:0 (LISTEN)")));
  EXPECT_THAT(c.evidence, Contains(HasSubstr("-> " + ep + " (ESTABLISHED)")));
  // The same address without the port matches both too; another port does not.
  EXPECT_EQ(run(indicator("network", "::1"), ctx).status, CheckStatus::kFound);
}

// A dual-stack listener on [::] accepting an IPv4 client: the kernel lists the
// accepted socket in tcp6 with v4-mapped addresses (::ffff:127.0.0.1).
TEST(HostNetwork, RealDualStackPeerInTcp6) {
  int listener = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) GTEST_SKIP() << "no IPv6";
  int off = 0;
  ::setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_addr = in6addr_any;
  socklen_t len = sizeof a6;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&a6), len) != 0 || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&a6), &len) != 0) {
    ::close(listener);
    GTEST_SKIP() << "cannot listen on [::]";
  }
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a4{};
  a4.sin_family = AF_INET;
  a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a4.sin_port = a6.sin6_port;
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&a4), sizeof a4), 0);
  int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  socklen_t l4 = sizeof a4;
  ASSERT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&a4), &l4), 0);
  std::string port = std::to_string(ntohs(a6.sin6_port)), eph = std::to_string(ntohs(a4.sin_port));

  TempDir tmp;
  HostContext ctx = fake_env({});
  ctx.hosts_file = tmp.write("hosts", "");
  // The client's own address and port is the accepted socket's peer.
  HostCheck c = run(indicator("network", "127.0.0.1:" + eph), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre(HasSubstr("tcp6 127.0.0.1:" + port + " -> 127.0.0.1:" + eph +
                                                " (ESTABLISHED) pid " + std::to_string(::getpid()))));
  for (int fd : {server, client, listener}) ::close(fd);
}

const char kTableHeader[] =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode\n";

// A fake /proc/net with lines in the kernel's format.
HostContext fake_net(const TempDir& proc, const std::string& tcp6_lines, const std::string& tcp_lines = "") {
  proc.write("net/tcp", kTableHeader + tcp_lines);
  proc.write("net/tcp6", kTableHeader + tcp6_lines);
  proc.write("net/udp", kTableHeader);
  proc.write("net/udp6", kTableHeader);
  HostContext ctx = fake_env({});
  ctx.proc_root = proc.str();
  ctx.hosts_file = proc.write("hosts", "127.0.0.1 localhost\n");
  return ctx;
}

// Lines as Linux prints them: [::1]:8080 listening; [2001:db8::5]:50000
// connected to [2001:db8::1]:443; and a dual-stack socket's IPv4 peer
// (::ffff:203.0.113.7) connected from [::ffff:10.0.0.2]:40000 to port 443.
const char kTcp6Lines[] =
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
    "00:00000000 00000000  1000        0 31338 1 0000000000000000 100 0 0 10 0\n"
    "   1: B80D0120000000000000000005000000:C350 B80D0120000000000000000001000000:01BB 01 00000000:00000000 "
    "00:00000000 00000000  1000        0 31339 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0000000000000000FFFF00000200000A:9C40 0000000000000000FFFF0000077100CB:01BB 01 00000000:00000000 "
    "00:00000000 00000000  1000        0 0 1 0000000000000000 20 4 30 10 -1\n";

TEST(HostNetwork, FakeTcp6TableDecoding) {
  TempDir proc;
  HostContext ctx = fake_net(proc, kTcp6Lines,
                             "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
                             "0 1150 1 0000000057d2ed70 100 0 0 10 0\n");
  HostCheck c = run(indicator("network", "2001:db8::1"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre("tcp6 [2001:db8::5]:50000 -> [2001:db8::1]:443 (ESTABLISHED)"));

  EXPECT_EQ(run(indicator("network", "[2001:db8::1]:443"), ctx).status, CheckStatus::kFound);
  EXPECT_EQ(run(indicator("network", "[2001:db8::1]:80"), ctx).status, CheckStatus::kClean);
  EXPECT_EQ(run(indicator("network", "2001:db8::/32"), ctx).evidence.size(), 1u);
  // Local side only counts for listening sockets: [2001:db8::5] is us, not a peer.
  EXPECT_EQ(run(indicator("network", "2001:db8::5"), ctx).status, CheckStatus::kClean);
  // Without brackets this is the IPv6 address ::1:8080, not [::1] port 8080.
  EXPECT_EQ(run(indicator("network", "::1:8080"), ctx).target, "::1:8080");
  EXPECT_EQ(run(indicator("network", "::1:8080"), ctx).status, CheckStatus::kClean);
  EXPECT_THAT(run(indicator("network", "[::1]:8080"), ctx).evidence,
              ElementsAre("tcp6 [::1]:8080 -> [::]:0 (LISTEN)"));

  // An IPv4 indicator matches the v4-mapped peer in tcp6, and the v4 table.
  c = run(indicator("network", "203.0.113.7"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre("tcp6 10.0.0.2:40000 -> 203.0.113.7:443 (ESTABLISHED)"));
  EXPECT_EQ(run(indicator("network", "203.0.113.0/24"), ctx).status, CheckStatus::kFound);
  EXPECT_EQ(run(indicator("network", "203.0.114.0/24"), ctx).status, CheckStatus::kClean);
  // The hosts file's address matches whatever the port.
  EXPECT_THAT(run(indicator("network", "127.0.0.1:3306"), ctx).evidence,
              ElementsAre("tcp 127.0.0.1:3306 -> 0.0.0.0:0 (LISTEN)", ctx.hosts_file + ":1: 127.0.0.1 localhost"));
}

TEST(HostNetwork, CleanIpSaysWhatWasNotVisible) {
  TempDir proc;
  HostContext ctx = fake_net(proc, kTcp6Lines);
  HostCheck c = run(indicator("network", "198.51.100.9"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_THAT(c.detail, HasSubstr("no open socket involves 198.51.100.9"));
  EXPECT_THAT(c.detail, HasSubstr("past connections are not visible to a host scan"));
}

TEST(HostNetwork, UnparseableProcIsSkippedNotClean) {
  TempDir proc;
  HostContext ctx = fake_net(proc, std::string(kTcp6Lines) + "   3: garbage\n");
  HostCheck c = run(indicator("network", "198.51.100.9"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, proc.str() + "/net/tcp6:5: cannot parse socket line");
  // A match elsewhere still counts, with the problem noted.
  c = run(indicator("network", "127.0.0.1"), ctx);  // the hosts file lists 127.0.0.1
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.detail, HasSubstr("; " + proc.str() + "/net/tcp6:5: cannot parse socket line"));
  fs::remove(proc.path() / "net/tcp");
  c = run(indicator("network", "198.51.100.9"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_THAT(c.detail, HasSubstr("cannot read " + proc.str() + "/net/tcp: no such file"));
  // tcp6 and udp6 are absent when IPv6 is disabled: not a problem.
  TempDir proc2;
  ctx = fake_net(proc2, "");
  fs::remove(proc2.path() / "net/tcp6");
  fs::remove(proc2.path() / "net/udp6");
  EXPECT_EQ(run(indicator("network", "198.51.100.9"), ctx).status, CheckStatus::kClean);
}

TEST(HostNetwork, HostsFileDomainAndSubdomains) {
  TempDir tmp;
  HostContext ctx = fake_env({});
  ctx.proc_root = tmp.str() + "/no-proc";  // domains never read /proc
  ctx.hosts_file = tmp.write("hosts",
                             "127.0.0.1 localhost\n"
                             "0.0.0.0 evil.example # blocked by IT\n"
                             "203.0.113.7\tupdate.bad.example cdn.bad.example\n");
  HostCheck c = run(indicator("network", "evil.example"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, "domain evil.example");
  EXPECT_THAT(c.evidence, ElementsAre(ctx.hosts_file + ":2: 0.0.0.0 evil.example # blocked by IT"));
  EXPECT_THAT(c.detail, HasSubstr("usually an entry that blocks the domain"));
  EXPECT_EQ(run(indicator("network", "EVIL.Example."), ctx).status, CheckStatus::kFound);
  EXPECT_EQ(run(indicator("network", "https://evil.example/payload.sh"), ctx).status, CheckStatus::kFound);
  // A URL without its scheme, as advisories write webhook endpoints: its host.
  c = run(indicator("network", "evil.example/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_EQ(c.target, "domain evil.example");
  EXPECT_EQ(run(indicator("network", "other.example/x"), ctx).status, CheckStatus::kClean);

  // An entry for a parent domain says nothing about a subdomain's address.
  c = run(indicator("network", "sub.evil.example"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kClean);
  EXPECT_EQ(c.detail, "checked " + ctx.hosts_file +
                          " only; live DNS lookups and past connections to this domain are not visible to a host "
                          "scan (use `gouvernante run` egress recording)");

  // An entry for a subdomain of the indicator's domain does match.
  c = run(indicator("network", "bad.example"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.detail, Not(HasSubstr("blocks")));
  EXPECT_THAT(c.evidence, ElementsAre(ctx.hosts_file + ":3: 203.0.113.7\tupdate.bad.example cdn.bad.example"));
  EXPECT_EQ(run(indicator("network", "notevil.example"), ctx).status, CheckStatus::kClean);
}

TEST(HostNetwork, IpListedInHostsFile) {
  TempDir proc;
  HostContext ctx = fake_net(proc, "");
  ctx.hosts_file = proc.write("hosts", "203.0.113.7 registry.npmjs.org\n");
  HostCheck c = run(indicator("network", "203.0.113.7"), ctx);
  EXPECT_EQ(c.status, CheckStatus::kFound);
  EXPECT_THAT(c.evidence, ElementsAre(ctx.hosts_file + ":1: 203.0.113.7 registry.npmjs.org"));
}

TEST(HostNetwork, UnparseableValueIsSkipped) {
  HostContext ctx = fake_env({});
  for (const char* v : {"", "not a host", "10.0.0.0/33", "1.2.3.4:99999", "[::1"}) {
    HostCheck c = run(indicator("network", v), ctx);
    EXPECT_EQ(c.status, CheckStatus::kSkipped) << v;
    EXPECT_THAT(c.detail, HasSubstr("network")) << v;
  }
}

// The line parsers alone (fuzz/proc_net_fuzz.cpp calls them too).
TEST(HostNetwork, ProcNetAndHostsLineParsers) {
  std::optional<ProcNetLine> s = parse_proc_net_line(
      "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1150 1 0 100 0");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->lport, 0xCEA);
  EXPECT_EQ(s->state, 0x0Au);
  EXPECT_EQ(s->inode, 1150u);
  EXPECT_EQ(s->local[12], 127);  // network order, v4-mapped
  EXPECT_FALSE(parse_proc_net_line("   0: 0100007F:10000 00000000:0000 0A 0:0 0:0 0 0 0 1"));  // port > 65535
  EXPECT_FALSE(parse_proc_net_line("   3: garbage"));

  std::optional<HostsLine> h = parse_hosts_line("203.0.113.7\tupdate.bad.example cdn.bad.example#x y\r");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->addr, "203.0.113.7");
  EXPECT_TRUE(h->ip);
  EXPECT_THAT(h->names, ElementsAre("update.bad.example", "cdn.bad.example"));
  EXPECT_FALSE(parse_hosts_line("  # comment"));
  EXPECT_FALSE(parse_hosts_line("nonsense")->ip);
}

TEST(HostProcess, CmdlineParser) {
  ProcCmdline c = parse_proc_cmdline(std::string("/usr/bin/node\0x.js\0\0", 20));
  EXPECT_EQ(c.argv0, "/usr/bin/node");
  EXPECT_EQ(c.cmdline, "/usr/bin/node x.js");
  c = parse_proc_cmdline("nginx: worker process\n");  // rewritten as one string
  EXPECT_EQ(c.argv0, "nginx: worker process");
  EXPECT_EQ(parse_proc_cmdline("").cmdline, "");
}

// ---- OS gate and order ----

TEST(HostOs, RegistryAndOtherOsIndicatorsAreSkipped) {
  HostContext ctx = fake_env({});
  HostIndicator reg = indicator("registry", "HKCU\\Software\\Evil");
  reg.oses = {"windows"};
  HostCheck c = run(reg, ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "for windows only; this host is linux");
  EXPECT_FALSE(c.applicable);
  reg.oses = {"linux", "windows"};
  c = run(reg, ctx);
  EXPECT_EQ(c.detail, "Windows registry: not checkable on linux");
  EXPECT_FALSE(c.applicable);
  ctx.os = "windows";
  c = run(reg, ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_TRUE(c.applicable);  // it concerns this host; we just cannot look
  ctx.os = "linux";

  HostIndicator mac = file_ind("/Library/LaunchAgents/com.evil.plist");
  mac.oses = {"macos"};
  c = run(mac, ctx);
  EXPECT_EQ(c.status, CheckStatus::kSkipped);
  EXPECT_EQ(c.detail, "for macos only; this host is linux");
  EXPECT_FALSE(c.applicable);
  EXPECT_EQ(c.target, "/Library/LaunchAgents/com.evil.plist");
  mac.oses = {"macos", "windows"};
  EXPECT_EQ(run(mac, ctx).detail, "for macos/windows only; this host is linux");
}

TEST(HostOs, OneCheckPerIndicatorInRuleOrder) {
  TempDir tmp;
  std::vector<Rule> rules(2);
  rules[0].id = "A";
  rules[0].host_indicators = {indicator("environment", "GV_X"), file_ind(tmp.str())};
  rules[1].id = "B";
  rules[1].host_indicators = {indicator("process", "")};
  rules[1].host_indicators[0].oses = {"windows"};
  HostContext ctx = fake_env({{"GV_X", "1"}});
  std::vector<std::string> trace;
  ctx.trace = [&](const std::string& line) { trace.push_back(line); };
  std::vector<HostCheck> checks = check_host_indicators(rules, ctx);
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0].rule, &rules[0]);
  EXPECT_EQ(checks[0].indicator, 0u);
  EXPECT_EQ(checks[1].rule, &rules[0]);
  EXPECT_EQ(checks[1].indicator, 1u);
  EXPECT_EQ(checks[1].type, "file");
  EXPECT_EQ(checks[2].rule, &rules[1]);
  EXPECT_EQ(checks[2].status, CheckStatus::kSkipped);
  for (const HostCheck& c : checks) EXPECT_EQ(c.confidence, "high");
  EXPECT_THAT(trace, Contains(HasSubstr("host: A indicator 0 (environment env GV_X): found")));
  EXPECT_EQ(check_status_name(CheckStatus::kFound), "found");
  EXPECT_EQ(check_status_name(CheckStatus::kClean), "clean");
  EXPECT_EQ(check_status_name(CheckStatus::kSkipped), "skipped");
}

}  // namespace
}  // namespace gv
