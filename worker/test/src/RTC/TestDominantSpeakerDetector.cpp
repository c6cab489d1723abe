#include "common.hpp"

#include "RTC/DominantSpeakerDetector.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

using RTC::DominantSpeakerDetector;

namespace
{
	// RFC 6464 levels (-dBov).
	constexpr uint8_t Loud{ 10u };
	constexpr uint8_t Normal{ 30u };
	constexpr uint8_t Faint{ 50u };
	constexpr uint8_t Silent{ 127u };

	constexpr uint64_t PacketMs{ 20u };
	constexpr uint64_t DecisionMs{ 300u };

	// A conversation replayed in virtual time: each speaker sends a packet
	// every PacketMs with its current level (or nothing, when absent from the
	// levels), and a decision runs every DecisionMs, as the observer's timer
	// would.
	class Conversation
	{
	public:
		explicit Conversation(const std::vector<std::string>& ids)
		{
			for (const auto& id : ids)
			{
				this->detector.AddSpeaker(id, this->nowMs);
			}
		}

	public:
		// Runs `durationMs` with these levels; returns the changes of dominant
		// speaker, with their times.
		std::vector<std::pair<uint64_t, std::string>>
		Run(const std::map<std::string, uint8_t>& levels, uint64_t durationMs)
		{
			std::vector<std::pair<uint64_t, std::string>> changes;
			const uint64_t endMs = this->nowMs + durationMs;

			while (this->nowMs < endMs)
			{
				this->nowMs += PacketMs;

				for (const auto& [id, level] : levels)
				{
					this->detector.AddLevel(id, level, this->nowMs);
				}

				if (this->nowMs % DecisionMs == 0u)
				{
					if (const auto dominant = this->detector.Decide(this->nowMs))
					{
						changes.emplace_back(this->nowMs, *dominant);
					}
				}
			}

			return changes;
		}

		// Only the speakers, in order.
		std::vector<std::string>
		RunSpeakers(const std::map<std::string, uint8_t>& levels, uint64_t durationMs)
		{
			std::vector<std::string> speakers;

			for (auto& [timeMs, id] : Run(levels, durationMs))
			{
				speakers.push_back(id);
			}

			return speakers;
		}

	public:
		DominantSpeakerDetector detector;
		uint64_t nowMs{ 0u };
	};

	using Speakers = std::vector<std::string>;
} // namespace

TEST_CASE("DominantSpeakerDetector maps levels to activity", "[DominantSpeakerDetector]")
{
	struct Row
	{
		uint8_t level;
		double activity;
	};

	// clang-format off
	const std::vector<Row> rows =
	{
		// -dBov, activity
		{   0, 1.0 },
		{  20, 1.0 },
		{  30, 0.75 },
		{  40, 0.5 },
		{  50, 0.25 },
		{  60, 0.0 },
		{  90, 0.0 },
		{ 127, 0.0 },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		INFO("level " << static_cast<int>(row.level));

		REQUIRE(DominantSpeakerDetector::LevelToActivity(row.level) == Approx(row.activity));
	}
}

TEST_CASE("DominantSpeakerDetector picks a first speaker", "[DominantSpeakerDetector]")
{
	Conversation conversation({ "a", "b" });

	SECTION("nobody when everyone is silent or absent")
	{
		REQUIRE(conversation.Run({ { "a", Silent }, { "b", Silent } }, 5000u).empty());
		REQUIRE(conversation.Run({}, 5000u).empty());
		REQUIRE(conversation.detector.GetDominantSpeaker().empty());
	}

	SECTION("nobody for background noise")
	{
		REQUIRE(conversation.Run({ { "a", 58u } }, 10000u).empty());
	}

	SECTION("the only one talking, once")
	{
		REQUIRE(
			conversation.RunSpeakers({ { "a", Silent }, { "b", Normal } }, 10000u) == Speakers{ "b" });
		REQUIRE(conversation.detector.GetDominantSpeaker() == "b");
	}

	SECTION("the louder of two talking all along, and it stays")
	{
		REQUIRE(conversation.RunSpeakers({ { "a", Loud }, { "b", Faint } }, 10000u) == Speakers{ "a" });
	}
}

TEST_CASE("DominantSpeakerDetector hands the floor over", "[DominantSpeakerDetector]")
{
	Conversation conversation({ "a", "b", "c" });

	REQUIRE(conversation.RunSpeakers({ { "a", Normal } }, 5000u) == Speakers{ "a" });

	SECTION("to the next speaker when the speaker stops, not before")
	{
		const uint64_t stopMs = conversation.nowMs;
		const auto changes    = conversation.Run({ { "b", Normal } }, 5000u);

		REQUIRE(changes.size() == 1u);
		REQUIRE(changes[0].second == "b");
		// Not at the first decision: the long scale holds the floor for a
		// while, and then it is handed over within a few seconds.
		REQUIRE(changes[0].first > stopMs + DecisionMs);
		REQUIRE(changes[0].first < stopMs + 3000u);
	}

	SECTION("to a much louder challenger while the speaker goes on")
	{
		REQUIRE(conversation.RunSpeakers({ { "a", Faint } }, 5000u).empty());
		REQUIRE(conversation.RunSpeakers({ { "a", Faint }, { "b", Loud } }, 5000u) == Speakers{ "b" });
	}

	SECTION("not to a challenger as loud as the speaker")
	{
		REQUIRE(conversation.Run({ { "a", Normal }, { "b", Normal } }, 10000u).empty());
		REQUIRE(conversation.Run({ { "a", Normal }, { "b", 25u } }, 10000u).empty());
	}

	SECTION("not to a short interjection during a pause of the speaker")
	{
		// The speaker breathes, the listener says "yes", the speaker goes on.
		REQUIRE(conversation.Run({ { "b", Loud } }, 300u).empty());
		REQUIRE(conversation.Run({}, 300u).empty());
		REQUIRE(conversation.Run({ { "a", Normal } }, 5000u).empty());
		REQUIRE(conversation.detector.GetDominantSpeaker() == "a");
	}

	SECTION("to the loudest of several challengers")
	{
		REQUIRE(conversation.RunSpeakers({ { "b", Faint }, { "c", Loud } }, 5000u) == Speakers{ "c" });
	}

	SECTION("back and forth in a dialogue")
	{
		REQUIRE(conversation.RunSpeakers({ { "b", Normal } }, 5000u) == Speakers{ "b" });
		REQUIRE(conversation.RunSpeakers({ { "a", Normal } }, 5000u) == Speakers{ "a" });
		REQUIRE(conversation.RunSpeakers({ { "b", Normal } }, 5000u) == Speakers{ "b" });
	}
}

TEST_CASE("DominantSpeakerDetector speakers come and go", "[DominantSpeakerDetector]")
{
	Conversation conversation({ "a", "b" });

	REQUIRE(conversation.RunSpeakers({ { "a", Normal }, { "b", Faint } }, 5000u) == Speakers{ "a" });

	SECTION("removing the speaker gives the floor to who talks, at the next decision")
	{
		const uint64_t removedMs = conversation.nowMs;

		conversation.detector.RemoveSpeaker("a");

		REQUIRE(conversation.detector.GetDominantSpeaker().empty());
		REQUIRE_FALSE(conversation.detector.HasSpeaker("a"));

		const auto changes = conversation.Run({ { "a", Loud }, { "b", Faint } }, DecisionMs);

		REQUIRE(changes.size() == 1u);
		REQUIRE(changes[0].first <= removedMs + DecisionMs);
		REQUIRE(changes[0].second == "b");
	}

	SECTION("a paused speaker is overtaken at once, and counts from zero once resumed")
	{
		conversation.detector.SetSpeakerPaused("a", true, conversation.nowMs);

		REQUIRE(conversation.detector.GetScores("a", conversation.nowMs)->medium == 0.0);
		// Its levels are ignored while paused.
		REQUIRE(
			conversation.RunSpeakers({ { "a", Loud }, { "b", Faint } }, DecisionMs) == Speakers{ "b" });
		REQUIRE(conversation.detector.GetScores("a", conversation.nowMs)->medium == 0.0);

		conversation.detector.SetSpeakerPaused("a", false, conversation.nowMs);

		// A much louder speaker again: it takes the floor back.
		REQUIRE(conversation.RunSpeakers({ { "a", Loud }, { "b", Faint } }, 5000u) == Speakers{ "a" });
	}

	SECTION("a paused speaker cannot be picked")
	{
		conversation.detector.SetSpeakerPaused("b", true, conversation.nowMs);

		REQUIRE(conversation.Run({ { "b", Loud } }, 10000u).empty());
	}

	SECTION("a speaker added later can take the floor")
	{
		conversation.detector.AddSpeaker("c", conversation.nowMs);

		REQUIRE(conversation.RunSpeakers({ { "c", Loud } }, 5000u) == Speakers{ "c" });
	}

	SECTION("adding a speaker again keeps its scores")
	{
		const auto before = *conversation.detector.GetScores("a", conversation.nowMs);

		conversation.detector.AddSpeaker("a", conversation.nowMs);

		REQUIRE(conversation.detector.GetSpeakerCount() == 2u);
		REQUIRE(conversation.detector.GetScores("a", conversation.nowMs)->medium == before.medium);
	}
}

TEST_CASE("DominantSpeakerDetector scores", "[DominantSpeakerDetector]")
{
	DominantSpeakerDetector detector;

	detector.AddSpeaker("a", 0u);
	detector.AddSpeaker("b", 0u);

	SECTION("do not depend on the packet rate")
	{
		for (uint64_t nowMs = 20u; nowMs <= 3000u; nowMs += 20u)
		{
			detector.AddLevel("a", Normal, nowMs);
		}

		for (uint64_t nowMs = 60u; nowMs <= 3000u; nowMs += 60u)
		{
			detector.AddLevel("b", Normal, nowMs);
		}

		const auto a = *detector.GetScores("a", 3000u);
		const auto b = *detector.GetScores("b", 3000u);

		REQUIRE(a.immediate == Approx(b.immediate).epsilon(0.02));
		REQUIRE(a.medium == Approx(b.medium).epsilon(0.02));
		REQUIRE(a.longTerm == Approx(b.longTerm).epsilon(0.02));
	}

	SECTION("react faster on the shorter scales")
	{
		for (uint64_t nowMs = 20u; nowMs <= 500u; nowMs += 20u)
		{
			detector.AddLevel("a", Loud, nowMs);
		}

		const auto scores = *detector.GetScores("a", 500u);

		REQUIRE(scores.immediate > scores.medium);
		REQUIRE(scores.medium > scores.longTerm);
		REQUIRE(scores.longTerm > 0.0);
	}

	SECTION("approach the activity of a steady level")
	{
		for (uint64_t nowMs = 20u; nowMs <= 60000u; nowMs += 20u)
		{
			detector.AddLevel("a", Faint, nowMs);
		}

		const auto scores = *detector.GetScores("a", 60000u);

		REQUIRE(scores.immediate == Approx(0.25));
		REQUIRE(scores.medium == Approx(0.25));
		REQUIRE(scores.longTerm == Approx(0.25));
	}

	SECTION("fade to zero after a long silence, without going wrong")
	{
		detector.AddLevel("a", Loud, 20u);

		const auto scores = *detector.GetScores("a", 20u + (24u * 3600u * 1000u));

		REQUIRE(std::isfinite(scores.longTerm));
		REQUIRE(scores.longTerm == Approx(0.0).margin(1e-12));
	}

	SECTION("time going backwards counts as no time passing")
	{
		detector.AddLevel("a", Loud, 1000u);

		const auto before = *detector.GetScores("a", 1000u);

		detector.AddLevel("a", Loud, 500u);

		const auto after = *detector.GetScores("a", 900u);

		REQUIRE(after.medium == before.medium);
	}

	SECTION("ignore unknown speakers and levels that do not fit 7 bits")
	{
		detector.AddLevel("x", Loud, 20u);
		detector.AddLevel("a", 200u, 20u);

		REQUIRE_FALSE(detector.GetScores("x", 100u));
		REQUIRE(detector.GetScores("a", 100u)->medium == 0.0);
	}
}
