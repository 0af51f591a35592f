// Benign look-alike: configuration from the environment and an HTTPS call.
const https = require("https");
const mode = process.env.NODE_ENV || "development";
const debug = process.env.DEBUG;
https.request({ host: "registry.example.invalid", path: "/?mode=" + mode + (debug ? "&d=1" : "") }).end();
