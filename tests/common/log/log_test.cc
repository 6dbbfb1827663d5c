// The logger: line format, levels from `debug`, the log file, and the
// per-call-site rate limit that says what it dropped.
#include "common/log/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

namespace lispmob::log {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/log_test_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
    std::remove(path_.c_str());
  }
  std::string path_;
};

TEST_F(LogTest, LinesCarryTimeProgramLevelAndComponent) {
  ASSERT_TRUE(configure("lispd", 0, path_).ok());
  info("xtr", "lmn0 MTU %d (%s)", 1444, "because");
  const std::string text = read_all(path_);
  EXPECT_TRUE(std::regex_match(
      text,
      std::regex(
          R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z lispd info xtr: lmn0 MTU 1444 \(because\)\n)")))
      << text;
}

TEST_F(LogTest, DebugLinesOnlyFromDebugOne) {
  ASSERT_TRUE(configure("lispd", 0, path_).ok());
  debug("xtr", "hidden");
  warning("xtr", "shown");
  EXPECT_FALSE(enabled(Level::kDebug));
  ASSERT_TRUE(configure("lispd", 1, path_).ok());
  debug("xtr", "now shown");
  const std::string text = read_all(path_);
  EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
  EXPECT_NE(text.find("lispd warning xtr: shown"), std::string::npos) << text;
  EXPECT_NE(text.find("lispd debug xtr: now shown"), std::string::npos) << text;
}

// A start that fails with a log-file set is still seen on the terminal:
// errors and warnings go to stderr too until lispd serves; info never does.
TEST_F(LogTest, StartUpProblemsAlsoReachStderrUntilServing) {
  ASSERT_TRUE(configure("lispd", 0, path_).ok());
  ::testing::internal::CaptureStderr();
  error("lispd", "metrics-listen port 9142: Address already in use");
  info("lispd", "starting");
  std::string seen = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(seen.find("lispd error lispd: metrics-listen port 9142: Address already in use\n"),
            std::string::npos)
      << seen;
  EXPECT_EQ(seen.find("starting"), std::string::npos) << seen;
  end_start_up();
  ::testing::internal::CaptureStderr();
  warning("xtr", "reload refused");
  seen = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(seen, "");
  EXPECT_NE(read_all(path_).find("lispd warning xtr: reload refused"), std::string::npos);
}

TEST_F(LogTest, UnopenableFileIsReportedAndStderrKept) {
  const auto status = configure("lispd", 0, "/nonexistent-dir/lispd.log");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("/nonexistent-dir/lispd.log"), std::string::npos);
}

TEST(RateLimit, AllowsPerSecondAndCountsWhatItDropped) {
  ASSERT_TRUE(configure("lispd", 1).ok());
  RateLimit limit(3);
  const std::chrono::steady_clock::time_point t0{std::chrono::seconds(100)};
  uint64_t dropped = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.allow(t0, dropped));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limit.allow(t0, dropped));
  ASSERT_TRUE(limit.allow(t0 + std::chrono::seconds(1), dropped));
  EXPECT_EQ(dropped, 5u) << "the next line says how many were dropped";
  ASSERT_TRUE(limit.allow(t0 + std::chrono::seconds(1), dropped));
  EXPECT_EQ(dropped, 0u);
}

TEST(RateLimit, DebugThreeLiftsIt) {
  ASSERT_TRUE(configure("lispd", 3).ok());
  RateLimit limit(1);
  const std::chrono::steady_clock::time_point t0{};
  uint64_t dropped = 0;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limit.allow(t0, dropped));
  ASSERT_TRUE(configure("lispd", 0).ok());
}

}  // namespace
}  // namespace lispmob::log
