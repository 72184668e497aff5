#pragma once
// libpq behind RAII: a connection, results, parameterised queries. Every failure is a
// DatabaseError (exit code 2) that names the SQL and carries the server's message; a password
// never appears in one.

#include "schemagen/dialect/dialect.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace schemagen::pg {

/// A statement the server refused.
using QueryError = dialect::QueryError;

class Result {
public:
  explicit Result(pg_result* r);
  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  std::string_view get(int row, int column) const;
  /// The value, or nullopt for NULL.
  std::optional<std::string> optional(int row, int column) const;

private:
  std::shared_ptr<pg_result> r_;
};

class Connection {
public:
  /// Connects; a failure names the URL with its password redacted and the server's reason.
  explicit Connection(const std::string& url);
  /// Works on an application's open connection (Migrator from a PGconn*): it stays open and
  /// its notice receiver stays the application's.
  explicit Connection(pg_conn* borrowed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements with no parameters.
  Result exec(std::string_view sql);
  /// Runs exactly one statement: text holding a second one is refused by the server, so SQL
  /// assembled from names and expressions cannot smuggle in a COMMIT.
  Result exec_one(std::string_view sql) { return exec(sql, {}); }
  /// Runs one statement with text parameters ($1, $2, ...); nullopt is NULL.
  Result exec(std::string_view sql, const std::vector<std::optional<std::string>>& params);

  /// Sends one statement with text parameters and returns at once; receive() waits for its
  /// result. Nothing else runs on the connection in between; a connection closed before
  /// receive() cancels the statement.
  void send(std::string_view sql, const std::vector<std::optional<std::string>>& params);
  /// The result of what send() sent: a QueryError names that SQL and the server's message.
  Result receive();

  /// Asks the server to cancel the statement running on this connection, if any. Safe to call
  /// from another thread while this one waits in receive().
  void cancel() noexcept;

  /// Whether the connection is inside a transaction block.
  bool in_transaction() const;
  /// The server's version number, e.g. 150004.
  int server_version() const;
  /// Closes and opens again with the same parameters (after the connection was lost).
  void reset();
  /// A new connection with the parameters this one was opened with (a borrowed one's too).
  std::unique_ptr<Connection> another() const;
  /// What the server said as NOTICEs since the last call.
  std::vector<std::string> take_notices();
  pg_conn* handle() const { return conn_; }

private:
  Connection(pg_conn* opened, bool owned);
  void receive_notices();

  pg_conn* conn_ = nullptr;
  bool owned_ = true;
  std::string sent_; // what send() sent, for receive()'s errors
  bool pending_ = false; // sent and not received: cancelled when the connection is closed
  std::vector<std::string> notices_;
};

/// A PostgreSQL text array as it comes back in text format, "{a,b,\"c d\"}", split; NULL
/// elements become empty strings.
std::vector<std::string> parse_array(std::string_view text);
/// A text[] literal for a parameter: {"a","b"}.
std::string array_literal(const std::vector<std::string>& items);

/// Quotes a value for a libpq keyword/value connection string.
std::string conninfo_value(std::string_view value);

} // namespace schemagen::pg
