// The axios compromise (March 2026): a hijacked maintainer account published
// axios 1.14.1 and 0.30.4 depending on plain-crypto-js@4.2.1, a package that
// existed only for its postinstall `node setup.js`. The obfuscated setup.js
// fetched a per-platform remote access trojan from sfrclak.com:8000
// (142.11.206.73; path /6202033), dropped it as /Library/Caches/com.apple.act.mond
// (macOS), %PROGRAMDATA%\wt.exe via %TEMP%\6202033.vbs and .ps1 (Windows) or
// /tmp/ld.py (Linux), then deleted itself and replaced its package.json with
// a clean copy (see gv_install_script_self_erasing in download-exec.yar for
// that generic shape).
//
// Sources: rules/axios-compromise-2025.json and the StepSecurity and Aikido
// write-ups; rule text is gouvernante's own. See docs/heuristics.md.

rule gv_plain_crypto_js_dropper
{
  meta:
    description = "axios/plain-crypto-js dropper indicators: sfrclak.com command-and-control, its IP, or the payload names it drops"
    severity = "critical"
    reference = "https://www.aikido.dev/blog/axios-npm-compromised-maintainer-hijacked-rat"

  strings:
    $c2 = "sfrclak.com" nocase
    $ip = "142.11.206.73"
    $mac = "com.apple.act.mond"
    $win1 = /6202033\.(vbs|ps1)/
    $win2 = /PROGRAMDATA%?[\/\\]+wt\.exe/ nocase
    $linux = "/tmp/ld.py"

  condition:
    any of them
}
