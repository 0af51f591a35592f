// Runs a command under a seccomp user-notification supervisor and records
// its whole process tree's network egress: every connect and datagram send
// (IPv4 and IPv6, TCP and UDP) and every DNS question sent with sendto,
// sendmsg or sendmmsg -- or, through the DNS relay (egress/relay.h), any
// other call on a socket connected to port 53. No root: the filter is installed by the child itself
// (no_new_privs), inherited by everything it starts, and static binaries
// make the same system calls. See docs/egress.md for what is not seen.
//
// Block mode decides on data the tree can no longer change: the supervisor
// copies the address (and, for a send, the payload) out of the caller, checks
// the copy, and performs the call itself on a duplicate of the caller's
// socket (pidfd_getfd), returning its result. A "continue" answer, which the
// kernel documents as unsafe for security decisions, is only given where
// nothing is decided: audit mode, non-network sockets, and sends on a
// connected stream socket (whose peer was checked when it connected).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "egress/endpoint.h"
#include "egress/event.h"

namespace gv::egress {

struct SuperviseOptions {
  std::vector<std::string> argv;      // argv[0] is looked up in PATH
  bool block = false;                 // enforce `allow`; otherwise record only
  const AllowList* allow = nullptr;   // required with block
  // The port whose traffic is DNS: 53, except in tests, which cannot bind
  // it without root and run their DNS server on an ephemeral port.
  uint16_t dns_port = 53;
};

struct SuperviseResult {
  // The command's exit status; 128 + signal number when a signal killed it.
  int exit_status = 0;
  std::vector<Event> events;  // in the order the calls were made
  // What could not be seen or decided, one sentence each, for the summary
  // (e.g. a call whose arguments could not be read).
  std::vector<std::string> unseen;
};

// Runs opt.argv to completion under the supervisor. An error (nothing ran,
// or the supervisor could not be set up: the command does not exist, seccomp
// is unavailable) is returned as such; the command's own failure is its exit
// status, never an error.
std::optional<Error> supervise(const SuperviseOptions& opt, SuperviseResult* out);

}  // namespace gv::egress
