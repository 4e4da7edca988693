// SPDX-License-Identifier: Apache-2.0
//
// Block files: `<dir>/blockfile_000000`, `blockfile_000001`, ... Each file is a sequence of
// records, one per block: varint(body length) followed by the body (block_serialization.h).
//
// BlockFileWriter appends records to one file; the free functions read, list and repair files.
// Errors name the file path; I/O failures are Internal, missing files NotFound, short reads of
// data that should be there DataLoss.
//
// Thread-safety: the free functions are safe to call concurrently. A BlockFileWriter is used
// by one thread at a time (the block store's writer).

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::ledger::blkstorage {

// "<dir>/blockfile_000007".
std::string BlockFilePath(const std::string& dir, uint32_t file_num);

// The numbers of the block files in `dir`, ascending. Other names are ignored. Internal when
// the directory cannot be read.
StatusOr<std::vector<uint32_t>> ListBlockFiles(const std::string& dir);

// Reads exactly `length` bytes at `offset` of `path`. DataLoss on a short read.
StatusOr<std::string> ReadFileRange(const std::string& path, uint64_t offset, uint64_t length);

// A whole block file mapped read-only, for the scans at open (recovery, verification). Its pages
// belong to the page cache and leave the process with the mapping; read into the heap, a 64 MiB
// file would stay in the allocator's free lists after the scan.
class MappedBlockFile {
 public:
  // NotFound for a missing file, Internal for other errors. An empty file maps to no bytes.
  static StatusOr<MappedBlockFile> Open(const std::string& path);
  MappedBlockFile(MappedBlockFile&& other) noexcept;
  MappedBlockFile& operator=(MappedBlockFile&&) = delete;
  MappedBlockFile(const MappedBlockFile&) = delete;
  ~MappedBlockFile();

  // Valid while this object lives. The file must not shrink meanwhile (TruncateFile is fine
  // once nothing past the new end is read).
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedBlockFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Cuts `path` to `size` bytes and fsyncs it.
Status TruncateFile(const std::string& path, uint64_t size);

// fsyncs a directory so that entries created in it survive a crash.
Status SyncDir(const std::string& dir);

// One record parsed from a file's bytes.
struct RecordSpan {
  enum class Kind {
    kOk,       // a whole record: body = [body_offset, end)
    kEnd,      // `pos` is the end of the input
    kPartial,  // the length prefix or the body runs past the end of the input (torn write)
  };
  Kind kind = Kind::kEnd;
  uint64_t body_offset = 0;
  uint64_t end = 0;
};

// Parses the record that starts at `pos` in `file_bytes`.
RecordSpan ParseRecord(std::string_view file_bytes, uint64_t pos);

// Appends records to one block file. Owned by the block store.
class BlockFileWriter {
 public:
  // Opens (creating if needed) block file `file_num` in `dir` for appending at its current end.
  // A newly created file's directory entry is fsynced. Internal on I/O errors.
  static StatusOr<std::unique_ptr<BlockFileWriter>> Open(const std::string& dir, uint32_t file_num);
  ~BlockFileWriter();
  BlockFileWriter(const BlockFileWriter&) = delete;
  BlockFileWriter& operator=(const BlockFileWriter&) = delete;

  // Writes `data` at the end of the file and, when `sync`, fdatasyncs it before returning.
  // On error the file may hold part of `data`; callers truncate back to size().
  Status Append(std::string_view data, bool sync);

  // Cuts the file back to `size` bytes (after a failed append).
  Status Truncate(uint64_t size);

  uint32_t file_num() const { return file_num_; }
  // Bytes in the file, including everything appended successfully.
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  BlockFileWriter(std::string path, uint32_t file_num, int fd, uint64_t size)
      : path_(std::move(path)), file_num_(file_num), fd_(fd), size_(size) {}

  const std::string path_;
  const uint32_t file_num_;
  const int fd_;
  uint64_t size_;
};

}  // namespace fabric::ledger::blkstorage
