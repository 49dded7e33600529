// CuteGPT Web shim (own code): NVTX ranges are a no-op in a WebAssembly build.
#ifndef CUTEGPT_SHIM_TVM_SUPPORT_CUDA_NVTX_H_
#define CUTEGPT_SHIM_TVM_SUPPORT_CUDA_NVTX_H_
#include <string>
namespace tvm {
namespace support {
class NVTXScopedRange {
 public:
  explicit NVTXScopedRange(const char*) {}
  explicit NVTXScopedRange(const std::string&) {}
  NVTXScopedRange(const NVTXScopedRange&) = delete;
  NVTXScopedRange& operator=(const NVTXScopedRange&) = delete;
};
}  // namespace support
}  // namespace tvm
#define TVM_NVTX_FUNC_SCOPE()
#endif
