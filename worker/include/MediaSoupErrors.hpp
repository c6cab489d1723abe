#ifndef MS_MEDIASOUP_ERRORS_HPP
#define MS_MEDIASOUP_ERRORS_HPP

#include "common.hpp"

#include <cstdio>
#include <stdexcept>

// Errors thrown while handling a control request. The channel dispatcher
// catches them and answers the request with an error response carrying the
// class name, so Node rejects with the matching JavaScript error class.

class MediaSoupError : public std::runtime_error
{
public:
	explicit MediaSoupError(const std::string& description) : std::runtime_error(description) {}

	virtual const char* TypeName() const { return "Error"; }
};

// A bad option value: Node rejects with TypeError.
class MediaSoupTypeError : public MediaSoupError
{
public:
	explicit MediaSoupTypeError(const std::string& description) : MediaSoupError(description) {}

	const char* TypeName() const override { return "TypeError"; }
};

// The target entity is closed or unknown: Node rejects with NotFoundError.
class MediaSoupNotFoundError : public MediaSoupError
{
public:
	explicit MediaSoupNotFoundError(const std::string& description) : MediaSoupError(description) {}

	const char* TypeName() const override { return "NotFoundError"; }
};

namespace Errors
{
	// printf-style formatting of an error description.
	template <typename... Args>
	std::string Format(const char* fmt, Args... args)
	{
		char buffer[1024];

		if constexpr (sizeof...(Args) == 0)
		{
			std::snprintf(buffer, sizeof(buffer), "%s", fmt);
		}
		else
		{
			std::snprintf(buffer, sizeof(buffer), fmt, args...);
		}

		return { buffer };
	}
} // namespace Errors

#define MS_THROW_ERROR(...) throw MediaSoupError(Errors::Format(__VA_ARGS__))
#define MS_THROW_TYPE_ERROR(...) throw MediaSoupTypeError(Errors::Format(__VA_ARGS__))
#define MS_THROW_NOT_FOUND_ERROR(...) throw MediaSoupNotFoundError(Errors::Format(__VA_ARGS__))

#endif
