#pragma once
// Checkpoint tensors that PyTorch reads: a dict {dotted name: tensor} of every parameter AND buffer,
// written with torch::pickle_save (torch.save's zip format), so `torch.load(path)` in Python returns
// a plain {str: Tensor} dict.
//
// Parameter names (every model is a SequenceClassifier; i = block index, one block when
// model.tie_layer_weights; D model, V vocab, M max_len, F ffn_dim, K classifier_dim, C classes):
//   encoder.embed_tokens.weight                 (V,D)  row 0 = pad
//   encoder.embed_positions.weight              (M,D)
//   encoder.emb_layer_norm.{weight,bias}        (D)    when model.embedding_layer_norm
//   encoder.blocks.i.attn.*                     the variant's attention, below
//   encoder.blocks.i.attn_layer_norm.{weight,bias}, encoder.blocks.i.ffn_layer_norm.{weight,bias}  (D)
//   encoder.blocks.i.ffn.fc1.{weight,bias}      (F,D),(F)
//   encoder.blocks.i.ffn.fc2.{weight,bias}      (D,F),(D)
//   encoder.final_layer_norm.{weight,bias}      (D)    when model.final_layer_norm
//   head.dense.{weight,bias}                    (K,I),(K)  I = D, or 2D (pair concat) / 4D (pair lra4)
//   head.out_proj.weight                        (C,K)
// Self-pretraining (lra pretrain, models/masked_tokens.h) saves the same encoder.* entries, no head.*,
// and token_head.{weight,bias} (V,D),(V).
// Luna (luna-16/128/256):
//   encoder.extra_stream.projected_embeddings   (proj_len,D)  the learned P
//   encoder.extra_stream.layer_norm.{weight,bias}             P's embedding LN (model.embedding_layer_norm)
//   encoder.blocks.i.attn.{pq,pk,pv,q,k,v,out}_proj.{weight,bias}   (D,D),(D); with tie_kv:
//   encoder.blocks.i.attn.{pq,pc,q,c,out}_proj.{weight,bias}
//   encoder.blocks.i.p_layer_norm.{weight,bias} (D)    P after packing
// Transformer: encoder.blocks.i.attn.{q,k,v,out}_proj.{weight,bias}   (D,D),(D)
// Linformer:   the Transformer's, plus encoder.blocks.i.attn.E and encoder.blocks.i.attn.F   (k,M)
// Performer, linear-transformer, local, nystromformer: the Transformer's; plus Performer's buffers
//   encoder.blocks.i.attn.random_features (features,E) and encoder.blocks.i.attn.forward_calls () int64,
//   and Nystromformer's encoder.blocks.i.attn.conv.weight (H,1,conv_kernel,1) when conv_kernel > 0
#include <string>

#include <ATen/core/Dict.h>
#include <torch/nn/module.h>
#include <torch/types.h>

namespace lra {

using StateDict = c10::Dict<std::string, at::Tensor>;

// "(18,32)": a tensor's shape as error messages print it.
std::string shape_text(const torch::Tensor& t);

// Parameters then buffers, by dotted name, detached (sharing storage with the module).
StateDict state_dict(const torch::nn::Module& module);

// Copies every tensor of `dict` into the module. UserError naming the missing names, the unexpected
// names and the shape mismatches (all of them, in one message); the module is unchanged then.
void load_state_dict(torch::nn::Module& module, const StateDict& dict);

// Atomically (temp file + rename) writes state_dict(module) as a pickled dict.
void save_state_dict_file(const torch::nn::Module& module, const std::string& path);

// Reads a file written by save_state_dict_file (or Python torch.save of a {str: Tensor} dict) and
// loads it. UserError naming the path on an unreadable or malformed file.
void load_state_dict_file(torch::nn::Module& module, const std::string& path);

// Reads such a file into a dict without loading it anywhere.
StateDict read_state_dict_file(const std::string& path);

}  // namespace lra
