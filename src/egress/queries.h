// What `gouvernante net baseline|anomalies|search` compute from recorded
// events, kept apart from the store and the command line so tests feed them
// events directly.
//
// Everything is keyed by a *destination*: the name when one is known (a DNS
// question's name, or the name the tree resolved a connect's address from),
// otherwise `address:port`. A name is the better key because CDNs rotate
// addresses between runs: keyed by address, every run of a healthy job would
// look new. Names are compared lower-cased with a trailing dot dropped, as
// resolvers do.
//
// A job's *baseline* is the set of destinations its recent runs reached; an
// *anomaly* is a destination of one run that none of the baseline's runs
// reached. A *search* matches events against network targets (a domain with
// its subdomains, an address with an optional port, a CIDR block), given on
// the command line or taken from rules' `network` host indicators.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "egress/endpoint.h"
#include "egress/event.h"

namespace gv::egress {

// "registry.npmjs.org" for a DNS question or an annotated connect,
// "140.82.112.3:443", "[2606:4700::1]:443" otherwise.
std::string destination_of(const Event& e);

// The events of one recorded run, as recorded.
struct RunEvents {
  std::string run_id;
  std::vector<Event> events;
};

struct BaselineEntry {
  std::string destination;
  std::vector<std::string> kinds;  // "connect", "dns", "send": the kinds of event that reached it, sorted
  size_t runs = 0;                 // how many of the baseline's runs reached it
  int64_t first_seen_ns = 0, last_seen_ns = 0;
};

// The destinations `runs` reached, sorted by destination (bytewise).
std::vector<BaselineEntry> baseline(std::span<const RunEvents> runs);

struct Anomaly {
  std::string destination;
  Event event;  // the first event of the run that reached it
};

// The destinations of `run` absent from `base`, in the order the run first
// reached them.
std::vector<Anomaly> anomalies(const RunEvents& run, std::span<const BaselineEntry> base);

// ---- search ----

// A search target is an Endpoint (egress/endpoint.h) read for matching
// rather than allowing: kHost matches the name and every name below it (a
// domain that serves an attack serves it from its subdomains too) on DNS
// questions and annotated connects, whatever the port; kAddress matches the
// event's address exactly (IPv4 and IPv4-mapped IPv6 alike) and its port when
// it names one; kCidr matches any address in the block. Wildcards are read as
// their domain ("*.evil.example" searches evil.example and below).

// The DOMAIN | IP[:PORT] of `net search`: a domain (no port: a DNS question
// has none), an IPv4 or IPv6 address, IPv4:port or [IPv6]:port. Anything
// else -- a CIDR block, a wildcard, a URL, a word with spaces -- is refused
// with *error saying what was expected.
bool parse_search_query(std::string_view text, Endpoint* out, std::string* error);

// The value of a rule's `network` host indicator, in every form
// docs/host-indicators.md documents: an address, address:port,
// [IPv6]:port, a CIDR block, a domain, *.domain, domain:port (the port is
// ignored, as in the host scan), a URL (its host and port), and host/path
// as advisories write webhook URLs without their scheme (its host). False
// with *error when the value is none of these; the caller reports it as not
// checked.
bool parse_network_indicator(std::string_view value, Endpoint* out, std::string* error);

// Whether `e` reached `target`; when it did, *destination says what matched:
// the event's name for a domain target, its address:port for an address or
// block.
bool search_matches(const Endpoint& target, const Event& e, std::string* destination);

}  // namespace gv::egress
