/*===- CodaModel.h - C ABI of a model compiled by coda-compile ---*- C -*-===*\
|*                                                                            *|
|* coda-compile turns a model into a shared library exporting these symbols. *|
|* Weights are compiled into the library; all tensors are dense, row-major   *|
|* f32 in the model's (NCHW) layout. Outputs are written into caller buffers.*|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CODA_RUNTIME_CODAMODEL_H
#define CODA_RUNTIME_CODAMODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CODA_ABI_VERSION 1
#define CODA_MAX_RANK 8

typedef enum {
  CODA_OK = 0,
  CODA_ERROR_NULL_ARGUMENT = 1,
  CODA_ERROR_OUT_OF_MEMORY = 2,
  /* GPU libraries (coda-compile --target=cuda): no driver, no GPU, or a
     driver call failed; coda_cuda_last_error() (CudaRuntime.h) says why. */
  CODA_ERROR_DEVICE = 3,
} coda_status;

typedef struct {
  const char *name; /* the ONNX graph input/output name */
  int32_t rank;
  int64_t shape[CODA_MAX_RANK];
} coda_tensor_info;

typedef struct coda_model coda_model;

/* CODA_ABI_VERSION of the library. */
int32_t coda_abi_version(void);
int32_t coda_num_inputs(void);
int32_t coda_num_outputs(void);
/* Null when the index is out of range. */
const coda_tensor_info *coda_input_info(int32_t index);
const coda_tensor_info *coda_output_info(int32_t index);

/* Creates an instance (its scratch memory is allocated once, here). */
coda_status coda_init(coda_model **model);
/* Runs one inference: inputs[i] and outputs[i] point to dense f32 buffers
 * of the shapes above. Thread-compatible: one run per instance at a time. */
coda_status coda_run(coda_model *model, const float *const *inputs,
                     float *const *outputs);
void coda_free(coda_model *model);

/* Per-layer timing of libraries compiled with coda-compile --profile-layers.
 * Each layer is one top-level op of the compiled entry function (a register
 * tile nest, a fill, a copy, ...), timed with CLOCK_MONOTONIC around every
 * run; the counters are process-wide (summed over all instances) and only
 * grow: take two snapshots and subtract. Not thread-safe: time one run at a
 * time. */
typedef struct {
  const char *name;  /* the ONNX node the layer computes ("" if unknown) */
  const char *kind;  /* tile, loops, fill, copy, transpose, elementwise, ... */
  uint64_t total_ns; /* summed over all calls */
  uint64_t calls;
  uint64_t min_ns; /* the fastest call (UINT64_MAX before the first) */
} coda_layer_stats;

/* The number of timed layers: 0 for a library compiled without
 * --profile-layers (older libraries lack the symbol; treat that as 0).
 * Copies the first min(count, capacity) entries into `stats` (may be null
 * when capacity is 0). */
int32_t coda_layer_profile(coda_layer_stats *stats, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* CODA_RUNTIME_CODAMODEL_H */
