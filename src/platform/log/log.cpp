#include "platform/log/log.h"

#include "platform/log/access_log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace ticketly::log {
namespace {

// `%*`: the message, escaped for a JSON string, so the whole line stays valid JSON
// whatever the message contains.
class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string out;
    append_json_escaped(out, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter(Format format) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == Format::Json) {
    f->add_flag<EscapedMessage>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%*"})");
  } else {
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v");
  }
  return f;
}

std::unique_ptr<AccessLogSink> g_access;  // registry-style: set once at start-up

}  // namespace

void init(const LogOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level '" + options.level + "'");
  }
  auto main = std::make_shared<spdlog::logger>("ticketly", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  main->set_formatter(make_formatter(options.format));
  main->set_level(level);
  main->flush_on(spdlog::level::info);
  spdlog::set_default_logger(main);

  g_access.reset();
  if (options.access_log) g_access = std::make_unique<AccessLogSink>(1);
}

AccessLogSink* access_sink() { return g_access.get(); }

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

}  // namespace ticketly::log
