// Benign look-alike: an esbuild-style installer that downloads its platform
// binary from the registry and checks it runs; no detached process.
const https = require("https"), fs = require("fs"), path = require("path");
const { execFileSync } = require("child_process");
const bin = path.join(__dirname, "bin", "tool");
https.get("https://registry.npmjs.org/@example/tool-linux-x64/-/tool-linux-x64-1.4.0.tgz", (res) => {
  res.pipe(fs.createWriteStream(bin + ".tgz")).on("finish", () => {
    fs.chmodSync(bin, 0o755);
    execFileSync(bin, ["--version"]);
  });
});
