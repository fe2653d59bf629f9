#pragma once
// The HTTP handlers of the event-command service (API.md §1), one function per route; the
// route table (routes.cpp) says which route calls which and under which guard.
#include <boost/asio/awaitable.hpp>

#include "platform/http/request.h"
#include "platform/http/response.h"
#include "services/event_command/app.h"

namespace ticketly::event_command::api {

using HandlerFn = boost::asio::awaitable<http::Response> (*)(App&, http::Request&);

#define TICKETLY_EC_HANDLER(name) boost::asio::awaitable<http::Response> name(App& app, http::Request& req)

// organizations_api.cpp
TICKETLY_EC_HANDLER(create_organization);
TICKETLY_EC_HANDLER(my_organizations);
TICKETLY_EC_HANDLER(get_organization);
TICKETLY_EC_HANDLER(update_organization);
TICKETLY_EC_HANDLER(delete_organization);
TICKETLY_EC_HANDLER(upload_logo);
TICKETLY_EC_HANDLER(delete_logo);
TICKETLY_EC_HANDLER(admin_list_organizations);
TICKETLY_EC_HANDLER(admin_get_organization);
TICKETLY_EC_HANDLER(admin_organizations_of_user);
// staff_api.cpp
TICKETLY_EC_HANDLER(list_staff);
TICKETLY_EC_HANDLER(invite_staff);
TICKETLY_EC_HANDLER(remove_staff);
TICKETLY_EC_HANDLER(set_staff_status);
// events_api.cpp, event_create.cpp
TICKETLY_EC_HANDLER(create_event);
TICKETLY_EC_HANDLER(get_event);
TICKETLY_EC_HANDLER(admin_get_event);
TICKETLY_EC_HANDLER(list_organization_events);
TICKETLY_EC_HANDLER(admin_list_events);
TICKETLY_EC_HANDLER(admin_list_organization_events);
TICKETLY_EC_HANDLER(delete_event);
TICKETLY_EC_HANDLER(approve_event);
TICKETLY_EC_HANDLER(reject_event);
TICKETLY_EC_HANDLER(update_event);
TICKETLY_EC_HANDLER(add_cover_photo);
TICKETLY_EC_HANDLER(delete_cover_photo);
// catalog_api.cpp: tiers and discounts
TICKETLY_EC_HANDLER(create_tier);
TICKETLY_EC_HANDLER(update_tier);
TICKETLY_EC_HANDLER(delete_tier);
TICKETLY_EC_HANDLER(list_discounts);
TICKETLY_EC_HANDLER(create_discount);
TICKETLY_EC_HANDLER(get_discount);
TICKETLY_EC_HANDLER(update_discount);
TICKETLY_EC_HANDLER(delete_discount);
// sessions_api.cpp
TICKETLY_EC_HANDLER(create_sessions);
TICKETLY_EC_HANDLER(list_sessions);
TICKETLY_EC_HANDLER(get_session);
TICKETLY_EC_HANDLER(update_session_time);
TICKETLY_EC_HANDLER(update_session_status);
TICKETLY_EC_HANDLER(update_session_venue_details);
TICKETLY_EC_HANDLER(update_session_layout);
TICKETLY_EC_HANDLER(update_session_venue);
TICKETLY_EC_HANDLER(delete_session);
// templates_api.cpp
TICKETLY_EC_HANDLER(list_templates);
TICKETLY_EC_HANDLER(create_template);
TICKETLY_EC_HANDLER(get_template);
TICKETLY_EC_HANDLER(update_template);
TICKETLY_EC_HANDLER(delete_template);
// categories_api.cpp
TICKETLY_EC_HANDLER(list_categories);
TICKETLY_EC_HANDLER(get_category);
TICKETLY_EC_HANDLER(create_category);
TICKETLY_EC_HANDLER(update_category);
TICKETLY_EC_HANDLER(delete_category);
// misc_api.cpp: configuration, analytics, AI overview, images
TICKETLY_EC_HANDLER(get_config);
TICKETLY_EC_HANDLER(my_limits);
TICKETLY_EC_HANDLER(organization_session_analytics);
TICKETLY_EC_HANDLER(event_session_analytics);
TICKETLY_EC_HANDLER(admin_organization_session_analytics);
TICKETLY_EC_HANDLER(admin_event_session_analytics);
TICKETLY_EC_HANDLER(organization_sessions);
TICKETLY_EC_HANDLER(generate_overview);
TICKETLY_EC_HANDLER(get_image);
// internal_api.cpp
TICKETLY_EC_HANDLER(internal_session_on_sale);
TICKETLY_EC_HANDLER(internal_session_closed);
TICKETLY_EC_HANDLER(verify_event_ownership);
TICKETLY_EC_HANDLER(verify_organization_ownership);
TICKETLY_EC_HANDLER(verify_session_ownership);
TICKETLY_EC_HANDLER(verify_session_role);

#undef TICKETLY_EC_HANDLER

}  // namespace ticketly::event_command::api
