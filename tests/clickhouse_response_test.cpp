// clickhouse/response: the body parser of the ClickHouse client fed strings —
// TSV rows split anywhere across chunks, the lines held back until the end, and
// server exceptions after rows in the three formats (18.16, later, tagged).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "clickhouse/response.h"

namespace vigil {
namespace {

using ch_internal::BodyParser;
using ch_internal::ServerError;

// Feeds `chunks` to a parser and keeps what it delivers.
struct Parsed {
  std::vector<Row> rows;
  ServerError error;
};

Parsed parse_chunks(const std::vector<std::string>& chunks, const std::string& tag = "") {
  Parsed parsed;
  const RowCallback on_row = [&](const Row& row) { parsed.rows.push_back(row); };
  BodyParser parser(&on_row);
  if (!tag.empty()) parser.set_exception_tag(tag);
  for (const auto& chunk : chunks) parser.feed(chunk.data(), chunk.size());
  parsed.error = parser.finish();
  return parsed;
}

// The same body fed in one chunk and byte by byte.
std::vector<std::vector<std::string>> chunkings(const std::string& body) {
  std::vector<std::string> bytes;
  for (char c : body) bytes.emplace_back(1, c);
  return {{body}, bytes};
}

TEST(ClickHouseBodyParser, RowsSplitAcrossChunksAreWhole) {
  const auto parsed = parse_chunks({"1\tab", "c\n2\tx\\", "ty\n3", "\t\\N\n", "4\t\\x41\\0"});
  EXPECT_EQ(parsed.error.code, 0);
  EXPECT_EQ(parsed.error.message, "");
  const std::vector<Row> expected = {
      {"1", "abc"}, {"2", "x\ty"}, {"3", "\\N"}, {"4", std::string("A\0", 2)}};
  EXPECT_EQ(parsed.rows, expected);
  for (const auto& chunks : chunkings("1\tabc\n2\tx\\ty\n3\t\\N\n4\t\\x41\\0")) {
    EXPECT_EQ(parse_chunks(chunks).rows, expected);
  }
}

TEST(ClickHouseBodyParser, HoldsTheLastFourLinesUntilTheEnd) {
  std::vector<Row> rows;
  const RowCallback on_row = [&](const Row& row) { rows.push_back(row); };
  BodyParser parser(&on_row);
  const std::string body = "0\n1\n2\n3\n4\n5\n";
  parser.feed(body.data(), body.size());
  EXPECT_EQ(rows, (std::vector<Row>{{"0"}, {"1"}}));
  EXPECT_EQ(parser.rows_delivered(), 2u);
  EXPECT_EQ(parser.finish().code, 0);
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_EQ(parser.rows_delivered(), 6u);
}

TEST(ClickHouseBodyParser, LegacyExceptionAfterRowsIsNotARow) {
  std::string body;
  for (int i = 0; i < 10; ++i) body += fmt::format("{}\n", i);
  body += "Code: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non "
          "zero, e.what() = DB::Exception\n";
  for (const auto& chunks : chunkings(body)) {
    const auto parsed = parse_chunks(chunks);
    EXPECT_EQ(parsed.error.code, 395);
    EXPECT_EQ(parsed.error.message, "Value passed to 'throwIf' function is non zero");
    // Rows went out before the exception was seen; the held ones did not.
    ASSERT_EQ(parsed.rows.size(), 7u);
    EXPECT_EQ(parsed.rows.back(), Row{"6"});
  }
}

TEST(ClickHouseBodyParser, NewStyleExceptionSplitAcrossChunks) {
  const auto parsed = parse_chunks(
      {"a\nb\nCode: 60. DB::Exc", "eption: Table default.x does not exist. (UNKNOWN_TABLE) (vers",
       "ion 24.3.1.1)\n"});
  EXPECT_EQ(parsed.error.code, 60);
  EXPECT_EQ(parsed.error.message, "Table default.x does not exist. (UNKNOWN_TABLE)");
  EXPECT_TRUE(parsed.rows.empty());
}

TEST(ClickHouseBodyParser, TaggedExceptionWithTheMarkerSplitAcrossChunks) {
  std::string body;
  for (int i = 0; i < 10; ++i) body += fmt::format("{}\n", i);
  body += "__exception__Xy12Ab\r\nCode: 241. DB::Exception: Memory limit (for query) exceeded. "
          "(MEMORY_LIMIT_EXCEEDED) (version 25.11.1.1)\r\n98 Xy12Ab__exception__\r\n";
  const std::size_t marker = body.find("__exception__");
  for (const std::size_t cut : {marker + 3, marker + 15, marker + 40}) {
    const auto parsed = parse_chunks({body.substr(0, cut), body.substr(cut)}, "Xy12Ab");
    EXPECT_EQ(parsed.error.code, 241) << cut;
    EXPECT_EQ(parsed.error.message, "Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED)");
    EXPECT_EQ(parsed.rows.size(), 6u) << cut;
    for (const auto& row : parsed.rows) EXPECT_EQ(row[0].find("__exception__"), std::string::npos);
  }
}

TEST(ClickHouseBodyParser, ExceptionLookalikeBeforeTheTailIsARow) {
  std::string body = "Code: 60, e.displayText() = DB::Exception: a value\n";
  for (int i = 0; i < 5; ++i) body += fmt::format("{}\n", i);
  const auto parsed = parse_chunks({body});
  EXPECT_EQ(parsed.error.code, 0);
  ASSERT_EQ(parsed.rows.size(), 6u);
  EXPECT_EQ(parsed.rows[0], Row{"Code: 60, e.displayText() = DB::Exception: a value"});
}

TEST(ClickHouseBodyParser, BrokenTransferFindsTheExceptionInTheTail) {
  BodyParser parser(nullptr);
  const std::string body = "1\n2\nCode: 241. DB::Exception: Memory limit exceeded. (MEM";
  parser.feed(body.data(), body.size());
  const auto error = parser.exception_in_tail();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 241);
  BodyParser rows_only(nullptr);
  rows_only.feed("1\n2\n", 4);
  EXPECT_FALSE(rows_only.exception_in_tail().has_value());
}

TEST(ClickHouseBodyParser, ACallbackExceptionLeavesFeed) {
  const RowCallback on_row = [](const Row&) { throw std::runtime_error("stop"); };
  BodyParser parser(&on_row);
  const std::string body = "0\n1\n2\n3\n4\n";
  EXPECT_THROW(parser.feed(body.data(), body.size()), std::runtime_error);
  BodyParser held(&on_row);
  held.feed("0\n", 2);
  EXPECT_THROW(held.finish(), std::runtime_error);
}

}  // namespace
}  // namespace vigil
