#include "models/state_dict.h"

#include <fstream>
#include <iterator>
#include <vector>

#include <torch/serialize.h>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace lra {

namespace {

// name -> tensor of the module itself (not detached), parameters then buffers.
std::vector<std::pair<std::string, torch::Tensor>> named_tensors(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string shape_text(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + ")";
}

StateDict state_dict(const torch::nn::Module& module) {
  StateDict dict;
  for (const auto& [name, tensor] : named_tensors(module)) dict.insert(name, tensor.detach());
  return dict;
}

void load_state_dict(torch::nn::Module& module, const StateDict& dict) {
  const auto targets = named_tensors(module);
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [name, tensor] : targets) {
    const auto it = dict.find(name);
    if (it == dict.end()) {
      missing.push_back(name);
    } else if (it->value().sizes() != tensor.sizes()) {
      mismatched.push_back(name + " " + shape_text(it->value()) + " vs model " + shape_text(tensor));
    }
  }
  for (const auto& item : dict) {
    bool known = false;
    for (const auto& target : targets) known = known || target.first == item.key();
    if (!known) unexpected.push_back(item.key());
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string message = "checkpoint does not match the model:";
    if (!missing.empty()) message += " missing: " + join(missing) + ";";
    if (!unexpected.empty()) message += " unexpected: " + join(unexpected) + ";";
    if (!mismatched.empty()) message += " shape mismatch: " + join(mismatched) + ";";
    message += " (hint: the checkpoint was written for another model or config)";
    throw UserError(message);
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : targets) tensor.copy_(dict.at(name));
}

void save_state_dict_file(const torch::nn::Module& module, const std::string& path) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  for (const auto& [name, tensor] : named_tensors(module)) dict.insert(name, tensor.detach().cpu());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  write_atomically(path, [&bytes](const std::string& temp_path) {
    std::ofstream out(temp_path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw UserError("cannot write checkpoint " + temp_path);
  });
}

StateDict read_state_dict_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read checkpoint " + path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw UserError("checkpoint " + path + " is not a pickled tensor dict: " + e.what_without_backtrace());
  }
  if (!value.isGenericDict()) throw UserError("checkpoint " + path + " does not hold a dict of tensors");
  StateDict dict;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor())
      throw UserError("checkpoint " + path + " holds a non-{str: Tensor} entry");
    dict.insert(item.key().toStringRef(), item.value().toTensor());
  }
  return dict;
}

void load_state_dict_file(torch::nn::Module& module, const std::string& path) {
  const auto dict = read_state_dict_file(path);  // its errors name the path already
  try {
    load_state_dict(module, dict);
  } catch (const UserError& e) {
    throw UserError(path + ": " + e.what());
  }
}

}  // namespace lra
