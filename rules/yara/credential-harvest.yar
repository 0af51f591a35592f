// Credential harvesting: package code collecting secrets that belong to
// several unrelated services and sending something over the network. A
// library reads the token of the one service it talks to (an AWS SDK reads
// AWS_*, a release tool reads NPM_TOKEN and GITHUB_TOKEN); a stealer sweeps
// across services, dumps the whole environment, or reads the credential
// files of several tools. See docs/heuristics.md.

rule gv_env_secrets_multi_service
{
  meta:
    description = "Reads secret environment variables of three or more unrelated services (npm, GitHub, AWS, GCP, Azure, AI APIs, CI, chat) and makes a network call"
    severity = "high"
    reference = "docs/heuristics.md#credential-harvest"

  strings:
    $svc_npm = /\b(NPM_TOKEN|NODE_AUTH_TOKEN|NPM_AUTH_TOKEN)\b/
    $svc_github = /\b(GITHUB_TOKEN|GH_TOKEN|GITHUB_PAT|GH_PAT|GH_ENTERPRISE_TOKEN)\b/
    $svc_aws = /\b(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\b/
    $svc_gcp = /\b(GOOGLE_APPLICATION_CREDENTIALS|GCLOUD_SERVICE_KEY|GOOGLE_CLOUD_KEYFILE_JSON)\b/
    $svc_azure = /\b(AZURE_CLIENT_SECRET|AZURE_STORAGE_KEY|ARM_CLIENT_SECRET|AZURE_DEVOPS_EXT_PAT)\b/
    $svc_ai = /\b(OPENAI_API_KEY|ANTHROPIC_API_KEY|GEMINI_API_KEY)\b/
    $svc_ci = /\b(CIRCLE_TOKEN|GITLAB_TOKEN|CI_JOB_TOKEN|BITBUCKET_TOKEN|VERCEL_TOKEN|NETLIFY_AUTH_TOKEN)\b/
    $svc_chat = /\b(SLACK_TOKEN|SLACK_BOT_TOKEN|DISCORD_TOKEN|TELEGRAM_BOT_TOKEN)\b/
    $svc_registry = /\b(DOCKER_PASSWORD|DOCKERHUB_TOKEN|PYPI_TOKEN|TWINE_PASSWORD|CARGO_REGISTRY_TOKEN)\b/
    $net = /\b(https?\.(request|get)\s*\(|fetch\s*\(|XMLHttpRequest|axios\.(post|put)\s*\(|net\.connect\s*\(|dns\.(resolve|lookup)\w*\s*\(|\bcurl\s)/ private

  condition:
    3 of ($svc_*) and $net
}

rule gv_env_dump_exfil
{
  meta:
    description = "Serialises the whole environment (JSON.stringify(process.env)) or encodes it, next to a network call"
    severity = "high"
    reference = "docs/heuristics.md#credential-harvest"

  strings:
    $dump = /\b(JSON\.stringify|btoa|encodeURIComponent)\s*\(\s*(process\.env|\{\s*\.\.\.process\.env\s*\})\s*[,)]/
    $dump_b64 = /Buffer\.from\s*\(\s*JSON\.stringify\s*\(\s*process\.env\s*[,)]/
    $dump_py = /\bjson\.dumps\s*\(\s*dict\s*\(\s*os\.environ\s*\)/
    $net = /\b(https?\.(request|get)\s*\(|fetch\s*\(|XMLHttpRequest|axios\.(post|put)\s*\(|net\.connect\s*\(|dns\.(resolve|lookup)\w*\s*\(|requests\.post\s*\(|urlopen\s*\()/ private

  condition:
    any of ($dump*) and $net
}

rule gv_credential_files_sweep
{
  meta:
    description = "Reads the credential files of three or more tools (.npmrc, SSH keys, AWS/GCP/Azure/Docker/Kubernetes configs, git credentials, wallets, browser logins, Discord) and makes a network call"
    severity = "high"
    reference = "docs/heuristics.md#credential-harvest"

  strings:
    $f_npmrc = ".npmrc"
    $f_ssh = /\.ssh[\/\\]+(id_rsa|id_ed25519|id_ecdsa|id_dsa)\b/
    $f_aws = /\.aws[\/\\]+credentials\b/
    $f_gcp = /\.config[\/\\]+gcloud\b/
    $f_azure = /\.azure[\/\\]+(accessTokens|msal_token_cache|azureProfile)/
    $f_docker = /\.docker[\/\\]+config\.json/
    $f_kube = /\.kube[\/\\]+config\b/
    $f_git = /\.git-credentials\b/
    $f_wallet = /(\.config[\/\\]+solana[\/\\]+id\.json|Exodus[\/\\]+exodus\.wallet|\.electrum[\/\\]+wallets|nkbihfbeogaeaoehlefnkodbefgpgknn)/
    $f_browser = /(Login Data|Web Data)["'`]/
    $f_discord = /discord(canary|ptb)?["'`]?\s*,?\s*["'`]?[\/\\]*Local Storage[\/\\]+leveldb/ nocase
    $net = /\b(https?\.(request|get)\s*\(|fetch\s*\(|XMLHttpRequest|axios\.(post|put)\s*\(|net\.connect\s*\(|requests\.post\s*\(|urlopen\s*\()/ private

  condition:
    3 of ($f_*) and $net
}

rule gv_wallet_extension_data
{
  meta:
    description = "Reaches into browser wallet extensions' storage (Local Extension Settings of MetaMask, Phantom, Coinbase Wallet, TronLink, BNB Chain Wallet): a wallet stealer"
    severity = "critical"
    reference = "docs/heuristics.md#credential-harvest"

  strings:
    $les = "Local Extension Settings"
    $metamask = "nkbihfbeogaeaoehlefnkodbefgpgknn" private
    $phantom = "bfnaelmomeimhlpmgjnjophhpkkoljpa" private
    $coinbase = "hnfanknocfeofbddgcijnmhnfnkdnaad" private
    $tronlink = "ibnejdfjmmkpcnlpebklmnkoeoihofec" private
    $bnb = "fhbohimaelbohpjbbldcngcnapndodjp" private

  condition:
    $les and 2 of ($metamask, $phantom, $coinbase, $tronlink, $bnb)
}

rule gv_exfil_endpoint_with_host_data
{
  meta:
    description = "Sends to a request-capture or webhook service (webhook.site, pipedream, interactsh/OAST, Burp Collaborator, ngrok, Discord webhooks) from code that reads the environment or host identity"
    severity = "high"
    reference = "docs/heuristics.md#credential-harvest"

  strings:
    $ep = /\b(webhook\.site|[a-z0-9-]+\.m?pipedream\.net|requestbin\.(net|com)|[a-z0-9]+\.oast\.(fun|pro|live|site|online|me)|[a-z0-9.-]+\.interact\.sh|burpcollaborator\.net|oastify\.com|[a-z0-9-]+\.ngrok(-free)?\.(io|app|dev)|discord(app)?\.com\/api\/webhooks\/[0-9]{6,})/ nocase
    $host1 = "process.env" private
    $host2 = /\bos\.(hostname|userInfo|homedir|networkInterfaces)\s*\(/ private
    $host3 = /\bos\.environ\b/ private

  condition:
    $ep and any of ($host*)
}
