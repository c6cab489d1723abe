#include "common.hpp"

#include "RTC/SvcLayerFilter.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::SvcLayerFilter;
using RTC::Codecs::Vp9PayloadDescriptor;

namespace
{
	// One packet holding a whole layer frame (B and E set).
	Vp9PayloadDescriptor LayerFrame(uint16_t pictureId, uint8_t sid, uint8_t tid, bool key)
	{
		Vp9PayloadDescriptor descriptor;

		descriptor.hasPictureId          = true;
		descriptor.hasLongPictureId      = true;
		descriptor.pictureId             = pictureId;
		descriptor.hasLayerIndices       = true;
		descriptor.spatialLayerId        = sid;
		descriptor.temporalLayerId       = tid;
		descriptor.startOfFrame          = true;
		descriptor.endOfFrame            = true;
		descriptor.interPicturePredicted = !key;
		descriptor.isKeyFrame            = key && sid == 0u;

		return descriptor;
	}

	struct Outcome
	{
		bool forward;
		bool marker;
	};

	// A picture of `spatialLayers` layer frames; the RTP marker on the last.
	std::vector<Outcome>
	Picture(SvcLayerFilter& filter, uint16_t pictureId, uint8_t spatialLayers, uint8_t tid, bool key)
	{
		std::vector<Outcome> outcomes;

		for (uint8_t sid = 0; sid < spatialLayers; ++sid)
		{
			const auto result = filter.Filter(
				LayerFrame(pictureId, sid, tid, key), sid == static_cast<uint8_t>(spatialLayers - 1u));

			outcomes.push_back({ result.forward, result.marker });
		}

		return outcomes;
	}

	bool operator==(const Outcome& a, const Outcome& b)
	{
		return a.forward == b.forward && a.marker == b.marker;
	}

	constexpr Outcome Fwd{ true, false };
	constexpr Outcome FwdMarker{ true, true };
	constexpr Outcome Drop{ false, false };
} // namespace

TEST_CASE("full SVC forwards the layers up to the target, marker on the last", "[SvcLayerFilter]")
{
	SvcLayerFilter filter(false);

	filter.SetTarget({ 1u, 0u });
	filter.Reset();

	// L3T3: pictures of TID 0 2 1 2.
	REQUIRE(Picture(filter, 1, 3, 0, true) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });
	REQUIRE(Picture(filter, 2, 3, 2, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(Picture(filter, 3, 3, 1, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(Picture(filter, 4, 3, 2, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(Picture(filter, 5, 3, 0, false) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });

	// Temporal up at the next TL0 picture.
	filter.SetTarget({ 1u, 2u });
	REQUIRE(Picture(filter, 6, 3, 2, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(Picture(filter, 7, 3, 0, false) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });
	REQUIRE(Picture(filter, 8, 3, 2, false) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });

	// The original marker is kept when the whole picture is forwarded.
	filter.SetTarget({ 2u, 2u });
	REQUIRE(filter.NeedsKeyFrame());
	REQUIRE(Picture(filter, 9, 3, 1, false) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });
	REQUIRE(Picture(filter, 10, 3, 0, true) == std::vector<Outcome>{ Fwd, Fwd, FwdMarker });
	REQUIRE(!filter.NeedsKeyFrame());
	REQUIRE(filter.GetCurrent() == SvcLayerFilter::Layers{ 2u, 2u });

	// Spatial down at once, at the next picture.
	filter.SetTarget({ 0u, 2u });
	REQUIRE(!filter.NeedsKeyFrame());
	REQUIRE(Picture(filter, 11, 3, 2, false) == std::vector<Outcome>{ FwdMarker, Drop, Drop });
}

TEST_CASE("full SVC moves up at a layer frame refering to no earlier picture", "[SvcLayerFilter]")
{
	SvcLayerFilter filter(false);

	filter.SetTarget({ 0u, 0u });
	filter.Reset();

	REQUIRE(Picture(filter, 1, 2, 0, true) == std::vector<Outcome>{ FwdMarker, Drop });

	filter.SetTarget({ 1u, 0u });

	// Inter-picture predicted upper layer: not yet.
	REQUIRE(Picture(filter, 2, 2, 0, false) == std::vector<Outcome>{ FwdMarker, Drop });

	// Layer 1 with P = 0 (depends only on layer 0 of its picture).
	const auto base             = filter.Filter(LayerFrame(3, 0, 0, false), false);
	auto upper                  = LayerFrame(3, 1, 0, false);
	upper.interPicturePredicted = false;
	const auto top              = filter.Filter(upper, true);

	REQUIRE(base.forward);
	REQUIRE(top.forward);
	REQUIRE(top.marker);
	REQUIRE(filter.GetCurrent().spatial == 1u);
}

TEST_CASE("k-SVC forwards only the target layer outside key pictures", "[SvcLayerFilter]")
{
	SvcLayerFilter filter(true);

	filter.SetTarget({ 1u, 0u });
	filter.Reset();

	// L3T1_KEY.
	REQUIRE(Picture(filter, 1, 3, 0, true) == std::vector<Outcome>{ Fwd, FwdMarker, Drop });
	REQUIRE(Picture(filter, 2, 3, 0, false) == std::vector<Outcome>{ Drop, FwdMarker, Drop });

	// Down needs a key picture too: layer 0's own frames were not forwarded.
	filter.SetTarget({ 0u, 0u });
	REQUIRE(filter.NeedsKeyFrame());
	REQUIRE(Picture(filter, 3, 3, 0, false) == std::vector<Outcome>{ Drop, FwdMarker, Drop });
	REQUIRE(Picture(filter, 4, 3, 0, true) == std::vector<Outcome>{ FwdMarker, Drop, Drop });
	REQUIRE(Picture(filter, 5, 3, 0, false) == std::vector<Outcome>{ FwdMarker, Drop, Drop });

	// Up at a key picture.
	filter.SetTarget({ 2u, 0u });
	REQUIRE(Picture(filter, 6, 3, 0, false) == std::vector<Outcome>{ FwdMarker, Drop, Drop });
	REQUIRE(Picture(filter, 7, 3, 0, true) == std::vector<Outcome>{ Fwd, Fwd, FwdMarker });
	REQUIRE(Picture(filter, 8, 3, 0, false) == std::vector<Outcome>{ Drop, Drop, FwdMarker });
}

TEST_CASE("k-SVC waiting for a key picture to go down sends TL0 only", "[SvcLayerFilter]")
{
	SvcLayerFilter filter(true);

	filter.SetTarget({ 2u, 2u });
	filter.Reset();

	// L3T3_KEY: pictures of TID 0 2 1 2.
	REQUIRE(Picture(filter, 1, 3, 0, true) == std::vector<Outcome>{ Fwd, Fwd, FwdMarker });
	REQUIRE(Picture(filter, 2, 3, 2, false) == std::vector<Outcome>{ Drop, Drop, FwdMarker });

	filter.SetTarget({ 0u, 2u });
	REQUIRE(filter.NeedsKeyFrame());

	// The key picture is late: layer 2 goes on, TL0 only.
	REQUIRE(Picture(filter, 3, 3, 1, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(filter.GetCurrent() == SvcLayerFilter::Layers{ 2u, 0u });
	REQUIRE(Picture(filter, 4, 3, 2, false) == std::vector<Outcome>{ Drop, Drop, Drop });
	REQUIRE(Picture(filter, 5, 3, 0, false) == std::vector<Outcome>{ Drop, Drop, FwdMarker });

	// At the key picture: layer 0 with all its temporal layers.
	REQUIRE(Picture(filter, 6, 3, 0, true) == std::vector<Outcome>{ FwdMarker, Drop, Drop });
	REQUIRE(filter.GetCurrent() == SvcLayerFilter::Layers{ 0u, 2u });
	REQUIRE(Picture(filter, 7, 3, 2, false) == std::vector<Outcome>{ FwdMarker, Drop, Drop });
}

TEST_CASE("a layer frame of several packets gets the marker on its end only", "[SvcLayerFilter]")
{
	SvcLayerFilter filter(false);

	filter.SetTarget({ 0u, 0u });
	filter.Reset();

	auto first          = LayerFrame(50, 0, 0, true);
	first.endOfFrame    = false;
	auto middle         = LayerFrame(50, 0, 0, true);
	middle.startOfFrame = false;
	middle.endOfFrame   = false;
	middle.isKeyFrame   = false;
	auto last           = middle;
	last.endOfFrame     = true;

	REQUIRE(!filter.Filter(first, false).marker);
	REQUIRE(!filter.Filter(middle, false).marker);
	REQUIRE(filter.Filter(last, false).marker);
	REQUIRE(!filter.Filter(LayerFrame(50, 1, 0, true), true).forward);
}

namespace
{
	// An AV1 temporal unit as the Dependency Descriptor describes it: the
	// RTP timestamp for the picture, two packets per layer frame, the RTP
	// marker on the last; no P or U bits.
	std::vector<Outcome> TemporalUnit(
		SvcLayerFilter& filter, uint32_t timestamp, uint8_t spatialLayers, uint8_t tid, bool key)
	{
		std::vector<Outcome> outcomes;

		for (uint8_t sid = 0; sid < spatialLayers; ++sid)
		{
			for (int part = 0; part < 2; ++part)
			{
				SvcLayerFilter::Frame frame;

				frame.spatial      = sid;
				frame.temporal     = tid;
				frame.startOfFrame = part == 0;
				frame.endOfFrame   = part == 1;
				frame.isKeyFrame   = key && sid == 0u && part == 0;
				frame.pictureId    = timestamp;

				const bool marker = sid == spatialLayers - 1u && part == 1;
				const auto result = filter.Filter(frame, marker);

				outcomes.push_back({ result.forward, result.marker });
			}
		}

		return outcomes;
	}
} // namespace

TEST_CASE("AV1 frames: temporal units by timestamp, up only at key or TL0", "[SvcLayerFilter]")
{
	using O = std::vector<Outcome>;

	SECTION("full SVC L3T3, timestamps wrapping")
	{
		SvcLayerFilter filter(false);
		uint32_t ts = 0xFFFFFFFFu - 3000u;

		filter.SetTarget({ 1u, 0u });
		filter.Reset();

		REQUIRE(TemporalUnit(filter, ts, 3, 0, true) == O{ Fwd, Fwd, Fwd, FwdMarker, Drop, Drop });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 2, false) == O{ Drop, Drop, Drop, Drop, Drop, Drop });
		// Past the wrap: still a new temporal unit.
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 0, false) == O{ Fwd, Fwd, Fwd, FwdMarker, Drop, Drop });

		// Up needs a key temporal unit: AV1 frames never claim P = 0.
		filter.SetTarget({ 2u, 0u });
		REQUIRE(filter.NeedsKeyFrame());
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 0, false) == O{ Fwd, Fwd, Fwd, FwdMarker, Drop, Drop });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 0, true) == O{ Fwd, Fwd, Fwd, Fwd, Fwd, FwdMarker });
		REQUIRE(filter.GetCurrent() == SvcLayerFilter::Layers{ 2u, 0u });

		// Temporal up at a TL0 unit only (no switching up points).
		filter.SetTarget({ 2u, 2u });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 1, false) == O{ Drop, Drop, Drop, Drop, Drop, Drop });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 0, false) == O{ Fwd, Fwd, Fwd, Fwd, Fwd, FwdMarker });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 2, false) == O{ Fwd, Fwd, Fwd, Fwd, Fwd, FwdMarker });

		// A late packet of an earlier unit starts nothing.
		SvcLayerFilter::Frame late;

		late.spatial      = 0u;
		late.temporal     = 0u;
		late.startOfFrame = true;
		late.isKeyFrame   = true;
		late.pictureId    = ts - 6000u;
		filter.SetTarget({ 0u, 2u });
		filter.Filter(late, false);
		REQUIRE(filter.GetCurrent() == SvcLayerFilter::Layers{ 2u, 2u });
	}

	SECTION("k-SVC L3T3_KEY")
	{
		SvcLayerFilter filter(true);
		uint32_t ts = 90000u;

		filter.SetTarget({ 1u, 0u });
		filter.Reset();

		REQUIRE(TemporalUnit(filter, ts, 3, 0, true) == O{ Fwd, Fwd, Fwd, FwdMarker, Drop, Drop });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 0, false) ==
			O{ Drop, Drop, Fwd, FwdMarker, Drop, Drop });
		REQUIRE(
			TemporalUnit(filter, ts += 3000u, 3, 1, false) == O{ Drop, Drop, Drop, Drop, Drop, Drop });
	}
}
