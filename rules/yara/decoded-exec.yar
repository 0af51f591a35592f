// Decoded-payload execution: code that decodes a string and runs the result
// in the same expression. Library code decodes data (fonts, WASM, images)
// and evaluates generated code (templates, polyfills), but practically never
// feeds a decoder straight into eval/Function/vm: that shape exists to hide
// what runs. gouvernante's own rules; see docs/heuristics.md.

rule gv_eval_decoded_payload
{
  meta:
    description = "Decoded string executed directly: eval/Function/vm/exec applied to atob, Buffer.from, unescape, fromCharCode or a decompressor"
    severity = "high"
    reference = "docs/heuristics.md#decoded-exec"

  strings:
    // eval(atob(...)), new Function("require", Buffer.from(...)), vm.runInThisContext(zlib.inflateSync(...))
    $exec = /\b(eval|Function|runInThisContext|runInNewContext|runInContext|_compile)\s*\(\s*(["'][\w$, ]{0,40}["']\s*,\s*){0,3}(window\.|globalThis\.|global\.|self\.)?(atob|Buffer\.from|new\s+Buffer|unescape|decodeURIComponent|String\.fromCharCode|[\w$]{1,24}\.(inflateSync|gunzipSync|inflateRawSync|brotliDecompressSync))\s*\(/
    // child_process.exec(Buffer.from("Y3VybCAu...", "base64").toString())
    $shell = /\b(exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\(\s*(atob|Buffer\.from|new\s+Buffer)\s*\(/

  condition:
    any of them
}

rule gv_long_payload_near_exec
{
  meta:
    description = "Long base64 or hex payload within a few hundred bytes of eval/Function/vm execution"
    severity = "high"
    reference = "docs/heuristics.md#decoded-exec"

  strings:
    // Each pattern is anchored on a literal (eval, atob, 'base64', split)
    // and needs only 400 characters of the encoded run, so payloads longer
    // than libyara's 4 KiB regex window still match. Hex is a subset of the
    // base64 alphabet, so one class covers both.
    //   eval(decode("AAAA...   /   new Function(x("AAAA...
    $exec_then_payload = /\b(eval|Function|runInThisContext|runInNewContext)\s*\([^;'"`]{0,100}["'`][A-Za-z0-9+\/]{400}/
    //   var p = "...AAAA"; ... eval(decode(p)) / m._compile(decrypt(p)) (flatmap-stream)
    $payload_then_eval = /[A-Za-z0-9+\/]{400}={0,2}["'`].{0,300}\b(eval|_compile|runInThisContext|runInNewContext)\s*\(/s
    //   Buffer.from("...AAAA", "base64") / atob("AAAA... / "...AAAA".split("").reverse()
    $b64_arg = /[A-Za-z0-9+\/]{400}={0,2}["'`]\s*,\s*["'](base64|hex)["']/
    $b64_atob = /\batob\s*\(\s*["'`][A-Za-z0-9+\/]{400}/
    $reversed = /[A-Za-z0-9+\/=]{400}["'`]\s*\.split\(\s*["'`]["'`]\s*\)\s*\.reverse\(\s*\)/
    $exec = /\b(eval|Function|runInThisContext|runInNewContext|_compile)\s*\(/ private

  condition:
    $exec_then_payload or $payload_then_eval or
    ($exec and (
      for any i in (1..#b64_arg) : ( $exec in (@b64_arg[i] - 300 .. @b64_arg[i] + !b64_arg[i] + 300) ) or
      for any i in (1..#b64_atob) : ( $exec in (@b64_atob[i] - 300 .. @b64_atob[i] + !b64_atob[i] + 300) ) or
      for any i in (1..#reversed) : ( $exec in (@reversed[i] - 300 .. @reversed[i] + !reversed[i] + 300) )
    ))
}

rule gv_env_keyed_decrypt
{
  meta:
    description = "Decrypts with a key taken from an npm_package_* variable: the payload only decrypts inside one target package's install (the event-stream/flatmap-stream trick)"
    severity = "critical"
    reference = "docs/heuristics.md#decoded-exec"

  strings:
    $keyed = /\bcreateDecipher(iv)?\s*\([^;]{0,120}\bnpm_package_[A-Za-z_]+/

  condition:
    $keyed
}
