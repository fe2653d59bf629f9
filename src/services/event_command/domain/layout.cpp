#include "services/event_command/domain/layout.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "platform/errors.h"
#include "platform/json/reader.h"

namespace ticketly::event_command {
namespace {

using json::ObjectReader;

constexpr double kMaxCoordinate = 1'000'000;
const std::vector<std::string_view>& block_types() {
  static const std::vector<std::string_view> types{"seated_grid", "standing_capacity", "non_sellable"};
  return types;
}

std::string item(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Ids of one layout: the client's when it is a valid UUID (the designer also sends
// temporary ids such as "block-3", which are replaced), never twice.
class Ids {
 public:
  Uuid take(const ObjectReader& r) {
    Uuid id = Uuid::random();
    auto it = r.raw().find("id");
    if (it != r.raw().end() && it->is_string()) {
      if (auto parsed = Uuid::parse(it->get_ref<const std::string&>())) id = *parsed;
    }
    if (!seen_.insert(id).second) {
      throw bad_request("'" + r.field("id") + "' repeats the id " + id.str() +
                        ": block, row and seat ids must be unique within a layout");
    }
    return id;
  }

 private:
  std::unordered_set<Uuid> seen_;
};

// The blocks array of {"name", "layout": {"blocks": […]}} (or of a bare {"blocks": […]}).
const Json& read_blocks(const ObjectReader& data, const std::string& field, std::string& path) {
  if (data.has("layout")) {
    ObjectReader layout = data.required_object("layout");
    path = field + ".layout.blocks";
    return layout.required_array("blocks", kMaxBlocks);
  }
  path = field + ".blocks";
  return data.required_array("blocks", kMaxBlocks);
}

Json read_position(const ObjectReader& block) {
  double x = 0, y = 0;
  if (block.has("position")) {
    ObjectReader p = block.required_object("position");
    x = p.optional_number("x", -kMaxCoordinate, kMaxCoordinate).value_or(0);
    y = p.optional_number("y", -kMaxCoordinate, kMaxCoordinate).value_or(0);
  }
  return {{"x", x}, {"y", y}};
}

void copy_size(const ObjectReader& block, Json& out) {
  for (const char* key : {"width", "height"}) {
    if (auto v = block.optional_number(key, 0, kMaxCoordinate)) out[key] = *v;
  }
}

std::string block_name(const ObjectReader& block, std::size_t index) {
  auto name = block.optional_string("name", {.max = 100});
  return name && !name->empty() ? *name : "Block " + std::to_string(index + 1);
}

// "startColumnLabel": a number or a numeric string; the first column's number.
std::int64_t start_column(const ObjectReader& block) {
  auto it = block.raw().find("startColumnLabel");
  if (it == block.raw().end() || it->is_null()) return 1;
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && n >= 0 && n <= 100000) return n;
    throw bad_request("'" + block.field("startColumnLabel") + "' must be a column number such as 1");
  }
  return block.required_int("startColumnLabel", 0, 100000);
}

std::size_t start_row(const ObjectReader& block) {
  auto label = block.optional_string("startRowLabel", {.max = 3});
  if (!label || label->empty()) return 0;
  std::string upper = *label;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  auto index = row_index(upper);
  if (!index) throw bad_request("'" + block.field("startRowLabel") + "' must be a row label such as A or AA");
  return *index;
}

// Walks one session layout, counting seats and checking tiers as it goes.
class SessionLayoutReader {
 public:
  explicit SessionLayoutReader(const LayoutRules& rules) : rules_(rules) {}

  NormalizedLayout read(const Json& layout_data, const std::string& field) {
    ObjectReader data(layout_data, field);
    std::string path;
    const Json& blocks = read_blocks(data, field, path);
    if (blocks.empty()) throw bad_request("'" + path + "' must have at least one block");
    Json out_blocks = Json::array();
    for (std::size_t i = 0; i < blocks.size(); ++i) out_blocks.push_back(read_block(blocks[i], item(path, i), i));
    if (rules_.session_type == SessionType::Online) make_online(out_blocks, path);
    // A session sells seats: a map without one sellable seat is a mistake, not a choice.
    if (sellable_ == 0) throw bad_request("'" + path + "' has no sellable seat: give at least one seat a tier");
    NormalizedLayout result;
    result.data = {{"name", data.optional_string("name", {.max = 100}).value_or("")},
                   {"layout", {{"blocks", std::move(out_blocks)}}}};
    result.seat_count = seats_;
    result.sellable_seats = sellable_;
    result.tier_ids.assign(used_tiers_.begin(), used_tiers_.end());
    return result;
  }

 private:
  Json read_block(const Json& value, const std::string& path, std::size_t index) {
    ObjectReader block(value, path);
    Json out = {{"id", ids_.take(block).str()},
                {"name", block_name(block, index)},
                {"type", block.required_enum("type", block_types())},
                {"position", read_position(block)}};
    const std::string type = out["type"];
    if (type == "seated_grid") {
      out["rows"] = read_grid(block);
    } else if (type == "standing_capacity") {
      read_standing(block, out);
      copy_size(block, out);
    } else {
      copy_size(block, out);
    }
    return out;
  }

  Json read_grid(const ObjectReader& block) {
    auto it = block.raw().find("rows");
    if (it != block.raw().end() && it->is_number()) return expand_grid(block);
    const Json& rows = block.required_array("rows", kMaxGridRows);
    Json out = Json::array();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ObjectReader row(rows[r], item(block.field("rows"), r));
      Uuid id = ids_.take(row);
      std::string label = row.optional_string("label", {.max = 10}).value_or("");
      if (label.empty()) label = row_label(r);
      const Json& seats = row.required_array("seats", kMaxGridColumns);
      Json out_seats = Json::array();
      for (std::size_t s = 0; s < seats.size(); ++s) {
        out_seats.push_back(read_seat(seats[s], item(row.field("seats"), s), std::to_string(s + 1) + label, {}));
      }
      out.push_back({{"id", id.str()}, {"label", label}, {"seats", std::move(out_seats)}});
    }
    return out;
  }

  // The template form: {"rows": 10, "columns": 20, "startRowLabel"?, "startColumnLabel"?, "tierId"}.
  Json expand_grid(const ObjectReader& block) {
    auto rows = static_cast<std::size_t>(block.required_int("rows", 1, kMaxGridRows));
    auto columns = static_cast<std::size_t>(block.required_int("columns", 1, kMaxGridColumns));
    std::size_t first_row = start_row(block);
    std::int64_t first_column = start_column(block);
    if (first_row + rows > kMaxGridRows) throw bad_request("'" + block.field("rows") + "' runs past row ZZ");
    check_room(rows * columns);
    auto tier = block.optional_uuid("tierId");
    if (!tier) {
      throw bad_request("'" + block.field("tierId") + "' is required to expand a grid given as rows and columns");
    }
    check_tier(*tier, block.field("tierId"));
    Json out = Json::array();
    for (std::size_t r = 0; r < rows; ++r) {
      std::string label = row_label(first_row + r);
      Json seats = Json::array();
      for (std::size_t c = 0; c < columns; ++c) {
        seats.push_back(seat_json(Uuid::random(), std::to_string(first_column + static_cast<std::int64_t>(c)) + label,
                                  tier, "AVAILABLE"));
      }
      out.push_back({{"id", Uuid::random().str()}, {"label", label}, {"seats", std::move(seats)}});
    }
    return out;
  }

  void read_standing(const ObjectReader& block, Json& out) {
    auto capacity = block.optional_int("capacity", 1, static_cast<std::int64_t>(rules_.max_seats));
    auto tier = block.optional_uuid("tierId");
    const Json* seats = block.optional_array("seats", rules_.max_seats);
    Json out_seats = Json::array();
    if (seats && !seats->empty()) {
      if (capacity && static_cast<std::size_t>(*capacity) != seats->size()) {
        throw bad_request("'" + block.field("capacity") + "' is " + std::to_string(*capacity) + " but " +
                          std::to_string(seats->size()) + " seats were given");
      }
      for (std::size_t s = 0; s < seats->size(); ++s) {
        out_seats.push_back(read_seat((*seats)[s], item(block.field("seats"), s), "Slot " + std::to_string(s + 1), tier));
      }
    } else {
      if (!capacity) throw bad_request("'" + block.field("capacity") + "' is required for a standing_capacity block");
      if (!tier) throw bad_request("'" + block.field("tierId") + "' is required for a standing_capacity block without seats");
      check_tier(*tier, block.field("tierId"));
      check_room(static_cast<std::size_t>(*capacity));
      for (std::int64_t s = 0; s < *capacity; ++s) {
        out_seats.push_back(seat_json(Uuid::random(), "Slot " + std::to_string(s + 1), tier, "AVAILABLE"));
      }
    }
    out["capacity"] = out_seats.size();
    out["seats"] = std::move(out_seats);
  }

  Json read_seat(const Json& value, const std::string& path, const std::string& default_label,
                 std::optional<Uuid> default_tier) {
    ObjectReader seat(value, path);
    Uuid id = ids_.take(seat);
    std::string label = seat.optional_string("label", {.max = 20}).value_or("");
    if (label.empty()) label = default_label;
    std::string status = seat.optional_string("status").value_or("AVAILABLE");
    // Sales state (BOOKED) is not part of a layout: a map copied from a session keeps its seats.
    if (status == "BOOKED") status = "AVAILABLE";
    if (status != "AVAILABLE" && status != "RESERVED") {
      throw bad_request("'" + seat.field("status") + "' must be one of: AVAILABLE, RESERVED");
    }
    auto tier = seat.has("tierId") ? seat.optional_uuid("tierId") : default_tier;
    if (tier) check_tier(*tier, seat.field("tierId"));
    if (!tier && status != "RESERVED") {
      throw bad_request("Seat '" + label + "' (" + path + ") has no tier: every seat that is not RESERVED needs a tierId");
    }
    check_room(1);
    return seat_json(id, label, tier, status);
  }

  Json seat_json(Uuid id, std::string label, std::optional<Uuid> tier, std::string_view status) {
    ++seats_;
    if (status != "RESERVED") ++sellable_;
    if (tier) used_tiers_.insert(*tier);
    return {{"id", id.str()},
            {"label", std::move(label)},
            {"tierId", tier ? Json(tier->str()) : Json(nullptr)},
            {"status", status}};
  }

  void check_tier(const Uuid& tier, const std::string& field) const {
    if (!rules_.tier_ids.contains(tier)) {
      throw bad_request("'" + field + "' refers to " + tier.str() + ", which is not a tier of this event");
    }
  }

  void check_room(std::size_t more) const {
    if (seats_ + more > rules_.max_seats) {
      throw bad_request("A session can have at most " + std::to_string(rules_.max_seats) + " seats");
    }
  }

  void make_online(Json& blocks, const std::string& path) const {
    if (blocks.size() != 1 || blocks[0]["type"] != "standing_capacity") {
      throw bad_request("'" + path + "' of an ONLINE session must be exactly one standing_capacity block (its capacity)");
    }
    blocks[0]["name"] = kOnlineBlockName;
  }

  const LayoutRules& rules_;
  Ids ids_;
  std::size_t seats_ = 0;
  std::size_t sellable_ = 0;
  std::set<Uuid> used_tiers_;
};

Json template_block(const Json& value, const std::string& path, std::size_t index, Ids& ids,
                    std::size_t max_seats, std::size_t& seats) {
  ObjectReader block(value, path);
  Json out = {{"id", ids.take(block).str()},
              {"name", block_name(block, index)},
              {"type", block.required_enum("type", block_types())},
              {"position", read_position(block)}};
  const std::string type = out["type"];
  std::size_t block_seats = 0;
  if (type == "seated_grid") {
    std::int64_t rows = 0, columns = 0;
    auto it = block.raw().find("rows");
    if (it != block.raw().end() && it->is_array()) {
      // An expanded grid saved as a template keeps its shape as counts.
      rows = static_cast<std::int64_t>(block.required_array("rows", kMaxGridRows).size());
      for (const auto& row : *it) {
        if (row.is_object() && row.contains("seats") && row["seats"].is_array()) {
          columns = std::max<std::int64_t>(columns, static_cast<std::int64_t>(row["seats"].size()));
        }
      }
      if (rows == 0 || columns == 0 || columns > static_cast<std::int64_t>(kMaxGridColumns)) {
        throw bad_request("'" + block.field("rows") + "' must describe between 1 and " +
                          std::to_string(kMaxGridColumns) + " seats per row");
      }
    } else {
      rows = block.required_int("rows", 1, kMaxGridRows);
      columns = block.required_int("columns", 1, kMaxGridColumns);
    }
    out["rows"] = rows;
    out["columns"] = columns;
    std::size_t first_row = start_row(block);
    if (first_row + static_cast<std::size_t>(rows) > kMaxGridRows) {
      throw bad_request("'" + block.field("rows") + "' runs past row ZZ");
    }
    out["startRowLabel"] = row_label(first_row);
    out["startColumnLabel"] = start_column(block);
    block_seats = static_cast<std::size_t>(rows * columns);
  } else if (type == "standing_capacity") {
    auto capacity = block.required_int("capacity", 1, static_cast<std::int64_t>(max_seats));
    out["capacity"] = capacity;
    copy_size(block, out);
    block_seats = static_cast<std::size_t>(capacity);
  } else {
    copy_size(block, out);
  }
  seats += block_seats;
  if (seats > max_seats) throw bad_request("A layout can have at most " + std::to_string(max_seats) + " seats");
  return out;
}

}  // namespace

NormalizedLayout normalize_session_layout(const Json& layout_data, const LayoutRules& rules, const std::string& field) {
  SessionLayoutReader reader(rules);
  return reader.read(layout_data, field);
}

Json normalize_template_layout(const Json& layout_data, std::size_t max_seats, const std::string& field) {
  ObjectReader data(layout_data, field);
  std::string path;
  const Json& blocks = read_blocks(data, field, path);
  if (blocks.empty()) throw bad_request("'" + path + "' must have at least one block");
  Ids ids;
  std::size_t seats = 0;
  Json out = Json::array();
  for (std::size_t i = 0; i < blocks.size(); ++i) out.push_back(template_block(blocks[i], item(path, i), i, ids, max_seats, seats));
  // Shift so that the top-left-most edges sit one gap from the origin.
  double min_x = std::numeric_limits<double>::max(), min_y = std::numeric_limits<double>::max();
  for (const auto& b : out) {
    min_x = std::min(min_x, b["position"]["x"].get<double>());
    min_y = std::min(min_y, b["position"]["y"].get<double>());
  }
  for (auto& b : out) {
    b["position"]["x"] = b["position"]["x"].get<double>() - min_x + kLayoutGap;
    b["position"]["y"] = b["position"]["y"].get<double>() - min_y + kLayoutGap;
  }
  return {{"name", data.optional_string("name", {.max = 100}).value_or("")}, {"layout", {{"blocks", std::move(out)}}}};
}

std::string row_label(std::size_t index) {
  std::string out;
  std::size_t n = index + 1;
  while (n > 0) {
    --n;
    out.insert(out.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  }
  return out;
}

std::optional<std::size_t> row_index(std::string_view label) {
  if (label.empty() || label.size() > 3) return std::nullopt;
  std::size_t n = 0;
  for (char c : label) {
    if (c < 'A' || c > 'Z') return std::nullopt;
    n = n * 26 + static_cast<std::size_t>(c - 'A' + 1);
  }
  return n - 1;
}

}  // namespace ticketly::event_command
