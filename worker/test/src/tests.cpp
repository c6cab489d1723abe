#define CATCH_CONFIG_RUNNER

#include "DepLibSRTP.hpp"
#include "DepOpenSSL.hpp"
#include "DepUsrSCTP.hpp"
#include "Settings.hpp"

#include <catch2/catch.hpp>

int main(int argc, char* argv[])
{
	// Unit tests run silently unless asked otherwise.
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	// Process-wide library setup, as the worker's main() does.
	DepOpenSSL::ClassInit();
	DepLibSRTP::ClassInit();
	DepUsrSCTP::ClassInit();

	const int result = Catch::Session().run(argc, argv);

	DepUsrSCTP::ClassDestroy();
	DepLibSRTP::ClassDestroy();

	return result;
}
