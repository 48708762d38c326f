/*===- CudaRuntime.h - Extra symbols of a CUDA model library -----*- C -*-===*\
|*                                                                            *|
|* A library from coda-compile --target=cuda implements CodaModel.h and also *|
|* exports these functions (lib/Runtime/CudaRuntime.c, compiled into it).    *|
|* coda-run finds them with dlsym; their presence marks a CUDA library.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CODA_RUNTIME_CUDARUNTIME_H
#define CODA_RUNTIME_CUDARUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Why the last CODA_ERROR_DEVICE happened ("" if none has). */
const char *coda_cuda_last_error(void);
/* The GPU the model runs on ("" before coda_init). */
const char *coda_cuda_device_name(void);

/* Per-launch timing (CUDA events) of the following runs; 0 switches off. */
void coda_cuda_profile(int enable);
/* Call before a profiled run: forgets the launches of the previous one. */
void coda_cuda_profile_reset(void);
/* The launches of the last profiled run, in order. */
int coda_cuda_num_launches(void);
const char *coda_cuda_launch_name(int index);
/* Milliseconds of launch `index` (its mean over a replay); -1 if unknown. */
double coda_cuda_launch_ms(int index);
/* In the following profiled runs, launch `index` is repeated for `seconds`
   (a power meter averaging over ~1 s then sees that kernel alone; the run's
   outputs are not meaningful). index -1 stops replaying. */
void coda_cuda_replay(int index, double seconds);
/* How often the last replay repeated its launch. */
long coda_cuda_replay_count(void);

/* The model layer (ONNX node name) a kernel computes, or null. */
const char *coda_cuda_kernel_layer(const char *kernel);

#ifdef __cplusplus
}
#endif

#endif /* CODA_RUNTIME_CUDARUNTIME_H */
