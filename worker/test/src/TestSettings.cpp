#include "common.hpp"

#include "MediaSoupErrors.hpp"
#include "Settings.hpp"

#include <catch2/catch.hpp>

#include <vector>

using Args = std::vector<std::string_view>;

TEST_CASE("Settings::Parse gives the documented defaults", "[Settings]")
{
	const auto config = Settings::Parse({});

	REQUIRE(config.logLevel == LogLevel::LOG_ERROR);
	REQUIRE(config.rtcMinPort == 10000);
	REQUIRE(config.rtcMaxPort == 59999);
	REQUIRE(config.dtlsCertificateFile.empty());
	REQUIRE(config.dtlsPrivateKeyFile.empty());
	REQUIRE(config.libwebrtcFieldTrials == "WebRTC-Bwe-AlrLimitedBackoff/Enabled/");
	REQUIRE(Settings::LogTagsToStrings(config.logTags).empty());
}

TEST_CASE("Settings::Parse reads every option", "[Settings]")
{
	const auto config = Settings::Parse(Args{
		"--logLevel=debug",
		"--logTag=ice",
		"--logTag=dtls",
		"--logTag=nonsense",
		"--rtcMinPort=2000",
		"--rtcMaxPort=2020",
		"--dtlsCertificateFile=/tmp/cert.pem",
		"--dtlsPrivateKeyFile=/tmp/key.pem",
		"--libwebrtcFieldTrials=WebRTC-Foo/Enabled/",
	});

	REQUIRE(config.logLevel == LogLevel::LOG_DEBUG);
	// Unknown tags are ignored.
	REQUIRE(Settings::LogTagsToStrings(config.logTags) == std::vector<std::string>{ "ice", "dtls" });
	REQUIRE(config.rtcMinPort == 2000);
	REQUIRE(config.rtcMaxPort == 2020);
	REQUIRE(config.dtlsCertificateFile == "/tmp/cert.pem");
	REQUIRE(config.dtlsPrivateKeyFile == "/tmp/key.pem");
	REQUIRE(config.libwebrtcFieldTrials == "WebRTC-Foo/Enabled/");
}

TEST_CASE("Settings::Parse accepts rtcMinPort 0", "[Settings]")
{
	// As mediasoup does; the port manager never binds port 0 itself.
	const auto config = Settings::Parse(Args{ "--rtcMinPort=0", "--rtcMaxPort=9999" });

	REQUIRE(config.rtcMinPort == 0);
	REQUIRE(config.rtcMaxPort == 9999);
}

TEST_CASE("Settings::Parse refuses bad settings, naming them", "[Settings]")
{
	struct Row
	{
		Args args;
		std::string expectedInMessage;
	};

	// clang-format off
	const std::vector<Row> rows{
		{ { "--logLevel=chatty" },                        "logLevel" },
		{ { "--logLevel=" },                              "logLevel" },
		{ { "--rtcMaxPort=0" },                           "rtcMaxPort" },
		{ { "--rtcMinPort=65536" },                       "rtcMinPort" },
		{ { "--rtcMaxPort=65536" },                       "rtcMaxPort" },
		{ { "--rtcMinPort=abc" },                         "rtcMinPort" },
		{ { "--rtcMinPort=100x" },                        "rtcMinPort" },
		{ { "--rtcMinPort=3000", "--rtcMaxPort=2000" },   "rtcMinPort" },
		{ { "--dtlsCertificateFile=/tmp/cert.pem" },      "dtlsPrivateKeyFile" },
		{ { "--dtlsPrivateKeyFile=/tmp/key.pem" },        "dtlsCertificateFile" },
		{ { "--frobnicate=1" },                           "frobnicate" },
		{ { "logLevel=debug" },                           "logLevel=debug" },
		{ { "--logLevel" },                               "--logLevel" },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION("args: " << row.args.front())
		{
			try
			{
				Settings::Parse(row.args);
				FAIL("no error thrown");
			}
			catch (const MediaSoupTypeError& error)
			{
				REQUIRE_THAT(error.what(), Catch::Contains(row.expectedInMessage));
			}
		}
	}
}

TEST_CASE("Settings::ParseLogLevel and LogLevelToString round-trip", "[Settings]")
{
	for (const auto* name : { "debug", "warn", "error", "none" })
	{
		REQUIRE(Settings::LogLevelToString(Settings::ParseLogLevel(name)) == name);
	}
}
