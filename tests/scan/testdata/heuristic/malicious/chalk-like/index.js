// Defanged sample in the shape of the September 2025 chalk/debug drainer.
// The addresses are made up; nothing is sent anywhere.
const _0x1a2b3c = ['0x1111111111111111111111111111111111111111','0x2222222222222222222222222222222222222222','0x3333333333333333333333333333333333333333','0x4444444444444444444444444444444444444444','0x5555555555555555555555555555555555555555','0x6666666666666666666666666666666666666666','0x7777777777777777777777777777777777777777','0x8888888888888888888888888888888888888888','0x9999999999999999999999999999999999999999','0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb','0xcccccccccccccccccccccccccccccccccccccccc'];
function checkethereumw() { return typeof window != "undefined" && typeof window.ethereum != "undefined"; }
function runmask() {
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function () { return open.apply(this, arguments); };
  return _0x1a2b3c;
}
module.exports = { checkethereumw, runmask };
