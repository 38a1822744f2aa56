// base/files: a set of files is replaced whole or not at all, failed writes
// leave no temporaries, and a full disk is noticed. Faults are injected
// writers, /dev/full and paths nobody can create (the suite may run as root).
#include "base/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

namespace vigil {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-files-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string content(const std::string& name) const {
    auto text = read_file(path(name));
    return text.ok() ? *text : "<missing>";
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  void write_old_set() {
    for (const char* name : {"report.html", "feed.png", "messenger.png"}) {
      ASSERT_TRUE(write_file(path(name), std::string("old ") + name).ok());
    }
  }

  fs::path dir_;
};

const std::vector<std::pair<std::string, std::string>> kNewSet = {
    {"report.html", "new text"}, {"feed.png", "new feed"}, {"messenger.png", "new messenger"}};

TEST_F(FilesTest, SetReplacesEveryFile) {
  write_old_set();
  ASSERT_TRUE(write_file_set(dir_.string(), kNewSet).ok());
  EXPECT_EQ(content("report.html"), "new text");
  EXPECT_EQ(content("feed.png"), "new feed");
  EXPECT_EQ(content("messenger.png"), "new messenger");
  EXPECT_EQ(names(), (std::vector<std::string>{"feed.png", "messenger.png", "report.html"}));
}

TEST_F(FilesTest, FailedWriteLeavesTheOldSetAndNoTemporaries) {
  write_old_set();
  // The disk fills up while the second file is written: part of it is on disk.
  FileWriter full_disk = [](const std::string& file, const std::string& text) -> Status {
    if (file.find("feed.png") != std::string::npos) {
      (void)write_plain_file(file, text.substr(0, 3));
      return Error::failure("cannot write " + file + ": No space left on device");
    }
    return write_plain_file(file, text);
  };
  auto status = write_file_set(dir_.string(), kNewSet, {}, full_disk);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("No space left on device"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(content("report.html"), "old report.html");
  EXPECT_EQ(content("feed.png"), "old feed.png");
  EXPECT_EQ(content("messenger.png"), "old messenger.png");
  EXPECT_EQ(names(), (std::vector<std::string>{"feed.png", "messenger.png", "report.html"}));
}

TEST_F(FilesTest, FilesTheNewSetLacksAreRemoved) {
  write_old_set();
  ASSERT_TRUE(write_file_set(dir_.string(), {{"report.html", "new text"}, {"feed.png", "new"}},
                             {"messenger.png"})
                  .ok());
  EXPECT_EQ(names(), (std::vector<std::string>{"feed.png", "report.html"}));
}

TEST_F(FilesTest, FullDiskIsAnErrorAndLeavesNoTemporary) {
  EXPECT_FALSE(write_plain_file("/dev/full", "some bytes").ok());
  // write_file's temporary cannot be written: a directory holds its name.
  fs::create_directories(path("out.txt.tmp"));
  auto status = write_file(path("out.txt"), "text");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("out.txt.tmp"), std::string::npos)
      << status.error().message;
  EXPECT_FALSE(fs::exists(path("out.txt")));
}

TEST_F(FilesTest, AModeIsExactFromTheStartAndOtherwiseTheUmasksOwn) {
  constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
  const std::string secret = path("users.xml");
  ASSERT_TRUE(write_file(secret, "a", 0600u).ok());
  EXPECT_EQ(fs::status(secret).permissions(), kOwnerOnly);
  // A temporary left over with wider permissions does not widen the file.
  ASSERT_TRUE(write_plain_file(secret + ".tmp", "old").ok());
  fs::permissions(secret + ".tmp", fs::perms::all);
  ASSERT_TRUE(write_file(secret, "b", 0600u).ok());
  EXPECT_EQ(fs::status(secret).permissions(), kOwnerOnly);
  EXPECT_EQ(*read_file(secret), "b");
  EXPECT_FALSE(fs::exists(secret + ".tmp"));
  const mode_t old_umask = ::umask(027);
  auto plain = write_file(path("plain.txt"), "x");
  ::umask(old_umask);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(fs::status(path("plain.txt")).permissions(),
            kOwnerOnly | fs::perms::group_read);
}

TEST_F(FilesTest, WritableDirCheck) {
  EXPECT_TRUE(check_writable_dir(path("a/b")).ok());
  EXPECT_TRUE(fs::is_directory(path("a/b")));
  EXPECT_TRUE(fs::is_empty(path("a/b")));  // the probe is gone
  ASSERT_TRUE(write_file(path("file"), "x").ok());
  auto status = check_writable_dir(path("file/sub"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(path("file/sub")), std::string::npos)
      << status.error().message;
  EXPECT_FALSE(check_writable_dir("/dev/full").ok());
}

}  // namespace
}  // namespace vigil
