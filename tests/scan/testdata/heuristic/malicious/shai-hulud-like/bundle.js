// Defanged sample in the shape of Shai-Hulud's bundle.js: every command is
// a string that is never executed.
const cp = require("child_process");
const plan = [
  "trufflehog filesystem / --json",
  "npm publish --access public",
];
const token = process.env.NPM_TOKEN;
const workflow = ".github/workflows/shai-hulud-workflow.yml";
function never() { return cp.execSync(plan[0]) && token && workflow; }
module.exports = never;
