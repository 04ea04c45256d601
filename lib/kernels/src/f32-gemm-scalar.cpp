// GEMM Y = W X with few columns, scalar reference: each column is the scalar GEMV of
// that column (kernels.h), so every output has the GEMV's canonical summation order.
#include "denseshift/kernels/kernels.h"
#include "kernel_decls.h"

namespace denseshift::kernels::impl {

void gemm_packed_scalar(const WeightMatrix& w, const float* x, size_t ldx, size_t n, float* y, size_t ldy,
                        size_t row_begin, size_t row_end) {
  for (size_t j = 0; j < n; ++j) gemv_packed_scalar(w, x + j * ldx, y + j * ldy, row_begin, row_end);
}

}  // namespace denseshift::kernels::impl
