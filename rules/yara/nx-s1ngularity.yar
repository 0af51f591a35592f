// Nx "s1ngularity" (August 2025): malicious nx releases (20.9.0-20.12.0,
// 21.5.0-21.8.0 and @nx/* plugins, published with a token stolen through a
// pull_request_target workflow) carried a postinstall telemetry.js that,
// outside Windows, drove the AI coding CLIs installed on the machine with
// their permission checks disabled (claude --dangerously-skip-permissions,
// gemini --yolo, q chat --trust-all-tools) and a prompt asking them to list
// wallets, keys, .env files and other secrets into /tmp/inventory.txt; it
// also read `gh auth token` and npm tokens, uploaded everything
// triple-base64-encoded (results.b64) to a public repository
// s1ngularity-repository in the victim's own GitHub account, and appended
// `sudo shutdown -h 0` to ~/.bashrc and ~/.zshrc.
//
// Sources: GHSA-cxm3-wv7p-598c and the Wiz, Snyk and StepSecurity write-ups;
// rule text is gouvernante's own. See docs/heuristics.md.

rule gv_nx_s1ngularity_iocs
{
  meta:
    description = "Nx s1ngularity stealer indicators: s1ngularity-repository, /tmp/inventory.txt, results.b64 upload, or shutdown appended to shell rc files"
    severity = "critical"
    reference = "https://github.com/advisories/GHSA-cxm3-wv7p-598c"

  strings:
    $repo = "s1ngularity-repository"
    $inv = "/tmp/inventory.txt"
    $b64 = "results.b64"
    $gh = /\bgh\s+auth\s+token\b/ private
    $shutdown = /sudo\s+shutdown\s+-h\s+0/
    $rc = /\.(bashrc|zshrc)\b/ private

  condition:
    $repo or $inv or ($b64 and $gh) or ($shutdown and $rc)
}

rule gv_ai_cli_permission_bypass
{
  meta:
    description = "Runs two or more AI coding CLIs with their permission checks disabled (--dangerously-skip-permissions, --yolo, --trust-all-tools) and a prompt about secrets"
    severity = "high"
    reference = "https://github.com/advisories/GHSA-cxm3-wv7p-598c"

  strings:
    $f_claude = "--dangerously-skip-permissions"
    $f_gemini = /["'`\s]--yolo\b/
    $f_q = "--trust-all-tools"
    $run = /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync)\s*\(/ private
    $loot = /\b(wallet|keystore|mnemonic|seed phrase|id_rsa|private key|\.env\b|secrets?\b|credentials?)/ nocase private

  condition:
    2 of ($f_*) and $run and $loot
}
