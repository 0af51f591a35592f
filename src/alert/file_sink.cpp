// file:PATH: JSON lines appended with O_APPEND in one write(2) per delivery,
// then fsync: concurrent writers (two watch processes, a log shipper
// rotating the file) never interleave inside a batch, and "delivered" means
// on disk. The file is created 0640: alerts name vulnerable repositories.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "alert/deliver_internal.h"
#include "common/fd.h"

namespace gv::alert_internal {

namespace {

// Errors that only a person can fix; others (ENOSPC, EIO, EDQUOT) may pass.
bool permanent(int err) {
  return err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM || err == EISDIR ||
         err == EROFS || err == ELOOP || err == ENAMETOOLONG;
}

DeliveryResult file_error(const Sink& sink, const char* what, int err) {
  DeliveryResult r;
  r.kind = permanent(err) ? DeliveryResult::kFailed : DeliveryResult::kRetry;
  r.detail = std::string(what) + " " + quote_for_message(sink.path) + ": " + std::strerror(err);
  if (err == ENOENT) r.detail += " (does the folder exist?)";
  return r;
}

}  // namespace

DeliveryResult deliver_file(const Sink& sink, const Delivery& d) {
  std::string batch;
  for (const std::string& line : d.lines) {
    batch += line;
    batch += '\n';
  }
  UniqueFd fd(open(sink.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (fd.fd < 0) return file_error(sink, "open", errno);
  std::string_view rest = batch;
  while (!rest.empty()) {
    ssize_t n = write(fd.fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return file_error(sink, "write", errno);
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd.fd) != 0) return file_error(sink, "fsync", errno);
  DeliveryResult r;
  r.kind = DeliveryResult::kDelivered;
  r.detail = std::to_string(d.lines.size()) + " line(s) appended to " + quote_for_message(sink.path);
  return r;
}

}  // namespace gv::alert_internal
