// bench/precision_gb.cc - the Google Benchmark side of the precision benchmark.
//
// The same workloads as precision_cpf.c, on the same object file (kernel.c):
//   chain/1000, chain/2000, chain/4000   k dependent multiply-adds
//   empty                                a loop with an empty body
// registered under exactly the kit's names and run with Google Benchmark's
// default settings (min time 0.5 s per benchmark, one repetition, real time
// per iteration = the mean over the final run). Any Google Benchmark flag
// works, e.g. --benchmark_filter='^chain/1000$' to run one benchmark.
//
// Output on stdout, one machine-readable line per benchmark, then the wall
// time of the whole RunSpecifiedBenchmarks() call (what "running the default
// benchmark" costs, analogous to cpf_result.wall_ms, without process start):
//   gb NAME real_ns=.. cpu_ns=.. iters=..
//   gb_total run_ms=..
// Google Benchmark's own console report goes to stderr.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

#include "kernel.h"

namespace {

// One dependency chain through the whole run (see precision_cpf.c).
void bench_chain(benchmark::State &state) {
  const int k = static_cast<int>(state.range(0));
  double x = cpf_bench_chain_seed();
  for (auto _ : state) {
    x = cpf_bench_chain(x, k);
    benchmark::DoNotOptimize(x);
  }
}

// The loop alone.
void bench_empty(benchmark::State &state) {
  for (auto _ : state) {
  }
}

// Prints the usual console report on stderr and one parsable line per run on stdout.
class LineReporter : public benchmark::ConsoleReporter {
 public:
  LineReporter() : benchmark::ConsoleReporter(OO_Tabular) {
    SetOutputStream(&std::cerr);
    SetErrorStream(&std::cerr);
  }
  void ReportRuns(const std::vector<Run> &reports) override {
    benchmark::ConsoleReporter::ReportRuns(reports);
    for (const Run &r : reports) {
      if (r.run_type != Run::RT_Iteration) continue;
      if (r.error_occurred) {
        std::printf("gb %s error=\"%s\"\n", r.benchmark_name().c_str(), r.error_message.c_str());
        failed = true;
        continue;
      }
      // Per-iteration times in ns (time_unit is kNanosecond).
      std::printf("gb %s real_ns=%.6f cpu_ns=%.6f iters=%lld\n", r.benchmark_name().c_str(),
                  r.GetAdjustedRealTime(), r.GetAdjustedCPUTime(),
                  static_cast<long long>(r.iterations));
    }
    std::fflush(stdout);
  }
  bool failed = false;
};

}  // namespace

int main(int argc, char **argv) {
  benchmark::RegisterBenchmark("chain", bench_chain)
      ->Arg(1000)->Arg(2000)->Arg(4000)->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("empty", bench_empty)->Unit(benchmark::kNanosecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  LineReporter reporter;
  const auto t0 = std::chrono::steady_clock::now();
  const size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("gb_total run_ms=%.3f benchmarks=%zu\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count(), ran);
  benchmark::Shutdown();
  return (ran == 0 || reporter.failed) ? 1 : 0;
}
