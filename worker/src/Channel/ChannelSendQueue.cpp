#define MS_CLASS "Channel::ChannelSendQueue"

#include "Channel/ChannelSendQueue.hpp"

#include "Logger.hpp"

#include <iterator>

namespace Channel
{
	bool ChannelSendQueue::Push(
		Kind kind, std::string_view entity, uint8_t event, std::span<const uint8_t> bytes)
	{
		const size_t size = bytes.size();
		std::string key;

		switch (kind)
		{
			case Kind::Response:
			{
				break;
			}

			case Kind::Droppable:
			{
				if (GetBytes() + size > DroppableMaxBytes)
				{
					++this->droppedCount;

					return false;
				}

				break;
			}

			case Kind::State:
			{
				// The entity id never contains a NUL byte; the event follows one.
				key.reserve(entity.size() + 2u);
				key.append(entity);
				key.push_back('\0');
				key.push_back(static_cast<char>(event));

				if (GetBytes() + size <= MaxBytes)
				{
					break;
				}

				const auto it = this->latestState.find(key);

				if (it != this->latestState.end())
				{
					// The older state is obsolete: this one replaces it, at the end
					// so that it keeps its order with the messages queued since.
					this->queuedBytes -= it->second->bytes.size();
					this->entries.erase(it->second);
					this->latestState.erase(it);
					++this->coalescedCount;
				}

				break;
			}
		}

		this->entries.push_back(
			Entry{ std::vector<uint8_t>(bytes.begin(), bytes.end()), std::move(key) });
		this->queuedBytes += size;

		if (kind == Kind::State)
		{
			const auto last = std::prev(this->entries.end());

			this->latestState[last->key] = last;
		}

		return true;
	}

	std::vector<uint8_t> ChannelSendQueue::Pop()
	{
		MS_ASSERT(!this->entries.empty(), "Pop() on an empty queue");

		auto& entry = this->entries.front();

		if (!entry.key.empty())
		{
			const auto it = this->latestState.find(entry.key);

			if (it != this->latestState.end() && it->second == this->entries.begin())
			{
				this->latestState.erase(it);
			}
		}

		std::vector<uint8_t> bytes = std::move(entry.bytes);

		this->queuedBytes -= bytes.size();
		this->entries.pop_front();

		return bytes;
	}
} // namespace Channel
