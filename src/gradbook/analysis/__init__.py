"""``gradbook.analysis``: what a model costs and sees, by formula and by running it.

* parameters: :func:`count_params` of a built model; :func:`fc_params`, :func:`conv_params`,
  :func:`rnn_params` by formula (three bias conventions for recurrent layers);
* shapes: :func:`conv_output_shape` (pooling ``ceil_mode``, transposed ``output_padding``);
* :func:`receptive_field`: size, jump and start per layer, checked by a gradient;
* :func:`conv_matrix`: a convolution as the matrix of its linear map (its transpose is the
  transposed convolution);
* :func:`flops` (multiply-adds per layer) and :func:`summary` (a torchinfo-like table).
"""
from .conv_matrix import conv_matrix
from .flops import flops, layer_macs, trace
from .params import count_params, conv_params, fc_params, rnn_params
from .receptive_field import ReceptiveField, parse_layer, receptive_field
from .shapes import conv_output_shape, conv_transpose_output_shape, pool_output_shape
from .summary import ModelSummary, summary

__all__ = ["count_params", "fc_params", "conv_params", "rnn_params", "conv_output_shape", "pool_output_shape",
           "conv_transpose_output_shape", "receptive_field", "ReceptiveField", "parse_layer", "flops",
           "layer_macs", "trace", "summary", "ModelSummary", "conv_matrix"]
