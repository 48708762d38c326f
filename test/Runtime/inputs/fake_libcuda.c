/* A stand-in libcuda.so.1 for testing what a CUDA model library does where
   the driver loads but cannot run it: cuInit fails as on a machine without
   a GPU (FAKE_CUDA_NO_DEVICE), or the driver lacks an entry point the
   runtime needs (FAKE_CUDA_OLD: no cuModuleLoadDataEx). */
typedef int CUresult;

CUresult cuInit(unsigned flags) {
  (void)flags;
  return 100; /* CUDA_ERROR_NO_DEVICE */
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  *name = error == 100 ? "CUDA_ERROR_NO_DEVICE" : "CUDA_ERROR_UNKNOWN";
  return 0;
}

#define STUB(name)                                                             \
  CUresult name(void) { return 999; }
STUB(cuDeviceGetCount)
STUB(cuDeviceGet)
STUB(cuDeviceGetName)
STUB(cuDevicePrimaryCtxRetain)
STUB(cuCtxSetCurrent)
STUB(cuModuleGetFunction)
STUB(cuLaunchKernel)
STUB(cuStreamCreate)
STUB(cuStreamSynchronize)
STUB(cuMemAlloc_v2)
STUB(cuMemFree_v2)
STUB(cuMemcpyHtoD_v2)
STUB(cuMemcpyDtoH_v2)
STUB(cuEventCreate)
STUB(cuEventRecord)
STUB(cuEventSynchronize)
/* Older drivers export only the unversioned name. */
STUB(cuEventElapsedTime)
#ifndef FAKE_CUDA_OLD
STUB(cuModuleLoadDataEx)
#endif
