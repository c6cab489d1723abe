#ifndef MS_RTC_DOMINANT_SPEAKER_DETECTOR_HPP
#define MS_RTC_DOMINANT_SPEAKER_DETECTOR_HPP

#include "common.hpp"

#include <map>
#include <optional>
#include <string>

namespace RTC
{
	// Decides who is the dominant speaker among audio Producers, from the
	// ssrc-audio-level values (RFC 6464) of their packets. Free of clocks and
	// I/O: every input carries the time, so a test replays a conversation in
	// microseconds.
	//
	// The idea follows the dominant speaker identification of Volfin and Cohen
	// (IEEE Signal Processing Letters 20(4), 2013): look at speech activity on
	// three time scales and let a challenger take over only when it beats the
	// current speaker on all three. The short scale reacts to who talks now,
	// the medium one to who has been talking for about a second, the long one
	// to who has been holding the floor. A cough or a "yes" moves the short
	// scale of the listener but not the long one, so the speaker is kept; a
	// speaker who stops is overtaken once the challenger's long-scale activity
	// has caught up with the fading one of the speaker.
	//
	// Here each scale is an exponential moving average, in continuous time, of
	// an activity value in 0..1 derived from the level:
	//
	//   activity = 0                    for quieter than SilenceDbov,
	//              1                    for louder than FullDbov,
	//              linear in dBov between.
	//
	// A packet's activity holds for HoldMs after it arrives (long enough for
	// any ptime); after that, with no packet, the input is silence (0). Being
	// computed over time rather than per packet, the scores do not depend on
	// the packet rate.
	//
	// A decision (Decide()) then:
	//   - with no dominant speaker yet, picks the speaker with the highest
	//     medium score, if that score reaches MinSpeechActivity;
	//   - otherwise takes the not paused challenger with the highest medium
	//     score, and makes it dominant when that score reaches
	//     MinSpeechActivity and its scores over the dominant's, each plus
	//     ScoreEpsilon, reach ImmediateRatio, MediumRatio and LongRatio.
	// The ratios above 1 are the hysteresis: two people talking equally loud
	// do not take the floor from each other back and forth.
	class DominantSpeakerDetector
	{
	public:
		struct Scores
		{
			double immediate{ 0.0 };
			double medium{ 0.0 };
			double longTerm{ 0.0 };
		};

	public:
		// Levels are -dBov magnitudes (RFC 6464): 0 is the loudest.
		static constexpr uint8_t FullDbov{ 20u };
		static constexpr uint8_t SilenceDbov{ 60u };
		static constexpr uint64_t HoldMs{ 120u };
		// Time constants of the three averages.
		static constexpr double ImmediateTauMs{ 150.0 };
		static constexpr double MediumTauMs{ 800.0 };
		static constexpr double LongTauMs{ 2000.0 };
		static constexpr double MinSpeechActivity{ 0.15 };
		static constexpr double ScoreEpsilon{ 0.02 };
		static constexpr double ImmediateRatio{ 1.5 };
		static constexpr double MediumRatio{ 1.5 };
		static constexpr double LongRatio{ 1.0 };

	public:
		// Activity (0..1) of an RFC 6464 level.
		static double LevelToActivity(uint8_t level);

	public:
		// Adding a speaker already there changes nothing.
		void AddSpeaker(const std::string& producerId, uint64_t nowMs);
		// Removing the dominant speaker leaves none: the next Decide() picks one.
		void RemoveSpeaker(const std::string& producerId);
		bool HasSpeaker(const std::string& producerId) const
		{
			return this->speakers.contains(producerId);
		}
		size_t GetSpeakerCount() const { return this->speakers.size(); }
		// A paused speaker sends nothing: its scores restart from 0 and it
		// cannot be picked until resumed.
		void SetSpeakerPaused(const std::string& producerId, bool paused, uint64_t nowMs);
		// One RFC 6464 level (0..127) of a speaker at `nowMs`. Ignored for
		// unknown or paused speakers and for levels above 127. A time earlier
		// than one already given counts as that time.
		void AddLevel(const std::string& producerId, uint8_t level, uint64_t nowMs);
		// Runs a decision at `nowMs`; returns the new dominant speaker when it
		// changed.
		std::optional<std::string> Decide(uint64_t nowMs);
		// Empty when there is none.
		const std::string& GetDominantSpeaker() const { return this->dominant; }
		// The speaker's scores at `nowMs` (nullopt for an unknown speaker).
		std::optional<Scores> GetScores(const std::string& producerId, uint64_t nowMs);

	private:
		struct Speaker
		{
			Scores scores;
			// Time up to which `scores` are computed.
			uint64_t computedMs{ 0u };
			// Time of the last level and its activity.
			uint64_t lastLevelMs{ 0u };
			double lastActivity{ 0.0 };
			bool paused{ false };
		};

	private:
		// Brings the speaker's scores up to `nowMs`.
		static void Advance(Speaker& speaker, uint64_t nowMs);
		// Feeds a constant `activity` during `durationMs`.
		static void Blend(Scores& scores, double activity, uint64_t durationMs);
		static bool Beats(const Scores& challenger, const Scores& dominant);

	private:
		std::map<std::string, Speaker> speakers;
		std::string dominant;
	};
} // namespace RTC

#endif
