#include "common.hpp"

#include "RTC/StreamScore.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::StreamScore;

TEST_CASE("StreamScore scores one sample from its loss", "[StreamScore]")
{
	struct Row
	{
		uint32_t expected;
		uint32_t lost;
		uint32_t repaired;
		uint8_t score;
	};

	// clang-format off
	const std::vector<Row> rows =
	{
		// expected, lost, repaired, score
		{ 100,   0,   0, 10 },
		{ 100,   1,   0, 10 },
		{ 100,   2,   0,  9 },
		{ 100,   5,   0,  8 },
		{ 100,  10,   0,  7 },
		{ 100,  20,   0,  4 },
		{ 100,  30,   0,  2 },
		{ 100,  40,   0,  1 },
		{ 100,  50,   0,  1 },
		{ 100,  60,   0,  0 },
		{ 100, 100,   0,  0 },
		// A repaired packet costs a quarter of a lost one.
		{ 100,   0,  10,  9 },
		{ 100,  10,  10,  6 },
		{ 100,   0, 100,  3 },
		// Nothing expected: nothing arrived.
		{   0,   0,   0,  0 },
		// More lost than expected is clamped, and so is repaired.
		{  10,  20,   0,  0 },
		{  10,   0,  20,  3 },
		{ 0xFFFFFFFF, 0, 0, 10 },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		INFO("expected " << row.expected << ", lost " << row.lost << ", repaired " << row.repaired);

		REQUIRE(StreamScore::ComputeSampleScore(row.expected, row.lost, row.repaired) == row.score);
	}
}

TEST_CASE("StreamScore weighs recent samples more", "[StreamScore]")
{
	StreamScore score;

	SECTION("the initial score holds until the first sample")
	{
		REQUIRE(score.GetScore() == 0u);
		REQUIRE(StreamScore(7u).GetScore() == 7u);
		REQUIRE(StreamScore(200u).GetScore() == StreamScore::MaxScore);
	}

	SECTION("one bad sample drops the score, clean ones bring it back")
	{
		// Sample scores 10, 0, then 10s.
		const std::vector<uint8_t> expected = { 10, 5, 7, 8, 8, 9, 9, 9, 10, 10 };

		for (size_t i = 0; i < expected.size(); ++i)
		{
			const uint8_t result = i == 1u ? score.AddSample(50u, 50u) : score.AddSample(50u, 0u);

			INFO("sample " << i);
			REQUIRE(result == expected[i]);
			REQUIRE(score.GetScore() == expected[i]);
		}
	}

	SECTION("samples are averaged, newest weighing most")
	{
		score.AddSample(100u, 5u); // 8
		score.AddSample(100u, 5u); // 8
		REQUIRE(score.AddSample(100u, 30u) == 6u);
		REQUIRE(score.AddSample(100u, 0u) == 7u);
	}

	SECTION("only the last MaxSamples samples count")
	{
		for (int i = 0; i < 100; ++i)
		{
			score.AddSample(50u, 0u);
		}

		REQUIRE(score.GetSampleCount() == StreamScore::MaxSamples);

		const std::vector<uint8_t> expected = { 8, 6, 4, 3, 2, 1, 0, 0, 0 };

		for (const uint8_t value : expected)
		{
			REQUIRE(score.AddSample(0u, 0u) == value);
		}

		// Every clean sample is out of the window now.
		REQUIRE(score.GetSampleCount() == StreamScore::MaxSamples);
		REQUIRE(score.GetScore() == 0u);
	}

	SECTION("reset forgets the samples")
	{
		StreamScore withInitial(10u);

		withInitial.AddSample(10u, 10u);
		REQUIRE(withInitial.GetScore() == 0u);

		withInitial.Reset();
		REQUIRE(withInitial.GetScore() == 10u);
		REQUIRE(withInitial.GetSampleCount() == 0u);
		REQUIRE(withInitial.AddSample(10u, 0u) == 10u);
	}
}
