// Browser crypto-wallet drainers injected into libraries, after the
// September 2025 hijack of chalk, debug, ansi-styles, strip-ansi and 14
// other packages (a phished maintainer account). The injected code, packed
// with obfuscator.io (_0x1234-style identifiers), ran only in browsers
// (typeof window checks): it hooked window.ethereum's request methods and
// replaced fetch and XMLHttpRequest.prototype.open/send so responses and
// transactions carrying a wallet address were rewritten to the most similar
// attacker address (a Levenshtein-distance pick from long lists of Ethereum,
// Bitcoin, Solana, Tron, Litecoin and Bitcoin Cash addresses). Some helper
// names survived the packing: checkethereumw, runmask, newdlocal,
// stealthProxyControl.
//
// Sources: Aikido, Socket, Semgrep and StepSecurity write-ups of the
// "qix" compromise; rule text is gouvernante's own. See docs/heuristics.md.

rule gv_chalk_debug_drainer_names
{
  meta:
    description = "Helper names of the September 2025 chalk/debug wallet drainer (checkethereumw, runmask, newdlocal, stealthProxyControl)"
    severity = "critical"
    reference = "docs/heuristics.md#wallet-drainer"

  strings:
    $n1 = /\bcheckethereumw\b/
    $n2 = /\brunmask\b/
    $n3 = /\bnewdlocal\b/
    $n4 = /\bstealthProxyControl\b/

  condition:
    2 of them
}

rule gv_wallet_drainer_traits
{
  meta:
    description = "Browser wallet drainer traits: hooks window.ethereum and replaces fetch or XMLHttpRequest, with a stock of wallet addresses, an address-similarity pick or heavy _0x obfuscation"
    severity = "high"
    reference = "docs/heuristics.md#wallet-drainer"

  strings:
    $eth1 = /\bwindow\.ethereum\b/ private
    $eth2 = /["']eth_(sendTransaction|accounts|requestAccounts|signTransaction)["']/ private
    $eth3 = /\bethereum\s*\[\s*["']request["']\s*\]/ private
    $hook_xhr = /XMLHttpRequest(\.prototype|\[\s*["']prototype["']\s*\])(\.(open|send)|\[\s*["'](open|send)["']\s*\])\s*=[^=]/
    $hook_fetch = /\b(window|globalThis|self)(\.fetch|\[\s*["']fetch["']\s*\])\s*=[^=]/
    $addr_eth = /["'`]0x[a-fA-F0-9]{40}["'`]/ private
    $addr_bc1 = /["'`]bc1[qp][a-z0-9]{38,58}["'`]/ private
    $similar = /levenshtein/ nocase private
    $obf = /\b_0x[a-f0-9]{4,6}\b/ private

  condition:
    any of ($eth*) and any of ($hook*) and
    (#addr_eth >= 10 or #addr_bc1 >= 5 or $similar or #obf >= 100)
}

rule gv_wallet_address_swapper
{
  meta:
    description = "Browser script keeping address patterns for several chains (bitcoinLegacy, bitcoinSegwit, ...) next to XMLHttpRequest, with obfuscation or the bech32 alphabet: the chalk/debug address-swapping shape"
    severity = "high"
    reference = "docs/heuristics.md#wallet-drainer"

  strings:
    $win = /typeof\s+window\s*[!=]=/ private
    $xhr = "XMLHttpRequest" private
    $legacy = "bitcoinLegacy"
    $segwit = "bitcoinSegwit"
    $bech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l" private
    $obf = /\b_0x[a-f0-9]{4,6}\b/ private

  condition:
    $win and $xhr and $legacy and $segwit and ($bech32 or #obf >= 50)
}
