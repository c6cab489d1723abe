#ifndef MS_LOGGER_HPP
#define MS_LOGGER_HPP

#include "common.hpp"

#include "Settings.hpp"

#include <cstdio>
#include <cstdlib>

// Logging of the worker. Each .cpp defines MS_CLASS before its includes; the
// macros check the level and tag before any formatting happens, so a disabled
// log costs one comparison. Logs travel to Node over the channel (see
// Logger::Sink); before the channel exists, and for aborts, they go to stderr.
//
// MS_DEBUG_DEV is for developers and compiled out unless MS_LOG_DEV is
// defined in the file.

class Logger
{
public:
	// Whoever carries log lines to Node (the channel socket).
	class Sink
	{
	public:
		virtual ~Sink() = default;

	public:
		virtual void OnLog(LogLevel level, std::string_view source, std::string_view text) = 0;
	};

public:
	static void SetSink(Sink* sink);
	static bool IsEnabled(LogLevel level)
	{
		return static_cast<uint8_t>(Settings::configuration.logLevel) >= static_cast<uint8_t>(level);
	}
	// printf-style.
	[[gnu::format(printf, 3, 4)]] static void
	Write(LogLevel level, const char* source, const char* fmt, ...);
	[[gnu::format(printf, 2, 3)]] [[noreturn]] static void
	Abort(const char* source, const char* fmt, ...);
};

#define MS_DEBUG_TAG(tag, fmt, ...)                                                                \
	do                                                                                               \
	{                                                                                                \
		if (Logger::IsEnabled(LogLevel::LOG_DEBUG) && Settings::configuration.logTags.tag)             \
		{                                                                                              \
			Logger::Write(LogLevel::LOG_DEBUG, MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__);                \
		}                                                                                              \
	} while (false)

#define MS_WARN_TAG(tag, fmt, ...)                                                                 \
	do                                                                                               \
	{                                                                                                \
		if (Logger::IsEnabled(LogLevel::LOG_WARN) && Settings::configuration.logTags.tag)              \
		{                                                                                              \
			Logger::Write(LogLevel::LOG_WARN, MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__);                 \
		}                                                                                              \
	} while (false)

#define MS_DEBUG(fmt, ...)                                                                         \
	do                                                                                               \
	{                                                                                                \
		if (Logger::IsEnabled(LogLevel::LOG_DEBUG))                                                    \
		{                                                                                              \
			Logger::Write(LogLevel::LOG_DEBUG, MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__);                \
		}                                                                                              \
	} while (false)

#define MS_WARN(fmt, ...)                                                                          \
	do                                                                                               \
	{                                                                                                \
		if (Logger::IsEnabled(LogLevel::LOG_WARN))                                                     \
		{                                                                                              \
			Logger::Write(LogLevel::LOG_WARN, MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__);                 \
		}                                                                                              \
	} while (false)

#define MS_ERROR(fmt, ...)                                                                         \
	do                                                                                               \
	{                                                                                                \
		if (Logger::IsEnabled(LogLevel::LOG_ERROR))                                                    \
		{                                                                                              \
			Logger::Write(LogLevel::LOG_ERROR, MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__);                \
		}                                                                                              \
	} while (false)

#ifdef MS_LOG_DEV
#	define MS_DEBUG_DEV(fmt, ...) MS_DEBUG(fmt __VA_OPT__(, ) __VA_ARGS__)
#else
#	define MS_DEBUG_DEV(fmt, ...)                                                                   \
		do                                                                                             \
		{                                                                                              \
		} while (false)
#endif

// A broken invariant of our own code (never bad input): abort with a message.
#define MS_ABORT(fmt, ...) Logger::Abort(MS_CLASS, fmt __VA_OPT__(, ) __VA_ARGS__)

#define MS_ASSERT(condition, fmt, ...)                                                             \
	do                                                                                               \
	{                                                                                                \
		if (!(condition))                                                                              \
		{                                                                                              \
			Logger::Abort(                                                                               \
				MS_CLASS, "failed assertion '%s': " fmt, #condition __VA_OPT__(, ) __VA_ARGS__);           \
		}                                                                                              \
	} while (false)

#endif
