#define MS_CLASS "RTC::ListenInfo"

#include "RTC/ListenInfo.hpp"

#include "MediaSoupErrors.hpp"
#include "Settings.hpp"
#include "Utils/IP.hpp"

namespace RTC
{
	ListenInfo ListenInfo::FromFbs(const FBS::Transport::ListenInfo* info)
	{
		ListenInfo listenInfo;

		listenInfo.protocol = info->protocol() == FBS::Transport::Protocol::TCP
														? TransportTuple::Protocol::TCP
														: TransportTuple::Protocol::UDP;
		listenInfo.ip       = info->ip()->str();

		// This may throw.
		Utils::IP::NormalizeIp(listenInfo.ip);

		if (info->announced_address())
		{
			listenInfo.announcedAddress = info->announced_address()->str();
		}

		listenInfo.exposeInternalIp = info->expose_internal_ip();
		listenInfo.port             = info->port();
		listenInfo.portRangeMin     = info->port_range()->min();
		listenInfo.portRangeMax     = info->port_range()->max();

		if (
			listenInfo.portRangeMin != 0u && listenInfo.portRangeMax != 0u &&
			listenInfo.portRangeMin > listenInfo.portRangeMax)
		{
			MS_THROW_TYPE_ERROR(
				"portRange.min (%u) cannot be greater than portRange.max (%u)",
				listenInfo.portRangeMin,
				listenInfo.portRangeMax);
		}

		listenInfo.flags.ipv6Only     = info->flags()->ipv6_only();
		listenInfo.flags.udpReusePort = info->flags()->udp_reuse_port();
		listenInfo.sendBufferSize     = info->send_buffer_size();
		listenInfo.recvBufferSize     = info->recv_buffer_size();

		return listenInfo;
	}

	PortManager::BindOptions ListenInfo::GetBindOptions() const
	{
		PortManager::BindOptions options;

		options.ip             = this->ip;
		options.flags          = this->flags;
		options.sendBufferSize = this->sendBufferSize;
		options.recvBufferSize = this->recvBufferSize;

		if (this->portRangeMin != 0u && this->portRangeMax != 0u)
		{
			options.minPort = this->portRangeMin;
			options.maxPort = this->portRangeMax;
		}
		else if (this->port != 0u)
		{
			options.port = this->port;
		}
		else
		{
			options.minPort = Settings::configuration.rtcMinPort;
			options.maxPort = Settings::configuration.rtcMaxPort;
		}

		return options;
	}

	flatbuffers::Offset<FBS::Transport::Tuple>
	FillBufferTuple(flatbuffers::FlatBufferBuilder& builder, const TransportTuple* tuple)
	{
		const std::string localAddress = tuple->GetLocalAnnouncedAddress().empty()
																			 ? tuple->GetLocalIp()
																			 : tuple->GetLocalAnnouncedAddress();

		return FBS::Transport::CreateTupleDirect(
			builder,
			localAddress.c_str(),
			tuple->GetLocalPort(),
			tuple->GetRemoteIp().c_str(),
			tuple->GetRemotePort(),
			tuple->GetProtocol() == TransportTuple::Protocol::TCP ? FBS::Transport::Protocol::TCP
																														: FBS::Transport::Protocol::UDP);
	}
} // namespace RTC
