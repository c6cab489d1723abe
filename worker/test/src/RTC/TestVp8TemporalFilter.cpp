#include "common.hpp"

#include "RTC/Vp8TemporalFilter.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using RTC::Vp8TemporalFilter;
using RTC::Codecs::Vp8PayloadDescriptor;

namespace
{
	Vp8PayloadDescriptor Frame(uint16_t pictureId, uint8_t tid, bool start = true, bool sync = false)
	{
		Vp8PayloadDescriptor descriptor;

		descriptor.startOfPartition = start;
		descriptor.hasPictureId     = true;
		descriptor.hasLongPictureId = true;
		descriptor.pictureId        = pictureId;
		descriptor.hasTid           = true;
		descriptor.tid              = tid;
		descriptor.layerSync        = sync;

		return descriptor;
	}

	struct Row
	{
		Vp8PayloadDescriptor descriptor;
		// Forwarded picture id; nullopt: dropped.
		std::optional<uint16_t> out;
	};

	void Validate(Vp8TemporalFilter& filter, const std::vector<Row>& rows)
	{
		for (const auto& row : rows)
		{
			INFO("picture " << row.descriptor.pictureId << " tid " << int{ row.descriptor.tid });

			const auto result = filter.Filter(row.descriptor);

			REQUIRE(result.forward == row.out.has_value());

			if (row.out)
			{
				REQUIRE(result.pictureId == row.out);
			}
		}
	}
} // namespace

TEST_CASE("frames above the target temporal layer are dropped", "[Vp8TemporalFilter]")
{
	Vp8TemporalFilter filter;

	filter.SetTarget(1u);
	filter.Reset();

	// L1T3 pattern 0 2 1 2: TL2 dropped, picture ids made consecutive.
	// clang-format off
	Validate(filter, {
		{ Frame(100, 0), 100 },
		{ Frame(100, 0, false), 100 },
		{ Frame(101, 2), std::nullopt },
		{ Frame(101, 2, false), std::nullopt },
		{ Frame(102, 1), 101 },
		{ Frame(103, 2), std::nullopt },
		{ Frame(104, 0), 102 },
		// A late packet of a forwarded picture keeps its id.
		{ Frame(102, 1, false), 101 },
		{ Frame(105, 2), std::nullopt },
		{ Frame(106, 1), 103 },
	});
	// clang-format on
}

TEST_CASE("temporal up-switches wait for a TL0 or a layer sync frame", "[Vp8TemporalFilter]")
{
	Vp8TemporalFilter filter;

	filter.SetTarget(0u);
	filter.Reset();

	// clang-format off
	Validate(filter, {
		{ Frame(10, 0), 10 },
		{ Frame(11, 2), std::nullopt },
		{ Frame(12, 1), std::nullopt },
	});
	// clang-format on

	filter.SetTarget(2u);

	// Not at a TL1 frame without Y; at a TL1 frame with Y, up to 1 only;
	// then at the next TL0 up to 2.
	// clang-format off
	Validate(filter, {
		{ Frame(13, 2), std::nullopt },
		{ Frame(14, 1), std::nullopt },
		{ Frame(15, 2), std::nullopt },
		{ Frame(16, 0), 11 },
		{ Frame(17, 2), 12 },
		{ Frame(18, 1), 13 },
	});
	// clang-format on

	REQUIRE(filter.GetCurrent() == 2u);

	filter.SetTarget(0u);
	filter.Reset();
	filter.Filter(Frame(19, 0));
	filter.SetTarget(1u);

	// clang-format off
	Validate(filter, {
		{ Frame(20, 2, true, true), std::nullopt },
		{ Frame(21, 1, true, true), 15 },
		{ Frame(22, 2), std::nullopt },
	});
	// clang-format on

	REQUIRE(filter.GetCurrent() == 1u);
}

TEST_CASE("temporal down-switches happen at the next frame start", "[Vp8TemporalFilter]")
{
	Vp8TemporalFilter filter;

	filter.SetTarget(2u);
	filter.Reset();

	// clang-format off
	Validate(filter, {
		{ Frame(1000, 0), 1000 },
		{ Frame(1001, 2), 1001 },
	});
	// clang-format on

	filter.SetTarget(0u);

	// clang-format off
	Validate(filter, {
		// The rest of the frame being forwarded goes on.
		{ Frame(1001, 2, false), 1001 },
		{ Frame(1002, 1), std::nullopt },
		{ Frame(1003, 2), std::nullopt },
		{ Frame(1004, 0), 1002 },
	});
	// clang-format on
}

TEST_CASE("compacted picture ids wrap, in the 7 and 15-bit forms", "[Vp8TemporalFilter]")
{
	Vp8TemporalFilter filter;

	filter.SetTarget(0u);
	filter.Reset();

	// clang-format off
	Validate(filter, {
		{ Frame(0x7FFE, 0), 0x7FFE },
		{ Frame(0x7FFF, 1), std::nullopt },
		{ Frame(0x0000, 0), 0x7FFF },
		{ Frame(0x0001, 1), std::nullopt },
		{ Frame(0x0002, 0), 0x0000 },
	});
	// clang-format on

	Vp8TemporalFilter shortIds;

	shortIds.SetTarget(0u);
	shortIds.Reset();

	auto shortFrame = [](uint16_t pictureId, uint8_t tid)
	{
		auto descriptor             = Frame(pictureId, tid);
		descriptor.hasLongPictureId = false;

		return descriptor;
	};

	// clang-format off
	Validate(shortIds, {
		{ shortFrame(0x7E, 0), 0x7E },
		{ shortFrame(0x7F, 1), std::nullopt },
		{ shortFrame(0x00, 0), 0x7F },
	});
	// clang-format on
}

TEST_CASE("packets without TID are in layer 0", "[Vp8TemporalFilter]")
{
	Vp8TemporalFilter filter;

	filter.SetTarget(0u);
	filter.Reset();

	Vp8PayloadDescriptor descriptor;

	descriptor.startOfPartition = true;

	const auto result = filter.Filter(descriptor);

	REQUIRE(result.forward);
	REQUIRE(!result.pictureId);
}
