// DecodeGraphs.cpp — see DecodeGraphs.h.
#include "DecodeGraphs.h"

#include "CudaCheck.h"

namespace mx::gpu {

DecodeGraphs::~DecodeGraphs() { clear(); }

void DecodeGraphs::clear() {
  for (auto& [key, entry] : graphs_)
    if (entry.exec) cudaGraphExecDestroy(entry.exec);
  graphs_.clear();
}

int32_t DecodeGraphs::bucket(int64_t batch) {
  // Powers of two to 8, then steps of 8 to 64 and of 32 to 512: 25 graphs at most. Padding
  // rows cost little: each attends to one position, and at these sizes the projections are
  // bound by reading the weights, which padded rows share.
  if (batch < 1 || batch > 512) return 0;
  if (batch <= 8) return batch <= 1 ? 1 : batch <= 2 ? 2 : batch <= 4 ? 4 : 8;
  if (batch <= 64) return int32_t((batch + 7) / 8 * 8);
  return int32_t((batch + 31) / 32 * 32);
}

void DecodeGraphs::launch(int32_t bucket, int32_t variant, const std::vector<const void*>& buffers,
                          cudaStream_t stream, const std::function<void()>& queue) {
  Entry& entry = graphs_[{bucket, variant}];
  if (!entry.exec || entry.buffers != buffers) {
    if (entry.exec) MX_CUDA_CHECK(cudaGraphExecDestroy(entry.exec));
    entry.exec = nullptr;
    cudaGraph_t graph = nullptr;
    MX_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed));
    try {
      queue();
    } catch (...) {
      cudaStreamEndCapture(stream, &graph);  // leave the stream usable
      if (graph) cudaGraphDestroy(graph);
      (void)cudaGetLastError();  // the invalidated capture's error must not fail the next step
      throw;
    }
    MX_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
    const cudaError_t e = cudaGraphInstantiate(&entry.exec, graph, 0);
    cudaGraphDestroy(graph);
    MX_CUDA_CHECK(e);
    entry.buffers = buffers;
    ++captures_;
  }
  MX_CUDA_CHECK(cudaGraphLaunch(entry.exec, stream));
  ++launches_;
}

}  // namespace mx::gpu
