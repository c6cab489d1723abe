#include "common.hpp"

#include "RTC/Codecs/DependencyDescriptor.hpp"
#include "Utils/BitReader.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::DependencyDescriptorParser;
using RTC::Codecs::DependencyStructure;
using Layers = RTC::Codecs::DependencyStructure::Layers;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// Appends bit fields, most significant bit first; Bytes() pads with
	// zeros to a whole byte, as the descriptor's zero_padding does.
	class Bits
	{
	public:
		Bits& Put(uint32_t value, size_t count)
		{
			for (size_t i = count; i > 0u; --i)
			{
				this->bits.push_back(((value >> (i - 1u)) & 0x01u) != 0u);
			}

			return *this;
		}
		Bytes GetBytes() const
		{
			Bytes bytes((this->bits.size() + 7u) / 8u, 0u);

			for (size_t i = 0u; i < this->bits.size(); ++i)
			{
				if (this->bits[i])
				{
					bytes[i / 8u] |= static_cast<uint8_t>(0x80u >> (i % 8u));
				}
			}

			return bytes;
		}

	private:
		std::vector<bool> bits;
	};

	// The L3T3_KEY structure Chrome uses, reduced to what shapes it: nine
	// templates S0T0 S0T1 S0T2 S1T0 ... S2T2, three decode targets (one per
	// spatial layer at T2), template ids starting at `offset`.
	void PutL3T3Structure(Bits& bits, uint8_t offset)
	{
		bits.Put(offset, 6); // template_id_offset
		bits.Put(2, 5);      // dt_cnt_minus_one: 3 decode targets

		// template_layers: next_layer_idc after each template.
		bits.Put(1, 2).Put(1, 2).Put(2, 2); // S0T0 -> T1 -> T2 -> S1
		bits.Put(1, 2).Put(1, 2).Put(2, 2); // S1T0 -> T1 -> T2 -> S2
		bits.Put(1, 2).Put(1, 2).Put(3, 2); // S2T0 -> T1 -> T2, the last

		// template_dtis: 9 templates x 3 decode targets, 2 bits each
		// (3 = required, 0 = not present).
		for (int t = 0; t < 9; ++t)
		{
			for (int dt = 0; dt < 3; ++dt)
			{
				bits.Put(t / 3 <= dt ? 3 : 0, 2);
			}
		}

		// template_fdiffs: S0T0 none; each other one fdiff.
		bits.Put(0, 1); // S0T0: no fdiff
		for (int t = 1; t < 9; ++t)
		{
			bits.Put(1, 1).Put(t % 3 == 0 ? 0 : 1, 4); // fdiff_follows, fdiff_minus_one
			bits.Put(0, 1);                            // no more
		}

		// template_chains: chain_cnt = ns(4) = 3: w = 3, m = 4, f(2) = 3 < 4.
		bits.Put(3, 2);
		// decode_target_protected_by = ns(3) per decode target: w = 2, m = 1;
		// f(1) = 0 -> 0; f(1) = 1 -> (1 << 1) - 1 + extra bit.
		bits.Put(0, 1);           // DT 0: chain 0
		bits.Put(1, 1).Put(0, 1); // DT 1: chain 1
		bits.Put(1, 1).Put(1, 1); // DT 2: chain 2
		for (int i = 0; i < 9 * 3; ++i)
		{
			bits.Put(i % 4, 4); // template_chain_fdiff
		}

		// resolutions_present_flag, then 3 x (width - 1, height - 1).
		bits.Put(1, 1);
		bits.Put(319, 16).Put(179, 16);
		bits.Put(639, 16).Put(359, 16);
		bits.Put(1279, 16).Put(719, 16);
	}

	// A key frame's first packet: mandatory fields, extended flags, the
	// structure.
	Bytes KeyFrameDescriptor(uint8_t offset, uint8_t templateId, uint16_t frameNumber)
	{
		Bits bits;

		bits.Put(1, 1).Put(0, 1);           // start_of_frame, end_of_frame
		bits.Put(templateId, 6);            // frame_dependency_template_id
		bits.Put(frameNumber, 16);          // frame_number
		bits.Put(1, 1).Put(0, 1);           // structure present, no active DTs
		bits.Put(0, 1).Put(0, 1).Put(0, 1); // no custom DTIs, fdiffs, chains
		PutL3T3Structure(bits, offset);

		return bits.GetBytes();
	}
} // namespace

TEST_CASE("DependencyDescriptor mandatory fields", "[DependencyDescriptor]")
{
	// 1 0 000101 | 0x1234
	const Bytes data{
		0x85, // S=1 E=0 template 5
		0x12,
		0x34, // frame_number 0x1234
	};
	const auto descriptor = DependencyDescriptorParser::Parse(data);

	REQUIRE(descriptor);
	REQUIRE(descriptor->startOfFrame);
	REQUIRE(!descriptor->endOfFrame);
	REQUIRE(descriptor->templateId == 5u);
	REQUIRE(descriptor->frameNumber == 0x1234u);
	REQUIRE(!descriptor->hasExtendedFields);
	REQUIRE(!descriptor->structure);
	// No structure known: the layers cannot be told.
	REQUIRE(!descriptor->GetLayers(nullptr));

	SECTION("under 3 bytes")
	{
		REQUIRE(!DependencyDescriptorParser::Parse({}));
		REQUIRE(!DependencyDescriptorParser::Parse(std::span(data).first(1)));
		REQUIRE(!DependencyDescriptorParser::Parse(std::span(data).first(2)));
	}
}

TEST_CASE("DependencyDescriptor template structure", "[DependencyDescriptor]")
{
	SECTION("L3T3: each template's layers, ids wrapping past 63")
	{
		// Offset 60: template ids 60 61 62 63 0 1 2 3 4.
		const auto data       = KeyFrameDescriptor(60, 60, 7);
		const auto descriptor = DependencyDescriptorParser::Parse(data);

		REQUIRE(descriptor);
		REQUIRE(descriptor->startOfFrame);
		REQUIRE(descriptor->frameNumber == 7u);
		REQUIRE(descriptor->structure);

		const auto& structure = *descriptor->structure;

		REQUIRE(structure.templateIdOffset == 60u);
		REQUIRE(structure.decodeTargetCount == 3u);
		REQUIRE(structure.templateCount == 9u);
		REQUIRE(structure.maxSpatialId == 2u);
		REQUIRE(structure.maxTemporalId == 2u);
		REQUIRE(structure.chainCount == 3u);
		REQUIRE(structure.hasResolutions);

		REQUIRE(structure.GetLayers(60) == Layers{ 0u, 0u });
		REQUIRE(structure.GetLayers(62) == Layers{ 0u, 2u });
		REQUIRE(structure.GetLayers(63) == Layers{ 1u, 0u });
		REQUIRE(structure.GetLayers(0) == Layers{ 1u, 1u });
		REQUIRE(structure.GetLayers(4) == Layers{ 2u, 2u });
		// Past the templates.
		REQUIRE(!structure.GetLayers(5));
		REQUIRE(!structure.GetLayers(59));
		REQUIRE(descriptor->GetLayers(nullptr) == Layers{ 0u, 0u });
	}

	SECTION("a later frame refers to the latest structure")
	{
		const auto key = DependencyDescriptorParser::Parse(KeyFrameDescriptor(0, 0, 1));

		REQUIRE(key);

		// Extended fields without a structure: 4 bytes.
		const Bytes data{
			0x47, // S=0 E=1 template 7 (S2T1)
			0x00,
			0x02, // frame_number 2
			0x00, // T=0 A=0 D=0 F=0 C=0, padding
		};
		const auto later = DependencyDescriptorParser::Parse(data);

		REQUIRE(later);
		REQUIRE(later->endOfFrame);
		REQUIRE(later->hasExtendedFields);
		REQUIRE(!later->structure);
		REQUIRE(later->GetLayers(&*key->structure) == Layers{ 2u, 1u });
		REQUIRE(!later->GetLayers(nullptr));

		// A template the structure does not have.
		const Bytes unknown{ 0x8c, 0x00, 0x03 }; // S=1 E=0 template 12

		REQUIRE(!DependencyDescriptorParser::Parse(unknown)->GetLayers(&*key->structure));
	}

	SECTION("every truncation of a structure is refused")
	{
		const auto data = KeyFrameDescriptor(0, 0, 1);

		for (size_t size = 4u; size < data.size(); ++size)
		{
			INFO("size " << size);
			REQUIRE(!DependencyDescriptorParser::Parse(std::span(data).first(size)));
		}

		// Cut to the mandatory fields, it is a descriptor without a structure.
		const auto mandatory = DependencyDescriptorParser::Parse(std::span(data).first(3));

		REQUIRE(mandatory);
		REQUIRE(!mandatory->structure);
	}

	SECTION("the frame carrying a structure uses one of its templates")
	{
		// Template 9 with offset 0: past the nine templates.
		REQUIRE(!DependencyDescriptorParser::Parse(KeyFrameDescriptor(0, 9, 1)));
	}
}

TEST_CASE("DependencyDescriptor hostile structures", "[DependencyDescriptor]")
{
	// Mandatory fields and flags for a frame on template 0 with a structure
	// of one decode target and `idcs` as its next_layer_idc values; no
	// fdiffs, no chains, no resolutions.
	const auto build = [](const std::vector<uint32_t>& idcs)
	{
		Bits bits;

		bits.Put(1, 1).Put(1, 1).Put(0, 6).Put(1, 16); // S E template 0, frame 1
		bits.Put(1, 1).Put(0, 4);                      // T=1, A D F C = 0
		bits.Put(0, 6).Put(0, 5);                      // offset 0, 1 decode target

		for (const auto idc : idcs)
		{
			bits.Put(idc, 2);
		}

		for (size_t i = 0u; i < idcs.size(); ++i)
		{
			bits.Put(3, 2); // template_dtis
		}

		for (size_t i = 0u; i < idcs.size(); ++i)
		{
			bits.Put(0, 1); // no fdiffs
		}

		bits.Put(0, 1); // chain_cnt = ns(2) = f(1): 0
		bits.Put(0, 1); // no resolutions

		return bits.GetBytes();
	};

	SECTION("64 templates are accepted, 65 refused")
	{
		std::vector<uint32_t> idcs(63u, 0u);

		idcs.push_back(3u);

		const auto descriptor = DependencyDescriptorParser::Parse(build(idcs));

		REQUIRE(descriptor);
		REQUIRE(descriptor->structure->templateCount == 64u);

		idcs.back() = 0u;
		idcs.push_back(3u);

		REQUIRE(!DependencyDescriptorParser::Parse(build(idcs)));
	}

	SECTION("layers past S3 or T7 are refused")
	{
		REQUIRE(DependencyDescriptorParser::Parse(build({ 2, 2, 2, 3 })));
		REQUIRE(!DependencyDescriptorParser::Parse(build({ 2, 2, 2, 2, 3 })));
		REQUIRE(DependencyDescriptorParser::Parse(build({ 1, 1, 1, 1, 1, 1, 1, 3 })));
		REQUIRE(!DependencyDescriptorParser::Parse(build({ 1, 1, 1, 1, 1, 1, 1, 1, 3 })));
	}

	SECTION("templates never ending: all ones")
	{
		// next_layer_idc 0 forever, and fdiff flags all set: the data ends.
		const Bytes data(255u, 0xffu);

		REQUIRE(!DependencyDescriptorParser::Parse(data));

		Bytes zeros(255u, 0x00u);

		zeros[3] = 0x80u; // T=1: next_layer_idc 0 until the count cap.

		REQUIRE(!DependencyDescriptorParser::Parse(zeros));
	}
}

TEST_CASE("BitReader reads fields and stops at the end", "[DependencyDescriptor]")
{
	const Bytes data{ 0xb5, 0x0f }; // 1011 0101 0000 1111
	Utils::BitReader reader(data);

	REQUIRE(reader.Read(1) == 1u);
	REQUIRE(reader.Read(3) == 3u);
	// ns(5): w = 3, m = 3; f(2) = 01 < 3.
	REQUIRE(reader.ReadNonSymmetric(5) == 1u);
	// ns(5): f(2) = 01 again.
	REQUIRE(reader.ReadNonSymmetric(5) == 1u);
	// ns(5): f(2) = 00.
	REQUIRE(reader.ReadNonSymmetric(5) == 0u);
	REQUIRE(reader.Read(2) == 0u);
	// ns(5): f(2) = 11 >= 3: (3 << 1) - 3 + f(1) = 3 + 1.
	REQUIRE(reader.ReadNonSymmetric(5) == 4u);
	REQUIRE(reader.GetRemainingBits() == 1u);
	REQUIRE(!reader.IsOverrun());
	REQUIRE(reader.Read(2) == 0u);
	REQUIRE(reader.IsOverrun());
	REQUIRE(reader.Read(1) == 0u);
}
