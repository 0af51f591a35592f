// DNS exfiltration heuristics over the questions a recorded run asked
// (`gouvernante net exfil`). Data smuggled out through DNS has to be written
// into the names themselves, under a domain whose name server the attacker
// runs: chunks of base32, hex or base64 as labels, many distinct names under
// one parent, or TXT/NULL questions whose answers carry the reply. Each
// (run, parent domain) group is measured and becomes a suspect when any
// threshold is reached; the reasons say which.
//
// The parent domain is the registrable domain (the label above a public
// suffix): the attacker owns it, and everything to its left is payload.
// Public suffixes come from a short built-in list (public_suffixes()), not the
// full Public Suffix List: a single-label suffix is assumed otherwise, so
// "x.y.example.co.uk" groups under "example.co.uk" only because co.uk is
// listed. Cloud suffixes where each customer gets a label of its own
// (cloudfront.net, s3.amazonaws.com, blob.core.windows.net, ...) are listed
// for the same reason: their customer labels are random-looking names, not
// payload, and belong to the parent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gv::egress {

struct DnsRecord {
  std::string run_id;
  int64_t time_ns = 0;
  std::string name;  // as parse_dns_query writes it (\DDD escapes are decoded for measuring)
  uint16_t type = 0;
};

struct ExfilThresholds {
  // A label this long is payload-sized: DNS tunnels fill labels to 63
  // characters; names people choose rarely pass 30.
  size_t long_label = 50;
  // High entropy: a run of at least entropy_min_run characters without a
  // hyphen (hyphens join the words of names people choose; encoders emit
  // none, except base64url's rare '-') at or above entropy_bits bits per
  // character. A hex run (digits and a-f, both present) can reach only 4
  // bits, and hex-encoded text far less (its high nibbles are mostly 2 to 7:
  // 2.1 to 2.7 bits in 20 to 63 characters), while its alphabet is already a
  // tell; it is held to hex_entropy_bits, which only refuses degenerate runs
  // ("2020202020..."). Counted per distinct label; a group needs
  // high_entropy_labels of them, since one random-looking name (a bucket or
  // an account id) is ordinary and a chunked payload never comes alone.
  size_t entropy_min_run = 20;
  double entropy_bits = 3.8;
  double hex_entropy_bits = 2.0;
  size_t high_entropy_labels = 2;
  // Distinct names under one parent in one run.
  size_t unique_subdomains = 30;
  // TXT or NULL questions under one parent in one run.
  size_t txt_null_queries = 10;
};

struct ExfilSuspect {
  std::string run_id;
  std::string parent_domain;
  size_t queries = 0;                // questions under the parent (expansions included)
  size_t unique_subdomains = 0;      // distinct names strictly below the parent
  size_t max_label_length = 0;       // longest label below the parent, in bytes
  double entropy = 0;                // max bits per character over labels of 16+ bytes below the parent
  std::vector<std::string> samples;  // up to 5 names, those with flagged labels first
  std::vector<std::string> reasons;  // "12 labels of 50+ characters (max 63)"
};

// Groups by (run_id, parent domain); suspects in (run_id, parent) order.
// Names are compared lower-cased with a trailing dot dropped.
//
// Resolver search-list expansions are folded into the name they expand: with
// ndots:5 (Kubernetes pods) every lookup of registry.npmjs.org first asks
// registry.npmjs.org.<ns>.svc.cluster.local and two more, which would
// otherwise pile up as distinct names under cluster.local. A name is taken
// for an expansion when a name of 2+ labels asked in the same run is a
// proper prefix of it. An attacker could hide a chunk that way by also
// asking the chunk bare, at the cost of a second query per chunk; the
// bare questions then land in their own groups.
std::vector<ExfilSuspect> find_exfil(const std::vector<DnsRecord>& records, const ExfilThresholds& t = {});

// "a.b.example.co.uk" -> "example.co.uk", "registry.npmjs.org" -> "npmjs.org",
// "d111.cloudfront.net" -> itself; a name of one or two labels is its own.
std::string registrable_domain(std::string_view name);

// The built-in public suffixes of more than one label (see above).
std::span<const std::string_view> public_suffixes();

// Shannon entropy of the bytes of `s`, bits per byte (0 for "").
double shannon_entropy(std::string_view s);

}  // namespace gv::egress
