#include "services/event_command/domain/overview.h"

namespace ticketly::event_command {
namespace {

// Markdown control characters in user text would change the structure of the draft.
std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\r') continue;
    if (std::string_view("\\`*_[]#<>|").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out = escape(text);
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

bool present(const std::optional<std::string>& s) { return s && s->find_first_not_of(" \t\r\n") != std::string::npos; }

}  // namespace

std::string draft_overview(const OverviewRequest& r) {
  std::string md;
  md += "## " + (present(r.title) ? one_line(*r.title) : std::string("About this event")) + "\n\n";
  if (present(r.organization) || present(r.category)) {
    md += "*";
    if (present(r.category)) md += one_line(*r.category);
    if (present(r.category) && present(r.organization)) md += " · ";
    if (present(r.organization)) md += "presented by " + one_line(*r.organization);
    md += "*\n\n";
  }
  if (present(r.description)) md += escape(*r.description) + "\n\n";
  md += "### What to expect\n\n";
  md += escape(r.prompt) + "\n\n";
  md += "### Good to know\n\n";
  md += "- Choose your seats and pay securely online; your e-tickets arrive with a QR code.\n";
  md += "- Please arrive early: doors open before the start time shown on your ticket.\n";
  md += "- Keep your QR code ready for scanning at the entrance.\n";
  return md;
}

boost::asio::awaitable<std::string> DraftOverviewGenerator::generate(OverviewRequest request) {
  co_return draft_overview(request);
}

}  // namespace ticketly::event_command
