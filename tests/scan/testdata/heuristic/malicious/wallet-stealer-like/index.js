// Defanged sample in the shape of the BeaverTail-style npm stealers: browser
// wallet extension storage and saved logins. It lists paths and reads nothing.
const path = require("path"), os = require("os");
const base = path.join(os.homedir(), "AppData/Local/Google/Chrome/User Data/Default");
const targets = [
  path.join(base, "Local Extension Settings", "nkbihfbeogaeaoehlefnkodbefgpgknn"),
  path.join(base, "Local Extension Settings", "bfnaelmomeimhlpmgjnjophhpkkoljpa"),
  path.join(base, "Login Data"),
];
module.exports = () => targets;
