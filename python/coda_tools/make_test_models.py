#!/usr/bin/env python3
"""Generate the small ONNX fixtures used by Coda's importer tests.

Usage: make_test_models.py --out DIR

Every fixture is a few KB at most and is generated deterministically (fixed
seeds, no timestamps), so regenerating the checked-in copies in
test/Import/inputs/ must not change a byte.

Valid models, modelled on what other converters emit:

  tf2onnx_style.onnx     opset 9; weights are Constant nodes rather than
                         initializers; Conv + BatchNormalization + Relu +
                         Clip (attribute form) + Flatten + Gemm; TF-style
                         value names ("conv2d/Conv2D:0"); symbolic batch
                         dimension "N" (input [N, 3, 8, 8], output [N, 8]).
  paddle_style.onnx      opset 11; Conv with initializers, Clip with min/max
                         inputs, Resize (nearest, roi/scales inputs), and a
                         Shape -> Gather -> Unsqueeze -> Concat shape
                         computation feeding Reshape; input dims "batch",
                         "h", "w" are dynamic and must be fixed on the
                         command line (--input-shape).

Invalid models, each with exactly one defect:

  truncated.onnx            the first half of a valid model's bytes
  corrupt.onnx              random bytes that are not a protobuf message
  unsupported_op.onnx       node "weird0" of type NonMaxSuppression (opset 13)
  bad_attribute.onnx        Conv with group=3 on a 4-channel input
  missing_initializer.onnx  Conv weight that is not an input, initializer or
                            node output (the checker would reject it)
  external_data.onnx        initializer stored externally in "weights.bin",
                            which does not exist
  bad_elem_type.onnx        string-typed graph input feeding Relu
  inconsistent_shapes.onnx  Add of [1,3,4,4] and [1,5,4,4] (declared shapes)

Requires the onnx Python package (1.12 API) and numpy.
"""

import argparse
import os
import sys
import warnings

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as err:
    sys.exit(f"error: {err}; run this script with /usr/bin/python3 "
             "(Debian's python3-onnx and python3-numpy)")

PRODUCER = "coda-make-test-models"

# IR version that introduced each opset we use; older converters write the
# oldest IR version their opset allows.
IR_VERSION_FOR_OPSET = {9: 4, 11: 6, 13: 7}


def make_model(graph, opset):
    """Wraps `graph` in a ModelProto importing the ONNX domain at `opset`."""
    return helper.make_model(
        graph,
        producer_name=PRODUCER,
        opset_imports=[helper.make_opsetid("", opset)],
        ir_version=IR_VERSION_FOR_OPSET[opset])


def random_tensor(rng, name, shape, scale=0.5):
    data = (rng.standard_normal(shape) * scale).astype(np.float32)
    return numpy_helper.from_array(data, name)


def constant_node(tensor):
    """Returns a Constant node producing `tensor` under the tensor's name."""
    return helper.make_node("Constant", [], [tensor.name], value=tensor,
                            name=tensor.name.split(":")[0])


# --------------------------------------------------------------------------
# Valid models
# --------------------------------------------------------------------------

def make_tf2onnx_style():
    rng = np.random.default_rng(9)
    conv_w = random_tensor(rng, "conv2d/kernel:0", (4, 3, 3, 3))
    conv_b = random_tensor(rng, "conv2d/bias:0", (4,), 0.1)
    bn_scale = numpy_helper.from_array(
        rng.uniform(0.5, 1.5, 4).astype(np.float32), "bn/gamma:0")
    bn_bias = random_tensor(rng, "bn/beta:0", (4,), 0.1)
    bn_mean = random_tensor(rng, "bn/moving_mean:0", (4,), 0.1)
    bn_var = numpy_helper.from_array(
        rng.uniform(0.5, 2.0, 4).astype(np.float32), "bn/moving_variance:0")
    dense_w = random_tensor(rng, "dense/kernel:0", (4 * 4 * 4, 8), 0.1)
    dense_b = random_tensor(rng, "dense/bias:0", (8,), 0.1)
    weights = [conv_w, conv_b, bn_scale, bn_bias, bn_mean, bn_var, dense_w,
               dense_b]

    nodes = [constant_node(t) for t in weights] + [
        helper.make_node("Conv", ["input:0", conv_w.name, conv_b.name],
                         ["conv2d/Conv2D:0"], name="conv2d/Conv2D",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("BatchNormalization",
                         ["conv2d/Conv2D:0", bn_scale.name, bn_bias.name,
                          bn_mean.name, bn_var.name],
                         ["bn/FusedBatchNormV3:0"], name="bn/FusedBatchNormV3",
                         epsilon=1e-3),
        helper.make_node("Relu", ["bn/FusedBatchNormV3:0"], ["re_lu/Relu:0"],
                         name="re_lu/Relu"),
        helper.make_node("Clip", ["re_lu/Relu:0"], ["re_lu/Relu6:0"],
                         name="re_lu/Relu6", min=0.0, max=6.0),
        helper.make_node("Flatten", ["re_lu/Relu6:0"], ["flatten/Reshape:0"],
                         name="flatten/Reshape", axis=1),
        helper.make_node("Gemm",
                         ["flatten/Reshape:0", dense_w.name, dense_b.name],
                         ["dense/BiasAdd:0"], name="dense/MatMul"),
    ]
    graph = helper.make_graph(
        nodes, "tf2onnx",
        [helper.make_tensor_value_info("input:0", TensorProto.FLOAT,
                                       ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("dense/BiasAdd:0", TensorProto.FLOAT,
                                       ["N", 8])])
    return make_model(graph, 9)


def make_paddle_style():
    rng = np.random.default_rng(11)
    initializers = [
        random_tensor(rng, "conv2d_0.w_0", (8, 3, 3, 3)),
        random_tensor(rng, "conv2d_0.b_0", (8,), 0.1),
        numpy_helper.from_array(np.array(0.0, np.float32), "clip_0.min"),
        numpy_helper.from_array(np.array(6.0, np.float32), "clip_0.max"),
        numpy_helper.from_array(np.zeros(0, np.float32), "resize_0.roi"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32),
                                "resize_0.scales"),
        numpy_helper.from_array(np.array(0, np.int64), "gather_0.index"),
        numpy_helper.from_array(np.array([-1], np.int64), "concat_0.rest"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv2d_0.w_0", "conv2d_0.b_0"],
                         ["conv2d_0.tmp_1"], name="conv2d_0",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["conv2d_0.tmp_1", "clip_0.min",
                                  "clip_0.max"],
                         ["relu6_0.tmp_0"], name="relu6_0"),
        helper.make_node("Resize", ["relu6_0.tmp_0", "resize_0.roi",
                                    "resize_0.scales"],
                         ["nearest_interp_0.tmp_0"], name="nearest_interp_0",
                         mode="nearest",
                         coordinate_transformation_mode="asymmetric",
                         nearest_mode="floor"),
        helper.make_node("Shape", ["nearest_interp_0.tmp_0"],
                         ["shape_0.tmp_0"], name="shape_0"),
        helper.make_node("Gather", ["shape_0.tmp_0", "gather_0.index"],
                         ["gather_0.tmp_0"], name="gather_0", axis=0),
        helper.make_node("Unsqueeze", ["gather_0.tmp_0"],
                         ["unsqueeze_0.tmp_0"], name="unsqueeze_0", axes=[0]),
        helper.make_node("Concat", ["unsqueeze_0.tmp_0", "concat_0.rest"],
                         ["concat_0.tmp_0"], name="concat_0", axis=0),
        helper.make_node("Reshape", ["nearest_interp_0.tmp_0",
                                     "concat_0.tmp_0"],
                         ["reshape_0.tmp_0"], name="reshape_0"),
    ]
    graph = helper.make_graph(
        nodes, "paddle",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["batch", 3, "h", "w"])],
        [helper.make_tensor_value_info("reshape_0.tmp_0", TensorProto.FLOAT,
                                       ["batch", "features"])],
        initializers)
    return make_model(graph, 11)


# --------------------------------------------------------------------------
# Invalid models
# --------------------------------------------------------------------------

def make_conv_model(rng, weight_name="w", with_weight=True):
    """A 1x3x8x8 -> 1x4x8x8 Conv model, optionally without its weight."""
    initializers = []
    if with_weight:
        initializers.append(random_tensor(rng, weight_name, (4, 3, 3, 3)))
    node = helper.make_node("Conv", ["x", weight_name], ["y"], name="conv0",
                            kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [node], "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
        initializers)
    return make_model(graph, 13)


def truncated_bytes():
    """Returns the first half of a valid model; the cut lies in the weights."""
    data = make_conv_model(np.random.default_rng(1)).SerializeToString()
    return data[:len(data) // 2]


def corrupt_bytes():
    """Returns 512 deterministic random bytes starting with an invalid tag."""
    data = np.random.default_rng(2).integers(0, 256, 512, np.uint8).tobytes()
    # 0x3f is field 7 with wire type 7, which does not exist, so every
    # protobuf parser rejects the first byte.  (A leading 0x00 would not do:
    # C++ ParseFromCodedStream treats tag 0 as a valid end of message.)
    return b"\x3f" + data[1:]


def make_unsupported_op():
    init = numpy_helper.from_array(np.array([3], np.int64), "max_boxes")
    node = helper.make_node(
        "NonMaxSuppression", ["boxes", "scores", "max_boxes"], ["selected"],
        name="weird0")
    graph = helper.make_graph(
        [node], "unsupported_op",
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, 6, 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT,
                                       [1, 1, 6])],
        [helper.make_tensor_value_info("selected", TensorProto.INT64,
                                       ["num_selected", 3])],
        [init])
    return make_model(graph, 13)


def make_bad_attribute():
    rng = np.random.default_rng(3)
    # 4 input channels cannot be split into 3 groups.
    weight = random_tensor(rng, "w", (3, 1, 3, 3))
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv0",
                            kernel_shape=[3, 3], group=3)
    graph = helper.make_graph(
        [node], "bad_attribute",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 6, 6])],
        [weight])
    return make_model(graph, 13)


def make_missing_initializer():
    return make_conv_model(np.random.default_rng(4),
                           weight_name="conv0.weight", with_weight=False)


def make_external_data():
    model = make_conv_model(np.random.default_rng(5))
    weight = model.graph.initializer[0]
    length = len(weight.raw_data)
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "weights.bin"), ("offset", "0"),
                       ("length", str(length))):
        entry = weight.external_data.add()
        entry.key = key
        entry.value = value
    return model


def make_bad_elem_type():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu0")
    graph = helper.make_graph(
        [node], "bad_elem_type",
        [helper.make_tensor_value_info("x", TensorProto.STRING, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.STRING, [1, 4])])
    return make_model(graph, 13)


def make_inconsistent_shapes():
    node = helper.make_node("Add", ["a", "b"], ["c"], name="add0")
    graph = helper.make_graph(
        [node], "inconsistent_shapes",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 3, 4, 4]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 5, 4, 4])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 3, 4, 4])])
    return make_model(graph, 13)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

# (file name, builder, check) where the check is "valid" (checker and strict
# shape inference pass), "checker" (only the structural checker passes),
# "unparsable" (not a ModelProto) or None (no check applies).
FIXTURES = (
    ("tf2onnx_style.onnx", make_tf2onnx_style, "valid"),
    ("paddle_style.onnx", make_paddle_style, "valid"),
    ("truncated.onnx", truncated_bytes, "unparsable"),
    ("corrupt.onnx", corrupt_bytes, "unparsable"),
    ("unsupported_op.onnx", make_unsupported_op, "valid"),
    ("bad_attribute.onnx", make_bad_attribute, "checker"),
    ("missing_initializer.onnx", make_missing_initializer, None),
    ("external_data.onnx", make_external_data, None),
    ("bad_elem_type.onnx", make_bad_elem_type, "checker"),
    ("inconsistent_shapes.onnx", make_inconsistent_shapes, "checker"),
)


def is_parsable(data):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onnx.load_model_from_string(data)
    except Exception:  # DecodeError; the exact type depends on the backend.
        return False
    return True


def self_check(name, data, check):
    """Verifies that fixture `name` has the intended (in)validity."""
    if check == "unparsable":
        if is_parsable(data):
            raise RuntimeError(f"{name}: unexpectedly parses as a model")
        return
    model = onnx.load_model_from_string(data)
    if check in ("valid", "checker"):
        onnx.checker.check_model(model)
    if check == "valid":
        onnx.shape_inference.infer_shapes(model, check_type=True,
                                          strict_mode=True)


def generate(name, builder, check):
    result = builder()
    data = result if isinstance(result, bytes) else result.SerializeToString()
    self_check(name, data, check)
    return data


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Generate small ONNX fixtures for Coda's importer tests.")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output directory (created if missing)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for name, builder, check in FIXTURES:
        data = generate(name, builder, check)
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        print(f"{name:<26} {len(data):6d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
