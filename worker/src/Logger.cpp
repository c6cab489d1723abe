#define MS_CLASS "Logger"

#include "Logger.hpp"

#include <algorithm>
#include <cstdarg>

namespace
{
	// Longest log line sent; longer ones are truncated.
	constexpr size_t MaxLogLength{ 4096u };

	Logger::Sink* sink{ nullptr };
	char buffer[MaxLogLength];
} // namespace

void Logger::SetSink(Sink* newSink)
{
	sink = newSink;
}

void Logger::Write(LogLevel level, const char* source, const char* fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	const int written = std::vsnprintf(buffer, sizeof(buffer), fmt, args);
	va_end(args);

	if (written < 0)
	{
		return;
	}

	const size_t length = std::min(static_cast<size_t>(written), sizeof(buffer) - 1);

	if (sink)
	{
		sink->OnLog(level, source, std::string_view(buffer, length));
	}
	else
	{
		std::fprintf(stderr, "mediasoup-worker %s: %.*s\n", source, static_cast<int>(length), buffer);
	}
}

void Logger::Abort(const char* source, const char* fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	std::vsnprintf(buffer, sizeof(buffer), fmt, args);
	va_end(args);

	// The channel may be what is broken: stderr is the safe way out.
	std::fprintf(stderr, "mediasoup-worker ABORT %s: %s\n", source, buffer);
	std::fflush(stderr);
	std::abort();
}
