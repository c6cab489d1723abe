#define MS_CLASS "RTC::SvcLayerFilter"

#include "RTC/SvcLayerFilter.hpp"

#include "RTC/SeqNumber.hpp"

namespace RTC
{
	void SvcLayerFilter::Reset()
	{
		this->current     = this->target;
		this->seenPicture = false;
	}

	SvcLayerFilter::Frame SvcLayerFilter::FromVp9(const Codecs::Vp9PayloadDescriptor& descriptor)
	{
		Frame frame;

		frame.spatial               = descriptor.hasLayerIndices ? descriptor.spatialLayerId : 0u;
		frame.temporal              = descriptor.hasLayerIndices ? descriptor.temporalLayerId : 0u;
		frame.startOfFrame          = descriptor.startOfFrame;
		frame.endOfFrame            = descriptor.endOfFrame;
		frame.isKeyFrame            = descriptor.isKeyFrame;
		frame.interPicturePredicted = descriptor.interPicturePredicted;
		frame.switchingUpPoint      = descriptor.switchingUpPoint;

		if (descriptor.hasPictureId)
		{
			frame.pictureIdMask = descriptor.hasLongPictureId ? 0x7FFFu : 0x7Fu;
			frame.pictureId     = descriptor.pictureId & frame.pictureIdMask;
		}

		return frame;
	}

	void SvcLayerFilter::StartPicture(const Frame& frame)
	{
		const uint8_t tid = frame.temporal;

		// Only a picture seen from its base layer's first packet is a key one.
		this->pictureIsKey = frame.isKeyFrame;

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
				frame.switchingUpPoint && tid > this->current.temporal && tid <= this->target.temporal)
			{
				this->current.temporal = tid;
			}
		}

		this->pictureSpatial = this->current.spatial;
	}

	SvcLayerFilter::Result SvcLayerFilter::Filter(const Frame& frame, bool marker)
	{
		const uint8_t sid = frame.spatial;
		const uint8_t tid = frame.temporal;
		bool newPicture{ false };
		bool currentPicture{ true };

		if (frame.pictureId)
		{
			const uint32_t mask      = frame.pictureIdMask;
			const uint32_t pictureId = *frame.pictureId & mask;

			newPicture     = !this->seenPicture || IsNewerMasked(pictureId, this->lastPictureId, mask);
			currentPicture = newPicture || pictureId == this->lastPictureId;

			if (newPicture)
			{
				this->lastPictureId = pictureId;
				this->seenPicture   = true;
			}
		}
		else
		{
			newPicture = frame.startOfFrame && sid == 0u;
		}

		if (newPicture)
		{
			StartPicture(frame);
		}

		// Full SVC: the next layer up, refering to no earlier picture, of a
		// picture whose lower layers are forwarded.
		if (
			!this->ksvc && currentPicture && frame.startOfFrame && !frame.interPicturePredicted &&
			sid == this->current.spatial + 1u && sid <= this->target.spatial &&
			this->pictureSpatial == this->current.spatial)
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

		result.marker = result.forward && (marker || (frame.endOfFrame && sid == this->pictureSpatial));

		return result;
	}
} // namespace RTC
