#include "scan/yara_engine.h"

#include <fcntl.h>
#include <unistd.h>
#include <yara.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace gv {
namespace {

std::mutex g_library_mutex;
int g_library_refs = 0;

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Severity names as gouvernante spells them; rule authors elsewhere write
// "HIGH" or "info", which map onto the nearest of ours.
std::string normal_severity(std::string_view raw) {
  std::string s = lower_ascii(raw);
  if (s == "low" || s == "medium" || s == "high" || s == "critical") return s;
  if (s == "info" || s == "informational") return "low";
  if (s == "moderate") return "medium";
  return "medium";
}

// Compiler messages land here; libyara passes no file name for sources added
// as strings, so the label of the source being added comes in `user_data`.
struct CompileSink {
  const std::string* label = nullptr;
  Errors* errors = nullptr;
  std::vector<std::string>* warnings = nullptr;
  bool failed = false;
};

void compiler_message(int level, const char* file_name, int line, const YR_RULE*, const char* message,
                      void* user_data) {
  auto* sink = static_cast<CompileSink*>(user_data);
  // An included file reports its own name; the top-level file, its label.
  std::string file = file_name != nullptr && *file_name != '\0' ? file_name : *sink->label;
  if (level == YARA_ERROR_LEVEL_ERROR) {
    sink->failed = true;
    sink->errors->push_back(Error{file, static_cast<uint32_t>(std::max(line, 0)), 0, message});
  } else if (sink->warnings != nullptr) {
    std::string w = file;
    if (line > 0) w += ":" + std::to_string(line);
    sink->warnings->push_back(w + ": warning: " + message);
  }
}

// The external variables every rule may use; defined on each compiler before
// any source is added (libyara requires it) with empty values.
bool define_externals(YR_COMPILER* c) {
  for (const char* name : {"filename", "filepath", "extension"}) {
    if (yr_compiler_define_string_variable(c, name, "") != ERROR_SUCCESS) return false;
  }
  return yr_compiler_define_boolean_variable(c, "install_script", 0) == ERROR_SUCCESS;
}

// Adds one source to `c`; false when it did not compile (messages already
// in sink->errors).
bool add_source(YR_COMPILER* c, const YaraSource& src, CompileSink* sink) {
  sink->label = &src.label;
  sink->failed = false;
  yr_compiler_set_callback(c, compiler_message, sink);
  if (src.path.empty()) {
    yr_compiler_add_string(c, src.text.c_str(), src.label.c_str());
    return !sink->failed;
  }
  int fd = ::open(src.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    sink->errors->push_back(Error{src.path, 0, 0, std::string("cannot open: ") + std::strerror(errno)});
    return false;
  }
  // file_name lets `include "x.yar"` resolve beside this file.
  yr_compiler_add_fd(c, fd, src.label.c_str(), src.path.c_str());
  ::close(fd);
  return !sink->failed;
}

}  // namespace

YaraRules::LibraryRef::LibraryRef() {
  std::lock_guard<std::mutex> lock(g_library_mutex);
  if (g_library_refs == 0 && yr_initialize() != ERROR_SUCCESS) return;
  ++g_library_refs;
  ok = true;
}

YaraRules::LibraryRef::~LibraryRef() {
  if (!ok) return;
  std::lock_guard<std::mutex> lock(g_library_mutex);
  if (--g_library_refs == 0) yr_finalize();
}

std::unique_ptr<YaraRules> YaraRules::compile(const std::vector<YaraSource>& sources, Errors* errors,
                                              std::vector<std::string>* warnings) {
  std::unique_ptr<YaraRules> out(new YaraRules());
  if (!out->lib_.ok) {
    errors->push_back(Error{"", 0, 0, "cannot initialise libyara"});
    return nullptr;
  }
  YR_COMPILER* compiler = nullptr;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS || !define_externals(compiler)) {
    if (compiler != nullptr) yr_compiler_destroy(compiler);
    errors->push_back(Error{"", 0, 0, "cannot create a YARA compiler (out of memory)"});
    return nullptr;
  }
  CompileSink sink{nullptr, errors, warnings, false};
  bool all_ok = true;
  for (const YaraSource& src : sources) {
    if (all_ok) {
      all_ok = add_source(compiler, src, &sink);
      continue;
    }
    // libyara refuses further sources once one failed; check each remaining
    // one on a scratch compiler so every broken file is reported at once.
    YR_COMPILER* scratch = nullptr;
    if (yr_compiler_create(&scratch) != ERROR_SUCCESS) break;
    if (define_externals(scratch)) add_source(scratch, src, &sink);
    yr_compiler_destroy(scratch);
  }
  if (!all_ok) {
    yr_compiler_destroy(compiler);
    return nullptr;
  }
  int rc = yr_compiler_get_rules(compiler, &out->rules_);
  yr_compiler_destroy(compiler);
  if (rc != ERROR_SUCCESS) {
    errors->push_back(Error{"", 0, 0, "cannot build the YARA rule set (out of memory)"});
    return nullptr;
  }

  const YR_RULE* rule = nullptr;
  yr_rules_foreach(out->rules_, rule) {
    YaraRuleInfo info;
    info.identifier = rule->identifier;
    info.source = rule->ns != nullptr && rule->ns->name != nullptr ? rule->ns->name : "";
    info.is_private = RULE_IS_PRIVATE(rule) != 0;
    info.severity = "medium";
    const YR_META* meta = nullptr;
    yr_rule_metas_foreach(rule, meta) {
      if (meta->type != META_TYPE_STRING) continue;  // `severity = 80` style metas: not ours
      std::string_view id = meta->identifier;
      if (id == "description") info.description = meta->string;
      if (id == "severity") info.severity = normal_severity(meta->string);
      if (id == "reference") info.reference = meta->string;
    }
    out->info_.push_back(std::move(info));
  }
  return out;
}

YaraRules::~YaraRules() {
  if (rules_ != nullptr) yr_rules_destroy(rules_);
}

size_t YaraRules::public_count() const {
  return static_cast<size_t>(
      std::count_if(info_.begin(), info_.end(), [](const YaraRuleInfo& r) { return !r.is_private; }));
}

YaraScanner::YaraScanner(const YaraRules& rules, int timeout_seconds) {
  int rc = yr_scanner_create(rules.handle(), &scanner_);
  if (rc != ERROR_SUCCESS) {
    scanner_ = nullptr;
    init_error_ = rc == ERROR_TOO_MANY_SCAN_THREADS ? "too many YARA scanner threads"
                                                    : "cannot create a YARA scanner (error " + std::to_string(rc) + ")";
    return;
  }
  yr_scanner_set_callback(scanner_, callback, this);
  if (timeout_seconds > 0) yr_scanner_set_timeout(scanner_, timeout_seconds);
}

YaraScanner::~YaraScanner() {
  if (scanner_ != nullptr) yr_scanner_destroy(scanner_);
}

int YaraScanner::callback(YR_SCAN_CONTEXT* context, int message, void* message_data, void* user_data) {
  auto* self = static_cast<YaraScanner*>(user_data);
  if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
    const auto* s = static_cast<const YR_STRING*>(message_data);
    if (self->note_->empty()) {
      *self->note_ = std::string("partly scanned: YARA string ") + s->identifier + " matched more than " +
                     std::to_string(YR_MAX_STRING_MATCHES) + " times; later matches ignored";
    }
    return CALLBACK_CONTINUE;
  }
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  const auto* rule = static_cast<const YR_RULE*>(message_data);
  if (RULE_IS_PRIVATE(rule)) return CALLBACK_CONTINUE;
  YaraMatch m;
  m.rule = static_cast<uint32_t>(rule - context->rules->rules_table);
  bool any = false;
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    // libyara keeps each string's matches sorted by offset: the first
    // non-private one is the earliest. Its notebook packs YR_MATCH records
    // without regard to alignment, so each is copied out before use rather
    // than read in place (yr_string_matches_foreach would, and UBSan rightly
    // objects).
    const void* p = context->matches[string->idx].head;
    while (p != nullptr) {
      YR_MATCH match;
      std::memcpy(&match, p, sizeof match);
      p = match.next;
      if (match.is_private) continue;
      uint64_t at = static_cast<uint64_t>(match.base + match.offset);
      if (!any || at < m.offset) {
        m.offset = at;
        m.length = static_cast<uint32_t>(match.match_length);
        any = true;
      }
      break;
    }
  }
  self->out_->push_back(m);
  return CALLBACK_CONTINUE;
}

YaraScanStatus YaraScanner::scan(std::string_view data, const YaraFileVars& vars, std::vector<YaraMatch>* matches,
                                 std::string* note) {
  matches->clear();
  note->clear();
  if (scanner_ == nullptr) {
    *note = init_error_;
    return YaraScanStatus::kError;
  }
  // The variables are NUL-terminated copies: string_views into a path may not be.
  std::string tmp;
  for (auto [name, value] : {std::pair{"filename", vars.filename}, std::pair{"filepath", vars.filepath},
                             std::pair{"extension", vars.extension}}) {
    tmp.assign(value);
    yr_scanner_define_string_variable(scanner_, name, tmp.c_str());
  }
  yr_scanner_define_boolean_variable(scanner_, "install_script", vars.install_script ? 1 : 0);
  out_ = matches;
  note_ = note;
  int rc = yr_scanner_scan_mem(scanner_, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  out_ = nullptr;
  note_ = nullptr;
  if (rc == ERROR_SUCCESS) return YaraScanStatus::kOk;
  matches->clear();
  if (rc == ERROR_SCAN_TIMEOUT) return YaraScanStatus::kTimeout;
  *note = rc == ERROR_INSUFFICIENT_MEMORY ? "YARA ran out of memory"
                                          : "YARA scan failed (error " + std::to_string(rc) + ")";
  return YaraScanStatus::kError;
}

}  // namespace gv
