// `gouvernante rules validate PATH... [--json]`
//
// The loader's verdict, grouped by file: the paths are expanded into files
// here (so an empty folder is a problem of its own), then loaded together
// with load_rules, which checks every file to the end and ids across all of
// them (a duplicate names both places). Valid here means `-rules PATH...`
// loads.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <system_error>

#include "cli/rules_cmd.h"
#include "cli/rules_cmd_shared.h"
#include "report/escape.h"
#include "rules/load.h"

namespace gv {

namespace {

struct FileVerdict {
  std::string path;
  size_t rules = 0;
  Errors errors;
};

// "/rules/0/kind: invalid value ..." -> pointer and reason. Messages that are
// not about one value ("invalid JSON: ...", "cannot open: ...") have no pointer.
std::pair<std::string, std::string> split_pointer(const std::string& what) {
  if (!what.starts_with("/")) return {"", what};
  size_t colon = what.find(": ");
  if (colon == std::string::npos) return {"", what};
  return {what.substr(0, colon), what.substr(colon + 2)};
}

}  // namespace

int run_rules_validate(const std::vector<std::string>& args, const CliEnv& env) {
  std::vector<std::string> paths;
  bool json = false;
  CLI::App app{
      "Check rule files: every problem in every file, as file:line:col: /pointer: reason.\n"
      "Exit 0 when all load, 1 otherwise.",
      "gouvernante rules validate"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_option("PATH", paths, "Rule files, or folders searched recursively for *.json")->required();
  app.add_flag("--json", json, "Machine-readable result");
  if (int code = parse_rules_args(app, args, env, "validate"); code >= 0) return code;

  std::vector<FileVerdict> files;
  std::map<std::string, size_t> by_path;
  std::vector<std::string> to_load;
  auto add = [&](const std::string& path, std::optional<Error> problem) {
    by_path.emplace(path, files.size());
    files.push_back({path, 0, {}});
    if (problem)
      files.back().errors.push_back(std::move(*problem));
    else
      to_load.push_back(path);
  };
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) {
      add(p, std::nullopt);  // read_file names a missing path
      continue;
    }
    std::vector<std::string> found;
    std::string err;
    if (!list_rule_json_files(p, &found, &err))
      add(p, Error{p, 0, 0, err});
    else if (found.empty())
      add(p, Error{p, 0, 0, "no rule files (*.json) found in " + p});
    for (const std::string& f : found) add(f, std::nullopt);
  }
  RuleSet all;
  Errors errors;
  if (!to_load.empty()) load_rules(to_load, &all, &errors);
  bool no_rules = false;
  for (Error& e : errors) {
    auto it = by_path.find(e.file);
    if (it == by_path.end()) {
      // Only "no rules loaded from ..." names no file: every file is empty.
      no_rules = true;
      continue;
    }
    files[it->second].errors.push_back(std::move(e));
  }
  for (const Rule& r : all.rules)
    if (auto it = by_path.find(r.file); it != by_path.end()) ++files[it->second].rules;
  // As the loader: files that hold no rules at all would make every scan
  // "clean", so `-rules` refuses them; say so file by file.
  if (no_rules)
    for (FileVerdict& f : files)
      if (f.errors.empty())
        f.errors.push_back(Error{f.path, 0, 0, "holds no rules (-rules refuses a rule set with no rules)"});
  size_t problems = 0, bad_files = 0;
  for (const FileVerdict& f : files) {
    problems += f.errors.size();
    bad_files += f.errors.empty() ? 0 : 1;
  }

  if (json) {
    nlohmann::ordered_json doc;
    nlohmann::ordered_json jfiles = nlohmann::ordered_json::array();
    for (const FileVerdict& f : files) {
      nlohmann::ordered_json jf;
      jf["path"] = f.path;
      jf["rules"] = f.rules;
      nlohmann::ordered_json errs = nlohmann::ordered_json::array();
      for (const Error& e : f.errors) {
        auto [pointer, message] = split_pointer(e.what);
        errs.push_back(
            {{"file", e.file}, {"line", e.line}, {"col", e.col}, {"pointer", pointer}, {"message", message}});
      }
      jf["errors"] = errs;
      jfiles.push_back(jf);
    }
    doc["files"] = jfiles;
    doc["valid"] = problems == 0;
    *env.out << json_text(doc);
    return problems == 0 ? 0 : 1;
  }

  for (const FileVerdict& f : files)
    for (const Error& e : f.errors) *env.out << terminal_safe(e.str()) << "\n";
  if (problems == 0) {
    *env.out << "valid: " << count_of(files.size(), "file", "files") << ", "
             << count_of(all.rules.size(), "rule", "rules") << "\n";
    return 0;
  }
  *env.out << "invalid: " << count_of(problems, "problem", "problems") << " in " << bad_files << " of "
           << count_of(files.size(), "file", "files") << "\n";
  return 1;
}

}  // namespace gv
