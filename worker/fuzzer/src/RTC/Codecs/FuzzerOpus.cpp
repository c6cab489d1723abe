// Parses arbitrary bytes as an Opus packet and checks that the frames it
// found fit in it.

#include "common.hpp"

#include "RTC/Codecs/Opus.hpp"
#include "RTC/Codecs/Tools.hpp"
#include "Settings.hpp"

using RTC::Codecs::Opus;

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
	const auto info = Opus::Parse(bytes);

	Check(Opus::IsDtx(bytes) == (size == 1u || size == 2u));
	Check(!RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::OPUS, bytes));

	if (!info)
	{
		return 0;
	}

	Check(info->frameCount >= 1u && info->frameCount <= RTC::Codecs::OpusPacketInfo::MaxFrames);
	Check(info->samples == info->samplesPerFrame * info->frameCount);
	Check(info->samples <= Opus::MaxPacketSamples);
	Check(info->samplesPerFrame == Opus::GetSamplesPerFrame(data[0]));

	size_t total{ info->paddingSize };

	for (size_t i = 0u; i < info->frameCount; ++i)
	{
		Check(info->frameSizes[i] <= Opus::MaxFrameSize);
		total += info->frameSizes[i];
	}

	// TOC, and the frames and padding in what is left.
	Check(total < size);

	return 0;
}
