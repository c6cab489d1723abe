// Parses arbitrary bytes as an H.264 payload and checks what parsed.

#include "common.hpp"

#include "RTC/Codecs/H264.hpp"
#include "RTC/Codecs/Tools.hpp"
#include "Settings.hpp"

using RTC::Codecs::H264;

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::span<const uint8_t> bytes(data, size);
	const auto info     = H264::Parse(bytes);
	const bool keyFrame = info && info->isKeyFrame;

	Check(H264::IsKeyFrame(bytes) == keyFrame);
	Check(RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::H264, bytes) == keyFrame);

	if (!info)
	{
		return 0;
	}

	Check(info->packetType >= 1u && info->packetType <= 29u);
	Check(info->isKeyFrame == (info->hasIdr || info->hasSps || info->hasPps));
	Check(info->isFragment == (info->packetType == 28u || info->packetType == 29u));
	// Each aggregation unit takes at least 3 bytes (size and header).
	Check(info->nalUnitCount <= 1u + size / 3u);
	Check(!info->isKeyFrame || info->nalUnitCount >= 1u);

	if (info->isFragment)
	{
		Check(info->fragmentType >= 1u && info->fragmentType <= 23u);
		Check(!(info->fragmentStart && info->fragmentEnd));
		Check(info->nalUnitCount == (info->fragmentStart ? 1u : 0u));
	}

	return 0;
}
