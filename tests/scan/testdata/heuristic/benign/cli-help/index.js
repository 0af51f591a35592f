// Benign look-alike: a CLI that prints install instructions and, elsewhere,
// runs git. The pipe is text for the user, far from any exec call.
const { execSync } = require("child_process");
const HELP = [
  "To install the standalone binary:",
  "  curl -fsSL https://example.invalid/install | bash",
  "  irm https://example.invalid/install.ps1 | iex      # Windows PowerShell",
].join("\n");
// padding line 0 so the help text sits well away from the exec call below
// padding line 1 so the help text sits well away from the exec call below
// padding line 2 so the help text sits well away from the exec call below
// padding line 3 so the help text sits well away from the exec call below
// padding line 4 so the help text sits well away from the exec call below
// padding line 5 so the help text sits well away from the exec call below
function head() {
  return execSync("git rev-parse HEAD").toString().trim();
}
module.exports = { HELP, head };
