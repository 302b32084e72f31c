#include "lra/train/distributed.h"

#include <cstdlib>
#include <thread>

#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef LRA_WITH_NCCL
#define USE_C10D_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/torch.h>

#include "core/errors.h"

namespace lra {
namespace {

constexpr int64_t kBucketBytes = 32 << 20;

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

std::string heartbeat_key(int rank) { return "lra/heartbeat/" + std::to_string(rank); }

}  // namespace

DistributedOptions distributed_from_environment(DistributedOptions given) {
  if (given.world_size <= 1) given.world_size = env_int("WORLD_SIZE", 1);
  if (given.rank <= 0) given.rank = env_int("RANK", 0);
  if (given.url.empty() && given.world_size > 1) {
    const char* addr = std::getenv("MASTER_ADDR");
    const char* port = std::getenv("MASTER_PORT");
    if (addr && port) given.url = std::string("tcp://") + addr + ":" + port;
  }
  return given;
}

std::unique_ptr<Distributed> Distributed::connect(const DistributedOptions& options, const torch::Device& device) {
  std::unique_ptr<Distributed> dist(new Distributed(options));
  if (options.world_size <= 1) return dist;
  if (options.rank < 0 || options.rank >= options.world_size)
    throw UserError("--rank " + std::to_string(options.rank) + " is outside 0.." + std::to_string(options.world_size - 1));
  const auto timeout = std::chrono::milliseconds(1000LL * options.timeout_s);
  if (options.url.rfind("tcp://", 0) == 0) {
    std::string hostport = options.url.substr(6);
    auto colon = hostport.rfind(':');
    if (colon == std::string::npos) throw UserError("--dist-url " + options.url + ": expected tcp://HOST:PORT");
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(std::stoi(hostport.substr(colon + 1)));
    store_options.isServer = options.rank == 0;
    store_options.numWorkers = options.world_size;
    store_options.timeout = timeout;
    try {
      dist->store_ = c10::make_intrusive<c10d::TCPStore>(hostport.substr(0, colon), store_options);
    } catch (const std::exception& e) {
      throw UserError("rank " + std::to_string(options.rank) + ": cannot join the store at " + options.url + " within " +
                      std::to_string(options.timeout_s) + " s (" + e.what() +
                      "); hint: start every rank with the same --dist-url and check the port is free on rank 0's host");
    }
  } else if (options.url.rfind("file://", 0) == 0) {
    dist->store_ = c10::make_intrusive<c10d::FileStore>(options.url.substr(7), options.world_size);
    dist->store_->setTimeout(timeout);
  } else {
    throw UserError("--dist-url '" + options.url + "': expected tcp://HOST:PORT or file:///path (or set MASTER_ADDR "
                    "and MASTER_PORT)");
  }
  auto store = c10::make_intrusive<c10d::PrefixStore>("lra", dist->store_);
#ifdef LRA_WITH_NCCL
  if (device.is_cuda()) {
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    nccl_options->timeout = timeout;
    dist->group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, options.rank, options.world_size, nccl_options);
    dist->backend_ = "nccl";
  }
#endif
  if (!dist->group_ && device.is_cuda())
    throw UserError("--world-size " + std::to_string(options.world_size) + " on --device " + device.str() +
                    ": this lra was built without NCCL (nccl.h not found); rebuild with scripts/build_cuda.sh, "
                    "which looks for it, or set LRA_NCCL_ROOT");
  if (!dist->group_) {
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    try {
      dist->group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store, options.rank, options.world_size, gloo_options);
    } catch (const std::exception& e) {
      throw UserError("rank " + std::to_string(options.rank) + ": the process group did not form within " +
                      std::to_string(options.timeout_s) + " s (" + e.what() + ")");
    }
    dist->backend_ = "gloo";
  }
  dist->heartbeat(0);
  return dist;
}

Distributed::~Distributed() = default;

void Distributed::heartbeat(int64_t step) {
  if (!store_) return;
  const std::string value = std::to_string(step);
  store_->set(heartbeat_key(rank()), std::vector<uint8_t>(value.begin(), value.end()));
}

std::string Distributed::missing_ranks_description() {
  // After a failed collective every surviving rank checks in on the store; a rank that has not
  // checked in within a few seconds is gone (killed, crashed or hung).
  try {
    const std::string mine = "lra/alive-after-failure/" + std::to_string(rank());
    store_->set(mine, std::vector<uint8_t>{1});
    std::string missing;
    for (int attempt = 0; attempt < 50; ++attempt) {
      missing.clear();
      for (int r = 0; r < world_size(); ++r)
        if (!store_->check({"lra/alive-after-failure/" + std::to_string(r)}))
          missing += (missing.empty() ? "" : ", ") + std::to_string(r);
      if (missing.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (missing.empty()) return "none (every rank is alive; the failure was in communication)";
    std::string last_steps;
    for (int r = 0; r < world_size(); ++r)
      if (store_->check({heartbeat_key(r)})) {
        auto bytes = store_->get(heartbeat_key(r));
        last_steps += (last_steps.empty() ? "" : ", ") + std::to_string(r) + ": " + std::string(bytes.begin(), bytes.end());
      }
    return missing + " (last step seen per rank: " + last_steps + ")";
  } catch (const std::exception&) {
    return "0 (it hosts the store, which no longer answers)";
  }
}

void Distributed::wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw UserError("rank " + std::to_string(rank()) + ": " + what + " timed out or failed after waiting up to " +
                    std::to_string(options_.timeout_s) + " s; missing rank(s): " + missing_ranks_description() +
                    " (" + std::string(e.what()).substr(0, 200) + ")");
  }
}

void Distributed::average_gradients(const std::vector<torch::Tensor>& parameters) {
  if (world_size() <= 1) return;
  std::vector<torch::Tensor> grads;
  int64_t bucket_bytes = 0;
  auto flush = [&] {
    if (grads.empty()) return;
    std::vector<torch::Tensor> flat{torch::cat(grads)};  // one contiguous buffer per bucket
    wait(group_->allreduce(flat), "gradient allreduce");
    flat[0].div_(world_size());
    int64_t offset = 0;
    for (auto& g : grads) {
      g.copy_(flat[0].slice(0, offset, offset + g.numel()));
      offset += g.numel();
    }
    grads.clear();
    bucket_bytes = 0;
  };
  // Views of each grad, flattened; the copy back writes through to the parameter's .grad().
  std::vector<torch::Tensor> views;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    grads.push_back(p.grad().view({-1}));
    bucket_bytes += p.grad().numel() * static_cast<int64_t>(p.grad().element_size());
    if (bucket_bytes >= kBucketBytes) flush();
  }
  flush();
}

void Distributed::broadcast_parameters(torch::nn::Module& module) {
  if (world_size() <= 1) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (auto& p : module.parameters()) tensors.push_back(p);
  for (auto& b : module.buffers()) tensors.push_back(b);
  for (auto& t : tensors) {
    std::vector<torch::Tensor> one{t};
    wait(group_->broadcast(one), "parameter broadcast");
  }
}

void Distributed::sum(torch::Tensor& values) {
  if (world_size() <= 1) return;
  std::vector<torch::Tensor> one{values};
  wait(group_->allreduce(one), "allreduce");
}

std::string Distributed::broadcast_bytes(const std::string& bytes) {
  if (world_size() <= 1) return bytes;
  auto size = torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kInt64);
  std::vector<torch::Tensor> one{size};
  wait(group_->broadcast(one), "broadcast");
  auto buffer = torch::zeros({size.item<int64_t>()}, torch::kUInt8);
  if (is_root()) std::memcpy(buffer.data_ptr(), bytes.data(), bytes.size());
  std::vector<torch::Tensor> data{buffer};
  wait(group_->broadcast(data), "broadcast");
  return std::string(static_cast<const char*>(buffer.data_ptr()), static_cast<size_t>(buffer.numel()));
}

}  // namespace lra
