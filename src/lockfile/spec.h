// What an npm dependency string says, without a network: the declared spec of
// package.json ("^1.2.0", "npm:lodash@4.17.20", "git+https://...", "file:../x")
// and the "resolved" URL of a lockfile entry. Rules follow npm-package-arg,
// reduced to what the scanner needs: the real name behind an alias, and where
// the package comes from (only registry packages have versions a rule can
// match; everything else is reported as "cannot evaluate").
#pragma once

#include <string_view>

#include "lockfile/package.h"

namespace gv {

struct DepSpec {
  std::string_view name;     // real package name (the alias target for npm: specs)
  std::string_view version;  // the range/tag/URL as declared, "npm:" part removed
  bool aliased = false;      // declared as "npm:<name>@<range>" under another key
  SourceKind source = SourceKind::kRegistry;
};

// `key` is the name the dependency is declared under, `spec` its value.
DepSpec parse_dep_spec(std::string_view key, std::string_view spec);

// Splits "name@range" (name possibly scoped: "@s/x@1") at the version '@'.
// Returns false when there is no version part ("name" alone).
bool split_name_at_version(std::string_view s, std::string_view* name, std::string_view* version);

// Where a lockfile entry came from, judged from its "resolved" field (or, in
// lockfile v1, a "version" that is a URL). Registry tarballs live under
// ".../<name>/-/<name>-<version>.tgz"; any other http(s) URL is a tarball.
SourceKind source_of_resolved(std::string_view resolved);

}  // namespace gv
