// Which files a package runs at install time. npm runs the preinstall,
// install and postinstall scripts of every dependency; the files those
// commands start are where droppers live (Shai-Hulud's bundle.js and
// setup_bun.js, plain-crypto-js's setup.js, Nx's telemetry.js). The
// heuristic scan tells YARA rules about them (the `install_script` external
// variable) so a rule can hold install-time code to a stricter standard than
// a library bundle: obfuscation there is a red flag, in a minified bundle it
// is Tuesday.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gv {

// The files named by `text`'s (a package.json) install scripts, as paths
// under `package_dir`, lexically normalised. Understood: `node FILE`,
// `sh|bash|bun|python FILE`, a bare `./FILE`, and `node -e "...require('./FILE')..."`,
// each part of `a && b || c; d` separately; options (`--flag`) skipped;
// `node FILE` without an extension also names FILE.js. Paths leaving the
// package folder are dropped. Bad JSON yields nothing.
std::vector<std::string> install_script_targets(std::string_view text, const std::string& package_dir);

}  // namespace gv
