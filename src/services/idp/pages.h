#pragma once
// The provider's HTML: the login form, error and logged-out pages, and the two iframes
// keycloak-js loads (third-party cookie check, session status). Small, self-contained
// (no external assets), every inserted value escaped.
#include <string>
#include <string_view>

#include "platform/http/response.h"

namespace ticketly::idp {

struct LoginForm {
  std::string action;    // where the form posts
  std::string login_id;  // hidden: the pending login
  std::string csrf;      // hidden: its anti-forgery token
  std::string username;  // prefilled (login_hint or the last attempt)
  std::string error;     // shown above the form when set
  std::string client;    // the application the user logs in to
};

std::string login_page(const LoginForm& form);
std::string error_page(std::string_view message);
std::string logged_out_page();
// 3p-cookies/step1.html sets a cookie from script and moves on to step2.html, which
// posts "supported" or "unsupported" to the parent window (as Keycloak's pages do).
std::string third_party_cookies_step1();
std::string third_party_cookies_step2(std::string_view cookie_path);
// Answers keycloak-js's "<clientId> <sessionState>" messages with "unchanged",
// "changed" or "error" by comparing with the KEYCLOAK_SESSION cookie, after asking
// login-status-iframe.html/init whether the parent's origin may ask for that client.
std::string login_status_iframe();

// text/html; charset=utf-8, no caching. Pages that are not iframes may not be framed by
// other sites (clickjacking); `frameable` pages are the iframes keycloak-js embeds.
http::Response html_response(int status, std::string body, bool frameable = false);

}  // namespace ticketly::idp
