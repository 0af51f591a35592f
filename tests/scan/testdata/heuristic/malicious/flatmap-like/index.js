// Defanged sample in the shape of flatmap-stream (2018): a payload that only
// decrypts when the installing package's description is the key. The
// ciphertext here is made up and decrypts to nothing.
module.exports = function load(cipherHex) {
  const key = process.env.npm_package_description;
  const d = require("crypto").createDecipher("aes256", process.env.npm_package_description);
  return key && d.update(cipherHex, "hex", "utf8");
};
