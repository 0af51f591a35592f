// Download-and-execute from package code: a shell pipe run through
// child_process (or sitting in a shipped shell script), PowerShell's
// download cradle, Python's exec(urlopen()), and the Node-native dropper
// shape (fetch a file, make it executable, start it detached so it outlives
// npm). Also the anti-forensics step the axios/plain-crypto-js dropper used:
// an install script deleting itself and swapping package.json for a clean
// copy. See docs/heuristics.md.

rule gv_shell_download_pipe
{
  meta:
    description = "curl/wget output piped into a shell, in a shipped shell script or next to a child_process call that runs it"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $pipe = /\b(curl|wget)\s[^\n|;&]{0,200}\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/
    $subst = /\b(ba|z)?sh\s+-c\s+\\?["']\$\(\s*(curl|wget)\s/
    // CLIs print "curl -fsSL https://... | bash" as install instructions; a
    // command that is run sits next to the call running it.
    $run = /\b(exec|execSync|spawn|spawnSync|execa|execaSync|execFile|execFileSync)\s*\(/ private

  condition:
    ((extension == ".sh" or extension == ".bash" or extension == ".zsh") and ($pipe or $subst)) or
    for any i in (1..#pipe) : ( $run in (@pipe[i] - 300 .. @pipe[i] + 300) ) or
    for any i in (1..#subst) : ( $run in (@subst[i] - 300 .. @subst[i] + 300) )
}

rule gv_powershell_download_cradle
{
  meta:
    description = "PowerShell download cradle (a web download fed to Invoke-Expression) in a shipped script or run from package code, or an encoded PowerShell command"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $cradle = /\b(iex|Invoke-Expression)\s*\(?\s*\(?\s*(New-Object\s+(System\.)?Net\.WebClient\s*\)\s*\.\s*DownloadString|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b/ nocase
    $cradle2 = /(\.DownloadString\s*\(|Invoke-WebRequest|Invoke-RestMethod|\biwr|\birm)\s[^\n|]{0,200}\|\s*(iex|Invoke-Expression)\b/ nocase
    $enc = /\bpowershell(\.exe)?\s[^\n"']{0,80}-(e|ec|enc|encodedcommand)\s+[A-Za-z0-9+\/]{40}/ nocase
    $run = /\b(exec|execSync|spawn|spawnSync|execa|execaSync|execFile|execFileSync)\s*\(/ private

  condition:
    $enc or
    ((extension == ".ps1" or extension == ".psm1" or extension == ".bat" or extension == ".cmd") and any of ($cradle*)) or
    for any i in (1..#cradle) : ( $run in (@cradle[i] - 300 .. @cradle[i] + 300) ) or
    for any i in (1..#cradle2) : ( $run in (@cradle2[i] - 300 .. @cradle2[i] + 300) )
}

rule gv_shell_download_chmod_run
{
  meta:
    description = "Shipped shell script downloads a file, makes it executable and runs it (the ua-parser-js/coa/rc miner dropper shape)"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $fetch = /\b(curl|wget)\s[^\n]{0,300}(\s-o\s*|\s-O\s*|--output[ =]|--output-document[ =]|>\s*)[^\s;&|]+/
    $chmod = /\bchmod\s+(\+x|u\+x|a\+x|[0-7]{3,4})\s/ private
    $run = /(^|[;&|]\s*|\n\s*)(\.\/|\/tmp\/|\$HOME\/|~\/)[\w.\/-]+/ private

  condition:
    (extension == ".sh" or extension == ".bash" or extension == ".zsh") and
    for any i in (1..#fetch) : ( $chmod in (@fetch[i] .. @fetch[i] + 600) and $run in (@fetch[i] .. @fetch[i] + 900) )
}

rule gv_windows_download_tools
{
  meta:
    description = "Windows download-and-load tools (certutil -urlcache, bitsadmin /transfer, regsvr32 /i:http) in a shipped script or package code"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $certutil = /\bcertutil(\.exe)?\s+(-f\s+)?-urlcache\b/ nocase
    $bits = /\bbitsadmin(\.exe)?\s+\/transfer\b/ nocase
    $regsvr = /\bregsvr32(\.exe)?\s[^\n]{0,40}\/i:https?:/ nocase

  condition:
    any of them
}

rule gv_python_exec_download
{
  meta:
    description = "Python exec() of a downloaded body (urlopen/requests)"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $py = /\bexec\s*\(\s*(urllib\.request\.|urllib2\.|requests\.)?(urlopen|get)\s*\([^)]{0,300}\)\s*\.(read\s*\(\s*\)|text|content)/

  condition:
    $py
}

rule gv_node_dropper
{
  meta:
    description = "Node dropper shape: downloads over HTTP, writes a file, makes it executable and starts it detached from npm"
    severity = "high"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $dl1 = /\bhttps?\.get\s*\(/
    $dl2 = /\bhttps?\.request\s*\(/
    $dl3 = /\bfetch\s*\(\s*["'`]https?:/
    $write = /\b(writeFileSync|writeFile|createWriteStream)\s*\(/
    $chmod = /\bchmod(Sync)?\s*\([^)]{0,200}(0o?755|0o?777|0o?700|["']\+?x["']|["']7[0-7][0-7]["']|\b493\b|\b511\b)/
    $detached = /\bdetached\s*:\s*(true|!0)/
    $unref = ".unref()"

  condition:
    any of ($dl*) and $write and $chmod and $detached and $unref
}

rule gv_install_script_self_erasing
{
  meta:
    description = "Script deletes itself and rewrites or swaps package.json: an install-time dropper covering its tracks"
    severity = "critical"
    reference = "docs/heuristics.md#download-exec"

  strings:
    $self_delete = /\b(unlinkSync|unlink|rmSync|rm)\s*\(\s*(__filename|process\.argv\[1\]|require\.main\.filename)/
    $swap1 = /\b(renameSync|rename|copyFileSync|copyFile)\s*\([^)]{0,200}package\.(md|bak|json\.bak|txt)["'`]/
    $swap2 = /\b(writeFileSync|writeFile)\s*\([^)]{0,120}package\.json["'`]/

  condition:
    $self_delete and any of ($swap*)
}
