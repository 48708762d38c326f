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

#ifdef __cplusplus
}
#endif

#endif /* CODA_RUNTIME_CODAMODEL_H */
