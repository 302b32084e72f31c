#pragma once
// `lra report DIR`: Markdown tables from run reports and a bench result, beside published numbers.
//   Table 1: test accuracy per task x model over seeds (mean ± 95% interval; final and best-val
//            checkpoints), data source per cell, majority baseline, average over the five LRA tasks;
//            each model against the Transformer; published rows (deltas only on comparable data).
//   Table 2: steps/s and peak memory per length with ratios vs the Transformer, beside the LRA paper.
#include <string>
#include <vector>

#include "lra/config/config.h"
#include "lra/report/run_report.h"
#include "lra/report/table2.h"

namespace lra {

// A task's name as the tables print it ("listops" -> "ListOps"); an unknown task as it is.
std::string task_title(const std::string& task);

// The five tasks of the LRA average, in table order (Path-X is listed when present, not averaged).
const std::vector<std::string>& lra_table_tasks();

// Table 1 from run reports of one or more seeds per cell (aggregated by lra/report/seed_aggregate.h): final and
// best-validation tables of mean ± 95% interval, comparisons with the Transformer, detectable differences,
// published rows (deltas only on comparable data).
std::string table1_markdown(const std::vector<Json>& runs, const Json& published);
std::string table1_from_summary(const Json& summary, const Json& published);

// summary.json: the seed aggregates of the runs over the table's tasks.
Json report_summary(const std::vector<Json>& runs);

// The whole report: both tables, legends, provenance (commits, environments). bench may be null.
std::string report_markdown(const std::vector<Json>& runs, const Json& bench, const Json& published);

// The same from a scan of a results folder: when a run report could not be read the first line says the
// report is partial, and a "Missing runs" section names every file left out and every seed a cell lacks.
std::string folder_report_markdown(const RunReportScan& scan, const Json& bench, const Json& published);

// summary.json of a scan: report_summary of its runs, plus "partial_input" and the reports left out.
Json folder_report_summary(const RunReportScan& scan);

// Exit status of `lra report` / `lra plot` that wrote their output from a partial input (a run report
// under the folder could not be read): not 0, so scripts notice; not 2 (an error that wrote nothing).
constexpr int kExitPartialInput = 3;

// configs/published.json of the config folder.
Json load_published(const std::string& config_dir);

}  // namespace lra
