#include "services/idp/pages.h"

#include "services/idp/web.h"

namespace ticketly::idp {
namespace {

constexpr std::string_view kStyle = R"css(
body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;color:#111}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;
     box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #ccc;
     border-radius:.25rem}
button{margin-top:1.25rem;width:100%;padding:.6rem;border:0;border-radius:.25rem;background:#2563eb;color:#fff;
       font-size:1rem}
.error{background:#fee2e2;color:#991b1b;padding:.5rem;border-radius:.25rem}
.note{font-size:.8rem;color:#6b7280;margin-top:1rem}
)css";

std::string page(std::string_view title, const std::string& body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex,nofollow\"><title>";
  out += html_escape(title);
  out += "</title><style>";
  out += kStyle;
  out += "</style></head><body><main>";
  out += body;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace

std::string login_page(const LoginForm& f) {
  std::string body = "<h1>Sign in";
  if (!f.client.empty()) body += " to " + html_escape(f.client);
  body += "</h1>";
  if (!f.error.empty()) body += "<p class=\"error\" role=\"alert\">" + html_escape(f.error) + "</p>";
  body += "<form id=\"kc-form-login\" method=\"post\" action=\"" + html_escape(f.action) + "\">";
  body += "<input type=\"hidden\" name=\"login_id\" value=\"" + html_escape(f.login_id) + "\">";
  body += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(f.csrf) + "\">";
  body +=
      "<label for=\"username\">Username or email</label>"
      "<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" autofocus value=\"" +
      html_escape(f.username) + "\">";
  body +=
      "<label for=\"password\">Password</label>"
      "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">";
  body += "<button id=\"kc-login\" type=\"submit\">Sign in</button></form>";
  body += "<p class=\"note\">Ticketly development identity provider &mdash; not for production.</p>";
  return page("Sign in", body);
}

std::string error_page(std::string_view message) {
  return page("Error", "<h1>We are sorry&hellip;</h1><p id=\"error-message\">" + html_escape(message) + "</p>");
}

std::string logged_out_page() { return page("Signed out", "<h1>You are signed out</h1>"); }

std::string third_party_cookies_step1() {
  return R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>3p cookies</title></head><body><script>
  document.cookie = "KEYCLOAK_3P_COOKIE=supported; path=" + location.pathname.replace(/[^/]*$/, "") +
                    "; max-age=60; SameSite=Lax";
  window.location.replace("step2.html");
</script></body></html>
)html";
}

std::string third_party_cookies_step2(std::string_view cookie_path) {
  std::string out = R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>3p cookies</title></head><body><script>
  var supported = document.cookie.split("; ").indexOf("KEYCLOAK_3P_COOKIE=supported") !== -1;
  document.cookie = "KEYCLOAK_3P_COOKIE=; path=PATH; max-age=0";
  window.parent.postMessage(supported ? "supported" : "unsupported", "*");
</script></body></html>
)html";
  // The path is ours (a constant), never request data; escaped anyway for the JS string.
  std::string path;
  for (char c : cookie_path) {
    if (c == '"' || c == '\\' || c == '<') continue;
    path.push_back(c);
  }
  out.replace(out.find("PATH"), 4, path);
  return out;
}

std::string login_status_iframe() {
  return R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>session status</title></head><body><script>
  var init = null;
  function sessionCookie() {
    var parts = document.cookie.split("; ");
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf("KEYCLOAK_SESSION=") === 0) return decodeURIComponent(parts[i].substring(17));
    }
    return "";
  }
  function compare(sessionState) {
    var cookie = sessionCookie();
    if (!cookie) return sessionState ? "changed" : "unchanged";
    return cookie === sessionState ? "unchanged" : "changed";
  }
  function check(clientId, origin, sessionState, callback) {
    if (init) {
      callback(init.clientId === clientId && init.origin === origin ? compare(sessionState) : "error");
      return;
    }
    var req = new XMLHttpRequest();
    req.open("GET", location.pathname + "/init?client_id=" + encodeURIComponent(clientId) +
             "&origin=" + encodeURIComponent(origin), true);
    req.onreadystatechange = function () {
      if (req.readyState !== 4) return;
      if (req.status === 204) {
        init = { clientId: clientId, origin: origin };
        callback(compare(sessionState));
      } else {
        callback("error");
      }
    };
    req.send();
  }
  window.addEventListener("message", function (event) {
    if (typeof event.data !== "string") return;
    var data = event.data.split(" ");
    if (data.length !== 2) return;
    var origin = event.origin, source = event.source;
    check(data[0], origin, data[1], function (result) { source.postMessage(result, origin); });
  }, false);
</script></body></html>
)html";
}

http::Response html_response(int status, std::string body, bool frameable) {
  auto res = http::Response::text(status, std::move(body), "text/html; charset=utf-8");
  res.set(http::Field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  if (!frameable) {
    res.set("X-Frame-Options", "SAMEORIGIN");
    res.set("Content-Security-Policy", "frame-ancestors 'self'; object-src 'none'");
  }
  return res;
}

}  // namespace ticketly::idp
