// The browser side: the authorization endpoint (code flow with PKCE, prompt=none, SSO
// cookie), the login form's POST, and logout.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "services/idp/pages.h"
#include "services/idp/provider.h"
#include "services/idp/redirect_uris.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kAuthParams[] = {
    "client_id", "redirect_uri",   "response_type",         "response_mode", "state",   "nonce",
    "scope",     "code_challenge", "code_challenge_method", "prompt",        "max_age", "login_hint"};

std::string get(const http::QueryParams& q, std::string_view name) {
  auto v = q.get(name);
  return v ? std::string(*v) : std::string();
}

http::Response error_html(int status, std::string_view message) { return html_response(status, error_page(message)); }

// The authorization response, in the requested mode (RFC 6749 §4.1.2, OAuth 2.0 Multiple
// Response Type Encoding Practices for the fragment).
std::string response_url(const AuthRequest& r, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "" : "&") + k + "=" + url_encode(v);
  }
  if (r.response_mode == "fragment") return r.redirect_uri + "#" + q;
  return r.redirect_uri + (r.redirect_uri.find('?') == std::string::npos ? "?" : "&") + q;
}

std::string success_url(const Provider& p, const AuthRequest& r, const std::string& code, const std::string& sid) {
  return response_url(r, {{"state", r.state}, {"session_state", sid}, {"iss", p.settings.issuer}, {"code", code}});
}

http::Response error_redirect(const Provider& p, const AuthRequest& r, const std::string& error,
                              const std::string& description) {
  return redirect(response_url(
      r, {{"error", error}, {"error_description", description}, {"state", r.state}, {"iss", p.settings.issuer}}));
}

void set_session_cookies(const Provider& p, http::Response& res, const Session& s) {
  res.message.insert(http::Field::set_cookie,
                     set_cookie(kIdentityCookie, SessionStore::cookie_value(s), p.cookie_options(true)));
  res.message.insert(http::Field::set_cookie, set_cookie(kSessionCookie, s.id, p.cookie_options(false)));
}

void clear_session_cookies(const Provider& p, http::Response& res) {
  auto o = p.cookie_options(true);
  o.expire = true;
  res.message.insert(http::Field::set_cookie, set_cookie(kIdentityCookie, "", o));
  o.http_only = false;
  res.message.insert(http::Field::set_cookie, set_cookie(kSessionCookie, "", o));
}

std::optional<Session> cookie_session(const Provider& p, const http::Request& req) {
  auto c = cookie(req, kIdentityCookie);
  return c ? p.sessions.find_by_cookie(*c) : std::nullopt;
}

std::string login_action() { return std::string(kBasePath) + "/login-actions/authenticate"; }

std::string client_label(const Client& c) { return c.name.empty() ? c.client_id : c.name; }

// Parameters of a GET (query) or POST (form body) request.
std::optional<http::QueryParams> request_params(const http::Request& req) {
  if (req.method() != http::Verb::post) return req.query;
  if (!is_form(req)) return std::nullopt;
  try {
    return parse_form(req, {});
  } catch (const OAuthError&) {
    return std::nullopt;
  }
}

}  // namespace

asio::awaitable<http::Response> authorize(Provider& p, http::Request& req) {
  auto params = request_params(req);
  if (!params) co_return error_html(400, "Invalid request: expected a form body");
  for (auto name : kAuthParams) {
    if (params->all(name).size() > 1) co_return error_html(400, "Duplicate parameter: " + std::string(name));
  }
  // Until client and redirect URI are known good, errors are shown here, never redirected.
  const Client* client = p.realm.client(get(*params, "client_id"));
  if (!client || !client->enabled) co_return error_html(400, "Client not found.");
  AuthRequest r;
  r.client_id = client->client_id;
  r.redirect_uri = get(*params, "redirect_uri");
  if (r.redirect_uri.empty() || !redirect_uri_allowed(client->redirect_uris, r.redirect_uri)) {
    co_return error_html(400, "Invalid parameter: redirect_uri");
  }
  if (params->has("password")) co_return error_html(400, "Passwords are not accepted in the URL; use the form.");
  r.response_mode = get(*params, "response_mode");
  r.state = get(*params, "state");
  r.nonce = get(*params, "nonce");
  r.scope = get(*params, "scope");
  if (r.response_mode.empty()) r.response_mode = "query";
  if (r.response_mode != "query" && r.response_mode != "fragment") {
    r.response_mode = "query";
    co_return error_redirect(p, r, "invalid_request", "Invalid parameter: response_mode");
  }
  if (get(*params, "response_type") != "code") {
    co_return error_redirect(p, r, "unsupported_response_type", "Only response_type=code is supported");
  }
  if (!client->standard_flow) {
    co_return error_redirect(p, r, "unauthorized_client", "Standard flow is disabled for the client");
  }
  r.code_challenge = get(*params, "code_challenge");
  std::string method = get(*params, "code_challenge_method");
  if (!r.code_challenge.empty() || !method.empty()) {
    if (method != "S256") co_return error_redirect(p, r, "invalid_request", "Invalid parameter: code_challenge_method");
    if (!valid_code_challenge(r.code_challenge)) {
      co_return error_redirect(p, r, "invalid_request", "Invalid parameter: code_challenge");
    }
  } else if (client->public_client) {
    co_return error_redirect(p, r, "invalid_request", "Missing parameter: code_challenge_method");
  }
  std::vector<std::string> prompt;
  {
    std::istringstream in(get(*params, "prompt"));
    for (std::string w; in >> w;) prompt.push_back(w);
  }
  auto prompts = [&](std::string_view v) { return std::find(prompt.begin(), prompt.end(), v) != prompt.end(); };
  if (prompts("none") && prompt.size() > 1) {
    co_return error_redirect(p, r, "invalid_request", "Invalid parameter: prompt");
  }
  std::optional<std::int64_t> max_age;
  try {
    max_age = params->integer("max_age", 0, 10LL * 365 * 24 * 3600);
  } catch (const Error&) {
    co_return error_redirect(p, r, "invalid_request", "Invalid parameter: max_age");
  }

  auto session = cookie_session(p, req);
  if (session && prompts("login")) session.reset();
  if (session && max_age && Clock::now() - session->auth_time > std::chrono::seconds(*max_age)) session.reset();
  if (session) {
    auto user = co_await p.users.find_by_id(session->user_id);
    if (!user || !user->enabled) {
      p.sessions.end(session->id);
      session.reset();
    }
  }
  if (session) {
    auto code = p.sessions.issue_code(r, *session);
    co_return redirect(success_url(p, r, code, session->id));
  }
  if (prompts("none")) co_return error_redirect(p, r, "login_required", "");

  std::string browser = cookie(req, kBrowserCookie).value_or("");
  bool new_browser = browser.size() < 32;
  if (new_browser) browser = crypto::random_token(32);
  std::string hint = get(*params, "login_hint");
  auto login = p.sessions.begin_login(r, browser, hint);
  auto res = html_response(200, login_page({login_action(), login.id, login.csrf, hint, "", client_label(*client)}));
  if (new_browser)
    res.message.insert(http::Field::set_cookie, set_cookie(kBrowserCookie, browser, p.cookie_options(true)));
  co_return res;
}

asio::awaitable<http::Response> authenticate(Provider& p, http::Request& req) {
  if (!is_form(req)) co_return error_html(400, "Invalid request: expected a form body");
  http::QueryParams form;
  try {
    form = parse_form(req, {"login_id", "csrf", "username", "password"});
  } catch (const OAuthError& e) {
    co_return error_html(400, e.description);
  }
  auto login = p.sessions.find_login(get(form, "login_id"));
  if (!login) {
    co_return error_html(400, "This sign-in page has expired. Go back to the application and sign in again.");
  }
  // Anti-forgery: the form's token, and the cookie of the browser the form was shown to.
  auto browser = cookie(req, kBrowserCookie);
  if (!browser || !crypto::equal_constant_time(*browser, login->browser) ||
      !crypto::equal_constant_time(get(form, "csrf"), login->csrf)) {
    co_return error_html(400, "Invalid sign-in request. Go back to the application and sign in again.");
  }
  const Client* client = p.realm.client(login->request.client_id);
  std::string username = get(form, "username"), password = get(form, "password");
  LoginForm again{login_action(),
                  login->id,
                  login->csrf,
                  username,
                  "Invalid username or password.",
                  client ? client_label(*client) : ""};
  if (username.empty() || password.empty()) co_return html_response(200, login_page(again));

  auto user = co_await p.users.find_by_login(username);
  const std::string key = user ? user->username : text::ascii_lower(username);
  if (auto wait = p.limiter.blocked(key)) {
    again.error = "Too many failed sign-in attempts. Try again in " + std::to_string(wait->count()) + " seconds.";
    auto res = html_response(429, login_page(again));
    res.set(http::Field::retry_after, std::to_string(wait->count()));
    co_return res;
  }
  std::string hash = user ? user->password_hash : std::string();  // empty: a dummy check of equal cost
  bool ok = co_await p.hasher.verify(password, std::move(hash));
  if (!ok || !user) {
    p.limiter.record_failure(key);
    co_return html_response(200, login_page(again));
  }
  if (!user->enabled) {
    again.error = "Account is disabled, contact your administrator.";
    co_return html_response(200, login_page(again));
  }
  p.limiter.reset(key);
  if (!p.sessions.finish_login(login->id)) {
    co_return error_html(400, "This sign-in page was already used. Go back to the application and sign in again.");
  }
  Session session = p.sessions.create(user->id);
  auto code = p.sessions.issue_code(login->request, session);
  auto res = redirect(success_url(p, login->request, code, session.id));
  set_session_cookies(p, res, session);
  co_return res;
}

asio::awaitable<http::Response> logout(Provider& p, http::Request& req) {
  http::QueryParams params = req.query;
  if (req.method() == http::Verb::post && is_form(req)) {
    try {
      params = parse_form(
          req, {"refresh_token", "client_id", "client_secret", "id_token_hint", "post_logout_redirect_uri", "state"});
    } catch (const OAuthError& e) {
      co_return oauth_error_response(e);
    }
    // An application ending a session it holds a refresh token of (Keycloak adapters): 204.
    if (params.has("refresh_token")) {
      try {
        const Client& client = authenticate_client(p, req, params);
        auto claims = verify_token(p.key, get(params, "refresh_token"), "Refresh", p.settings.issuer, Clock::now(),
                                   /*allow_expired=*/true);
        if (!claims || claims->value("azp", "") != client.client_id) {
          throw OAuthError{400, "invalid_grant", "Invalid refresh token"};
        }
        p.sessions.end(claims->value("sid", ""));
        co_return http::Response::no_content();
      } catch (const OAuthError& e) {
        co_return oauth_error_response(e);
      }
    }
  }

  std::optional<Json> hint;
  if (auto h = get(params, "id_token_hint"); !h.empty()) {
    // Expired hints are fine (the user may come back long after); forged ones are not.
    hint = verify_token(p.key, h, "ID", p.settings.issuer, Clock::now(), /*allow_expired=*/true);
    if (!hint) co_return error_html(400, "Invalid parameter: id_token_hint");
  }
  std::string client_id = get(params, "client_id");
  if (hint) {
    std::string azp = hint->value("azp", "");
    if (!client_id.empty() && client_id != azp)
      co_return error_html(400, "Parameter client_id differs from the token's client");
    client_id = azp;
  }
  const Client* client = client_id.empty() ? nullptr : p.realm.client(client_id);
  if (!client_id.empty() && !client) co_return error_html(400, "Client not found.");
  std::string target = get(params, "post_logout_redirect_uri");
  if (!target.empty()) {
    if (!client) {
      co_return error_html(400, "Either client_id or id_token_hint is required with post_logout_redirect_uri.");
    }
    if (!redirect_uri_allowed(client->post_logout_redirect_uris, target)) {
      co_return error_html(400, "Invalid redirect uri");
    }
  }

  if (auto session = cookie_session(p, req)) p.sessions.end(session->id);
  if (hint) p.sessions.end(hint->value("sid", ""));

  http::Response res;
  if (!target.empty()) {
    std::string state = get(params, "state");
    if (!state.empty()) target += (target.find('?') == std::string::npos ? "?" : "&") + ("state=" + url_encode(state));
    res = redirect(target);
  } else {
    res = html_response(200, logged_out_page());
  }
  clear_session_cookies(p, res);
  co_return res;
}

}  // namespace ticketly::idp
