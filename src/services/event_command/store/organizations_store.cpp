#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command::store {
namespace {

#define ORG_COLUMNS "id, owner_id, name, website, logo_id, logo_ext, version, created_at, updated_at"

constexpr db::Statement kInsert{"ec.org.insert", R"sql(
  INSERT INTO organizations (id, owner_id, name, website, version, created_at, updated_at)
  VALUES ($1, $2, $3, $4, 1, $5, $5))sql"};
constexpr db::Statement kFind{"ec.org.find", "SELECT " ORG_COLUMNS " FROM organizations WHERE id = $1"};
constexpr db::Statement kFindLocked{"ec.org.find_locked",
                                    "SELECT " ORG_COLUMNS " FROM organizations WHERE id = $1 FOR UPDATE"};
constexpr db::Statement kOfOwner{"ec.org.of_owner",
                                 "SELECT " ORG_COLUMNS " FROM organizations WHERE owner_id = $1 ORDER BY created_at, id"};
constexpr db::Statement kList{"ec.org.list", R"sql(
  SELECT )sql" ORG_COLUMNS R"sql( FROM organizations
   WHERE ($1::text IS NULL OR lower(name) LIKE lower($1))
   ORDER BY created_at DESC, id LIMIT $2 OFFSET $3)sql"};
constexpr db::Statement kCount{"ec.org.count",
                               "SELECT count(*) FROM organizations WHERE ($1::text IS NULL OR lower(name) LIKE lower($1))"};
constexpr db::Statement kLockOwner{"ec.org.lock_owner", "SELECT pg_advisory_xact_lock(hashtext('ec.owner:' || $1))"};
constexpr db::Statement kCountOfOwner{"ec.org.count_of_owner", "SELECT count(*) FROM organizations WHERE owner_id = $1"};
constexpr db::Statement kUpdate{"ec.org.update", R"sql(
  UPDATE organizations SET name = $2, website = $3, version = version + 1, updated_at = now()
   WHERE id = $1 RETURNING )sql" ORG_COLUMNS};
constexpr db::Statement kSetLogo{"ec.org.set_logo", R"sql(
  UPDATE organizations SET logo_id = $2, logo_ext = $3, version = version + 1, updated_at = now()
   WHERE id = $1 RETURNING )sql" ORG_COLUMNS};
constexpr db::Statement kBump{"ec.org.bump",
                              "UPDATE organizations SET version = version + 1, updated_at = now() WHERE id = $1 "
                              "RETURNING version"};
constexpr db::Statement kDelete{"ec.org.delete", "DELETE FROM organizations WHERE id = $1"};
constexpr db::Statement kSelling{"ec.org.selling", R"sql(
  SELECT EXISTS (SELECT 1 FROM sessions s JOIN events e ON e.id = s.event_id
                  WHERE e.organization_id = $1 AND s.status IN ('ON_SALE', 'SOLD_OUT')))sql"};

#define MEMBER_COLUMNS "id, organization_id, user_id, email, name, roles, active, created_at"
constexpr db::Statement kMembers{"ec.member.list", "SELECT " MEMBER_COLUMNS
                                                   " FROM organization_members WHERE organization_id = $1 "
                                                   "ORDER BY created_at, id"};
constexpr db::Statement kFindMember{"ec.member.find", "SELECT " MEMBER_COLUMNS
                                                      " FROM organization_members WHERE organization_id = $1 "
                                                      "AND user_id = $2"};
constexpr db::Statement kCountMembers{"ec.member.count",
                                      "SELECT count(*) FROM organization_members WHERE organization_id = $1"};
constexpr db::Statement kInsertMember{"ec.member.insert", R"sql(
  INSERT INTO organization_members (id, organization_id, user_id, email, name, roles, active, invited_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (organization_id, user_id) DO NOTHING)sql"};
constexpr db::Statement kSetActive{"ec.member.set_active", R"sql(
  UPDATE organization_members SET active = $3, updated_at = now()
   WHERE organization_id = $1 AND user_id = $2 RETURNING )sql" MEMBER_COLUMNS};
constexpr db::Statement kDeleteMember{"ec.member.delete",
                                      "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2"};
constexpr db::Statement kSessionRole{"ec.member.session_role", R"sql(
  SELECT EXISTS (
    SELECT 1 FROM sessions s
      JOIN events e ON e.id = s.event_id
      JOIN organization_members m ON m.organization_id = e.organization_id
     WHERE s.id = $1 AND m.user_id = $2 AND m.active AND $3 = ANY (m.roles)))sql"};

Organization organization_from(const db::Row& r) {
  Organization o;
  o.id = r.get<Uuid>(0);
  o.owner_id = r.get<std::string>(1);
  o.name = r.get<std::string>(2);
  o.website = r.get<std::optional<std::string>>(3);
  if (auto logo = r.get<std::optional<Uuid>>(4)) o.logo = ImageRef{*logo, r.get<std::string>(5)};
  o.version = r.get<std::int64_t>(6);
  o.created_at = r.get<Timestamp>(7);
  o.updated_at = r.get<Timestamp>(8);
  return o;
}

Member member_from(const db::Row& r) {
  Member m;
  m.id = r.get<Uuid>(0);
  m.organization_id = r.get<Uuid>(1);
  m.user_id = r.get<std::string>(2);
  m.email = r.get<std::string>(3);
  m.name = r.get<std::string>(4);
  m.roles = r.get<std::vector<std::string>>(5);
  m.active = r.get<bool>(6);
  m.created_at = r.get<Timestamp>(7);
  return m;
}

std::vector<Organization> organizations_from(const db::Result& r) {
  std::vector<Organization> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (auto row : r) out.push_back(organization_from(row));
  return out;
}

}  // namespace

asio::awaitable<void> insert_organization(db::Connection& c, const Organization& o) {
  co_await c.execute(kInsert, o.id, o.owner_id, o.name, o.website, o.created_at);
}

asio::awaitable<std::optional<Organization>> find_organization(db::Connection& c, const Uuid& id, bool lock) {
  auto r = co_await c.execute(lock ? kFindLocked : kFind, id);
  if (r.empty()) co_return std::nullopt;
  co_return organization_from(r[0]);
}

asio::awaitable<std::vector<Organization>> organizations_of_owner(db::Connection& c, const std::string& owner_id) {
  auto r = co_await c.execute(kOfOwner, owner_id);
  co_return organizations_from(r);
}

asio::awaitable<Page<Organization>> list_organizations(db::Connection& c, const std::optional<std::string>& search,
                                                       PageRequest page) {
  std::optional<std::string> pattern;
  if (search) pattern = contains_pattern(*search);
  auto rows = co_await c.execute(kList, pattern, page.size, page.offset());
  auto total = co_await c.execute(kCount, pattern);
  co_return Page<Organization>{organizations_from(rows), total.scalar<std::int64_t>(), page};
}

asio::awaitable<void> lock_owner(db::Connection& c, const std::string& owner_id) {
  co_await c.execute(kLockOwner, owner_id);
}

asio::awaitable<std::int64_t> count_organizations_of_owner(db::Connection& c, const std::string& owner_id) {
  co_return (co_await c.execute(kCountOfOwner, owner_id)).scalar<std::int64_t>();
}

asio::awaitable<Organization> update_organization(db::Connection& c, const Uuid& id, const std::string& name,
                                                  const std::optional<std::string>& website) {
  auto r = co_await c.execute(kUpdate, id, name, website);
  co_return organization_from(r.one());
}

asio::awaitable<Organization> set_logo(db::Connection& c, const Uuid& id, const std::optional<ImageRef>& logo) {
  std::optional<Uuid> logo_id;
  std::optional<std::string> ext;
  if (logo) {
    logo_id = logo->id;
    ext = logo->ext;
  }
  auto r = co_await c.execute(kSetLogo, id, logo_id, ext);
  co_return organization_from(r.one());
}

asio::awaitable<std::int64_t> bump_organization(db::Connection& c, const Uuid& id) {
  co_return (co_await c.execute(kBump, id)).scalar<std::int64_t>();
}

asio::awaitable<void> delete_organization(db::Connection& c, const Uuid& id) { co_await c.execute(kDelete, id); }

asio::awaitable<bool> organization_is_selling(db::Connection& c, const Uuid& id) {
  co_return (co_await c.execute(kSelling, id)).scalar<bool>();
}

asio::awaitable<std::vector<Member>> members(db::Connection& c, const Uuid& organization_id) {
  auto r = co_await c.execute(kMembers, organization_id);
  std::vector<Member> out;
  for (auto row : r) out.push_back(member_from(row));
  co_return out;
}

asio::awaitable<std::optional<Member>> find_member(db::Connection& c, const Uuid& organization_id,
                                                   const std::string& user_id) {
  auto r = co_await c.execute(kFindMember, organization_id, user_id);
  if (r.empty()) co_return std::nullopt;
  co_return member_from(r[0]);
}

asio::awaitable<std::int64_t> count_members(db::Connection& c, const Uuid& organization_id) {
  co_return (co_await c.execute(kCountMembers, organization_id)).scalar<std::int64_t>();
}

asio::awaitable<bool> insert_member(db::Connection& c, const Member& m, const std::string& invited_by) {
  auto r = co_await c.execute(kInsertMember, m.id, m.organization_id, m.user_id, m.email, m.name, m.roles, m.active,
                              invited_by);
  co_return r.affected_rows() == 1;
}

asio::awaitable<std::optional<Member>> set_member_active(db::Connection& c, const Uuid& organization_id,
                                                         const std::string& user_id, bool active) {
  auto r = co_await c.execute(kSetActive, organization_id, user_id, active);
  if (r.empty()) co_return std::nullopt;
  co_return member_from(r[0]);
}

asio::awaitable<bool> delete_member(db::Connection& c, const Uuid& organization_id, const std::string& user_id) {
  co_return (co_await c.execute(kDeleteMember, organization_id, user_id)).affected_rows() == 1;
}

asio::awaitable<bool> session_staff_has_role(db::Connection& c, const Uuid& session_id, const std::string& user_id,
                                             const std::string& role) {
  co_return (co_await c.execute(kSessionRole, session_id, user_id, role)).scalar<bool>();
}

}  // namespace ticketly::event_command::store
