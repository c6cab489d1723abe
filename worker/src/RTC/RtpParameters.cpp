#define MS_CLASS "RTC::RtpParameters"

#include "RTC/RtpParameters.hpp"

#include "MediaSoupErrors.hpp"

#include <cctype>

namespace RTC
{
	namespace
	{
		std::vector<RtpParameters::Parameter> ParametersFromFbs(
			const flatbuffers::Vector<flatbuffers::Offset<FBS::RtpParameters::Parameter>>* data)
		{
			std::vector<RtpParameters::Parameter> parameters;

			if (!data)
			{
				return parameters;
			}

			for (const auto* item : *data)
			{
				RtpParameters::Parameter parameter;

				parameter.name = item->name()->str();

				if (item->string_value())
				{
					parameter.stringValue = item->string_value()->str();
				}

				if (item->number_value())
				{
					parameter.numberValue = *item->number_value();
				}

				parameters.push_back(std::move(parameter));
			}

			return parameters;
		}

		flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<FBS::RtpParameters::Parameter>>>
		ParametersToFbs(
			flatbuffers::FlatBufferBuilder& builder,
			const std::vector<RtpParameters::Parameter>& parameters)
		{
			std::vector<flatbuffers::Offset<FBS::RtpParameters::Parameter>> items;

			for (const auto& parameter : parameters)
			{
				items.push_back(FBS::RtpParameters::CreateParameterDirect(
					builder,
					parameter.name.c_str(),
					parameter.stringValue ? parameter.stringValue->c_str() : nullptr,
					parameter.numberValue ? flatbuffers::Optional<double>(*parameter.numberValue)
																: flatbuffers::nullopt));
			}

			return builder.CreateVector(items);
		}

		bool EqualsIgnoreCase(std::string_view a, std::string_view b)
		{
			if (a.size() != b.size())
			{
				return false;
			}

			for (size_t i = 0; i < a.size(); ++i)
			{
				if (
					std::tolower(static_cast<unsigned char>(a[i])) !=
					std::tolower(static_cast<unsigned char>(b[i])))
				{
					return false;
				}
			}

			return true;
		}
	} // namespace

	bool RtpParameters::Codec::IsRtx() const
	{
		const auto slash = this->mimeType.find('/');

		return slash != std::string::npos && EqualsIgnoreCase(this->mimeType.substr(slash + 1), "rtx");
	}

	std::optional<uint8_t> RtpParameters::Codec::GetApt() const
	{
		for (const auto& parameter : this->parameters)
		{
			if (parameter.name == "apt" && parameter.numberValue)
			{
				return static_cast<uint8_t>(*parameter.numberValue);
			}
		}

		return std::nullopt;
	}

	RtpParameters RtpParameters::FromFbs(const FBS::RtpParameters::RtpParameters* data)
	{
		RtpParameters parameters;

		if (data->mid())
		{
			parameters.mid = data->mid()->str();
		}

		for (const auto* item : *data->codecs())
		{
			Codec codec;

			codec.mimeType    = item->mime_type()->str();
			codec.payloadType = item->payload_type();
			codec.clockRate   = item->clock_rate();

			if (item->channels())
			{
				codec.channels = *item->channels();
			}

			codec.parameters = ParametersFromFbs(item->parameters());

			if (item->rtcp_feedback())
			{
				for (const auto* feedback : *item->rtcp_feedback())
				{
					codec.rtcpFeedback.push_back(
						{ feedback->type()->str(), feedback->parameter() ? feedback->parameter()->str() : "" });
				}
			}

			if (codec.clockRate == 0u)
			{
				MS_THROW_TYPE_ERROR("codec %s has no clock rate", codec.mimeType.c_str());
			}

			parameters.codecs.push_back(std::move(codec));
		}

		if (parameters.codecs.empty())
		{
			MS_THROW_TYPE_ERROR("empty rtpParameters.codecs");
		}

		for (const auto* item : *data->header_extensions())
		{
			HeaderExtension extension;

			extension.uri        = item->uri()->str();
			extension.id         = item->id();
			extension.encrypt    = item->encrypt();
			extension.parameters = ParametersFromFbs(item->parameters());

			parameters.headerExtensions.push_back(std::move(extension));
		}

		for (const auto* item : *data->encodings())
		{
			parameters.encodings.push_back(EncodingFromFbs(item));
		}

		if (parameters.encodings.empty())
		{
			MS_THROW_TYPE_ERROR("empty rtpParameters.encodings");
		}

		if (data->rtcp()->cname())
		{
			parameters.cname = data->rtcp()->cname()->str();
		}

		parameters.reducedSize = data->rtcp()->reduced_size();

		if (data->msid())
		{
			parameters.msid = data->msid()->str();
		}

		// This may throw.
		parameters.ResolveEncodingCodecs();

		return parameters;
	}

	RtpParameters::Encoding
	RtpParameters::EncodingFromFbs(const FBS::RtpParameters::RtpEncodingParameters* data)
	{
		Encoding encoding;

		if (data->ssrc())
		{
			encoding.ssrc = *data->ssrc();
		}

		if (data->rid())
		{
			encoding.rid = data->rid()->str();
		}

		if (data->codec_payload_type())
		{
			encoding.codecPayloadType = *data->codec_payload_type();
		}

		if (data->rtx())
		{
			encoding.rtxSsrc = data->rtx()->ssrc();
		}

		if (data->dtx())
		{
			encoding.dtx = *data->dtx();
		}

		if (data->scalability_mode())
		{
			encoding.scalabilityMode = data->scalability_mode()->str();
		}

		if (data->max_bitrate())
		{
			encoding.maxBitrate = *data->max_bitrate();
		}

		return encoding;
	}

	flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters> RtpParameters::FillBufferEncoding(
		flatbuffers::FlatBufferBuilder& builder, const Encoding& encoding)
	{
		return FBS::RtpParameters::CreateRtpEncodingParametersDirect(
			builder,
			encoding.ssrc ? flatbuffers::Optional<uint32_t>(*encoding.ssrc) : flatbuffers::nullopt,
			encoding.rid.empty() ? nullptr : encoding.rid.c_str(),
			encoding.codecPayloadType ? flatbuffers::Optional<uint8_t>(*encoding.codecPayloadType)
																: flatbuffers::nullopt,
			encoding.rtxSsrc ? FBS::RtpParameters::CreateRtx(builder, *encoding.rtxSsrc) : 0,
			encoding.dtx ? flatbuffers::Optional<bool>(*encoding.dtx) : flatbuffers::nullopt,
			encoding.scalabilityMode.empty() ? nullptr : encoding.scalabilityMode.c_str(),
			encoding.maxBitrate ? flatbuffers::Optional<uint32_t>(*encoding.maxBitrate)
													: flatbuffers::nullopt);
	}

	flatbuffers::Offset<FBS::RtpParameters::RtpParameters>
	RtpParameters::FillBuffer(flatbuffers::FlatBufferBuilder& builder) const
	{
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpCodecParameters>> codecs;

		for (const auto& codec : this->codecs)
		{
			std::vector<flatbuffers::Offset<FBS::RtpParameters::RtcpFeedback>> feedback;

			for (const auto& item : codec.rtcpFeedback)
			{
				feedback.push_back(FBS::RtpParameters::CreateRtcpFeedbackDirect(
					builder, item.type.c_str(), item.parameter.c_str()));
			}

			auto parameters = ParametersToFbs(builder, codec.parameters);
			auto feedbacks  = builder.CreateVector(feedback);

			codecs.push_back(FBS::RtpParameters::CreateRtpCodecParameters(
				builder,
				builder.CreateString(codec.mimeType),
				codec.payloadType,
				codec.clockRate,
				codec.channels ? flatbuffers::Optional<uint8_t>(*codec.channels) : flatbuffers::nullopt,
				parameters,
				feedbacks));
		}

		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpHeaderExtensionParameters>> extensions;

		for (const auto& extension : this->headerExtensions)
		{
			auto parameters = ParametersToFbs(builder, extension.parameters);

			extensions.push_back(FBS::RtpParameters::CreateRtpHeaderExtensionParameters(
				builder, builder.CreateString(extension.uri), extension.id, extension.encrypt, parameters));
		}

		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> encodings;

		for (const auto& encoding : this->encodings)
		{
			encodings.push_back(FillBufferEncoding(builder, encoding));
		}

		auto rtcp = FBS::RtpParameters::CreateRtcpParametersDirect(
			builder, this->cname.empty() ? nullptr : this->cname.c_str(), this->reducedSize);

		return FBS::RtpParameters::CreateRtpParametersDirect(
			builder,
			this->mid.empty() ? nullptr : this->mid.c_str(),
			&codecs,
			&extensions,
			&encodings,
			rtcp,
			this->msid.empty() ? nullptr : this->msid.c_str());
	}

	const RtpParameters::Codec* RtpParameters::GetCodecByPayloadType(uint8_t payloadType) const
	{
		for (const auto& codec : this->codecs)
		{
			if (codec.payloadType == payloadType)
			{
				return &codec;
			}
		}

		return nullptr;
	}

	const RtpParameters::Codec* RtpParameters::GetCodecForEncoding(const Encoding& encoding) const
	{
		for (const auto& codec : this->codecs)
		{
			if (codec.IsRtx())
			{
				continue;
			}

			if (!encoding.codecPayloadType || *encoding.codecPayloadType == codec.payloadType)
			{
				return &codec;
			}
		}

		return nullptr;
	}

	const RtpParameters::Codec* RtpParameters::GetRtxCodecFor(uint8_t payloadType) const
	{
		for (const auto& codec : this->codecs)
		{
			if (codec.IsRtx() && codec.GetApt() == payloadType)
			{
				return &codec;
			}
		}

		return nullptr;
	}

	void RtpParameters::ResolveEncodingCodecs()
	{
		for (size_t i = 0; i < this->encodings.size(); ++i)
		{
			auto& encoding    = this->encodings[i];
			const auto* codec = GetCodecForEncoding(encoding);

			if (!codec)
			{
				if (encoding.codecPayloadType)
				{
					MS_THROW_TYPE_ERROR(
						"encoding %zu: codecPayloadType %u is not a media codec",
						i,
						*encoding.codecPayloadType);
				}

				MS_THROW_TYPE_ERROR("no media codec in rtpParameters.codecs");
			}

			encoding.codecPayloadType = codec->payloadType;
		}
	}

	uint8_t RtpParameters::GetHeaderExtensionId(std::string_view uri) const
	{
		for (const auto& extension : this->headerExtensions)
		{
			if (extension.uri == uri)
			{
				return extension.id;
			}
		}

		return 0u;
	}

	std::string_view MediaKindToString(MediaKind kind)
	{
		return kind == MediaKind::AUDIO ? "audio" : "video";
	}
} // namespace RTC
