#pragma once
// Logging: spdlog, one JSON object per line on stdout (or plain text for a
// terminal), UTC timestamps. Loggers are registered once at start-up. The access
// log has its own batched writer (access_log.h) so a slow stdout never stalls an
// I/O thread.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace ticketly::log {

enum class Format { Json, Text };

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  Format format = Format::Json;
  bool access_log = true;
};

// Installs the default logger and the "access" logger. Safe to call again
// (tests call it with other options); throws std::invalid_argument on a bad level.
void init(const LogOptions& options);

class AccessLogSink;
// The access log's writer; null when access logging is off.
AccessLogSink* access_sink();

// Escapes `s` for the inside of a JSON string (quotes, backslashes, control bytes).
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace ticketly::log
