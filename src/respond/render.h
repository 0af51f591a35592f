// An incident for people (text, Markdown) and machines (JSON), and the
// payloads each sink kind receives (alerts: one CEF line or one JSON line per
// affected repository item, run and host). Every untrusted string -- package
// names, paths, commit subjects, host names -- is escaped for its output:
// terminal_safe for text, backslash escapes for Markdown, CEF's own escapes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "respond/incident.h"

namespace gv::respond {

// {"incident":{"id","created","rules","severity","repos","runs","hosts","summary"}}
nlohmann::ordered_json incident_json(const Incident& inc);
std::string incident_text(const Incident& inc);
std::string incident_markdown(const Incident& inc);

// One ArcSight CEF payload per affected item:
//   CEF:0|gouvernante|gouvernante|VERSION|SIGNATURE|NAME|SEVERITY|EXTENSIONS
// SIGNATURE is affected-repo, affected-repo-past, run-reached-indicator or
// host-finding; SEVERITY 10 critical, 8 high, 5 medium, 3 low.
std::vector<std::string> cef_lines(const Incident& inc, const std::string& tool_version);

// One JSON object per line per affected item: {"incident","type","severity",...item}.
std::vector<std::string> json_lines(const Incident& inc);

// CEF escaping, exposed for tests: header fields escape '\' and '|';
// extension values escape '\', '=' and line breaks.
std::string cef_header(std::string_view s);
std::string cef_value(std::string_view s);

// CommonMark: the characters that open links, images, HTML, emphasis, code
// and table cells backslash-escaped, control bytes made visible, so a
// package name or commit subject cannot inject markup; dots, dashes and
// slashes stay as they are, for reading.
std::string markdown_safe(std::string_view s);

}  // namespace gv::respond
