// ReplPrompt.h — `history` shows a chat call's prompt as the model saw it: the messages rendered
// by the model folder's chat template (with the tool schemas when the call passed tools), the
// same rendering LocalModel does before tokenizing.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "mx/engine/ChatFormat.h"
#include "mx/rt/Journal.h"
#include "mx/rt/ModuleInfo.h"
#include "mx/rt/Tools.h"

namespace mx::cli {

class PromptRenderer {
 public:
  PromptRenderer(const rt::ModuleInfo& module, std::string baseDir)
      : m_(module), baseDir_(std::move(baseDir)) {}
  /// The rendered prompt of a `chat` call on a `local` model; nullopt for other calls, or with
  /// the reason when the folder's template cannot render it.
  std::optional<std::string> render(const rt::CallInfo& call);

 private:
  const rt::ModuleInfo& m_;
  std::string baseDir_;
  std::map<uint32_t, std::unique_ptr<engine::ChatFormat>> formats_;  // by model resource
  std::map<uint32_t, std::unique_ptr<rt::ToolProvider>> tools_;      // schemas only
};

}  // namespace mx::cli
