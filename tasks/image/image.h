#pragma once
// Image (CIFAR-10 as grayscale pixel tokens), 10 classes.
// Layout: <data_dir>/<task.data.folder>/{data_batch_1..5,test_batch}.bin, the CIFAR-10 binary version:
// records of 3073 bytes = label byte + 1024 R + 1024 G + 1024 B (row-major 32x32). Pixels become
// grayscale with TF's formula, optionally task.data.downsample x downsample mean-pooled, and token
// id = gray + 1 (vocab 259 with pad 0, MASK 257 and CLS 258). Train/val: task.data.val_examples of the 50,000
// training images picked with task.data.split_seed are validation (the official split is train[90%:]),
// the rest train, both in that seeded random order; test = test_batch.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace lra {

constexpr int kImageSide = 32;
constexpr size_t kCifarRecordBytes = 1 + 3 * kImageSide * kImageSide;  // 3073

TaskSplits load_image(const std::string& data_dir, const nlohmann::json& task,
                      SplitsToRead which = SplitsToRead::all);

// Fashion-MNIST (real images, Debian package dataset-fashion-mnist) written as CIFAR-10 binaries: each
// 28x28 image zero-padded to 32x32 (2 px per side) and replicated to R=G=B, so the grayscale formula
// returns the original pixel. data_batch_1..5 = the first task.generate.train training images in five
// equal parts, test_batch = the first task.generate.test test images. task.generate.source must be
// "fashion-mnist"; task.generate.fashion_mnist_dir holds the *-ubyte.gz files. Deterministic (the
// seed is only recorded).
void generate_image(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

// One IDX file of Fashion-MNIST, gzip'd or plain: magic 0x00000801 (labels: count) or 0x00000803 (images:
// count, 28, 28), big-endian, then count * item_bytes uint8s. Returns those bytes and sets count;
// UserError naming the file when the header or the size is not what `magic` and `item_bytes` say.
std::string read_idx(const std::string& path, uint32_t magic, size_t item_bytes, const std::string& hint,
                     size_t& count);

}  // namespace lra
