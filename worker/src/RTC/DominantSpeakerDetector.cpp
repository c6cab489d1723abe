#define MS_CLASS "RTC::DominantSpeakerDetector"

#include "RTC/DominantSpeakerDetector.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	double DominantSpeakerDetector::LevelToActivity(uint8_t level)
	{
		if (level >= SilenceDbov)
		{
			return 0.0;
		}

		if (level <= FullDbov)
		{
			return 1.0;
		}

		return static_cast<double>(SilenceDbov - level) / static_cast<double>(SilenceDbov - FullDbov);
	}

	void DominantSpeakerDetector::AddSpeaker(const std::string& producerId, uint64_t nowMs)
	{
		Speaker speaker;

		speaker.computedMs  = nowMs;
		speaker.lastLevelMs = nowMs;

		this->speakers.try_emplace(producerId, speaker);
	}

	void DominantSpeakerDetector::RemoveSpeaker(const std::string& producerId)
	{
		this->speakers.erase(producerId);

		if (this->dominant == producerId)
		{
			this->dominant.clear();
		}
	}

	void DominantSpeakerDetector::SetSpeakerPaused(
		const std::string& producerId, bool paused, uint64_t nowMs)
	{
		const auto it = this->speakers.find(producerId);

		if (it == this->speakers.end())
		{
			return;
		}

		auto& speaker = it->second;

		// What it said before the pause must not count after it.
		speaker.scores       = Scores{};
		speaker.computedMs   = std::max(speaker.computedMs, nowMs);
		speaker.lastLevelMs  = speaker.computedMs;
		speaker.lastActivity = 0.0;
		speaker.paused       = paused;
	}

	void
	DominantSpeakerDetector::AddLevel(const std::string& producerId, uint8_t level, uint64_t nowMs)
	{
		// 7 bits on the wire.
		if (level > 127u)
		{
			return;
		}

		const auto it = this->speakers.find(producerId);

		if (it == this->speakers.end() || it->second.paused)
		{
			return;
		}

		auto& speaker = it->second;

		Advance(speaker, nowMs);

		speaker.lastLevelMs  = speaker.computedMs;
		speaker.lastActivity = LevelToActivity(level);
	}

	std::optional<std::string> DominantSpeakerDetector::Decide(uint64_t nowMs)
	{
		const std::string* best{ nullptr };
		const Scores* bestScores{ nullptr };

		for (auto& [producerId, speaker] : this->speakers)
		{
			Advance(speaker, nowMs);

			if (speaker.paused || producerId == this->dominant)
			{
				continue;
			}

			// The first of equal scores wins: deterministic (id order).
			if (!bestScores || speaker.scores.medium > bestScores->medium)
			{
				best       = &producerId;
				bestScores = &speaker.scores;
			}
		}

		if (!best || bestScores->medium < MinSpeechActivity)
		{
			return std::nullopt;
		}

		if (!this->dominant.empty())
		{
			const auto it = this->speakers.find(this->dominant);

			// The dominant speaker is always a known one (RemoveSpeaker() clears it).
			if (it != this->speakers.end() && !Beats(*bestScores, it->second.scores))
			{
				return std::nullopt;
			}
		}

		this->dominant = *best;

		return this->dominant;
	}

	std::optional<DominantSpeakerDetector::Scores>
	DominantSpeakerDetector::GetScores(const std::string& producerId, uint64_t nowMs)
	{
		const auto it = this->speakers.find(producerId);

		if (it == this->speakers.end())
		{
			return std::nullopt;
		}

		Advance(it->second, nowMs);

		return it->second.scores;
	}

	void DominantSpeakerDetector::Advance(Speaker& speaker, uint64_t nowMs)
	{
		// Time never goes backwards here.
		if (nowMs <= speaker.computedMs)
		{
			return;
		}

		// The last level holds until HoldMs after it arrived, silence after that.
		const uint64_t holdEndMs = speaker.lastLevelMs + HoldMs;

		if (speaker.computedMs < holdEndMs)
		{
			const uint64_t heldUntilMs = std::min(nowMs, holdEndMs);

			Blend(speaker.scores, speaker.lastActivity, heldUntilMs - speaker.computedMs);

			speaker.computedMs = heldUntilMs;
		}

		if (speaker.computedMs < nowMs)
		{
			Blend(speaker.scores, 0.0, nowMs - speaker.computedMs);

			speaker.computedMs = nowMs;
		}
	}

	void DominantSpeakerDetector::Blend(Scores& scores, double activity, uint64_t durationMs)
	{
		// An average with time constant tau, fed a constant input x during d,
		// moves from v to x + (v - x) * e^(-d / tau), whatever d is: exact for
		// any packet spacing.
		const auto blend = [activity, durationMs](double& value, double tauMs)
		{
			value = activity + ((value - activity) * std::exp(-static_cast<double>(durationMs) / tauMs));
		};

		blend(scores.immediate, ImmediateTauMs);
		blend(scores.medium, MediumTauMs);
		blend(scores.longTerm, LongTauMs);
	}

	bool DominantSpeakerDetector::Beats(const Scores& challenger, const Scores& dominant)
	{
		const auto ratio = [](double a, double b)
		{
			return (a + ScoreEpsilon) / (b + ScoreEpsilon);
		};

		return ratio(challenger.immediate, dominant.immediate) >= ImmediateRatio &&
					 ratio(challenger.medium, dominant.medium) >= MediumRatio &&
					 ratio(challenger.longTerm, dominant.longTerm) >= LongRatio;
	}
} // namespace RTC
