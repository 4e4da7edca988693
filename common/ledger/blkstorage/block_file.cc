// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include <absl/strings/str_format.h>

#include "common/ledger/blkstorage/block_serialization.h"

namespace fabric::ledger::blkstorage {
namespace {

constexpr std::string_view kPrefix = "blockfile_";

Status ErrnoError(std::string_view op, const std::string& path, int err) {
  std::string msg = absl::StrFormat("%s %s: %s", op, path, std::strerror(err));
  return err == ENOENT ? NotFoundError(msg) : InternalError(msg);
}

// Parses "blockfile_NNNNNN" (at least 6 digits); false for other names.
bool ParseFileName(std::string_view name, uint32_t* num) {
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string_view digits = name.substr(kPrefix.size());
  if (digits.size() < 6 || digits.size() > 9) {
    return false;
  }
  uint32_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return false;
    }
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  *num = n;
  return true;
}

// Closes `fd` on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

}  // namespace

std::string BlockFilePath(const std::string& dir, uint32_t file_num) {
  return absl::StrFormat("%s/%s%06d", dir, kPrefix, file_num);
}

StatusOr<std::vector<uint32_t>> ListBlockFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return ErrnoError("list block files in", dir, errno);
  }
  std::vector<uint32_t> nums;
  while (struct dirent* e = ::readdir(d)) {
    uint32_t n = 0;
    if (ParseFileName(e->d_name, &n)) {
      nums.push_back(n);
    }
  }
  ::closedir(d);
  std::sort(nums.begin(), nums.end());
  return nums;
}

StatusOr<std::string> ReadFileRange(const std::string& path, uint64_t offset, uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("open block file", path, errno);
  }
  FdCloser closer{fd};
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return ErrnoError("read block file", path, errno);
    }
    if (n == 0) {
      return DataLossError(absl::StrFormat("%s: short read at offset %d: wanted %d bytes, got %d",
                                           path, offset, length, done));
    }
    done += static_cast<uint64_t>(n);
  }
  return out;
}

StatusOr<MappedBlockFile> MappedBlockFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("open block file", path, errno);
  }
  FdCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return ErrnoError("stat block file", path, errno);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    return MappedBlockFile(nullptr, 0);
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) {
    return ErrnoError("map block file", path, errno);
  }
  // Read once, front to back.
  (void)::madvise(data, size, MADV_SEQUENTIAL);
  return MappedBlockFile(data, size);
}

MappedBlockFile::MappedBlockFile(MappedBlockFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedBlockFile::~MappedBlockFile() {
  if (data_ != nullptr) {
    ::munmap(data_, size_);
  }
}

Status TruncateFile(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("open block file", path, errno);
  }
  FdCloser closer{fd};
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0 || ::fsync(fd) != 0) {
    return ErrnoError("truncate block file", path, errno);
  }
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("open directory", dir, errno);
  }
  FdCloser closer{fd};
  if (::fsync(fd) != 0) {
    return ErrnoError("fsync directory", dir, errno);
  }
  return Status::OK();
}

RecordSpan ParseRecord(std::string_view file_bytes, uint64_t pos) {
  RecordSpan span;
  if (pos >= file_bytes.size()) {
    return span;  // kEnd
  }
  size_t p = pos;
  uint64_t length = 0;
  if (!DecodeVarint(file_bytes, &p, &length) || length > file_bytes.size() - p) {
    span.kind = RecordSpan::Kind::kPartial;
    return span;
  }
  span.kind = RecordSpan::Kind::kOk;
  span.body_offset = p;
  span.end = p + length;
  return span;
}

StatusOr<std::unique_ptr<BlockFileWriter>> BlockFileWriter::Open(const std::string& dir,
                                                                 uint32_t file_num) {
  std::string path = BlockFilePath(dir, file_num);
  bool existed = ::access(path.c_str(), F_OK) == 0;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return ErrnoError("open block file", path, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("stat block file", path, err);
  }
  if (!existed) {
    Status s = SyncDir(dir);
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  return std::unique_ptr<BlockFileWriter>(
      new BlockFileWriter(std::move(path), file_num, fd, static_cast<uint64_t>(st.st_size)));
}

BlockFileWriter::~BlockFileWriter() { ::close(fd_); }

Status BlockFileWriter::Append(std::string_view data, bool sync) {
  uint64_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return ErrnoError("append to block file", path_, n < 0 ? errno : EIO);
    }
    done += static_cast<uint64_t>(n);
  }
  if (sync && ::fdatasync(fd_) != 0) {
    return ErrnoError("fdatasync block file", path_, errno);
  }
  size_ += data.size();
  return Status::OK();
}

Status BlockFileWriter::Truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::fdatasync(fd_) != 0) {
    return ErrnoError("truncate block file", path_, errno);
  }
  size_ = size;
  return Status::OK();
}

}  // namespace fabric::ledger::blkstorage
