// Parses arbitrary bytes as a VP9 payload and checks what parsed.

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"
#include "RTC/Codecs/VP9.hpp"
#include "Settings.hpp"

using RTC::Codecs::Vp9;

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
	const auto descriptor = Vp9::Parse(bytes);
	const bool keyFrame   = descriptor && descriptor->isKeyFrame;

	Check(Vp9::IsKeyFrame(bytes) == keyFrame);
	Check(RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::VP9, bytes) == keyFrame);

	if (!descriptor)
	{
		return 0;
	}

	Check(descriptor->size >= 1u && descriptor->size < size);
	Check(descriptor->pictureId <= (descriptor->hasLongPictureId ? 0x7FFFu : 0x7Fu));
	Check(descriptor->temporalLayerId <= 7u && descriptor->spatialLayerId <= 7u);
	Check(descriptor->referenceCount <= RTC::Codecs::Vp9PayloadDescriptor::MaxReferences);
	Check(descriptor->hasTl0PicIdx == (descriptor->hasLayerIndices && !descriptor->flexibleMode));
	Check(
		!keyFrame || (!descriptor->interPicturePredicted && descriptor->startOfFrame &&
									descriptor->spatialLayerId == 0u));

	if (descriptor->hasScalabilityStructure)
	{
		Check(descriptor->ss.spatialLayers >= 1u && descriptor->ss.spatialLayers <= 8u);
	}

	return 0;
}
