#include "common.hpp"

#include "RTC/SeqNumberRewriter.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using RTC::SeqNumberRewriter;

namespace
{
	struct Row
	{
		uint16_t seq;
		bool forward;
		// Forward(): the number given (nullopt: refused). Drop(): the number
		// to fill (nullopt: none).
		std::optional<uint16_t> out;
	};

	void Validate(SeqNumberRewriter& rewriter, const std::vector<Row>& rows)
	{
		for (const auto& row : rows)
		{
			INFO("seq " << row.seq << (row.forward ? " forwarded" : " dropped"));

			const auto out = row.forward ? rewriter.Forward(row.seq) : rewriter.Drop(row.seq);

			REQUIRE(out == row.out);
		}
	}
} // namespace

TEST_CASE("dropped packets leave no hole in the forwarded numbers", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	REQUIRE(!rewriter.Forward(10u));

	rewriter.Sync(10u, 500u);

	// clang-format off
	Validate(rewriter, {
		{ 10u, true,  500u },
		{ 11u, false, std::nullopt },
		{ 12u, false, std::nullopt },
		{ 13u, true,  501u },
		{ 14u, true,  502u },
		{ 15u, false, std::nullopt },
		{ 16u, true,  503u },
	});
	// clang-format on

	REQUIRE(rewriter.GetHighestOut() == 503u);
}

TEST_CASE("reordered packets get the number they would have had in order", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(100u, 0u);

	// clang-format off
	Validate(rewriter, {
		{ 100u, true,  0u },
		// 101 and 102 late; 103 dropped, 104 forwarded.
		{ 103u, false, std::nullopt },
		{ 104u, true,  3u },
		// 102 arrives: numbered before 104, after 101's slot.
		{ 102u, true,  2u },
		{ 101u, true,  1u },
		// A duplicate gets the same number again.
		{ 102u, true,  2u },
		// A retransmission of the dropped one is still dropped, not renumbered.
		{ 103u, true,  std::nullopt },
		{ 105u, true,  4u },
	});
	// clang-format on
}

TEST_CASE("a late drop whose number is taken is returned to fill", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(1u, 1000u);

	// clang-format off
	Validate(rewriter, {
		{ 1u, true,  1000u },
		{ 3u, true,  1002u },
		// 2 is to be dropped, but 3 counted on it.
		{ 2u, false, 1001u },
		// A late drop above everything numbered so far takes its slot out.
		{ 6u, false, std::nullopt },
		{ 5u, false, std::nullopt },
		{ 4u, true,  1003u },
		{ 7u, true,  1004u },
	});
	// clang-format on
}

TEST_CASE("numbers wrap on both sides", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(65534u, 65535u);

	// clang-format off
	Validate(rewriter, {
		{ 65534u, true,  65535u },
		{ 65535u, false, std::nullopt },
		{ 0u,     true,  0u },
		{ 2u,     true,  2u },
		{ 1u,     false, 1u },
		{ 3u,     false, std::nullopt },
		{ 4u,     true,  3u },
	});
	// clang-format on
}

TEST_CASE("packets from before the sync are refused", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(200u, 7u);

	// clang-format off
	Validate(rewriter, {
		{ 200u, true,  7u },
		{ 199u, true,  std::nullopt },
		{ 199u, false, std::nullopt },
		{ 201u, true,  8u },
	});
	// clang-format on
}

TEST_CASE("a jump of the source numbering continues the stream", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(10u, 0u);

	// clang-format off
	Validate(rewriter, {
		{ 10u,    true, 0u },
		{ 11u,    true, 1u },
		// The sender restarted far away.
		{ 40000u, true, 2u },
		{ 40001u, true, 3u },
		// Just before the new sync: its number is taken.
		{ 39999u, true, std::nullopt },
	});
	// clang-format on
}

TEST_CASE("memory of drops is bounded", "[SeqNumberRewriter]")
{
	SeqNumberRewriter rewriter;

	rewriter.Sync(0u, 0u);
	REQUIRE(rewriter.Forward(0u) == 0u);

	// Every other packet dropped, over several wraps.
	uint16_t seq{ 1u };
	uint16_t expected{ 1u };

	for (size_t i = 0; i < 200000u; ++i)
	{
		REQUIRE(!rewriter.Drop(seq));
		++seq;
		REQUIRE(rewriter.Forward(seq) == expected);
		++seq;
		++expected;

		REQUIRE(rewriter.GetTrackedDropCount() <= SeqNumberRewriter::MaxTrackedDrops);
	}

	// Behind what is remembered: refused rather than misnumbered.
	REQUIRE(!rewriter.Forward(static_cast<uint16_t>(seq - 2500u)));
	// Recent reordering still numbered right.
	REQUIRE(
		rewriter.Forward(static_cast<uint16_t>(seq - 1u)) == static_cast<uint16_t>(expected - 1u));
}
