// Defanged sample: a decoded module body run through the Function constructor.
const p = "Y29uc29sZS5sb2coJ2RlZmFuZ2VkIHNhbXBsZScp";
module.exports = new Function("require", Buffer.from(p, "base64").toString("utf8"))(require);
