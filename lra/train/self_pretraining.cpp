#include "lra/train/self_pretraining.h"

#include <algorithm>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/report/run_report.h"
#include "models/state_dict.h"

namespace lra {
namespace {

const std::string kEncoderPrefix = "encoder.";

std::string model_name(const Json& config) {
  const Json* model = config.contains("model") && config["model"].is_object() ? &config["model"] : nullptr;
  return model && model->contains("name") && (*model)["name"].is_string() ? (*model)["name"].get<std::string>() : "?";
}

}  // namespace

Json pretraining_config(Json config) {
  if (!config.at("train").at("init_from").get<std::string>().empty())
    throw UserError("lra pretrain starts from scratch: train.init_from must stay empty");
  const Json& pretrain = config.at("pretrain");
  Json& train = config["train"];
  const int64_t steps = pretrain.at("steps").get<int64_t>();
  train["steps"] = steps;
  train["warmup_steps"] = std::min(train.at("warmup_steps").get<int64_t>(), steps);
  if (pretrain.at("lr").get<double>() > 0) train["lr"] = pretrain.at("lr");
  config["objective"] = "masked_tokens";
  config["pretrain"].erase("finetune_steps");  // the fine-tuning's business, not this run's
  return config;
}

PretrainedEncoder read_pretrained_encoder(const std::string& path) {
  PretrainedEncoder out;
  out.checkpoint = path;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    const std::string latest = path + "/latest.json";
    if (!std::filesystem::exists(latest, error))
      throw UserError("--init-from " + path + ": a folder without latest.json; hint: pass a pretraining run folder "
                      "(lra pretrain --out) or its checkpoints/<run-id>/last.ckpt");
    const Json report = Json::parse(read_text_file(latest), nullptr, /*allow_exceptions=*/false);
    if (!report.is_object() || report.value("objective", "") != "masked_tokens")
      throw UserError("--init-from " + path + ": " + latest + " is not a report of `lra pretrain`");
    if (report.value("status", "") != "completed")
      throw UserError("--init-from " + path + ": its pretraining run " + report.value("run_id", "?") + " is " +
                      report.value("status", "?") + ", not completed; hint: finish it with lra pretrain --resume");
    const std::string run_id = report.value("run_id", "");
    if (!is_run_id(run_id)) throw UserError("--init-from " + path + ": " + latest + " records no valid run_id");
    out.checkpoint = run_paths(path, run_id).last_checkpoint;  // wherever the pretraining ran from
  }
  // One spelling per file, so a fine-tuning's config (train.init_from) names it the same from anywhere.
  out.checkpoint = std::filesystem::weakly_canonical(out.checkpoint, error).string();
  if (error) out.checkpoint = path;
  out.contents = read_checkpoint(out.checkpoint);
  const Json& config = out.contents.config;
  if (config.value("objective", "classification") != "masked_tokens")
    throw UserError("--init-from " + out.checkpoint + ": not a pretraining checkpoint (its objective is " +
                    config.value("objective", "classification") + "); hint: pass the output of lra pretrain");
  if (!out.contents.meta.contains("step") || !out.contents.meta["step"].is_number_integer())
    throw UserError("--init-from " + out.checkpoint + ": its meta records no step");
  out.steps = out.contents.meta["step"].get<int64_t>();
  return out;
}

Json finetune_config(Json config, const PretrainedEncoder& pretrained) {
  const std::string was = model_name(pretrained.contents.config), now = model_name(config);
  if (was != now)
    throw UserError("--init-from " + pretrained.checkpoint + ": pretrained model " + was + ", not " + now +
                    "; hint: fine-tune with --model " + was + " or pretrain " + now);
  // The same task, data selection and split: a pretraining on other inputs (another task of the same
  // vocabulary, another val_fraction or split_seed) could have seen this run's validation examples.
  const Json& pretrained_task = pretrained.contents.config.at("task");
  if (const std::string diff = first_difference(pretrained_task, config.at("task"), "task"); !diff.empty())
    throw UserError("--init-from " + pretrained.checkpoint + ": it was pretrained with another " + diff +
                    "; hint: pretrain with the same --task, --profile and task.* settings as the fine-tuning");
  const int64_t total = config.at("train").at("steps").get<int64_t>();
  const int64_t asked = config.at("pretrain").at("finetune_steps").get<int64_t>();
  const int64_t steps = asked > 0 ? asked : total - pretrained.steps;
  if (steps < 1)
    throw UserError("--init-from " + pretrained.checkpoint + ": train.steps = " + std::to_string(total) +
                    " leaves no fine-tuning update after " +
                    std::to_string(pretrained.steps) + " pretraining updates; hint: --set pretrain.finetune_steps=N");
  Json& train = config["train"];
  train["steps"] = steps;
  train["warmup_steps"] = std::min(train.at("warmup_steps").get<int64_t>(), steps);
  train["init_from"] = pretrained.checkpoint;
  return config;
}

void load_pretrained_encoder(ClassifierModelImpl& model, const PretrainedEncoder& pretrained) {
  const StateDict& saved = pretrained.contents.model;
  auto encoder = model.encoder_module();
  StateDict target = state_dict(*encoder);  // names without the "encoder." prefix
  for (const auto& entry : target) {
    const std::string name = kEncoderPrefix + entry.key();
    const auto it = saved.find(name);
    if (it == saved.end())
      throw UserError("--init-from " + pretrained.checkpoint + ": it has no " + name + " (pretrained " +
                      model_name(pretrained.contents.config) + "); hint: pretrain with the same --model and --set");
    if (it->value().sizes() != entry.value().sizes())
      throw UserError("--init-from " + pretrained.checkpoint + ": " + name + " is " + shape_text(it->value()) +
                      " there and " + shape_text(entry.value()) + " here; hint: pretrain and fine-tune with the same " +
                      "task, model and --set (widths, vocab_size, max_len)");
  }
  for (const auto& entry : saved)
    if (entry.key().rfind(kEncoderPrefix, 0) == 0 && !target.contains(entry.key().substr(kEncoderPrefix.size())))
      throw UserError("--init-from " + pretrained.checkpoint + ": it holds " + entry.key() +
                      ", which this model has not; hint: pretrain and fine-tune with the same model config");
  torch::NoGradGuard no_grad;
  for (const auto& entry : target) entry.value().copy_(saved.at(kEncoderPrefix + entry.key()));
}

void check_same_dataset(const Json& init_from, const Json& provenance) {
  Json pretrained = init_from.value("data", Json::object()), here = provenance;
  const std::string where = pretrained.value("data_dir", "?");
  pretrained.erase("data_dir");
  here.erase("data_dir");
  if (const std::string diff = first_difference(pretrained, here, "data"); !diff.empty())
    throw UserError("--init-from " + init_from.value("checkpoint", "?") + ": it was pretrained on other data (" + where +
                    ", differing at " + diff + "); hint: pretrain on the fine-tuning's --data-dir");
}

Json init_from_block(const PretrainedEncoder& pretrained) {
  const Json& meta = pretrained.contents.meta;
  return {{"checkpoint", pretrained.checkpoint},
          {"run_id", meta.value("run_id", "")},
          {"pretrain_steps", pretrained.steps},
          {"config", pretrained.contents.config},
          {"data", meta.value("data", Json::object())},
          {"inputs", meta.value("inputs", Json())}};
}

}  // namespace lra
