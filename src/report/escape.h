// Untrusted text (package names, versions, paths from lockfiles) is escaped at
// the edge, per output: a package name is attacker-chosen, so it must not be
// able to move the cursor, recolour or clear a terminal, or break out of a
// JSON/SARIF string.
#pragma once

#include <string>
#include <string_view>

namespace gv {

// Terminal: C0/C1 control characters, DEL and invalid UTF-8 bytes become
// visible escapes (\x1b, \x9b, ...); printable UTF-8 passes through.
std::string terminal_safe(std::string_view s);

// SARIF artifact URIs: a relative path percent-encoded (RFC 3986), "./" dropped.
std::string uri_from_path(std::string_view path);

}  // namespace gv
