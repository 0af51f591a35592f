// Shai-Hulud, the self-replicating npm worm (September 2025), and its second
// wave "Sha1-Hulud: The Second Coming" (November 2025).
//
// Wave 1: a postinstall `node bundle.js` ran a ~3.6 MB webpack bundle that
// downloaded TruffleHog to sweep the disk for secrets, read NPM_TOKEN /
// GITHUB_TOKEN / cloud keys, validated the npm token (/-/whoami), republished
// every package that token could publish with the same bundle.js and
// postinstall, pushed a `shai-hulud` branch with
// .github/workflows/shai-hulud-workflow.yml (posting toJSON(secrets) to a
// webhook.site URL) and created public "Shai-Hulud" repositories holding the
// loot; a later step made private org repos public ("Shai-Hulud Migration").
// Wave 2: a preinstall `node setup_bun.js` installed the Bun runtime and ran a
// >10 MB obfuscated bun_environment.js; loot went to public repositories
// described "Sha1-Hulud: The Second Coming." (cloud.json, contents.json,
// environment.json, truffleSecrets.json), a self-hosted runner named
// SHA1HULUD and a discussion-triggered workflow gave the attacker a backdoor.
//
// Sources: Wiz, StepSecurity, Socket and Aikido write-ups (see
// rules/shai-hulud-2-2025.json); rule text is gouvernante's own.

rule gv_shai_hulud_markers
{
  meta:
    description = "Shai-Hulud worm marker strings (campaign names, workflow file, runner name, known exfiltration URL) in code that runs commands or talks to the network"
    severity = "critical"
    reference = "https://www.wiz.io/blog/shai-hulud-npm-supply-chain-attack"

  strings:
    $m1 = "shai-hulud-workflow.yml" nocase
    $m2 = "Shai-Hulud Migration" nocase
    $m3 = "Sha1-Hulud: The Second Coming" nocase
    $m4 = "webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7"
    $m5 = /\bSHA1HULUD\b/
    $m6 = /\b(refs\/heads\/|branch[ :=\-]{1,3}["']?)shai-hulud\b/ nocase
    $act1 = "child_process" private
    $act2 = /\b(https?\.request|fetch|XMLHttpRequest|Octokit)\b/ private
    $act3 = /\bruns-on\s*:/ private
    $act4 = /\b(curl|wget)\s/ private

  condition:
    any of ($m*) and any of ($act*)
}

rule gv_shai_hulud_propagation
{
  meta:
    description = "Worm behaviour: TruffleHog secret sweep combined with npm token use or republishing (npm publish, /-/whoami, tarball repacking)"
    severity = "critical"
    reference = "https://www.wiz.io/blog/shai-hulud-npm-supply-chain-attack"

  strings:
    $th = /\btrufflehog\b/ nocase
    $npm1 = /\bnpm\s+publish\b/
    $npm2 = "/-/whoami"
    $npm3 = /\bNPM_TOKEN\b/
    $npm4 = /\bnpm\s+pack\b/
    $gh1 = "api.github.com/user/repos"
    $gh2 = /\bGITHUB_TOKEN\b/

  condition:
    $th and 2 of ($npm*, $gh*)
}

rule gv_shai_hulud_bun_loader
{
  meta:
    description = "Shai-Hulud 2 loader (setup_bun.js): installs or locates the Bun runtime to run bun_environment.js"
    severity = "critical"
    reference = "docs/heuristics.md#shai-hulud"

  strings:
    $payload = "bun_environment.js"
    $bun1 = "bun.sh/install"
    $bun2 = /\bspawn(Sync)?\s*\(\s*[^,]{0,80}bun/
    $bun3 = /\bexecSync\s*\([^)]{0,200}\bbun\b/

  condition:
    $payload and any of ($bun*)
}

rule gv_shai_hulud_install_hook
{
  meta:
    description = "package.json install hook runs a Shai-Hulud payload name: postinstall `node bundle.js` (wave 1) or preinstall `node setup_bun.js` (wave 2)"
    severity = "critical"
    reference = "https://www.wiz.io/blog/shai-hulud-npm-supply-chain-attack"

  strings:
    $hook = /"(preinstall|install|postinstall)"\s*:\s*"node\s+(\.\/)?(bundle|setup_bun|bun_environment)\.js"/

  condition:
    filename == "package.json" and $hook
}

rule gv_workflow_secrets_exfil
{
  meta:
    description = "GitHub Actions workflow shipped inside a package that serialises all secrets (toJSON(secrets)) and sends or stores them"
    severity = "critical"
    reference = "https://www.wiz.io/blog/shai-hulud-npm-supply-chain-attack"

  strings:
    $all = /\$\{\{\s*toJSON\(\s*secrets\s*\)\s*\}\}/ nocase
    $send1 = /\b(curl|wget|Invoke-WebRequest)\b/ private
    $send2 = /\bbase64\b/ private
    $send3 = /\bactions\/upload-artifact\b/ private

  condition:
    (extension == ".yml" or extension == ".yaml") and $all and any of ($send*)
}

rule gv_workflow_discussion_backdoor
{
  meta:
    description = "GitHub Actions workflow that runs the text of a discussion on a self-hosted runner (Shai-Hulud 2 backdoor shape)"
    severity = "critical"
    reference = "docs/heuristics.md#shai-hulud"

  strings:
    $on = /\bon\s*:\s*(\[\s*)?discussion\b/ private
    $body = /\$\{\{\s*github\.event\.discussion\.body\s*\}\}/
    $runner = /\bruns-on\s*:\s*(\[\s*)?self-hosted\b/ private

  condition:
    (extension == ".yml" or extension == ".yaml") and $body and ($on or $runner)
}
