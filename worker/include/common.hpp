#ifndef MS_COMMON_HPP
#define MS_COMMON_HPP

#include <cinttypes> // PRIu32, etc
#include <cstddef>   // size_t
#include <cstdint>   // uint8_t, etc
#include <memory>
#include <span>
#include <string>
#include <string_view>

#endif
