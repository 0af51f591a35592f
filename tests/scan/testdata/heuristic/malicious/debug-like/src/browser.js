// Defanged sample in the shape of the address-swapping half of the
// September 2025 debug/chalk drainer: per-chain address patterns kept next to
// a network hook. It matches nothing and replaces nothing.
const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const patterns = {
  ethereum: /\b0x[a-fA-F0-9]{40}\b/g,
  bitcoinLegacy: /\b1[a-km-zA-HJ-NP-Z1-9]{25,34}\b/g,
  bitcoinSegwit: /\bbc1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{11,71}\b/g,
};
function inBrowser() {
  return typeof window != "undefined" && typeof XMLHttpRequest != "undefined";
}
module.exports = { CHARSET, patterns, inBrowser };
