#ifndef MS_RTC_RTCP_FIXED_LIST_HPP
#define MS_RTC_RTCP_FIXED_LIST_HPP

#include "common.hpp"

#include <algorithm>
#include <array>

namespace RTC::RTCP
{
	// A list of at most N values stored inline. Lists filled from the network
	// (report blocks, NACK items, FIR entries...) use it, so that a parsed
	// packet never allocates and never grows past its named cap: PushBack()
	// refuses what does not fit and the caller decides (parsers keep the first
	// N and drop the rest).
	template <typename T, size_t N>
	class FixedList
	{
	public:
		static constexpr size_t Capacity{ N };

	public:
		// Returns false, storing nothing, when the list is full.
		bool PushBack(const T& value)
		{
			if (this->size == N)
			{
				return false;
			}

			this->items[this->size++] = value;

			return true;
		}
		void Clear()
		{
			this->items.fill(T{});
			this->size = 0u;
		}
		size_t GetSize() const { return this->size; }
		bool IsEmpty() const { return this->size == 0u; }
		bool IsFull() const { return this->size == N; }
		std::span<const T> GetItems() const
		{
			return std::span<const T>(this->items.data(), this->size);
		}
		std::span<T> GetItems() { return std::span<T>(this->items.data(), this->size); }
		const T* begin() const { return this->items.data(); }
		const T* end() const { return this->items.data() + this->size; }
		// Only the stored values count.
		bool operator==(const FixedList& other) const
		{
			return std::ranges::equal(GetItems(), other.GetItems());
		}

	private:
		std::array<T, N> items{};
		size_t size{ 0u };
	};
} // namespace RTC::RTCP

#endif
