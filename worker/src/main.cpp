#define MS_CLASS "main"

#include "Channel/ChannelSocket.hpp"
#include "DepLibSRTP.hpp"
#include "DepLibUV.hpp"
#include "DepOpenSSL.hpp"
#include "DepUsrSCTP.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/DtlsCertificate.hpp"
#include "Settings.hpp"
#include "Worker.hpp"

#include <csignal>
#include <cstdio>
#include <vector>

// Exit codes Node understands.
static constexpr int ExitCodeSettingsError{ 42 };
static constexpr int ExitCodeFailure{ 1 };

// The file descriptors Node opens for the channel.
static constexpr int ConsumerChannelFd{ 3 };
static constexpr int ProducerChannelFd{ 4 };

int main(int argc, char* argv[])
{
	// Signals that must not kill a worker: a closed socket (SIGPIPE), the
	// terminal going away, stray timers and user signals. SIGINT and SIGTERM
	// are handled by the Worker, which closes itself and exits.
	for (const int signum : { SIGPIPE, SIGHUP, SIGALRM, SIGUSR1, SIGUSR2 })
	{
		std::signal(signum, SIG_IGN);
	}

	try
	{
		const std::vector<std::string_view> args(argv + 1, argv + argc);

		Settings::configuration = Settings::Parse(args);
	}
	catch (const MediaSoupError& error)
	{
		std::fprintf(stderr, "mediasoup-worker settings error: %s\n", error.what());

		return ExitCodeSettingsError;
	}

	// The channel first, so that everything after it logs to Node.
	std::unique_ptr<Channel::ChannelSocket> channel;

	try
	{
		channel = std::make_unique<Channel::ChannelSocket>(ConsumerChannelFd, ProducerChannelFd);
	}
	catch (const MediaSoupError& error)
	{
		std::fprintf(stderr, "mediasoup-worker failed to open the channel: %s\n", error.what());

		return ExitCodeFailure;
	}

	Logger::SetSink(channel.get());

	std::unique_ptr<RTC::DtlsCertificate> certificate;

	try
	{
		if (!Settings::configuration.dtlsCertificateFile.empty())
		{
			certificate = RTC::DtlsCertificate::FromFiles(
				Settings::configuration.dtlsCertificateFile, Settings::configuration.dtlsPrivateKeyFile);
		}
	}
	catch (const MediaSoupError& error)
	{
		// Node reads stderr to explain the failed start.
		std::fprintf(stderr, "mediasoup-worker settings error: %s\n", error.what());

		return ExitCodeSettingsError;
	}

	try
	{
		DepOpenSSL::ClassInit();
		DepLibSRTP::ClassInit();
		DepUsrSCTP::ClassInit();

		if (!certificate)
		{
			certificate = RTC::DtlsCertificate::Generate();
		}
	}
	catch (const MediaSoupError& error)
	{
		std::fprintf(stderr, "mediasoup-worker failed to start: %s\n", error.what());

		return ExitCodeFailure;
	}

	{
		Worker worker(channel.get(), std::move(certificate));

		DepLibUV::RunLoop();
	}

	Logger::SetSink(nullptr);
	channel.reset();

	DepUsrSCTP::ClassDestroy();
	DepLibSRTP::ClassDestroy();
	DepLibUV::ClassDestroy();

	return 0;
}
