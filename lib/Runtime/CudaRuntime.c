/*===- CudaRuntime.c - The mgpu* functions over the CUDA driver API -------===*\
|*                                                                            *|
|* Host code produced by coda-gpu-pipeline calls MLIR's GPU runtime ABI      *|
|* (mgpuModuleLoadJIT, mgpuLaunchKernel, mgpuMemAlloc, ...). Debian ships no *|
|* implementation, and a model must build and load where CUDA is absent, so  *|
|* coda-compile --target=cuda compiles this file into every CUDA model: it   *|
|* loads libcuda.so.1 with dlopen on first use and reports a missing driver  *|
|* or GPU as an error message, never by crashing.                            *|
|*                                                                            *|
|* One stream runs everything in order. Freed device blocks are cached by    *|
|* size, so inference runs after the first allocate nothing. Per-launch     *|
|* timing and the replay of one launch (for power sampling) are exported:   *|
|* include/coda/Runtime/CudaRuntime.h.                                       *|
\*===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CODA_HIDDEN __attribute__((visibility("hidden")))
#define CODA_EXPORT __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef uint64_t CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

/* The driver entry points Coda uses, by the versioned names cuda.h (CUDA 13)
   maps them to. */
#define CODA_CUDA_FUNCTIONS(X)                                                 \
  X(cuInit, "cuInit", (unsigned))                                              \
  X(cuDeviceGetCount, "cuDeviceGetCount", (int *))                             \
  X(cuDeviceGet, "cuDeviceGet", (CUdevice *, int))                             \
  X(cuDeviceGetName, "cuDeviceGetName", (char *, int, CUdevice))               \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain",                      \
    (CUcontext *, CUdevice))                                                   \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", (CUcontext))                           \
  X(cuGetErrorName, "cuGetErrorName", (CUresult, const char **))               \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx",                                  \
    (CUmodule *, const void *, unsigned, int *, void **))                      \
  X(cuModuleGetFunction, "cuModuleGetFunction",                                \
    (CUfunction *, CUmodule, const char *))                                    \
  X(cuLaunchKernel, "cuLaunchKernel",                                          \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,   \
     unsigned, CUstream, void **, void **))                                    \
  X(cuStreamCreate, "cuStreamCreate", (CUstream *, unsigned))                  \
  X(cuStreamSynchronize, "cuStreamSynchronize", (CUstream))                    \
  X(cuMemAlloc, "cuMemAlloc_v2", (CUdeviceptr *, size_t))                      \
  X(cuMemFree, "cuMemFree_v2", (CUdeviceptr))                                  \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2", (CUdeviceptr, const void *, size_t))      \
  X(cuMemcpyDtoH, "cuMemcpyDtoH_v2", (void *, CUdeviceptr, size_t))            \
  X(cuEventCreate, "cuEventCreate", (CUevent *, unsigned))                     \
  X(cuEventRecord, "cuEventRecord", (CUevent, CUstream))                       \
  X(cuEventSynchronize, "cuEventSynchronize", (CUevent))                       \
  X(cuEventElapsedTime, "cuEventElapsedTime_v2", (float *, CUevent, CUevent))

#define CODA_DECLARE(field, symbol, params) CUresult(*field) params;
static struct { CODA_CUDA_FUNCTIONS(CODA_DECLARE) } cu;
#undef CODA_DECLARE

static int state;  /* 0: not tried, 1: ready, -1: unavailable */
static int failed; /* a driver call failed since the last check */
static char message[512];
static CUcontext context;
static CUstream stream;
static char deviceName[128];

static void setError(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  failed = 1;
}

/* Checks a driver call; the first failure is kept for coda_last_error. */
static int check(CUresult result, const char *what) {
  if (result == 0)
    return 1;
  if (!failed) {
    const char *name = 0;
    if (cu.cuGetErrorName)
      cu.cuGetErrorName(result, &name);
    setError("%s failed: %s (%d)", what, name ? name : "unknown error", result);
  }
  return 0;
}

/* Loads the driver and makes the primary context of device 0 current. */
CODA_HIDDEN int coda_cuda_ready(void) {
  if (state == 1)
    return check(cu.cuCtxSetCurrent(context), "cuCtxSetCurrent");
  if (state == -1)
    return 0;
  state = -1;
  /* CODA_CUDA_DRIVER names another driver library (tests use stand-ins). */
  const char *path = getenv("CODA_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *driver = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!driver) {
    setError("no CUDA driver: cannot load %s (%s)", path, dlerror());
    return 0;
  }
  /* Drivers older than a versioned name (cuEventElapsedTime_v2: CUDA 12.8)
     export only the plain one. */
#define CODA_RESOLVE(field, symbol, params)                                    \
  *(void **)&cu.field = dlsym(driver, symbol);                                 \
  if (!cu.field && strstr(symbol, "_v2"))                                      \
    *(void **)&cu.field = dlsym(driver, #field);                               \
  if (!cu.field) {                                                             \
    setError("the CUDA driver lacks %s", symbol);                              \
    return 0;                                                                  \
  }
  CODA_CUDA_FUNCTIONS(CODA_RESOLVE)
#undef CODA_RESOLVE
  int count = 0;
  CUdevice device;
  if (!check(cu.cuInit(0), "cuInit") ||
      !check(cu.cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return 0;
  if (count == 0) {
    setError("the CUDA driver reports no GPU");
    return 0;
  }
  if (!check(cu.cuDeviceGet(&device, 0), "cuDeviceGet") ||
      !check(cu.cuDeviceGetName(deviceName, sizeof(deviceName), device),
             "cuDeviceGetName") ||
      !check(cu.cuDevicePrimaryCtxRetain(&context, device),
             "cuDevicePrimaryCtxRetain") ||
      !check(cu.cuCtxSetCurrent(context), "cuCtxSetCurrent") ||
      !check(cu.cuStreamCreate(&stream, 0), "cuStreamCreate"))
    return 0;
  state = 1;
  return 1;
}

/* Returns whether every driver call since the last check succeeded, waiting
   for the stream first; clears the error state. */
CODA_HIDDEN int coda_cuda_sync(void) {
  if (state == 1)
    check(cu.cuStreamSynchronize(stream), "cuStreamSynchronize");
  int ok = !failed && state == 1;
  failed = 0;
  return ok;
}

CODA_EXPORT const char *coda_cuda_last_error(void) { return message; }
CODA_EXPORT const char *coda_cuda_device_name(void) { return deviceName; }

CODA_HIDDEN void *coda_cuda_alloc(size_t bytes) {
  CUdeviceptr ptr = 0;
  if (!check(cu.cuMemAlloc(&ptr, bytes ? bytes : 1), "cuMemAlloc"))
    return 0;
  return (void *)(uintptr_t)ptr;
}

CODA_HIDDEN void coda_cuda_free(void *ptr) {
  if (ptr && state == 1)
    cu.cuMemFree((CUdeviceptr)(uintptr_t)ptr);
}

CODA_HIDDEN int coda_cuda_upload(void *device, const void *host, size_t n) {
  return check(cu.cuMemcpyHtoD((CUdeviceptr)(uintptr_t)device, host, n),
               "cuMemcpyHtoD");
}

CODA_HIDDEN int coda_cuda_download(void *host, const void *device, size_t n) {
  return check(cu.cuMemcpyDtoH(host, (CUdeviceptr)(uintptr_t)device, n),
               "cuMemcpyDtoH");
}

/*===----------------------------------------------------------------------===*\
|* Size-keyed cache of device blocks                                          *|
\*===----------------------------------------------------------------------===*/

typedef struct {
  void *ptr;
  uint64_t bytes;
  int free;
} Block;

static Block *blocks;
static size_t numBlocks, capacity;

CODA_HIDDEN void *mgpuMemAlloc(uint64_t bytes, CUstream s, int8_t shared) {
  (void)s;
  (void)shared;
  for (size_t i = 0; i < numBlocks; ++i)
    if (blocks[i].free && blocks[i].bytes == bytes) {
      blocks[i].free = 0;
      return blocks[i].ptr;
    }
  if (!coda_cuda_ready())
    return 0;
  void *ptr = coda_cuda_alloc(bytes);
  if (!ptr)
    return 0;
  if (numBlocks == capacity) {
    size_t grown = capacity ? 2 * capacity : 256;
    Block *larger = (Block *)realloc(blocks, grown * sizeof(Block));
    if (!larger) {
      setError("out of host memory");
      return ptr;
    }
    blocks = larger;
    capacity = grown;
  }
  blocks[numBlocks++] = (Block){ptr, bytes, 0};
  return ptr;
}

/* Stream order makes reuse safe: a later launch on the one stream runs after
   every launch that used the block before it was freed. */
CODA_HIDDEN void mgpuMemFree(void *ptr, CUstream s) {
  (void)s;
  for (size_t i = 0; i < numBlocks; ++i)
    if (blocks[i].ptr == ptr) {
      blocks[i].free = 1;
      return;
    }
}

CODA_HIDDEN CUstream mgpuStreamCreate(void) {
  coda_cuda_ready();
  return stream;
}

CODA_HIDDEN void mgpuStreamDestroy(CUstream s) { (void)s; }

/* The shim synchronizes once per run (coda_cuda_sync). */
CODA_HIDDEN void mgpuStreamSynchronize(CUstream s) { (void)s; }

/*===----------------------------------------------------------------------===*\
|* Modules and launches                                                       *|
\*===----------------------------------------------------------------------===*/

/* One module per gpu.binary (coda-gpu-merge-kernels makes it one per model),
   with the functions looked up in it so far. */
typedef struct {
  const char *name; /* the host code's name constant for the kernel */
  CUfunction function;
} Kernel;

typedef struct {
  const void *image;
  CUmodule module;
  Kernel *kernels;
  size_t numKernels, capacity;
} Module;

/* Called from the library's global constructors when it is loaded: only
   record the image; it is JIT-compiled when a model first runs. */
CODA_HIDDEN Module *mgpuModuleLoadJIT(const void *ptx, int optLevel) {
  (void)optLevel;
  Module *module = (Module *)calloc(1, sizeof(Module));
  if (module)
    module->image = ptx;
  return module;
}

CODA_HIDDEN Module *mgpuModuleLoad(const void *image, uint64_t bytes) {
  (void)bytes;
  return mgpuModuleLoadJIT(image, 3);
}

/* The driver may already be gone at exit: modules die with the context. */
CODA_HIDDEN void mgpuModuleUnload(Module *module) { (void)module; }

static int loadModule(Module *module) {
  if (module->module)
    return 1;
  char log[4096] = "";
  int options[] = {5 /* CU_JIT_ERROR_LOG_BUFFER */,
                   6 /* CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES */};
  void *values[] = {log, (void *)(uintptr_t)sizeof(log)};
  CUresult result =
      cu.cuModuleLoadDataEx(&module->module, module->image, 2, options, values);
  if (result == 0)
    return 1;
  check(result, "cuModuleLoadDataEx (JIT-compiling the model's PTX)");
  if (log[0]) {
    size_t used = strlen(message);
    snprintf(message + used, sizeof(message) - used, ": %s", log);
  }
  return 0;
}

/* Called before every launch: the name pointer is the host code's constant
   for that launch site, so within a module a pointer match is exact. */
/* The host code looks a kernel up right before launching it: profiles name
   each launch after the last lookup. */
static const char *lastKernelName = "?";

CODA_HIDDEN CUfunction mgpuModuleGetFunction(Module *module, const char *name) {
  lastKernelName = name;
  if (!module || !coda_cuda_ready() || !loadModule(module))
    return 0;
  for (size_t i = 0; i < module->numKernels; ++i)
    if (module->kernels[i].name == name)
      return module->kernels[i].function;
  CUfunction function = 0;
  if (!check(cu.cuModuleGetFunction(&function, module->module, name),
             "cuModuleGetFunction"))
    return 0;
  if (module->numKernels == module->capacity) {
    size_t grown = module->capacity ? 2 * module->capacity : 64;
    Kernel *larger = (Kernel *)realloc(module->kernels, grown * sizeof(Kernel));
    if (!larger)
      return function;
    module->kernels = larger;
    module->capacity = grown;
  }
  module->kernels[module->numKernels++] = (Kernel){name, function};
  return function;
}

/* Profiling: per-launch events, and replay of one launch in a loop. */
static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

typedef struct {
  CUevent start, stop;
  const char *name;
} Launch;

static int profiling;
static Launch *launches;
static int numLaunches, launchCapacity;
static int replayIndex = -1;
static double replaySeconds, replayMs;
static long replayCount;

static int recordLaunch(CUevent *start, CUevent *stop) {
  if (numLaunches == launchCapacity) {
    int grown = launchCapacity ? 2 * launchCapacity : 256;
    Launch *larger = (Launch *)realloc(launches, grown * sizeof(Launch));
    if (!larger)
      return 0;
    memset(larger + launchCapacity, 0,
           (grown - launchCapacity) * sizeof(Launch));
    launches = larger;
    launchCapacity = grown;
  }
  Launch *launch = &launches[numLaunches++];
  if (!launch->start &&
      (!check(cu.cuEventCreate(&launch->start, 0), "cuEventCreate") ||
       !check(cu.cuEventCreate(&launch->stop, 0), "cuEventCreate")))
    return 0;
  launch->name = lastKernelName;
  *start = launch->start;
  *stop = launch->stop;
  return 1;
}

CODA_HIDDEN void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t smem, CUstream s,
                                  void **params, void **extra,
                                  intptr_t paramsCount) {
  (void)s;
  (void)paramsCount;
  /* After a failure (no device memory, a kernel that did not load) the run
     only reports it: launching could touch null or freed buffers. */
  if (failed)
    return;
  if (!function) {
    setError("a kernel of the model could not be loaded");
    return;
  }
  CUevent start = 0, stop = 0;
  int index = numLaunches;
  int timed = profiling && recordLaunch(&start, &stop);
  if (timed)
    cu.cuEventRecord(start, stream);
  check(cu.cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                          smem, stream, params, extra),
        "cuLaunchKernel");
  if (timed)
    cu.cuEventRecord(stop, stream);
  if (!timed || index != replayIndex)
    return;
  /* Replay: the same launch (same buffers) in a loop long enough for a power
     meter averaging over ~1 s to see it alone. Launches are queued until
     the wall clock says `replaySeconds` have passed: the driver's queue
     blocks when full, so the GPU is busy about that long whether a kernel
     takes microseconds (launch-bound) or milliseconds. The outputs of a
     replayed run are not meaningful (accumulating kernels accumulate). */
  CUevent loopStart = launches[index].start, loopStop = launches[index].stop;
  double begin = seconds();
  long count = 0;
  cu.cuEventRecord(loopStart, stream);
  do {
    for (int i = 0; i < 16; ++i)
      check(cu.cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                              blockZ, smem, stream, params, extra),
            "cuLaunchKernel (replay)");
    count += 16;
  } while (!failed && seconds() - begin < replaySeconds);
  cu.cuEventRecord(loopStop, stream);
  cu.cuEventSynchronize(loopStop);
  float total = 0;
  cu.cuEventElapsedTime(&total, loopStart, loopStop);
  replayCount = count;
  /* The launch's own timing entry reports the replayed mean. */
  replayMs = total / count;
}

/* Per-launch timing of the following runs (0 to switch off). */
CODA_EXPORT void coda_cuda_profile(int enable) { profiling = enable; }

/* Call before a run: clears the launch records of the previous one. */
CODA_EXPORT void coda_cuda_profile_reset(void) {
  numLaunches = 0;
  replayCount = 0;
  replayMs = 0;
}

CODA_EXPORT int coda_cuda_num_launches(void) { return numLaunches; }

CODA_EXPORT const char *coda_cuda_launch_name(int index) {
  return index >= 0 && index < numLaunches ? launches[index].name : 0;
}

/* Milliseconds of launch `index` of the last (synchronized) run; -1 if none. */
CODA_EXPORT double coda_cuda_launch_ms(int index) {
  if (index < 0 || index >= numLaunches)
    return -1;
  if (index == replayIndex && replayCount > 0)
    return replayMs;
  float ms = 0;
  if (!check(cu.cuEventElapsedTime(&ms, launches[index].start,
                                   launches[index].stop),
             "cuEventElapsedTime"))
    return -1;
  return ms;
}

/* In the next profiled runs, launch `index` repeats for `seconds`; -1 stops. */
CODA_EXPORT void coda_cuda_replay(int index, double seconds) {
  replayIndex = index;
  replaySeconds = seconds;
}

/* Launches of the last replay (their mean time: coda_cuda_launch_ms). */
CODA_EXPORT long coda_cuda_replay_count(void) { return replayCount; }
