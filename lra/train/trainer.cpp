#include "lra/train/trainer.h"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/errors.h"
#include "lra/report/run_inputs.h"
#include "lra/runtime/device.h"
#include "lra/runtime/runtime.h"
#include "lra/train/progress.h"
#include "lra/train/reuse_policy.h"
#include "lra/train/self_pretraining.h"
#include "lra/train/stop_signal.h"
#include "lra/train/training_run.h"
#include "models/registry.h"
#include "models/state_dict.h"
#include "tasks/batcher.h"

namespace lra {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TrainingRun::TrainingRun(const Json& config, const TrainOptions& options)
    : config_(config),
      run_(parse_run_config(config)),
      options_(options),
      task_(task_info_from_config(config)),
      device_(parse_device(options.device)) {
  if (const char* fault = std::getenv(kFaultEnv); fault && *fault) fault_after_steps_ = std::atoll(fault);
}

void TrainingRun::refuse_changes(const std::string& against, const std::vector<InputChange>& changes,
                                 const std::string& way_forward) {
  const auto refused = refuse_unless_accepted(changes, options_.accept_changed, accepted_changes_);
  if (!refused.empty())
    throw UserError(against + ": " + describe_changes(refused) + "; hint: " + way_forward + ", or pass " +
                    accept_flag_for(refused) + " to go on anyway (recorded in the run report)");
}

double TrainingRun::wall_seconds() const { return state_.wall_seconds + seconds_since(started_); }

void TrainingRun::set_up() {
  const TrainSettings& train = run_.train;
  dist_ = Distributed::connect(options_.distributed, device_);
  distributed_block_ = {{"world_size", dist_->world_size()},
                        {"backend", dist_->backend()},
                        {"global_batch", train.batch_size * dist_->world_size()}};
  torch::manual_seed(static_cast<uint64_t>(train.seed));
  model_ = build_model(config_);
  if (!train.init_from.empty()) {
    const PretrainedEncoder pretrained = read_pretrained_encoder(train.init_from);
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
  inputs_ = current_inputs(config_, options_.data_dir, options_.resolved_config_sha256);
  if (!options_.manifest_config_sha256.empty()) inputs_["manifest_config_sha256"] = options_.manifest_config_sha256;
  refuse_unless_accepted(manifest_changes(config_, options_), options_.accept_changed, accepted_changes_);
  if (!init_from_.is_null()) {
    // A pretraining from before inputs were pinned has only its DATASET.json to compare.
    if (init_from_["inputs"].is_null()) check_same_dataset(init_from_, Json::parse(data_.provenance_json));
    // The pretraining's own config differs by design (objective, steps); its data and model source may not.
    refuse_changes("--init-from " + init_from_.value("checkpoint", "?"),
                   changed_inputs(nullptr, init_from_["inputs"], config_, inputs_, {kInputData, kInputModel}),
                   "pretrain again on this data and model");
  }
  if (objective_->evaluates() && (data_.val.size() == 0 || data_.test.size() == 0))
    throw UserError("task '" + task_.name + "' in " + options_.data_dir + " has an empty validation or test split");
  optimizer_ = std::make_unique<RunOptimizer>(objective_->module(), train, parameter_group_rules(config_));
  schedule_ = LrSchedule::from_settings(train);
  order_ = std::make_unique<DataOrder>(static_cast<int64_t>(data_.train.size()), train.batch_size,
                                       static_cast<uint64_t>(train.seed), dist_->world_size(), dist_->rank());
}

bool TrainingRun::train_one_step() {
  const TrainSettings& train = run_.train;
  const double lr = schedule_.at(state_.step + 1);
  optimizer_->set_lr(lr);
  optimizer_->adamw().zero_grad();
  memory_.tracker().reset_peak();
  reset_device_peak(device_);
  double loss_sum = 0.0;
  int64_t correct = 0, examples = 0, tokens = 0;
  for (int64_t micro = 0; micro < train.grad_accum; ++micro) {
    // Micro-batch i on rank r is stream i * world_size + r: unique per rank, the same on a resume.
    const auto stream = static_cast<uint64_t>(state_.micro_batches) * static_cast<uint64_t>(dist_->world_size()) +
                        static_cast<uint64_t>(dist_->rank());
    Batch batch =
        make_batch(data_.train, order_->micro_batch(state_.micro_batches++), task_, train.trim_batches).to(device_);
    StepResult result;
    {
      AutocastScope autocast(device_, run_.runtime.precision);
      result = objective_->step(batch, stream);
    }
    (result.loss / static_cast<double>(train.grad_accum)).backward();
    loss_sum += result.loss.item<double>();  // a device sync point on CUDA
    correct += result.correct;
    examples += result.counted;
    tokens += batch.real_tokens;
  }
  dist_->average_gradients(objective_->module().parameters());
  // One small allreduce makes every rank agree on the loss, the counts and whether to stop.
  auto stats = torch::tensor(
      {loss_sum, double(correct), double(examples), double(tokens), stop_requested() ? 1.0 : 0.0}, torch::kFloat64);
  dist_->sum(stats);
  dist_->heartbeat(state_.step + 1);
  auto s = stats.accessor<double, 1>();  // loss sum, correct, examples, tokens, stop votes
  last_loss_ = s[0] / static_cast<double>(train.grad_accum * dist_->world_size());
  correct = static_cast<int64_t>(s[1]);
  examples = static_cast<int64_t>(s[2]);
  state_.tokens += static_cast<int64_t>(s[3]);
  stop_requested_ = s[4] > 0;
  if (!std::isfinite(last_loss_)) return false;
  if (train.clip_norm > 0) torch::nn::utils::clip_grad_norm_(objective_->module().parameters(), train.clip_norm);
  optimizer_->adamw().step();
  synchronize(device_);
  ++state_.step;
  const int64_t peak = device_.is_cuda() ? device_peak_bytes(device_) : memory_.tracker().peak_bytes();
  state_.peak_step_bytes = std::max(state_.peak_step_bytes, peak);

  CurveWindow& window = state_.window;
  window.loss += last_loss_;
  window.correct += static_cast<double>(correct);
  window.examples += static_cast<double>(examples);
  ++window.steps;
  if (state_.step % std::max<int64_t>(1, train.log_every) == 0 || state_.step == train.steps) {
    state_.train_curve.push_back({{"step", state_.step},
                                  {"loss", window.loss / static_cast<double>(window.steps)},
                                  {"accuracy", window.correct / window.examples},
                                  {"lr", lr}});
    window = CurveWindow{};
  }
  return true;
}

EvalResult TrainingRun::evaluate_split(const Dataset& data, int64_t limit) {
  EvalResult local = evaluate(*model_, data, task_, run_.train.eval_batch_size, limit, false, device_, dist_->rank(),
                              dist_->world_size());
  auto sums = torch::tensor({double(local.correct), double(local.examples), local.loss_sum}, torch::kFloat64);
  dist_->sum(sums);
  EvalResult total;
  total.correct = static_cast<int64_t>(sums[0].item<double>());
  total.examples = static_cast<int64_t>(sums[1].item<double>());
  total.loss_sum = sums[2].item<double>();
  return total;
}

void TrainingRun::validate() {
  auto start = Clock::now();
  EvalResult val = evaluate_split(data_.val, run_.train.eval_limit);
  state_.eval_seconds += seconds_since(start);
  state_.val_curve.push_back({{"step", state_.step}, {"loss", val.loss()}, {"accuracy", val.accuracy()}});
  if (val.accuracy() > state_.best_val) {
    state_.best_val = val.accuracy();
    state_.best_step = state_.step;
    best_state_ = c10::Dict<std::string, at::Tensor>();
    for (const auto& entry : state_dict(*model_)) best_state_.insert(entry.key(), entry.value().clone());
    // best.ckpt is written by save_resume_point, after the last.ckpt that records this best step.
  }
}

Json TrainingRun::final_accuracies() {
  // Each set of weights is evaluated on each split once (evaluation is deterministic): a full
  // validation made in the loop is reused, and a best step equal to the final step reuses the final numbers.
  const bool full_validation = run_.train.eval_limit == 0;
  auto accuracies = [&](int64_t step, std::optional<double> val_accuracy) {
    if (!val_accuracy) val_accuracy = evaluate_split(data_.val, 0).accuracy();
    EvalResult test = evaluate_split(data_.test, 0);
    return Json{{"step", step}, {"val", *val_accuracy}, {"test", test.accuracy()}, {"test_loss", test.loss()}};
  };
  auto start = Clock::now();
  std::optional<double> final_val;
  const Json& val_curve = state_.val_curve;
  if (full_validation && !val_curve.empty() && val_curve.back().at("step").get<int64_t>() == state_.step)
    final_val = val_curve.back().at("accuracy").get<double>();
  Json result;
  result["final"] = accuracies(state_.step, final_val);  // what the LRA paper reports
  if (state_.best_step == state_.step) {
    result["best_val"] = result["final"];  // what PyTorch harnesses report
  } else {
    load_state_dict(*model_, best_state_);
    result["best_val"] =
        accuracies(state_.best_step, full_validation ? std::optional<double>(state_.best_val) : std::nullopt);
  }
  state_.eval_seconds += seconds_since(start);
  return result;
}

int TrainingRun::run() {
  set_up();
  resume_or_start();
  if (dist_->is_root() && inputs_["model_source"].is_object()) keep_model_source(options_.out_dir, inputs_["model_source"]);
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

int TrainingRun::train_and_test() {
  const TrainSettings& train = run_.train;
  objective_->module().train();
  const int64_t eval_every = std::max<int64_t>(1, train.eval_every);
  Progress progress(train.steps, train.log_every, options_.quiet || !dist_->is_root());
  StopSignalScope signals;
  const int64_t first_step = state_.step;
  while (state_.step < train.steps) {
    // As a libtorch op failing inside a step would: a c10::Error with its backtrace.
    TORCH_CHECK(fault_after_steps_ <= 0 || state_.step < fault_after_steps_, "injected fault after step ",
                state_.step, " (", kFaultEnv, ")");
    auto start = Clock::now();
    if (!train_one_step()) {
      failure_ = "loss is " + std::to_string(last_loss_) + " at step " + std::to_string(state_.step + 1) + " (lr " +
                 std::to_string(schedule_.at(state_.step + 1)) + ")";
      write_report(report("diverged"));
      progress.message("lra: error: training diverged: " + failure_ + "; the last good checkpoint is " +
                       paths_.last_checkpoint + "; hint: lower train.lr or set train.clip_norm");
      return kExitDiverged;
    }
    const double seconds = seconds_since(start);
    state_.step_stats.add(seconds);
    state_.train_seconds += seconds;
    progress.update(state_.step, last_loss_,
                    state_.train_curve.empty() ? 0.0 : state_.train_curve.back()["accuracy"].get<double>(),
                    schedule_.at(state_.step), state_.step_stats.recent_rate());
    if (state_.step % eval_every == 0 || state_.step == train.steps) {
      if (objective_->evaluates()) validate();
      save_resume_point();
      write_report(report("running"));
      if (objective_->evaluates())
        progress.message("step " + std::to_string(state_.step) + ": val accuracy " +
                         std::to_string(state_.val_curve.back()["accuracy"].get<double>()));
    }
    const bool stop_asked = options_.stop_after > 0 && state_.step - first_step >= options_.stop_after;
    if ((stop_requested_ || stop_asked) && state_.step < train.steps) {
      save_resume_point();
      write_report(report("interrupted"));
      progress.message("lra: stopped at step " + std::to_string(state_.step) + "; continue with --resume (" +
                       paths_.last_checkpoint + ")");
      return stop_requested_ ? kExitInterrupted : 0;
    }
  }
  // Per-rank median step time, gathered so rank 0's report shows every rank.
  auto per_rank = torch::zeros({dist_->world_size()}, torch::kFloat64);
  per_rank[dist_->rank()] = state_.step_stats.summary()["step_time_median_s"].get<double>();
  dist_->sum(per_rank);
  distributed_block_["per_rank_step_time_median_s"] =
      std::vector<double>(per_rank.data_ptr<double>(), per_rank.data_ptr<double>() + dist_->world_size());
  if (!objective_->evaluates()) {  // pretraining: the last checkpoint is the result
    write_report(report("completed"));
    const Json& last = state_.train_curve.back();
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

std::string default_out_dir(const Json& config) {
  const std::string leaf = config.value("objective", "classification") == kPretrainObjective ? "pretrain-seed-"
                           : config.at("train").at("init_from").get<std::string>().empty() ? "seed-"
                                                                                            : "spt-seed-";
  return "runs/" + config.at("profile").get<std::string>() + "/" + config.at("task").at("name").get<std::string>() +
         "/" + config.at("model").at("name").get<std::string>() + "/" + leaf +
         std::to_string(config.at("train").at("seed").get<int64_t>());
}

std::vector<InputChange> manifest_changes(const Json& config, const TrainOptions& options) {
  const std::string now =
      options.resolved_config_sha256.empty() ? config_sha256(config) : options.resolved_config_sha256;
  if (options.manifest_config_sha256.empty() || options.manifest_config_sha256 == now) return {};
  return {{kInputConfig, "it is not the sweep manifest's (planned SHA-256 " + options.manifest_config_sha256.substr(0, 12) +
                             ", resolved now " + now.substr(0, 12) + ")"}};
}

int run_training(const Json& config, const TrainOptions& options) {
  TrainOptions resolved = options;
  if (resolved.out_dir.empty()) resolved.out_dir = default_out_dir(config);
  if (resolved.data_dir.empty()) throw UserError("--data-dir is required (the root of the LRA release layout)");
  // Before --reuse: a config edited since the sweep was planned is refused, not reused or trained.
  Json accepted;
  if (const auto refused = refuse_unless_accepted(manifest_changes(config, resolved), resolved.accept_changed, accepted);
      !refused.empty())
    throw UserError(describe_changes(refused) + "; hint: plan the sweep again (lra plan --manifest, or ./run_all.sh), "
                    "or pass " + accept_flag_for(refused) + " to run the config as it is now (recorded in the run report)");
  // First: switching the allocator re-executes the process, which would say the reuse decision twice.
  apply_runtime_settings(parse_runtime_settings(config));
  if (resolved.reuse && !resolved.resume) {
    const ReuseOutcome reused = reuse_earlier_run(config, resolved);
    if (reused.done) return reused.status == "diverged" ? kExitDiverged : 0;  // a reused divergence stays a failure
  }
  TrainingRun run(config, resolved);
  return run.run();
}

}  // namespace lra
