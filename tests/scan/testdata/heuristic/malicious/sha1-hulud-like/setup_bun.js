// Defanged sample in the shape of Shai-Hulud 2's setup_bun.js: nothing runs.
const { execSync } = require("child_process");
const installer = "curl -fsSL https://bun.sh/install";
function later() { return execSync("bun bun_environment.js") && installer; }
module.exports = later;
