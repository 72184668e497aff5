#include "internal.hpp"

namespace schemagen::sqlite {} // namespace schemagen::sqlite
