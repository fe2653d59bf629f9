#include "platform/config/source.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace ticketly::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::map<std::string, std::string> Source::parse_file(std::string_view text, std::string_view origin) {
  std::map<std::string, std::string> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
    auto eq = line.find('=');
    auto key = trim(line.substr(0, eq));
    if (eq == std::string_view::npos || key.empty()) {
      throw std::runtime_error(std::string(origin) + ":" + std::to_string(line_no) + ": expected KEY=VALUE");
    }
    auto value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(key)] = std::string(value);
  }
  return out;
}

Source Source::from_environment() {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  if (auto it = env.find("TICKETLY_CONFIG_FILE"); it != env.end() && !it->second.empty()) {
    std::ifstream in(it->second);
    if (!in) throw std::runtime_error("TICKETLY_CONFIG_FILE: cannot read " + it->second);
    std::stringstream ss;
    ss << in.rdbuf();
    values = parse_file(ss.str(), it->second);
  }
  for (auto& [k, v] : env) values[k] = v;
  return Source(std::move(values));
}

std::optional<std::string> Source::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Source Source::with(std::string key, std::string value) const {
  Source copy = *this;
  copy.values_[std::move(key)] = std::move(value);
  return copy;
}

}  // namespace ticketly::config
