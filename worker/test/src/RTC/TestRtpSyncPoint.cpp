#include "common.hpp"

#include "RTC/RtpSyncPoint.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::RtpSyncPoint;
using Position = RTC::RtpSyncPoint::Position;

namespace
{
	struct Row
	{
		uint16_t seq;
		Position position;
	};

	// Syncs at `syncSeq`, then feeds the rows in order.
	void Validate(uint16_t syncSeq, const std::vector<Row>& rows)
	{
		RtpSyncPoint syncPoint;

		syncPoint.Sync(syncSeq);

		for (const auto& row : rows)
		{
			INFO("sync at " << syncSeq << ", seq " << row.seq);

			REQUIRE(syncPoint.Receive(row.seq) == row.position);
		}
	}

	constexpr uint16_t Window{ RtpSyncPoint::LateWindow };
} // namespace

TEST_CASE("RtpSyncPoint", "[RtpSyncPoint]")
{
	SECTION("packets from before the sync point are late, reordered ones after it are not")
	{
		// clang-format off
		Validate(1000u,
		{
			{ 1001u, Position::NEWEST      },
			{ 999u,  Position::BEFORE_SYNC },
			{ 1000u, Position::REORDERED   },
			{ 1004u, Position::NEWEST      },
			{ 1002u, Position::REORDERED   },
			{ 1003u, Position::REORDERED   },
			{ 900u,  Position::BEFORE_SYNC },
			{ 1005u, Position::NEWEST      },
		});
		// clang-format on
	}

	SECTION("across the sequence number wrap")
	{
		// clang-format off
		Validate(65530u,
		{
			{ 65535u, Position::NEWEST      },
			{ 2u,     Position::NEWEST      },
			{ 65529u, Position::BEFORE_SYNC },
			{ 65533u, Position::REORDERED   },
			{ 0u,     Position::REORDERED   },
			{ 3u,     Position::NEWEST      },
		});
		// clang-format on
	}

	SECTION("the stream goes on more than half the number space past the sync point")
	{
		RtpSyncPoint syncPoint;
		uint16_t seq{ 1000u };

		syncPoint.Sync(seq);

		// Twice round the number space, with gaps a receiver takes as loss.
		for (int i = 0; i < 100; ++i)
		{
			seq = static_cast<uint16_t>(seq + 1311u);

			INFO("seq " << seq);

			REQUIRE(syncPoint.Receive(seq) == Position::NEWEST);
			// Reordered packets stay forwardable everywhere, including where
			// the sync point is just ahead of them modulo 2^16.
			REQUIRE(syncPoint.Receive(static_cast<uint16_t>(seq - 1u)) == Position::REORDERED);
			REQUIRE(syncPoint.Receive(static_cast<uint16_t>(seq - 100u)) == Position::REORDERED);
		}
	}

	SECTION("late packets are judged up to LateWindow behind the highest")
	{
		// clang-format off
		Validate(10000u,
		{
			{ 10100u,                   Position::NEWEST      },
			{ 10100u - Window,          Position::BEFORE_SYNC },
			// Further behind: a jump back of the numbering, which goes on from it.
			{ 10100u - Window - 1u,     Position::NEWEST      },
			{ 10100u - Window,          Position::NEWEST      },
			// Nothing from before the jump is coming back: no more late ones.
			{ 10100u - Window - 200u,   Position::REORDERED   },
		});
		// clang-format on
	}

	SECTION("a jump forward of more than half the number space")
	{
		// clang-format off
		Validate(1000u,
		{
			{ 1001u,  Position::NEWEST    },
			{ 41001u, Position::NEWEST    },
			{ 41002u, Position::NEWEST    },
			{ 41000u, Position::REORDERED },
			{ 41003u, Position::NEWEST    },
		});
		// clang-format on
	}

	SECTION("a jump forward of almost the whole number space looks late until it passes the highest")
	{
		// 65000 ahead is 536 behind: within LateWindow, before the sync point.
		// clang-format off
		Validate(1000u,
		{
			{ 1001u,  Position::NEWEST      },
			{ 465u,   Position::BEFORE_SYNC },
			{ 1000u,  Position::REORDERED   },
			{ 1002u,  Position::NEWEST      },
		});
		// clang-format on
	}

	SECTION("a new sync moves the sync point")
	{
		RtpSyncPoint syncPoint;

		syncPoint.Sync(1000u);

		REQUIRE(syncPoint.Receive(9000u) == Position::NEWEST);
		REQUIRE(syncPoint.Receive(8999u) == Position::REORDERED);

		syncPoint.Sync(9001u);

		REQUIRE(syncPoint.Receive(9000u) == Position::BEFORE_SYNC);
		REQUIRE(syncPoint.Receive(9002u) == Position::NEWEST);
	}
}
