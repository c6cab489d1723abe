#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/TransportCcFeedbackBuilder.hpp"
#include "RTCP/RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <vector>

using RTC::TransportCcFeedbackBuilder;
using RTC::RTCP::TransportWideCc;
using RtcpTest::Hex;
using Status  = TransportWideCc::Status;
using Packets = std::vector<std::vector<uint8_t>>;

namespace
{
	constexpr uint32_t SenderSsrc{ 0xfa17fa17u };
	constexpr uint32_t MediaSsrc{ 0x2d9f152cu };
	constexpr size_t Mtu{ 1200u };

	Packets Build(TransportCcFeedbackBuilder& builder, uint64_t nowUs, size_t maxPacketSize = Mtu)
	{
		Packets packets;
		const size_t count = builder.BuildFeedback(
			nowUs,
			SenderSsrc,
			MediaSsrc,
			maxPacketSize,
			[&packets](std::span<const uint8_t> packet)
			{ packets.emplace_back(packet.begin(), packet.end()); });

		REQUIRE(count == packets.size());

		return packets;
	}

	// One status as the sender reads it: `units` is the arrival time in 250
	// us units, rebuilt from the reference time and the deltas.
	struct Report
	{
		uint16_t seq;
		bool received;
		int64_t units;
	};

	// Parses each packet with the worker's own parser (checking it is within
	// `maxPacketSize` and that it writes back byte for byte) and reads its
	// statuses back.
	std::vector<Report> Decode(const Packets& packets, size_t maxPacketSize = Mtu)
	{
		std::vector<Report> reports;

		for (const auto& bytes : packets)
		{
			REQUIRE(bytes.size() <= maxPacketSize);

			const auto feedback = RtcpTest::RoundTrip<TransportWideCc>(bytes);

			REQUIRE(feedback.GetSenderSsrc() == SenderSsrc);
			REQUIRE(feedback.GetMediaSsrc() == MediaSsrc);

			int64_t units = static_cast<int64_t>(feedback.GetReferenceTime() & 0xFFFFFF) * 256;
			auto reader   = feedback.GetStatusReader();
			size_t count{ 0u };

			while (auto status = reader.Next())
			{
				if (status->status == Status::NOT_RECEIVED)
				{
					reports.push_back({ status->sequenceNumber, false, 0 });
				}
				else
				{
					units += status->delta;
					reports.push_back({ status->sequenceNumber, true, units });
				}

				count++;
			}

			REQUIRE_FALSE(reader.HasError());
			REQUIRE(count == feedback.GetPacketStatusCount());
		}

		return reports;
	}

	int64_t Units(uint64_t arrivalUs)
	{
		return static_cast<int64_t>(arrivalUs / 250u);
	}

	// Feeds `arrivals` (sequence number, arrival time) and builds.
	Packets FeedAndBuild(
		const std::vector<std::pair<uint16_t, uint64_t>>& arrivals, size_t maxPacketSize = Mtu)
	{
		TransportCcFeedbackBuilder builder;
		uint64_t nowUs{ 0u };

		for (const auto& [seq, arrivalUs] : arrivals)
		{
			builder.ReceivePacket(seq, arrivalUs);
			nowUs = std::max(nowUs, arrivalUs);
		}

		return Build(builder, nowUs, maxPacketSize);
	}

	// 1000 x 64 ms: reference time 0x0003e8, delta units 256000.
	constexpr uint64_t T0{ 64000000u };
} // namespace

TEST_CASE("TransportCcFeedbackBuilder hand-computed packets", "[twcc]")
{
	SECTION("sequence wrap-around 65534, 65535, 0, 1")
	{
		const auto packets = FeedAndBuild({
			{ 65534u, T0 + 500u },
			{ 65535u, T0 + 1500u },
			{ 0u, T0 + 2250u },
			{ 1u, T0 + 3000u },
		});

		REQUIRE(packets.size() == 1u);
		REQUIRE(
			packets[0] == Hex("af cd 00 06" // V=2 P=1 FMT=15, PT=205, length=6 (28 bytes)
												"fa 17 fa 17" // SSRC of packet sender
												"2d 9f 15 2c" // SSRC of media source
												"ff fe 00 04" // base sequence number 65534, status count 4
												"00 03 e8 00" // reference time 1000 (64 s), fb pkt count 0
												"20 04"       // run length: 4 x small delta
												"02 04 03 03" // deltas 0.5, 1, 0.75, 0.75 ms
												"00 02"       // padding, 2 bytes
												));
	}

	SECTION("a 20-packet gap")
	{
		const auto packets = FeedAndBuild({ { 100u, T0 }, { 121u, T0 + 2000u } });

		REQUIRE(packets.size() == 1u);
		REQUIRE(
			packets[0] == Hex("af cd 00 06" // V=2 P=1 FMT=15, PT=205, length=6 (28 bytes)
												"fa 17 fa 17"
												"2d 9f 15 2c"
												"00 64 00 16" // base 100, status count 22
												"00 03 e8 00" // reference time 1000, fb pkt count 0
												"a0 00"       // 1-bit vector: 1, then 13 x 0 (101..113 lost)
												"80 40"       // 1-bit vector: 7 x 0 (114..120 lost), 1 (121)
												"00 08"       // deltas 0, 2 ms
												"00 02"       // padding, 2 bytes
												));
	}

	SECTION("a reordered packet (negative delta)")
	{
		// 12 arrives before 11: in sequence order its delta is -1 ms.
		const auto packets =
			FeedAndBuild({ { 10u, T0 + 250u }, { 12u, T0 + 1250u }, { 11u, T0 + 2250u } });

		REQUIRE(packets.size() == 1u);
		REQUIRE(
			packets[0] == Hex("af cd 00 06" // V=2 P=1 FMT=15, PT=205, length=6 (28 bytes)
												"fa 17 fa 17"
												"2d 9f 15 2c"
												"00 0a 00 03" // base 10, status count 3
												"00 03 e8 00" // reference time 1000, fb pkt count 0
												"d6 00"       // 2-bit vector: small, small, large
												"01 08"       // deltas 0.25, 2 ms
												"ff fc"       // large delta -1 ms
												"00 02"       // padding, 2 bytes
												));
	}

	SECTION("a large delta (over 63.75 ms)")
	{
		// 63.75 ms is still small (255); 100 ms is not (400 = 0x190).
		const auto packets = FeedAndBuild({ { 7u, T0 }, { 8u, T0 + 63750u }, { 9u, T0 + 163750u } });

		REQUIRE(packets.size() == 1u);
		REQUIRE(
			packets[0] == Hex("af cd 00 06" // V=2 P=1 FMT=15, PT=205, length=6 (28 bytes)
												"fa 17 fa 17"
												"2d 9f 15 2c"
												"00 07 00 03" // base 7, status count 3
												"00 03 e8 00" // reference time 1000, fb pkt count 0
												"d6 00"       // 2-bit vector: small, small, large
												"00 ff"       // deltas 0, 63.75 ms
												"01 90"       // large delta 100 ms
												"00 02"       // padding, 2 bytes
												));
	}

	SECTION("the reference time keeps 24 bits")
	{
		const uint64_t arrivalUs = ((uint64_t{ 1u } << 24) + 3u) * 64000u + 1000u;
		const auto packets       = FeedAndBuild({ { 5u, arrivalUs } });

		REQUIRE(packets.size() == 1u);
		REQUIRE(
			packets[0] == Hex("af cd 00 05" // V=2 P=1 FMT=15, PT=205, length=5 (24 bytes)
												"fa 17 fa 17"
												"2d 9f 15 2c"
												"00 05 00 01" // base 5, status count 1
												"00 00 03 00" // reference time 3 (wrapped), fb pkt count 0
												"20 01"       // run length: 1 x small delta
												"04"          // delta 1 ms
												"01"          // padding, 1 byte
												));
	}
}

TEST_CASE("TransportCcFeedbackBuilder round trip", "[twcc]")
{
	struct Scenario
	{
		const char* name;
		uint32_t seed;
		double lossRate;
		double reorderRate;
		size_t maxPacketSize;
	};

	const std::vector<Scenario> scenarios{
		{ "clean, MTU sized", 1u, 0.0, 0.0, Mtu },
		{ "loss and reordering", 2u, 0.05, 0.05, Mtu },
		{ "heavy loss, small packets", 3u, 0.4, 0.1, 60u },
		{ "smallest packets", 4u, 0.1, 0.1, TransportCcFeedbackBuilder::MinPacketSize },
	};

	for (const auto& scenario : scenarios)
	{
		INFO(scenario.name);

		std::mt19937 rng(scenario.seed);
		std::uniform_real_distribution<double> chance(0.0, 1.0);
		std::uniform_int_distribution<uint64_t> gapUs(0u, 3000u);
		TransportCcFeedbackBuilder builder;
		// Sent in order from 65000, so the numbers wrap.
		std::vector<uint16_t> sent;
		uint64_t nowUs{ 5000000u };

		for (uint32_t i = 0u; i < 3000u; ++i)
		{
			if (chance(rng) >= scenario.lossRate)
			{
				sent.push_back(static_cast<uint16_t>(65000u + i));
			}
		}

		for (size_t i = 0u; i + 1u < sent.size(); ++i)
		{
			if (chance(rng) < scenario.reorderRate)
			{
				std::swap(sent[i], sent[i + 1u]);
			}
		}

		// What arrived and is not reported yet, by sequence number.
		std::map<uint16_t, int64_t> expected;
		std::set<uint16_t> covered;
		uint64_t expectedLate{ 0u };
		// The first feedback starts at the first packet received.
		uint16_t firstBase{ 0u };
		uint16_t nextBase{ 0u };
		size_t feedbackCount{ 0u };

		const auto check = [&](const Packets& packets)
		{
			for (const auto& bytes : packets)
			{
				const auto feedback = TransportWideCc::Parse(bytes);

				REQUIRE(feedback.has_value());

				if (feedbackCount == 0u)
				{
					firstBase = feedback->GetBaseSequenceNumber();
					nextBase  = firstBase;
				}

				// Each starts where the previous ended, counts one up.
				REQUIRE(feedback->GetBaseSequenceNumber() == nextBase);
				REQUIRE(feedback->GetFeedbackPacketCount() == static_cast<uint8_t>(feedbackCount));

				nextBase = static_cast<uint16_t>(nextBase + feedback->GetPacketStatusCount());
				feedbackCount++;
			}

			for (const auto& report : Decode(packets, scenario.maxPacketSize))
			{
				INFO("seq " << report.seq);
				REQUIRE(covered.insert(report.seq).second);

				const auto it = expected.find(report.seq);

				REQUIRE(report.received == (it != expected.end()));

				if (report.received)
				{
					REQUIRE(report.units == it->second);
					expected.erase(it);
				}
			}

			REQUIRE(expected.empty());
		};

		for (const uint16_t seq : sent)
		{
			// Mostly a few ms apart, sometimes a pause.
			nowUs += chance(rng) < 0.02 ? 70000u + gapUs(rng) * 50u : gapUs(rng);

			const auto deadlineUs = builder.GetNextDeadlineUs();

			if (deadlineUs && *deadlineUs <= nowUs)
			{
				check(Build(builder, nowUs, scenario.maxPacketSize));
			}

			builder.ReceivePacket(seq, nowUs);

			if (covered.contains(seq))
			{
				expectedLate++;
			}
			else
			{
				expected[seq] = Units(nowUs);
			}
		}

		check(Build(builder, nowUs, scenario.maxPacketSize));

		REQUIRE(builder.GetLateCount() == expectedLate);
		REQUIRE(builder.GetDuplicateCount() == 0u);
		REQUIRE(builder.GetOverflowCount() == 0u);
		// Every number from the first one to the last received, once.
		REQUIRE(covered.size() == static_cast<uint16_t>(nextBase - firstBase));
		REQUIRE(feedbackCount > 1u);
	}
}

TEST_CASE("TransportCcFeedbackBuilder splits at the packet size", "[twcc]")
{
	constexpr size_t MaxPacketSize{ 100u };
	TransportCcFeedbackBuilder builder;
	uint64_t nowUs{ T0 };

	// 300 packets, every third a large delta, every fifth lost.
	for (uint32_t i = 0u; i < 300u; ++i)
	{
		nowUs += i % 3u == 0u ? 70000u : 1000u;

		if (i % 5u != 4u)
		{
			builder.ReceivePacket(static_cast<uint16_t>(i), nowUs);
		}
	}

	const auto packets = Build(builder, nowUs, MaxPacketSize);

	REQUIRE(packets.size() > 5u);

	uint16_t nextBase{ 0u };

	for (size_t i = 0u; i < packets.size(); ++i)
	{
		const auto feedback = TransportWideCc::Parse(packets[i]);

		REQUIRE(packets[i].size() <= MaxPacketSize);
		REQUIRE(feedback->GetFeedbackPacketCount() == i);
		REQUIRE(feedback->GetBaseSequenceNumber() == nextBase);

		nextBase = static_cast<uint16_t>(nextBase + feedback->GetPacketStatusCount());
	}

	// Together they cover 0..298 (299 was lost, so it ends at 298).
	REQUIRE(nextBase == 299u);

	const auto reports = Decode(packets, MaxPacketSize);
	uint64_t expectUs{ T0 };

	REQUIRE(reports.size() == 299u);

	for (uint32_t i = 0u; i < reports.size(); ++i)
	{
		expectUs += i % 3u == 0u ? 70000u : 1000u;

		REQUIRE(reports[i].seq == i);
		REQUIRE(reports[i].received == (i % 5u != 4u));

		if (reports[i].received)
		{
			REQUIRE(reports[i].units == Units(expectUs));
		}
	}

	SECTION("the feedback packet count wraps at 256")
	{
		for (uint32_t i = 0u; i < 300u; ++i)
		{
			builder.ReceivePacket(static_cast<uint16_t>(300u + i), nowUs);
			Build(builder, nowUs);
		}

		builder.ReceivePacket(600u, nowUs);

		const auto last = Build(builder, nowUs);

		REQUIRE(last.size() == 1u);
		REQUIRE(
			TransportWideCc::Parse(last[0])->GetFeedbackPacketCount() ==
			static_cast<uint8_t>(packets.size() + 300u));
	}

	SECTION("under MinPacketSize nothing is built and nothing is lost")
	{
		builder.ReceivePacket(1000u, nowUs);

		REQUIRE(Build(builder, nowUs, TransportCcFeedbackBuilder::MinPacketSize - 1u).empty());
		REQUIRE(builder.GetPendingCount() == 1u);
		REQUIRE(Build(builder, nowUs, TransportCcFeedbackBuilder::MinPacketSize).size() == 1u);
	}
}

TEST_CASE("TransportCcFeedbackBuilder starts a new packet", "[twcc]")
{
	SECTION("when a delta does not fit in 16 bits")
	{
		// 8191.75 ms is the largest delta; 9 s is not.
		const auto packets =
			FeedAndBuild({ { 1u, T0 }, { 2u, T0 + 8191750u }, { 3u, T0 + 17191750u } });

		REQUIRE(packets.size() == 2u);

		const auto first  = TransportWideCc::Parse(packets[0]);
		const auto second = TransportWideCc::Parse(packets[1]);

		REQUIRE(first->GetBaseSequenceNumber() == 1u);
		REQUIRE(first->GetPacketStatusCount() == 2u);
		REQUIRE(second->GetBaseSequenceNumber() == 3u);
		REQUIRE(second->GetPacketStatusCount() == 1u);
		// Its own reference time, from its first packet.
		REQUIRE(second->GetReferenceTime() == (T0 + 17191750u) / 64000u);
		REQUIRE(second->GetFeedbackPacketCount() == 1u);

		const auto reports = Decode(packets);

		REQUIRE(reports[1].units - reports[0].units == 32767);
		REQUIRE(reports[2].units == Units(T0 + 17191750u));
	}

	SECTION("after more than MaxMissingRun missing packets, which are not reported")
	{
		constexpr uint16_t MaxRun = TransportCcFeedbackBuilder::MaxMissingRun;

		auto packets = FeedAndBuild({ { 0u, T0 }, { MaxRun + 1u, T0 + 1000u } });

		REQUIRE(packets.size() == 1u);
		REQUIRE(TransportWideCc::Parse(packets[0])->GetPacketStatusCount() == MaxRun + 2u);

		packets = FeedAndBuild({ { 0u, T0 }, { MaxRun + 2u, T0 + 1000u } });

		REQUIRE(packets.size() == 2u);
		REQUIRE(TransportWideCc::Parse(packets[0])->GetPacketStatusCount() == 1u);
		REQUIRE(TransportWideCc::Parse(packets[1])->GetBaseSequenceNumber() == MaxRun + 2u);
		REQUIRE(TransportWideCc::Parse(packets[1])->GetPacketStatusCount() == 1u);
	}

	SECTION("at 65535 statuses")
	{
		// Gaps of 8191 missing: the ninth packet would be status 65537.
		std::vector<std::pair<uint16_t, uint64_t>> arrivals;

		for (uint32_t i = 0u; i < 9u; ++i)
		{
			arrivals.emplace_back(static_cast<uint16_t>(i * 8192u), T0 + i * 1000u);
		}

		const auto packets = FeedAndBuild(arrivals, 4000u);

		REQUIRE(packets.size() == 2u);
		REQUIRE(TransportWideCc::Parse(packets[0])->GetPacketStatusCount() == 7u * 8192u + 1u);
		REQUIRE(TransportWideCc::Parse(packets[1])->GetBaseSequenceNumber() == 7u * 8192u + 1u);
		REQUIRE(TransportWideCc::Parse(packets[1])->GetPacketStatusCount() == 8192u);

		const auto reports = Decode(packets, 4000u);

		REQUIRE(reports.size() == 8u * 8192u + 1u);
		REQUIRE(reports.back().seq == 0u);
		REQUIRE(reports.back().units == Units(T0 + 8000u));
	}
}

TEST_CASE("TransportCcFeedbackBuilder deadline", "[twcc]")
{
	constexpr uint64_t IntervalUs = TransportCcFeedbackBuilder::FeedbackIntervalUs;
	TransportCcFeedbackBuilder builder;
	uint64_t nowUs{ T0 };

	REQUIRE_FALSE(builder.GetNextDeadlineUs().has_value());

	SECTION("steady cadence while packets arrive, nothing when idle")
	{
		const uint64_t startUs = nowUs;
		uint16_t seq{ 0u };

		builder.ReceivePacket(seq++, nowUs);

		REQUIRE(builder.GetNextDeadlineUs() == startUs + IntervalUs);

		for (uint32_t round = 1u; round <= 3u; ++round)
		{
			// A packet every 10 ms does not move the deadline.
			while (nowUs + 10000u < startUs + round * IntervalUs)
			{
				nowUs += 10000u;
				builder.ReceivePacket(seq++, nowUs);

				REQUIRE(builder.GetNextDeadlineUs() == startUs + round * IntervalUs);
			}

			nowUs = *builder.GetNextDeadlineUs();

			REQUIRE(Build(builder, nowUs).size() == 1u);
			REQUIRE_FALSE(builder.GetNextDeadlineUs().has_value());

			nowUs += 1000u;
			builder.ReceivePacket(seq++, nowUs);

			REQUIRE(builder.GetNextDeadlineUs() == startUs + (round + 1u) * IntervalUs);
		}

		// After a long pause the first packet is due at once (a past deadline).
		Build(builder, nowUs);
		nowUs += 5000000u;
		builder.ReceivePacket(seq++, nowUs);

		REQUIRE(builder.GetNextDeadlineUs() <= nowUs);
	}

	SECTION("promptly once a feedback would fill")
	{
		for (uint32_t i = 0u; i + 1u < TransportCcFeedbackBuilder::PromptFeedbackArrivals; ++i)
		{
			builder.ReceivePacket(static_cast<uint16_t>(i), nowUs);
			nowUs += 50u;
		}

		REQUIRE(builder.GetNextDeadlineUs() == T0 + IntervalUs);

		builder.ReceivePacket(TransportCcFeedbackBuilder::PromptFeedbackArrivals, nowUs);

		REQUIRE(builder.GetNextDeadlineUs() == nowUs);
		REQUIRE(Build(builder, nowUs).size() == 1u);
		REQUIRE_FALSE(builder.GetNextDeadlineUs().has_value());

		// The cadence then counts from this feedback.
		builder.ReceivePacket(1000u, nowUs + 10u);

		REQUIRE(builder.GetNextDeadlineUs() == nowUs + IntervalUs);
	}
}

TEST_CASE("TransportCcFeedbackBuilder ignores duplicates and late packets", "[twcc]")
{
	TransportCcFeedbackBuilder builder;

	builder.ReceivePacket(10u, T0);
	builder.ReceivePacket(11u, T0 + 1000u);
	builder.ReceivePacket(11u, T0 + 2000u);
	builder.ReceivePacket(10u, T0 + 3000u);
	builder.ReceivePacket(13u, T0 + 4000u);

	REQUIRE(builder.GetDuplicateCount() == 2u);
	REQUIRE(builder.GetPendingCount() == 3u);

	auto reports = Decode(Build(builder, T0 + 100000u));

	// The first arrival counts; 12 is reported lost.
	REQUIRE(reports.size() == 4u);
	REQUIRE(reports[1].units == Units(T0 + 1000u));
	REQUIRE_FALSE(reports[2].received);

	// 12 and 13 were covered already: late, ignored.
	builder.ReceivePacket(12u, T0 + 110000u);
	builder.ReceivePacket(13u, T0 + 110000u);
	// Far behind (across the wrap): late too.
	builder.ReceivePacket(60000u, T0 + 110000u);

	REQUIRE(builder.GetLateCount() == 3u);
	REQUIRE(builder.GetPendingCount() == 0u);
	REQUIRE_FALSE(builder.GetNextDeadlineUs().has_value());

	// The next feedback starts after 13, reporting 14 lost.
	builder.ReceivePacket(15u, T0 + 120000u);
	reports = Decode(Build(builder, T0 + 200000u));

	REQUIRE(reports.size() == 2u);
	REQUIRE(reports[0].seq == 14u);
	REQUIRE_FALSE(reports[0].received);
	REQUIRE(reports[1].seq == 15u);
	REQUIRE(reports[1].received);
}

TEST_CASE("TransportCcFeedbackBuilder follows a sender whose sequence starts over", "[twcc]")
{
	TransportCcFeedbackBuilder builder;

	builder.ReceivePacket(30000u, T0);
	builder.ReceivePacket(30001u, T0 + 1000u);
	REQUIRE(Decode(Build(builder, T0 + 100000u)).size() == 2u);

	// Far further back than any reordering: a new sequence, reported from
	// its first packet on.
	builder.ReceivePacket(100u, T0 + 110000u);
	builder.ReceivePacket(101u, T0 + 111000u);

	REQUIRE(builder.GetRestartCount() == 1u);
	REQUIRE(builder.GetLateCount() == 0u);

	const auto reports = Decode(Build(builder, T0 + 200000u));

	REQUIRE(reports.size() == 2u);
	REQUIRE(reports[0].seq == 100u);
	REQUIRE(reports[0].units == Units(T0 + 110000u));
	REQUIRE(reports[1].seq == 101u);

	// Just within reordering depth of the new sequence: late, as before.
	builder.ReceivePacket(static_cast<uint16_t>(100u - 5000u), T0 + 210000u);

	REQUIRE(builder.GetLateCount() == 1u);
	REQUIRE(builder.GetRestartCount() == 1u);
}

TEST_CASE("TransportCcFeedbackBuilder holds at most MaxPendingArrivals", "[twcc]")
{
	constexpr size_t Max = TransportCcFeedbackBuilder::MaxPendingArrivals;
	TransportCcFeedbackBuilder builder;

	// Never built: a caller that ignores the deadline.
	for (uint32_t i = 0u; i < Max + 10u; ++i)
	{
		builder.ReceivePacket(static_cast<uint16_t>(i), T0 + i * 10u);
	}

	REQUIRE(builder.GetPendingCount() == Max);
	REQUIRE(builder.GetOverflowCount() == 10u);

	// The oldest were dropped: if they come again they are late.
	builder.ReceivePacket(3u, T0 + 50000u);

	REQUIRE(builder.GetLateCount() == 1u);
	REQUIRE(builder.GetPendingCount() == Max);

	const auto packets = Build(builder, T0 + 50000u, 65000u);

	REQUIRE(TransportWideCc::Parse(packets[0])->GetBaseSequenceNumber() == 10u);

	const auto reports = Decode(packets, 65000u);

	REQUIRE(reports.size() == Max);
	REQUIRE(reports.front().units == Units(T0 + 100u));
	REQUIRE(reports.back().seq == Max + 9u);
}
