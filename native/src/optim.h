#pragma once
#include <napi.h>

namespace netspec {
Napi::Value adamStep(const Napi::CallbackInfo &info);
Napi::Value momentumStep(const Napi::CallbackInfo &info);
}  // namespace netspec
