// CSV IOC lists ("package,version" with a header, as vendors publish them
// during an incident) into one rule per file.
//
// RFC 4180 with the liberties real lists take: a UTF-8 byte order mark
// (Excel), CRLF, LF or CR line ends, quoted fields with "" for a quote and
// line breaks inside, spaces around fields, blank lines, '#' comment lines,
// and tab or ';' as the separator when the header row has no comma.
//
// The header names the columns, in any order and case: the package (package,
// package_name, name, ...), the versions (the first column whose name
// mentions "version", except fixed/safe/patched ones), and optionally notes
// and a date (for --since). Without a version column each package cell must
// be "name@version". A version cell may list several versions separated by
// ';' or '|' (or ',' or spaces when every piece is a plain version), or hold
// a node-semver range; several rows of one package merge.

#include <algorithm>

#include "rules/import.h"
#include "rules/import_internal.h"

namespace gv {

namespace {

using namespace import_detail;

struct CsvRow {
  uint32_t line = 0;  // where the record starts
  std::vector<std::string> fields;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  // The separator, guessed from the first data line (the header): ',' when
  // it has one outside quotes, else tab, else ';', else ','.
  char sniff() {
    skip_ignorable();
    bool quoted = false;
    size_t tab = 0, semi = 0;
    for (size_t i = pos_; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      if (c == '\n' || c == '\r') break;
      if (c == ',') return ',';
      if (c == '\t') ++tab;
      if (c == ';') ++semi;
    }
    return tab ? '\t' : semi ? ';' : ',';
  }

  // The next record; false at the end. A malformed record sets *err (and
  // the reader moves past it).
  bool next(char sep, CsvRow* row, std::string* err) {
    skip_ignorable();
    if (pos_ >= text_.size()) return false;
    row->line = line_;
    row->fields.clear();
    err->clear();
    for (;;) {
      std::string field;
      size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != sep && is_blank(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        uint32_t opened = line_;
        ++pos_;
        bool closed = false;
        while (pos_ < text_.size()) {
          char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < text_.size() && text_[pos_] == '"') {
              field += '"';
              ++pos_;
              continue;
            }
            closed = true;
            break;
          }
          if (c == '\r' || c == '\n') {
            if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            ++line_;
            field += '\n';
            continue;
          }
          field += c;
        }
        if (!closed) {
          *err = "unterminated quoted field (opened on line " + std::to_string(opened) + ")";
          return true;
        }
        while (pos_ < text_.size() && text_[pos_] != sep && is_blank(text_[pos_])) ++pos_;
        if (pos_ < text_.size() && text_[pos_] != sep && text_[pos_] != '\n' && text_[pos_] != '\r') {
          *err = "unexpected text after a closing quote (a quote inside a quoted field is written \"\")";
          skip_line();
          return true;
        }
      } else {
        pos_ = start;
        while (pos_ < text_.size() && text_[pos_] != sep && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
        field = trim_blanks(text_.substr(start, pos_ - start));
      }
      row->fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == sep) {
        ++pos_;
        continue;
      }
      end_line();
      return true;
    }
  }

 private:
  void end_line() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }
  void skip_line() {
    while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    end_line();
  }
  // Blank lines and '#' comments between records.
  void skip_ignorable() {
    while (pos_ < text_.size()) {
      size_t i = pos_;
      while (i < text_.size() && is_blank(text_[i])) ++i;
      if (i < text_.size() && text_[i] != '\n' && text_[i] != '\r' && text_[i] != '#') return;
      pos_ = i;
      if (pos_ >= text_.size()) return;
      skip_line();
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
};

// "Package Name" -> "packagename": header names compared without case,
// spaces, '_', '-' and brackets.
std::string column_key(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '_' || c == '-' || c == '(' || c == ')' || c == '\t') continue;
    out += c;
  }
  return out;
}

bool one_of(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

struct Columns {
  int package = -1, version = -1, notes = -1, date = -1;
};

Columns find_columns(const std::vector<std::string>& header) {
  Columns c;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string k = column_key(header[i]);
    int idx = static_cast<int>(i);
    if (c.package < 0 &&
        one_of(k, {"package", "packagename", "name", "pkg", "npmpackage", "library", "module", "component"})) {
      c.package = idx;
    } else if (c.version < 0 && k.find("version") != std::string::npos && k.find("fix") == std::string::npos &&
               k.find("safe") == std::string::npos && k.find("patch") == std::string::npos &&
               k.find("clean") == std::string::npos && k.find("latest") == std::string::npos) {
      c.version = idx;
    } else if (c.notes < 0 && one_of(k, {"notes", "note", "comment", "comments", "description", "reason", "details"})) {
      c.notes = idx;
    } else if (c.date < 0 && one_of(k, {"date", "published", "publishedat", "firstseen", "detected", "detectedat",
                                        "dateadded", "added", "discovered", "timestamp"})) {
      c.date = idx;
    }
  }
  return c;
}

std::vector<std::string_view> split_any(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  while (true) {
    size_t p = s.find_first_of(seps);
    std::string_view piece = trim_blanks(s.substr(0, p));
    if (!piece.empty()) out.push_back(piece);
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

bool all_exact(const std::vector<std::string_view>& pieces) {
  return std::all_of(pieces.begin(), pieces.end(), [](std::string_view p) { return parse_exact(p).has_value(); });
}

// One version cell into `versions`; "" on success, else the reason.
std::string add_versions(std::string_view cell, VersionSet* versions) {
  std::vector<std::string_view> items = split_any(cell, ";|\n");
  if (items.empty()) return "no version (write * for every version)";
  for (std::string_view item : items) {
    std::vector<std::string_view> commas = split_any(item, ",");
    if (commas.size() > 1) {
      if (!all_exact(commas)) {
        return "ambiguous ',' in " + shown(item) +
               ": separate versions with ';' or '|', and write a range node-semver style ('>=1.0.0 <1.0.5')";
      }
    } else {
      commas = split_any(item, " \t");
      if (commas.size() < 2 || !all_exact(commas)) commas = {item};
    }
    for (std::string_view piece : commas) {
      if (std::optional<semver::Version> v = parse_exact(piece)) {
        versions->add_exact(*v);
        continue;
      }
      std::string err;
      std::optional<semver::Range> r = semver::Range::parse(piece, &err);
      if (!r) return "invalid version " + shown(piece) + ": " + err;
      versions->add_range(std::string(piece), std::move(*r));
    }
  }
  return {};
}

std::string base_name(std::string_view name) {
  if (name.ends_with(")")) name.remove_suffix(1);  // zip member "feed.zip(lists/a.csv)"
  if (size_t p = name.find_last_of("/("); p != std::string_view::npos) name.remove_prefix(p + 1);
  return std::string(name);
}

}  // namespace

void import_csv_document(std::string_view text, const std::string& name, const ImportOptions& opt, ImportBatch* batch,
                         Errors* errors) {
  size_t errors_before = errors->size();
  auto error = [&](uint32_t line, std::string what) { errors->push_back(Error{name, line, 0, std::move(what)}); };
  CsvReader reader(text);
  char sep = reader.sniff();
  CsvRow header;
  std::string err;
  if (!reader.next(sep, &header, &err)) {
    error(0, "empty CSV: expected a header row such as 'package,version'");
    return;
  }
  if (!err.empty()) {
    error(header.line, err);
    return;
  }
  Columns col = find_columns(header.fields);
  if (col.package < 0) {
    error(header.line,
          "no package column in the header row (expected one of package, package_name, name); the first row "
          "must be a header such as 'package,version'");
    return;
  }
  if (!opt.since.empty() && col.date < 0) {
    error(header.line, "--since needs a date column (date, published, first_seen, ...); this file has none");
    return;
  }

  PackageSet packages;
  size_t rows = 0;
  CsvRow row;
  while (reader.next(sep, &row, &err)) {
    if (!err.empty()) {
      error(row.line, err);
      continue;
    }
    ++rows;
    if (row.fields.size() != header.fields.size()) {
      error(row.line, "row has " + std::to_string(row.fields.size()) + " fields, the header has " +
                          std::to_string(header.fields.size()) + " (quote fields that contain '" +
                          std::string(1, sep == '\t' ? ' ' : sep) + "')");
      continue;
    }
    std::string pkg = row.fields[static_cast<size_t>(col.package)];
    std::string version_cell;
    size_t at = pkg.rfind('@');
    if (col.version >= 0) {
      version_cell = row.fields[static_cast<size_t>(col.version)];
      if (at != std::string::npos && at > 0) {
        error(row.line, "package name " + shown(pkg) + " includes a version; put it in the version column");
        continue;
      }
    } else if (at != std::string::npos && at > 0) {
      version_cell = pkg.substr(at + 1);
      pkg.resize(at);
    } else {
      error(row.line, "no version for " + shown(pkg) + ": write 'name@version' or add a version column");
      continue;
    }
    if (std::string why = package_name_problem(pkg); !why.empty()) {
      error(row.line, why);
      continue;
    }
    if (!opt.since.empty()) {
      std::string_view date = trim_blanks(row.fields[static_cast<size_t>(col.date)]);
      if (!date.empty() && !is_iso_date(date.substr(0, std::min<size_t>(10, date.size())))) {
        error(row.line, "invalid date " + shown(date) + " for --since; expected YYYY-MM-DD");
        continue;
      }
      if (before_since(date, opt.since)) {
        ++batch->stats.before_since;
        continue;
      }
    }
    PackageSet::Entry& entry = packages.by_name[pkg];
    if (entry.line == 0) entry.line = row.line;
    if (std::string why = add_versions(version_cell, &entry.versions); !why.empty()) {
      error(row.line, why + " (package " + shown(pkg) + ")");
      continue;
    }
    if (col.notes >= 0) entry.notes.push_back(one_line(row.fields[static_cast<size_t>(col.notes)]));
  }
  if (rows == 0 && errors->size() == errors_before) {
    error(header.line, "no rows after the header");
    return;
  }
  if (errors->size() != errors_before) return;

  std::string base = base_name(name);
  std::string stem = base;
  if (size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  Rule r;
  r.file = name;
  r.line = header.line;
  std::string id = opt.csv_id.empty() ? "CSV-" + one_line(stem) : opt.csv_id;
  std::replace(id.begin(), id.end(), ' ', '-');
  r.id = id;
  r.title = opt.csv_title.empty() ? "Packages listed in " + one_line(base) : opt.csv_title;
  r.kind = opt.csv_kind.empty() ? "compromised-release" : opt.csv_kind;
  r.ecosystem = "npm";
  r.severity = opt.csv_severity;
  r.package_rules = packages.take();
  if (r.package_rules.empty()) return;  // every row before --since
  batch->rules.push_back(std::move(r));
}

}  // namespace gv
