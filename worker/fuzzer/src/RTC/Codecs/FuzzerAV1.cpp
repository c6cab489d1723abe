// Parses arbitrary bytes as an AV1 payload and checks what parsed.

#include "common.hpp"

#include "RTC/Codecs/AV1.hpp"
#include "RTC/Codecs/Tools.hpp"
#include "Settings.hpp"

using RTC::Codecs::Av1;

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
	const auto info     = Av1::Parse(bytes);
	const bool keyFrame = info && info->isKeyFrame;

	Check(Av1::IsKeyFrame(bytes) == keyFrame);
	Check(RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::AV1, bytes) == keyFrame);

	if (!info)
	{
		return 0;
	}

	// Every element holds at least one byte after the aggregation header.
	Check(info->elementCount >= 1u && info->elementCount < size);
	Check(info->elementCountField == 0u || info->elementCount == info->elementCountField);
	Check(
		info->isKeyFrame ==
		(info->newCodedVideoSequence && !info->continuesObu && info->hasSequenceHeader));
	Check(info->temporalId <= 7u && info->spatialId <= 3u);

	return 0;
}
