// The respond layer's pure parts on a hand-built incident: escaping of
// hostile names in every output, CEF fields, item keys, ids and restriction.
#include "respond/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "respond/incident.h"

namespace gv::respond {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Incident hostile() {
  Incident inc;
  inc.created = 1775044800;
  inc.rules.push_back({"R-1", "t", Severity::kHigh, {}});
  RepoItem r;
  r.org = "acme";
  r.repo = "web";
  r.ref = "main";
  r.lockfile = "package-lock.json";
  r.package = "evil|pkg=x\nCEF:0|forged";
  r.version = "1.0.0";
  r.present_at_tip = true;
  r.rule_ids = {"R-1"};
  r.severity = Severity::kHigh;
  r.introduced_by.sha = "0123456789abcdef0123456789abcdef01234567";
  r.introduced_by.subject = "[click](http://x) <img src=x onerror=alert(1)> \x1b[2J";
  r.remediation = {"fix it"};
  inc.repos.push_back(r);
  RunItem run{"run-1", "acme", "web", "build", 1775044800000000000, "evil.example", "evil.example", "R-1",
              "/usr/bin/node", 3};
  inc.runs.push_back(run);
  HostItem h{"laptop\n<1>", "rep-1", 1775044800000000000, {}};
  h.findings.push_back({"lockfile", "R-1", "ms", "2.1.2", "/p", 1, "high", "{}"});
  inc.hosts.push_back(h);
  inc.severity = Severity::kHigh;
  inc.id = incident_id(inc);
  return inc;
}

TEST(Cef, EscapesHeaderAndExtensionCharacters) {
  EXPECT_EQ(cef_header("a|b\\c\nd"), "a\\|b\\\\c d");
  EXPECT_EQ(cef_value("a=b\\c\nd\re|f"), "a\\=b\\\\c\\nd\\re|f");
}

TEST(Cef, OneLinePerItemAndAForgedRecordStaysInsideItsField) {
  const std::vector<std::string> lines = cef_lines(hostile(), "0.1.0");
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find('\n'), std::string::npos) << l;
    EXPECT_THAT(l, ::testing::StartsWith("CEF:0|gouvernante|gouvernante|0.1.0|"));
  }
  // Exactly 7 unescaped pipes in the header: the package's pipe is escaped
  // only in the extension (where a pipe needs none) and its '=' is.
  EXPECT_THAT(lines[0], HasSubstr("|affected-repo|Repository holds a compromised package|8|"));
  EXPECT_THAT(lines[0], HasSubstr("cs3=evil|pkg\\=x\\nCEF:0|forged@1.0.0"));
  EXPECT_THAT(lines[2], HasSubstr("shost=laptop\\n<1>"));
}

TEST(Markdown, HostileStringsCannotInjectMarkup) {
  const std::string md = incident_markdown(hostile());
  EXPECT_THAT(md, Not(HasSubstr("[click](http")));
  EXPECT_THAT(md, HasSubstr("\\[click\\]\\(http://x\\)"));
  EXPECT_THAT(md, Not(::testing::ContainsRegex("[^\\\\]<img")));
  EXPECT_THAT(md, HasSubstr("\\<img"));
  EXPECT_THAT(md, Not(HasSubstr("\x1b")));
  EXPECT_THAT(md, HasSubstr("evil\\|pkg"));  // cannot split a table cell
}

TEST(Text, ControlBytesAreMadeVisible) {
  const std::string text = incident_text(hostile());
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("laptop\n<1>")));
}

TEST(JsonLines, OneObjectPerItemNamingTheIncident) {
  const Incident inc = hostile();
  const std::vector<std::string> lines = json_lines(inc);
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find('\n'), std::string::npos);
    auto j = nlohmann::json::parse(l);
    EXPECT_EQ(j["incident"], inc.id);
  }
  EXPECT_EQ(nlohmann::json::parse(lines[0])["package"], "evil|pkg=x\nCEF:0|forged");
}

TEST(Incident, IdFollowsTheFactsAndRestrictionKeepsOnlyGivenItems) {
  Incident a = hostile();
  Incident b = hostile();
  EXPECT_EQ(a.id, b.id);
  b.runs[0].run_id = "run-2";
  EXPECT_NE(incident_id(a), incident_id(b));

  const std::vector<ItemKey> keys = item_keys(a);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[1].key, "run:run-1:evil.example");
  Incident only_run = restricted(a, {keys[1]});
  EXPECT_TRUE(only_run.repos.empty());
  EXPECT_TRUE(only_run.hosts.empty());
  ASSERT_EQ(only_run.runs.size(), 1u);
  EXPECT_NE(only_run.id, a.id);
  EXPECT_TRUE(affected(only_run));
  Incident none = restricted(a, {});
  EXPECT_FALSE(affected(none));
  EXPECT_FALSE(none.severity.has_value());
  // A removed version is the same item as when it was present.
  Incident removed = a;
  removed.repos[0].present_at_tip = false;
  EXPECT_EQ(item_keys(removed)[0].key, keys[0].key);
}

}  // namespace
}  // namespace gv::respond
