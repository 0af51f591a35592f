// Loading rule files: every *.json under a folder (recursively) or one file.
//
// Loading is all-or-nothing: a scan with half the rules is a false "clean", so
// any problem in any file fails the load and every problem is reported, each
// as "file:line:col: /json/pointer: reason" (Error::what holds
// "/json/pointer: reason"; file/line/col hold the position of the offending
// value in the document).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/rule.h"

namespace gv {

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<std::string> files;  // the rule files read, in load order
};

// Parses and validates one rule document. `file` is used in messages.
// Appends rules to *out and problems to *errors; returns true when no errors.
bool parse_rule_document(std::string_view text, const std::string& file, RuleSet* out,
                         Errors* errors);

// Loads every path: a file, or a folder searched recursively for *.json
// (sorted, so load order and messages are stable). Checks rule ids are unique
// across all files. An empty folder is an error ("no rule files found").
bool load_rules(const std::vector<std::string>& paths, RuleSet* out, Errors* errors);

// The files `load_rules` reads from a folder: *.json under `dir`, sorted,
// hidden entries skipped, symlinked folders not entered. False (with the
// error appended) when the folder cannot be read.
bool list_rule_files(const std::string& dir, std::vector<std::string>* files, Errors* errors);

// Regular files under `dir` that `keep` accepts, sorted; hidden entries
// (".git", ".#draft.json") skipped and symlinked folders not entered, so a
// link cannot pull in files from outside the tree or loop. The walk behind
// list_rule_files and the importers' folder listing.
bool list_files(const std::string& dir, const std::function<bool(const std::filesystem::path&)>& keep,
                std::vector<std::string>* files, Errors* errors);

}  // namespace gv
