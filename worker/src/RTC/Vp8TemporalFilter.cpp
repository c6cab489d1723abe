#define MS_CLASS "RTC::Vp8TemporalFilter"

#include "RTC/Vp8TemporalFilter.hpp"

#include "RTC/SeqNumber.hpp"

namespace RTC
{
	void Vp8TemporalFilter::Reset()
	{
		this->current     = this->target;
		this->seenPicture = false;
		this->remembered  = {};
	}

	Vp8TemporalFilter::Result
	Vp8TemporalFilter::Filter(const Codecs::Vp8PayloadDescriptor& descriptor)
	{
		const uint8_t tid     = descriptor.hasTid ? descriptor.tid : 0u;
		const bool frameStart = descriptor.startOfPartition && descriptor.partitionIndex == 0u;
		const uint16_t mask =
			descriptor.hasLongPictureId ? Codecs::Vp8::MaxPictureId : Codecs::Vp8::MaxShortPictureId;
		const uint16_t pictureId = descriptor.pictureId & mask;
		bool newPicture          = frameStart;

		// A late first packet of an older picture is no boundary.
		if (frameStart && descriptor.hasPictureId && this->seenPicture)
		{
			newPicture = IsNewerMasked(pictureId, this->lastPictureId, mask);
		}

		if (newPicture)
		{
			if (this->target < this->current)
			{
				this->current = this->target;
			}
			else if (this->target > this->current)
			{
				if (tid == 0u)
				{
					this->current = this->target;
				}
				else if (descriptor.layerSync && tid > this->current && tid <= this->target)
				{
					this->current = tid;
				}
			}
		}

		Result result;

		result.forward = tid <= this->current;

		if (!descriptor.hasPictureId)
		{
			return result;
		}

		if (newPicture)
		{
			this->lastPictureId = pictureId;
			this->seenPicture   = true;

			if (result.forward)
			{
				this->remembered[pictureId % RememberedPictures] = { pictureId,
																														 this->droppedPictures,
																														 true };
			}
			else
			{
				++this->droppedPictures;
			}
		}

		if (result.forward)
		{
			const auto& entry = this->remembered[pictureId % RememberedPictures];
			// A picture whose first packet was not seen: as the latest ones.
			const uint16_t offset =
				entry.valid && entry.pictureId == pictureId ? entry.offset : this->droppedPictures;

			result.pictureId = static_cast<uint16_t>((pictureId - offset) & mask);
		}

		return result;
	}
} // namespace RTC
