// Parses arbitrary bytes as an H.265 payload and checks what parsed.

#include "common.hpp"

#include "RTC/Codecs/H265.hpp"
#include "RTC/Codecs/Tools.hpp"
#include "Settings.hpp"

using RTC::Codecs::H265;

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
	const auto info     = H265::Parse(bytes);
	const bool keyFrame = info && info->isKeyFrame;

	Check(H265::IsKeyFrame(bytes) == keyFrame);
	Check(RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::H265, bytes) == keyFrame);

	if (!info)
	{
		return 0;
	}

	Check(size >= 2u);
	Check(info->packetType <= 63u && info->layerId <= 63u && info->temporalId <= 6u);
	Check(info->isKeyFrame == (info->hasIrap || info->hasVps || info->hasSps || info->hasPps));
	// Each aggregation unit takes at least 4 bytes (size and header).
	Check(info->nalUnitCount <= 1u + size / 4u);
	Check(!info->isKeyFrame || info->nalUnitCount >= 1u);

	if (info->isFragment)
	{
		// Anything but AP, FU and PACI (types 51..63 are left unspecified).
		Check(info->fragmentType < 48u || info->fragmentType > 50u);
		Check(!(info->fragmentStart && info->fragmentEnd));
		Check(info->nalUnitCount == (info->fragmentStart ? 1u : 0u));
	}

	return 0;
}
