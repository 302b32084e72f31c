#pragma once
// dropout(softmax(scores with masked keys)) over the last dimension: the attention probabilities of
// every softmax-attention model (Transformer, Luna's pack and unpack, Linformer, local), so a speed-up
// changes them all alike. On CPU in fp32 it is one custom autograd function: one pass over the scores
// forward (writing the probabilities, kept for backward, and the dropped probabilities) and one pass
// backward (the mask recomputed from the seed), against masked_fill, softmax and dropout forward and
// their three backward passes over (B,H,N,N) tensors. Same mask as dropout_with_seed(probs, p, seed);
// within 1e-6 of libtorch's softmax. Masked keys get probability 0; a row whose keys are all masked is
// all 0 (libtorch: NaN). Elsewhere (bf16/fp16, CUDA, or the "torch" dropout) it is mask_keys,
// softmax and lra::dropout.
#include <cstdint>
#include <utility>

#include <torch/types.h>

#include "models/softmax_dropout_kernel.h"

namespace lra {

// scores (B,...,M); keep (B,M) bool (true = attend) or undefined (every key).
torch::Tensor softmax_dropout(const torch::Tensor& scores, const torch::Tensor& keep, double p, bool training);

// The fused kernels with an explicit seed (CPU, fp32; p = 0: no dropout), for tests and recomputing
// functions: returns {probabilities, dropped probabilities}.
std::pair<torch::Tensor, torch::Tensor> softmax_dropout_with_seed(const torch::Tensor& scores,
                                                                  const torch::Tensor& keep, double p, uint64_t seed);
torch::Tensor softmax_dropout_backward(const torch::Tensor& grad, const torch::Tensor& probs, double p, uint64_t seed);

// A key mask as the row kernels read it: keep (B,M) bool -> (B,M) fp32, 1 = attend (float, so the kernels'
// selects vectorise); undefined or empty keep -> undefined (every key). `who` names the caller in the
// shape error.
torch::Tensor key_keep_factors(const torch::Tensor& keep, int64_t batch, int64_t keys, const char* who);

// The dropout mask over row `row` of a (rows, cols) matrix: elements row*cols + j of lra::dropout's
// indexing (for_each_mask_span), split where the row crosses a 2^32-element block.
RowMasks softmax_dropout_row_masks(int64_t row, int64_t cols, double p, uint64_t seed);

}  // namespace lra
