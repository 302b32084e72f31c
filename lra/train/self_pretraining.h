#pragma once
// Self-pretraining (SPT; Amos et al. 2024) around the Trainer: `lra pretrain` is a run with the
// masked-token objective (lra/train/objective.h) for pretrain.steps updates; `lra train --init-from` fine-tunes
// from its encoder. The classifier head stays as the seed initialised it; every encoder tensor comes from
// the checkpoint.
#include <string>

#include "lra/train/checkpoint.h"
#include "lra/config/config.h"
#include "models/model.h"

namespace lra {

// The config of `lra pretrain`: objective masked_tokens, train.steps = pretrain.steps, train.lr =
// pretrain.lr when set. UserError when train.init_from is set (pretraining starts from scratch).
Json pretraining_config(Json config);

// A pretraining checkpoint named by --init-from: a .ckpt file, or a pretraining run folder (its
// latest.json must be a completed masked_tokens run; its last checkpoint is used). UserError otherwise.
struct PretrainedEncoder {
  std::string checkpoint;  // the file read
  Checkpoint contents;
  int64_t steps = 0;       // pretraining updates it holds
};
PretrainedEncoder read_pretrained_encoder(const std::string& path_or_run_folder);

// The fine-tuning config: train.init_from = the checkpoint file, train.steps = pretrain.finetune_steps,
// or (0) train.steps minus the pretraining's updates, so an SPT row trains as many updates in all as a
// scratch row. UserError when the model differs from the pretraining's or no update would be left.
Json finetune_config(Json config, const PretrainedEncoder& pretrained);

// Copies the checkpoint's encoder.* tensors into model's encoder. UserError naming the first missing
// or differently shaped tensor (one line); the model is unchanged then.
void load_pretrained_encoder(ClassifierModelImpl& model, const PretrainedEncoder& pretrained);

// UserError unless the pretraining read the same dataset as this fine-tuning (its provenance: DATASET.json
// or the release description; the folder it was read from may differ).
void check_same_dataset(const Json& init_from_block, const Json& provenance);

// The report block of a fine-tuning run: the pretraining's run id, checkpoint, updates, config, data and
// inputs (lra/report/run_inputs.h; null in checkpoints written before inputs were recorded).
Json init_from_block(const PretrainedEncoder& pretrained);

}  // namespace lra
