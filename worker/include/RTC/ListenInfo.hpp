#ifndef MS_RTC_LISTEN_INFO_HPP
#define MS_RTC_LISTEN_INFO_HPP

#include "common.hpp"

#include "FBS/transport_generated.h"
#include "RTC/TransportTuple.hpp"
#include "handles/PortManager.hpp"

namespace RTC
{
	// Where a transport or WebRtcServer listens, validated.
	struct ListenInfo
	{
		TransportTuple::Protocol protocol{ TransportTuple::Protocol::UDP };
		// Normalised.
		std::string ip;
		std::string announcedAddress;
		bool exposeInternalIp{ false };
		uint16_t port{ 0u };
		uint16_t portRangeMin{ 0u };
		uint16_t portRangeMax{ 0u };
		PortManager::Flags flags;
		uint32_t sendBufferSize{ 0u };
		uint32_t recvBufferSize{ 0u };

		// Throws MediaSoupTypeError on a bad IP or a range with min > max.
		static ListenInfo FromFbs(const FBS::Transport::ListenInfo* info);

		// Port resolution: a range with both bounds non-zero, else a non-zero
		// port exactly, else the worker's rtcMinPort..rtcMaxPort.
		PortManager::BindOptions GetBindOptions() const;
		// The address advertised to peers.
		const std::string& GetAdvertisedAddress() const
		{
			return this->announcedAddress.empty() ? this->ip : this->announcedAddress;
		}
		// Whether the IP is also offered, as a candidate after the announced one.
		bool ExposesInternalIp() const
		{
			return this->exposeInternalIp && !this->announcedAddress.empty();
		}
	};

	// A tuple as the channel carries it. `localAddress` is the announced one
	// when given.
	flatbuffers::Offset<FBS::Transport::Tuple>
	FillBufferTuple(flatbuffers::FlatBufferBuilder& builder, const TransportTuple* tuple);
} // namespace RTC

#endif
