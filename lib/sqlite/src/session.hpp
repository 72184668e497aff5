#pragma once

#include "schemagen/sqlite/sqlite.hpp"

#include <map>
#include <optional>
#include <set>

namespace schemagen::sqlite {

class Session : public dialect::Session {
public:
  /// Opens `file`; one that does not exist yet reads as an empty database until lock() (a run
  /// that writes) creates it.
  explicit Session(std::filesystem::path file);
  /// On an application's open handle (see adopt()).
  explicit Session(sqlite3* borrowed);
  const dialect::Dialect& dialect() const override { return sqlite::dialect(); }
  void* native_handle() noexcept override { return c_ ? c_->handle() : nullptr; }
  void execute(const std::string& sql) override;
  dialect::Rows query(const std::string& sql,
                      const std::vector<std::optional<std::string>>& params = {}) override;
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  std::unique_ptr<dialect::Lock> lock(const dialect::LockRequest& request) override;
  bool has_table(const std::string& schema, const std::string& table) override;
  bool has_column(const std::string& schema, const std::string& table,
                  const std::string& column) override;
  std::vector<std::string> schemas() override;
  model::Metadata reflect(const dialect::ReflectOptions& options) override;
  model::Metadata normalize(const model::Metadata& models) override;
  std::function<bool(const std::string&, const std::string&)>
  cast_checker(const model::Metadata& models) override;

  Connection& connection();

private:
  /// The views, and the tables whose triggers, SQLite cannot compile, each with its message.
  std::map<std::string, std::string> broken_dependents();

  std::filesystem::path file_;
  std::optional<Connection> c_;
  bool pending_ = false;                             // the file does not exist yet
  std::map<std::string, std::string> broken_before_; // broken_dependents() when the run began
  std::set<std::string> references_before_; // broken_references() when the transaction began
  /// PRAGMA data_version after this run's last COMMIT: another connection's commit changes it
  std::optional<std::string> data_version_;
  /// The references broken now, one "table row fkid" each (pragma_foreign_key_check).
  dialect::Rows broken_references();
  void transaction_began();
};

} // namespace schemagen::sqlite
