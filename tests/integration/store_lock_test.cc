// A second process on the same data dir is refused with the holder's pid, and gets the dir
// once the holder is gone (the kernel drops a flock with its process, even after SIGKILL).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "store/file_store.h"
#include "support/subprocess.h"
#include "unit/store/store_harness.h"
#include "uv/loop.h"

using namespace store;

TEST(StoreLock, SecondProcessIsRefusedWithThePidOfTheHolder) {
  testing_support::TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    uv::Loop loop;
    FileStore::Options o;
    o.dir = dir;
    std::string problem;
    auto s = FileStore::open(loop.get(), core::SystemClock::instance(), o, &problem);
    (void)!write(fds[1], s.ok() ? "1" : "0", 1);
    pause();  // hold the store until killed
    _exit(0);
  }
  close(fds[1]);
  char c = 0;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  ASSERT_EQ(c, '1');

  uv::Loop loop;
  FileStore::Options o;
  o.dir = dir;
  std::string problem;
  auto refused = FileStore::open(loop.get(), core::SystemClock::instance(), o, &problem);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::Errc::Locked);
  EXPECT_NE(problem.find("data dir " + dir + " is in use by pid " + std::to_string(pid)),
            std::string::npos)
      << problem;

  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
  auto s = FileStore::open(loop.get(), core::SystemClock::instance(), o, &problem);
  ASSERT_TRUE(s.ok()) << problem;
  store_test::close_store(loop, **s);
  s->reset();
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}
