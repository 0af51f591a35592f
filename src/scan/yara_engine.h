// A thin RAII layer over libyara: compile rule sources once, scan buffers
// from many threads.
//
// libyara's model: one YR_RULES (immutable after compilation) shared by all
// threads, one YR_SCANNER per thread carrying that thread's match state.
// YR_RULES allows at most YR_MAX_THREADS (32) scanners alive at once, so the
// caller caps its workers there. yr_initialize/yr_finalize keep a global
// count inside libyara that is not itself locked; YaraRules takes and drops
// a reference under our own mutex, so any number of YaraRules can coexist.
// Other code wanting YARA (host content indicators, say) should go through
// this class rather than call yr_initialize itself, for the same reason.
//
// Each source is compiled into its own namespace named after its label
// ("bundled:decoded-exec.yar", or the user's path), so two files may both
// define a rule `suspicious_eval` without clashing, and a match says which
// file it came from. Every rule can use three external string variables set
// per scanned file: `filename` ("package.json"), `filepath` (the path as
// walked) and `extension` (".js", lower-case, "" when none).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

struct YR_RULES;
struct YR_SCAN_CONTEXT;

namespace gv {

struct YaraSource {
  std::string label;  // in messages and findings: "bundled:x.yar" or the file's path
  std::string path;   // read from this file when not empty (includes resolve beside it)
  std::string text;   // the source when `path` is empty
};

// A compiled rule's identity and the meta fields gouvernante reads.
struct YaraRuleInfo {
  std::string identifier;
  std::string source;       // the label of the source that defined it
  std::string description;  // meta.description, "" when absent
  std::string severity;     // meta.severity normalised to low|medium|high|critical ("medium" if absent or unknown)
  std::string reference;    // meta.reference, "" when absent
  bool is_private = false;  // private rules never produce findings
};

class YaraRules {
 public:
  // Compiles every source. On any error returns nullptr and appends one
  // Error per problem, "label:line: message" (each source is checked even
  // after an earlier one failed, so the user sees every broken file).
  // Compiler warnings ("string $a may slow down scanning") go to *warnings
  // as "label:line: warning: message".
  static std::unique_ptr<YaraRules> compile(const std::vector<YaraSource>& sources, Errors* errors,
                                            std::vector<std::string>* warnings);
  ~YaraRules();
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;

  // Indexed like libyara's rules table (includes private rules).
  const std::vector<YaraRuleInfo>& rules() const { return info_; }
  size_t public_count() const;
  YR_RULES* handle() const { return rules_; }

 private:
  YaraRules() = default;
  struct LibraryRef {
    LibraryRef();
    ~LibraryRef();
    bool ok = false;
  };
  LibraryRef lib_;  // first member: released after the rules are destroyed
  YR_RULES* rules_ = nullptr;
  std::vector<YaraRuleInfo> info_;
};

// One matching rule in one buffer.
struct YaraMatch {
  uint32_t rule = 0;    // index into YaraRules::rules()
  uint64_t offset = 0;  // first byte of the rule's earliest string match (0 when the rule has no strings)
  uint32_t length = 0;  // length of that match
};

struct YaraFileVars {
  std::string_view filename, filepath, extension;
  bool install_script = false;
};

enum class YaraScanStatus { kOk, kTimeout, kError };

// Not thread-safe: one per worker thread.
class YaraScanner {
 public:
  // `timeout_seconds` 0 = no limit. `rules` must outlive the scanner.
  YaraScanner(const YaraRules& rules, int timeout_seconds);
  ~YaraScanner();
  YaraScanner(const YaraScanner&) = delete;
  YaraScanner& operator=(const YaraScanner&) = delete;

  // Empty when the scanner was created; otherwise why not (all scans fail).
  const std::string& init_error() const { return init_error_; }

  // Scans `data`. *matches is cleared, then holds one entry per matching
  // public rule, in rule-table order. *note receives a limit that made the
  // result partial (a string matching more than libyara keeps) or, for
  // kError, what went wrong.
  YaraScanStatus scan(std::string_view data, const YaraFileVars& vars, std::vector<YaraMatch>* matches,
                      std::string* note);

 private:
  static int callback(YR_SCAN_CONTEXT* context, int message, void* message_data, void* user_data);

  YR_SCAN_CONTEXT* scanner_ = nullptr;
  std::string init_error_;
  std::vector<YaraMatch>* out_ = nullptr;
  std::string* note_ = nullptr;
};

}  // namespace gv
