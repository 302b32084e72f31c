#include "lra/train/trainer.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include <torch/torch.h>

#include "lra/train/checkpoint.h"
#include "core/atomic_file.h"
#include "tasks/data_order.h"
#include "lra/runtime/device.h"
#include "lra/runtime/environment.h"
#include "core/errors.h"
#include "lra/train/evaluate.h"
#include "lra/train/lr_schedule.h"
#include "lra/runtime/memory_tracker.h"
#include "lra/train/objective.h"
#include "lra/train/self_pretraining.h"
#include "lra/train/progress.h"
#include "lra/report/run_report.h"
#include "lra/runtime/step_stats.h"
#include "models/registry.h"
#include "models/state_dict.h"
#include "tasks/batcher.h"
#include "tasks/registry.h"

namespace lra {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// SIGINT/SIGTERM: finish the current step, then checkpoint and stop.
std::atomic<bool> g_stop_requested{false};
extern "C" void request_stop(int) { g_stop_requested.store(true); }

class SignalScope {
 public:
  SignalScope() {
    g_stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

struct Curves {
  Json train = Json::array();  // {step, loss, accuracy, lr}
  Json val = Json::array();    // {step, loss, accuracy}
};

class Trainer {
 public:
  Trainer(const Json& config, const TrainOptions& options)
      : config_(config),
        options_(options),
        train_(config_.at("train")),
        task_(task_info_from_config(config)),
        device_(parse_device(options.device)) {
    if (const char* fault = std::getenv(kFaultEnv); fault && *fault) fault_after_steps_ = std::atoll(fault);
  }

  int run();

 private:
  int train_and_test();  // the loop, the final tests and the completed report
  void set_up();
  void resume_or_start();
  bool train_one_step();  // false when the loss was not finite
  void validate();
  void save_resume_point();
  void save_best_checkpoint();
  void restore_best_state(const Checkpoint& last);
  Json report(const std::string& status) const;
  Json final_accuracies();
  void set_lr(double lr);
  EvalResult evaluate_split(const Dataset& data, int64_t limit);
  void write_report(const Json& doc) const;

  const Json config_;
  const TrainOptions options_;
  const Json& train_;
  const TaskInfo task_;
  const torch::Device device_;
  ScopedMemoryTracking memory_;  // installed before the model exists: parameters count too

  std::unique_ptr<Distributed> dist_;
  TaskSplits data_;
  ClassifierModel model_;
  std::unique_ptr<Objective> objective_;  // what is optimised and checkpointed (the classifier, or the
                                          // classifier's encoder with a token head when pretraining)
  Json init_from_ = nullptr;              // the pretraining a fine-tuning run started from
  c10::Dict<std::string, at::Tensor> best_state_;  // in memory on every rank (rank 0 also writes best.ckpt)
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::unique_ptr<DataOrder> order_;
  LrSchedule schedule_;
  RunPaths paths_;

  // Run state (saved in checkpoints).
  int64_t step_ = 0;
  int64_t micro_batches_ = 0;
  double best_val_ = -1.0;
  int64_t best_step_ = 0;
  int64_t best_written_step_ = 0;  // the step best.ckpt holds (0: none written by this process yet)
  Curves curves_;
  StepStats step_stats_;
  bool stop_requested_ = false;  // agreed by all ranks
  double train_seconds_ = 0.0, eval_seconds_ = 0.0, wall_seconds_before_ = 0.0;
  int64_t tokens_ = 0;
  int64_t peak_step_bytes_ = 0;
  Clock::time_point started_ = Clock::now();

  // Training-curve window.
  double window_loss_ = 0.0, window_correct_ = 0.0, window_examples_ = 0.0;
  int64_t window_steps_ = 0;
  double last_loss_ = 0.0;
  std::string failure_;
  int64_t fault_after_steps_ = 0;  // > 0: throw before that update (fault injection for tests)
  Json distributed_block_ = {{"world_size", 1}, {"backend", "none"}};
};

void Trainer::set_up() {
  dist_ = Distributed::connect(options_.distributed, device_);
  distributed_block_ = {{"world_size", dist_->world_size()},
                        {"backend", dist_->backend()},
                        {"global_batch", train_.at("batch_size").get<int64_t>() * dist_->world_size()}};
  const auto seed = train_.at("seed").get<int64_t>();
  torch::manual_seed(static_cast<uint64_t>(seed));
  model_ = build_model(config_);
  if (const auto init_from = train_.at("init_from").get<std::string>(); !init_from.empty()) {
    const PretrainedEncoder pretrained = read_pretrained_encoder(init_from);
    load_pretrained_encoder(*model_, pretrained);  // the head keeps its fresh initialisation
    init_from_ = init_from_block(pretrained);
  }
  objective_ = make_objective(config_, model_);
  model_->to(device_);
  objective_->module().to(device_);
  dist_->broadcast_parameters(objective_->module());  // every rank starts from rank 0's weights
  data_ = load_task(options_.data_dir, config_, objective_->splits());
  if (data_.train.size() == 0)
    throw UserError("task '" + task_.name + "' in " + options_.data_dir + " has an empty training split");
  if (!init_from_.is_null()) check_same_dataset(init_from_, Json::parse(data_.provenance_json));
  if (objective_->evaluates() && (data_.val.size() == 0 || data_.test.size() == 0))
    throw UserError("task '" + task_.name + "' in " + options_.data_dir + " has an empty validation or test split");
  auto options = torch::optim::AdamWOptions(train_.at("lr").get<double>())
                     .betas({train_.at("adam_beta1").get<double>(), train_.at("adam_beta2").get<double>()})
                     .eps(train_.at("adam_eps").get<double>())
                     .weight_decay(train_.at("weight_decay").get<double>());
  optimizer_ = std::make_unique<torch::optim::AdamW>(objective_->module().parameters(), options);
  schedule_ = LrSchedule::from_config(train_);
  if (train_.at("grad_accum").get<int64_t>() < 1) throw UserError("train.grad_accum must be >= 1");
  order_ = std::make_unique<DataOrder>(static_cast<int64_t>(data_.train.size()),
                                       train_.at("batch_size").get<int64_t>(), static_cast<uint64_t>(seed),
                                       dist_->world_size(), dist_->rank());
}

void Trainer::resume_or_start() {
  // Rank 0 decides the run id and reads the checkpoint; every rank gets the same bytes.
  std::string run_id;
  if (dist_->is_root()) {
    remove_stale_temp_files(options_.out_dir);  // left by a killed run; live runs' temp files stay
    if (options_.resume) run_id = latest_run_id(options_.out_dir);
    if (options_.resume && run_id.empty())
      std::fprintf(stderr, "lra: --resume: no earlier run in %s; starting a new run\n", options_.out_dir.c_str());
    if (!run_id.empty()) {
      paths_ = run_paths(options_.out_dir, run_id);
      remove_stale_temp_files(std::filesystem::path(paths_.last_checkpoint).parent_path().string());
      if (!std::filesystem::exists(paths_.last_checkpoint)) {
        // Killed before its first checkpoint: nothing to resume, so the run starts again under its id.
        // A report that counts steps means the checkpoint existed and was removed: that is an error.
        if (reported_steps(paths_.report) != 0)
          throw UserError("--resume: run " + run_id + " has no checkpoint " + paths_.last_checkpoint +
                          " but its report counts finished steps; hint: start a new run without --resume");
        std::fprintf(stderr, "lra: --resume: run %s stopped before its first checkpoint; starting it again\n",
                     run_id.c_str());
        run_id = "new:" + run_id;
      }
    }
    if (run_id.empty()) run_id = "new:" + new_run_id();
  }
  run_id = dist_->broadcast_bytes(run_id);
  if (run_id.rfind("new:", 0) == 0) {
    paths_ = run_paths(options_.out_dir, run_id.substr(4));
    return;
  }
  paths_ = run_paths(options_.out_dir, run_id);
  std::string bytes;
  if (dist_->is_root()) bytes = read_text_file(paths_.last_checkpoint);
  Checkpoint checkpoint = parse_checkpoint(dist_->broadcast_bytes(bytes), paths_.last_checkpoint);
  for (const char* section : {"task", "model"}) {
    const Json was = checkpoint.config.contains(section) && checkpoint.config[section].is_object()
                         ? checkpoint.config[section].value("name", Json()) : Json();
    const Json now = config_.at(section).at("name");
    if (was != now)
      throw UserError("--resume: " + paths_.last_checkpoint + " is a checkpoint of " + section + " " + was.dump() +
                      ", not " + now.dump() + "; hint: resume with --" + section + " " +
                      (was.is_string() ? was.get<std::string>() : "?") + ", or start a new run with another --out");
  }
  const std::string diff = first_difference(checkpoint.config, config_);
  if (!diff.empty())
    throw UserError("--resume: the config differs from run " + run_id + "'s at '" + diff +
                    "'; resume with the same --profile/--set, or start a new run with another --out");
  load_state_dict(objective_->module(), checkpoint.model);
  if (!checkpoint.optimizer || !checkpoint.rng)
    throw UserError(paths_.last_checkpoint + ": weights-only checkpoint, cannot resume from it");
  restore_optimizer(*optimizer_, *checkpoint.optimizer);
  restore_cpu_rng(*checkpoint.rng);
  try {
    const Json& m = checkpoint.meta;
    step_ = m.at("step");
    micro_batches_ = m.at("micro_batches");
    best_val_ = m.at("best_val_accuracy");
    best_step_ = m.at("best_step");
    curves_.train = m.at("curves").at("train");
    curves_.val = m.at("curves").at("val");
    step_stats_ = StepStats::from_json(m.at("step_times"));
    train_seconds_ = m.at("train_seconds");
    eval_seconds_ = m.at("eval_seconds");
    wall_seconds_before_ = m.at("wall_seconds");
    tokens_ = m.at("tokens");
    peak_step_bytes_ = m.at("peak_step_tensor_bytes");
    const Json& window = m.at("curve_window");
    window_loss_ = window.at(0);
    window_correct_ = window.at(1);
    window_examples_ = window.at(2);
    window_steps_ = window.at(3);
  } catch (const Json::exception& e) {
    throw UserError(paths_.last_checkpoint + ": malformed resume state (" + printable(e.what(), 200) +
                    "); hint: start a new run without --resume");
  }
  restore_best_state(checkpoint);
  if (dist_->is_root())
    std::fprintf(stderr, "lra: resuming run %s at step %lld\n", run_id.c_str(), static_cast<long long>(step_));
}

// best.ckpt is written right after the last.ckpt of the same step, so at a resume point either
// best_step == step (the best weights are last.ckpt's own; best.ckpt may not have been written yet
// when the run was killed, and is rewritten here) or best.ckpt holds best_step's weights.
void Trainer::restore_best_state(const Checkpoint& last) {
  best_state_ = c10::Dict<std::string, at::Tensor>();
  best_written_step_ = 0;
  if (best_step_ <= 0) return;
  if (best_step_ == step_) {
    for (const auto& entry : last.model) best_state_.insert(entry.key(), entry.value().clone());
    std::error_code error;
    int64_t on_disk = -1;
    if (dist_->is_root() && std::filesystem::exists(paths_.best_checkpoint, error)) {
      try {
        const Json meta = read_checkpoint(paths_.best_checkpoint).meta;
        if (meta.contains("step") && meta["step"].is_number_integer()) on_disk = meta["step"].get<int64_t>();
      } catch (const UserError&) {
        // torn or foreign: rewritten below
      }
    }
    if (on_disk == best_step_) best_written_step_ = best_step_;
    save_best_checkpoint();
    return;
  }
  std::string bytes = dist_->is_root() ? read_text_file(paths_.best_checkpoint) : "";
  Checkpoint best = parse_checkpoint(dist_->broadcast_bytes(bytes), paths_.best_checkpoint);
  if (!best.meta.contains("step") || best.meta["step"] != best_step_)
    throw UserError(paths_.best_checkpoint + " holds step " + best.meta.value("step", Json()).dump() + ", but " +
                    paths_.last_checkpoint + " records the best step as " + std::to_string(best_step_) +
                    "; hint: start a new run without --resume");
  best_state_ = best.model;
  best_written_step_ = best_step_;
}

void Trainer::set_lr(double lr) {
  for (auto& group : optimizer_->param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

bool Trainer::train_one_step() {
  const auto accumulation = train_.at("grad_accum").get<int64_t>();
  const bool trim = train_.at("trim_batches").get<bool>();
  const double lr = schedule_.at(step_ + 1);
  set_lr(lr);
  optimizer_->zero_grad();
  memory_.tracker().reset_peak();
  reset_device_peak(device_);
  double loss_sum = 0.0;
  int64_t correct = 0, examples = 0, tokens = 0;
  for (int64_t micro = 0; micro < accumulation; ++micro) {
    // Micro-batch i on rank r is stream i * world_size + r: unique per rank, the same on a resume.
    const auto stream = static_cast<uint64_t>(micro_batches_) * static_cast<uint64_t>(dist_->world_size()) +
                        static_cast<uint64_t>(dist_->rank());
    Batch batch = make_batch(data_.train, order_->micro_batch(micro_batches_++), task_, trim).to(device_);
    StepResult result;
    {
      AutocastScope autocast(device_, config_.at("runtime").at("precision").get<std::string>());
      result = objective_->step(batch, stream);
    }
    (result.loss / static_cast<double>(accumulation)).backward();
    loss_sum += result.loss.item<double>();  // a device sync point on CUDA
    correct += result.correct;
    examples += result.counted;
    tokens += batch.real_tokens;
  }
  dist_->average_gradients(objective_->module().parameters());
  // One small allreduce makes every rank agree on the loss, the counts and whether to stop.
  auto stats = torch::tensor({loss_sum, double(correct), double(examples), double(tokens),
                              g_stop_requested.load() ? 1.0 : 0.0}, torch::kFloat64);
  dist_->sum(stats);
  dist_->heartbeat(step_ + 1);
  auto s = stats.accessor<double, 1>();
  last_loss_ = s[0] / static_cast<double>(accumulation * dist_->world_size());
  correct = static_cast<int64_t>(s[1]);
  examples = static_cast<int64_t>(s[2]);
  tokens_ += static_cast<int64_t>(s[3]);
  stop_requested_ = s[4] > 0;
  if (!std::isfinite(last_loss_)) return false;
  const double clip = train_.at("clip_norm").get<double>();
  if (clip > 0) torch::nn::utils::clip_grad_norm_(objective_->module().parameters(), clip);
  optimizer_->step();
  synchronize(device_);
  ++step_;
  const int64_t peak = device_.is_cuda() ? device_peak_bytes(device_) : memory_.tracker().peak_bytes();
  peak_step_bytes_ = std::max(peak_step_bytes_, peak);

  window_loss_ += last_loss_;
  window_correct_ += static_cast<double>(correct);
  window_examples_ += static_cast<double>(examples);
  ++window_steps_;
  const auto log_every = std::max<int64_t>(1, train_.at("log_every").get<int64_t>());
  if (step_ % log_every == 0 || step_ == train_.at("steps").get<int64_t>()) {
    curves_.train.push_back({{"step", step_},
                             {"loss", window_loss_ / static_cast<double>(window_steps_)},
                             {"accuracy", window_correct_ / window_examples_},
                             {"lr", lr}});
    window_loss_ = window_correct_ = window_examples_ = 0.0;
    window_steps_ = 0;
  }
  return true;
}

EvalResult Trainer::evaluate_split(const Dataset& data, int64_t limit) {
  EvalResult local = evaluate(*model_, data, task_, train_.at("eval_batch_size").get<int64_t>(), limit, false, device_,
                              dist_->rank(), dist_->world_size());
  auto sums = torch::tensor({double(local.correct), double(local.examples), local.loss_sum}, torch::kFloat64);
  dist_->sum(sums);
  EvalResult total;
  total.correct = static_cast<int64_t>(sums[0].item<double>());
  total.examples = static_cast<int64_t>(sums[1].item<double>());
  total.loss_sum = sums[2].item<double>();
  return total;
}

void Trainer::validate() {
  auto start = Clock::now();
  EvalResult val = evaluate_split(data_.val, train_.at("eval_limit").get<int64_t>());
  eval_seconds_ += seconds_since(start);
  curves_.val.push_back({{"step", step_}, {"loss", val.loss()}, {"accuracy", val.accuracy()}});
  if (val.accuracy() > best_val_) {
    best_val_ = val.accuracy();
    best_step_ = step_;
    best_state_ = c10::Dict<std::string, at::Tensor>();
    for (const auto& entry : state_dict(*model_)) best_state_.insert(entry.key(), entry.value().clone());
    // best.ckpt is written by save_resume_point, after the last.ckpt that records this best step.
  }
}

// Writes best.ckpt from best_state_ unless it already holds best_step_.
void Trainer::save_best_checkpoint() {
  if (!dist_->is_root() || best_step_ <= 0 || best_written_step_ == best_step_) return;
  save_state_checkpoint(paths_.best_checkpoint, config_, {{"step", best_step_}, {"val_accuracy", best_val_}},
                        best_state_);
  best_written_step_ = best_step_;
}

void Trainer::write_report(const Json& doc) const {
  if (dist_->is_root()) write_run_report(paths_, doc);
}

void Trainer::save_resume_point() {
  Json meta = {{"run_id", paths_.run_id},
               {"step", step_},
               {"micro_batches", micro_batches_},
               {"best_val_accuracy", best_val_},
               {"best_step", best_step_},
               {"curves", {{"train", curves_.train}, {"val", curves_.val}}},
               {"step_times", step_stats_.to_json()},
               {"train_seconds", train_seconds_},
               {"eval_seconds", eval_seconds_},
               {"wall_seconds", wall_seconds_before_ + seconds_since(started_)},
               {"tokens", tokens_},
               {"peak_step_tensor_bytes", peak_step_bytes_},
               {"curve_window", {window_loss_, window_correct_, window_examples_, window_steps_}},
               {"objective", objective_->name()},
               {"data", Json::parse(data_.provenance_json)}};
  if (dist_->is_root())
    save_checkpoint(paths_.last_checkpoint, config_, meta, objective_->module(), optimizer_.get(), /*with_rng=*/true);
  // Order matters for a kill between the two writes: see restore_best_state.
  save_best_checkpoint();
}

Json Trainer::final_accuracies() {
  // Each set of weights is evaluated on each split once (evaluation is deterministic): a full
  // validation made in the loop is reused, and a best step equal to the final step reuses the final numbers.
  const bool full_validation = train_.at("eval_limit").get<int64_t>() == 0;
  auto accuracies = [&](int64_t step, std::optional<double> val_accuracy) {
    if (!val_accuracy) val_accuracy = evaluate_split(data_.val, 0).accuracy();
    EvalResult test = evaluate_split(data_.test, 0);
    return Json{{"step", step}, {"val", *val_accuracy}, {"test", test.accuracy()}, {"test_loss", test.loss()}};
  };
  auto start = Clock::now();
  std::optional<double> final_val;
  if (full_validation && !curves_.val.empty() && curves_.val.back().at("step").get<int64_t>() == step_)
    final_val = curves_.val.back().at("accuracy").get<double>();
  Json result;
  result["final"] = accuracies(step_, final_val);  // what the LRA paper reports
  if (best_step_ == step_) {
    result["best_val"] = result["final"];  // what PyTorch harnesses report
  } else {
    load_state_dict(*model_, best_state_);
    result["best_val"] = accuracies(best_step_, full_validation ? std::optional<double>(best_val_) : std::nullopt);
  }
  eval_seconds_ += seconds_since(start);
  return result;
}

Json Trainer::report(const std::string& status) const {
  const double wall = wall_seconds_before_ + seconds_since(started_);
  Json timing = step_stats_.summary();
  timing["tokens_per_second"] = train_seconds_ > 0 ? static_cast<double>(tokens_) / train_seconds_ : 0.0;
  timing["train_seconds"] = train_seconds_;
  timing["eval_seconds"] = eval_seconds_;
  timing["wall_seconds"] = wall;
  Json doc = {
      {"schema_version", kReportSchemaVersion},
      {"run_id", paths_.run_id},
      {"status", status},
      {"pid", static_cast<int64_t>(::getpid())},
      {"task", task_.name},
      {"model", config_.at("model").at("name")},
      {"profile", config_.at("profile")},
      {"environment", environment_block(device_.str())},
      {"config", config_},
      {"data", Json::parse(data_.provenance_json)},
      {"data_sizes", {{"train", data_.train.size()}, {"val", data_.val.size()}, {"test", data_.test.size()}}},
      {"objective", objective_->name()},
      {"parameters", parameter_count(objective_->module())},
      {"dtype", config_.at("runtime").at("precision")},
      {"dropout_enabled", config_.at("model").at("dropout").get<double>() > 0 ||
                              config_.at("model").at("attention_dropout").get<double>() > 0},
      {"seed", train_.at("seed")},
      {"steps_done", step_},
      {"timing", timing},
      {"memory",
       {{"peak_tensor_bytes", peak_step_bytes_},
        {"peak_tensor_bytes_source", device_.is_cuda() ? "CUDA caching allocator (max allocated)"
                                                       : "c10 memory-reporting hook (exact CPU tensor bytes)"},
        {"peak_rss_bytes", peak_rss_bytes()}}},
      {"curves", {{"train", curves_.train}, {"val", curves_.val}}},
      {"checkpoints", objective_->evaluates()
                          ? Json{{"last", paths_.last_checkpoint}, {"best", paths_.best_checkpoint}}
                          : Json{{"last", paths_.last_checkpoint}}},  // pretraining: no validation, no best
      {"distributed", distributed_block_},
  };
  if (objective_->evaluates()) {
    const int32_t majority = majority_label(data_.train);
    doc["majority_baseline"] = {{"label", majority},
                                {"train", constant_accuracy(data_.train, majority)},
                                {"val", constant_accuracy(data_.val, majority)},
                                {"test", constant_accuracy(data_.test, majority)}};
    // The protocol and its updates in all, so an SPT row is never compared with a scratch row that
    // trained for fewer (Amos et al. 2024: equal budgets).
    const int64_t pretrain_steps = init_from_.is_null() ? 0 : init_from_.at("pretrain_steps").get<int64_t>();
    doc["protocol"] = init_from_.is_null() ? "scratch" : "spt";
    doc["updates"] = {{"pretrain", pretrain_steps},
                      {"train", train_.at("steps")},
                      {"total", pretrain_steps + train_.at("steps").get<int64_t>()}};
    if (!init_from_.is_null()) doc["init_from"] = init_from_;
  } else {
    doc["pretraining"] = {{"mask_rate", config_.at("pretrain").at("mask_rate")},
                          {"mask_id", task_.mask_id()},
                          {"head", "token_head: a separate Linear(d_model -> vocab_size), not tied; discarded "
                                   "by fine-tuning"},
                          {"reads", "the training split's inputs only (never val/test, never labels)"}};
  }
  if (!failure_.empty()) doc["error"] = failure_;  // diverged or failed
  return doc;
}

int Trainer::run() {
  set_up();
  resume_or_start();
  write_report(report("running"));
  // From here on a report exists: whatever stops the run ends it with a terminal status.
  try {
    return train_and_test();
  } catch (const std::exception& e) {
    failure_ = printable(first_line(e.what()), 500);
    try {
      write_report(report("failed"));
    } catch (const std::exception&) {
      // The report cannot be written (the disk?); the original error is the one to show.
    }
    throw;
  }
}

int Trainer::train_and_test() {
  objective_->module().train();
  const auto steps = train_.at("steps").get<int64_t>();
  const auto eval_every = std::max<int64_t>(1, train_.at("eval_every").get<int64_t>());
  Progress progress(steps, train_.at("log_every").get<int64_t>(), options_.quiet || !dist_->is_root());
  SignalScope signals;
  const int64_t first_step = step_;
  while (step_ < steps) {
    // As a libtorch op failing inside a step would: a c10::Error with its backtrace.
    TORCH_CHECK(fault_after_steps_ <= 0 || step_ < fault_after_steps_, "injected fault after step ", step_, " (",
                kFaultEnv, ")");
    auto start = Clock::now();
    if (!train_one_step()) {
      failure_ = "loss is " + std::to_string(last_loss_) + " at step " + std::to_string(step_ + 1) +
                 " (lr " + std::to_string(schedule_.at(step_ + 1)) + ")";
      write_report(report("diverged"));
      progress.message("lra: error: training diverged: " + failure_ + "; the last good checkpoint is " +
                       paths_.last_checkpoint + "; hint: lower train.lr or set train.clip_norm");
      return kExitDiverged;
    }
    const double seconds = seconds_since(start);
    step_stats_.add(seconds);
    train_seconds_ += seconds;
    progress.update(step_, last_loss_, curves_.train.empty() ? 0.0 : curves_.train.back()["accuracy"].get<double>(),
                    schedule_.at(step_), step_stats_.recent_rate());
    if (step_ % eval_every == 0 || step_ == steps) {
      if (objective_->evaluates()) validate();
      save_resume_point();
      write_report(report("running"));
      if (objective_->evaluates())
        progress.message("step " + std::to_string(step_) + ": val accuracy " +
                         std::to_string(curves_.val.back()["accuracy"].get<double>()));
    }
    const bool stop_asked = options_.stop_after > 0 && step_ - first_step >= options_.stop_after;
    if ((stop_requested_ || stop_asked) && step_ < steps) {
      save_resume_point();
      write_report(report("interrupted"));
      progress.message("lra: stopped at step " + std::to_string(step_) + "; continue with --resume (" +
                       paths_.last_checkpoint + ")");
      return stop_requested_ ? kExitInterrupted : 0;
    }
  }
  // Per-rank median step time, gathered so rank 0's report shows every rank.
  auto per_rank = torch::zeros({dist_->world_size()}, torch::kFloat64);
  per_rank[dist_->rank()] = step_stats_.summary()["step_time_median_s"].get<double>();
  dist_->sum(per_rank);
  distributed_block_["per_rank_step_time_median_s"] =
      std::vector<double>(per_rank.data_ptr<double>(), per_rank.data_ptr<double>() + dist_->world_size());
  if (!objective_->evaluates()) {  // pretraining: the last checkpoint is the result
    Json doc = report("completed");
    write_report(doc);
    const Json& last = curves_.train.back();
    progress.message("masked-token accuracy (training curve): " + std::to_string(last["accuracy"].get<double>()) +
                     ", loss " + std::to_string(last["loss"].get<double>()) + "; checkpoint " + paths_.last_checkpoint);
    progress.message("report: " + paths_.report);
    return 0;
  }
  Json accuracy = final_accuracies();
  Json doc = report("completed");
  doc["accuracy"] = accuracy;
  write_report(doc);
  progress.message("test accuracy: final " + std::to_string(doc["accuracy"]["final"]["test"].get<double>()) +
                   ", best-val " + std::to_string(doc["accuracy"]["best_val"]["test"].get<double>()) +
                   " (majority " + std::to_string(doc["majority_baseline"]["test"].get<double>()) + ")");
  progress.message("report: " + paths_.report);
  return 0;
}

}  // namespace

std::string default_out_dir(const Json& config) {
  const std::string leaf = config.value("objective", "classification") == kPretrainObjective ? "pretrain-seed-"
                           : config.at("train").at("init_from").get<std::string>().empty() ? "seed-"
                                                                                            : "spt-seed-";
  return "runs/" + config.at("profile").get<std::string>() + "/" + config.at("task").at("name").get<std::string>() +
         "/" + config.at("model").at("name").get<std::string>() + "/" + leaf +
         std::to_string(config.at("train").at("seed").get<int64_t>());
}

namespace {

// --reuse: what to do with the run already recorded in the output folder. Returns true when it is a
// finished run of this very commit, config and data (nothing to do); may switch on resume.
bool reuse_earlier_run(const Json& config, TrainOptions& options, std::string& status_out) {
  const std::string latest = options.out_dir + "/latest.json";
  if (!std::filesystem::exists(latest)) return false;
  const RunReportFile file = read_run_report(latest);
  if (!file.problem.empty()) {
    std::fprintf(stderr, "lra: NOTE: %s cannot be used to reuse or resume a run: %s. Starting a new run\n",
                 latest.c_str(), file.problem.c_str());
    return false;
  }
  const Json& earlier = file.report;
  const std::string run_id = earlier["run_id"];
  const std::string status = earlier.contains("status") && earlier["status"].is_string() ? earlier["status"].get<std::string>() : "?";
  status_out = status;
  const ReuseDecision decision = reuse_decision(earlier, config, options.data_dir);
  if (!decision.same_run) {
    std::fprintf(stderr,
                 "lra: NOTE: %s holds run %s (%s), which is NOT reused: %s. Starting a new run; the earlier report "
                 "stays as %s/%s.json\n",
                 options.out_dir.c_str(), run_id.c_str(), status.c_str(), decision.reason.c_str(),
                 options.out_dir.c_str(), run_id.c_str());
    return false;
  }
  if (status == "completed" || status == "diverged") {
    std::fprintf(stderr, "lra: %s: run %s (%s) was made by this commit with this config and data; reused, not re-run\n",
                 options.out_dir.c_str(), run_id.c_str(), status.c_str());
    const Json accuracy = earlier.contains("accuracy") && earlier["accuracy"].is_object() ? earlier["accuracy"] : Json::object();
    if (accuracy.contains("final") && accuracy["final"].is_object() && accuracy.contains("best_val") &&
        accuracy["best_val"].is_object())
      std::fprintf(stderr, "test accuracy: final %f, best-val %f (reused)\n",
                   accuracy["final"].value("test", 0.0), accuracy["best_val"].value("test", 0.0));
    return true;
  }
  // An interrupted or killed run continues from its last checkpoint (or starts over without one); a failed
  // one only when it has a checkpoint (its report counts steps that no checkpoint holds otherwise).
  const bool has_checkpoint = earlier.contains("checkpoints") && earlier["checkpoints"].is_object() &&
                              earlier["checkpoints"].contains("last") && earlier["checkpoints"]["last"].is_string() &&
                              std::filesystem::exists(earlier["checkpoints"]["last"].get<std::string>());
  if (status == "interrupted" || status == "running" || (status == "failed" && has_checkpoint)) options.resume = true;
  return false;
}

}  // namespace

int run_training(const Json& config, const TrainOptions& options) {
  TrainOptions resolved = options;
  if (resolved.out_dir.empty()) resolved.out_dir = default_out_dir(config);
  if (resolved.data_dir.empty()) throw UserError("--data-dir is required (the root of the LRA release layout)");
  std::string reused_status;
  if (resolved.reuse && !resolved.resume && reuse_earlier_run(config, resolved, reused_status))
    return reused_status == "diverged" ? kExitDiverged : 0;  // a reused divergence stays a failure
  Trainer trainer(config, resolved);
  return trainer.run();
}

}  // namespace lra
