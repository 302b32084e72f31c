#pragma once
// Data-parallel training over torch's own c10d: a TCPStore (or FileStore) for rendezvous and
// ProcessGroupGloo on CPU (ProcessGroupNCCL on CUDA builds). libtorch has no C++
// DistributedDataParallel, so gradients are averaged here: flattened into buckets of at most
// 32 MiB, one allreduce per bucket, divided by the world size, copied back.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/version.h>
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#endif

namespace lra {

// The class ProcessGroupGloo and ProcessGroupNCCL derive from: ProcessGroup in libtorch 1.13,
// Backend from 2.0 on (a ProcessGroup there wraps backends). Both have allreduce and broadcast.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string url;       // tcp://HOST:PORT (rank 0 hosts the store) or file:///path/to/store
  int timeout_s = 300;   // a rank silent for this long is reported as missing
};

// Fills what the command line left unset from WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT.
DistributedOptions distributed_from_environment(DistributedOptions given);

class Distributed {
 public:
  // Joins the group (blocks until every rank has joined or the timeout passes). world_size 1
  // gives a group of one that does no communication.
  static std::unique_ptr<Distributed> connect(const DistributedOptions& options, const torch::Device& device);
  ~Distributed();

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  bool is_root() const { return options_.rank == 0; }
  const std::string& backend() const { return backend_; }

  void average_gradients(const std::vector<torch::Tensor>& parameters);
  void broadcast_parameters(torch::nn::Module& module);  // from rank 0: parameters and buffers
  void sum(torch::Tensor& values);                       // in place, across ranks
  std::string broadcast_bytes(const std::string& bytes);  // rank 0's bytes to every rank
  void heartbeat(int64_t step);                          // lets a timeout name the rank that is missing

 private:
  explicit Distributed(DistributedOptions options) : options_(std::move(options)) {}
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what);
  std::string missing_ranks_description();

  DistributedOptions options_;
  std::string backend_ = "none";
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CollectiveBackend> group_;
};

}  // namespace lra
