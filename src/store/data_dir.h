// The data directory's safety rules, shared by everything that writes there: created 0700 if
// missing, refused if group/other may access it or we cannot write it, and held with an
// exclusive flock on "lock" for the process lifetime, so a second process on the same
// directory is refused naming the pid that holds it. Blocking calls, for startup only.
#pragma once

#include <string>

#include "core/result.h"

namespace store {

// Creates `dir` (one level) with mode 0700, or checks an existing one. On failure *problem
// says what is wrong and what to do.
core::Status prepare_data_dir(const std::string& dir, std::string* problem);

// Exclusive, non-blocking lock on dir/lock (0600), which then holds our pid. Errc::Locked
// with "data dir ... is in use by pid N" when another process holds it. Returns the fd to
// keep open (closing it releases the lock).
core::Result<int> lock_data_dir(const std::string& dir, std::string* problem);

// Checks that an existing file is a regular file without group/other access.
core::Status check_private_file(const std::string& path, std::string* problem);

// fsync of a directory, so a rename or a new file in it survives a power loss.
core::Status fsync_dir(const std::string& dir);

}  // namespace store
