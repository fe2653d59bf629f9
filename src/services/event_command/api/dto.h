#pragma once
// The JSON shapes of API.md §1, one mapping per DTO. Responses add a `version` where an
// aggregate has one (clients may send it back to detect conflicting edits).
#include <optional>
#include <string>
#include <vector>

#include "services/event_command/app.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/paging.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::dto {

Json time_json(Timestamp t);
Json time_json(const std::optional<Timestamp>& t);
Json text_json(const std::optional<std::string>& s);
Json ids_json(const std::vector<Uuid>& ids);

// {id,name,logoUrl,website,createdAt,updatedAt} + ownerId, version
Json organization(const App& app, const Organization& o);
// {id,userId,email,name,roles,active}
Json member(const Member& m);
// {id,name,color,price} (+ eventId when given)
Json tier(const Tier& t, const std::optional<Uuid>& event_id = std::nullopt);
// SessionDetail {id,eventId,startTime,endTime,salesStartTime,sessionType,venueDetails,status,layoutData};
// `booked` seats show as BOOKED in the layout (the owner's view of sales).
Json session(const Session& s, const std::vector<Uuid>& booked = {});
// Discount {id,code,parameters,maxUsage,currentUsage,discountedTotal,active,public,activeFrom,expiresAt,
// applicableTierIds,applicableSessionIds} + eventId
Json discount(const Discount& d);
// EventDetail
Json event_detail(const App& app, const EventAggregate& a);
// {id,title,status,organizationId,createdAt,updatedAt} + version
Json event_created(const Event& e);
// EventSummary (description cut to 150 characters with "...")
Json event_summary(const App& app, const store::EventSummary& s);
// {id,organizationId,name,updatedAt,layoutData} + createdAt, version
Json seating_template(const SeatingTemplate& t);
// Levels of a category tree shown at most: deeper ones are left out. Far beyond any real
// taxonomy; it bounds the recursion whatever the table holds.
inline constexpr std::size_t kMaxCategoryDepth = 32;
// {id,name,parentId,subCategories[]} for the node and its descendants in `all`. A
// descendant that is already on the path (a parent cycle) is left out, so the walk ends.
Json category_tree(const Category& root, const std::vector<Category>& all);
// Roots with their subtrees.
Json category_forest(const std::vector<Category>& all);
// {sessionId,startTime,endTime,salesStartTime,sessionType,sessionStatus,eventId,eventTitle,eventStatus,categoryName}
Json session_listing(const store::SessionListing& l);

// The Spring-style page object around `content`.
Json page(Json content, std::int64_t total, const PageRequest& request);

// {"message": …} for effects that have no resource to return.
Json message(std::string text);

// At most `max` characters (UTF-8 aware), "..." appended when cut.
std::string shorten(const std::string& text, std::size_t max);

}  // namespace ticketly::event_command::dto
