#pragma once
#ifndef CONSUMER_MODELS
#error "scanned without the definitions of the target schemagen_add_metadata was given"
#endif
#include "shared.hpp"

#include <schemagen/annotations.hpp>

/// Things the consumer keeps.
struct SG_TABLE("widgets") Widget {
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
  SG_COLUMN(length = 80) std::string name;
};
