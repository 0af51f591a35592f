#include "scan/heuristic_install.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace gv {
namespace {

namespace fs = std::filesystem;

// Shell-ish words: whitespace-separated, single and double quotes grouping
// (a JSON-decoded script has plain quotes). Good enough for the one-line
// commands install scripts are; anything cleverer is the rules' business.
std::vector<std::string> words(std::string_view cmd) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : cmd) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

// `a && b || c ; d | e` -> its commands.
std::vector<std::string_view> commands(std::string_view script) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (c == ';' || c == '|' || c == '&') {
      out.push_back(script.substr(start, i - start));
      while (i + 1 < script.size() && (script[i + 1] == '|' || script[i + 1] == '&')) ++i;
      start = i + 1;
    }
  }
  out.push_back(script.substr(start));
  return out;
}

bool is_interpreter(std::string_view w) {
  for (std::string_view i :
       {"node", "nodejs", "sh", "bash", "zsh", "bun", "deno", "python", "python3", "tsx", "ts-node"}) {
    if (w == i) return true;
  }
  return false;
}

// require('./x') / require("../x") inside inline `node -e` code.
void inline_requires(std::string_view code, std::vector<std::string>* rel) {
  size_t pos = 0;
  while ((pos = code.find("require(", pos)) != std::string_view::npos) {
    pos += 8;
    if (pos >= code.size() || (code[pos] != '\'' && code[pos] != '"' && code[pos] != '`')) continue;
    char q = code[pos];
    size_t end = code.find(q, pos + 1);
    if (end == std::string_view::npos) break;
    std::string_view path = code.substr(pos + 1, end - pos - 1);
    if (path.starts_with("./") || path.starts_with("../")) rel->emplace_back(path);
    pos = end;
  }
}

void targets_of(std::string_view script, std::vector<std::string>* rel) {
  for (std::string_view cmd : commands(script)) {
    std::vector<std::string> w = words(cmd);
    size_t i = 0;
    while (i < w.size() && w[i].find('=') != std::string::npos && w[i][0] != '-') ++i;  // FOO=1 node x.js
    if (i >= w.size()) continue;
    if (w[i].starts_with("./") || w[i].starts_with("../")) {
      rel->push_back(w[i]);
      continue;
    }
    if (!is_interpreter(w[i])) continue;
    for (size_t j = i + 1; j < w.size(); ++j) {
      if (w[j] == "-e" || w[j] == "--eval" || w[j] == "-p" || w[j] == "-c") {
        if (j + 1 < w.size()) inline_requires(w[j + 1], rel);
        break;
      }
      if (w[j].starts_with("-")) continue;
      rel->push_back(w[j]);
      break;
    }
  }
}

}  // namespace

std::vector<std::string> install_script_targets(std::string_view text, const std::string& package_dir) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object()) return out;
  auto scripts = j.find("scripts");
  if (scripts == j.end() || !scripts->is_object()) return out;
  std::vector<std::string> rel;
  for (const char* key : {"preinstall", "install", "postinstall"}) {
    auto s = scripts->find(key);
    if (s != scripts->end() && s->is_string()) targets_of(s->get_ref<const std::string&>(), &rel);
  }
  fs::path base = fs::path(package_dir).lexically_normal();
  for (const std::string& r : rel) {
    if (r.empty() || r[0] == '/' || r.find("://") != std::string::npos) continue;
    fs::path p = (base / r).lexically_normal();
    // Stay inside the package: `node ../../x.js` is not this package's file.
    auto [bi, pi] = std::mismatch(base.begin(), base.end(), p.begin(), p.end());
    if (bi != base.end() && !bi->empty()) continue;
    out.push_back(p.string());
    if (!p.has_extension()) out.push_back(p.string() + ".js");
  }
  return out;
}

}  // namespace gv
