// DecodeGraphs.h — CUDA graphs of decode steps, one per padded batch size.
//
// A decode step is ~150 small launches; at small batch the GPU finishes each before the host
// has queued the next, so the step is launch-bound. Replaying a captured graph queues them all
// at once. A graph bakes in every kernel argument: the batch size (rows are padded up to a
// bucket, so a few graphs cover every size), the addresses of the buffers it touches, so a
// graph is captured again whenever any of those buffers moved (they only grow, rarely), and
// launch shapes that follow the data rather than the batch size (the decode attention's split
// count, which grows with the context): one graph per (bucket, variant).
#pragma once

#include <cuda_runtime.h>

#include <functional>
#include <map>
#include <vector>

namespace mx::gpu {

class DecodeGraphs {
 public:
  ~DecodeGraphs();

  /// The bucket a decode step of `batch` sequences is padded to; 0 past the largest bucket.
  static int32_t bucket(int64_t batch);

  /// Launches the graph for (`bucket`, `variant`) on `stream`, first capturing `queue` (which
  /// queues the step's work on `stream`) when there is none yet or `buffers` differ from the
  /// capture's.
  void launch(int32_t bucket, int32_t variant, const std::vector<const void*>& buffers, cudaStream_t stream,
              const std::function<void()>& queue);

  /// Drops every graph (the next launch of each bucket captures again): for changes a graph
  /// bakes in that bufferAddresses() cannot see, such as the cache's layout.
  void clear();

  /// Graphs captured (a capture per bucket and variant, plus one per buffer move) and replayed:
  /// for tests.
  int captures() const { return captures_; }
  int64_t launches() const { return launches_; }

 private:
  struct Entry {
    cudaGraphExec_t exec = nullptr;
    std::vector<const void*> buffers;
  };
  std::map<std::pair<int32_t, int32_t>, Entry> graphs_;
  int captures_ = 0;
  int64_t launches_ = 0;
};

}  // namespace mx::gpu
