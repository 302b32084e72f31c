#include "lra/train/optimizer.h"

namespace lra {
namespace {

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         (name.size() == suffix.size() || name[name.size() - suffix.size() - 1] == '.');
}

}  // namespace

RunOptimizer::RunOptimizer(torch::nn::Module& module, const TrainSettings& train,
                           const std::vector<ParameterGroupRule>& rules) {
  const auto options = torch::optim::AdamWOptions(train.lr)
                           .betas({train.adam_beta1, train.adam_beta2})
                           .eps(train.adam_eps)
                           .weight_decay(train.weight_decay);
  std::vector<std::vector<torch::Tensor>> members(rules.size() + 1);  // [0]: the default group
  std::vector<int64_t> sizes(rules.size() + 1, 0);
  for (const auto& item : module.named_parameters()) {
    size_t group = 0;
    for (size_t r = 0; r < rules.size() && group == 0; ++r)
      for (const auto& suffix : rules[r].name_suffixes)
        if (ends_with(item.key(), suffix)) group = r + 1;
    members[group].push_back(item.value());
    sizes[group] += item.value().numel();
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (size_t g = 0; g < members.size(); ++g) {
    if (members[g].empty()) continue;
    auto group_options = std::make_unique<torch::optim::AdamWOptions>(options);
    double lr = train.lr;
    std::string name = "default";
    if (g > 0) {
      const ParameterGroupRule& rule = rules[g - 1];
      lr = rule.lr;
      name = rule.name;
      group_options->lr(rule.lr).weight_decay(rule.weight_decay);
    }
    lr_scale_.push_back(lr / train.lr);
    groups_.push_back({{"name", name},
                       {"parameters", sizes[g]},
                       {"lr", lr},
                       {"weight_decay", group_options->weight_decay()}});
    groups.emplace_back(members[g], std::move(group_options));
  }
  adamw_ = std::make_unique<torch::optim::AdamW>(groups, options);
}

void RunOptimizer::set_lr(double lr) {
  auto& groups = adamw_->param_groups();
  for (size_t g = 0; g < groups.size(); ++g)
    static_cast<torch::optim::AdamWOptions&>(groups[g].options()).lr(lr * lr_scale_[g]);
}

}  // namespace lra
