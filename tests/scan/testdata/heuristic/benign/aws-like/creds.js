// Benign look-alike: one cloud's credentials, from env or ~/.aws/credentials.
const http = require("http"), fs = require("fs"), os = require("os");
const key = process.env.AWS_SECRET_ACCESS_KEY, session = process.env.AWS_SESSION_TOKEN;
const file = fs.readFileSync(os.homedir() + "/.aws/credentials", "utf8");
http.request({ host: "169.254.169.254", path: "/latest/meta-data/" }).end();
module.exports = { key, session, file };
