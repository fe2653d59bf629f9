#pragma once
// Query parameters: C++ values encoded as PostgreSQL text-format parameters.
//
//   co_await conn.query("SELECT ... WHERE id = $1 AND n > $2", id, 42);
//
// Every parameter is sent as text with type OID 0, so the server infers its type
// from the statement (`$1::timestamptz` where it cannot). Supported out of the box:
// strings (std::string, std::string_view, const char*), integers, floating point,
// bool, std::optional<T> and std::nullopt (NULL), system_clock time points (ISO-8601
// UTC), nlohmann::json (for json/jsonb), ticketly::Uuid, and std::vector of any of these
// (an array literal, e.g. for `= ANY($1)`). Other types opt in by specialising
// `ticketly::db::ParamTraits<T>` with `static Encoded encode(const T&)`.
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/types/uuid.h"

namespace ticketly::db {

// One encoded parameter; std::nullopt is SQL NULL.
using Encoded = std::optional<std::string>;

// ---- building blocks (params.cpp), public for tests and custom traits ----

// "2024-03-01T12:30:05.123456Z" (microseconds, PostgreSQL's precision); the extremes of
// the time point type become "infinity" / "-infinity".
std::string format_timestamp(std::chrono::sys_time<std::chrono::microseconds> t);
// Shortest text that reads back to the same double; NaN and infinities as PostgreSQL
// spells them.
std::string format_double(double v);
// A one-dimensional array literal: every element double-quoted with `"` and `\` escaped,
// NULL elements as the bare word NULL. {} for an empty vector.
std::string array_literal(const std::vector<Encoded>& elements);

// ---- the traits ----

template <class T, class = void>
struct ParamTraits;  // no encoding for this type: specialise ParamTraits<T> to add one

template <>
struct ParamTraits<std::string> {
  static Encoded encode(const std::string& v) { return v; }
};
template <>
struct ParamTraits<std::string_view> {
  static Encoded encode(std::string_view v) { return std::string(v); }
};
template <>
struct ParamTraits<const char*> {
  static Encoded encode(const char* v) { return v ? Encoded(v) : std::nullopt; }
};
template <>
struct ParamTraits<char*> : ParamTraits<const char*> {};

template <>
struct ParamTraits<bool> {
  static Encoded encode(bool v) { return std::string(v ? "true" : "false"); }
};

// Integers, but not char (a character is not a number; pass a std::string).
template <class T>
struct ParamTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                       !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
                                       !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
                                       !std::is_same_v<T, char32_t>>> {
  static Encoded encode(T v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;  // 24 bytes hold every 64-bit integer
    return std::string(buf, end);
  }
};

template <std::floating_point T>
struct ParamTraits<T> {
  static Encoded encode(T v) { return format_double(static_cast<double>(v)); }
};

template <>
struct ParamTraits<std::nullopt_t> {
  static Encoded encode(std::nullopt_t) { return std::nullopt; }
};
template <>
struct ParamTraits<std::nullptr_t> {
  static Encoded encode(std::nullptr_t) { return std::nullopt; }
};

template <class T>
struct ParamTraits<std::optional<T>> {
  static Encoded encode(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    return ParamTraits<T>::encode(*v);
  }
};

template <class Duration>
struct ParamTraits<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;
  static Encoded encode(TimePoint t) {
    using std::chrono::microseconds;
    // The extremes map to PostgreSQL's infinities so "never" round-trips.
    if (t == TimePoint::max()) return std::string("infinity");
    if (t == TimePoint::min()) return std::string("-infinity");
    return format_timestamp(std::chrono::floor<microseconds>(t));
  }
};

template <>
struct ParamTraits<nlohmann::json> {
  static Encoded encode(const nlohmann::json& v) { return v.dump(); }
};

template <>
struct ParamTraits<ticketly::Uuid> {
  static Encoded encode(const ticketly::Uuid& v) { return v.str(); }
};

template <class T, class A>
struct ParamTraits<std::vector<T, A>> {
  static Encoded encode(const std::vector<T, A>& v) {
    std::vector<Encoded> elements;
    elements.reserve(v.size());
    for (const auto& e : v) elements.push_back(ParamTraits<T>::encode(e));
    return array_literal(elements);
  }
};

// A type the query functions accept as a parameter. String literals and other arrays
// decay to pointers first.
template <class T>
concept Param = requires(const T& v) {
  { ParamTraits<std::decay_t<T>>::encode(v) } -> std::same_as<Encoded>;
};

template <Param T>
Encoded encode_param(const T& v) {
  return ParamTraits<std::decay_t<T>>::encode(v);
}

// Encodes a parameter pack, in order, into the vector the connection sends.
template <Param... Ps>
std::vector<Encoded> encode_params(const Ps&... ps) {
  std::vector<Encoded> out;
  out.reserve(sizeof...(Ps));
  (out.push_back(encode_param(ps)), ...);
  return out;
}

}  // namespace ticketly::db
