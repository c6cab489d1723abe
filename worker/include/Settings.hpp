#ifndef MS_SETTINGS_HPP
#define MS_SETTINGS_HPP

#include "common.hpp"

#include <vector>

// The worker's settings, given by Node as command line arguments
// (`--logLevel=debug --logTag=ice --rtcMinPort=10000 ...`) and partly updated
// later through the WORKER_UPDATE_SETTINGS request.

enum class LogLevel : uint8_t
{
	LOG_DEBUG = 3,
	LOG_WARN  = 2,
	LOG_ERROR = 1,
	LOG_NONE  = 0
};

// One flag per log tag of the public API (WorkerLogTag).
struct LogTags
{
	bool info{ false };
	bool ice{ false };
	bool dtls{ false };
	bool rtp{ false };
	bool srtp{ false };
	bool rtcp{ false };
	bool rtx{ false };
	bool bwe{ false };
	bool score{ false };
	bool simulcast{ false };
	bool svc{ false };
	bool sctp{ false };
	bool message{ false };
};

class Settings
{
public:
	struct Configuration
	{
		LogLevel logLevel{ LogLevel::LOG_ERROR };
		LogTags logTags;
		uint16_t rtcMinPort{ 10000u };
		uint16_t rtcMaxPort{ 59999u };
		std::string dtlsCertificateFile;
		std::string dtlsPrivateKeyFile;
		std::string libwebrtcFieldTrials{ "WebRTC-Bwe-AlrLimitedBackoff/Enabled/" };
	};

public:
	// Parses command line arguments (without argv[0]). Throws MediaSoupTypeError
	// naming the offending option.
	static Configuration Parse(const std::vector<std::string_view>& args);
	// Throws MediaSoupTypeError on an unknown level.
	static LogLevel ParseLogLevel(std::string_view level);
	// Unknown tags are ignored, as the API says.
	static LogTags ParseLogTags(const std::vector<std::string_view>& tags);
	static std::string_view LogLevelToString(LogLevel level);
	static std::vector<std::string> LogTagsToStrings(const LogTags& tags);

public:
	// The configuration of this process, set once at start by main().
	static Configuration configuration;
};

#endif
