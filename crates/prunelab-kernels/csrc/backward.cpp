// libtorch's own backward kernels for prunelab's LibTorch ops (src/torch.rs): the ones PyTorch's
// autograd calls for conv2d and batch norm, which tch does not bind (their `bool[3]` output
// masks). Tensors are tch's handles (`at::Tensor *`); outputs are new handles for tch to own.
// Each function returns NULL, or an error message the caller frees with prunelab_free.
#include <ATen/ATen.h>

#include <cstdlib>
#include <cstring>

typedef at::Tensor *tensor;

static char *error(const std::exception &e) { return strdup(e.what()); }

extern "C" {

void prunelab_free(char *message) { free(message); }

// Gradients of conv2d(x, w, bias) at `grad` (grad_x, grad_w, grad_bias; NULL where not asked).
char *prunelab_conv2d_backward(tensor grad, tensor x, tensor w, int bias, const int64_t *stride,
                               const int64_t *padding, const int64_t *dilation, int64_t groups,
                               int need_x, int need_w, tensor *out) {
  try {
    int64_t channels = w->size(0);
    at::OptionalIntArrayRef bias_sizes = c10::nullopt;
    if (bias) bias_sizes = at::IntArrayRef(&channels, 1);
    int64_t zeros[2] = {0, 0};
    auto r = at::convolution_backward(*grad, *x, *w, bias_sizes, at::IntArrayRef(stride, 2),
                                      at::IntArrayRef(padding, 2), at::IntArrayRef(dilation, 2), false,
                                      at::IntArrayRef(zeros, 2), groups,
                                      {need_x != 0, need_w != 0, bias != 0});
    out[0] = need_x ? new at::Tensor(std::get<0>(r)) : nullptr;
    out[1] = need_w ? new at::Tensor(std::get<1>(r)) : nullptr;
    out[2] = bias ? new at::Tensor(std::get<2>(r)) : nullptr;
    return nullptr;
  } catch (const std::exception &e) {
    return error(e);
  }
}

// Gradients of a training batch norm (grad_x, grad_gamma, grad_beta) from its saved statistics.
char *prunelab_batch_norm_backward(tensor grad, tensor x, tensor gamma, tensor save_mean,
                                   tensor save_invstd, double eps, tensor *out) {
  try {
    auto r = at::native_batch_norm_backward(*grad, *x, *gamma, c10::nullopt, c10::nullopt, *save_mean,
                                            *save_invstd, true, eps, {true, true, true});
    out[0] = new at::Tensor(std::get<0>(r));
    out[1] = new at::Tensor(std::get<1>(r));
    out[2] = new at::Tensor(std::get<2>(r));
    return nullptr;
  } catch (const std::exception &e) {
    return error(e);
  }
}
}
