#define CATCH_CONFIG_RUNNER

#include "Settings.hpp"

#include <catch2/catch.hpp>

int main(int argc, char* argv[])
{
	// Unit tests run silently unless asked otherwise.
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return Catch::Session().run(argc, argv);
}
