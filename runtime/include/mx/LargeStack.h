// LargeStack.h — runs a function on a thread with a large stack. The front end recurses over
// nesting, which is bounded (kMaxNesting, kMaxExprDepth) but may need more than a default 8 MiB
// stack in sanitizer builds; mxc and mx run it this way.
#pragma once

#include <pthread.h>

#include <functional>

#include "mx/ExitCodes.h"

namespace mx {

inline int runWithLargeStack(const std::function<int()>& fn, size_t bytes = 256u << 20) {
  struct Job {
    const std::function<int()>* fn;
    int result;
  } job{&fn, kExitInternal};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  auto entry = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    j->result = (*j->fn)();
    return nullptr;
  };
  bool started = pthread_create(&thread, &attr, entry, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return fn();  // no thread: the caller's stack it is
  pthread_join(thread, nullptr);
  return job.result;
}

}  // namespace mx
