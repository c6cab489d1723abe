#define MS_CLASS "RTC::Vp9LayerFilter"

#include "RTC/Vp9LayerFilter.hpp"

namespace RTC
{
	namespace
	{
		bool IsNewerId(uint16_t a, uint16_t b, uint16_t mask)
		{
			const uint16_t forward = (a - b) & mask;

			return forward != 0u && forward <= (mask >> 1u);
		}
	} // namespace

	void Vp9LayerFilter::Reset()
	{
		this->current     = this->target;
		this->seenPicture = false;
	}

	void Vp9LayerFilter::StartPicture(const Codecs::Vp9PayloadDescriptor& descriptor, uint8_t tid)
	{
		// Only a picture seen from its base layer's first packet is a key one.
		this->pictureIsKey = descriptor.isKeyFrame;

		if (this->target.spatial < this->current.spatial && (!this->ksvc || this->pictureIsKey))
		{
			this->current.spatial = this->target.spatial;
		}
		else if (this->target.spatial > this->current.spatial && this->pictureIsKey)
		{
			this->current.spatial = this->target.spatial;
		}

		// k-SVC down, waiting for a key picture: meanwhile only the base
		// temporal layer of the layer forwarded, which the receiver decodes
		// on its own. Sent because the link is full, the rest would only be
		// lost, and the key picture with it.
		const bool waitingToGoDown = this->ksvc && this->target.spatial < this->current.spatial;

		if (waitingToGoDown)
		{
			this->current.temporal = 0u;
		}
		else if (this->target.temporal < this->current.temporal)
		{
			this->current.temporal = this->target.temporal;
		}
		else if (this->target.temporal > this->current.temporal)
		{
			if (tid == 0u)
			{
				this->current.temporal = this->target.temporal;
			}
			else if (
				descriptor.switchingUpPoint && tid > this->current.temporal && tid <= this->target.temporal)
			{
				this->current.temporal = tid;
			}
		}

		this->pictureSpatial = this->current.spatial;
	}

	Vp9LayerFilter::Result
	Vp9LayerFilter::Filter(const Codecs::Vp9PayloadDescriptor& descriptor, bool marker)
	{
		const uint8_t sid   = descriptor.hasLayerIndices ? descriptor.spatialLayerId : 0u;
		const uint8_t tid   = descriptor.hasLayerIndices ? descriptor.temporalLayerId : 0u;
		const uint16_t mask = descriptor.hasLongPictureId ? 0x7FFFu : 0x7Fu;
		bool newPicture{ false };
		bool currentPicture{ true };

		if (descriptor.hasPictureId)
		{
			const uint16_t pictureId = descriptor.pictureId & mask;

			newPicture     = !this->seenPicture || IsNewerId(pictureId, this->lastPictureId, mask);
			currentPicture = newPicture || pictureId == this->lastPictureId;

			if (newPicture)
			{
				this->lastPictureId = pictureId;
				this->seenPicture   = true;
			}
		}
		else
		{
			newPicture = descriptor.startOfFrame && sid == 0u;
		}

		if (newPicture)
		{
			StartPicture(descriptor, tid);
		}

		// Full SVC: the next layer up, refering to no earlier picture, of a
		// picture whose lower layers are forwarded.
		if (
			!this->ksvc && currentPicture && descriptor.startOfFrame &&
			!descriptor.interPicturePredicted && sid == this->current.spatial + 1u &&
			sid <= this->target.spatial && this->pictureSpatial == this->current.spatial)
		{
			this->current.spatial = sid;
			this->pictureSpatial  = sid;
		}

		Result result;

		if (tid > this->current.temporal)
		{
			return result;
		}

		if (this->ksvc && !this->pictureIsKey)
		{
			result.forward = sid == this->pictureSpatial;
		}
		else
		{
			result.forward = sid <= this->pictureSpatial;
		}

		result.marker =
			result.forward && (marker || (descriptor.endOfFrame && sid == this->pictureSpatial));

		return result;
	}
} // namespace RTC
