#include "schemagen/pg/connection.hpp"

#include "schemagen/support/sql.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

namespace schemagen::pg {

namespace {
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// `url` as libpq must be given it to read the password redact_url() sees: libpq ends the
/// userinfo at its first '@' or '/', so those are percent-encoded in the password. A password
/// span holding a '?' is left alone: there the '@' may be the query's.
std::string for_libpq(const std::string& url, const std::string& password) {
  if (password.find_first_of("@/") == std::string::npos ||
      password.find('?') != std::string::npos || url.find("://") == std::string::npos)
    return url;
  std::string encoded;
  for (char c : password) encoded += c == '@' ? "%40" : c == '/' ? "%2F" : std::string(1, c);
  std::string out = url;
  out.replace(out.find(password, out.find("://")), password.size(), encoded);
  return out;
}
} // namespace

Result::Result(pg_result* r) : r_(r, PQclear) {}
int Result::rows() const { return PQntuples(r_.get()); }
int Result::columns() const { return PQnfields(r_.get()); }
bool Result::is_null(int row, int column) const { return PQgetisnull(r_.get(), row, column) != 0; }
std::string_view Result::get(int row, int column) const {
  return {PQgetvalue(r_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(r_.get(), row, column))};
}
std::optional<std::string> Result::optional(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return std::string(get(row, column));
}

Connection::Connection(const std::string& url) {
  const auto password = sql::url_password(url);
  const auto conninfo = for_libpq(url, password);
  // schemagen in pg_stat_activity (who holds the migration lock), unless the URL names another
  const char* const keywords[] = {"dbname", "fallback_application_name", nullptr};
  const char* const values[] = {conninfo.c_str(), "schemagen", nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = trim(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    // libpq may echo any part of what it was given: none of the password may pass
    throw DatabaseError(fmt::format("error: cannot connect to {}: {}", sql::redact_url(url),
                                    sql::redact_text(reason, password)));
  }
  receive_notices();
}

void Connection::receive_notices() {
  PQsetNoticeReceiver(
      conn_,
      [](void* self, const PGresult* r) {
        static_cast<Connection*>(self)->notices_.push_back(trim(PQresultErrorMessage(r)));
      },
      this);
}

std::unique_ptr<Connection> Connection::another() const {
  // the parameters this one was opened with, password included (a borrowed connection's too)
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfo(conn_),
                                                                       PQconninfoFree);
  if (!options) throw DatabaseError("error: out of memory reading the connection's parameters");
  std::vector<const char*> keywords, values;
  std::string password;
  // given a list of hosts, the server this one reached, not whichever of them answers first
  bool listed = false;
  for (auto* o = options.get(); o->keyword; ++o)
    if (o->val && (std::string_view(o->keyword) == "host" ||
                   std::string_view(o->keyword) == "hostaddr"))
      listed = listed || std::string_view(o->val).find(',') != std::string_view::npos;
  const std::string host = PQhost(conn_) ? PQhost(conn_) : "";
  const std::string port = PQport(conn_) ? PQport(conn_) : "";
  for (auto* o = options.get(); o->keyword; ++o) {
    const std::string_view keyword(o->keyword);
    const char* value = !listed                ? o->val
                        : keyword == "host"     ? host.c_str()
                        : keyword == "port"     ? port.c_str()
                        : keyword == "hostaddr" ? nullptr
                                                : o->val;
    if (!value) continue;
    keywords.push_back(o->keyword);
    values.push_back(value);
    if (keyword == "password") password = value;
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  auto* raw = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/0);
  auto out = std::unique_ptr<Connection>(new Connection(raw, true));
  if (PQstatus(raw) != CONNECTION_OK)
    throw DatabaseError(fmt::format(
        "error: cannot open a second connection to database {} on {}:{}: {}", PQdb(conn_),
        PQhost(conn_), PQport(conn_), sql::redact_text(trim(PQerrorMessage(raw)), password)));
  out->receive_notices();
  return out;
}

Connection::Connection(pg_conn* opened, bool owned) : conn_(opened), owned_(owned) {}

Connection::Connection(pg_conn* borrowed) : conn_(borrowed), owned_(false) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
    throw DatabaseError(fmt::format("error: the PostgreSQL connection given is not open{}",
                                    conn_ ? ": " + trim(PQerrorMessage(conn_)) : ""));
}

Connection::~Connection() {
  if (!conn_ || !owned_) return;
  if (pending_) cancel(); // left with a statement running: the server need not finish it
  PQfinish(conn_);
}

void Connection::cancel() noexcept {
  if (PGcancel* request = PQgetCancel(conn_)) {
    char error[256];
    PQcancel(request, error, sizeof error); // best effort: the statement may have ended already
    PQfreeCancel(request);
  }
}

static Result check(pg_conn* conn, PGresult* r, std::string_view sql) {
  Result result(r);
  const auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
    return result;
  if (!r) throw QueryError(std::string(sql), trim(PQerrorMessage(conn)), "");
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  throw QueryError(std::string(sql), trim(PQresultErrorMessage(r)), state ? state : "");
}

Result Connection::exec(std::string_view sql) {
  std::string text(sql);
  return check(conn_, PQexec(conn_, text.c_str()), sql);
}

namespace {
std::vector<const char*> values_of(const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}
} // namespace

Result Connection::exec(std::string_view sql,
                        const std::vector<std::optional<std::string>>& params) {
  std::string text(sql);
  const auto values = values_of(params);
  return check(conn_,
               PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               sql);
}

void Connection::send(std::string_view sql,
                      const std::vector<std::optional<std::string>>& params) {
  sent_ = std::string(sql);
  const auto values = values_of(params);
  if (!PQsendQueryParams(conn_, sent_.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0))
    throw QueryError(sent_, trim(PQerrorMessage(conn_)), "");
  pending_ = true;
}

Result Connection::receive() {
  pending_ = false;
  // one statement gives one result, then NULL; an error may come as the last result
  PGresult* last = nullptr;
  while (PGresult* r = PQgetResult(conn_)) {
    if (last) PQclear(last);
    last = r;
  }
  return check(conn_, last, sent_);
}

void Connection::reset() { PQreset(conn_); }

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
int Connection::server_version() const { return PQserverVersion(conn_); }

std::vector<std::string> Connection::take_notices() {
  auto out = std::move(notices_);
  notices_.clear();
  return out;
}

std::vector<std::string> parse_array(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  while (i < end) {
    std::string item;
    if (text[i] == '"') {
      for (++i; i < end && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < end) ++i;
        item += text[i];
      }
      ++i; // closing quote
    } else {
      const auto comma = text.find(',', i);
      const auto stop = comma == std::string_view::npos || comma > end ? end : comma;
      item = std::string(text.substr(i, stop - i));
      if (item == "NULL") item.clear();
      i = stop;
    }
    out.push_back(std::move(item));
    if (i < end && text[i] == ',') ++i;
  }
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string conninfo_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

} // namespace schemagen::pg
