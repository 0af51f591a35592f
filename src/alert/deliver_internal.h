// The per-sink halves of deliver(), one file each.
#pragma once

#include "alert/deliver.h"

namespace gv::alert_internal {

DeliveryResult deliver_webhook(const Sink& sink, const Delivery& d, const DeliverOptions& opt);
DeliveryResult deliver_s3(const Sink& sink, const Delivery& d, const DeliverOptions& opt);
DeliveryResult deliver_syslog(const Sink& sink, const Delivery& d, const DeliverOptions& opt);
DeliveryResult deliver_file(const Sink& sink, const Delivery& d);

// 2xx delivered; 408, 429, 5xx retry; anything else failed.
DeliveryResult::Kind classify_http(long status);

// Replaces every occurrence of each non-empty secret with "[redacted]".
std::string scrub(std::string text, const DeliverOptions& opt);

}  // namespace gv::alert_internal
