// Install scripts in package.json: npm runs preinstall, install and
// postinstall on every `npm install` (unless --ignore-scripts), which is why
// nearly every npm worm and dropper starts there. Legitimate install scripts
// build native code (node-gyp rebuild, prebuild-install), run a local
// script (node install.js, node -e "try{require('./postinstall')}catch(e){}")
// or print a message. These rules fire on what legitimate ones do not do:
// fetch and run, decode, reach the network inline, or run from /tmp.
//
// A script value is matched as ([^"\\\n]|\\.)*: JSON strings escape their
// quotes, and `node -e \"...\"` is common.

rule gv_install_script_download_exec
{
  meta:
    description = "Install script downloads and runs code: curl/wget piped to a shell or saved and made executable, or PowerShell download + Invoke-Expression"
    severity = "critical"
    reference = "docs/heuristics.md#install-scripts"

  strings:
    $pipe = /"(preinstall|install|postinstall|prepare)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(curl|wget)\b([^"\\\n]|\\.){0,300}\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/
    $subst = /"(preinstall|install|postinstall|prepare)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(ba|z)?sh\s+-c\s+\\?["']?\$\(\s*(curl|wget)\b/
    $fetch_chmod = /"(preinstall|install|postinstall|prepare)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(curl|wget)\b([^"\\\n]|\\.){0,300}\bchmod\s+(\+x|[0-7]{3,4})\b/
    $ps = /"(preinstall|install|postinstall|prepare)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString|DownloadFile)\b([^"\\\n]|\\.){0,300}\b(iex|Invoke-Expression|Start-Process)\b/ nocase

  condition:
    filename == "package.json" and any of them
}

rule gv_install_script_suspicious
{
  meta:
    description = "Install script decodes data, reaches the network from inline node -e, opens /dev/tcp, or runs a file from /tmp or a hidden home folder"
    severity = "high"
    reference = "docs/heuristics.md#install-scripts"

  strings:
    $decode = /"(preinstall|install|postinstall)"\s*:\s*"([^"\\\n]|\\.){0,300}(\bbase64\s+(-d|--decode|-D)\b|\batob\s*\(|Buffer\.from\s*\([^)]{0,200}base64|\bcertutil\b[^"]{0,40}-decode)/
    $inline_net = /"(preinstall|install|postinstall)"\s*:\s*"([^"\\\n]|\\.){0,100}\bnode\s+(-e|--eval|-p)\s([^"\\\n]|\\.){0,300}(\bhttps?\b|\bnet\b|\bdns\b|child_process|\beval\s*\(|\bfetch\s*\()/
    $devtcp = /"(preinstall|install|postinstall)"\s*:\s*"([^"\\\n]|\\.){0,300}\/dev\/(tcp|udp)\//
    $tmp_run = /"(preinstall|install|postinstall)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(node|sh|bash|python3?|bun|deno|chmod\s+\+x)\s+(\/tmp\/|\/dev\/shm\/|~\/\.|\$HOME\/\.|%TEMP%|%APPDATA%)/
    $env_send = /"(preinstall|install|postinstall)"\s*:\s*"([^"\\\n]|\\.){0,300}\b(curl|wget)\b([^"\\\n]|\\.){0,300}(\$\{?(NPM_TOKEN|GITHUB_TOKEN|GH_TOKEN|AWS_SECRET_ACCESS_KEY)|\$\((env|printenv|whoami|hostname)\)|\bprintenv\b|\benv\s*\|)/

  condition:
    filename == "package.json" and any of them
}

rule gv_install_script_obfuscated
{
  meta:
    description = "A file run by a preinstall/install/postinstall script is obfuscated (obfuscator.io _0x names, hex-escaped strings, string reversal, decoder into eval)"
    severity = "high"
    reference = "docs/heuristics.md#install-scripts"

  strings:
    $obf = /\b_0x[a-f0-9]{4,6}\b/
    $hexesc = /(\\x[0-9a-fA-F]{2}){8}/
    $rev = /\.split\(\s*["'`]["'`]\s*\)\s*\.reverse\(\s*\)\s*\.join\(/
    $decode_exec = /\b(eval|Function)\s*\([^;]{0,80}\b(atob|Buffer\.from|fromCharCode)\s*\(/

  condition:
    install_script and (#obf >= 10 or #hexesc >= 3 or $rev or $decode_exec)
}
