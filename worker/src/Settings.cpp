#define MS_CLASS "Settings"

#include "Settings.hpp"

#include "MediaSoupErrors.hpp"

#include <charconv>

/* Class variables. */

Settings::Configuration Settings::configuration;

namespace
{
	// `minimum` is 0 for rtcMinPort: mediasoup accepts it as the lower bound of
	// the range (port 0 itself is never bound, see PortManager).
	uint16_t ParsePort(std::string_view name, std::string_view value, uint32_t minimum)
	{
		uint32_t port{ 0u };
		const auto* end   = value.data() + value.size();
		const auto result = std::from_chars(value.data(), end, port);

		if (value.empty() || result.ec != std::errc() || result.ptr != end)
		{
			MS_THROW_TYPE_ERROR(
				"invalid value '%.*s' for %.*s: not an integer",
				static_cast<int>(value.size()),
				value.data(),
				static_cast<int>(name.size()),
				name.data());
		}

		if (port < minimum || port > 65535u)
		{
			MS_THROW_TYPE_ERROR(
				"invalid value %u for %.*s: must be in %u..65535",
				port,
				static_cast<int>(name.size()),
				name.data(),
				minimum);
		}

		return static_cast<uint16_t>(port);
	}
} // namespace

/* Class methods. */

Settings::Configuration Settings::Parse(const std::vector<std::string_view>& args)
{
	Configuration config;
	std::vector<std::string_view> tags;

	for (const auto arg : args)
	{
		if (!arg.starts_with("--"))
		{
			MS_THROW_TYPE_ERROR(
				"invalid argument '%.*s': expected --name=value", static_cast<int>(arg.size()), arg.data());
		}

		const auto equal = arg.find('=');

		if (equal == std::string_view::npos)
		{
			MS_THROW_TYPE_ERROR(
				"invalid argument '%.*s': expected --name=value", static_cast<int>(arg.size()), arg.data());
		}

		const auto name  = arg.substr(2, equal - 2);
		const auto value = arg.substr(equal + 1);

		if (name == "logLevel")
		{
			config.logLevel = ParseLogLevel(value);
		}
		else if (name == "logTag" || name == "logTags")
		{
			tags.push_back(value);
		}
		else if (name == "rtcMinPort")
		{
			config.rtcMinPort = ParsePort(name, value, 0u);
		}
		else if (name == "rtcMaxPort")
		{
			config.rtcMaxPort = ParsePort(name, value, 1u);
		}
		else if (name == "dtlsCertificateFile")
		{
			config.dtlsCertificateFile = value;
		}
		else if (name == "dtlsPrivateKeyFile")
		{
			config.dtlsPrivateKeyFile = value;
		}
		else if (name == "libwebrtcFieldTrials")
		{
			config.libwebrtcFieldTrials = value;
		}
		else
		{
			MS_THROW_TYPE_ERROR("unknown option --%.*s", static_cast<int>(name.size()), name.data());
		}
	}

	config.logTags = ParseLogTags(tags);

	if (config.rtcMinPort > config.rtcMaxPort)
	{
		MS_THROW_TYPE_ERROR(
			"rtcMinPort (%u) cannot be greater than rtcMaxPort (%u)",
			config.rtcMinPort,
			config.rtcMaxPort);
	}

	if (config.dtlsCertificateFile.empty() != config.dtlsPrivateKeyFile.empty())
	{
		MS_THROW_TYPE_ERROR(
			"dtlsCertificateFile and dtlsPrivateKeyFile must be given together (%s is missing)",
			config.dtlsCertificateFile.empty() ? "dtlsCertificateFile" : "dtlsPrivateKeyFile");
	}

	return config;
}

LogLevel Settings::ParseLogLevel(std::string_view level)
{
	if (level == "debug")
	{
		return LogLevel::LOG_DEBUG;
	}
	else if (level == "warn")
	{
		return LogLevel::LOG_WARN;
	}
	else if (level == "error")
	{
		return LogLevel::LOG_ERROR;
	}
	else if (level == "none")
	{
		return LogLevel::LOG_NONE;
	}

	MS_THROW_TYPE_ERROR("invalid logLevel '%.*s'", static_cast<int>(level.size()), level.data());
}

LogTags Settings::ParseLogTags(const std::vector<std::string_view>& tags)
{
	LogTags logTags;

	for (const auto tag : tags)
	{
		// clang-format off
		if (tag == "info")           { logTags.info = true; }
		else if (tag == "ice")       { logTags.ice = true; }
		else if (tag == "dtls")      { logTags.dtls = true; }
		else if (tag == "rtp")       { logTags.rtp = true; }
		else if (tag == "srtp")      { logTags.srtp = true; }
		else if (tag == "rtcp")      { logTags.rtcp = true; }
		else if (tag == "rtx")       { logTags.rtx = true; }
		else if (tag == "bwe")       { logTags.bwe = true; }
		else if (tag == "score")     { logTags.score = true; }
		else if (tag == "simulcast") { logTags.simulcast = true; }
		else if (tag == "svc")       { logTags.svc = true; }
		else if (tag == "sctp")      { logTags.sctp = true; }
		else if (tag == "message")   { logTags.message = true; }
		// clang-format on
	}

	return logTags;
}

std::string_view Settings::LogLevelToString(LogLevel level)
{
	switch (level)
	{
		case LogLevel::LOG_DEBUG:
			return "debug";
		case LogLevel::LOG_WARN:
			return "warn";
		case LogLevel::LOG_ERROR:
			return "error";
		case LogLevel::LOG_NONE:
			return "none";
	}

	return "none";
}

std::vector<std::string> Settings::LogTagsToStrings(const LogTags& tags)
{
	std::vector<std::string> names;

	// clang-format off
	if (tags.info)      { names.emplace_back("info"); }
	if (tags.ice)       { names.emplace_back("ice"); }
	if (tags.dtls)      { names.emplace_back("dtls"); }
	if (tags.rtp)       { names.emplace_back("rtp"); }
	if (tags.srtp)      { names.emplace_back("srtp"); }
	if (tags.rtcp)      { names.emplace_back("rtcp"); }
	if (tags.rtx)       { names.emplace_back("rtx"); }
	if (tags.bwe)       { names.emplace_back("bwe"); }
	if (tags.score)     { names.emplace_back("score"); }
	if (tags.simulcast) { names.emplace_back("simulcast"); }
	if (tags.svc)       { names.emplace_back("svc"); }
	if (tags.sctp)      { names.emplace_back("sctp"); }
	if (tags.message)   { names.emplace_back("message"); }
	// clang-format on

	return names;
}
