#include "common/wire/reader.h"

#include <gtest/gtest.h>

#include "common/wire/writer.h"

namespace lispmob::wire {
namespace {

TEST(ReaderTest, ReadsBigEndianFields) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  Reader reader(bytes);
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  ASSERT_TRUE(reader.read_u8(u8));
  ASSERT_TRUE(reader.read_u16(u16));
  ASSERT_TRUE(reader.read_u32(u32));
  ASSERT_TRUE(reader.read_u64(u64));
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0203);
  EXPECT_EQ(u32, 0x04050607u);
  EXPECT_EQ(u64, 0x08090a0b0c0d0e0full);
  EXPECT_TRUE(reader.empty());
  EXPECT_TRUE(reader.ok());
}

TEST(ReaderTest, OverrunFailsAndStaysFailed) {
  const std::vector<uint8_t> bytes = {0xaa, 0xbb, 0xcc};
  Reader reader(bytes);
  uint32_t u32 = 0x12345678;
  EXPECT_FALSE(reader.read_u32(u32));
  EXPECT_EQ(u32, 0x12345678u) << "a failed read must not write its output";
  EXPECT_FALSE(reader.ok());
  uint8_t u8 = 0;
  EXPECT_FALSE(reader.read_u8(u8)) << "a failed reader refuses further reads";
  EXPECT_EQ(reader.position(), 0u);
}

TEST(ReaderTest, SubReaderIsBoundedAndConsumes) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 4, 5};
  Reader reader(bytes);
  Reader sub;
  ASSERT_TRUE(reader.read_sub(2, sub));
  uint16_t value = 0;
  ASSERT_TRUE(sub.read_u16(value));
  EXPECT_EQ(value, 0x0102);
  uint8_t extra = 0;
  EXPECT_FALSE(sub.read_u8(extra)) << "the sub-reader ends where its length ends";
  EXPECT_EQ(reader.remaining(), 3u);
  EXPECT_FALSE(reader.read_sub(4, sub));
}

TEST(ReaderTest, SkipAndSpanCheckBounds) {
  const std::vector<uint8_t> bytes = {1, 2, 3};
  Reader reader(bytes);
  std::span<const uint8_t> view;
  EXPECT_TRUE(reader.skip(1));
  EXPECT_FALSE(reader.read_span(3, view));
  Reader again(bytes);
  EXPECT_TRUE(again.read_span(3, view));
  EXPECT_EQ(view.size(), 3u);
  EXPECT_FALSE(again.skip(1));
}

TEST(WriterTest, WritesBigEndianAndPatchesLengths) {
  std::vector<uint8_t> out;
  Writer writer(out);
  writer.write_u8(0x01);
  const size_t length_at = writer.reserve_u16();
  writer.write_u32(0x02030405);
  writer.write_u64(0x060708090a0b0c0dull);
  writer.patch_u16(length_at, 0xbeef);
  const std::vector<uint8_t> expected = {0x01, 0xbe, 0xef, 0x02, 0x03, 0x04, 0x05, 0x06,
                                         0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d};
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace lispmob::wire
