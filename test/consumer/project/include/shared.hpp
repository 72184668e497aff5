#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
