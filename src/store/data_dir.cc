// Implementation of store/data_dir.h.
#include "store/data_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace store {
namespace {

using core::Errc;
using core::make_error;

std::string octal(mode_t m) {
  char buf[8];
  snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

}  // namespace

core::Status prepare_data_dir(const std::string& dir, std::string* problem) {
  if (dir.empty()) {
    *problem =
        "no data directory given: set CONNECTOR_DATA_DIR to a directory only this service uses";
    return make_error(Errc::Config, "data dir");
  }
  if (mkdir(dir.c_str(), 0700) == 0) return fsync_dir(dir + "/..");
  if (errno != EEXIST) {
    *problem = "cannot create data dir " + dir + ": " + strerror(errno) +
               "; create its parent directory or set CONNECTOR_DATA_DIR elsewhere";
    return make_error(Errc::Config, "data dir", errno);
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *problem =
        "data dir " + dir + " exists but is not a directory; set CONNECTOR_DATA_DIR to a directory";
    return make_error(Errc::Config, "data dir");
  }
  if (st.st_mode & 077) {
    *problem = "data dir " + dir + " has mode " + octal(st.st_mode) +
               ": group/other may read the stored secrets; run `chmod 700 " + dir + "` and restart";
    return make_error(Errc::Config, "data dir mode");
  }
  if (access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    *problem = "data dir " + dir + " is not writable by this user (uid " +
               std::to_string(getuid()) + "); fix its owner or set CONNECTOR_DATA_DIR elsewhere";
    return make_error(Errc::Config, "data dir access");
  }
  return core::ok_status();
}

core::Result<int> lock_data_dir(const std::string& dir, std::string* problem) {
  std::string path = dir + "/lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *problem = "cannot open lock file " + path + ": " + strerror(errno);
    return make_error(Errc::Io, "lock file", errno);
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (err == EWOULDBLOCK) {
      std::string pid = n > 0 ? std::string(buf, strcspn(buf, "\n")) : std::string("unknown");
      *problem = "data dir " + dir + " is in use by pid " + pid +
                 "; stop that process, or give this one another CONNECTOR_DATA_DIR";
      return make_error(Errc::Locked, "data dir lock");
    }
    *problem = "cannot lock " + path + ": " + strerror(err);
    return make_error(Errc::Io, "lock file", err);
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    close(fd);
    *problem = "cannot write lock file " + path + ": " + strerror(err);
    return make_error(Errc::Io, "lock file", err);
  }
  return fd;
}

core::Status check_private_file(const std::string& path, std::string* problem) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    *problem = "cannot stat " + path + ": " + strerror(errno);
    return make_error(Errc::Io, "stat", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    *problem = path + " is not a regular file; move it away and restore the data dir from a backup";
    return make_error(Errc::Config, "store file type");
  }
  if (st.st_mode & 077) {
    *problem = path + " has mode " + octal(st.st_mode) +
               ": group/other may read the stored secrets; run `chmod 600 " + path +
               "` and restart";
    return make_error(Errc::Config, "store file mode");
  }
  return core::ok_status();
}

core::Status fsync_dir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(Errc::Io, "open dir for fsync", errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return make_error(Errc::Io, "fsync dir", err);
  return core::ok_status();
}

}  // namespace store
